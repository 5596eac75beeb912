"""Stages 3 and 4 of a day: demand, offer and bridge; frustration, walkout and return.

An agreed round being verified or released takes the day's talks (:mod:`sim.stages.rounds`);
else the insurgent demands, the government offers, the mediator bridges, and the first
proposal both accept becomes a round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.agents.base import SESSION, SUSPENDED, Phase, Proposal
from sim.engine.events import Rounded
from sim.events import Actor, EventKind
from sim.state import Round

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Stages 3 and 4 of a day for one run."""

    def _negotiate(self: ParleyModel) -> None:
        talks, s, view = self.talks, self.params, self.view
        talks.gap = 0.0
        if talks.round is not None:
            self._release_round()
            return
        if talks.phase is not Phase.IN_SESSION or view.government_remaining == 0:
            return
        # Each side's aspiration today: the pressures do not move while they bargain.
        targets = (gov_rules.aspiration(view, s.government),
                   ins_rules.aspiration(view, s.insurgent))
        demand = self.insurgent.demand(view, s.insurgent)
        offer = self.government.offer(view, s.government, demand, targets[0])
        bridge = self.mediator.bridge(demand, offer, s.mediator)
        self._log_positions(demand, offer, bridge)
        deal = self._settle(demand, offer, bridge, targets)
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

    def _settle(self: ParleyModel, demand: Proposal, offer: Proposal, bridge: Proposal,
                targets: tuple[float, float]) -> Proposal | None:
        """The deal of the day, if any: the offer, else the demand, else the bridge."""
        s, view = self.params, self.view
        gov, ins = targets
        if self.insurgent.accepts(view, s.insurgent, offer, demand, ins):
            return offer
        if self.government.accepts(view, s.government, demand, gov):
            return demand
        if (self.government.accepts(view, s.government, bridge, gov)
                and self.insurgent.accepts(view, s.insurgent, bridge, demand, ins)):
            return bridge
        return None

    def _log_positions(self: ParleyModel, demand: Proposal, offer: Proposal,
                       bridge: Proposal) -> None:
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

    def _stall_and_walkout(self: ParleyModel) -> None:
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


