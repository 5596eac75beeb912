"""Many seeds of one scenario, their distributions, and a comparison with reported counts."""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from sim.errors import Problem, ScenarioError, shorten
from sim.files import MAX_CSV_BYTES, read_text
from sim.scenario import Scenario, with_overrides

KEEP_COLUMNS = ("gov_released", "ins_released", "attacks", "phase")


@dataclass
class Ensemble:
    """Runs of one scenario over several seeds, in seed order."""

    scenario: Scenario
    seeds: list[int]
    summaries: list[dict]
    series: dict[str, np.ndarray]  # column -> (runs, days + 1)

    def rate(self, key: str) -> float:
        """Share of runs whose summary ``key`` is true."""
        return float(np.mean([bool(s[key]) for s in self.summaries])) if self.summaries else 0.0

    def values(self, key: str) -> np.ndarray:
        """Summary values of ``key`` over runs, NaN where missing."""
        return np.array([np.nan if s[key] is None else float(s[key]) for s in self.summaries])


def _run_chunk(scenario: Scenario, seeds: Sequence[int]) -> tuple[list[dict], dict]:
    from sim.runner import run

    summaries, kept = [], {c: [] for c in KEEP_COLUMNS}
    for seed in seeds:
        result = run(scenario, seed=seed)
        summaries.append(result.summary)
        for c in KEEP_COLUMNS:
            kept[c].append(result.series[c])
    return summaries, {c: np.array(v) for c, v in kept.items()}


SMALL_ENSEMBLE = 100


def run_ensemble(scenario: Scenario, n_seeds: int, days: int | None = None,
                 workers: int | None = None) -> Ensemble:
    """Run seeds ``run.seed, run.seed + 1, ...`` in parallel; results come back in seed order.

    Args:
        scenario: a validated scenario.
        n_seeds: number of runs.
        days: overrides ``run.days``.
        workers: processes; 1 runs in this process. By default one for up to
            ``SMALL_ENSEMBLE`` seeds (starting processes costs more than it saves), else the
            number of cores.
    """
    if days is not None:
        scenario = with_overrides(scenario, {"run.days": days})
    seeds = [scenario.run.seed + i for i in range(n_seeds)]
    if workers is None:
        workers = 1 if n_seeds <= SMALL_ENSEMBLE else os.cpu_count() or 1
    workers = max(1, min(workers, n_seeds))
    if workers == 1:
        parts = [_run_chunk(scenario, seeds)]
    else:
        size = math.ceil(len(seeds) / (workers * 4))
        chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(_run_chunk, [scenario] * len(chunks), chunks))
    summaries = [s for part, _ in parts for s in part]
    series = {c: np.concatenate([kept[c] for _, kept in parts]) for c in KEEP_COLUMNS}
    return Ensemble(scenario, seeds, summaries, series)


