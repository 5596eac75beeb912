"""The stall-then-unilateral-release detector on hand-built event lists."""

from __future__ import annotations

from sim.events import Actor, Event, EventKind
from sim.metrics import Pattern, detect_pattern
from sim.scenario import PatternSpec

OPEN, WALKOUT, RELEASE_DAY = 5, 10, 11


def ev(day: int, actor: Actor, kind: EventKind, **details) -> Event:
    return Event(day, actor, kind, f"{actor} {kind} on day {day}.", details)


def opened(day: int = OPEN) -> Event:
    return ev(day, Actor.WORLD, EventKind.RESUMPTION, opened=True)


def walkout(day: int = WALKOUT) -> Event:
    return ev(day, Actor.INSURGENT, EventKind.WALKOUT, frustration=3.2)


def unilateral(day: int = RELEASE_DAY, size: int = 100, named: int = 0) -> Event:
    return ev(day, Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, size=size, named=named)


def statement(day: int = RELEASE_DAY, rejects: bool = True) -> Event:
    return ev(day, Actor.INSURGENT, EventKind.STATEMENT, rejects=rejects, compliant=False)


def insurgent_release(day: int) -> Event:
    return ev(day, Actor.INSURGENT, EventKind.RELEASE, size=20, reciprocal=0, goodwill=20)


def detect(events: list[Event], **criteria) -> Pattern:
    """The detector with the schema's pattern criteria, as changed by ``criteria``."""
    spec = PatternSpec(**criteria)
    return detect_pattern(events, spec.window, spec.release_size, spec.walkout_days)


def pattern_events() -> list[Event]:
    return [opened(), ev(OPEN, Actor.INSURGENT, EventKind.DEMAND, size=100, named=0),
            walkout(), unilateral(), statement()]


def test_found():
    assert detect(pattern_events()) == Pattern(
        found=True, walkout_day=WALKOUT, release_day=RELEASE_DAY, size=100, named=0,
        rejected=True, quiet=True)


def test_release_on_the_walkout_day_and_at_the_window_edge_count():
    same_day = [opened(), walkout(), unilateral(WALKOUT), statement(WALKOUT)]
    assert detect(same_day).found
    edge = [opened(), walkout(), unilateral(WALKOUT + 3), statement(WALKOUT + 3)]
    assert detect(edge, window=3).found


def test_missing_walkout():
    events = [e for e in pattern_events() if e.kind is not EventKind.WALKOUT]
    assert detect(events) == Pattern(False)


def test_walkout_before_talks_opened_does_not_count():
    events = [walkout(3), opened(5), unilateral(6), statement(6)]
    assert not detect(events).found


def test_release_outside_window():
    late = WALKOUT + 4
    events = [opened(), walkout(), unilateral(late), statement(late)]
    result = detect(events, window=3)
    assert not result.found
    assert result.walkout_day == WALKOUT and result.release_day is None
    assert detect(events, window=4).found
    before = [opened(), unilateral(WALKOUT - 1), statement(WALKOUT - 1), walkout()]
    assert not detect(before).found


def test_named_included():
    events = [opened(), walkout(), unilateral(named=2), statement()]
    result = detect(events)
    assert not result.found
    assert result.named == 2 and result.rejected and result.quiet


def test_statement_not_rejecting():
    events = [opened(), walkout(), unilateral(), statement(rejects=False)]
    result = detect(events)
    assert not result.found and not result.rejected
    no_statement = [opened(), walkout(), unilateral()]
    assert not detect(no_statement).found
    other_day = [opened(), walkout(), unilateral(), statement(RELEASE_DAY + 1)]
    assert not detect(other_day).found


def test_insurgent_release_inside_window():
    events = [*pattern_events(), insurgent_release(RELEASE_DAY + 2)]
    result = detect(events, window=3)
    assert not result.found and not result.quiet and result.rejected
    after = [*pattern_events(), insurgent_release(RELEASE_DAY + 4)]
    assert detect(after, window=3).found
    # A government release in the window is not the insurgent breaking its silence.
    gov = [*pattern_events(), ev(RELEASE_DAY + 1, Actor.GOVERNMENT, EventKind.RELEASE, size=5,
                                 named=0, mode="deal")]
    assert detect(gov).found


def test_size_range():
    events = pattern_events()
    assert detect(events, release_size=(50, 150)).found
    assert detect(events, release_size=(100, 100)).found
    assert not detect(events, release_size=(101, 300)).found
    assert not detect(events, release_size=(10, 99)).found
    assert detect(events, release_size=(200, 300)).size == 100
