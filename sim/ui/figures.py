"""Every picture of Parley, with matplotlib only; readable in black and white.

``parley plot``, ``parley run --plot``, the notebooks and the dashboard all draw with the
functions of this module; none of them draws on its own. Pictures of runs, ensembles and
sweeps return the matplotlib object they drew on. The dashboard's panels (:func:`live_panels`,
:func:`odds_figure`, :func:`comparison_figure`) return a :class:`~matplotlib.figure.Figure`
built without pyplot, so nothing is left registered in a global figure manager between a
session's renders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.agents.base import PHASE_CODES, Phase
from sim.events import EventKind
from sim.outcomes import band, bands_by_day
from sim.roleplay import Comparison, phase_label

if TYPE_CHECKING:
    from sim.ensemble import Ensemble
    from sim.runner import RunResult
    from sim.ui.app.state import Snapshot

# Okabe-Ito colours (colour-blind safe), paired with distinct line styles for grey print.
BLUE, ORANGE, GREEN, VERMILION, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#7F7F7F")


def _plain(text: str) -> str:
    """A user's text (a scenario or side name) shown as written, not read as mathtext."""
    return text.replace("$", r"\$")


def _shade_phases(ax, day: np.ndarray, phase: np.ndarray) -> None:
    styles = {PHASE_CODES[Phase.IN_SESSION]: ("#E8E8E8", None, "in session"),
              PHASE_CODES[Phase.SUSPENDED]: ("#FBEBDD", "///", "suspended")}
    for code, (colour, hatch, label) in styles.items():
        mask = phase == code
        if mask.any():
            ax.fill_between(day, 0, 1, where=mask, transform=ax.get_xaxis_transform(),
                            facecolor=colour, hatch=hatch, edgecolor="#C8A080", linewidth=0.0,
                            step="mid", label=label, zorder=0)


def timeline(result: RunResult, title: str | None = None) -> Figure:
    """Three panels of one run: releases with phases and markers, violence, and moods.

    Args:
        result: a finished run.
        title: figure title (default: scenario name and seed).
    """
    import matplotlib.pyplot as plt

    s = result.series
    names = result.scenario.meta.sides
    day, phase = s["day"], s["phase"]
    fig, (top, mid, bottom) = plt.subplots(3, 1, figsize=(10, 8), sharex=True,
                                           height_ratios=[2, 1, 1.2], layout="constrained")
    _shade_phases(top, day, phase)
    top.step(day, s["gov_released"], where="post", color=BLUE, lw=2,
             label=f"freed by {_plain(names.government)}")
    top.step(day, s["ins_released"], where="post", color=ORANGE, lw=2, ls="--",
             label=f"freed by {_plain(names.insurgent)}")
    for event in result.events:
        if event.kind == "walkout":
            top.axvline(event.day, color=VERMILION, ls=":", lw=1.5)
        elif event.kind == "unilateral_release":
            top.plot(event.day, s["gov_released"][event.day], marker="v", color=BLUE, ms=7,
                     ls="none")
    top.plot([], [], color=VERMILION, ls=":", label="walkout")
    top.plot([], [], marker="v", color=BLUE, ls="none", label="unilateral release")
    top.set_ylabel("prisoners freed (cumulative)")
    top.legend(loc="upper left", fontsize=8, ncols=2)

    mid.bar(day[1:], s["attacks"][1:], width=1.0, color=GREY, label="attacks a day")
    strikes = np.flatnonzero(s["airstrike"] > 0)
    if strikes.size:
        mid.plot(day[strikes], s["attacks"][strikes], marker="x", color=VERMILION, ls="none",
                 label="airstrike")
    mid.set_ylabel("attacks")
    mid.legend(loc="upper left", fontsize=8)

    bottom.plot(day, s["felt_pressure"], color=BLUE, lw=1.8,
                label=f"pressure felt by {_plain(names.government)}")
    bottom.plot(day, s["trust"], color=GREEN, ls="--", lw=1.8,
                label=f"{_plain(names.insurgent)} trust")
    bottom.plot(day, s["frustration"], color=ORANGE, ls="-.", lw=1.8,
                label=f"{_plain(names.insurgent)} frustration")
    bottom.set_ylabel("level")
    bottom.set_xlabel(f"day (0 = {result.scenario.meta.start_date.isoformat()})")
    bottom.legend(loc="upper left", fontsize=8, ncols=3)
    fig.suptitle(title or f"{_plain(result.scenario.meta.name)}, seed {result.seed}")
    return fig


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 4.5), layout="constrained")[1]


