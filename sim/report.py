"""A report on many seeds of one scenario: distributions, and a comparison with reported counts.

The runs come from :func:`sim.ensemble.run_ensemble` (seeds spawned from the scenario's
``run.seed``); bands and shares from :mod:`sim.outcomes`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.ensemble import Ensemble
from sim.errors import Problem, ScenarioError, shorten
from sim.files import MAX_CSV_BYTES, read_text
from sim.outcomes import band, share
from sim.scenario import Scenario


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
    ``<insurgent name>_released_cum`` (e.g. ``taliban_released_cum``) the insurgent's; a
    scenario's ``meta.reference_columns`` names other columns.

    Raises:
        ScenarioError: for a file that cannot be read (see :func:`sim.files.read_text`), is not
            such a CSV, or holds a day that is not a whole number from 0 or a count that is
            not a finite number.
    """
    path = Path(path)
    columns = dict(scenario.meta.reference_columns) or {
        "gov_released_cum": "gov_released", "ins_released_cum": "ins_released",
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


def compare(ensemble: Ensemble, reference: Sequence[Reported]) -> list[dict]:
    """Each reported count against the simulated median and 10-90% band on the same day."""
    rows = []
    last = next(iter(ensemble.series.values())).shape[1] - 1
    for rep in reference:
        if rep.day > last:
            continue
        sims = band(ensemble.series[rep.measure][:, rep.day])
        rows.append({"day": rep.day, "date": rep.date, "measure": rep.measure,
                     "reported": rep.value, "confidence": rep.confidence,
                     "median": sims.median, "p10": sims.p10, "p90": sims.p90,
                     "passed": sims.contains(rep.value)})
    return rows


DISTRIBUTIONS = (
    ("walkout_day", "first_walkout_day"),
    ("first_release_day_gov", "first_release_day_gov"),
    ("first_release_day_ins", "first_release_day_ins"),
    ("first_unilateral_size", "first_unilateral_size"),
    ("first_agreement_day", "first_agreement_day"),
    ("completion_day", "completion_day"),
    ("collapse_day", "collapse_day"),
)
"""The report's distributions: its name for each, and the summary field it describes."""


def summarize_ensemble(ensemble: Ensemble, reference: Sequence[Reported] = (),
                       attack_days: tuple[int, int] = (1, 50)) -> dict:
    """Every figure of a report, as plain data."""
    lo, hi = attack_days
    attacks = ensemble.series["attacks"][:, lo:hi + 1]
    pattern = ensemble.share("pattern")
    figures = {
        "scenario": ensemble.scenario.meta.name,
        "scenario_hash": ensemble.scenario.content_hash(),
        "master_seed": ensemble.master_seed,
        "runs": len(ensemble.seeds),
        "days": ensemble.scenario.run.days,
        "pattern_rate": pattern.share,
        "pattern": pattern.as_dict(),
        "distributions": {name: ensemble.band(key).as_dict() for name, key in DISTRIBUTIONS},
        "attacks_per_day": {"days": [lo, hi], **band(attacks.mean(axis=1)).as_dict()},
        "reference": compare(ensemble, reference),
    }
    walkout_days = ensemble.scenario.meta.pattern.walkout_days
    if walkout_days:
        first = ensemble.values("first_release_day_gov")
        early = share(np.nan_to_num(first, nan=np.inf) < walkout_days[0])
        figures[f"gov_release_before_day_{walkout_days[0]}"] = early.share
    figures["seeds"] = ensemble.seeds  # last: the longest entry (parley run --seed S reruns one)
    return figures
