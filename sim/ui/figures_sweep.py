"""Pictures of a sweep's runs table.

An outcome against a parameter, a phase diagram, the time to an event by parameter value, and
sensitivity indices.
A 0/1 outcome (``pattern``) is drawn as the share of runs that show it, with a Wilson 95%
interval (:func:`sim.outcomes.share`), never as a median. Every varied parameter a picture
does not show is named in its title as pooled over; a second parameter with few values gets
its own line (``sweep``) or panel (``survival``) instead.
"""

from __future__ import annotations

import numpy as np

from sim.outcomes import as_floats, band, kaplan_meier, share
from sim.ui.figures_style import (
    BLUE,
    ORANGE,
    STYLES,
    event_name,
    is_flag,
    new_axes,
    output_label,
    parameter_label,
    plain,
    pooled_note,
    runs_text,
    title,
)

MAX_LINES = 5
"""A second varied parameter with at most this many values gets one line (or panel) each."""

MAX_POINTS = 12
"""A parameter with more distinct values than this (a Latin hypercube, a Sobol design) is
shown in :data:`BINS` bins of equal numbers of runs."""

BINS = 8


def column(path: str) -> str:
    """The runs table's column of a varied parameter (``param:`` + path)."""
    return path if path.startswith("param:") else f"param:{path}"


def _other(runs, shown: list[str]) -> str | None:
    """The one other varied parameter with few values, to draw by line or by panel."""
    others = [c for c in runs.columns if c.startswith("param:") and c not in shown
              and runs[c].nunique() > 1]
    if len(others) == 1 and runs[others[0]].nunique() <= MAX_LINES:
        return others[0]
    return None


def _binned(x):
    """``x`` as it is, or each value replaced by the median of its bin, and a note saying so."""
    if x.nunique() <= MAX_POINTS:
        return x, ""
    import pandas as pd

    bins = pd.qcut(x, BINS, duplicates="drop")
    return x.groupby(bins, observed=True).transform("median"), (
        f"{x.name.removeprefix('param:')} in {bins.cat.categories.size} bins of equal runs, "
        "each at its median")


def _summarise(values, flag: bool) -> tuple[float, float, float]:
    """(low, middle, high): a share and its Wilson 95% interval, or a 10-50-90% band."""
    if flag:
        s = share(values)
        return s.low, s.share, s.high
    b = band(values)
    return (np.nan, np.nan, np.nan) if b.median is None else (b.p10, b.median, b.p90)


def outcome_vs_parameter(runs, parameter: str, outcome: str, ax=None, by: str | None = None):
    """An outcome against the values of one parameter, one line per value of ``by``.

    A 0/1 outcome is drawn as the share of runs with it and a Wilson 95% interval; any other
    as the median and the 10-90% band of runs. ``by`` defaults to the one other varied
    parameter when it has at most :data:`MAX_LINES` values; every varied parameter neither on
    the x axis nor ``by`` is named as pooled over in the title.

    Args:
        runs: a sweep's runs table (``sim.sweep.load(DIR).runs``).
        parameter: the varied path (with or without the ``param:`` prefix).
        outcome: a column of the runs table.
        ax: axes to draw on.
        by: a second varied path, one line per value.
    """
    ax = new_axes(ax)
    col = column(parameter)
    by = column(by) if by else _other(runs, [col])
    flag = is_flag(outcome, runs[outcome])
    x_all, binned = _binned(runs[col].astype(float))
    groups = runs.groupby(runs[by]) if by else [(None, runs)]
    for k, (level, group) in enumerate(groups):
        colour, ls, marker = STYLES[k % len(STYLES)]
        grouped = as_floats(group[outcome])
        xs = x_all.loc[group.index]
        x = np.array(sorted(xs.unique()), dtype=float)
        stats = np.array([_summarise(grouped[(xs == v).to_numpy()], flag) for v in x])
        name = "all runs" if by is None else f"{by.removeprefix('param:')} = {level:g}"
        ax.fill_between(x, stats[:, 0], stats[:, 2], color=colour, alpha=0.18, lw=0)
        ax.plot(x, stats[:, 0], color=colour, ls=ls, lw=0.8, gid=f"low {name}")
        ax.plot(x, stats[:, 2], color=colour, ls=ls, lw=0.8, gid=f"high {name}")
        ax.plot(x, stats[:, 1], color=colour, ls=ls, marker=marker, lw=2, gid=name,
                label=name if by is None else f"{level:g}")
    ax.set_xlabel(parameter_label(col))
    if flag:
        ax.set_ylabel(f"share of runs with {output_label(outcome)}")
        ax.set_ylim(-0.02, 1.02)
        band_note = "lines: share of runs; thin lines and shade: Wilson 95% interval"
    else:
        ax.set_ylabel(output_label(outcome))
        band_note = "lines: median run; thin lines and shade: 10-90% of runs"
        missing = int((~np.isfinite(as_floats(runs[outcome]))).sum())
        if missing:
            band_note += f"; {missing} runs without a value left out"
    per = runs.groupby([col, by] if by else col).size()
    each = f", {per.min()}" + (f"-{per.max()}" if per.min() != per.max() else "") + " a point"
    title(ax, f"{'Share of runs with ' if flag else ''}{output_label(outcome)} by "
          f"{col.removeprefix('param:')}",
          runs_text(len(runs), "" if binned else each), band_note,
          pooled_note(runs, [col, by] if by else [col]), binned)
    # Beside the axes, so that it never covers a line or a band.
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              title=by.removeprefix("param:") if by else None, title_fontsize=8)
    return ax