_MARKERS = {"reported_high": ("o", BLUE, "reported (high confidence)"),
            "reported_medium": ("s", GREEN, "reported (medium)"),
            "reported_low": ("^", VERMILION, "reported (low)"),
            "inferred": ("D", GREY, "inferred")}


def history(ensemble, reference, measure: str = "gov_released", ax=None, label: str | None = None):
    """Reported counts, marked by confidence, over the simulated median and 10-90% band.

    Args:
        ensemble: a :class:`sim.ensemble.Ensemble`.
        reference: :class:`sim.report.Reported` counts.
        measure: ``gov_released`` or ``ins_released``.
        ax: axes to draw on (default: a new figure).
        label: name of the measure in the legend.
    """
    ax = _axes(ax)
    runs = ensemble.series[measure]
    day = np.arange(runs.shape[1])
    p10, med, p90 = bands_by_day(runs)
    ax.fill_between(day, p10, p90, step="post", color=BLUE, alpha=0.25,
                    label="simulated 10-90%")
    ax.step(day, med, where="post", color=BLUE, lw=2, label="simulated median")
    shown = set()
    for rep in reference:
        if rep.measure != measure or rep.day > day[-1]:
            continue
        key = rep.confidence.split(" ")[0]
        marker, colour, text = _MARKERS.get(key, ("x", "black", key))
        ax.plot(rep.day, rep.value, marker=marker, color=colour, ms=8, ls="none",
                mfc="white" if key != "reported_high" else colour, mew=2,
                label=None if key in shown else text)
        shown.add(key)
    ax.set_xlabel("day")
    ax.set_ylabel(label or measure.replace("_", " "))
    ax.set_title(f"{_plain(ensemble.scenario.meta.name)}: {len(ensemble.seeds)} seeds "
                 "against reports")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def outcome_vs_parameter(runs, parameter: str, outcome: str, ax=None):
    """An outcome (median and 10-90% band over runs) against the values of one parameter.

    Args:
        runs: a sweep's runs table (``sim.sweep.load(DIR).runs``).
        parameter: the varied path (with or without the ``param:`` prefix).
        outcome: a column of the runs table.
        ax: axes to draw on.
    """
    ax = _axes(ax)
    col = parameter if parameter.startswith("param:") else f"param:{parameter}"
    values = runs[outcome].astype(float)
    grouped = values.groupby(runs[col])
    x = np.array(sorted(grouped.groups), dtype=float)
    stats = np.array([band(grouped.get_group(v)).p10_median_p90() for v in x])
    ax.fill_between(x, stats[:, 0], stats[:, 2], color=BLUE, alpha=0.25, label="10-90%")
    ax.plot(x, stats[:, 1], color=BLUE, marker="o", lw=2, label="median")
    ax.set_xlabel(col.removeprefix("param:"))
    ax.set_ylabel(outcome.replace("_", " "))
    ax.legend(fontsize=8)
    return ax


def phase_diagram(runs, x: str, y: str, outcome: str = "pattern", ax=None):
    """Mean of an outcome over a two-parameter grid, with each cell's value written in it.

    Args:
        runs: a sweep's runs table.
        x: varied path on the horizontal axis.
        y: varied path on the vertical axis.
        outcome: a column of the runs table (booleans give a probability).
        ax: axes to draw on.
    """
    import pandas as pd

    ax = _axes(ax)
    cx, cy = (p if p.startswith("param:") else f"param:{p}" for p in (x, y))
    flag = pd.api.types.is_bool_dtype(runs[outcome])  # bool, or nullable boolean in sweeps
    table = runs.assign(_y=runs[outcome].astype(float)).pivot_table(
        index=cy, columns=cx, values="_y", aggfunc="mean")
    image = ax.imshow(table.to_numpy(), origin="lower", cmap="viridis", aspect="auto",
                      vmin=0 if flag else None, vmax=1 if flag else None)
    ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center",
                color="white" if value < np.nanmean(table.to_numpy()) else "black", fontsize=9)
    ax.set_xlabel(cx.removeprefix("param:"))
    ax.set_ylabel(cy.removeprefix("param:"))
    label = f"P({outcome})" if flag else f"mean {outcome}"
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax


def distribution(values, label: str, ax=None, bins: int = 30):
    """Histogram of one outcome over runs (missing values counted in the title)."""
    ax = _axes(ax)
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    ax.hist(finite, bins=bins, color=BLUE, edgecolor="white")
    ax.set_xlabel(label.replace("_", " "))
    ax.set_ylabel("runs")
    ax.set_title(f"{label}: {finite.size} of {values.size} runs "
                 f"({values.size - finite.size} without)")
    return ax


