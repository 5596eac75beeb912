"""Who each side holds: one row per prisoner, and the orders in which they would be freed.

The prisoners of a scenario are a fact of the case, like the list of 5,000 names of the 2020
exchange: they are drawn once per scenario, from the pool's own seed (or read from its CSV),
and every run of the scenario starts from the same rows. What varies between runs is what
happens to them (:mod:`sim.pools`). The orders in which each holder frees them are sorted
once and shared by the runs.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import PoolDataError, Problem, shorten
from sim.files import MAX_CSV_BYTES, read_text
from sim.scenario import Conflict, PoolSpec

RANK_FILE, RANK_MID, RANK_SENIOR = 0, 1, 2
CSV_COLUMNS = ("rank", "age", "health", "sentence_days", "listed", "named")


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


GROUPS = ("named", "listed", "unlisted")
"""Each pool's rows in three groups: named by the other side, on its list, and neither."""
KEYS = {"government_holds": "humanitarian", "insurgent_holds": "cost"}
"""The order in which each holder frees its prisoners: the government by the humanitarian
criteria of its decrees (health, age, sentence served); the insurgent by its security cost.
The keys of this mapping are the two pools, in the order their seeds are spawned."""


@dataclass(eq=False)
class Prisoners:
    """One side's prisoners, a row each: what they are, fixed for a scenario.

    Attributes:
        rank: 0 rank-and-file, 1 mid-rank, 2 senior.
        age: years.
        health: 0 (poor) to 1 (full health).
        sentence: days of sentence left.
        listed: on the other side's list.
        named: named individually by the other side.
        category: category code of each row (an index into ``category_names``).
        category_names: the pool's categories.
        key: the order its holder frees them in: ``humanitarian`` (highest score first) or
            ``cost`` (cheapest first).
    """

    rank: np.ndarray
    age: np.ndarray
    health: np.ndarray
    sentence: np.ndarray
    listed: np.ndarray
    named: np.ndarray
    category: np.ndarray | None = None
    category_names: tuple[str, ...] = ("all",)
    key: str = "cost"
    size: int = field(init=False)

    def __post_init__(self) -> None:
        n = self.size = self.rank.size
        if self.category is None:
            self.category = np.zeros(n, dtype=np.int8)
        self.category_total = np.bincount(self.category, minlength=len(self.category_names))
        self.senior = self.rank == RANK_SENIOR
        self.n_named = int(self.named.sum())
        self.named_rows = np.flatnonzero(self.named)
        self.n_listed = int(self.listed.sum())
        key = (-humanitarian_score(self.age, self.health, self.sentence)
               if self.key == "humanitarian" else security_cost(self.rank, self.age))
        ranked = stable_argsort(key)
        group = np.where(self.named, 0, np.where(self.listed, 1, 2))
        # One order per group and category, each sorted by the key: the orders share no row,
        # so a release is the next rows of one order and nothing is ever skipped.
        self.orders: dict[tuple[str, int], np.ndarray] = {}
        for g, name in enumerate(GROUPS):
            for c in range(len(self.category_names)):
                rows = ranked[(group[ranked] == g) & (self.category[ranked] == c)]
                self.orders[name, c] = rows
        self._weights: dict[Conflict, dict[tuple[str, int], np.ndarray]] = {}

    def return_weight(self, params: Conflict) -> dict[tuple[str, int], np.ndarray]:
        """Running totals of each row's chance of return to fight, along each order.

        ``weight[order][j]`` is the sum over the order's first ``j`` rows of the chance that
        a freed prisoner returns before any oath: so a release's expected returns are a
        difference of two totals. Worked out once per parameter set and kept.
        """
        found = self._weights.get(params)
        if found is None:
            w = np.full(self.size, params.return_base)
            w *= np.where(self.age < params.young_age, params.young_factor, 1.0)
            w *= np.where(self.senior, params.senior_factor, 1.0)
            w *= self.health
            found = {name: np.concatenate([[0.0], np.cumsum(w[rows])])
                     for name, rows in self.orders.items()}
            self._weights[params] = found
        return found