class OverRuns:
    """Stages 3 and 4 of a day over a block's runs, a value per run."""

    def _negotiate(self: Block) -> None:
        talks, s, rnd = self.talks, self.params, self.round
        talks.gap = np.zeros(self.n)
        had_round = rnd.active.copy()
        self._release_round(had_round)
        remaining = self.government_remaining()
        table = ~had_round & (talks.phase == SESSION) & (remaining != 0)
        if not table.any():
            return
        gov_target, ins_target = self.aspirations()
        released = self.gov.n_named_released
        d_size, d_named = ins_rules.decide_demand_over_runs(
            remaining, self.terms.round_size, self.named_total, released, s.insurgent)
        available = self.named_available()
        o_size, o_named = gov_rules.decide_offer_over_runs(
            gov_target, d_size, d_named, remaining, self.terms.round_size, self.named_total,
            available, s.government)
        b_size, b_named = med_rules.decide_bridge_over_runs(d_size, d_named, o_size, o_named,
                                                           s.mediator)
        self._log_positions(table, np.stack(np.broadcast_arrays(
            d_size, d_named, o_size, o_named, b_size, b_named)).astype(np.int64))

        def gov_takes(size, named):
            return gov_rules.accepts_over_runs(size, named, available, self.named_total,
                                                self.terms.round_size, gov_target, s.government)

        def ins_takes(size, named):
            return ins_rules.accepts_over_runs(size, named, d_size, d_named, ins_target,
                                               s.insurgent)

        take_offer = ins_takes(o_size, o_named)
        take_demand = ~take_offer & gov_takes(d_size, d_named)
        take_bridge = ~take_offer & ~take_demand & gov_takes(b_size, b_named) & ins_takes(
            b_size, b_named)
        deal = table & (take_offer | take_demand | take_bridge)
        none = table & ~deal
        talks.gap = np.where(none, 1.0 - ins_rules.utility_over_runs(
            o_size, o_named, d_size, d_named, s.insurgent), talks.gap)
        talks.without = np.where(none, talks.without + 1, talks.without)
        size = np.where(take_offer, o_size, np.where(take_demand, d_size, b_size))
        named = np.where(take_offer, o_named, np.where(take_demand, d_named, b_named))
        self._agree(deal, size, named)

    def _agree(self: Block, deal: np.ndarray, size: np.ndarray, named: np.ndarray) -> None:
        """Where a deal was struck today: the round it agrees, on its way to verification."""
        talks, rnd, day = self.talks, self.round, self.day
        verify = self.params.mediator.verification_days
        talks.without = np.where(deal, 0, talks.without)
        talks.frustration = np.where(deal, talks.frustration * ins_rules.FRUSTRATION_KEPT,
                                     talks.frustration)
        rnd.active = rnd.active | deal
        rnd.size = np.where(deal, size, rnd.size)
        rnd.named = np.where(deal, named, rnd.named)
        rnd.verify_day = np.where(deal, day + verify, rnd.verify_day)
        for field in ("released", "named_released", "ins_released"):
            setattr(rnd, field, np.where(deal, 0, getattr(rnd, field)))
        t = self.tally
        t.agreements += deal
        t.first_agreement = np.where(deal & (t.first_agreement < 0), day, t.first_agreement)
        self._event(Actor.MEDIATOR, EventKind.AGREEMENT, deal, size=size, named=named,
                    verify_days=verify + np.zeros(self.n, np.int64))
        self._release_round(deal)

    def _log_positions(self: Block, table: np.ndarray, now: np.ndarray) -> None:
        """Demand, offer and bridge, told where one of them changed (as the model does)."""
        talks = self.talks
        last, known = talks.positions, talks.positioned
        changed = table & (~known | (now != last))  # a row per position's size and named
        new = [changed[0] | changed[1], changed[2] | changed[3], changed[4] | changed[5]]
        self._event(Actor.INSURGENT, EventKind.DEMAND, new[0], size=now[0], named=now[1])
        self._event(Actor.GOVERNMENT, EventKind.OFFER, new[1], size=now[2], named=now[3],
                    demanded_named=now[1])
        self._event(Actor.MEDIATOR, EventKind.BRIDGE, new[2], size=now[4], named=now[5])
        talks.positions = np.where(table, now, last)
        talks.positioned = known | table

    def _lognormal(self: Block, sigma) -> np.ndarray:
        key = sigma if np.ndim(sigma) == 0 else tuple(np.asarray(sigma).tolist())
        found = self._lognormals.get(key)
        if found is None:
            found = self._lognormals[key] = np.exp(sigma * self.u["frustration"].T
                                                  - 0.5 * sigma * sigma).T
        return found

    def _stall_and_walkout(self: Block) -> None:
        s, talks, day = self.params, self.talks, self.day
        ins = s.insurgent
        pending = self.round.active
        added = ins_rules.frustration_increment_over_runs(
            talks.phase, pending, talks.gap, self.days_past_deadline(),
            self._lognormal(ins.frustration_noise)[:, day], ins)
        talks.frustration = ins_rules.frustration(talks.frustration, added, ins)
        talks.trust = ins_rules.trust_after_day(talks.trust, ins)
        walks = ins_rules.decide_walkout_over_runs(talks.phase, pending, talks.frustration, ins,
                                                   self.u["walkout"][:, day])
        resumes = ~walks & ins_rules.decide_resume_over_runs(
            talks.phase, talks.trust, self.pressure.insurgent, ins, self.u["resume"][:, day])
        talks.phase = np.where(walks, SUSPENDED, np.where(resumes, SESSION, talks.phase))
        talks.walkouts += walks
        talks.news = talks.news | walks
        self.tally.first_walkout = np.where(walks & (self.tally.first_walkout < 0), day,
                                            self.tally.first_walkout)
        self._event(Actor.INSURGENT, EventKind.WALKOUT, walks,
                    frustration=Rounded(talks.frustration, 3), days_without_agreement=talks.without)
        talks.frustration = np.where(resumes, talks.frustration * ins_rules.FRUSTRATION_KEPT,
                                     talks.frustration)
        talks.without = np.where(resumes, 0, talks.without)
        talks.positioned = talks.positioned & ~resumes
        self._event(Actor.INSURGENT, EventKind.RESUMPTION, resumes,
                    trust=Rounded(talks.trust, 3))
