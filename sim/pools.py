"""Prisoner pools as numpy arrays: generation, loading, selection orders and releases.

A pool holds one row per prisoner. Selection orders are computed once at set-up, so a
release takes the next rows of an order in a few vectorised operations: the daily step never
loops over prisoners in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

import numpy as np

from sim.errors import PoolDataError, Problem
from sim.scenario import Conflict, PoolSpec

RANK_FILE, RANK_MID, RANK_SENIOR = 0, 1, 2
CSV_COLUMNS = ("rank", "age", "health", "sentence_days", "listed", "named")
_EMPTY = np.empty(0, dtype=np.int64)


class ReleaseMode(IntEnum):
    """How a prisoner left custody."""

    HELD = 0
    DEAL = 1
    UNILATERAL = 2
    GOODWILL = 3


def humanitarian_score(age: np.ndarray, health: np.ndarray, sentence: np.ndarray) -> np.ndarray:
    """Score for release on humanitarian grounds: poor health, old age, little sentence left.

    Each term lies in [0, 1] and they weigh equally, following the Afghan decree of March 2020
    ("selected by age, health and sentence served").
    """
    frailty = 1.0 - health
    oldness = np.clip((age - 14.0) / 76.0, 0.0, 1.0)
    served = 1.0 - np.clip(sentence / 3650.0, 0.0, 1.0)
    return frailty + oldness + served


def security_cost(rank: np.ndarray, age: np.ndarray) -> np.ndarray:
    """The holder's cost of freeing a prisoner: rank dominates, youth adds a little."""
    return rank.astype(np.float64) + np.clip((45.0 - age) / 31.0, 0.0, 1.0) * 0.5


