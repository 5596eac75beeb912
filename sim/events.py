"""Events: what happened on a day, by whom, with one plain sentence."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any, NamedTuple


class EventKind(StrEnum):
    """Kinds of event a run records."""

    SHOCK = "shock"
    DEMAND = "demand"
    OFFER = "offer"
    BRIDGE = "bridge"
    AGREEMENT = "agreement"
    RELEASE = "release"
    UNILATERAL_RELEASE = "unilateral_release"
    WALKOUT = "walkout"
    STATEMENT = "statement"
    RESUMPTION = "resumption"
    AIRSTRIKE = "airstrike"
    COMPLETION = "completion"
    COLLAPSE = "collapse"
    TRUCE = "truce"
    LAPSE = "lapse"
    CONDITION = "condition"
    CONDITION_MET = "condition_met"
    WAIVER = "waiver"
    RECOGNITION = "recognition"
    SHORTFALL = "shortfall"


class Actor(StrEnum):
    """Who acted (roles, not the scenario's names)."""

    GOVERNMENT = "government"
    INSURGENT = "insurgent"
    MEDIATOR = "mediator"
    WORLD = "world"


class Event(NamedTuple):
    """One recorded event: when, who, what kind, one plain sentence, and its figures."""

    day: int
    actor: Actor
    kind: EventKind
    sentence: str
    details: dict[str, Any]


def day_label(day: int, start: date) -> str:
    """``Day 39 (2020-04-08)``."""
    return f"Day {day} ({(start + timedelta(days=day)).isoformat()})"


def narrative(events: list[Event], start: date, kinds: set[EventKind] | None = None) -> list[str]:
    """The run told day by day, one line per event (optionally of some kinds only)."""
    return [f"{day_label(e.day, start)}: {e.sentence}" for e in events
            if kinds is None or e.kind in kinds]
