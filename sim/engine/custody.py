"""Each side's custody of its prisoners for every run of a block: cursors into shared orders.

The prisoners and the orders in which their holder frees them are shared by every run
(:class:`sim.prisoners.Prisoners`); a run's custody is where it stands in each order. A
release takes, run by run, the next rows of one order after another, as
:meth:`sim.releases.Releases._take` does, so only counts and running totals are kept: what a
release frees of each category, how many were named, senior or listed, and how many can be
expected to return to fight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.prisoners import GROUPS, Prisoners, humanitarian_score
from sim.scenario import Conflict


@dataclass
class Taken:
    """What a block's take removed from each order it reached: a start and end per run."""

    orders: list[np.ndarray]
    starts: list[np.ndarray]
    ends: list[np.ndarray]
    short: np.ndarray
    """Runs that could not take all they wanted."""

    @property
    def size(self) -> np.ndarray:
        """Rows taken in each run."""
        return sum((e - s for s, e in zip(self.starts, self.ends, strict=True)),
                   np.zeros_like(self.short, dtype=np.int64))


def _padded(rows: list[np.ndarray], width: int) -> np.ndarray:
    out = np.zeros((len(rows), width))
    for i, r in enumerate(rows):
        out[i, :r.size] = r
        out[i, r.size:] = r[-1] if r.size else 0.0
    return out


class Custody:
    """One side's prisoners across the runs of a block.

    Args:
        prisoners: the side's prisoners (shared by every run).
        runs: runs in the block.
    """

    def __init__(self, prisoners: Prisoners, runs: int) -> None:
        self.prisoners = prisoners
        keys = list(prisoners.orders)
        self.keys = keys
        n_cat = len(prisoners.category_names)
        self.index = np.array([[keys.index((g, c)) for c in range(n_cat)] for g in GROUPS])
        self.group_of = np.array([GROUPS.index(g) for g, _ in keys])
        self.category_of = np.array([c for _, c in keys])
        self.sizes = np.array([prisoners.orders[k].size for k in keys])
        width = int(self.sizes.max()) + 1
        self.senior = _padded([np.concatenate([[0.0], np.cumsum(
            prisoners.senior[prisoners.orders[k]])]) for k in keys], width)
        score = humanitarian_score(prisoners.age, prisoners.health, prisoners.sentence)
        self.score = _padded([score[prisoners.orders[k]] for k in keys], width)
        # The highest score from each position of an order to its end.
        self.best_after = _padded([np.maximum.accumulate(score[prisoners.orders[k]][::-1])[::-1]
                                   for k in keys], width)
        self._weights: dict[Conflict, np.ndarray] = {}
        self.cursor = np.zeros((runs, len(keys)), dtype=np.int64)
        self.n_released = np.zeros(runs, dtype=np.int64)
        self.n_named_released = np.zeros(runs, dtype=np.int64)
        self.released_by_category = np.zeros((runs, n_cat), dtype=np.int64)
        self._runs = np.arange(runs)

    def weights(self, params: Conflict) -> np.ndarray:
        """Running totals of the chance of return along each order (a row per order)."""
        found = self._weights.get(params)
        if found is None:
            w = self.prisoners.return_weight(params)
            found = self._weights[params] = _padded([w[k] for k in self.keys],
                                                    self.score.shape[1])
        return found

    def released(self, run: int) -> np.ndarray:
        """Which prisoners one run has freed: a flag per row of the side's prisoners."""
        out = np.zeros(self.prisoners.size, dtype=bool)
        for order, key in enumerate(self.keys):
            out[self.prisoners.orders[key][:self.cursor[run, order]]] = True
        return out

    def left(self, group: int, category: int) -> np.ndarray:
        """Rows of one order still held, in each run."""
        order = self.index[group, category]
        return self.sizes[order] - self.cursor[:, order]

    def take(self, groups: tuple[str, ...], k: np.ndarray, turn: np.ndarray) -> Taken:
        """Take up to ``k`` rows in each run.

        Group by group, and in each group the categories of ``turn`` (a row per run, -1
        where it ends) one after another.
        """
        need = k.copy()
        orders, starts, ends = [], [], []
        for group in groups:
            g = GROUPS.index(group)
            for slot in range(turn.shape[1]):
                if not need.any():
                    break
                cat = turn[:, slot]
                valid = (cat >= 0) & (need > 0)
                order = self.index[g, np.maximum(cat, 0)]
                start = self.cursor[self._runs, order]
                n = np.where(valid, np.minimum(need, self.sizes[order] - start), 0)
                if not n.any():
                    continue
                self.cursor[self._runs, order] = start + n
                need = need - n
                orders.append(order)
                starts.append(start)
                ends.append(start + n)
        return Taken(orders, starts, ends, (need > 0) & (k > 0))

    def release(self, taken: Taken) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Count what was taken as freed: ``(named, senior, listed)`` in each run."""
        named = np.zeros_like(self.n_released)
        senior = np.zeros_like(self.n_released)
        listed = np.zeros_like(self.n_released)
        for order, start, end in zip(taken.orders, taken.starts, taken.ends, strict=True):
            n = end - start
            group = self.group_of[order]
            named += np.where(group == 0, n, 0)
            listed += np.where(group != 2, n, 0)
            senior += (self.senior[order, end] - self.senior[order, start]).astype(np.int64)
            # One category per run here, so no cell is named twice.
            self.released_by_category[self._runs, self.category_of[order]] += n
        self.n_released += taken.size
        self.n_named_released += named
        return named, senior, listed

    def expected_returns(self, taken: Taken, params: Conflict) -> np.ndarray:
        """How many of the rows taken can be expected to return to fight (before any oath)."""
        w = self.weights(params)
        total = np.zeros(self.n_released.size)
        for order, start, end in zip(taken.orders, taken.starts, taken.ends, strict=True):
            total = total + (w[order, end] - w[order, start])
        return total

    def lowest_score(self, taken: Taken) -> np.ndarray:
        """The lowest humanitarian score among the rows taken (inf where none)."""
        low = np.full(self.n_released.size, np.inf)
        for order, start, end in zip(taken.orders, taken.starts, taken.ends, strict=True):
            low = np.where(end > start, np.minimum(low, self.score[order, np.maximum(end - 1,
                                                                                     0)]), low)
        return low

    def highest_held_score(self, group: int, allowed: np.ndarray) -> np.ndarray:
        """The highest humanitarian score among a group's rows still held.

        Over the allowed categories; -inf where none is held.
        """
        high = np.full(self.n_released.size, -np.inf)
        for c in np.flatnonzero(allowed):
            order = self.index[group, c]
            pos = self.cursor[:, order]
            held = pos < self.sizes[order]
            top = self.best_after[order, np.minimum(pos, self.best_after.shape[1] - 1)]
            high = np.where(held, np.maximum(high, top), high)
        return high
