"""The ``parley`` command line: a thin shell over :mod:`sim`; it adds no model logic."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import ParleyError, Problem, ScenarioError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Parley: agent-based simulation of negotiated prisoner exchanges.")
out = Console(soft_wrap=True, highlight=False)


def fail(problems: list[Problem] | list[str]) -> None:
    """Print one line per problem on stderr and exit with code 2."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    raise typer.Exit(2)


@contextmanager
def stops_on_ctrl_c() -> Iterator[None]:
    """Ctrl-C ends a command with one line on stderr and exit code 130, never a traceback.

    Many runs stop their workers before they raise (:mod:`sim.ensemble`); their message says
    how far they got.
    """
    try:
        yield
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        raise typer.Exit(130) from None


def parse_sets(items: list[str] | None) -> dict[str, object]:
    """``["a.b=1", ...]`` into ``{"a.b": 1}``, refusing items without ``=``."""
    from sim.scenario import parse_value

    overrides: dict[str, object] = {}
    for item in items or []:
        path, sep, value = item.partition("=")
        if not sep or not path:
            fail([Problem("--set", item, "is not of the form dotted.path=value",
                          "e.g. --set insurgent.patience=40")])
        overrides[path.strip()] = parse_value(value.strip())
    return overrides


def _run_overrides(items: list[str] | None, seed: int | None, days: int | None
                   ) -> dict[str, object]:
    """``--set`` items with ``--seed`` and ``--days`` (when given) as ``run.seed``/``run.days``."""
    overrides = parse_sets(items)
    for flag, value in (("run.seed", seed), ("run.days", days)):
        if value is not None:
            overrides[flag] = value
    return overrides


IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def _check_image(path: Path, option: str) -> None:
    """Refuse an image file whose suffix matplotlib is not asked to write here."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        fail([Problem(option, option.removeprefix("--"), f"unknown image type {path.suffix!r}",
                      ".png, .svg or .pdf")])


def _save_figure(fig, path: Path) -> None:
    """Save and close a figure; a reader never sees half an image."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)


def _summary_table(summary: dict) -> Table:
    table = Table(title=f"Summary: {summary['scenario']} (seed {summary['seed']})",
                  show_header=True, header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, "—" if value is None else str(value))
    return table


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
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
        _check_image(plot, "--plot")
    try:
        spec = load_scenario(scenario, _run_overrides(set_, seed, days))
        result = run_scenario(spec)
    except ScenarioError as exc:
        fail(exc.problems)
    if narrative:
        out.print(f"[bold]{spec.meta.name}[/bold] — day by day")
        for line in result.narrative():
            out.print(line, markup=False)
        out.print()
    out.print(_summary_table(result.summary))
    if out_dir is not None:
        written = write_outputs(result, out_dir, fmt)
        out.print(f"wrote {len(written)} files to {out_dir}")
    if plot is not None:
        _save_timeline(result, plot)
        out.print(f"wrote the timeline to {plot}")


