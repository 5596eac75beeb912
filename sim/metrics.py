"""Metrics computed from a run's events and series, with pure functions.

The stall-then-unilateral-release detector lives here: it reads only what a run recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from sim.events import Actor, Event, EventKind
from sim.pools import Pool, ReleaseMode
from sim.prisoners import humanitarian_score
from sim.scenario import Scenario


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


def detect_pattern(events: Sequence[Event], window: int, size_range: tuple[int, int] | None,
                   walkout_range: tuple[int, int] | None) -> Pattern:
    """Find talks in session, a walkout, then a unilateral release the insurgent rejects.

    Args:
        events: a run's events in order.
        window: days after the walkout within which the release must come, and days after the
            release in which the insurgent must free nobody.
        size_range: inclusive bounds on the release's size, or None for any size.
        walkout_range: inclusive bounds on the walkout's day, or None for any day.

    Whether the release was ranked by the humanitarian score needs the pools, not the events:
    :func:`find_pattern` adds that condition.
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


def find_pattern(events: Sequence[Event], scenario: Scenario, pool: Pool) -> Pattern:
    """The scenario's stall-then-unilateral-release pattern in a run.

    Args:
        events: the run's events.
        scenario: the scenario run (its ``meta.pattern`` says what counts as the pattern).
        pool: the government's pool at the end of the run (to check the release's ranking).
    """
    spec = scenario.meta.pattern
    first = detect_pattern(events, spec.window, spec.release_size, spec.walkout_days)
    if not first.found:
        return first
    score = humanitarian_score(pool.age, pool.health, pool.sentence)
    freed = (pool.release_day == first.release_day) & (pool.release_mode == ReleaseMode.UNILATERAL)
    # Eligible: listed, not named, and of a category the government had not barred that day.
    barred = scenario.in_effect(first.release_day).government.barred
    eligible = pool.listed & ~pool.named & ~pool.categories(barred)[pool.category]
    ranked = ranked_by_score(score, eligible, pool.release_day, freed, first.release_day)
    return replace(first, found=ranked)
