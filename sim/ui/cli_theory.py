"""``parley report --theory``: the closed forms of :mod:`sim.theory` beside the runs."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from sim.ensemble import Ensemble
from sim.errors import ParleyError
from sim.scenario import Scenario
from sim.ui.console import fail, out, save_figure


def _stats(values) -> str:
    import numpy as np

    seen = values[~np.isnan(values)]
    if not seen.size:
        return "never"
    share = "" if seen.size == values.size else f" ({seen.size / values.size:.0%} of runs)"
    return f"{np.median(seen):g} / {seen.mean():.2f}{share}"


def print_theory(scenario: Scenario, ensemble: Ensemble, plot: Path | None = None) -> list[dict]:
    """Print each closed form beside the runs of its theory configuration; give the figures.

    Args:
        scenario: the scenario of the report.
        ensemble: the report's runs of it: the scenario as it is beside each closed form, and
            as many runs of each theory configuration, on the same seeds.
        plot: an image to draw the closed forms on the runs' histograms in.
    """
    from sim.theory_runs import beside

    runs = len(ensemble.seeds)
    try:
        rows = beside(scenario, runs, ensemble.master_seed,
                      own=(ensemble.summaries, ensemble.series["gov_released"]))
    except ParleyError as exc:  # a configuration the scenario cannot take, said in one line
        fail(exc.problems)
    table = Table(title=f"theory beside the runs: {escape(scenario.meta.name)}, {runs} runs "
                  "of each theory configuration", header_style="bold")
    for col in ("theory", "closed form", "runs: median / mean", "result",
                "scenario as is: median / mean"):
        table.add_column(col, overflow="fold")
    for row in rows:
        closed = "never" if row.closed_form is None else f"{row.closed_form:.4g}"
        table.add_row(row.theory.value, closed, _stats(row.simulated),
                      "agrees" if row.agrees else "DIFFERS", _stats(row.scenario_values))
    out.print(table)
    for row in rows:
        out.print(f"{row.theory.value}: {row.quantity} ({row.unit}); within "
                  f"{row.tolerance}. {row.detail}", markup=False)
        if row.departures:
            shown = "; ".join(row.departures[:3])
            more = f"; and {len(row.departures) - 3} more" if len(row.departures) > 3 else ""
            out.print(f"  the scenario as is departs from the assumptions: {shown}{more} "
                      "(docs/theory.md)", markup=False)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from sim.ui.theory_figures import theory_figure

        save_figure(theory_figure(rows, f"{scenario.meta.name}: theory beside the runs"), plot)
        out.print(f"wrote the theory figure to {plot}", markup=False)
    return [row.as_dict() for row in rows]