def survival(groups: dict[str, np.ndarray], days: int, event: str = "completion", ax=None):
    """Share of runs where an event has not happened yet, by day (one curve per group).

    Args:
        groups: label → the event's day in each run (NaN where it never happened).
        days: last day of the runs.
        event: what the curves wait for, for the labels.
        ax: axes to draw on.
    """
    ax = _axes(ax)
    styles = [(BLUE, "-"), (ORANGE, "--"), (GREEN, "-."), (PURPLE, ":")]
    day = np.arange(days + 1)
    for (label, values), (colour, ls) in zip(groups.items(), styles * 4, strict=False):
        values = np.asarray(values, dtype=float)
        waiting = [(np.nan_to_num(values, nan=np.inf) > d).mean() for d in day]
        ax.step(day, waiting, where="post", color=colour, ls=ls, lw=2, label=_plain(label))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("day")
    ax.set_ylabel(f"share of runs without {event}")
    ax.legend(fontsize=8)
    return ax


def sensitivity(result: dict, ax=None):
    """Sensitivity indices as bars with confidence intervals (from ``sim.sweep.analyze``)."""
    ax = _axes(ax)
    rows = result["indices"]
    names = [r["parameter"] for r in rows]
    y = np.arange(len(rows))
    if result["method"] == "sobol":
        pairs = [("S1", BLUE, None, "first order S1"), ("ST", ORANGE, "//", "total ST")]
        height = 0.38
        for k, (key, colour, hatch, label) in enumerate(pairs):
            ax.barh(y + (k - 0.5) * height, [r[key] for r in rows], height,
                    xerr=[r[f"{key}_conf"] for r in rows], color=colour, hatch=hatch,
                    edgecolor="black", capsize=3, label=label)
        ax.set_xlabel("Sobol index (95% interval)")
    else:
        ax.barh(y, [r["mu_star"] for r in rows], 0.6, xerr=[r["mu_star_conf"] for r in rows],
                color=BLUE, edgecolor="black", capsize=3, label="μ*")
        ax.set_xlabel("Morris μ* (95% interval)")
    ax.set_yticks(y, names)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_title(f"sensitivity of {result['output']}")
    ax.legend(fontsize=8)
    return ax


