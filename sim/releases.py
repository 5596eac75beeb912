"""Which of its prisoners a side frees, for one run: the categories in turn, and the takes.

A side frees its prisoners group by group (those named, then those listed, then the others)
and, within a group, category by category: first what a condition of the other side asks for,
then the categories it frees first, then the rest in the order the scenario lists them, never
a category it has barred. :class:`Releases` is a part of :class:`sim.model.ParleyModel`; the
stages that free prisoners (:mod:`sim.stages`) take from it, and what a release moves is in
:mod:`sim.stages.freeing`. The block's counterpart is :mod:`sim.engine.view`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.events import Actor, EventKind
from sim.mechanisms import exchange
from sim.pools import Pool, Taken
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.model import ParleyModel


class Releases:
    """Which prisoners a side frees, for one run."""

    def pool(self: ParleyModel, side: Side) -> Pool:
        """The pool a side holds."""
        return self.gov_pool if side is Side.GOVERNMENT else self.ins_pool

    def allowed(self: ParleyModel, side: Side, agreed: bool = False) -> np.ndarray:
        """:func:`sim.mechanisms.exchange.allowed`, for agreed releases or not."""
        wanted = getattr(self.terms, f"{side.value}_categories") if agreed else ()
        return exchange.allowed(self.pool(side).category_names,
                                getattr(self.params, side.value).barred, wanted)

    def named_available(self: ParleyModel) -> int:
        """Named prisoners still held whom the government may free (it has not barred them)."""
        barred = self.params.government.barred
        return self.gov_pool.named_held(lambda name: exchange.may_free(name, barred))

    def turn(self: ParleyModel, side: Side, allowed: np.ndarray) -> list[int]:
        """The categories a side frees in turn, as codes: see the module's text."""
        names = self.pool(side).category_names
        first = [name for c in self.talks.conditions if c.holder is side.other
                 for name in c.names]
        first += getattr(self.params, side.value).frees_first
        codes = [names.index(name) for name in first if name in names]
        codes += range(len(names))
        may = allowed.tolist()
        return [c for c in dict.fromkeys(codes) if may[c]]

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

    def _shortfall(self: ParleyModel, side: Side, wanted: int, got: int) -> None:
        holder = self.params.government if side is Side.GOVERNMENT else self.params.insurgent
        names = getattr(self.terms, f"{side.value}_categories") or ("prisoners",)
        barred = f" (barred: {', '.join(holder.barred)})" if holder.barred else ""
        self._event(Actor(side.value), EventKind.SHORTFALL, side=str(side), wanted=wanted,
                    short=wanted - got, categories=", ".join(names).replace("_", " ") + barred)

