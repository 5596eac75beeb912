"""The ``parley`` command line: a thin shell over :mod:`sim`; it adds no model logic.

This module holds the application and the commands on single runs, ensembles and files;
``parley plot`` is :mod:`sim.ui.cli_plot`, ``parley sweep`` and ``parley analyze``
:mod:`sim.ui.cli_sweep`, ``parley scenarios`` and ``parley init`` :mod:`sim.ui.cli_catalog`,
and what every command shares :mod:`sim.ui.console`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.errors import ParleyError, Problem, ScenarioError
from sim.ui import cli_catalog, cli_fork, cli_plot, cli_sweep
from sim.ui.console import (
    EXTRA_OF,
    Executor,
    ScenarioArg,
    Scheduler,
    check_image,
    fail,
    find_file,
    find_files,
    missing_extra,
    need,
    out,
    run_overrides,
    save_timeline,
    stops_on_ctrl_c,
    summary_table,
    usage_line,
)
from sim.ui.destinations import check_out_file, check_out_folder

# What Typer raises for a bad command line: its own exceptions (Typer 0.20 and later) or
# Click's, whichever this Typer uses.
USAGE_ERRORS = tuple(e for e in (getattr(typer, "TyperException", None),
                                 getattr(sys.modules.get("click"), "ClickException", None)) if e)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Parley: agent-based simulation of negotiated prisoner exchanges.")


def _print_version(value: bool) -> None:
    if value:
        from sim import __version__

        print(f"parley {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="print Parley's version and exit")] = False,
) -> None:
    """Parley: agent-based simulation of negotiated prisoner exchanges."""


@app.command()
def run(
    scenario: ScenarioArg,
    seed: Annotated[int | None, typer.Option(help="seed (default: run.seed)")] = None,
    days: Annotated[int | None, typer.Option(help="days (default: run.days)")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="override a parameter: dotted.path=value (repeatable)")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="folder for series, events, summary and resolved scenario")] = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    narrative: Annotated[bool, typer.Option(help="print the day-by-day narrative")] = True,
    plot: Annotated[Path | None, typer.Option(
        help="write the run's timeline to this image (.png, .svg or .pdf)")] = None,
) -> None:
    """Run a scenario once; print its summary and narrative; optionally write its outputs."""
    from sim.runner import FORMATS, write_outputs
    from sim.runner import run as run_scenario
    from sim.scenario import load_scenario

    if fmt not in FORMATS:
        fail([Problem("--format", "format", f"unknown format {fmt!r}", " or ".join(FORMATS))])
    if plot is not None:
        check_image(plot, "--plot")
        check_out_file(plot, "--plot", "an image file in a folder Parley can write")
    if out_dir is not None:
        check_out_folder(out_dir, "--out", "a new folder, an empty one or a previous run's",
                         replaces="run")
    if out_dir is not None and fmt == "parquet":
        need("--format parquet", "pyarrow")
    try:
        spec = load_scenario(scenario, *run_overrides(set_, seed, days))
        result = run_scenario(spec)
    except ScenarioError as exc:
        fail(exc.problems)
    if narrative:
        out.print(f"[bold]{escape(spec.meta.name)}[/bold] — day by day")
        for line in result.narrative():
            out.print(line, markup=False)
        out.print()
    out.print(summary_table(result.summary))
    if out_dir is not None:
        written = write_outputs(result, out_dir, fmt)
        out.print(f"wrote {len(written)} files to {out_dir}", markup=False)
    if plot is not None:
        save_timeline(result, plot)
        out.print(f"wrote the timeline to {plot}", markup=False)


def _count(value) -> str:
    """A count as written: ``361``, ``50.5``, or a dash when missing."""
    return "—" if value is None else f"{value:g}"


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


@app.command()
def report(
    scenario: ScenarioArg,
    seeds: Annotated[int, typer.Option(
        min=1, help="number of runs; their seeds are spawned from run.seed (see README)")] = 100,
    days: Annotated[int | None, typer.Option(help="days (default: run.days)")] = None,
    data: Annotated[Path | None, typer.Option(
        help="CSV of reported counts (default: the scenario's meta.reference_data)")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="write every figure and every run's seed here")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="processes (default: this one for a small ensemble, else one a core)")]
    = None,
    executor: Executor = "local",
    scheduler: Scheduler = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="override a parameter: dotted.path=value (repeatable)")] = None,
    theory: Annotated[bool, typer.Option(
        help="also set closed forms beside the runs of their theory configurations")] = False,
    theory_plot: Annotated[Path | None, typer.Option(
        help="with --theory, draw the closed forms on the runs' histograms in this image")]
    = None,
    examples: Annotated[int, typer.Option(
        min=0, help="name this many runs with and without the pattern, each with the "
        "parley run command that reruns it")] = 0,
) -> None:
    """Run many seeds; print the pattern rate, distributions and the fit to reported counts."""
    from sim.ensemble import run_ensemble
    from sim.report import load_reference, summarize_ensemble
    from sim.scenario import load_scenario

    if theory_plot is not None:
        check_image(theory_plot, "--theory-plot")
    if json_out is not None:
        check_out_file(json_out, "--json", "a JSON file in a folder Parley can write")
    try:
        spec = load_scenario(scenario, *run_overrides(set_, days=days))
        ref_path = data or spec.meta.reference_data
        reference = load_reference(ref_path, spec) if ref_path else []
        with stops_on_ctrl_c():
            ensemble = run_ensemble(spec, seeds, None, workers, executor=executor,
                                    scheduler=scheduler, progress=None, label="report")
    except ParleyError as exc:
        fail(exc.problems)
    figures = summarize_ensemble(ensemble, reference)

    table = Table(title=f"{escape(spec.meta.name)}: {seeds} seeds, "
                  f"{ensemble.scenario.run.days} days",
                  header_style="bold")
    for col in ("outcome", "share of runs", "median", "10%", "90%"):
        table.add_column(col, justify="right" if col != "outcome" else "left")
    for name, band in figures["distributions"].items():
        table.add_row(name, f"{band['share']:.2f}", _fmt(band["median"]), _fmt(band["p10"]),
                      _fmt(band["p90"]))
    a = figures["attacks_per_day"]
    table.add_row(f"attacks a day (days {a['days'][0]}-{a['days'][1]})", "",
                  _fmt(a["median"]), _fmt(a["p10"]), _fmt(a["p90"]))
    out.print(table)
    for key, value in figures.items():
        if key.startswith("gov_release_before_day_"):
            out.print(f"share of runs with a government release before day "
                      f"{key.rsplit('_', 1)[1]}: {value:.2f}")
    if figures["reference"]:
        ref = Table(title="reported counts against the simulated median and 10-90% band",
                    header_style="bold")
        # Counts without a needless ".0" and confidence without "reported_", so that the
        # table fits 80 columns.
        for col in ("day", "measure", "reported", "confidence", "median", "10%", "90%",
                    "result"):
            ref.add_column(col, no_wrap=col == "measure",
                           justify="left" if col in ("measure", "confidence") else "right")
        for row in figures["reference"]:
            confidence = row["confidence"].split(" ")[0].removeprefix("reported_")
            ref.add_row(str(row["day"]), row["measure"], _count(row["reported"]),
                        escape(confidence), *(_count(row[k]) for k in ("median", "p10", "p90")),
                        "pass" if row["passed"] else "FAIL")
        out.print(ref)
    if theory:
        from sim.ui.cli_theory import print_theory

        figures["theory"] = print_theory(spec, ensemble, theory_plot)
    if json_out is not None:
        tmp = json_out.with_name(f".{json_out.name}.tmp")
        tmp.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        tmp.replace(json_out)
        out.print(f"wrote every figure to {json_out}", markup=False)
    if examples:
        _print_examples(scenario, ensemble, examples, set_, days)
    print(f"pattern_rate={figures['pattern_rate']:.2f}")


def _print_examples(scenario: Path, ensemble, k: int, sets: list[str] | None,
                    days: int | None) -> None:
    """The first ``k`` seeds of runs with and without the pattern, as commands that rerun them.

    A shipped scenario is named by its bare name, which ``parley run`` finds, so that the
    commands stay short.
    """
    import shlex

    from sim.catalog import default_scenarios_dir

    shipped = scenario.resolve().parent == default_scenarios_dir().resolve()
    name = scenario.stem if shipped else str(scenario)
    extra = "".join(f" --set {shlex.quote(item)}" for item in sets or [])
    extra += f" --days {days}" if days is not None else ""
    for group, wanted in (("with", True), ("without", False)):
        seeds = [seed for seed, summary in zip(ensemble.seeds, ensemble.summaries, strict=True)
                 if summary["pattern"] is wanted]
        out.print(f"runs {group} the pattern: {len(seeds)} of {len(ensemble.seeds)}"
                  + ("; rerun one alone with" if seeds else ""), markup=False)
        for seed in seeds[:k]:
            out.print(f"  parley run {shlex.quote(name)} --seed {seed}{extra}", markup=False)


@app.command()
def cases(
    files: Annotated[list[Path] | None, typer.Argument(
        help="case scenario files or names (default: every scenario with meta.targets in "
        "scenarios/)", callback=find_files)] = None,
    seeds: Annotated[int | None, typer.Option(
        min=1, help="runs per case (default: the case's targets file)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="processes")] = None,
    verbose: Annotated[bool, typer.Option(help="print every target of every case")] = False,
) -> None:
    """Check every historical case against its targets; last line: cases_passed=<k>/<n>."""
    from sim.cases import is_case, run_case
    from sim.catalog import default_scenarios_dir

    paths = files or [p for p in sorted(default_scenarios_dir().glob("*.yaml")) if is_case(p)]
    if not paths:
        fail([Problem("cases", "files", "no scenario names targets",
                      "scenario files whose meta.targets names a targets file")])
    reports = []
    try:
        with stops_on_ctrl_c():
            for path in paths:
                report = run_case(path, seeds, workers, progress=None)
                reports.append(report)
                # Wrapped at "; " so that a line fits 80 columns.
                out.print(report.line().replace("; ", ";\n    "), markup=False)
                if verbose or not report.passed:
                    for result in report.results:
                        out.print("    " + result.line(), markup=False)
    except ParleyError as exc:
        fail(exc.problems)
    print(f"cases_passed={sum(r.passed for r in reports)}/{len(reports)}")


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(
        help="scenario or sweep files, or shipped ones' names")]) -> None:
    """Check scenario and sweep files; one line per problem, exit code 2 if any is invalid.

    A sweep file (one with ``base:``, ``parameters:`` or another key only sweeps have) is
    checked as a sweep: its fields, its base scenario, and every point of its design against
    the scenario schema.
    """
    from sim import sweep
    from sim.catalog import find
    from sim.scenario import load_scenario

    problems: list[Problem] = []
    for file in files:
        try:
            file = find(file)
            if sweep.sweep_or_scenario(file) == "sweep":
                p = sweep.check_file(file)
                out.print(f"ok: {file} (sweep {p.spec.name}: {len(p.points)} points, "
                          f"{p.n_runs} runs)", markup=False)
                continue
            spec = load_scenario(file)
        except ParleyError as exc:
            problems.extend(exc.problems)
            continue
        out.print(f"ok: {file} ({spec.meta.name}, hash {spec.content_hash()})", markup=False)
    if problems:
        fail(problems)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--out", help="write to this file")] = None,
) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario import json_schema

    if output is not None:
        check_out_file(output, "--out", "a file in a folder Parley can write")
    text = json.dumps(json_schema(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


@app.command()
def describe(scenario: ScenarioArg) -> None:
    """List every parameter of a scenario: value, unit and meaning."""
    from sim.scenario import describe as rows
    from sim.scenario import load_scenario

    try:
        spec = load_scenario(scenario)
    except ScenarioError as exc:
        fail(exc.problems)
    if not sys.stdout.isatty() and "COLUMNS" not in os.environ:
        out.width = max(out.width, 240)  # piped to grep or a file: keep rows on one line
    listing = rows(spec)
    if out.width < NARROW:
        _describe_narrow(spec.meta.name, listing)
        return
    table = Table(title=f"{escape(spec.meta.name)}: parameters", header_style="bold")
    table.add_column("parameter", no_wrap=True, min_width=max(len(r[0]) for r in listing))
    table.add_column("value", overflow="fold", max_width=30)
    table.add_column("unit", no_wrap=True)
    table.add_column("meaning", overflow="fold")
    for path, value, unit, meaning in listing:
        table.add_row(path, escape(str(value)), unit, meaning)
    out.print(table)


NARROW = 120
"""Below this width ``describe`` lists each parameter on a few lines instead of a table."""


def _describe_narrow(name: str, listing: list[tuple]) -> None:
    """Each parameter as ``path = value (unit)`` and its meaning below, wrapped to the width."""
    import textwrap

    out.print(f"[bold]{escape(name)}: parameters[/bold]")
    width = out.width
    for path, value, unit, meaning in listing:
        head = textwrap.wrap(f"{path} = {value}  ({unit})", width, subsequent_indent="    ",
                             break_on_hyphens=False)
        out.print(f"[bold]{escape(head[0][:len(path)])}[/bold]{escape(head[0][len(path):])}")
        for line in [*head[1:], *textwrap.wrap(meaning, width, initial_indent="    ",
                                                 subsequent_indent="    ")]:
            out.print(line, markup=False)


app.command("plot")(cli_plot.plot)
app.add_typer(cli_sweep.sweep_app, name="sweep")
app.command("analyze")(cli_sweep.analyze)
app.command("scenarios")(cli_catalog.scenarios)
app.command("init")(cli_catalog.init)
app.command("fork")(cli_fork.fork)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``parley`` console script; every way it ends is one exit code.

    A bad command line (an unknown option, a missing or malformed value) is one ``error:``
    line naming the command, and exit code 2, as every other bad input is.
    """
    # A file name in no encoding the terminal has (invalid UTF-8, or any name under LANG=C) is
    # echoed with escapes rather than ending the command.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        code = app(args=argv, prog_name="parley", standalone_mode=False)
    except USAGE_ERRORS as exc:  # a bad command line; a bare command shows its help
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.ctx.get_help().strip() or "", file=sys.stderr)  # (rich prints its own)
        else:
            print(usage_line(exc), file=sys.stderr)
        code = exc.exit_code
    except typer.Abort:  # Ctrl-C or end of input at a prompt
        print("interrupted", file=sys.stderr)
        code = 130
    except ParleyError as exc:  # a domain error that escaped a command
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except ModuleNotFoundError as exc:
        # A module of an optional extra that a command reached without checking first.
        if (exc.name or "").split(".")[0] not in EXTRA_OF:
            raise
        print(missing_extra(exc.name, "this command"), file=sys.stderr)
        code = 2
    sys.exit(code if isinstance(code, int) else 0)


