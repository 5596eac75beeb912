"""Metrics computed from a run's events and series, with pure functions.

The stall-then-unilateral-release detector lives here: it reads only what a run recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.agents.base import Phase
from sim.events import Actor, Event, EventKind

PHASE_NAMES = [p.value for p in Phase]


@dataclass(frozen=True)
class Pattern:
    """The stall-then-unilateral-release pattern as found (or not) in one run.

    Attributes:
        found: every condition below holds.
        walkout_day: day of the first walkout from talks in session (None if none).
        release_day: day of the first unilateral release within the window after it.
        size: prisoners in that release.
        named: named prisoners in it (the pattern requires none).
        rejected: the insurgent's statement that day rejected it.
        quiet: no insurgent release within the window after it.
    """

    found: bool
    walkout_day: int | None = None
    release_day: int | None = None
    size: int | None = None
    named: int | None = None
    rejected: bool = False
    quiet: bool = False


def detect_pattern(events: Sequence[Event], window: int = 3,
                   size_range: tuple[int, int] | None = None,
                   walkout_range: tuple[int, int] | None = None) -> Pattern:
    """Find talks in session, a walkout, then a unilateral release the insurgent rejects.

    Args:
        events: a run's events in order.
        window: days after the walkout within which the release must come, and days after the
            release in which the insurgent must free nobody.
        size_range: inclusive bounds on the release's size, or None for any size.
        walkout_range: inclusive bounds on the walkout's day, or None for any day.

    Whether the release was ranked by the humanitarian score needs the pools, not the events:
    :func:`sim.runner.find_pattern` adds that condition.
    """
    opened = None
    walkout = None
    for e in events:
        if e.kind is EventKind.RESUMPTION and opened is None:
            opened = e.day
        if e.kind is EventKind.WALKOUT and opened is not None:
            walkout = e
            break
    if walkout is None:
        return Pattern(False)
    release = next((e for e in events if e.kind is EventKind.UNILATERAL_RELEASE
                    and walkout.day <= e.day <= walkout.day + window), None)
    if release is None:
        return Pattern(False, walkout.day)
    size, named = release.details["size"], release.details["named"]
    rejected = any(e.kind is EventKind.STATEMENT and e.day == release.day
                   and e.details.get("rejects") for e in events)
    quiet = not any(e.kind is EventKind.RELEASE and e.actor is Actor.INSURGENT
                    and release.day <= e.day <= release.day + window for e in events)
    in_range = size_range is None or size_range[0] <= size <= size_range[1]
    on_time = walkout_range is None or walkout_range[0] <= walkout.day <= walkout_range[1]
    return Pattern(named == 0 and rejected and quiet and in_range and on_time,
                   walkout.day, release.day, size, named, rejected, quiet)


def ranked_by_score(score: np.ndarray, eligible: np.ndarray, release_day: np.ndarray,
                    freed: np.ndarray, day: int) -> bool:
    """Whether a release was ranked by the humanitarian score.

    True when every row in ``freed`` (a boolean mask of the release on ``day``) scores at
    least as high as every ``eligible`` row still held after that day.
    """
    if not freed.any():
        return False
    still_held = eligible & ((release_day < 0) | (release_day > day))
    return bool(not still_held.any() or score[freed].min() >= score[still_held].max())


def first_day(events: Sequence[Event], kind: EventKind, actor: Actor | None = None) -> int | None:
    """Day of the first event of a kind (and actor), or None."""
    return next((e.day for e in events
                 if e.kind is kind and (actor is None or e.actor is actor)), None)


def count(events: Sequence[Event], kind: EventKind) -> int:
    """Number of events of a kind."""
    return sum(1 for e in events if e.kind is kind)


def summarize(events: Sequence[Event], series: dict[str, np.ndarray], pattern: Pattern) -> dict:
    """One row of outcomes for a run, from its events and series.

    Args:
        events: the run's events.
        series: the run's daily series.
        pattern: the pattern found in the run (see :func:`sim.runner.find_pattern`).
    """
    attacks = series["attacks"][1:]
    gov_first = next((e.day for e in events if e.actor is Actor.GOVERNMENT
                      and e.kind in (EventKind.RELEASE, EventKind.UNILATERAL_RELEASE)), None)
    first_uni = next((e for e in events if e.kind is EventKind.UNILATERAL_RELEASE), None)
    final_phase = PHASE_NAMES[int(series["phase"][-1])]
    return {
        "days": int(series["day"][-1]),
        "final_phase": final_phase,
        "first_release_day_gov": gov_first,
        "first_release_day_ins": first_day(events, EventKind.RELEASE, Actor.INSURGENT),
        "first_walkout_day": first_day(events, EventKind.WALKOUT),
        "first_agreement_day": first_day(events, EventKind.AGREEMENT),
        "first_unilateral_day": first_uni.day if first_uni else None,
        "first_unilateral_size": first_uni.details["size"] if first_uni else None,
        "completion_day": first_day(events, EventKind.COMPLETION),
        "collapse_day": first_day(events, EventKind.COLLAPSE),
        "gov_released": int(series["gov_released"][-1]),
        "ins_released": int(series["ins_released"][-1]),
        "named_released": int(series["named_released"][-1]),
        "gov_deal_released": int(series["gov_deal_released"][-1]),
        "gov_unilateral_released": int(series["gov_unilateral_released"][-1]),
        "walkouts": count(events, EventKind.WALKOUT),
        "agreements": count(events, EventKind.AGREEMENT),
        "unilateral_releases": count(events, EventKind.UNILATERAL_RELEASE),
        "airstrikes": count(events, EventKind.AIRSTRIKE),
        "peak_attacks": int(attacks.max()) if attacks.size else 0,
        "mean_attacks": float(attacks.mean()) if attacks.size else 0.0,
        "total_casualties": int(series["casualties"][1:].sum()),
        "returned_fighters": int(series["returned_fighters"][-1]),
        "pattern": pattern.found,
        "pattern_walkout_day": pattern.walkout_day,
        "pattern_release_day": pattern.release_day,
        "pattern_release_size": pattern.size,
    }

