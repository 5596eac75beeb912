"""Agreed rounds (part of stage 3): verified, then released in the agreement's sequence.

The government frees a verified round up to the daily cap (or in the agreed stages); the
insurgent pays its share first, at once, or after, as the agreement says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.custody import Taken as TakenOverRuns
from sim.events import Actor, EventKind
from sim.mechanisms import exchange
from sim.pools import ReleaseMode, Taken, count
from sim.scenario import Sequence, Side
from sim.state import Round

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Agreed rounds (part of stage 3) for one run."""

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
            short = count(swap) < due
            if short:  # a swap shrinks to what the insurgent can give, and ends there
                want = max(0, min(want, int((round_.insurgent_released + count(swap))
                                            * terms.ratio) - round_.released))
                named_want = min(named_want, want)
        taken = self._take_government_round(want, named_want)
        freed = count(taken)
        if freed:
            named = self._free_government(taken, ReleaseMode.DEAL, oath=False)
            round_.released += freed
            round_.named_released += named
            self._event(Actor.GOVERNMENT, EventKind.RELEASE, size=freed, named=named,
                        mode="swap" if swap else "deal")
        if swap:  # both hand over what they took, even if one side fell short
            n = count(swap)
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
        return named + self._take(Side.GOVERNMENT, ("listed", "named"), want - count(named),
                                  agreed=True)

    def _insurgent_pays_first(self: ParleyModel, round_: Round, owed_first: int) -> None:
        """The insurgent frees its share of a verified round before the government frees it."""
        n = min(owed_first, self.view.insurgent_room_today)
        taken = self._take(Side.INSURGENT, ("listed", "named", "unlisted"), n, agreed=True)
        freed = count(taken)
        if freed:
            self._free_insurgent(taken, reciprocal=freed)
            self.ledger.reciprocal += freed
            round_.insurgent_released += freed
            self._event(Actor.INSURGENT, EventKind.RELEASE, size=freed, reciprocal=freed,
                        goodwill=0, mode="first")
        if freed < n:  # it cannot pay in full: the round goes ahead on what it gave
            round_.insurgent_released = exchange.share(round_.size, self.terms.ratio)


class OverRuns:
    """Agreed rounds (part of stage 3) over a block's runs, a value per run."""

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
        taken = TakenOverRuns(named_taken.orders + rest.orders, named_taken.starts + rest.starts,
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
