"""Agreed rounds (part of stage 3): verified, then released in the agreement's sequence.

The government frees a verified round up to the daily cap (or in the agreed stages); the
insurgent pays its share first, at once, or after, as the agreement says.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.events import Actor, EventKind
from sim.mechanisms import exchange
from sim.pools import ReleaseMode, Taken, count
from sim.scenario import Sequence, Side
from sim.state import Round

if TYPE_CHECKING:
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
