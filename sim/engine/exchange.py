"""Stages 3, 5 and 6 of a block's day.

Negotiation, agreed rounds, unilateral and insurgent releases, as :mod:`sim.model` and
:mod:`sim.releases` do them run by run, with the array forms of the same rules (see
:mod:`sim.engine.block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government, insurgent, mediator
from sim.agents.base import COLLAPSED, COMPLETED, SESSION
from sim.engine.custody import Taken
from sim.engine.events import Rounded
from sim.events import Actor, EventKind
from sim.mechanisms import exchange, truce
from sim.scenario import Sequence, Side

if TYPE_CHECKING:
    from sim.engine.block import Block


class Exchange:
    """The stages of a block's day in which prisoners are bargained for and freed."""

    # 3. Negotiation

    def _negotiate(self: Block) -> None:
        talks, s, rnd, day = self.talks, self.params, self.round, self.day
        talks.gap = np.zeros(self.n)
        had_round = rnd.active.copy()
        self._release_round(had_round)
        remaining = self.government_remaining()
        table = ~had_round & (talks.phase == SESSION) & (remaining != 0)
        if not table.any():
            return
        gov_target, ins_target = self.aspirations()
        released = self.gov.n_named_released
        d_size, d_named = insurgent.decide_demand_over_runs(
            remaining, self.terms.round_size, self.named_total, released, s.insurgent)
        available = self.named_available()
        o_size, o_named = government.decide_offer_over_runs(
            gov_target, d_size, d_named, remaining, self.terms.round_size, self.named_total,
            available, s.government)
        b_size, b_named = mediator.decide_bridge_over_runs(d_size, d_named, o_size, o_named,
                                                           s.mediator)
        self._log_positions(table, np.stack(np.broadcast_arrays(
            d_size, d_named, o_size, o_named, b_size, b_named)).astype(np.int64))

        def gov_takes(size, named):
            return government.accepts_over_runs(size, named, available, self.named_total,
                                                self.terms.round_size, gov_target, s.government)

        def ins_takes(size, named):
            return insurgent.accepts_over_runs(size, named, d_size, d_named, ins_target,
                                               s.insurgent)

        take_offer = ins_takes(o_size, o_named)
        take_demand = ~take_offer & gov_takes(d_size, d_named)
        take_bridge = ~take_offer & ~take_demand & gov_takes(b_size, b_named) & ins_takes(
            b_size, b_named)
        deal = table & (take_offer | take_demand | take_bridge)
        none = table & ~deal
        talks.gap = np.where(none, 1.0 - insurgent.utility_over_runs(
            o_size, o_named, d_size, d_named, s.insurgent), talks.gap)
        talks.without = np.where(none, talks.without + 1, talks.without)
        size = np.where(take_offer, o_size, np.where(take_demand, d_size, b_size))
        named = np.where(take_offer, o_named, np.where(take_demand, d_named, b_named))
        talks.without = np.where(deal, 0, talks.without)
        talks.frustration = np.where(deal, talks.frustration * insurgent.FRUSTRATION_KEPT,
                                     talks.frustration)
        rnd.active = rnd.active | deal
        rnd.size = np.where(deal, size, rnd.size)
        rnd.named = np.where(deal, named, rnd.named)
        rnd.verify_day = np.where(deal, day + s.mediator.verification_days, rnd.verify_day)
        for field in ("released", "named_released", "ins_released"):
            setattr(rnd, field, np.where(deal, 0, getattr(rnd, field)))
        t = self.tally
        t.agreements += deal
        t.first_agreement = np.where(deal & (t.first_agreement < 0), day, t.first_agreement)
        self._event(Actor.MEDIATOR, EventKind.AGREEMENT, deal, size=size, named=named,
                    verify_days=s.mediator.verification_days + np.zeros(self.n, np.int64))
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

    def _release_round(self: Block, among: np.ndarray) -> None:
        rnd, terms, day = self.round, self.terms, self.day
        due = among & rnd.active & (day >= rnd.verify_day)
        if not due.any():
            return
        gov_halted, ins_halted = self.halted(Side.GOVERNMENT), self.halted(Side.INSURGENT)
        sequence = terms.sequence
        owed_first = exchange.share_over_runs(rnd.size, terms.ratio) - rnd.ins_released
        if sequence is Sequence.INSURGENT_FIRST:
            first = due & (owed_first > 0)
            self._insurgent_pays_first(first & ~ins_halted, owed_first)
            due = due & ~first
        go = due & ~gov_halted
        if sequence is Sequence.SIMULTANEOUS:
            go = go & ~ins_halted
        if not go.any():
            return
        want, named_want = exchange.due_today_over_runs(rnd, terms.batch_cap, terms.stages)
        want, named_want = np.where(go, want, 0), np.where(go, named_want, 0)
        short = np.zeros(self.n, bool)
        swap = None
        if sequence is Sequence.SIMULTANEOUS:
            owed = np.where(go, exchange.share_over_runs(rnd.released + want, terms.ratio)
                            - rnd.ins_released, 0)
            swap = self.take(Side.INSURGENT, ("listed", "named", "unlisted"), owed, agreed=True)
            got = swap.size
            short = go & (got < owed)
            cut = np.maximum(0, np.minimum(want, np.trunc((rnd.ins_released + got)
                                                          * terms.ratio).astype(np.int64)
                                           - rnd.released))
            want = np.where(short, cut, want)
            named_want = np.where(short, np.minimum(named_want, want), named_want)
        named_taken = self.take(Side.GOVERNMENT, ("named",), named_want, agreed=True)
        rest = self.take(Side.GOVERNMENT, ("listed", "named"), want - named_taken.size,
                         agreed=True)
        taken = Taken(named_taken.orders + rest.orders, named_taken.starts + rest.starts,
                      named_taken.ends + rest.ends, named_taken.short | rest.short)
        freed = taken.size
        named = self._free_government(taken, unilateral=False, oath=False)
        rnd.released = rnd.released + freed
        rnd.named_released = rnd.named_released + named
        self._event(Actor.GOVERNMENT, EventKind.RELEASE, freed > 0, size=freed, named=named,
                    mode=np.where(swap.size > 0, "swap", "deal") if swap is not None
                    else "deal")
        if swap is not None:
            n = swap.size
            self._free_insurgent(swap, n)
            self.ledger.reciprocal = self.ledger.reciprocal + n
            rnd.ins_released = rnd.ins_released + n
            self._event(Actor.INSURGENT, EventKind.RELEASE, n > 0, size=n, reciprocal=n,
                        goodwill=0, mode="swap")
        ends = go & ((rnd.released >= rnd.size) | (freed < want) | short)
        rnd.active = rnd.active & ~ends

    def _insurgent_pays_first(self: Block, who: np.ndarray, owed_first: np.ndarray) -> None:
        n = np.where(who, np.minimum(owed_first, self.insurgent_room()), 0)
        taken = self.take(Side.INSURGENT, ("listed", "named", "unlisted"), n, agreed=True)
        freed = taken.size
        self._free_insurgent(taken, freed)
        self.ledger.reciprocal = self.ledger.reciprocal + freed
        self._event(Actor.INSURGENT, EventKind.RELEASE, freed > 0, size=freed, reciprocal=freed,
                    goodwill=0, mode="first")
        rnd = self.round
        rnd.ins_released = np.where(who & (freed < n),
                                    exchange.share_over_runs(rnd.size, self.terms.ratio),
                                    rnd.ins_released + freed)

    def _free_government(self: Block, taken: Taken, unilateral: bool, oath) -> np.ndarray:
        s, p, ledger = self.params, self.pressure, self.ledger
        returning = self.gov.expected_returns(taken, s.conflict)
        named, seniors, listed = self.gov.release(taken)
        size = taken.size
        ledger.government_today = ledger.government_today + size
        p.domestic = p.domestic + government.opposition_from_seniors(seniors, s.government)
        self.fighting.leaving = self.fighting.leaving + returning * np.where(
            oath, s.conflict.oath_factor, 1.0)
        ledger.listed = ledger.listed + listed
        if unilateral:
            ledger.unilateral = ledger.unilateral + size
        else:
            ledger.deal = ledger.deal + size
        freed = size > 0
        p.mediator = np.where(freed, np.maximum(
            0.0, p.mediator - mediator.release_relief(s.mediator, size)), p.mediator)
        self.talks.trust = np.where(freed, np.minimum(
            1.0, self.talks.trust + insurgent.trust_gain(s.insurgent, size)), self.talks.trust)
        self._extend_truce(Side.GOVERNMENT, size)
        t = self.tally
        t.first_gov = np.where(freed & (t.first_gov < 0), self.day, t.first_gov)
        return named

    def _free_insurgent(self: Block, taken: Taken, reciprocal) -> None:
        self.ins.release(taken)
        size = taken.size
        self.ledger.insurgent_today = self.ledger.insurgent_today + size
        self._extend_truce(Side.INSURGENT, size)
        t = self.tally
        t.first_ins = np.where((size > 0) & (t.first_ins < 0), self.day, t.first_ins)

    def _extend_truce(self: Block, side: Side, freed: np.ndarray) -> None:
        t = self.fighting.truce
        if t is None or t.tied_to is not side:
            return
        on = t.active & (freed > 0)
        t.days_left = np.where(on, t.days_left + truce.days_earned(t, freed), t.days_left)
        t.credited = np.where(on, t.credited + freed, t.credited)

    # 5. Unilateral release

    def _unilateral_release(self: Block) -> None:
        s, talks, ledger, day = self.params, self.talks, self.ledger, self.day
        g = s.government
        live = (talks.phase != COMPLETED) & (talks.phase != COLLAPSED)
        stalled = government.is_stalled_over_runs(talks.phase, self.round.active,
                                                  self.days_past_deadline(), talks.without, g)
        felt = self.felt_pressure()
        size = np.where(live, government.decide_unilateral_over_runs(
            stalled, felt, self.halted(Side.GOVERNMENT), day, ledger.last_unilateral,
            self.government_remaining(), self.programme_left(),
            self.terms.batch_cap - ledger.government_today, g), 0)
        taken = self.take(Side.GOVERNMENT, ("listed",), size)
        freed = taken.size
        done = freed > 0
        if not done.any():
            return
        low = self.gov.lowest_score(taken)
        named = self._free_government(taken, unilateral=True, oath=g.oath)
        ledger.last_unilateral = np.where(done, day, ledger.last_unilateral)
        compliant, welcomed, value = insurgent.judge_release_over_runs(
            talks.trust, freed, False, self.terms.joint_verification, s.insurgent)
        ledger.compliant_credit = np.where(done & compliant, ledger.compliant_credit + freed,
                                           ledger.compliant_credit)
        outside = done & ~compliant
        ledger.discounted = np.where(outside, ledger.discounted + value, ledger.discounted)
        ledger.unverified = np.where(outside, ledger.unverified + freed, ledger.unverified)
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, done, size=freed,
                    named=named, felt_pressure=Rounded(felt, 3),
                    oath=np.asarray(g.oath, bool) + np.zeros(self.n, bool), welcomed=welcomed)
        self._event(Actor.INSURGENT, EventKind.STATEMENT, done, rejects=~welcomed,
                    compliant=compliant)
        t = self.tally
        t.unilaterals += done
        new = done & (t.first_unilateral < 0)
        t.first_unilateral = np.where(new, day, t.first_unilateral)
        t.first_unilateral_size = np.where(new, freed, t.first_unilateral_size)
        # The pattern's release: the first after the first walkout (see sim.metrics).
        first = done & (t.first_walkout >= 0) & (t.pattern_day < 0)
        high = self.gov.highest_held_score(1, self.allowed(Side.GOVERNMENT))
        t.pattern_day = np.where(first, day, t.pattern_day)
        t.pattern_size = np.where(first, freed, t.pattern_size)
        t.pattern_named = np.where(first, 0, t.pattern_named)
        t.pattern_rejects = np.where(first, ~welcomed, t.pattern_rejects)
        t.pattern_ranked = np.where(first, low >= high, t.pattern_ranked)

    # 6. Insurgent releases

    def _insurgent_releases(self: Block) -> None:
        self._verify()
        ledger = self.ledger
        ledger.pending_r = ledger.pending_r + ledger.due_r[self.day]
        ledger.pending_g = ledger.pending_g + ledger.due_g[self.day]
        self._hand_over_promised()
        s, ledger, day = self.params, self.ledger, self.day
        ins = s.insurgent
        owed_deal, owed_goodwill = insurgent.owed_over_runs(
            ledger.deal, ledger.compliant_credit, ledger.discounted, ledger.reciprocal,
            ledger.goodwill, self.terms.ratio)
        promised = ledger.promised_total
        on_gov = self.condition_on_government()
        eligible = (self.gov.n_released > 0) | (on_gov > 0)
        reciprocal, goodwill = insurgent.decide_releases_over_runs(
            owed_deal, owed_goodwill, self.insurgent_remaining(), promised, on_gov,
            self.insurgent_room(), self.talks.trust, self.talks.phase == COLLAPSED,
            self.halted(Side.INSURGENT), ins)
        reciprocal = np.where(eligible, reciprocal, 0)
        goodwill = np.where(eligible, goodwill, 0)
        deciding = (reciprocal + goodwill) > 0
        if not deciding.any():
            return
        ledger.reciprocal = ledger.reciprocal + reciprocal
        ledger.goodwill = ledger.goodwill + goodwill
        lead = ins.release_lead_days + np.zeros(self.n, np.int64)
        now = lead == 0  # handed over today, below
        ledger.due_r[day + lead, self.runs] += np.where(now, 0, reciprocal)
        ledger.due_g[day + lead, self.runs] += np.where(now, 0, goodwill)
        ledger.pending_r = ledger.pending_r + np.where(now, reciprocal, 0)
        ledger.pending_g = ledger.pending_g + np.where(now, goodwill, 0)
        ledger.promised_total = promised + reciprocal + goodwill
        if np.any((np.asarray(ins.release_lead_days) == 0) & deciding):
            self._hand_over_promised()

    def _hand_over_promised(self: Block) -> None:
        ledger = self.ledger
        reciprocal, goodwill = ledger.pending_r, ledger.pending_g
        go = ((reciprocal + goodwill) > 0) & ~self.halted(Side.INSURGENT)
        if not go.any():
            return
        ledger.pending_r = np.where(go, 0, reciprocal)
        ledger.pending_g = np.where(go, 0, goodwill)
        reciprocal, goodwill = np.where(go, reciprocal, 0), np.where(go, goodwill, 0)
        ledger.promised_total = ledger.promised_total - reciprocal - goodwill
        taken = self.take(Side.INSURGENT, ("listed", "named", "unlisted"), reciprocal + goodwill)
        freed = taken.size
        paid = np.minimum(reciprocal, freed)
        ledger.reciprocal = ledger.reciprocal - (reciprocal - paid)
        ledger.goodwill = ledger.goodwill - (goodwill - (freed - paid))
        self._free_insurgent(taken, paid)
        self._event(Actor.INSURGENT, EventKind.RELEASE, freed > 0, size=freed, reciprocal=paid,
                    goodwill=freed - paid)

    def _verify(self: Block) -> None:
        ledger = self.ledger
        done, ledger.verifying = insurgent.verified_today_over_runs(
            ledger.unverified, ledger.verifying, self.params.insurgent)
        some = done > 0
        if not some.any():
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            part = ledger.discounted * done / ledger.unverified
        ledger.discounted = np.where(some, ledger.discounted - part, ledger.discounted)
        ledger.unverified = ledger.unverified - done
        ledger.compliant_credit = ledger.compliant_credit + done
        news = np.where(ledger.unverified > 0, 1, 2)
        said = some & (news > ledger.news)
        ledger.news = np.where(said, news, ledger.news)
        self._event(Actor.INSURGENT, EventKind.RECOGNITION, said,
                    verified=ledger.compliant_credit, backlog=ledger.unverified)
        t = self.tally
        t.recognition = np.where(said & (t.recognition < 0), self.day, t.recognition)