@app.command("app")
def app_command(
    scenario: Annotated[Path | None, typer.Option(
        help="scenario file or name to open first (default: afghanistan_2020)",
        callback=find_file)] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to serve on")] = 8765,
    open_browser: Annotated[bool, typer.Option(
        "--open/--no-open", help="open the dashboard in a web browser")] = False,
    classroom: Annotated[bool, typer.Option(
        help="serve a multi-seat classroom to the local network instead")] = False,
    rooms: Annotated[int, typer.Option(min=1, max=20, help="classroom: rooms (groups)")] = 2,
    days: Annotated[int, typer.Option(min=1, max=3650, help="classroom: days a game")] = 30,
    seconds: Annotated[int, typer.Option(
        min=0, max=3600, help="classroom: seconds a day on the timer (0: no timer)")] = 0,
) -> None:
    """Serve the dashboard on localhost (or, with --classroom, the LAN) until Ctrl+C."""
    import os

    from sim.catalog import default_scenarios_dir
    from sim.ui.app.state import SCENARIO_ENV, SCENARIOS_ENV
    from sim.ui.server import check_port, serve

    need("parley app", "solara", "solara_assets", "ipyvuetify")
    env = dict(os.environ)
    env[SCENARIOS_ENV] = str(default_scenarios_dir())
    if scenario is not None:
        # A file that fails validation is not refused here: the page shows its problems.
        env[SCENARIO_ENV] = str(scenario.resolve())
    # The dashboard runs offline: no usage statistics, no version check, no CDN (the
    # solara-assets package serves the page's scripts), and no warning about http cookies.
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS"), quiet) if w)
    host, module, lines = "127.0.0.1", "sim.ui.app.page", [
        f"Parley dashboard: http://localhost:{port}  (Ctrl+C stops it)"]
    if classroom:
        from sim.ui.cli_classroom import CLASSROOM_HOST, classroom_env

        lines = classroom_env(env, scenario, port, rooms, days, seconds)
        host, module = CLASSROOM_HOST, "sim.ui.app.classroom"
    check_port(host, port)
    cmd = [sys.executable, "-m", "solara", "run", module, "--host", host,
           "--port", str(port), "--production", "--no-check-version",
           "--open" if open_browser else "--no-open"]
    print("\n".join(lines), flush=True)
    code = serve(cmd, env)
    raise typer.Exit(0 if code in (0, -2, -15, 130, 143) else code)


@app.command("play")
def play_command(
    scenario: ScenarioArg,
    seat: Annotated[str, typer.Option(help="your seat: government, insurgent or mediator")],
    days: Annotated[int | None, typer.Option(min=1, help="days (default: run.days)")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="seed (default: run.seed)")] = None,
    seeds: Annotated[int, typer.Option(
        min=1, help="runs of the agents alone to compare your outcome with")] = 50,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="override a parameter: dotted.path=value (repeatable)")] = None,
) -> None:
    """Take one side's seat day by day; the model's agents play the other two.

    Each day shows the situation and asks for your decision; q or end of input stops the game.
    At the end your outcome is set against the agents' own runs of the same days.
    """
    from sim.agents.base import Seat
    from sim.roleplay import Game
    from sim.scenario import load_scenario
    from sim.ui.terminal import play_loop

    seats = [s.value for s in Seat]
    if seat.lower() not in seats:
        fail([Problem("--seat", "seat", f"unknown seat {seat!r}", ", ".join(seats))])
    try:
        game = Game(load_scenario(scenario, *run_overrides(set_, seed, days)), seat.lower())
    except ScenarioError as exc:
        fail(exc.problems)
    play_loop(game, read=input, write=lambda line: print(line, flush=True), seeds=seeds)
