"""How prisoners change hands: agreed rounds, unilateral releases and the insurgent's releases.

:class:`Releases` holds stages 3 (the release of agreed rounds, in the agreement's sequence),
5 and 6 of a day for :class:`sim.model.ParleyModel`, which extends it; they read and change the
model's state parts like every other stage. Each release also moves what depends on it: the
government's pressure and the insurgent's trust, returns to fight, a truce tied to releases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.agents.base import OVER
from sim.events import Actor, EventKind
from sim.mechanisms import exchange, truce
from sim.pools import Pool, ReleaseMode
from sim.scenario import Sequence, Side
from sim.state import Round

if TYPE_CHECKING:
    from sim.model import ParleyModel

_EMPTY = np.empty(0, dtype=np.int64)


class Releases:
    """Stages 3, 5 and 6 of a day: who frees whom, and what follows from it."""

    def pool(self: ParleyModel, side: Side) -> Pool:
        """The pool a side holds."""
        return self.gov_pool if side is Side.GOVERNMENT else self.ins_pool

    def allowed(self: ParleyModel, side: Side, agreed: bool = False) -> np.ndarray:
        """A mask over a side's categories: those it may free now.

        Its barred categories are out; for agreed releases, so is any category the agreement
        does not name for it (when it names some).
        """
        pool = self.pool(side)
        names = pool.category_names
        barred = getattr(self.params, side.value).barred
        mask = np.array([name not in barred for name in names])
        wanted = getattr(self.terms, f"{side.value}_categories") if agreed else ()
        if wanted:
            mask &= np.array([name in wanted for name in names])
        return mask

    # 3. Agreed rounds

    def _release_round(self: ParleyModel) -> None:
        round_ = self.talks.round
        if self.day < round_.verify_day:
            return  # still being verified
        terms, view = self.terms, self.view
        owed_first = exchange.share(round_.size, terms.ratio) - round_.insurgent_released
        if terms.sequence is Sequence.INSURGENT_FIRST and owed_first > 0:
            if not view.insurgent_halted:
                self._insurgent_pays_first(round_, owed_first)
            return  # the government frees the round once the insurgent's share is out
        if view.government_halted:
            return
        want, named_want = exchange.due_today(round_, terms.batch_cap, terms.stages)
        swap, short = _EMPTY, False
        if terms.sequence is Sequence.SIMULTANEOUS:
            if view.insurgent_halted:
                return
            due = exchange.share(round_.released + want, terms.ratio) - round_.insurgent_released
            swap = self._take(Side.INSURGENT, "cost", due, agreed=True)
            short = swap.size < due
            if short:  # a swap shrinks to what the insurgent can give, and ends there
                want = max(0, min(want, int((round_.insurgent_released + swap.size)
                                            * terms.ratio) - round_.released))
                named_want = min(named_want, want)
        idx = self._take_government_round(want, named_want)
        if idx.size:
            named = self._free_government(idx, ReleaseMode.DEAL, oath=False)
            round_.released += idx.size
            round_.named_released += named
            self._event(Actor.GOVERNMENT, EventKind.RELEASE, size=int(idx.size), named=named,
                        mode="swap" if swap.size else "deal")
        if swap.size:  # both hand over what they took, even if one side fell short
            self._free_insurgent(swap, reciprocal=swap.size, goodwill=0)
            self.ledger.reciprocal += swap.size
            round_.insurgent_released += swap.size
            self._event(Actor.INSURGENT, EventKind.RELEASE, size=int(swap.size),
                        reciprocal=int(swap.size), goodwill=0, mode="swap")
        if round_.released >= round_.size or idx.size < want or short:
            self.talks.round = None

    def _take_government_round(self: ParleyModel, want: int, named_want: int) -> np.ndarray:
        """The government's rows for today's part of a round.

        The named prisoners the round includes come first, then the others by their security
        cost; named prisoners it was not asked for only when no one else is left.
        """
        pool, allowed = self.gov_pool, self.allowed(Side.GOVERNMENT, agreed=True)
        idx = pool.take("named", named_want, allowed)
        for order in ("cost", "named"):
            if idx.size < want:
                rest = self._in_turn(Side.GOVERNMENT, order, want - idx.size, allowed)
                idx = np.concatenate([idx, rest]) if idx.size else rest
        if idx.size < want and self.view.government_remaining > idx.size:
            self._shortfall(Side.GOVERNMENT, want, idx.size)
        return idx

    def _insurgent_pays_first(self: ParleyModel, round_: Round, owed_first: int) -> None:
        """The insurgent frees its share of a verified round before the government frees it."""
        n = min(owed_first, self.view.insurgent_room_today)
        idx = self._take(Side.INSURGENT, "cost", n, agreed=True)
        if idx.size:
            self._free_insurgent(idx, reciprocal=idx.size, goodwill=0)
            self.ledger.reciprocal += idx.size
            round_.insurgent_released += idx.size
            self._event(Actor.INSURGENT, EventKind.RELEASE, size=int(idx.size),
                        reciprocal=int(idx.size), goodwill=0, mode="first")
        if idx.size < n:  # it cannot pay in full: the round goes ahead on what it gave
            round_.insurgent_released = exchange.share(round_.size, self.terms.ratio)

    def _take(self: ParleyModel, side: Side, order: str, k: int, agreed: bool) -> np.ndarray:
        """Up to ``k`` rows a side may free, from one order, saying so when it runs short."""
        idx = self._in_turn(side, order, k, self.allowed(side, agreed))
        if idx.size < k:
            self._shortfall(side, k, idx.size)
        return idx

    def _in_turn(self: ParleyModel, side: Side, order: str, k: int,
                 allowed: np.ndarray) -> np.ndarray:
        """Up to ``k`` rows of an order, the categories the side frees first taken first.

        Those categories are taken in turn, then the rest of those allowed.
        """
        pool = self.pool(side)
        idx = _EMPTY
        for name in getattr(self.params, side.value).frees_first:
            if idx.size < k:
                idx = np.concatenate([idx, pool.take(order, k - idx.size,
                                                     allowed & pool.categories((name,)))])
        if idx.size < k:
            rest = pool.take(order, k - idx.size, allowed)
            idx = np.concatenate([idx, rest]) if idx.size else rest
        return idx

    def _shortfall(self: ParleyModel, side: Side, wanted: int, got: int) -> None:
        holder = self.params.government if side is Side.GOVERNMENT else self.params.insurgent
        names = getattr(self.terms, f"{side.value}_categories") or ("prisoners",)
        barred = f" (barred: {', '.join(holder.barred)})" if holder.barred else ""
        self._event(Actor(side.value), EventKind.SHORTFALL, side=str(side), wanted=wanted,
                    short=wanted - got, categories=", ".join(names).replace("_", " ") + barred)

    def _free_government(self: ParleyModel, idx: np.ndarray, mode: ReleaseMode,
                         oath: bool) -> int:
        """Free the government's rows ``idx``; returns how many of them were named."""
        s, p, ledger = self.params, self.pressure, self.ledger
        named, seniors, listed = self.gov_pool.release(idx, self.day, mode, oath)
        size = idx.size
        ledger.government_today += size
        p.domestic += gov_rules.opposition_from_seniors(seniors, s.government)
        days = self.gov_pool.draw_returns(idx, self.day, oath, s.conflict,
                                          self.streams["returns"])
        # Returns after the last day land in a spare slot that is never read.
        np.add.at(self.fighting.returns_by_day, np.minimum(days, self.days + 1), 1)
        ledger.listed += listed
        if mode is ReleaseMode.DEAL:
            ledger.deal += size
        else:
            ledger.unilateral += size
        p.mediator = max(0.0, p.mediator - med_rules.release_relief(s.mediator, size))
        self.talks.trust = min(1.0, self.talks.trust + ins_rules.trust_gain(s.insurgent, size))
        self._extend_truce(Side.GOVERNMENT, size)
        return named

    def _free_insurgent(self: ParleyModel, idx: np.ndarray, reciprocal: int,
                        goodwill: int) -> None:
        """Free the insurgent's rows ``idx``: the first ``reciprocal`` repay agreed rounds."""
        paid = min(reciprocal, idx.size)
        self.ins_pool.release(idx[:paid], self.day, ReleaseMode.DEAL, oath=False)
        self.ins_pool.release(idx[paid:], self.day, ReleaseMode.GOODWILL, oath=False)
        self.ledger.insurgent_today += idx.size
        self._extend_truce(Side.INSURGENT, idx.size)

    def _extend_truce(self: ParleyModel, side: Side, freed: int) -> None:
        t = self.fighting.truce
        if t is not None and t.tied_to is side and freed:
            t.days_left += truce.days_earned(t, freed)
            t.credited += freed

    # 5. Unilateral release

    def _unilateral_release(self: ParleyModel) -> None:
        if self.talks.phase in OVER:
            return
        s, view, ledger = self.params, self.view, self.ledger
        size = self.government.unilateral(view, s.government)
        if size <= 0:
            return
        idx = self._in_turn(Side.GOVERNMENT, "humanitarian", size, self.allowed(Side.GOVERNMENT))
        if idx.size == 0:
            return
        felt = gov_rules.felt_pressure(view, s.government)  # what moved it, before the relief
        oath = s.government.oath
        named = self._free_government(idx, ReleaseMode.UNILATERAL, oath=oath)
        ledger.last_unilateral_day = self.day
        verdict = ins_rules.judge_release(view, s.insurgent, int(idx.size), jointly_agreed=False,
                                          joint_verification=self.terms.joint_verification)
        if verdict.compliant:
            ledger.compliant_credit += idx.size
        else:
            ledger.discounted_value += verdict.value
            ledger.unverified += idx.size
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, size=int(idx.size),
                    named=named, felt_pressure=round(felt, 3), oath=oath,
                    welcomed=verdict.welcomed)
        self._event(Actor.INSURGENT, EventKind.STATEMENT, rejects=not verdict.welcomed,
                    compliant=verdict.compliant)

    # 6. Insurgent releases

    def _insurgent_releases(self: ParleyModel) -> None:
        self._verify()
        self._hand_over_promised()
        if self.gov_pool.n_released == 0 and not self.view.condition_on_government:
            return  # nothing is owed before the government frees anyone
        reciprocal, goodwill = ins_rules.decide_releases(self.view, self.params.insurgent)
        if reciprocal + goodwill <= 0:
            return
        ledger = self.ledger
        ledger.reciprocal += reciprocal  # counted as paid once promised
        ledger.goodwill += goodwill
        lead = self.params.insurgent.release_lead_days
        ledger.promised.append((self.day + lead, reciprocal, goodwill))
        if lead == 0:
            self._hand_over_promised()

    def _hand_over_promised(self: ParleyModel) -> None:
        """Hand over the releases the insurgent decided on and that are due today."""
        ledger = self.ledger
        due = [p for p in ledger.promised if p[0] <= self.day]
        if not due or self.view.insurgent_halted:
            return
        ledger.promised = [p for p in ledger.promised if p[0] > self.day]
        reciprocal = sum(r for _, r, _ in due)
        goodwill = sum(g for _, _, g in due)
        idx = self._take_insurgent(reciprocal + goodwill)
        paid = min(reciprocal, idx.size)
        ledger.reciprocal -= reciprocal - paid  # what it could not deliver stays owed
        ledger.goodwill -= goodwill - (idx.size - paid)
        if idx.size == 0:
            return
        self._free_insurgent(idx, reciprocal=paid, goodwill=idx.size - paid)
        self._event(Actor.INSURGENT, EventKind.RELEASE, size=int(idx.size), reciprocal=paid,
                    goodwill=int(idx.size - paid))

    def _take_insurgent(self: ParleyModel, total: int) -> np.ndarray:
        """The insurgent's rows to free, in its order of preference.

        First what a condition of the government asks for, then by its cost, its named
        prisoners last of those listed, then the unlisted.
        """
        pool, allowed = self.ins_pool, self.allowed(Side.INSURGENT)
        parts = []
        for condition in self.talks.conditions:
            if condition.holder is Side.GOVERNMENT:
                parts.append(pool.take("cost", min(total, self.still_needed(condition)),
                                       allowed & condition.categories))
        idx = np.concatenate(parts) if parts else _EMPTY
        for order in ("cost", "named", "unlisted"):
            if idx.size < total:
                idx = np.concatenate([idx, self._in_turn(Side.INSURGENT, order, total - idx.size,
                                                         allowed)])
        if idx.size < total:
            self._shortfall(Side.INSURGENT, total, idx.size)
        return idx

    def _verify(self: ParleyModel) -> None:
        """The insurgent's team verifies releases made outside the mechanism (recognition)."""
        ledger = self.ledger
        done, ledger.verifying = ins_rules.verified_today(ledger.unverified, ledger.verifying,
                                                          self.params.insurgent)
        if not done:
            return
        ledger.discounted_value -= ledger.discounted_value * done / ledger.unverified
        ledger.unverified -= done
        ledger.compliant_credit += done
        # Said twice: when verification begins, and when it first catches up.
        news = 1 if ledger.unverified else 2
        if news > ledger.recognition_news:
            ledger.recognition_news = news
            self._event(Actor.INSURGENT, EventKind.RECOGNITION, verified=ledger.compliant_credit,
                        backlog=ledger.unverified)
