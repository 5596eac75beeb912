"""Stages 3 and 4 of a day: demand, offer and bridge; frustration, walkout and return.

An agreed round being verified or released takes the day's talks (:mod:`sim.stages.rounds`);
else the insurgent demands, the government offers, the mediator bridges, and the first
proposal both accept becomes a round.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import insurgent as ins_rules
from sim.agents.base import Phase, Proposal
from sim.events import Actor, EventKind
from sim.state import Round

if TYPE_CHECKING:
    pass


class OneRun:
    """Stages 3 and 4 of a day for one run."""

    def _negotiate(self) -> None:
        talks, s, view = self.talks, self.params, self.view
        talks.gap = 0.0
        if talks.round is not None:
            self._release_round()
            return
        if talks.phase is not Phase.IN_SESSION or view.government_remaining == 0:
            return
        demand = self.insurgent.demand(view, s.insurgent)
        offer = self.government.offer(view, s.government, demand)
        bridge = self.mediator.bridge(demand, offer, s.mediator)
        self._log_positions(demand, offer, bridge)
        deal = self._settle(demand, offer, bridge)
        if deal is None:
            talks.gap = 1.0 - ins_rules.utility(offer, demand, s.insurgent)
            talks.days_without_agreement += 1
            return
        talks.days_without_agreement = 0
        talks.frustration *= ins_rules.FRUSTRATION_KEPT
        verify = s.mediator.verification_days
        talks.round = Round(deal.size, deal.named, self.day + verify)
        self._event(Actor.MEDIATOR, EventKind.AGREEMENT, size=deal.size, named=deal.named,
                    verify_days=verify)
        self._release_round()

    def _settle(self, demand: Proposal, offer: Proposal, bridge: Proposal) -> Proposal | None:
        """The deal of the day, if any: the offer, else the demand, else the bridge."""
        s, view = self.params, self.view
        if self.insurgent.accepts(view, s.insurgent, offer, demand):
            return offer
        if self.government.accepts(view, s.government, demand):
            return demand
        if (self.government.accepts(view, s.government, bridge)
                and self.insurgent.accepts(view, s.insurgent, bridge, demand)):
            return bridge
        return None

    def _log_positions(self, demand: Proposal, offer: Proposal, bridge: Proposal) -> None:
        last = self.talks.positions
        if last == (demand, offer, bridge):
            return
        if last is None or last[0] != demand:
            self._event(Actor.INSURGENT, EventKind.DEMAND, size=demand.size, named=demand.named)
        if last is None or last[1] != offer:
            self._event(Actor.GOVERNMENT, EventKind.OFFER, size=offer.size, named=offer.named,
                        demanded_named=demand.named)
        if last is None or last[2] != bridge:
            self._event(Actor.MEDIATOR, EventKind.BRIDGE, size=bridge.size, named=bridge.named)
        self.talks.positions = (demand, offer, bridge)

    def _stall_and_walkout(self) -> None:
        s, talks, view = self.params, self.talks, self.view
        added = self.insurgent.frustration_added(view, s.insurgent)
        talks.frustration = ins_rules.frustration(talks.frustration, added, s.insurgent)
        talks.trust = ins_rules.trust_after_day(talks.trust, s.insurgent)
        if talks.phase is not Phase.IN_SESSION and talks.phase is not Phase.SUSPENDED:
            return  # a walkout needs talks in session, a return suspended talks
        if self.insurgent.walks_out(view, s.insurgent):
            self._set_phase(Phase.SUSPENDED)
            talks.walkouts += 1
            talks.walkout_news = True
            self._event(Actor.INSURGENT, EventKind.WALKOUT,
                        frustration=round(talks.frustration, 3),
                        days_without_agreement=talks.days_without_agreement)
        elif self.insurgent.resumes(view, s.insurgent):
            self._set_phase(Phase.IN_SESSION)
            talks.frustration *= ins_rules.FRUSTRATION_KEPT
            talks.days_without_agreement = 0
            talks.positions = None
            self._event(Actor.INSURGENT, EventKind.RESUMPTION, trust=round(talks.trust, 3))
