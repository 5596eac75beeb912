"""Every output of a run, declared once: the daily series and the summary.

Each series column and summary field has a name, a kind, a unit, a meaning and how it is
computed, like Mesa's named reporters. The model's record, the files a run writes, the sweep
tables, the plots' labels and ``parley describe --outputs`` are all derived from here: a new
output is one entry below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.agents.base import Phase
from sim.events import Actor, Event, EventKind

if TYPE_CHECKING:
    from sim.metrics import Pattern
    from sim.scenario import Scenario

PHASE_NAMES = [p.value for p in Phase]
"""The name of each phase code in a series."""


class Kind(StrEnum):
    """What sort of value an output holds, and so how files and tables store it."""

    INT = "int"
    OPTIONAL = "optional"
    """An integer, or nothing (a day or a size of an event that never happened)."""
    FLOAT = "float"
    BOOL = "bool"
    TEXT = "text"
    PHASE = "phase"
    """A phase: a code in the model's arrays, its name in files and tables."""

    @property
    def pandas_dtype(self) -> str:
        """The pandas dtype of a column of this kind."""
        return {"int": "int64", "optional": "Int64", "float": "float64", "bool": "bool",
                "text": "string", "phase": "string"}[self.value]


@dataclass(frozen=True)
class Column:
    """One column of the daily series.

    Attributes:
        name: the column's name.
        kind: what sort of value it holds.
        unit: its unit.
        meaning: what it shows, in a line.
        source: the model attribute (a dotted path) read at the end of each day.
    """

    name: str
    kind: Kind
    unit: str
    meaning: str
    source: str


SERIES: tuple[Column, ...] = (
    Column("day", Kind.INT, "day", "model day (0 = the scenario's start date)", "day"),
    Column("phase", Kind.PHASE, "phase", "where the talks stand at the end of the day",
           "phase_code"),
    Column("gov_released", Kind.INT, "prisoners", "prisoners the government has freed",
           "gov_pool.n_released"),
    Column("ins_released", Kind.INT, "prisoners", "prisoners the insurgent has freed",
           "ins_pool.n_released"),
    Column("gov_held", Kind.INT, "prisoners", "prisoners the government still holds",
           "gov_pool.n_held"),
    Column("ins_held", Kind.INT, "prisoners", "prisoners the insurgent still holds",
           "ins_pool.n_held"),
    Column("named_released", Kind.INT, "prisoners", "named senior prisoners freed",
           "gov_pool.n_named_released"),
    Column("gov_deal_released", Kind.INT, "prisoners",
           "government releases under the agreed mechanism", "ledger.deal"),
    Column("gov_unilateral_released", Kind.INT, "prisoners",
           "government releases made on its own", "ledger.unilateral"),
    Column("attacks", Kind.INT, "attacks", "attacks that day", "fighting.attacks"),
    Column("casualties", Kind.INT, "people", "casualties that day (drawn, Poisson, around the "
           "attacks' expected toll when the series is read)", "fighting.casualties_expected"),
    Column("airstrike", Kind.BOOL, "flag", "the mediator struck that day", "fighting.airstrike"),
    Column("capacity", Kind.FLOAT, "1", "insurgent fighting capacity (1 = as at the start)",
           "fighting.capacity"),
    Column("returned_fighters", Kind.FLOAT, "fighters",
           "freed prisoners expected to be back at the front", "fighting.returned_fighters"),
    Column("pressure_mediator", Kind.FLOAT, "pressure",
           "the mediator's pressure on the government", "pressure.mediator"),
    Column("pressure_humanitarian", Kind.FLOAT, "pressure", "humanitarian pressure on the "
           "government", "pressure.humanitarian"),
    Column("pressure_domestic", Kind.FLOAT, "pressure",
           "domestic opposition to releases", "pressure.domestic"),
    Column("pressure_on_insurgent", Kind.FLOAT, "pressure",
           "the mediator's pressure on the insurgent", "pressure.insurgent"),
    Column("felt_pressure", Kind.FLOAT, "pressure",
           "the government's net pressure to release (below 0: opposition outweighs the push)",
           "felt_pressure"),
    Column("trust", Kind.FLOAT, "trust", "the insurgent's trust in the government",
           "talks.trust"),
    Column("frustration", Kind.FLOAT, "frustration", "the insurgent's frustration",
           "talks.frustration"),
    Column("aspiration_gov", Kind.FLOAT, "utility", "utility the government holds out for",
           "aspiration_government"),
    Column("aspiration_ins", Kind.FLOAT, "utility", "utility the insurgent holds out for",
           "aspiration_insurgent"),
    Column("disengagement", Kind.FLOAT, "1", "how far the mediator has given up on the process",
           "pressure.disengagement"),
    Column("truce", Kind.BOOL, "flag", "a truce held that day", "fighting.truce_today"),
    Column("government_halted", Kind.BOOL, "flag",
           "a condition of the government holds its releases", "view.government_halted"),
    Column("unverified", Kind.INT, "prisoners", "releases outside the agreed mechanism the "
           "insurgent has yet to verify", "ledger.unverified"),
)