@dataclass(frozen=True)
class Reported:
    """One reported count on one day."""

    day: int
    date: str
    measure: str
    value: float
    confidence: str
    source: str


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def load_reference(path: str | Path, scenario: Scenario) -> list[Reported]:
    """Read reported counts from a CSV with ``day`` and ``*_released_cum`` columns.

    ``gov_released_cum`` is the government's cumulative releases; ``ins_released_cum`` or
    ``<insurgent name>_released_cum`` (e.g. ``taliban_released_cum``) the insurgent's.

    Raises:
        ScenarioError: for a file that cannot be read (see :func:`sim.files.read_text`), is not
            such a CSV, or holds a day that is not a whole number from 0 or a count that is
            not a finite number.
    """
    path = Path(path)
    columns = {"gov_released_cum": "gov_released", "ins_released_cum": "ins_released",
               f"{_slug(scenario.meta.sides.insurgent)}_released_cum": "ins_released"}
    text = read_text(path, limit=MAX_CSV_BYTES, expected="a CSV file", field="reference data")
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ScenarioError([Problem(str(path), "reference data",
                                     f"cannot be read ({shorten(str(exc))})",
                                     "a CSV file")]) from None
    if not rows or "day" not in rows[0] or not any(c in rows[0] for c in columns):
        raise ScenarioError([Problem(str(path), "reference data",
                                     "needs a 'day' column and at least one count column",
                                     ", ".join(columns))])
    out = []
    for line, row in enumerate(rows, start=2):
        for column, measure in columns.items():
            cell = (row.get(column) or "").strip()
            if not cell:
                continue
            day_cell = (row.get("day") or "").strip()
            try:
                day, value = int(day_cell), float(cell)
            except ValueError:
                raise ScenarioError([Problem(str(path), column,
                                             f"not a day and a count ({shorten(repr(day_cell))}, "
                                             f"{shorten(repr(cell))})",
                                             "a whole day from 0 and a count", line)]) from None
            if day < 0 or not math.isfinite(value):
                raise ScenarioError([Problem(str(path), column,
                                             f"day {day} or count {value} is out of range",
                                             "a day from 0 and a finite count", line)])
            out.append(Reported(day, row.get("date") or "", measure, value,
                                row.get("confidence") or "", row.get("source_url") or ""))
    return out


def _band(values: np.ndarray) -> dict:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"share": 0.0, "median": None, "p10": None, "p90": None}
    p10, med, p90 = np.percentile(finite, [10, 50, 90])
    return {"share": finite.size / values.size, "median": float(med), "p10": float(p10),
            "p90": float(p90), "min": float(finite.min()), "max": float(finite.max())}


def compare(ensemble: Ensemble, reference: Sequence[Reported]) -> list[dict]:
    """Each reported count against the simulated median and 10-90% band on the same day."""
    rows = []
    last = next(iter(ensemble.series.values())).shape[1] - 1
    for rep in reference:
        if rep.day > last:
            continue
        sims = ensemble.series[rep.measure][:, rep.day]
        p10, med, p90 = np.percentile(sims, [10, 50, 90])
        rows.append({"day": rep.day, "date": rep.date, "measure": rep.measure,
                     "reported": rep.value, "confidence": rep.confidence,
                     "median": float(med), "p10": float(p10), "p90": float(p90),
                     "passed": bool(p10 <= rep.value <= p90)})
    return rows


def summarize_ensemble(ensemble: Ensemble, reference: Sequence[Reported] = (),
                       attack_days: tuple[int, int] = (1, 50)) -> dict:
    """Every figure of a report, as plain data."""
    lo, hi = attack_days
    attacks = ensemble.series["attacks"][:, lo:hi + 1]
    figures = {
        "scenario": ensemble.scenario.meta.name,
        "scenario_hash": ensemble.scenario.content_hash(),
        "seeds": [ensemble.seeds[0], ensemble.seeds[-1]],
        "runs": len(ensemble.seeds),
        "days": ensemble.scenario.run.days,
        "pattern_rate": ensemble.rate("pattern"),
        "distributions": {
            "walkout_day": _band(ensemble.values("first_walkout_day")),
            "first_release_day_gov": _band(ensemble.values("first_release_day_gov")),
            "first_release_day_ins": _band(ensemble.values("first_release_day_ins")),
            "first_unilateral_size": _band(ensemble.values("first_unilateral_size")),
            "first_agreement_day": _band(ensemble.values("first_agreement_day")),
            "completion_day": _band(ensemble.values("completion_day")),
            "collapse_day": _band(ensemble.values("collapse_day")),
        },
        "attacks_per_day": {"days": [lo, hi], **_band(attacks.mean(axis=1))},
        "reference": compare(ensemble, reference),
    }
    walkout_days = ensemble.scenario.meta.pattern.walkout_days
    if walkout_days:
        first = ensemble.values("first_release_day_gov")
        early = np.nan_to_num(first, nan=np.inf) < walkout_days[0]
        figures[f"gov_release_before_day_{walkout_days[0]}"] = float(early.mean())
    return figures
