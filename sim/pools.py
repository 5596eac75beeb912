"""One run's custody of a side's prisoners: who is still held, and when and how each left.

The prisoners themselves (:class:`sim.prisoners.Prisoners`) are shared by every run of a
scenario; a :class:`Pool` adds what a run changes. Each holder frees its prisoners in fixed
orders, one per group (named, listed, unlisted) and category, that share no row: a release
takes the next rows of one order, so the daily step never loops over prisoners in Python and
never skips a row.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from sim.prisoners import Prisoners
from sim.scenario import Conflict

Order = tuple[str, int]
"""An order's name: its group (``named``, ``listed`` or ``unlisted``) and category code."""


class ReleaseMode(IntEnum):
    """How a prisoner left custody."""

    HELD = 0
    DEAL = 1
    UNILATERAL = 2
    GOODWILL = 3


class Taken(NamedTuple):
    """Rows taken from one order for a release: its positions ``start`` to ``end``."""

    order: Order
    start: int
    end: int
    rows: np.ndarray


def count(taken: list[Taken]) -> int:
    """Rows in a release's takes."""
    return sum(t.end - t.start for t in taken)


def _shared(name: str) -> property:
    return property(attrgetter(f"prisoners.{name}"), doc=f"The prisoners' ``{name}``.")


class Pool:
    """One run's custody of a side's prisoners.

    Args:
        prisoners: the side's prisoners (shared, never changed).
    """

    size = _shared("size")
    rank = _shared("rank")
    age = _shared("age")
    health = _shared("health")
    sentence = _shared("sentence")
    listed = _shared("listed")
    named = _shared("named")
    category = _shared("category")
    category_names = _shared("category_names")
    category_total = _shared("category_total")
    n_named = _shared("n_named")
    n_listed = _shared("n_listed")
    orders = _shared("orders")

    def __init__(self, prisoners: Prisoners) -> None:
        self.prisoners = prisoners
        n = prisoners.size
        self.n_released = self.n_named_released = self.n_senior_released = 0
        self.released_by_category = np.zeros(len(prisoners.category_names), dtype=np.int64)
        self.held = np.ones(n, dtype=bool)
        self.release_day = np.full(n, -1, dtype=np.int32)
        self.release_mode = np.zeros(n, dtype=np.int8)
        self.oath = np.zeros(n, dtype=bool)
        self.cursor: dict[Order, int] = dict.fromkeys(prisoners.orders, 0)
        self._named_orders = [o for o in prisoners.orders if o[0] == "named"]

    @property
    def n_held(self) -> int:
        """Prisoners still held."""
        return self.prisoners.size - self.n_released

    def left(self, order: Order) -> int:
        """Rows of an order still held."""
        return self.prisoners.orders[order].size - self.cursor[order]

    def named_held(self, may_free: Callable[[str], bool]) -> int:
        """Named prisoners still held, of the categories ``may_free`` lets the holder free."""
        names, orders, cursor = self.category_names, self.prisoners.orders, self.cursor
        return sum(orders[o].size - cursor[o] for o in self._named_orders
                   if may_free(names[o[1]]))

    def categories(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """A mask over the pool's categories: True for those named."""
        return np.array([name in names for name in self.category_names])

    def take(self, order: Order, k: int) -> Taken:
        """The next ``k`` rows of an order (fewer if it runs out), for the caller to free."""
        rows = self.prisoners.orders[order]
        start = self.cursor[order]
        end = min(rows.size, start + max(0, k))
        self.cursor[order] = end
        return Taken(order, start, end, rows[start:end])

    def release(self, taken: list[Taken], day: int, mode: ReleaseMode,
                oath: bool) -> tuple[int, int, int]:
        """Mark the rows taken as released.

        Returns:
            how many of them were ``(named, senior, listed)``.
        """
        named = senior = listed = 0
        p = self.prisoners
        for t in taken:  # each take is of one order: one group and one category
            k = t.end - t.start
            if k == 0:
                continue
            rows = t.rows
            if not self.held[rows].all():
                raise RuntimeError("a prisoner cannot be released twice")
            self.held[rows] = False
            self.release_day[rows] = day
            self.release_mode[rows] = mode
            if oath:  # rows are released once, so the rest keep their initial False
                self.oath[rows] = True
            self.released_by_category[t.order[1]] += k
            group = t.order[0]
            if group == "named":
                named += k
            if group != "unlisted":
                listed += k
            senior += int(np.count_nonzero(p.senior[rows]))
            self.n_released += k
        self.n_named_released += named
        self.n_senior_released += senior
        return named, senior, listed

    def expected_returns(self, taken: list[Taken], params: Conflict) -> float:
        """How many of the rows taken can be expected to return to fight (before any oath)."""
        weights = self.prisoners.return_weight(params)
        total = 0.0
        for t in taken:
            w = weights[t.order]
            total += w[t.end] - w[t.start]
        return float(total)
