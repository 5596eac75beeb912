"""Pictures of one run and of a scenario's ensemble.

The timeline, the history against reports, an outcome's distribution, the time to an event,
and scenarios compared. Each has a title, axes labelled with units, and "n = ..." where it
summarises runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.base import PHASE_CODES, Phase
from sim.outcomes import bands_by_day
from sim.ui.figures_style import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    VERMILION,
    event_name,
    new_axes,
    output_label,
    output_unit,
    plain,
    runs_text,
    title,
)
from sim.ui.figures_sweep import survival_curves

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.runner import RunResult
    from sim.scenario import Scenario

NEGATIVE_PRESSURE = ("below 0: domestic opposition outweighs the mediator's and the\n"
                     "humanitarian push, and the government holds back")
"""What a negative felt pressure means, shown beside the timeline's pressure panel."""


def _shade_phases(ax, day: np.ndarray, phase: np.ndarray) -> None:
    styles = {PHASE_CODES[Phase.IN_SESSION]: ("#E8E8E8", None, "in session"),
              PHASE_CODES[Phase.SUSPENDED]: ("#FBEBDD", "///", "suspended")}
    for code, (colour, hatch, label) in styles.items():
        mask = phase == code
        if mask.any():
            ax.fill_between(day, 0, 1, where=mask, transform=ax.get_xaxis_transform(),
                            facecolor=colour, hatch=hatch, edgecolor="#C8A080", linewidth=0.0,
                            step="mid", label=label, zorder=0)


def parameter_by_day(scenario: Scenario, path: str, days: int) -> np.ndarray:
    """A parameter's value on each day 0..days, as the scenario's shocks set it."""
    def value(s: Scenario) -> float:
        section, name = path.split(".")
        return float(getattr(getattr(s, section), name))

    out = np.full(days + 1, value(scenario))
    for shock, regime in scenario.regimes:
        if shock.day <= days:
            out[shock.day:] = value(regime)
    return out


