"""Every picture of Parley, with matplotlib only; readable in black and white.

``parley plot``, ``parley run --plot``, the notebooks and the dashboard all draw with the
functions of this module; none of them draws on its own. Pictures of runs, ensembles and
sweeps return the matplotlib object they drew on. The dashboard's panels (:func:`live_panels`,
:func:`odds_figure`, :func:`comparison_figure`) return a :class:`~matplotlib.figure.Figure`
built without pyplot, so nothing is left registered in a global figure manager between a
session's renders.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.agents.base import PHASE_CODES, Phase
from sim.events import EventKind
from sim.outcomes import bands_by_day
from sim.roleplay import Comparison, phase_label
from sim.ui.figures_runs import compare, distribution, history, survival, timeline
from sim.ui.figures_style import BLUE, GREEN, GREY, ORANGE, PURPLE, VERMILION, plain
from sim.ui.figures_sweep import outcome_vs_parameter, phase_diagram, sensitivity, survival_by

if TYPE_CHECKING:
    from sim.ensemble import Ensemble
    from sim.ui.app.state import Snapshot

# The kinds of ``parley plot`` live in figures_runs and figures_sweep; they are named here
# too, so that one import serves notebooks, the CLI and the dashboard.
__all__ = ["compare", "comparison_figure", "distribution", "history", "live_panels",
           "odds_figure", "outcome_vs_parameter", "phase_diagram", "phase_strip",
           "sensitivity", "survival", "survival_by", "timeline"]


DASHBOARD_WIDTH = 6.0  # inches: the dashboard's figures (text sizes: sim.ui.app.projector)


def _legend_above(ax, ncols: int = 2, **kwargs) -> None:
    """The axes' legend above it, outside the data, in rows of ``ncols``."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=ncols, borderaxespad=0.2,
              handlelength=2.0, columnspacing=1.0, **kwargs)


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
    # Days a name's width needs (0.6 em a letter, axes 0.8 of the figure): names never overlap.
    em_in = mpl.rcParams["font.size"] / 72
    days_per_inch = days / ax.figure.get_figwidth()
    for a, b in zip(starts, ends, strict=True):
        name = phase_label(list(Phase)[int(phase[a])])
        if b - a >= max(6, 0.6 * em_in * (len(name) + 2) * days_per_inch / 0.8):
            ax.text((day[a] + day[b - 1]) / 2, 0.5, name, ha="center", va="center",
                    clip_on=True, bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 1})
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
    fig = Figure(figsize=(DASHBOARD_WIDTH, 7.6), layout="constrained")
    axes = fig.subplots(5, 1, sharex=True, height_ratios=[2, 1.1, 1.1, 1.1, 0.45])
    top, mid, moods, press, strip = axes

    top.step(day, s["gov_released"], where="post", color=BLUE, lw=2,
             label=f"freed by the {plain(names.government)}")
    top.step(day, s["ins_released"], where="post", color=ORANGE, lw=2, ls="--",
             label=f"freed by the {plain(names.insurgent)}")
    _mark_events(top, snap, s["gov_released"])
    top.plot([], [], color=VERMILION, ls=":", label="walkout")
    top.plot([], [], marker="v", color=BLUE, ls="none", label="unilateral release")
    most = float(max(s["gov_released"].max(), s["ins_released"].max()))
    top.set_ylim(0, max(10.0, 1.1 * most))
    top.set_ylabel("prisoners freed\n(cumulative)")
    _legend_above(top)
    fig.suptitle(f"{plain(snap.scenario.meta.name)}, seed {snap.seed}: day {snap.day} of "
                 f"{snap.days}, talks {phase_label(snap.phase)}")

    mid.bar(day[1:], s["attacks"][1:], width=1.0, color=GREY)
    strikes = np.flatnonzero(s["airstrike"] > 0)
    mid.plot(day[strikes], s["attacks"][strikes], marker="x", color=VERMILION, ls="none")
    mid.set_ylim(bottom=0)
    mid.set_ylabel("violence\n(attacks)")
    # Proxies, so that the legend exists before the first day has any bar.
    _legend_above(mid, handles=[Patch(color=GREY, label="attacks a day"), Line2D(
        [], [], marker="x", color=VERMILION, ls="none", label="airstrike")])

    moods.plot(day, s["trust"], color=GREEN, lw=1.8, label=f"{plain(names.insurgent)} trust")
    moods.plot(day, s["frustration"], color=ORANGE, ls="-.", lw=1.8,
               label=f"{plain(names.insurgent)} frustration")
    moods.axhline(snap.patience, color=ORANGE, ls=":", lw=1,
                  label=f"patience ({snap.patience:g})")
    moods.set_ylabel("trust and\nfrustration")
    _legend_above(moods)

    press.plot(day, s["felt_pressure"], color=BLUE, lw=1.8,
               label=f"pressure felt by the {plain(names.government)}")
    press.plot(day, s["pressure_on_insurgent"], color=PURPLE, ls="--", lw=1.4,
               label=f"pressure on the {plain(names.insurgent)}")
    press.axhline(snap.goodwill_threshold, color=BLUE, ls=":", lw=1,
                  label=f"goodwill threshold now ({snap.goodwill_threshold:g})")
    press.set_ylabel("pressure")
    _legend_above(press, ncols=1)

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
    fig = Figure(figsize=(DASHBOARD_WIDTH, 8.8), layout="constrained")
    top, mid, low = fig.subplots(3, 1, height_ratios=[2, 1.2, 1.2])
    _band(top, s["gov_released"], BLUE, f"freed by the {plain(names.government)}")
    _band(top, s["ins_released"], ORANGE, f"freed by the {plain(names.insurgent)}")
    day = snap.series["day"]
    top.step(day, snap.series["gov_released"], where="post", color=BLUE, lw=2.4,
             label="this run")
    top.step(day, snap.series["ins_released"], where="post", color=ORANGE, lw=2.4, ls="-.",
             label="this run")
    top.axvline(snap.day, color="black", lw=0.8)
    top.set_ylabel("prisoners freed")
    top.set_xlabel("day")
    _legend_above(top, ncols=1)
    fig.suptitle(f"This run (seed {snap.seed}, day {snap.day}) against\n{len(ensemble.seeds)} "
                 f"runs of the same settings")

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
    _legend_above(mid, ncols=3)

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
        _legend_above(low, ncols=1)
    return fig


def comparison_figure(comparison: Comparison) -> Figure:
    """A student's outcomes (a line) over the agents' distribution (histograms)."""
    keys = [row for row in comparison.rows if row.key in comparison.agents][:6]
    fig = Figure(figsize=(DASHBOARD_WIDTH, 7.0), layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    for ax, row in zip(axes, keys, strict=False):
        values = np.asarray(comparison.agents[row.key], dtype=float)
        ax.hist(values, bins=min(20, max(3, len(set(values.tolist())))), color=GREY)
        ax.axvline(row.you, color=VERMILION, lw=2.5)
        ax.set_title(textwrap.fill(plain(row.label), 28))
        ax.set_yticks([])
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    # One line of text says what the red line is: a legend in each panel would cover bars.
    fig.suptitle(f"You (red line) as the {plain(comparison.seat_name)} against\n{comparison.runs} "
                 f"runs of the agents (grey), over {comparison.days} days")
    return fig