def _save_timeline(result, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from sim.ui.figures import timeline

    _save_figure(timeline(result), path)


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


@app.command()
def report(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
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
    executor: Annotated[str, typer.Option(help="local, dask or dask-local")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT")]
    = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="override a parameter: dotted.path=value (repeatable)")] = None,
) -> None:
    """Run many seeds; print the pattern rate, distributions and the fit to reported counts."""
    from sim.ensemble import run_ensemble
    from sim.report import load_reference, summarize_ensemble
    from sim.scenario import load_scenario

    try:
        spec = load_scenario(scenario, parse_sets(set_))
        ref_path = data or spec.meta.reference_data
        reference = load_reference(ref_path, spec) if ref_path else []
        with stops_on_ctrl_c():
            ensemble = run_ensemble(spec, seeds, days, workers, executor=executor,
                                    scheduler=scheduler, progress=None, label="report")
    except ParleyError as exc:
        fail(exc.problems)
    figures = summarize_ensemble(ensemble, reference)

    table = Table(title=f"{spec.meta.name}: {seeds} seeds, {ensemble.scenario.run.days} days",
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
        for col in ("day", "measure", "reported", "confidence", "median", "10%", "90%",
                    "result"):
            ref.add_column(col, overflow="fold")
        for row in figures["reference"]:
            ref.add_row(str(row["day"]), row["measure"], _fmt(row["reported"]),
                        row["confidence"].split(" ")[0], _fmt(row["median"]), _fmt(row["p10"]),
                        _fmt(row["p90"]), "pass" if row["passed"] else "FAIL")
        out.print(ref)
    if json_out is not None:
        tmp = json_out.with_name(f".{json_out.name}.tmp")
        tmp.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        tmp.replace(json_out)
        out.print(f"wrote every figure to {json_out}")
    print(f"pattern_rate={figures['pattern_rate']:.2f}")


@app.command()
def cases(
    files: Annotated[list[Path] | None, typer.Argument(
        help="case scenario files (default: every scenario with meta.targets in scenarios/)")]
    = None,
    seeds: Annotated[int | None, typer.Option(
        min=1, help="runs per case (default: the case's targets file)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="processes")] = None,
    verbose: Annotated[bool, typer.Option(help="print every target of every case")] = False,
) -> None:
    """Check every historical case against its targets; last line: cases_passed=<k>/<n>."""
    from sim.cases import is_case, run_case
    from sim.ui.app.state import default_scenarios_dir

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
                out.print(report.line(), markup=False)
                if verbose or not report.passed:
                    for result in report.results:
                        out.print("    " + result.line(), markup=False)
    except ParleyError as exc:
        fail(exc.problems)
    print(f"cases_passed={sum(r.passed for r in reports)}/{len(reports)}")


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="scenario or sweep files")]
             ) -> None:
    """Check scenario and sweep files; one line per problem, exit code 2 if any is invalid.

    A sweep file (one with ``base:``, ``parameters:`` or another key only sweeps have) is
    checked as a sweep: its fields, its base scenario, and every point of its design against
    the scenario schema.
    """
    from sim import sweep
    from sim.scenario import load_scenario

    problems: list[Problem] = []
    for file in files:
        try:
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

    text = json.dumps(json_schema(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


@app.command()
def describe(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")]) -> None:
    """List every parameter of a scenario: value, unit and meaning."""
    from sim.scenario import describe as rows
    from sim.scenario import load_scenario

    try:
        spec = load_scenario(scenario)
    except ScenarioError as exc:
        fail(exc.problems)
    table = Table(title=f"{spec.meta.name}: parameters", header_style="bold")
    if not sys.stdout.isatty():  # piped to grep or a file: keep whole rows on one line
        out.width = max(out.width, 240)
    listing = rows(spec)
    table.add_column("parameter", no_wrap=True, min_width=max(len(r[0]) for r in listing))
    table.add_column("value", overflow="fold", max_width=30)
    table.add_column("unit", no_wrap=True)
    table.add_column("meaning", overflow="fold")
    for path, value, unit, meaning in listing:
        table.add_row(path, str(value), unit, meaning)
    out.print(table)


PLOT_KINDS = ("timeline", "history", "sweep", "phase", "survival", "sensitivity", "compare")
FITS = {"run": ("timeline",), "sweep": ("sweep", "phase", "survival", "sensitivity"),
        "scenario": ("timeline", "history", "survival", "compare")}


def _target_type(target: Path) -> str:
    if target.is_dir():
        if (target / "manifest.json").exists():
            return "sweep"
        if (target / "scenario.yaml").exists():
            return "run"
        fail([Problem(str(target), "target", "is a folder with neither a run nor a sweep",
                      "a run folder (parley run --out), a sweep folder or a scenario file")])
    if not target.exists():
        fail([Problem(str(target), "target", "does not exist",
                      "a run folder, a sweep folder or a scenario file")])
    return "scenario"


@app.command()
def plot(
    target: Annotated[Path, typer.Argument(help="run folder, sweep folder or scenario file")],
    kind: Annotated[str, typer.Option(help=", ".join(PLOT_KINDS))],
    out_file: Annotated[Path, typer.Option("--out", help="image file: .png, .svg or .pdf")],
    seeds: Annotated[int, typer.Option(min=1, help="seeds for scenario plots")] = 100,
    days: Annotated[int | None, typer.Option(help="days (scenario plots)")] = None,
    x: Annotated[str | None, typer.Option(help="parameter on the x axis (sweeps)")] = None,
    y: Annotated[str | None, typer.Option(help="parameter on the y axis (phase)")] = None,
    output: Annotated[str | None, typer.Option(help="outcome to show (sweeps)")] = None,
    measure: Annotated[str, typer.Option(help="gov_released or ins_released (history)")]
    = "gov_released",
    against: Annotated[Path | None, typer.Option(help="second scenario (compare)")] = None,
) -> None:
    """Draw a picture of a run, a sweep or a scenario's ensemble."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.ui import figures as plots

    if kind not in PLOT_KINDS:
        fail([Problem("--kind", "kind", f"unknown kind {kind!r}", ", ".join(PLOT_KINDS))])
    _check_image(out_file, "--out")
    what = _target_type(target)
    if kind not in FITS[what]:
        fail([Problem(str(target), "--kind", f"a {kind} plot does not fit a {what}",
                      f"for a {what}: " + ", ".join(FITS[what]))])
    try:
        with stops_on_ctrl_c():
            fig = _draw(plots, target, what, kind, seeds, days, x, y, output, measure, against)
    except ParleyError as exc:
        fail(exc.problems)
    _save_figure(fig, out_file)
    out.print(f"wrote {kind} plot to {out_file}", markup=False)


def _draw(plots, target, what, kind, seeds, days, x, y, output, measure, against):
    from functools import partial

    from sim.ensemble import run_ensemble
    from sim.report import load_reference
    from sim.runner import load_run
    from sim.runner import run as run_scenario
    from sim.scenario import load_scenario

    if what == "run":
        return plots.timeline(load_run(target))
    if what == "sweep":
        return _draw_sweep(plots, target, kind, x, y, output)
    spec = load_scenario(target)
    ensemble_of = partial(run_ensemble, runs=seeds, days=days, progress=None, label=kind)
    if kind == "timeline":
        return plots.timeline(run_scenario(spec, days=days))
    if kind == "compare":
        if against is None:
            fail([Problem("--against", "against", "missing for a compare plot",
                          "a second scenario file")])
        other = load_scenario(against)
        return plots.compare({spec.meta.name: ensemble_of(spec),
                              other.meta.name: ensemble_of(other)})
    ensemble = ensemble_of(spec)
    if kind == "history":
        if not spec.meta.reference_data:
            fail([Problem(str(target), "meta.reference_data",
                          "a history plot needs reported counts", "a scenario with "
                          "meta.reference_data")])
        ax = plots.history(ensemble, load_reference(spec.meta.reference_data, spec), measure)
        return ax.figure
    event = output or "completion_day"
    ax = plots.survival({spec.meta.name: ensemble.values(event)}, ensemble.scenario.run.days,
                        event.removesuffix("_day"))
    return ax.figure


def _draw_sweep(plots, target, kind, x, y, output):
    from sim import sweep
    from sim.outcomes import as_floats

    manifest = sweep.read_manifest(target)
    params = [p["path"] for p in manifest["spec"]["parameters"]]
    for name in (x, y):
        if name is not None and name not in params:
            fail([Problem(str(target), "--x/--y", f"{name!r} was not varied",
                          ", ".join(params))])
    if kind == "sensitivity":
        method = manifest["spec"]["design"]["method"]
        if method not in ("sobol", "morris"):
            fail([Problem(str(target), "--kind", f"sensitivity needs a sobol or morris design, "
                          f"this sweep used {method}", "a sweep with design.method sobol or "
                          "morris")])
        return plots.sensitivity(sweep.analyze(target, method, output or "gov_released")).figure
    runs = sweep.load(target, tables=["runs"]).runs
    runs = runs[runs["status"] == "ok"]
    if kind == "phase":
        if len(params) < 2:
            fail([Problem(str(target), "--kind", "a phase diagram needs two varied parameters",
                          "a sweep over two parameters")])
        return plots.phase_diagram(runs, x or params[0], y or params[1],
                                   output or "pattern").figure
    if kind == "survival":
        col = f"param:{x or params[0]}"
        event = output or "completion_day"
        groups = {f"{col.removeprefix('param:')}={v:g}": as_floats(g[event])
                  for v, g in runs.groupby(col)}
        return plots.survival(groups, manifest["days"], event.removesuffix("_day")).figure
    return plots.outcome_vs_parameter(runs, x or params[0], output or "gov_released").figure


sweep_app = typer.Typer(no_args_is_help=True,
                        help="Run, resume, inspect and export parameter sweeps.")
app.add_typer(sweep_app, name="sweep")


@sweep_app.command("run")
def sweep_run(
    spec: Annotated[Path, typer.Argument(help="sweep file (YAML), or a scenario with --vary")],
    out_dir: Annotated[Path, typer.Option("--out", help="sweep folder (resumed if present)")],
    vary: Annotated[list[str] | None, typer.Option(
        help="vary a parameter: path=a,b,c | path=lo..hi/steps | path=lo..hi (repeatable)")]
    = None,
    lever: Annotated[list[str] | None, typer.Option(
        help="mark a varied path as a lever (policy choice)")] = None,
    design: Annotated[str | None, typer.Option(
        help="full_factorial, latin_hypercube, sobol or morris")] = None,
    samples: Annotated[int | None, typer.Option(help="points (LHS), N (Sobol), r (Morris)")]
    = None,
    replicates: Annotated[int | None, typer.Option(help="runs per point")] = None,
    master_seed: Annotated[int | None, typer.Option(help="master seed")] = None,
    days: Annotated[int | None, typer.Option(help="days per run")] = None,
    keep: Annotated[str | None, typer.Option(help="summary, series or events")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="processes (default: this one for a small sweep, else one a core)")]
    = None,
    executor: Annotated[str, typer.Option(help="local, dask or dask-local")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT")]
    = None,
    quiet: Annotated[bool, typer.Option(help="log lines instead of a progress bar")] = False,
) -> None:
    """Run a sweep, or resume it: only missing runs are run.

    With a sweep file, --replicates, --master-seed, --days, --keep, --design and --samples
    replace the file's values (the manifest records them). The exit code is 1 when runs failed
    in this call (their tracebacks are kept; parley sweep status counts them).
    """
    from sim import sweep

    flags = {"replicates": replicates, "master_seed": master_seed, "days": days, "keep": keep,
             "design": design, "samples": samples}
    given: dict[str, object] = {}
    try:
        if sweep.sweep_or_scenario(spec) == "sweep":
            if vary or lever:
                fail([Problem("--vary" if vary else "--lever", "vary",
                              "cannot be combined with a sweep file, which names its parameters",
                              "a sweep file, or a scenario with --vary")])
            sweep_spec, folder = sweep.load_spec(spec)
            sweep_spec, given = sweep.with_flags(sweep_spec, **flags)
        else:
            if not vary:
                fail([Problem(str(spec), "--vary", "a scenario needs at least one --vary",
                              "e.g. --vary insurgent.patience=1,1.5,2")])
            sweep_spec = sweep.spec_from_flags(spec.name, vary, lever or [],
                                               name=spec.stem + "_sweep", **flags)
            folder = spec.resolve().parent
        with stops_on_ctrl_c():
            outcome = sweep.run(sweep_spec, out_dir, workers=workers, executor=executor,
                                scheduler=scheduler, quiet=quiet, folder=folder,
                                log=lambda msg: print(msg, flush=True), flags=given)
    except ParleyError as exc:
        fail(exc.problems)
    rate = outcome.ran / outcome.seconds if outcome.seconds else 0.0
    print(f"{outcome.out}: {outcome.total} runs, {outcome.skipped} already done, "
          f"{outcome.ran} ran, {outcome.failed} failed, {outcome.seconds:.1f} s "
          f"({rate:.1f} runs/s)")
    if outcome.failed:
        print(f"error: {outcome.failed} of {outcome.ran + outcome.failed} runs failed; their "
              f"tracebacks are in the error column (parley sweep export {outcome.out})",
              file=sys.stderr)
        raise typer.Exit(1)


@sweep_app.command("status")
def sweep_status(folder: Annotated[Path, typer.Argument(help="sweep folder")]) -> None:
    """Show how many runs are done, failed and missing."""
    from sim import sweep

    try:
        info = sweep.status(folder)
    except sweep.SweepError as exc:
        fail(exc.problems)
    print(f"{info['name']}: {info['done']} done, {info['failed']} failed, "
          f"{info['missing']} missing of {info['total']}")


@sweep_app.command("export")
def sweep_export(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    dest: Annotated[Path | None, typer.Option("--out", help="folder (default: DIR/export)")]
    = None,
) -> None:
    """Write a sweep's runs, series and events as single files for spreadsheets."""
    from sim import sweep

    if fmt not in ("csv", "parquet"):
        fail([Problem("--format", "format", f"unknown format {fmt!r}", "csv or parquet")])
    try:
        written = sweep.export(folder, dest, fmt)
    except sweep.SweepError as exc:
        fail(exc.problems)
    for path in written:
        print(f"wrote {path}")


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    method: Annotated[str, typer.Option(help="sobol or morris")] = "sobol",
    output: Annotated[str, typer.Option(help="outcome column of the runs table")]
    = "gov_released",
) -> None:
    """Sensitivity indices of one outcome with confidence intervals (SALib)."""
    from sim import sweep

    try:
        result = sweep.analyze(folder, method, output)
    except sweep.SweepError as exc:
        fail(exc.problems)
    rows = result["indices"]
    table = Table(title=f"{method} indices of {output} (mean over replicates)",
                  header_style="bold")
    for col in rows[0]:
        table.add_column(col, justify="left" if col == "parameter" else "right")
    for row in rows:
        table.add_row(*(v if isinstance(v, str) else f"{v:.3f}" for v in row.values()))
    out.print(table)


def main() -> None:
    """Entry point of the ``parley`` console script."""
    try:
        app()
    except ParleyError as exc:  # a domain error that escaped a command
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


@app.command("app")
def app_command(
    scenario: Annotated[Path | None, typer.Option(
        help="scenario YAML file to open first (default: scenarios/afghanistan_2020.yaml)")]
    = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="port on localhost")] = 8765,
    open_browser: Annotated[bool, typer.Option(
        "--open/--no-open", help="open the dashboard in a web browser")] = False,
) -> None:
    """Serve the classroom dashboard on localhost until Ctrl+C (Solara)."""
    import os
    import subprocess

    from sim.ui.app.state import SCENARIO_ENV, SCENARIOS_ENV, default_scenarios_dir

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
    cmd = [sys.executable, "-m", "solara", "run", "sim.ui.app.page", "--host", "127.0.0.1",
           "--port", str(port), "--production", "--no-check-version",
           "--open" if open_browser else "--no-open"]
    print(f"Parley dashboard: http://localhost:{port}  (Ctrl+C stops it)", flush=True)
    server = subprocess.Popen(cmd, env=env)
    try:
        code = server.wait()
    except KeyboardInterrupt:
        try:
            code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            code = server.wait()
    raise typer.Exit(0 if code in (0, -2, 130) else code)


@app.command("play")
def play_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
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
    from sim.roleplay import Game, play_loop
    from sim.scenario import load_scenario

    seats = [s.value for s in Seat]
    if seat.lower() not in seats:
        fail([Problem("--seat", "seat", f"unknown seat {seat!r}", ", ".join(seats))])
    try:
        game = Game(load_scenario(scenario, _run_overrides(set_, seed, days)), seat.lower())
    except ScenarioError as exc:
        fail(exc.problems)
    play_loop(game, read=input, write=lambda line: print(line, flush=True), seeds=seeds)
