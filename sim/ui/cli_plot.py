"""``parley plot``: a picture of a run, a sweep or a scenario's ensemble (:mod:`sim.ui.figures`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.errors import ParleyError, Problem
from sim.ui.console import (
    check_image,
    fail,
    find_file,
    need,
    out,
    run_overrides,
    save_figure,
    stops_on_ctrl_c,
)
from sim.ui.destinations import check_out_file

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


def plot(
    target: Annotated[Path, typer.Argument(
        help="run folder, sweep folder, or scenario file or name", callback=find_file)],
    kind: Annotated[str, typer.Option(help=", ".join(PLOT_KINDS))],
    out_file: Annotated[Path, typer.Option("--out", help="image file: .png, .svg or .pdf")],
    seeds: Annotated[int, typer.Option(min=1, help="seeds for scenario plots")] = 100,
    days: Annotated[int | None, typer.Option(help="days (scenario plots)")] = None,
    x: Annotated[str | None, typer.Option(help="parameter on the x axis (sweeps)")] = None,
    y: Annotated[str | None, typer.Option(
        help="parameter on the y axis (phase); one line (sweep) or panel (survival) each")]
    = None,
    output: Annotated[str | None, typer.Option(help="outcome to show (sweeps)")] = None,
    measure: Annotated[str, typer.Option(help="gov_released or ins_released (history)")]
    = "gov_released",
    against: Annotated[Path | None, typer.Option(
        help="second scenario file or name (compare)", callback=find_file)] = None,
    examples: Annotated[int, typer.Option(
        min=0, help="name this many run ids a cell (sweeps; parley sweep show reruns one)")]
    = 0,
) -> None:
    """Draw a picture of a run, a sweep or a scenario's ensemble."""
    plots = _Figures()
    if kind not in PLOT_KINDS:
        fail([Problem("--kind", "kind", f"unknown kind {kind!r}", ", ".join(PLOT_KINDS))])
    check_image(out_file, "--out")
    check_out_file(out_file, "--out", "an image file in a folder Parley can write")
    what = _target_type(target)
    if kind not in FITS[what]:
        fail([Problem(str(target), "--kind", f"a {kind} plot does not fit a {what}",
                      f"for a {what}: " + ", ".join(FITS[what]))])
    try:
        with stops_on_ctrl_c():
            fig = _draw(plots, target, what, kind, seeds, days, x, y, output, measure, against)
            cells = _examples(target, kind, x, y, output, examples) if examples else []
    except ParleyError as exc:
        fail(exc.problems)
    save_figure(fig, out_file)
    out.print(f"wrote {kind} plot to {out_file}", markup=False)
    _print_examples(target, cells, output or DEFAULT_OUTPUT.get(kind, ""))


class _Figures:
    """:mod:`sim.ui.figures`, imported when first drawn with.

    The figure module takes a second or two to import: an ensemble's bar shows before it does.
    """

    def __getattr__(self, name: str):
        import matplotlib

        matplotlib.use("Agg")
        from sim.ui import figures

        return getattr(figures, name)


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
    if output is not None and kind == "survival":  # before any run: a day of the summary
        from sim.outputs import SUMMARY, Kind
        from sim.sweep.drill import check_column

        check_column(output, [f.name for f in SUMMARY if f.kind is Kind.OPTIONAL
                              and f.unit == "day"], "--output", "day of an event")
    spec = load_scenario(target, *run_overrides(None, days=days))  # errors name --days
    ensemble_of = partial(run_ensemble, runs=seeds, progress=None, label=kind)
    if kind == "timeline":
        return plots.timeline(run_scenario(spec))
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
                        event)
    return ax.figure


def _draw_sweep(plots, target, kind, x, y, output):
    from sim import sweep

    need("a plot of a sweep", "pyarrow", *(("SALib",) if kind == "sensitivity" else ()))
    from sim.sweep.drill import check_column

    manifest = sweep.read_manifest(target)
    params = [p["path"] for p in manifest["spec"]["parameters"]]
    for flag, name in (("--x", x), ("--y", y)):
        if name is not None:
            check_column(name, params, flag, "varied parameter")
    if kind == "sensitivity":
        method = manifest["spec"]["design"]["method"]
        if method not in ("sobol", "morris"):
            fail([Problem(str(target), "--kind", f"sensitivity needs a sobol or morris design, "
                          f"this sweep used {method}", "a sweep with design.method sobol or "
                          "morris")])
        result = sweep.analyze(target, method, output or "gov_released")
        for line in result["warnings"]:  # as parley analyze warns
            print(f"warning: {line}", file=sys.stderr)
        return plots.sensitivity(result, n=manifest["n_runs"]).figure
    runs = sweep.load(target, tables=["runs"]).runs
    if output is not None:
        check_column(output, sweep.outcome_columns(runs), "--output", "outcome")
    runs = runs[runs["status"] == "ok"]
    if kind == "phase":
        if len(params) < 2:
            fail([Problem(str(target), "--kind", "a phase diagram needs two varied parameters",
                          "a sweep over two parameters")])
        return plots.phase_diagram(runs, x or params[0], y or params[1],
                                   output or "pattern").figure
    if kind == "survival":
        return plots.survival_by(runs, x or params[0], output or "completion_day",
                                 manifest["days"], by=y)
    return plots.outcome_vs_parameter(runs, x or params[0], output or "gov_released",
                                      by=y).figure


DEFAULT_OUTPUT = {"sweep": "gov_released", "phase": "pattern", "survival": "completion_day",
                  "sensitivity": "gov_released"}
"""The outcome a sweep plot shows when --output is not given."""


def _examples(target, kind, x, y, output, k):
    """``k`` run ids a cell of a sweep plot (:func:`sim.sweep.drill.examples`)."""
    if not target.is_dir():
        fail([Problem("--examples", "examples", "names runs of a sweep",
                      "a sweep folder, or no --examples")])
    from sim import sweep
    from sim.sweep.drill import examples

    params = [p["path"] for p in sweep.read_manifest(target)["spec"]["parameters"]]
    runs = sweep.load(target, tables=["runs"]).runs
    runs = runs[runs["status"] == "ok"]
    by = {"phase": [x or params[0], y or params[1]], "sensitivity": []}.get(
        kind, [x or params[0], *([y] if y else [])])
    return examples(runs, [f"param:{p}" for p in by], output or DEFAULT_OUTPUT[kind], k)


def _print_examples(target, cells, output: str) -> None:
    """One line a cell: its values and its example runs, then how to rerun one."""
    from sim.sweep.drill import show_command

    if cells:
        out.print(f"example runs a cell, from lowest to highest {output}:", markup=False)
    for cell, ids in cells:
        where = ", ".join(f"{c.removeprefix('param:')}={v:g}" if isinstance(v, float)
                          else f"{c.removeprefix('param:')}={v}" for c, v in cell.items())
        out.print(f"{where or 'all runs'}: runs {', '.join(map(str, ids))}", markup=False)
    if cells:
        out.print(f"rerun one: {show_command(target, cells[0][1][0])}", markup=False)
