"""``parley sweep run|status|export`` and ``parley analyze``: thin shells over :mod:`sim.sweep`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.errors import ParleyError, Problem
from sim.ui.console import (
    Executor,
    Scheduler,
    fail,
    find_file,
    need,
    out,
    stops_on_ctrl_c,
)
from sim.ui.destinations import check_out_folder

sweep_app = typer.Typer(no_args_is_help=True,
                        help="Run, resume, inspect and export parameter sweeps.")


@sweep_app.command("run")
def sweep_run(
    spec: Annotated[Path, typer.Argument(
        help="sweep file or name, or a scenario with --vary", callback=find_file)],
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
    executor: Executor = "local",
    scheduler: Scheduler = None,
    quiet: Annotated[bool, typer.Option(help="log lines instead of a progress bar")] = False,
) -> None:
    """Run a sweep, or resume it: only missing runs are run.

    With a sweep file, --replicates, --master-seed, --days, --keep, --design and --samples
    replace the file's values (the manifest records them). The exit code is 1 when runs failed
    in this call (their tracebacks are kept; parley sweep status counts them).
    """
    from sim.files import recording_reads
    from sim.sweep import resume

    need("parley sweep", "pyarrow")
    check_out_folder(out_dir, "--out", "a new folder, or a sweep's folder to resume")

    flags = {"replicates": replicates, "master_seed": master_seed, "days": days, "keep": keep,
             "design": design, "samples": samples}
    command = {"spec": str(spec.resolve()), "vary": vary or [], "lever": lever or [], **flags,
               "executor": executor, "scheduler": scheduler}
    runs = resume.finished(out_dir, command)
    if runs is not None:  # known without importing numpy, pydantic or pandas
        print(f"nothing to do: all {runs} runs are in {out_dir}", flush=True)
        print(f"{out_dir}: {runs} runs, {runs} already done, 0 ran, 0 failed, 0.0 s "
              "(0.0 runs/s)")
        return
    with recording_reads() as files:
        outcome = _run_sweep(spec, out_dir, vary, lever, flags, workers, executor, scheduler,
                             quiet)
    if outcome.skipped + outcome.ran + outcome.failed == outcome.total:
        resume.record(out_dir, command, files)
    rate = outcome.ran / outcome.seconds if outcome.seconds else 0.0
    print(f"{outcome.out}: {outcome.total} runs, {outcome.skipped} already done, "
          f"{outcome.ran} ran, {outcome.failed} failed, {outcome.seconds:.1f} s "
          f"({rate:.1f} runs/s)")
    if outcome.failed:
        print(f"error: {outcome.failed} of {outcome.ran + outcome.failed} runs failed; their "
              f"tracebacks are in the error column (parley sweep export {outcome.out})",
              file=sys.stderr)
        raise typer.Exit(1)


def _run_sweep(spec, out_dir, vary, lever, flags, workers, executor, scheduler, quiet):
    """Read the sweep (a file, or a scenario with --vary) and run or resume it.

    On a terminal a spinner says what happens from the first second (reading the files and
    planning a large design take seconds) until the progress bar takes over.
    """
    with _Waiting(not quiet and sys.stderr.isatty()) as waiting:
        return _read_and_run(spec, out_dir, vary, lever, flags, workers, executor, scheduler,
                             quiet, waiting)


class _Waiting:
    """A spinner on standard error with what a sweep does before its progress bar shows."""

    def __init__(self, show: bool) -> None:
        from rich.console import Console

        self.spinner = Console(stderr=True).status("sweep: reading the sweep") if show else None

    def __enter__(self) -> _Waiting:
        if self.spinner is not None:
            self.spinner.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self(None)

    def __call__(self, text: str | None) -> None:
        """Show ``text``; ``None`` stops the spinner (the progress bar takes over)."""
        if self.spinner is None:
            return
        if text is None:
            self.spinner.stop()
            self.spinner = None
        else:
            self.spinner.update(f"sweep: {text}")


def _read_and_run(spec, out_dir, vary, lever, flags, workers, executor, scheduler, quiet,
                  waiting):
    """The body of :func:`_run_sweep`, under its spinner."""
    from sim import sweep

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
                                log=lambda msg: print(msg, flush=True), flags=given,
                                waiting=waiting)
    except ParleyError as exc:
        fail(exc.problems)
    return outcome


@sweep_app.command("status")
def sweep_status(folder: Annotated[Path, typer.Argument(help="sweep folder")]) -> None:
    """Show how many runs are done, failed and missing."""
    from sim import sweep

    need("parley sweep", "pyarrow")

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

    need("parley sweep", "pyarrow")

    if fmt not in ("csv", "parquet"):
        fail([Problem("--format", "format", f"unknown format {fmt!r}", "csv or parquet")])
    if dest is not None:
        check_out_folder(dest, "--out", "a folder Parley can write")
    try:
        written = sweep.export(folder, dest, fmt)
    except sweep.SweepError as exc:
        fail(exc.problems)
    for path in written:
        print(f"wrote {path}")


@sweep_app.command("show")
def sweep_show(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    run: Annotated[int | None, typer.Option("--run", help="run id (the runs table's run_id)")]
    = None,
    where: Annotated[str | None, typer.Option(
        help="pandas query over the runs table, e.g. \"pattern and gov_released > 100\"; "
        "a param: column in backticks")] = None,
    sample: Annotated[int | None, typer.Option(
        help="show this many --where matches picked at random (default: the first)")] = None,
    sample_seed: Annotated[int, typer.Option(help="seed of the --sample choice")] = 0,
    narrative: Annotated[bool, typer.Option(help="print the day-by-day narrative")] = True,
    plot: Annotated[Path | None, typer.Option(
        help="write the run's timeline here (.png, .svg or .pdf; RUN appended for several)")]
    = None,
) -> None:
    """Run one run of a sweep again from its point and seed: its narrative and summary.

    The summary is checked against the sweep's stored row, field by field; the exit code is
    1 when they differ (a sweep made by another version of Parley, say).
    """
    from rich.markup import escape

    from sim import sweep
    from sim.sweep import drill
    from sim.ui.console import check_image, save_timeline, summary_table

    need("parley sweep show", "pyarrow")
    if plot is not None:
        check_image(plot, "--plot")
    try:
        data = sweep.load(folder, tables=["runs"])
        ids = drill.select(data.runs, run=run, where=where, sample=sample, seed=sample_seed)
    except sweep.SweepError as exc:
        fail(exc.problems)
    differ = False
    for run_id in ids:
        row = data.runs.loc[data.runs["run_id"] == run_id].iloc[0]
        point = drill.point_of(data.points, int(row["point_id"]))
        out.print(f"[bold]run {run_id}[/bold] of {escape(data.manifest['spec']['name'])}: "
                  f"point {row['point_id']}, replicate {row['replicate']}, seed {row['seed']}")
        for path, value in point.items():
            shown = f"{value:.6g}" if isinstance(value, float) else str(value)
            out.print(f"  {path} = {shown}", markup=False)
        if row["status"] != "ok":
            print(f"error: run {run_id} failed in the sweep:\n{row['error']}", file=sys.stderr)
            raise typer.Exit(1)
        try:
            with stops_on_ctrl_c():
                result = drill.rerun(data.manifest, data.points, data.runs, run_id)
        except ParleyError as exc:
            fail(exc.problems)
        if narrative:
            for line in result.narrative():
                out.print(line, markup=False)
            out.print()
        out.print(summary_table(result.summary))
        changed = drill.differences(data.runs, run_id, result)
        if changed:
            differ = True
            made = data.manifest.get("versions", {}).get("parley", "?")
            print(f"warning: run {run_id}'s summary differs from the sweep's row (sweep made "
                  f"by Parley {made}): " + "; ".join(changed), file=sys.stderr)
        else:
            out.print(f"run {run_id}: its summary equals the sweep's row", markup=False)
        if plot is not None:
            path = plot if len(ids) == 1 else plot.with_stem(f"{plot.stem}-run{run_id}")
            save_timeline(result, path)
            out.print(f"wrote the timeline to {path}", markup=False)
    if differ:
        raise typer.Exit(1)


def analyze(
    folder: Annotated[Path, typer.Argument(help="sweep folder")],
    method: Annotated[str, typer.Option(help="sobol or morris")] = "sobol",
    output: Annotated[str, typer.Option(help="outcome column of the runs table")]
    = "gov_released",
) -> None:
    """Sensitivity indices of one outcome with confidence intervals (SALib)."""
    from sim import sweep

    need("parley analyze", "pyarrow", "SALib")

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
    for line in result["warnings"]:
        print(f"warning: {line}", file=sys.stderr)