SERIES_COLUMNS = tuple(c.name for c in SERIES)
COLUMN = {c.name: c for c in SERIES}


@dataclass(frozen=True)
class RunRecord:
    """What a finished run recorded, from which its summary is computed."""

    seed: int
    scenario: Scenario
    version: str
    events: Sequence[Event]
    series: dict[str, np.ndarray]
    pattern: Pattern


@dataclass(frozen=True)
class Field:
    """One field of a run's summary.

    Attributes:
        name: the field's name.
        kind: what sort of value it holds.
        unit: its unit.
        meaning: what it says, in a line.
        compute: how it is worked out from the run's record.
    """

    name: str
    kind: Kind
    unit: str
    meaning: str
    compute: Callable[[RunRecord], Any]


def first_day(events: Sequence[Event], kind: EventKind, actor: Actor | None = None) -> int | None:
    """Day of the first event of a kind (and actor), or None."""
    return next((e.day for e in events
                 if e.kind is kind and (actor is None or e.actor is actor)), None)


def count(events: Sequence[Event], kind: EventKind) -> int:
    """Number of events of a kind."""
    return sum(1 for e in events if e.kind is kind)


def _first_gov_release(r: RunRecord) -> int | None:
    return next((e.day for e in r.events if e.actor is Actor.GOVERNMENT
                 and e.kind in (EventKind.RELEASE, EventKind.UNILATERAL_RELEASE)), None)


def _first_unilateral(r: RunRecord) -> Event | None:
    return next((e for e in r.events if e.kind is EventKind.UNILATERAL_RELEASE), None)


def _last(column: str) -> Callable[[RunRecord], int]:
    return lambda r: int(r.series[column][-1])


def _first(kind: EventKind, actor: Actor | None = None) -> Callable[[RunRecord], int | None]:
    return lambda r: first_day(r.events, kind, actor)


def _count(kind: EventKind) -> Callable[[RunRecord], int]:
    return lambda r: count(r.events, kind)


def _attacks(r: RunRecord) -> np.ndarray:
    return r.series["attacks"][1:]


