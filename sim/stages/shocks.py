"""Stage 1 of a day: the timeline's shocks, and the opening of talks.

A shock moves the pressures, brings its scenario's changed terms into effect, and may declare
a truce, set or waive a condition, or open the talks; talks also open on the agreed day.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents.base import Phase
from sim.events import Actor, EventKind
from sim.mechanisms import conditions, truce
from sim.scenario import Shock, ShockKind, Side

if TYPE_CHECKING:
    pass


class OneRun:
    """Stage 1 of a day for one run."""

    def _apply_shocks(self) -> None:
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

    def _open_talks(self) -> None:
        if self.talks.phase is Phase.PRE_TALKS:
            self._set_phase(Phase.IN_SESSION)
            self._event(Actor.WORLD, EventKind.RESUMPTION, opened=True)

    def _begin_truce(self, shock: Shock) -> None:
        spec = shock.truce
        self.fighting.truce = truce.begin(spec)
        self._event(Actor.WORLD, EventKind.TRUCE, days=spec.days, violence=spec.violence,
                    tied_to=spec.tied_to and str(spec.tied_to), per_prisoners=spec.per_prisoners)

    def _set_condition(self, shock: Shock) -> None:
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

    def _waive(self, holder: Side) -> None:
        kept = [c for c in self.talks.conditions if c.holder is not holder]
        if len(kept) < len(self.talks.conditions):
            self.talks.conditions = kept
            self._event(Actor(holder.value), EventKind.WAIVER, holder=str(holder))
