"""One run's custody of a side's prisoners: who is still held, and when and how each left.

The prisoners themselves (:class:`sim.prisoners.Prisoners`) are shared by every run of a
scenario; a :class:`Pool` adds what a run changes. A release takes the next rows of a
precomputed order in a few vectorised operations: the daily step never loops over prisoners in
Python.
"""

from __future__ import annotations

from enum import IntEnum
from operator import attrgetter

import numpy as np

from sim.prisoners import Prisoners
from sim.scenario import Conflict

_EMPTY = np.empty(0, dtype=np.int64)


class ReleaseMode(IntEnum):
    """How a prisoner left custody."""

    HELD = 0
    DEAL = 1
    UNILATERAL = 2
    GOODWILL = 3


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
        # Rows neither freed nor taken for a release about to happen: what a take may choose,
        # so that two takes before a release never choose the same row.
        self._free_to_take = np.ones(n, dtype=bool)
        self.release_day = np.full(n, -1, dtype=np.int32)
        self.release_mode = np.zeros(n, dtype=np.int8)
        self.oath = np.zeros(n, dtype=bool)
        self.return_day = np.full(n, -1, dtype=np.int32)
        self._cursor = dict.fromkeys(prisoners.orders, 0)
        self._passed = dict.fromkeys(prisoners.orders, _EMPTY)  # see _take_passing

    @property
    def n_held(self) -> int:
        """Prisoners still held."""
        return self.size - self.n_released

    def named_held(self, allowed: np.ndarray) -> int:
        """Named prisoners still held, of the allowed categories."""
        rows = self.prisoners.named_rows
        return int(np.count_nonzero(self.held[rows] & allowed[self.category[rows]]))

    def categories(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """A mask over the pool's categories: True for those named."""
        return np.isin(np.array(self.category_names), list(names))

    def take(self, order_name: str, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """The next ``k`` free rows of a precomputed order (fewer if it runs out).

        Rows already freed, or taken by an earlier call, are skipped, in vectorised chunks.
        The rows returned are set aside for the caller to free: no later take returns them.

        Args:
            order_name: which order to take from.
            k: how many rows.
            allowed: a mask over the categories (see :meth:`categories`); rows of the others
                are passed over and kept, in order, for a later take that allows them.
                None: every category.
        """
        if k <= 0:
            return _EMPTY
        if (allowed is not None and not allowed.all()) or self._passed[order_name].size:
            return self._take_passing(order_name, k, allowed)
        order = self.orders[order_name]
        start = self._cursor[order_name]
        chunk = order.upto(start + k)[start:]
        if chunk.size == k and np.count_nonzero(self._free_to_take[chunk]) == k:  # usual
            self._cursor[order_name] = start + k
            self._free_to_take[chunk] = False
            return chunk
        picked: list[np.ndarray] = []
        need = k
        while need > 0 and start < order.size:
            chunk = order.upto(start + max(2 * need, 64))[start:]
            pos = np.flatnonzero(self._free_to_take[chunk])
            if pos.size > need:
                pos = pos[:need]
                start += int(pos[-1]) + 1
            else:
                start += chunk.size
            picked.append(chunk[pos])
            need -= pos.size
        self._cursor[order_name] = start
        out = (picked[0] if len(picked) == 1 else np.concatenate(picked) if picked else _EMPTY)
        self._free_to_take[out] = False
        return out

    def _take_passing(self, order_name: str, k: int, allowed: np.ndarray | None) -> np.ndarray:
        """:meth:`take` when some rows are passed over, or were passed over before.

        Free rows of categories not allowed now are passed over and kept, in order, in a short
        list that comes before the cursor; every take looks there first. So a take always
        returns the first ``k`` free, allowed rows of the order, and each row is scanned past
        once.
        """
        passed = self._passed[order_name]
        passed = passed[self._free_to_take[passed]]
        ok = np.ones(passed.size, dtype=bool) if allowed is None else \
            allowed[self.category[passed]]
        chosen = [passed[ok][:k]]
        passed = np.concatenate([passed[~ok], passed[ok][k:]])
        need = k - chosen[0].size
        order = self.orders[order_name]
        start = self._cursor[order_name]
        kept = [passed]
        while need > 0 and start < order.size:
            window = order.upto(start + max(2 * need, 64))[start:]
            free = self._free_to_take[window]
            good = free if allowed is None else free & allowed[self.category[window]]
            pos = np.flatnonzero(good)
            if pos.size > need:  # the window reaches past what is needed: stop at the last
                pos = pos[:need]
                window, free = window[:pos[-1] + 1], free[:pos[-1] + 1]
            free[pos] = False  # what is left free in the window was passed over
            kept.append(window[free])
            chosen.append(window[pos])
            need -= pos.size
            start += window.size
        self._cursor[order_name] = start
        self._passed[order_name] = np.concatenate(kept)
        out = np.concatenate(chosen)
        self._free_to_take[out] = False
        return out

    def release(self, idx: np.ndarray, day: int, mode: ReleaseMode,
                oath: bool) -> tuple[int, int, int]:
        """Mark distinct, still-held rows as released.

        Returns:
            how many of them were ``(named, senior, listed)``.
        """
        if idx.size == 0:
            return 0, 0, 0
        ordered = np.sort(idx)
        if (np.count_nonzero(self.held[idx]) != idx.size
                or np.count_nonzero(ordered[1:] == ordered[:-1])):
            raise RuntimeError("a prisoner cannot be released twice")
        self.held[idx] = False
        self._free_to_take[idx] = False
        self.release_day[idx] = day
        self.release_mode[idx] = mode
        if oath:  # rows are released once, so the rest keep their initial False
            self.oath[idx] = True
        self.released_by_category += np.bincount(self.category[idx],
                                                 minlength=self.released_by_category.size)
        c = np.bincount(self.prisoners.flags[idx], minlength=8).tolist()
        named, senior, listed = c[1] + c[3] + c[5] + c[7], c[2] + c[3] + c[6] + c[7], sum(c[4:])
        self.n_released += idx.size
        self.n_named_released += named
        self.n_senior_released += senior
        return named, senior, listed

    def draw_returns(self, idx: np.ndarray, day: int, oath: bool, params: Conflict,
                     rng: np.random.Generator) -> np.ndarray:
        """Decide which rows freed together (all under oath or none) return to fight, and when.

        Returns:
            the return days of those who return.
        """
        p = self.prisoners.return_weight(params)[idx]
        if oath:
            p *= params.oath_factor
        back = idx[rng.random(idx.size) < p]
        days = rng.geometric(1.0 / params.return_delay_days, size=back.size)
        days += day
        self.return_day[back] = days
        return days