def _legend_beside(ax) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def timeline(result: RunResult, title: str | None = None) -> Figure:
    """Four panels of one run, with the thresholds that explain its decisions.

    Releases with phases and markers; violence; the insurgent's trust and frustration against
    its patience; the government's felt pressure against its goodwill threshold (both
    thresholds as the shocks set them, day by day), with what a negative pressure means.

    Args:
        result: a finished run.
        title: figure title (default: scenario name and seed).
    """
    import matplotlib.pyplot as plt

    s = result.series
    spec = result.scenario
    names = spec.meta.sides
    day, phase = s["day"], s["phase"]
    fig, (top, mid, moods, press) = plt.subplots(
        4, 1, figsize=(11, 9), sharex=True, height_ratios=[2, 1, 1.2, 1.2], layout="constrained")
    _shade_phases(top, day, phase)
    top.step(day, s["gov_released"], where="post", color=BLUE, lw=2,
             label=f"freed by {plain(names.government)}")
    top.step(day, s["ins_released"], where="post", color=ORANGE, lw=2, ls="--",
             label=f"freed by {plain(names.insurgent)}")
    for event in result.events:
        if event.kind == "walkout":
            top.axvline(event.day, color=VERMILION, ls=":", lw=1.5)
        elif event.kind == "unilateral_release":
            top.plot(event.day, s["gov_released"][event.day], marker="v", color=BLUE, ms=7,
                     ls="none")
    top.plot([], [], color=VERMILION, ls=":", label="walkout")
    top.plot([], [], marker="v", color=BLUE, ls="none", label="unilateral release")
    top.set_ylabel("prisoners freed\n(cumulative, prisoners)")
    _legend_beside(top)

    mid.bar(day[1:], s["attacks"][1:], width=1.0, color=GREY, label="attacks a day")
    strikes = np.flatnonzero(s["airstrike"] > 0)
    if strikes.size:
        mid.plot(day[strikes], s["attacks"][strikes], marker="x", color=VERMILION, ls="none",
                 label="airstrike")
    mid.set_ylabel("violence\n(attacks/day)")
    _legend_beside(mid)

    last = int(day[-1])
    moods.plot(day, s["trust"], color=GREEN, ls="--", lw=1.8,
               label=f"{plain(names.insurgent)} trust")
    moods.plot(day, s["frustration"], color=ORANGE, ls="-.", lw=1.8,
               label=f"{plain(names.insurgent)} frustration")
    moods.step(day, parameter_by_day(spec, "insurgent.patience", last), where="post",
               color=ORANGE, ls=":", lw=1.2, label="patience: walkout above it")
    moods.set_ylabel("trust, frustration\n(level)")
    _legend_beside(moods)

    press.plot(day, s["felt_pressure"], color=BLUE, lw=1.8,
               label=f"pressure felt by {plain(names.government)}")
    press.step(day, parameter_by_day(spec, "government.goodwill_threshold", last),
               where="post", color=BLUE, ls=":", lw=1.2,
               label="goodwill threshold: above it,\na stalled government releases on its own")
    press.axhline(0, color="black", lw=0.6)
    press.plot([], [], ls="none", label=NEGATIVE_PRESSURE)
    press.set_ylabel("felt pressure\n(pressure)")
    press.set_xlabel(f"day (0 = {spec.meta.start_date.isoformat()})")
    _legend_beside(press)
    fig.suptitle(title or f"{plain(spec.meta.name)}, seed {result.seed}")
    return fig


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
        label: name of the measure for the y axis (its unit is added).
    """
    ax = new_axes(ax)
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
    ax.set_xlabel(f"day (0 = {ensemble.scenario.meta.start_date.isoformat()})")
    unit = output_unit(measure)
    ax.set_ylabel(f"{label} ({unit})" if label else output_label(measure))
    title(ax, f"{plain(ensemble.scenario.meta.name)}: simulated against reported",
          runs_text(len(ensemble.seeds), " (seeds of the scenario)"))
    ax.legend(loc="upper left", fontsize=8)
    return ax


def distribution(values, label: str, ax=None, bins: int = 30):
    """Histogram of one outcome over runs (missing values counted in the title)."""
    ax = new_axes(ax)
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    ax.hist(finite, bins=bins, color=BLUE, edgecolor="white")
    ax.set_xlabel(output_label(label))
    ax.set_ylabel("runs")
    title(ax, f"Distribution of {output_label(label)}",
          f"{runs_text(values.size)}: {finite.size} of {values.size} runs "
          f"({values.size - finite.size} without)")
    return ax


def survival(groups: dict, days: int, event: str = "completion_day", ax=None):
    """The Kaplan-Meier share of runs still waiting for an event, by day (one curve per group).

    Args:
        groups: label → the event's day in each run (NaN where it never happened), or
            ``(event days, each run's last day)`` when runs end on different days. A run
            without the event is censored at its last day (``days`` by default).
        days: last day of the runs.
        event: the day field the curves wait for (``completion_day``), for the labels.
        ax: axes to draw on.
    """
    ax = new_axes(ax)
    pairs = {k: v if isinstance(v, tuple) else (v, days) for k, v in groups.items()}
    survival_curves(ax, pairs, days)
    n = sum(np.size(v[0]) for v in pairs.values())
    ax.set_ylabel("share of runs still waiting")
    title(ax, f"Time until {event_name(event)}",
          f"{runs_text(n)}; Kaplan-Meier, runs without it censored at their last day",
          "shade: 95% interval")
    return ax


def compare(ensembles: dict, outcomes: tuple[str, ...] = ("first_walkout_day",
                                                           "first_release_day_gov",
                                                           "gov_released", "ins_released")):
    """Two or more scenarios' distributions side by side, one panel per outcome.

    Each box's label says how many runs it holds: runs without a value (an event that never
    happened) are left out of the box and counted under it.

    Args:
        ensembles: label → :class:`sim.ensemble.Ensemble`.
        outcomes: summary fields to compare.

    Returns:
        The figure.
    """
    import textwrap

    import matplotlib.pyplot as plt

    width = max(3.2, 1.3 * len(ensembles))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(width * len(outcomes), 4.6),
                             layout="constrained", squeeze=False)
    names = ["\n".join(textwrap.wrap(plain(label), 16)) for label in ensembles]
    hatches = [None, "//", "..", "xx"]
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        data = [e.values(outcome) for e in ensembles.values()]
        finite = [d[np.isfinite(d)] for d in data]
        labels = [f"{name}\nn = {f.size}" + (f" of {d.size}" if f.size < d.size else "")
                  for name, d, f in zip(names, data, finite, strict=True)]
        box = ax.boxplot([f if f.size else [np.nan] for f in finite], patch_artist=True,
                         tick_labels=labels, widths=0.6, medianprops={"color": "black",
                                                                      "lw": 2})
        for patch, colour, hatch in zip(box["boxes"], (BLUE, ORANGE, GREEN, PURPLE), hatches,
                                        strict=False):
            patch.set(facecolor=colour, alpha=0.6, hatch=hatch)
        ax.set_title(_panel_title(outcome), fontsize=9)
        ax.set_ylabel(output_unit(outcome) or "value")
        ax.tick_params(axis="x", labelsize=8)
    runs = {len(e.seeds) for e in ensembles.values()}
    fig.suptitle(f"{' against '.join(plain(k) for k in ensembles)}: "
                 f"{runs_text(min(runs))}{' each' if len(runs) == 1 else ' or more'}; boxes: "
                 "quartiles, whiskers 1.5 IQR; n under a box = runs with a value", fontsize=10)
    return fig


def _panel_title(outcome: str) -> str:
    """A panel title: the output's meaning, wrapped to a panel's width."""
    import textwrap

    from sim.outputs import COLUMN, FIELD

    out = FIELD.get(outcome) or COLUMN.get(outcome)
    return "\n".join(textwrap.wrap(out.meaning if out else outcome.replace("_", " "), 30))