SUMMARY: tuple[Field, ...] = (
    Field("seed", Kind.INT, "seed", "seed of the run (rerun it with parley run --seed)",
          lambda r: r.seed),
    Field("scenario", Kind.TEXT, "name", "the scenario's name", lambda r: r.scenario.meta.name),
    Field("scenario_hash", Kind.TEXT, "hash", "hash of everything that shaped the run but the "
          "seed", lambda r: r.scenario.content_hash()),
    Field("version", Kind.TEXT, "version", "Parley's version", lambda r: r.version),
    Field("days", Kind.INT, "days", "days run", lambda r: int(r.series["day"][-1])),
    Field("final_phase", Kind.TEXT, "phase", "where the talks stood on the last day",
          lambda r: PHASE_NAMES[int(r.series["phase"][-1])]),
    Field("first_release_day_gov", Kind.OPTIONAL, "day", "first day the government freed anyone",
          _first_gov_release),
    Field("first_release_day_ins", Kind.OPTIONAL, "day", "first day the insurgent freed anyone",
          _first(EventKind.RELEASE, Actor.INSURGENT)),
    Field("first_walkout_day", Kind.OPTIONAL, "day", "day of the first walkout",
          _first(EventKind.WALKOUT)),
    Field("first_agreement_day", Kind.OPTIONAL, "day", "day of the first agreed round",
          _first(EventKind.AGREEMENT)),
    Field("first_unilateral_day", Kind.OPTIONAL, "day", "day of the first unilateral release",
          lambda r: (e := _first_unilateral(r)) and e.day),
    Field("first_unilateral_size", Kind.OPTIONAL, "prisoners",
          "size of the first unilateral release",
          lambda r: (e := _first_unilateral(r)) and e.details["size"]),
    Field("completion_day", Kind.OPTIONAL, "day", "day both commitments were met",
          _first(EventKind.COMPLETION)),
    Field("collapse_day", Kind.OPTIONAL, "day", "day the process collapsed",
          _first(EventKind.COLLAPSE)),
    Field("gov_released", Kind.INT, "prisoners", "prisoners the government freed",
          _last("gov_released")),
    Field("ins_released", Kind.INT, "prisoners", "prisoners the insurgent freed",
          _last("ins_released")),
    Field("named_released", Kind.INT, "prisoners", "named senior prisoners freed",
          _last("named_released")),
    Field("gov_deal_released", Kind.INT, "prisoners",
          "government releases under the agreed mechanism", _last("gov_deal_released")),
    Field("gov_unilateral_released", Kind.INT, "prisoners",
          "government releases made on its own", _last("gov_unilateral_released")),
    Field("walkouts", Kind.INT, "walkouts", "walkouts from talks", _count(EventKind.WALKOUT)),
    Field("agreements", Kind.INT, "rounds", "agreed rounds", _count(EventKind.AGREEMENT)),
    Field("unilateral_releases", Kind.INT, "releases", "unilateral releases",
          _count(EventKind.UNILATERAL_RELEASE)),
    Field("airstrikes", Kind.INT, "strikes", "airstrikes", _count(EventKind.AIRSTRIKE)),
    Field("peak_attacks", Kind.INT, "attacks/day", "most attacks on one day",
          lambda r: int(a.max()) if (a := _attacks(r)).size else 0),
    Field("mean_attacks", Kind.FLOAT, "attacks/day", "mean attacks a day",
          lambda r: float(a.mean()) if (a := _attacks(r)).size else 0.0),
    Field("total_casualties", Kind.INT, "people", "casualties over the run",
          lambda r: int(r.series["casualties"][1:].sum())),
    Field("returned_fighters", Kind.FLOAT, "fighters",
          "freed prisoners expected to be back at the front by the last day",
          lambda r: float(r.series["returned_fighters"][-1])),
    Field("truce_days", Kind.INT, "days", "days on which a truce held",
          lambda r: int(np.count_nonzero(r.series["truce"][1:]))),
    Field("truce_lapse_day", Kind.OPTIONAL, "day", "day the first truce lapsed",
          _first(EventKind.LAPSE)),
    Field("halted_days", Kind.INT, "days", "days on which a condition held the government's "
          "releases", lambda r: int(np.count_nonzero(r.series["government_halted"][1:]))),
    Field("recognition_day", Kind.OPTIONAL, "day", "day the insurgent began to count releases "
          "made outside the agreed mechanism", _first(EventKind.RECOGNITION)),
    Field("shortfalls", Kind.INT, "events", "times a side could not deliver what was due",
          _count(EventKind.SHORTFALL)),
    Field("pattern", Kind.BOOL, "flag",
          "the stall-then-unilateral-release pattern appeared (sim.metrics.detect_pattern)",
          lambda r: r.pattern.found),
    Field("pattern_walkout_day", Kind.OPTIONAL, "day", "day of the walkout the pattern starts with",
          lambda r: r.pattern.walkout_day),
    Field("pattern_release_day", Kind.OPTIONAL, "day", "day of the pattern's unilateral release",
          lambda r: r.pattern.release_day),
    Field("pattern_release_size", Kind.OPTIONAL, "prisoners", "size of the pattern's unilateral "
          "release", lambda r: r.pattern.size),
)

SUMMARY_FIELDS = tuple(f.name for f in SUMMARY)
FIELD = {f.name: f for f in SUMMARY}


def summarize(record: RunRecord) -> dict[str, Any]:
    """A run's summary: every field of :data:`SUMMARY`, in order."""
    return {f.name: f.compute(record) for f in SUMMARY}


def label(name: str) -> str:
    """An axis label for a series column or summary field: its meaning and unit."""
    out = COLUMN.get(name) or FIELD.get(name)
    if out is None:
        return name
    return f"{out.meaning} ({out.unit})" if out.unit not in ("1", "flag", "name") else out.meaning


def describe_outputs() -> list[tuple[str, str, str, str, str]]:
    """Every output as ``(table, name, kind, unit, meaning)`` rows: the series, then the summary."""
    return ([("series", c.name, c.kind.value, c.unit, c.meaning) for c in SERIES]
            + [("summary", f.name, f.kind.value, f.unit, f.meaning) for f in SUMMARY])