def phase_diagram(runs, x: str, y: str, outcome: str = "pattern", ax=None):
    """Mean of an outcome over a two-parameter grid, each cell's value written in it.

    A 0/1 outcome's mean is the share of runs with it.

    Args:
        runs: a sweep's runs table.
        x: varied path on the horizontal axis.
        y: varied path on the vertical axis.
        outcome: a column of the runs table.
        ax: axes to draw on.
    """
    ax = new_axes(ax)
    cx, cy = column(x), column(y)
    flag = is_flag(outcome, runs[outcome])
    table = runs.assign(_y=as_floats(runs[outcome])).pivot_table(
        index=cy, columns=cx, values="_y", aggfunc="mean")
    cells = table.to_numpy()
    image = ax.imshow(cells, origin="lower", cmap="viridis", aspect="auto",
                      vmin=0 if flag else None, vmax=1 if flag else None)
    ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
    # Dark cells (low on viridis) get white text; the cut is the colour scale's middle.
    lo, hi = image.get_clim()
    for (i, j), value in np.ndenumerate(cells):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9,
                color="white" if value < (lo + hi) / 2 else "black")
    ax.set_xlabel(parameter_label(cx))
    ax.set_ylabel(parameter_label(cy))
    label = (f"share of runs with {output_label(outcome)}" if flag
             else f"mean {output_label(outcome)}")
    ax.figure.colorbar(image, ax=ax, label=label)
    per = runs.groupby([cx, cy]).size()
    title(ax, f"{label[0].upper()}{label[1:]} over {cx.removeprefix('param:')} and "
          f"{cy.removeprefix('param:')}",
          runs_text(len(runs), f", {per.min()}" + (f"-{per.max()}" if per.min() != per.max()
                                                  else "") + " a cell"),
          pooled_note(runs, [cx, cy]))
    return ax


