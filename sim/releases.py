"""How prisoners change hands: agreed rounds, unilateral releases and the insurgent's releases.

:class:`Releases` holds stages 3 (the release of agreed rounds, in the agreement's sequence),
5 and 6 of a day for :class:`sim.model.ParleyModel`, which extends it; they read and change the
model's state parts like every other stage. Each release also moves what depends on it: the
government's pressure and the insurgent's trust, returns to fight, a truce tied to releases.

A side frees its prisoners group by group (those named, then those listed, then the others)
and, within a group, category by category: first what a condition of the other side asks for,
then the categories it frees first, then the rest in the order the scenario lists them, never
a category it has barred.
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
from sim.pools import Pool, ReleaseMode, Taken
from sim.scenario import Sequence, Side
from sim.state import Round

if TYPE_CHECKING:
    from sim.model import ParleyModel


def _count(taken: list[Taken]) -> int:
    return sum(t.end - t.start for t in taken)


class Releases:
    """Stages 3, 5 and 6 of a day: who frees whom, and what follows from it."""

    def pool(self: ParleyModel, side: Side) -> Pool:
        """The pool a side holds."""
        return self.gov_pool if side is Side.GOVERNMENT else self.ins_pool

    def allowed(self: ParleyModel, side: Side, agreed: bool = False) -> np.ndarray:
        """:func:`sim.mechanisms.exchange.allowed`, for agreed releases or not.

        Kept for each set of parameters in effect (a shock's regime): asked several times a
        day, it changes only with them.
        """
        key = (side, agreed, id(self.params))
        found = self._allowed.get(key)
        if found is None:
            wanted = getattr(self.terms, f"{side.value}_categories") if agreed else ()
            found = self._allowed[key] = exchange.allowed(
                self.pool(side).category_names, getattr(self.params, side.value).barred, wanted)
        return found

    def turn(self: ParleyModel, side: Side, allowed: np.ndarray) -> list[int]:
        """The categories a side frees in turn, as codes: see the module's text."""
        names = self.pool(side).category_names
        first = [name for c in self.talks.conditions if c.holder is side.other
                 for name in c.names]
        first += getattr(self.params, side.value).frees_first
        codes = [names.index(name) for name in first if name in names]
        codes += range(len(names))
        return [c for c in dict.fromkeys(codes) if allowed[c]]

    def _take(self: ParleyModel, side: Side, groups: tuple[str, ...], k: int,
              agreed: bool = False) -> list[Taken]:
        """Up to ``k`` rows a side may free from these groups, saying so when it runs short."""
        pool = self.pool(side)
        taken = []
        need = k
        turn = self.turn(side, self.allowed(side, agreed))
        for group in groups:
            for c in turn:
                if need <= 0:
                    break
                t = pool.take((group, c), need)
                if t.end > t.start:
                    taken.append(t)
                    need -= t.end - t.start
        if need > 0 and k > 0:
            self._shortfall(side, k, k - need)
        return taken

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
        swap: list[Taken] = []
        short = False
        if terms.sequence is Sequence.SIMULTANEOUS:
            if view.insurgent_halted:
                return
            due = exchange.share(round_.released + want, terms.ratio) - round_.insurgent_released
            swap = self._take(Side.INSURGENT, ("listed", "named", "unlisted"), due, agreed=True)
            short = _count(swap) < due
            if short:  # a swap shrinks to what the insurgent can give, and ends there
                want = max(0, min(want, int((round_.insurgent_released + _count(swap))
                                            * terms.ratio) - round_.released))
                named_want = min(named_want, want)
        taken = self._take_government_round(want, named_want)
        freed = _count(taken)
        if freed:
            named = self._free_government(taken, ReleaseMode.DEAL, oath=False)
            round_.released += freed
            round_.named_released += named
            self._event(Actor.GOVERNMENT, EventKind.RELEASE, size=freed, named=named,
                        mode="swap" if swap else "deal")
        if swap:  # both hand over what they took, even if one side fell short
            n = _count(swap)
            self._free_insurgent(swap, reciprocal=n)
            self.ledger.reciprocal += n
            round_.insurgent_released += n
            self._event(Actor.INSURGENT, EventKind.RELEASE, size=n, reciprocal=n, goodwill=0,
                        mode="swap")
        if round_.released >= round_.size or freed < want or short:
            self.talks.round = None

    def _take_government_round(self: ParleyModel, want: int, named_want: int) -> list[Taken]:
        """The government's rows for today's part of a round.

        The named prisoners the round includes come first, then the listed ones; named
        prisoners it was not asked for only when no one else is left.
        """
        named = self._take(Side.GOVERNMENT, ("named",), named_want, agreed=True)
        return named + self._take(Side.GOVERNMENT, ("listed", "named"), want - _count(named),
                                  agreed=True)

    def _insurgent_pays_first(self: ParleyModel, round_: Round, owed_first: int) -> None:
        """The insurgent frees its share of a verified round before the government frees it."""
        n = min(owed_first, self.view.insurgent_room_today)
        taken = self._take(Side.INSURGENT, ("listed", "named", "unlisted"), n, agreed=True)
        freed = _count(taken)
        if freed:
            self._free_insurgent(taken, reciprocal=freed)
            self.ledger.reciprocal += freed
            round_.insurgent_released += freed
            self._event(Actor.INSURGENT, EventKind.RELEASE, size=freed, reciprocal=freed,
                        goodwill=0, mode="first")
        if freed < n:  # it cannot pay in full: the round goes ahead on what it gave
            round_.insurgent_released = exchange.share(round_.size, self.terms.ratio)

    def _shortfall(self: ParleyModel, side: Side, wanted: int, got: int) -> None:
        holder = self.params.government if side is Side.GOVERNMENT else self.params.insurgent
        names = getattr(self.terms, f"{side.value}_categories") or ("prisoners",)
        barred = f" (barred: {', '.join(holder.barred)})" if holder.barred else ""
        self._event(Actor(side.value), EventKind.SHORTFALL, side=str(side), wanted=wanted,
                    short=wanted - got, categories=", ".join(names).replace("_", " ") + barred)

    def _free_government(self: ParleyModel, taken: list[Taken], mode: ReleaseMode,
                         oath: bool) -> int:
        """Free the government's rows taken; returns how many of them were named."""
        s, p, ledger = self.params, self.pressure, self.ledger
        named, seniors, listed = self.gov_pool.release(taken, self.day, mode, oath)
        size = _count(taken)
        ledger.government_today += size
        p.domestic += gov_rules.opposition_from_seniors(seniors, s.government)
        returning = self.gov_pool.expected_returns(taken, s.conflict)
        self.fighting.leaving += returning * (s.conflict.oath_factor if oath else 1.0)
        ledger.listed += listed
        if mode is ReleaseMode.DEAL:
            ledger.deal += size
        else:
            ledger.unilateral += size
        p.mediator = max(0.0, p.mediator - med_rules.release_relief(s.mediator, size))
        self.talks.trust = min(1.0, self.talks.trust + ins_rules.trust_gain(s.insurgent, size))
        self._extend_truce(Side.GOVERNMENT, size)
        return named

    def _free_insurgent(self: ParleyModel, taken: list[Taken], reciprocal: int) -> None:
        """Free the insurgent's rows taken: the first ``reciprocal`` repay agreed rounds."""
        paid, rest = [], []
        left = reciprocal
        for t in taken:  # split the takes at the point where repayment ends
            cut = t.start + max(0, min(left, t.end - t.start))
            paid.append(Taken(t.order, t.start, cut, t.rows[:cut - t.start]))
            rest.append(Taken(t.order, cut, t.end, t.rows[cut - t.start:]))
            left -= cut - t.start
        self.ins_pool.release(paid, self.day, ReleaseMode.DEAL, oath=False)
        self.ins_pool.release(rest, self.day, ReleaseMode.GOODWILL, oath=False)
        size = _count(taken)
        self.ledger.insurgent_today += size
        self._extend_truce(Side.INSURGENT, size)

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
        taken = self._take(Side.GOVERNMENT, ("listed",), size)
        freed = _count(taken)
        if freed == 0:
            return
        felt = gov_rules.felt_pressure(view, s.government)  # what moved it, before the relief
        oath = s.government.oath
        named = self._free_government(taken, ReleaseMode.UNILATERAL, oath=oath)
        ledger.last_unilateral_day = self.day
        verdict = ins_rules.judge_release(view, s.insurgent, freed, jointly_agreed=False,
                                          joint_verification=self.terms.joint_verification)
        if verdict.compliant:
            ledger.compliant_credit += freed
        else:
            ledger.discounted_value += verdict.value
            ledger.unverified += freed
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, size=freed, named=named,
                    felt_pressure=round(felt, 3), oath=oath, welcomed=verdict.welcomed)
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
        if not ledger.promised:
            return
        due = [p for p in ledger.promised if p[0] <= self.day]
        if not due or self.view.insurgent_halted:
            return
        ledger.promised = [p for p in ledger.promised if p[0] > self.day]
        reciprocal = sum(r for _, r, _ in due)
        goodwill = sum(g for _, _, g in due)
        taken = self._take(Side.INSURGENT, ("listed", "named", "unlisted"),
                           reciprocal + goodwill)
        freed = _count(taken)
        paid = min(reciprocal, freed)
        ledger.reciprocal -= reciprocal - paid  # what it could not deliver stays owed
        ledger.goodwill -= goodwill - (freed - paid)
        if freed == 0:
            return
        self._free_insurgent(taken, reciprocal=paid)
        self._event(Actor.INSURGENT, EventKind.RELEASE, size=freed, reciprocal=paid,
                    goodwill=freed - paid)

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
