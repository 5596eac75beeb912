"""Stage 8 of a day: truces count down, conditions lift, the process completes or collapses.

A completion needs both commitments met (within the agreement's margin); a collapse comes when
the week's mean violence or the mediator's disengagement stays past its limit for
``collapse_days`` days in a row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.base import COLLAPSED, COMPLETED, OVER, Phase
from sim.events import Actor, EventKind
from sim.mechanisms import exchange, violence

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Stage 8 of a day for one run."""

    def _check_end(self: ParleyModel) -> None:
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

    def _count_down_truce(self: ParleyModel) -> None:
        t = self.fighting.truce
        if t is None:
            return
        t.days_left -= 1
        t.held += 1
        if t.days_left <= 0:
            self.fighting.truce = None
            self._event(Actor.WORLD, EventKind.LAPSE, held=t.held,
                        tied_to=t.tied_to and str(t.tied_to))

    def _lift_met_conditions(self: ParleyModel) -> None:
        for condition in list(self.talks.conditions):
            if self.still_needed(condition) == 0:
                self.talks.conditions.remove(condition)
                self._event(Actor(condition.holder.value), EventKind.CONDITION_MET,
                            holder=str(condition.holder))


class OverRuns:
    """Stage 8 of a day over a block's runs, a value per run."""

    def _check_end(self: Block) -> None:
        f, talks, day = self.fighting, self.talks, self.day
        t = f.truce
        if t is not None:
            t.days_left = np.where(t.active, t.days_left - 1, t.days_left)
            t.held = np.where(t.active, t.held + 1, t.held)
            lapsing = t.active & (t.days_left <= 0)
            t.active = t.active & ~lapsing
            self.tally.lapse = np.where(lapsing & (self.tally.lapse < 0), day, self.tally.lapse)
            self._event(Actor.WORLD, EventKind.LAPSE, lapsing, held=t.held,
                        tied_to=t.tied_to and str(t.tied_to))
        live = (talks.phase != COMPLETED) & (talks.phase != COLLAPSED)
        for c in self.talks.conditions:
            met = c.active & live & (self.still_needed(c) == 0)
            c.active = c.active & ~met
            self._event(Actor(c.holder.value), EventKind.CONDITION_MET, met,
                        holder=str(c.holder))
        complete = live & exchange.is_complete_over_runs(
            self.government_remaining(), self.insurgent_remaining(), self.terms.completion_margin)
        talks.phase = np.where(complete, COMPLETED, talks.phase)
        self.tally.completion = np.where(complete, day, self.tally.completion)
        self._event(Actor.WORLD, EventKind.COMPLETION, complete, gov=self.gov.n_released,
                    ins=self.ins.n_released)
        live = live & ~complete
        s = self.params
        week = violence.mean_attacks_over_runs(f.log, day, violence.FAILING_DAYS)
        failing = violence.failing_over_runs(week, self.pressure.disengagement, s.conflict,
                                             s.mediator)
        f.failing = np.where(live, np.where(failing, f.failing + 1, 0), f.failing)
        collapse = live & (f.failing >= s.conflict.collapse_days)
        talks.phase = np.where(collapse, COLLAPSED, talks.phase)
        self.tally.collapse = np.where(collapse, day, self.tally.collapse)
        self._event(Actor.WORLD, EventKind.COLLAPSE, collapse, failing_days=f.failing)