def survival_by(runs, parameter: str, event: str, days: int, by: str | None = None):
    """The Kaplan-Meier share of runs still waiting for an event, by parameter value.

    One curve per value of ``parameter``, one panel per value of ``by``.
    Runs without the event are censored at their last day (the runs table's ``days``).
    ``by`` defaults to the one other varied parameter when it has at most :data:`MAX_LINES`
    values; others are named as pooled over.

    Args:
        runs: a sweep's runs table.
        parameter: varied path, one curve per value (binned when it has many values).
        event: a day column of the runs table (``completion_day``).
        days: the sweep's days (the x axis ends there).
        by: a second varied path, one panel per value.

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    col = column(parameter)
    by = column(by) if by else _other(runs, [col])
    panels = list(runs.groupby(by)) if by else [(None, runs)]
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels) + 1, 16), 4.6),
                             layout="constrained", sharey=True, squeeze=False)
    x, binned = _binned(runs[col].astype(float))
    ends = runs.get("days", days)
    for ax, (level, panel) in zip(axes[0], panels, strict=True):
        groups = {f"{v:g}": panel[x.loc[panel.index] == v]
                  for v in sorted(x.loc[panel.index].unique())}
        survival_curves(ax, {k: (g[event], ends if np.isscalar(ends) else ends.loc[g.index])
                             for k, g in groups.items()}, days,
                        legend_title=col.removeprefix("param:"))
        if by is not None:
            ax.set_title(f"{by.removeprefix('param:')} = {level:g} "
                         f"({runs_text(len(panel))})", fontsize=9)
    axes[0][0].set_ylabel("share of runs still waiting")
    fig.suptitle(f"Time until {event_name(event)}"
                 f" by {col.removeprefix('param:')}; {runs_text(len(runs))}\n"
                 "Kaplan-Meier, runs without the event censored at their last day; "
                 "shade: 95% interval" + "".join(
                     f"\n{n}" for n in (pooled_note(runs, [col] + ([by] if by else [])),
                                        binned) if n), fontsize=10)
    return fig


def survival_curves(ax, groups: dict, days: int, legend_title: str | None = None) -> None:
    """Draw one Kaplan-Meier curve with its 95% band per group on ``ax``.

    Args:
        ax: axes to draw on.
        groups: label → ``(event days, last days)``: the event's day in each run (NaN where
            it never happened) and each run's last day (one number for all runs, or one a
            run).
        days: the x axis ends there.
        legend_title: what the groups' labels are values of.
    """
    for k, (label, (when, ends)) in enumerate(groups.items()):
        colour, ls, _ = STYLES[k % len(STYLES)]
        km = kaplan_meier(when, ends, days)
        ax.fill_between(km.day, km.low, km.high, step="post", color=colour, alpha=0.15, lw=0)
        ax.step(km.day, km.share, where="post", color=colour, ls=ls, lw=2,
                label=f"{plain(label)} ({km.events} of {km.n} runs with it)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(0, days)
    ax.set_xlabel("day")
    # Below the axes, so that it never covers a curve.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False,
              ncols=1 if len(groups) < 3 else 2, title=legend_title, title_fontsize=8)


def sensitivity(result: dict, ax=None, n: int | None = None):
    """Sensitivity indices as bars with 95% intervals (from ``sim.sweep.analyze``).

    Args:
        result: the analysis.
        ax: axes to draw on.
        n: runs the analysis rests on, for the title.
    """
    ax = new_axes(ax)
    rows = result["indices"]
    names = [plain(r["parameter"]) for r in rows]
    y = np.arange(len(rows))
    if result["method"] == "sobol":
        pairs = [("S1", BLUE, None, "first order S1"), ("ST", ORANGE, "//", "total ST")]
        height = 0.38
        for k, (key, colour, hatch, label) in enumerate(pairs):
            ax.barh(y + (k - 0.5) * height, [r[key] for r in rows], height,
                    xerr=[r[f"{key}_conf"] for r in rows], color=colour, hatch=hatch,
                    edgecolor="black", capsize=3, label=label)
        ax.set_xlabel("Sobol index (share of the output's variance, 95% interval)")
    else:
        ax.barh(y, [r["mu_star"] for r in rows], 0.6, xerr=[r["mu_star_conf"] for r in rows],
                color=BLUE, edgecolor="black", capsize=3, label="μ*")
        unit = output_label(result["output"])
        ax.set_xlabel(f"Morris μ*, mean absolute effect on {unit} (95% interval)")
    ax.set_yticks(y, names)
    ax.set_ylabel("parameter")
    ax.axvline(0, color="black", lw=0.8)
    title(ax, f"{result['method'].title()} sensitivity of {output_label(result['output'])}",
          runs_text(n) if n else "")
    ax.legend(fontsize=8, loc="best")
    return ax
