"""Stage 1 of a day: the timeline's shocks, and the opening of talks.

A shock moves the pressures, brings its scenario's changed terms into effect, and may declare
a truce, set or waive a condition, or open the talks; talks also open on the agreed day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.base import PRE, SESSION, Phase
from sim.events import Actor, EventKind
from sim.mechanisms import conditions, truce
from sim.scenario import Shock, ShockKind, Side

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Stage 1 of a day for one run."""

    def _apply_shocks(self: ParleyModel) -> None:
        p = self.pressure
        for shock, regime in self._shocks.get(self.day, ()):
            d = shock.pressure
            p.mediator = max(0.0, p.mediator + d.mediator)
            p.humanitarian = max(0.0, p.humanitarian + d.humanitarian)
            p.domestic = max(0.0, p.domestic + d.domestic)
            p.insurgent = max(0.0, p.insurgent + d.insurgent)
            self.params = regime
            self._event(Actor.WORLD, EventKind.SHOCK, shock=str(shock.kind), label=shock.label,
                        set=dict(shock.set))
            if shock.truce is not None:
                self._begin_truce(shock)
            if shock.waive is not None:
                self._waive(shock.waive)
            if shock.condition is not None:
                self._set_condition(shock)
            if shock.kind is ShockKind.TALKS_OPEN:
                self._open_talks()
        if not self._opens_by_shock and self.day == self.terms.deadline_day:
            self._open_talks()

    def _open_talks(self: ParleyModel) -> None:
        if self.talks.phase is Phase.PRE_TALKS:
            self._set_phase(Phase.IN_SESSION)
            self._event(Actor.WORLD, EventKind.RESUMPTION, opened=True)

    def _begin_truce(self: ParleyModel, shock: Shock) -> None:
        spec = shock.truce
        self.fighting.truce = truce.begin(spec)
        self._event(Actor.WORLD, EventKind.TRUCE, days=spec.days, violence=spec.violence,
                    tied_to=spec.tied_to and str(spec.tied_to), per_prisoners=spec.per_prisoners)

    def _set_condition(self: ParleyModel, shock: Shock) -> None:
        spec = shock.condition
        other = self.ins_pool if spec.holder is Side.GOVERNMENT else self.gov_pool
        self.talks.conditions.append(conditions.set_condition(spec, other))
        pools = self.spec.pools
        spec_pool = pools.insurgent_holds if spec.holder is Side.GOVERNMENT else \
            pools.government_holds
        words = {c.name: c.words for c in spec_pool.categories}
        self._event(Actor(spec.holder.value), EventKind.CONDITION, holder=str(spec.holder),
                    other=str(spec.holder.other), frees=spec.frees,
                    categories=" or ".join(words[c] for c in spec.categories))

    def _waive(self: ParleyModel, holder: Side) -> None:
        kept = [c for c in self.talks.conditions if c.holder is not holder]
        if len(kept) < len(self.talks.conditions):
            self.talks.conditions = kept
            self._event(Actor(holder.value), EventKind.WAIVER, holder=str(holder))


class OverRuns:
    """Stage 1 of a day over a block's runs, a value per run."""

    def _apply_shocks(self: Block) -> None:
        p = self.pressure
        for shock, params in self.shocks.get(self.day, ()):
            d = shock.pressure
            p.mediator = np.maximum(0.0, p.mediator + d.mediator)
            p.humanitarian = np.maximum(0.0, p.humanitarian + d.humanitarian)
            p.domestic = np.maximum(0.0, p.domestic + d.domestic)
            p.insurgent = np.maximum(0.0, p.insurgent + d.insurgent)
            self.params = params
            self._event(Actor.WORLD, EventKind.SHOCK, True, shock=str(shock.kind),
                        label=shock.label, set=dict(shock.set))
            if shock.truce is not None:
                t = shock.truce
                self.fighting.truce = truce.begin_over_runs(t, self.n)
                self._event(Actor.WORLD, EventKind.TRUCE, True, days=t.days,
                            violence=t.violence, tied_to=t.tied_to and str(t.tied_to),
                            per_prisoners=t.per_prisoners)
            if shock.waive is not None:
                waived = np.zeros(self.n, bool)
                for c in self.talks.conditions:
                    if c.holder is shock.waive:
                        waived |= c.active
                        c.active[:] = False
                self._event(Actor(shock.waive.value), EventKind.WAIVER, waived,
                            holder=str(shock.waive))
            if shock.condition is not None:
                self._set_condition(shock.condition)
            if shock.kind is ShockKind.TALKS_OPEN:
                self._open_talks(np.ones(self.n, bool))
        if not self.opens_by_shock:
            self._open_talks(self.day == self.terms.deadline_day + np.zeros(self.n, np.int64))

    def _open_talks(self: Block, where: np.ndarray) -> None:
        opening = where & (self.talks.phase == PRE)
        self.talks.phase[opening] = SESSION
        self.talks.opened[opening & (self.talks.opened < 0)] = self.day
        self._event(Actor.WORLD, EventKind.RESUMPTION, opening, opened=True)

    def _set_condition(self: Block, spec) -> None:
        other = self.ins if spec.holder is Side.GOVERNMENT else self.gov
        self.talks.conditions.append(conditions.set_condition_over_runs(
            spec, other.prisoners.category_names, other.released_by_category))
        pools = self.scenarios[0].pools
        pool = pools.insurgent_holds if spec.holder is Side.GOVERNMENT else \
            pools.government_holds
        words = {c.name: c.words for c in pool.categories}
        self._event(Actor(spec.holder.value), EventKind.CONDITION, True,
                    holder=str(spec.holder), other=str(spec.holder.other), frees=spec.frees,
                    categories=" or ".join(words[c] for c in spec.categories))