def category_codes(spec: PoolSpec) -> tuple[np.ndarray, tuple[str, ...]]:
    """Category codes of a generated pool's rows, in blocks, and the categories' names.

    Rows are drawn independently of one another, so blocks of rows are random samples.
    """
    counts = spec.category_counts()
    codes = np.repeat(np.arange(len(counts), dtype=np.int8), list(counts.values()))
    return codes, tuple(counts)


def draw_prisoners(spec: PoolSpec, rng: np.random.Generator, key: str = "cost") -> Prisoners:
    """Draw a pool's prisoners from the scenario's distributions.

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
    return Prisoners(rank, age, health, sentence, listed, named, category, names, key)


def load_prisoners(spec: PoolSpec, section: str, key: str = "cost") -> Prisoners:
    """Read a pool's prisoners from the CSV a scenario names, checking columns and values.

    Raises:
        PoolDataError: for a file that cannot be read (see :func:`sim.files.read_text`), is
            not a CSV with the columns of :data:`CSV_COLUMNS`, or holds a value out of range.
    """
    import pandas as pd  # imported here: pandas is slow to import and rarely needed

    path = Path(spec.csv or "")
    field_path = f"pools.{section}.csv"
    expected = "a CSV with columns " + ",".join(CSV_COLUMNS)
    text = read_text(path, limit=MAX_CSV_BYTES, expected=expected, field=field_path,
                     error=PoolDataError)
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError) as exc:
        message = shorten(" ".join(str(exc).split()))
        raise PoolDataError([Problem(str(path), field_path, f"cannot be read ({message})",
                                     expected)]) from None
    missing = [c for c in CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise PoolDataError([Problem(str(path), field_path, f"missing columns {missing}",
                                     "columns " + ",".join(CSV_COLUMNS))])
    problems = []
    checks = {"rank": (0, 2), "age": (14, 90), "health": (0, 1), "sentence_days": (0, 36500)}
    values = {}
    for col, (lo, hi) in checks.items():
        values[col] = pd.to_numeric(frame[col], errors="coerce")
        bad = values[col].isna() | (values[col] < lo) | (values[col] > hi)
        if col == "rank":  # a rank is a whole number: 1.5 is not a rank
            bad |= values[col] % 1 != 0
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # line 1 is the header
            problems.append(Problem(str(path), f"{field_path}:{col}",
                                    "has missing, non-numeric or out-of-range values "
                                    f"(first on line {row})",
                                    f"{'whole numbers' if col == 'rank' else 'numbers'} "
                                    f"from {lo} to {hi}"))
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
    return Prisoners(values["rank"].to_numpy(np.int8), values["age"].to_numpy(np.float32),
                     values["health"].to_numpy(np.float32),
                     values["sentence_days"].to_numpy(np.float32), listed, named, category,
                     names, key)


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


_DRAWN: OrderedDict[tuple[str, ...], Prisoners] = OrderedDict()
_KEPT = 8  # scenarios whose prisoners are kept: a sweep moves through its points in order


def prisoners_of(spec: PoolSpec, section: str) -> Prisoners:
    """The prisoners of a scenario's pool: read from its CSV, or drawn from its seed.

    The same spec gives the same rows in every run, process and machine; the last few are kept
    in memory so that a scenario's runs draw (and sort) them once.

    Args:
        spec: the pool's spec.
        section: ``government_holds`` or ``insurgent_holds`` (each spawns its own stream).
    """
    cache_key = (section, spec.model_dump_json())
    if spec.csv:
        try:
            stat = Path(spec.csv).stat()
        except OSError:
            return load_prisoners(spec, section, KEYS[section])  # it says what is wrong
        cache_key = (*cache_key, str(stat.st_mtime_ns), str(stat.st_size))
    found = _DRAWN.get(cache_key)
    if found is None:
        if spec.csv:
            found = load_prisoners(spec, section, KEYS[section])
        else:
            seed = np.random.SeedSequence(spec.seed, spawn_key=(list(KEYS).index(section),))
            found = draw_prisoners(spec, np.random.default_rng(seed), KEYS[section])
        _DRAWN[cache_key] = found
        while len(_DRAWN) > _KEPT:
            _DRAWN.popitem(last=False)
    else:
        _DRAWN.move_to_end(cache_key)
    return found