def compare(ensembles: dict, outcomes: tuple[str, ...] = ("first_walkout_day",
                                                           "first_release_day_gov",
                                                           "gov_released", "ins_released")):
    """Two or more scenarios' distributions side by side, one panel per outcome.

    Args:
        ensembles: label → :class:`sim.ensemble.Ensemble`.
        outcomes: summary fields to compare.

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), 4),
                             layout="constrained", squeeze=False)
    labels = [_plain(label) for label in ensembles]
    hatches = [None, "//", "..", "xx"]
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        data = [e.values(outcome) for e in ensembles.values()]
        finite = [d[np.isfinite(d)] for d in data]
        box = ax.boxplot([f if f.size else [np.nan] for f in finite], patch_artist=True,
                         tick_labels=labels, widths=0.6)
        for patch, colour, hatch in zip(box["boxes"], (BLUE, ORANGE, GREEN, PURPLE), hatches,
                                        strict=False):
            patch.set(facecolor=colour, alpha=0.6, hatch=hatch)
        for i, (d, f) in enumerate(zip(data, finite, strict=True), start=1):
            if f.size < d.size:
                ax.annotate(f"{d.size - f.size} runs without", (i, 0), xycoords=("data",
                            "axes fraction"), ha="center", va="bottom", fontsize=7)
        ax.set_title(outcome.replace("_", " "), fontsize=10)
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    return fig


# The dashboard's panels


PHASE_STYLE = {
    Phase.PRE_TALKS: ("#F3F3F3", None),
    Phase.IN_SESSION: ("#BDBDBD", None),
    Phase.SUSPENDED: ("#F6C9A8", "///"),
    Phase.COMPLETED: ("#A6D9C8", ".."),
    Phase.COLLAPSED: ("#555555", "xx"),
}


def _mark_events(ax, snap: Snapshot, y: np.ndarray | None = None) -> None:
    for event in snap.events:
        if event.kind is EventKind.WALKOUT:
            ax.axvline(event.day, color=VERMILION, ls=":", lw=1.5)
        elif event.kind is EventKind.UNILATERAL_RELEASE and y is not None:
            ax.plot(event.day, y[event.day], marker="v", color=BLUE, ms=6, ls="none")


def phase_strip(ax, day: np.ndarray, phase: np.ndarray, days: int) -> None:
    """Colour each day by the phase of the talks and name each long enough stretch."""
    for p in Phase:
        mask = phase == PHASE_CODES[p]
        if mask.any():
            colour, hatch = PHASE_STYLE[p]
            ax.fill_between(day, 0, 1, where=mask, step="mid", facecolor=colour, hatch=hatch,
                            edgecolor="#8C6D52", linewidth=0.0)
    starts = np.flatnonzero(np.r_[True, phase[1:] != phase[:-1]])
    ends = np.r_[starts[1:], phase.size]
    for a, b in zip(starts, ends, strict=True):
        if b - a >= max(6, days // 25):
            name = phase_label(list(Phase)[int(phase[a])])
            ax.text((day[a] + day[b - 1]) / 2, 0.5, name, ha="center", va="center",
                    fontsize=8, bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 1})
    ax.set_xlim(0, days)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_ylabel("talks", rotation=0, ha="right", va="center")


def live_panels(snap: Snapshot) -> Figure:
    """The live run: releases, violence, trust and frustration, felt pressure, phases.

    The x axis spans the whole run, so the curves grow to the right day by day.
    """
    s = snap.series
    names = snap.scenario.meta.sides
    day = s["day"]
    fig = Figure(figsize=(11, 8.6), dpi=80, layout="constrained")
    axes = fig.subplots(5, 1, sharex=True, height_ratios=[2, 1.1, 1.1, 1.1, 0.4])
    top, mid, moods, press, strip = axes

    top.step(day, s["gov_released"], where="post", color=BLUE, lw=2,
             label=f"freed by the {_plain(names.government)}")
    top.step(day, s["ins_released"], where="post", color=ORANGE, lw=2, ls="--",
             label=f"freed by the {_plain(names.insurgent)}")
    _mark_events(top, snap, s["gov_released"])
    top.plot([], [], color=VERMILION, ls=":", label="walkout")
    top.plot([], [], marker="v", color=BLUE, ls="none", label="unilateral release")
    most = float(max(s["gov_released"].max(), s["ins_released"].max()))
    top.set_ylim(0, max(10.0, 1.1 * most))
    top.set_ylabel("prisoners freed\n(cumulative)")
    top.legend(loc="upper left", fontsize=8, ncols=2)
    top.set_title(f"{_plain(snap.scenario.meta.name)}, seed {snap.seed}: day {snap.day} of "
                  f"{snap.days}"
                  f" ({snap.date.isoformat()}), talks {phase_label(snap.phase)}", fontsize=11)

    mid.bar(day[1:], s["attacks"][1:], width=1.0, color=GREY)
    strikes = np.flatnonzero(s["airstrike"] > 0)
    mid.plot(day[strikes], s["attacks"][strikes], marker="x", color=VERMILION, ls="none")
    mid.set_ylim(bottom=0)
    mid.set_ylabel("violence\n(attacks)")
    # Proxies, so that the legend exists before the first day has any bar.
    mid.legend(handles=[Patch(color=GREY, label="attacks a day"),
                        Line2D([], [], marker="x", color=VERMILION, ls="none",
                               label="airstrike")], loc="upper left", fontsize=8, ncols=2)

    moods.plot(day, s["trust"], color=GREEN, lw=1.8, label=f"{_plain(names.insurgent)} trust")
    moods.plot(day, s["frustration"], color=ORANGE, ls="-.", lw=1.8,
               label=f"{_plain(names.insurgent)} frustration")
    moods.axhline(snap.patience, color=ORANGE, ls=":", lw=1,
                  label=f"patience ({snap.patience:g})")
    moods.set_ylabel("trust and\nfrustration")
    moods.legend(loc="upper left", fontsize=8, ncols=3)

    press.plot(day, s["felt_pressure"], color=BLUE, lw=1.8,
               label=f"pressure felt by the {_plain(names.government)}")
    press.plot(day, s["pressure_on_insurgent"], color=PURPLE, ls="--", lw=1.4,
               label=f"pressure on the {_plain(names.insurgent)}")
    press.axhline(snap.goodwill_threshold, color=BLUE, ls=":", lw=1,
                  label=f"goodwill threshold now ({snap.goodwill_threshold:g})")
    press.set_ylabel("pressure")
    press.legend(loc="upper left", fontsize=8, ncols=3)

    phase_strip(strip, day, s["phase"], snap.days)
    strip.set_xlabel(f"day (0 = {snap.scenario.meta.start_date.isoformat()})")
    for ax in axes[:-1]:
        ax.grid(axis="y", color="#EEEEEE")
    return fig


def _band(ax, runs: np.ndarray, colour: str, label: str) -> None:
    x = np.arange(runs.shape[1])
    p10, med, p90 = bands_by_day(runs)
    ax.fill_between(x, p10, p90, color=colour, alpha=0.2, lw=0, label=f"{label}: 10-90% of runs")
    ax.plot(x, med, color=colour, lw=1, ls="--", label=f"{label}: median run")


def _trailing_mean(values: np.ndarray, width: int = 7) -> np.ndarray:
    """Mean of each day and the ``width - 1`` days before it (fewer at the start)."""
    values = np.atleast_2d(values).astype(float)
    total = np.cumsum(values, axis=1)
    shifted = np.zeros_like(total)
    shifted[:, width:] = total[:, :-width]
    counts = np.minimum(np.arange(1, values.shape[1] + 1), width)
    return (total - shifted) / counts


def odds_figure(ensemble: Ensemble, snap: Snapshot) -> Figure:
    """The current run drawn over the distribution of many seeds of the same settings."""
    names = snap.scenario.meta.sides
    s = ensemble.series
    fig = Figure(figsize=(9.5, 7.2), dpi=80, layout="constrained")
    top, mid, low = fig.subplots(3, 1, height_ratios=[2, 1.2, 1.2])
    _band(top, s["gov_released"], BLUE, f"freed by the {_plain(names.government)}")
    _band(top, s["ins_released"], ORANGE, f"freed by the {_plain(names.insurgent)}")
    day = snap.series["day"]
    top.step(day, snap.series["gov_released"], where="post", color=BLUE, lw=2.4,
             label="this run")
    top.step(day, snap.series["ins_released"], where="post", color=ORANGE, lw=2.4, ls="-.",
             label="this run")
    top.axvline(snap.day, color="black", lw=0.8)
    top.set_ylabel("prisoners freed")
    top.set_xlabel("day")
    top.legend(loc="upper left", fontsize=8, ncols=3)
    top.set_title(f"This run (seed {snap.seed}, day {snap.day}) against {len(ensemble.seeds)} "
                  f"runs of the same settings", fontsize=11)

    attacks = _trailing_mean(s["attacks"][:, 1:])
    x = np.arange(1, attacks.shape[1] + 1)
    p10, med, p90 = bands_by_day(attacks)
    mid.fill_between(x, p10, p90, color=GREY, alpha=0.3, lw=0, label="10-90% of runs")
    mid.plot(x, med, color=GREY, ls="--", lw=1, label="median run")
    if snap.day >= 1:
        mid.plot(day[1:], _trailing_mean(snap.series["attacks"][1:])[0], color=VERMILION, lw=2,
                 label="this run")
    mid.set_ylabel("attacks a day\n(past 7 days)")
    mid.set_xlabel("day")
    mid.legend(loc="upper left", fontsize=8, ncols=3)

    walkouts = ensemble.values("first_walkout_day")
    found = walkouts[np.isfinite(walkouts)]
    if found.size:
        low.hist(found, bins=np.arange(0, ensemble.scenario.run.days + 2, 2), color=GREY,
                 label=f"first walkout day ({found.size} of {walkouts.size} runs)")
    mine = snap.first_day(EventKind.WALKOUT)
    if mine is not None:
        low.axvline(mine, color=VERMILION, lw=2, label=f"this run: day {mine}")
    if not found.size and mine is None:
        low.text(0.5, 0.5, "no walkout in any run", transform=low.transAxes, ha="center")
    low.set_xlim(0, ensemble.scenario.run.days)
    low.set_ylabel("runs")
    low.set_xlabel("day of the first walkout")
    if found.size or mine is not None:
        low.legend(loc="upper right", fontsize=8)
    return fig


def comparison_figure(comparison: Comparison) -> Figure:
    """A student's outcomes (a line) over the agents' distribution (histograms)."""
    keys = [row for row in comparison.rows if row.key in comparison.agents][:6]
    fig = Figure(figsize=(9.5, 4.6), dpi=80, layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, row in zip(axes, keys, strict=False):
        values = np.asarray(comparison.agents[row.key], dtype=float)
        ax.hist(values, bins=min(20, max(3, len(set(values.tolist())))), color=GREY)
        ax.axvline(row.you, color=VERMILION, lw=2.5, label="you")
        ax.set_title(_plain(row.label), fontsize=9)
        ax.set_yticks([])
        ax.legend(fontsize=8, loc="upper right")
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    fig.suptitle(f"You as the {_plain(comparison.seat_name)} against {comparison.runs} runs of the "
                 f"agents (grey), over {comparison.days} days", fontsize=11)
    return fig
