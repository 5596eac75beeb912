"""The dashboard's "what if, from today": the current run forked at today's day.

One parameter changes from tomorrow on; the current run and many seeds of the same settings
go on in two branches each, as they were and changed, on the same random numbers
(:mod:`sim.forks`). The panel shows this run's two endings and the paired effect over seeds.
Nothing here computes model quantities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

import solara
import solara.lab

from sim.errors import ScenarioError
from sim.forks import ForkResult, fork
from sim.scenario import Scenario, parse_value
from sim.ui.app.state import CONTROL_PATHS, Dashboard, problem_lines

SHOWN = ("first_walkout_day", "walkouts", "first_unilateral_day", "unilateral_releases",
         "gov_released", "ins_released", "completion_day", "mean_attacks", "pattern")
"""The outcomes the panel shows (``parley fork`` shows every one)."""


@dataclass
class WhatIf:
    """A fork of the current run at today's day.

    Attributes:
        this_run: the current run's seed in two branches.
        seeds: the same fork over seeds spawned from the run's seed.
    """

    this_run: ForkResult
    seeds: ForkResult


def what_if(scenario: Scenario, seed: int, today: int, path: str, text: str,
            n_seeds: int) -> WhatIf:
    """Fork the current run (``scenario`` and ``seed``) at ``today``: ``path`` set to ``text``.

    Raises:
        ScenarioError: as ``parley fork`` would report it (the change, or a finished run).
    """
    change = {path.strip(): parse_value(text.strip())}
    return WhatIf(fork(scenario, today, set=change, seeds=[seed]),
                  fork(scenario, today, set=change, seeds=n_seeds, master_seed=seed))


def rows(result: WhatIf) -> list[tuple[str, ...]]:
    """The panel's table: an outcome a row, this run's two endings and the paired effect."""
    mine = {e.outcome: e for e in result.this_run.effects}
    out = []
    for e in result.seeds.effects:
        if e.outcome in SHOWN:
            m = mine[e.outcome]
            out.append((e.outcome, _num(m.as_was), _num(m.changed), _num(e.diff),
                        f"{_num(e.low)} to {_num(e.high)}",
                        f"{_num(e.independent_low)} to {_num(e.independent_high)}",
                        f"{e.share_changed:.0%}"))
    return out


def _num(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.1f}"


@solara.lab.task
def what_if_task(scenario: Scenario, seed: int, today: int, path: str, text: str,
                 n_seeds: int):
    """Run a what-if in a background thread; a refused change comes back as its lines."""
    try:
        return what_if(scenario, seed, today, path, text, n_seeds)
    except ScenarioError as exc:
        return problem_lines(exc)


HEAD = ("outcome", "this run as it was", "this run changed", "mean change over seeds",
        "95% interval (paired)", "95% interval (independent runs)", "seeds changed")


@solara.component
def WhatIfPanel(dash: Dashboard):
    """Pick a parameter and a value; fork today's run and many seeds; show both."""
    path, set_path = solara.use_state(CONTROL_PATHS[1])
    text, set_text = solara.use_state("")
    n_seeds, set_n = solara.use_state(100)
    snap = dash.snapshot()
    if snap is None:
        solara.Info("No run: the scenario has problems (see the sidebar).")
        return
    solara.Markdown(f"What if, from tomorrow (day {snap.day + 1}), one thing were different? "
                    "Both branches of each run read the same random numbers, so every "
                    "difference comes from the change.")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputText("parameter (dotted path)", value=path, on_value=set_path,
                         continuous_update=True,
                         classes=["parley-whatif-path"])
        solara.InputText("new value", value=text, on_value=set_text, continuous_update=True,
                         classes=["parley-whatif-value"])
        solara.InputInt("seeds", value=n_seeds, on_value=lambda v: set_n(min(2000, max(
            2, int(v or 2)))), dense=True, style={"max-width": "100px"})
        solara.Button("Fork from today", color="primary", classes=["parley-whatif"],
                      disabled=snap.finished or what_if_task.pending or not text.strip(),
                      on_click=lambda: what_if_task(snap.scenario, snap.seed, snap.day,
                                                    path, text, n_seeds))
    if what_if_task.pending:
        solara.ProgressLinear(True)
    result = what_if_task.value if what_if_task.finished else None
    if isinstance(result, list):
        solara.HTML(tag="div", classes=["parley-problems"], attributes={
            "data-testid": "whatif-problems"}, unsafe_innerHTML=escape("\n".join(result)))
    elif isinstance(result, WhatIf):
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows(result))
        head = "".join(f"<th>{escape(h)}</th>" for h in HEAD)
        solara.HTML(tag="div", attributes={"data-testid": "whatif-table"}, unsafe_innerHTML=(
            f'<table class="parley-table"><tr>{head}</tr>{body}</table>'
            f"<p>Forked at day {result.seeds.at}: {escape(result.seeds.change.words())}; "
            f"paired intervals {result.seeds.narrower:.1f} times narrower (median).</p>"))
