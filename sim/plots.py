"""Pictures of outcomes, with matplotlib only; readable in black and white.

Each function takes data and returns the matplotlib object it drew on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.base import PHASE_CODES, Phase

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.runner import RunResult

# Okabe-Ito colours (colour-blind safe), paired with distinct line styles for grey print.
BLUE, ORANGE, GREEN, VERMILION, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#7F7F7F")


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
             label=f"freed by {names.government}")
    top.step(day, s["ins_released"], where="post", color=ORANGE, lw=2, ls="--",
             label=f"freed by {names.insurgent}")
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
                label=f"pressure felt by {names.government}")
    bottom.plot(day, s["trust"], color=GREEN, ls="--", lw=1.8, label=f"{names.insurgent} trust")
    bottom.plot(day, s["frustration"], color=ORANGE, ls="-.", lw=1.8,
                label=f"{names.insurgent} frustration")
    bottom.set_ylabel("level")
    bottom.set_xlabel(f"day (0 = {result.scenario.meta.start_date.isoformat()})")
    bottom.legend(loc="upper left", fontsize=8, ncols=3)
    fig.suptitle(title or f"{result.scenario.meta.name}, seed {result.seed}")
    return fig
