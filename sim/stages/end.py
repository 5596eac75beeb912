"""Stage 8 of a day: truces count down, conditions lift, and the process completes or collapses.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.base import OVER, Phase
from sim.events import Actor, EventKind
from sim.mechanisms import exchange, violence

if TYPE_CHECKING:
    pass


class OneRun:
    """Stage 8 of a day for one run."""

    def _check_end(self) -> None:
        self._count_down_truce()
        if self.talks.phase in OVER:
            return
        self._lift_met_conditions()
        if exchange.is_complete(self.view, self.terms.completion_margin):
            self._set_phase(Phase.COMPLETED)
            self._event(Actor.WORLD, EventKind.COMPLETION, gov=self.gov_pool.n_released,
                        ins=self.ins_pool.n_released)
            return
        s, f = self.params, self.fighting
        week = violence.mean_attacks(f.attack_log, self.day, violence.FAILING_DAYS)
        failing = violence.failing(week, self.pressure.disengagement, s.conflict, s.mediator)
        f.failing_days = f.failing_days + 1 if failing else 0
        if f.failing_days >= s.conflict.collapse_days:
            self._set_phase(Phase.COLLAPSED)
            self._event(Actor.WORLD, EventKind.COLLAPSE, failing_days=f.failing_days)

    def _count_down_truce(self) -> None:
        t = self.fighting.truce
        if t is None:
            return
        t.days_left -= 1
        t.held += 1
        if t.days_left <= 0:
            self.fighting.truce = None
            self._event(Actor.WORLD, EventKind.LAPSE, held=t.held,
                        tied_to=t.tied_to and str(t.tied_to))

    def _lift_met_conditions(self) -> None:
        for condition in list(self.talks.conditions):
            if self.still_needed(condition) == 0:
                self.talks.conditions.remove(condition)
                self._event(Actor(condition.holder.value), EventKind.CONDITION_MET,
                            holder=str(condition.holder))
