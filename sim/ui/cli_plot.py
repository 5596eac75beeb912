"""``parley plot``: a picture of a run, a sweep or a scenario's ensemble (:mod:`sim.ui.figures`)."""

from __future__ import annotations

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
    y: Annotated[str | None, typer.Option(help="parameter on the y axis (phase)")] = None,
    output: Annotated[str | None, typer.Option(help="outcome to show (sweeps)")] = None,
    measure: Annotated[str, typer.Option(help="gov_released or ins_released (history)")]
    = "gov_released",
    against: Annotated[Path | None, typer.Option(
        help="second scenario file or name (compare)", callback=find_file)] = None,
) -> None:
    """Draw a picture of a run, a sweep or a scenario's ensemble."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.ui import figures as plots

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
    except ParleyError as exc:
        fail(exc.problems)
    save_figure(fig, out_file)
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

    need("a plot of a sweep", "pyarrow", *(("SALib",) if kind == "sensitivity" else ()))
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