def stable_argsort(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")``, three to four times faster on pool-sized arrays.

    The default sort breaks ties in an order that may differ between machines; so when keys
    tie, the tied rows are put back in position order by one sort of their pairs (run of equal
    keys, position) packed into one integer. The result is unique, hence the same on every
    machine.
    """
    order = np.argsort(key)
    n = key.size
    ranked = key[order]
    tie = ranked[1:] == ranked[:-1]
    if not tie.any():
        return order
    run = np.zeros(n, dtype=np.int64)
    np.cumsum(~tie, out=run[1:])
    tied = np.zeros(n, dtype=bool)  # rows with an equal neighbour: only they move
    tied[1:] |= tie
    tied[:-1] |= tie
    sel = np.flatnonzero(tied)
    order[sel] = np.sort(run[sel] * n + order[sel]) % n
    return order


class LazyOrder:
    """Rows in ascending order of a key, ties by row, sorted a block at a time on demand.

    The prefix is exactly that of ``rows[np.argsort(key, kind="stable")]``: each block takes
    every remaining row whose key is at most the block's k-th smallest (ties included), and
    sorts that block stably.
    """

    BLOCK = 8192
    WHOLE = 20_000  # orders up to this size are sorted in one go

    def __init__(self, rows: np.ndarray, key: np.ndarray | None) -> None:
        self.rows = rows
        self.key = key
        self.size = rows.size
        if key is None:
            self.sorted = rows
            self._rest = np.empty(0, dtype=np.int64)
        else:
            self.sorted = np.empty(0, dtype=rows.dtype)
            self._rest = np.arange(rows.size)

    def upto(self, end: int) -> np.ndarray:
        """The first ``end`` rows of the order (all of them if fewer)."""
        while self.sorted.size < end and self._rest.size:
            rest_key = self.key[self._rest]
            # Blocks double, and a small remainder is sorted whole: few passes over the rest.
            k = max(self.BLOCK, self.sorted.size, end - self.sorted.size)
            if 2 * k < self._rest.size and self._rest.size > self.WHOLE:
                kth = np.partition(rest_key, k - 1)[k - 1]
                sel = rest_key <= kth
                chosen, self._rest = self._rest[sel], self._rest[~sel]
                chosen_key = rest_key[sel]
            else:
                chosen, self._rest = self._rest, self._rest[:0]
                chosen_key = rest_key
            block = self.rows[chosen[stable_argsort(chosen_key)]]
            self.sorted = np.concatenate([self.sorted, block])
        return self.sorted[:end]


@dataclass
class Pool:
    """One side's prisoners, a row each, plus release bookkeeping."""

    rank: np.ndarray
    age: np.ndarray
    health: np.ndarray
    sentence: np.ndarray
    listed: np.ndarray
    named: np.ndarray
    category: np.ndarray | None = None
    """Category code of each row (an index into ``category_names``); None: all in one."""
    category_names: tuple[str, ...] = ("all",)
    size: int = field(init=False)
    held: np.ndarray = field(init=False)
    release_day: np.ndarray = field(init=False)
    release_mode: np.ndarray = field(init=False)
    oath: np.ndarray = field(init=False)
    return_day: np.ndarray = field(init=False)
    n_released: int = 0
    n_named_released: int = 0
    n_senior_released: int = 0

    def __post_init__(self) -> None:
        n = self.size = self.rank.size
        if self.category is None:
            self.category = np.zeros(n, dtype=np.int8)
        self.category_total = np.bincount(self.category, minlength=len(self.category_names))
        self.released_by_category = np.zeros(len(self.category_names), dtype=np.int64)
        self.held = np.ones(n, dtype=bool)
        # Rows neither freed nor taken for a release about to happen: what a take may choose,
        # so that two takes before a release never choose the same row.
        self._free_to_take = np.ones(n, dtype=bool)
        self.release_day = np.full(n, -1, dtype=np.int32)
        self.release_mode = np.zeros(n, dtype=np.int8)
        self.oath = np.zeros(n, dtype=bool)
        self.return_day = np.full(n, -1, dtype=np.int32)
        # One code per row for counting a release in one pass: named 1, senior 2, listed 4.
        self._flags = (self.named.astype(np.int8) | (self.rank == RANK_SENIOR).astype(np.int8) << 1
                       | self.listed.astype(np.int8) << 2)
        self.n_named = int(self.named.sum())
        self._named_rows = np.flatnonzero(self.named)
        self.n_listed = int(self.listed.sum())
        # Orders sorted lazily, a block at a time: a run frees few of a large pool.
        listed_idx = np.flatnonzero(self.listed & ~self.named)
        score = humanitarian_score(self.age[listed_idx], self.health[listed_idx],
                                   self.sentence[listed_idx])
        self.orders = {
            "humanitarian": LazyOrder(listed_idx, -score),
            "cost": LazyOrder(listed_idx, security_cost(self.rank[listed_idx],
                                                        self.age[listed_idx])),
            "named": LazyOrder(np.flatnonzero(self.named), None),
        }
        unlisted = np.flatnonzero(~self.listed)
        self.orders["unlisted"] = LazyOrder(unlisted, security_cost(self.rank[unlisted],
                                                                    self.age[unlisted]))
        self._cursor = {"humanitarian": 0, "cost": 0, "named": 0, "unlisted": 0}
        self._weight_params: Conflict | None = None

    @property
    def n_held(self) -> int:
        """Prisoners still held."""
        return self.size - self.n_released

    def named_held(self, allowed: np.ndarray) -> int:
        """Named prisoners still held, of the allowed categories."""
        rows = self._named_rows
        return int(np.count_nonzero(self.held[rows] & allowed[self.category[rows]]))

    def categories(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """A mask over the pool's categories: True for those named."""
        return np.isin(np.array(self.category_names), list(names))

    def take(self, order_name: str, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """The next ``k`` still-held rows of a precomputed order (fewer if it runs out).

        Rows already freed, or taken by an earlier call, are skipped, in vectorised chunks.
        The rows returned are set aside for the caller to free: no later take returns them.

        Args:
            order_name: which order to take from.
            k: how many rows.
            allowed: a mask over the categories (see :meth:`categories`); rows of the others
                are passed over and stay in the order for later. None: every category.
        """
        if k <= 0:
            return _EMPTY
        if allowed is not None and not allowed.all():
            return self._take_allowed(order_name, k, allowed)
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

    def _take_allowed(self, order_name: str, k: int, allowed: np.ndarray) -> np.ndarray:
        """:meth:`take` of rows of some categories only.

        Held rows of other categories stay ahead of the order's cursor, which moves only past
        rows that are gone for good (freed) or taken now.
        """
        order = self.orders[order_name]
        start = self._cursor[order_name]
        end = start
        while True:
            end = min(order.size, end + max(2 * k, 64))
            window = order.upto(end)[start:]
            held = self._free_to_take[window]
            ok = held & allowed[self.category[window]]
            chosen = np.flatnonzero(ok)
            if chosen.size >= k or end >= order.size:
                break
        chosen = chosen[:k]
        held[chosen] = False  # what stays held after this take
        waiting = np.flatnonzero(held)
        self._cursor[order_name] = start + (int(waiting[0]) if waiting.size else window.size)
        out = window[chosen]
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
        c = np.bincount(self._flags[idx], minlength=8).tolist()
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
        p = self._return_weight(params)[idx]
        if oath:
            p *= params.oath_factor
        back = idx[rng.random(idx.size) < p]
        days = rng.geometric(1.0 / params.return_delay_days, size=back.size)
        days += day
        self.return_day[back] = days
        return days

    def _return_weight(self, params: Conflict) -> np.ndarray:
        """Per-row chance of return before the oath.

        Worked out over the whole pool once per parameter set (releases reuse it), because
        freeing a batch would otherwise cost a pass over every row.
        """
        if self._weight_params != params:
            w = np.full(self.size, params.return_base)
            w *= np.where(self.age < params.young_age, params.young_factor, 1.0)
            w *= np.where(self.rank == RANK_SENIOR, params.senior_factor, 1.0)
            w *= self.health  # health is fixed too: fold it in once
            self._weight, self._weight_params = w, params
        return self._weight


def category_codes(spec: PoolSpec) -> tuple[np.ndarray, tuple[str, ...]]:
    """Category codes of a generated pool's rows, in blocks, and the categories' names.

    Rows are drawn independently of one another, so blocks of rows are random samples.
    """
    counts = spec.category_counts()
    codes = np.repeat(np.arange(len(counts), dtype=np.int8), list(counts.values()))
    return codes, tuple(counts)


def generate_pool(spec: PoolSpec, rng: np.random.Generator) -> Pool:
    """Draw a pool from the scenario's distributions with the model's generator.

    Named prisoners are senior commanders, listed, and of the category ``named_in`` when the
    scenario gives one (fewer are named if that category has too few listed prisoners).
    """
    n = spec.size
    cuts = np.cumsum(spec.rank_shares)[:-1]
    rank = np.searchsorted(cuts, rng.random(n), side="right").astype(np.int8)
    age = np.clip(rng.normal(spec.age_mean, spec.age_sd, n), 14.0, 90.0).astype(np.float32)
    health = rng.beta(spec.health_alpha, spec.health_beta, n).astype(np.float32)
    sentence = rng.exponential(spec.sentence_mean_days, n).astype(np.float32)
    if spec.listed == n:
        # Rows are drawn independently, so when all are listed any order is a random one.
        listed_idx = np.arange(n)
        listed = np.ones(n, dtype=bool)
    else:
        listed_idx = rng.permutation(n)[:spec.listed]
        listed = np.zeros(n, dtype=bool)
        listed[listed_idx] = True
    category, names = category_codes(spec)
    named = np.zeros(n, dtype=bool)
    if spec.named:
        if spec.named_in is not None:
            listed_idx = listed_idx[category[listed_idx] == names.index(spec.named_in)]
        # Named prisoners are senior commanders: pick listed seniors first, promote if short.
        is_senior = rank[listed_idx] == RANK_SENIOR
        seniors_first = np.concatenate([listed_idx[is_senior], listed_idx[~is_senior]])
        chosen = seniors_first[:spec.named]
        named[chosen] = True
        rank[chosen] = RANK_SENIOR
    return Pool(rank, age, health, sentence, listed, named, category, names)


def load_pool(spec: PoolSpec, section: str) -> Pool:
    """Read a pool from the CSV a scenario names, checking columns and values."""
    import pandas as pd  # imported here: pandas is slow to import and rarely needed

    path = Path(spec.csv or "")
    field_path = f"pools.{section}.csv"
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise PoolDataError([Problem(str(path), field_path, f"cannot be read ({exc})",
                                     "a CSV with columns " + ",".join(CSV_COLUMNS))]) from None
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise PoolDataError([Problem(str(path), field_path, f"missing columns {missing}",
                                     "columns " + ",".join(CSV_COLUMNS))])
    problems = []
    checks = {"rank": (0, 2), "age": (14, 90), "health": (0, 1), "sentence_days": (0, 36500)}
    for col, (lo, hi) in checks.items():
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or (values < lo).any() or (values > hi).any():
            problems.append(Problem(str(path), f"{field_path}:{col}",
                                    "has missing, non-numeric or out-of-range values",
                                    f"numbers from {lo} to {hi}"))
    for col in ("listed", "named"):
        if not frame[col].isin([0, 1, True, False]).all():
            problems.append(Problem(str(path), f"{field_path}:{col}", "has values other than 0/1",
                                    "0 or 1"))
    if problems:
        raise PoolDataError(problems)
    listed = frame["listed"].to_numpy(bool)
    named = frame["named"].to_numpy(bool)
    if (named & ~listed).any():
        raise PoolDataError([Problem(str(path), f"{field_path}:named",
                                     "names prisoners who are not listed",
                                     "named only where listed is 1")])
    category, names = _csv_categories(frame, spec, str(path), field_path)
    return Pool(frame["rank"].to_numpy(np.int8), frame["age"].to_numpy(np.float32),
                frame["health"].to_numpy(np.float32), frame["sentence_days"].to_numpy(np.float32),
                listed, named, category, names)


def _csv_categories(frame, spec: PoolSpec, path: str, field_path: str
                    ) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """Category codes from a CSV's ``category`` column, by the scenario's category names."""
    names = tuple(spec.category_counts())
    if "category" not in frame.columns:
        if spec.categories:
            raise PoolDataError([Problem(path, f"{field_path}:category", "is missing, but the "
                                         "scenario declares categories", "a category column "
                                         "naming " + ", ".join(names))])
        return None, names
    codes = frame["category"].map({name: i for i, name in enumerate(names)})
    if codes.isna().any():
        raise PoolDataError([Problem(path, f"{field_path}:category", "names categories the "
                                     "scenario does not declare", ", ".join(names))])
    return codes.to_numpy(np.int8), names


def build_pool(spec: PoolSpec, section: str, rng: np.random.Generator) -> Pool:
    """A pool from its CSV if the scenario names one, else generated."""
    return load_pool(spec, section) if spec.csv else generate_pool(spec, rng)
