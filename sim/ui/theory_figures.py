"""Closed forms drawn on the distributions of the runs (:mod:`sim.theory_runs`)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from sim.ui.figures import BLUE, GREY, VERMILION

if TYPE_CHECKING:
    from sim.theory_runs import Beside

THEORY_COLOUR = VERMILION
AS_IS_COLOUR = GREY


def mark_theory(ax, value: float | None, label: str = "closed form") -> None:
    """A vertical line at the theory's figure on a histogram or timeline (none for never)."""
    if value is None:
        ax.text(0.98, 0.95, f"{label}: never", transform=ax.transAxes, ha="right", va="top",
                color=THEORY_COLOUR)
        return
    ax.axvline(value, color=THEORY_COLOUR, linestyle="--", linewidth=1.5,
               label=f"{label}: {value:.4g}")


def beside_panel(ax, row: Beside) -> None:
    """One theory: the runs of its configuration, the scenario as it is, and the closed form."""
    theory = row.simulated[np.isfinite(row.simulated)]
    as_is = row.scenario_values[np.isfinite(row.scenario_values)]
    seen = np.concatenate([theory, as_is]) if (theory.size or as_is.size) else np.zeros(1)
    lo, hi = float(seen.min()), float(seen.max())
    bins = np.arange(np.floor(lo) - 0.5, np.ceil(hi) + 1.5, max(1.0, np.ceil((hi - lo) / 40)))
    if as_is.size:
        ax.hist(as_is, bins=bins, color=AS_IS_COLOUR, alpha=0.5, label="scenario as it is")
    if theory.size:
        ax.hist(theory, bins=bins, color=BLUE, alpha=0.8, label="theory configuration")
    if row.pmf is not None:  # the theory's whole distribution, scaled to the runs
        n = np.arange(1, row.pmf.size + 1)
        keep = n <= hi + 1
        ax.step(n[keep], row.pmf[keep] * row.simulated.size, where="mid",
                color=THEORY_COLOUR, linewidth=1, label="closed-form distribution")
    mark_theory(ax, row.closed_form, "closed form (mean)" if row.pmf is not None
                else "closed form")
    ax.set_xlabel(textwrap.fill(f"{row.quantity} ({row.unit})", 45), fontsize=9)
    ax.set_ylabel("runs")
    verdict = "agrees" if row.agrees else "differs"
    ax.set_title(f"{row.theory.value}: {verdict} ({textwrap.shorten(row.tolerance, 40)})",
                 fontsize=9)
    ax.legend(fontsize=7)


def theory_figure(rows: Sequence[Beside], title: str | None = None) -> Figure:
    """A panel per closed form, beside the runs (see :func:`beside_panel`)."""
    fig = Figure(figsize=(4.2 * len(rows), 3.6), layout="constrained")
    axes = fig.subplots(1, len(rows), squeeze=False)[0]
    for ax, row in zip(axes, rows, strict=True):
        beside_panel(ax, row)
    if title:
        fig.suptitle(title)
    return fig
