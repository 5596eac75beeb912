"""The classroom session without a browser: seats, moves, the timer, views, rooms, debrief."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import HOME
from test_app import html, kernel  # noqa: F401 (kernel is a fixture)

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Response, Seat
from sim.classroom import (
    CODE_LETTERS,
    PRIVATE_FACTS,
    PUBLIC_FACTS,
    ClassroomError,
    Room,
    Session,
    SessionPhase,
    debrief,
    debrief_room,
    first_departure,
    view_lines,
)
from sim.model import ParleyModel
from sim.roleplay import DecisionError
from sim.scenario import load_scenario


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def home():
    return load_scenario(HOME)


def _session(home, rooms=1, seconds=None, days=12):
    clock = FakeClock()
    session = Session(home, rooms=rooms, days=days, seconds_per_day=seconds, clock=clock)
    return session, clock


def _two_playing(home, days=12):
    """A one-room game under way, Ana in the government's seat and Ben in the insurgent's."""
    session, _ = _session(home, days=days)
    code = next(iter(session.rooms))
    session.take(code, Seat.GOVERNMENT, "Ana")
    session.take(code, Seat.INSURGENT, "Ben")
    session.start()
    return session, code


def test_a_day_advances_only_when_every_seated_person_has_moved(home):
    session, code = _two_playing(home)
    room = session.room(code)
    session.submit(code, Seat.GOVERNMENT, GovernmentMove(100, 0, 0))
    assert room.day == 0 and room.waiting_for == (Seat.INSURGENT,)
    # A second move from the same seat replaces the first; the day still waits.
    session.submit(code, Seat.GOVERNMENT, GovernmentMove(120, 0, 0))
    assert room.day == 0
    session.submit(code, Seat.INSURGENT, InsurgentMove(Response.REJECT))
    assert room.day == 1 and room.pending == {} and room.played == [
        {Seat.GOVERNMENT: "person", Seat.INSURGENT: "person"}]


def test_the_timer_advances_a_day_without_the_missing_moves(home):
    session, clock = _session(home, seconds=30)
    code = next(iter(session.rooms))
    session.take(code, Seat.GOVERNMENT, "Ana")
    session.take(code, Seat.MEDIATOR, "Cy")
    session.start()
    session.submit(code, Seat.MEDIATOR, MediatorMove(0.2, 0.0, False))
    clock.now = 29.9
    assert session.tick() == 0 and session.room(code).day == 0
    assert session.seconds_left(code) == pytest.approx(0.1)
    clock.now = 30.0
    assert session.tick() == 1
    room = session.room(code)
    assert room.day == 1
    assert room.played == [{Seat.GOVERNMENT: "timer", Seat.MEDIATOR: "person"}]
    # The silent seat played what a blank answer stands for in role play.
    assert room.games[Seat.GOVERNMENT].moves == [GovernmentMove(home.agreement.round_size, 0, 0)]
    # The next day's timer starts when the day advances.
    assert session.seconds_left(code) == pytest.approx(30.0)


def test_nothing_moves_before_the_teacher_starts_or_after_the_end(home):
    session, clock = _session(home, seconds=5)
    code = next(iter(session.rooms))
    session.take(code, Seat.GOVERNMENT, "Ana")
    with pytest.raises(ClassroomError, match="not started"):
        session.submit(code, Seat.GOVERNMENT, GovernmentMove(100))
    clock.now = 100
    assert session.tick() == 0
    session.start()
    session.end()
    with pytest.raises(ClassroomError, match="over"):
        session.submit(code, Seat.GOVERNMENT, GovernmentMove(100))


def test_seats_and_refusals(home):
    session, _ = _session(home)
    code = next(iter(session.rooms))
    session.take(code, Seat.INSURGENT, "Ben")
    with pytest.raises(ClassroomError, match="taken by Ben"):
        session.take(code, Seat.INSURGENT, "Dee")
    with pytest.raises(ClassroomError, match="no room has the code"):
        session.take("ZZZZZ", Seat.GOVERNMENT, "Dee")
    session.start()
    with pytest.raises(ClassroomError, match="nobody sits in the mediator seat"):
        session.submit(code, Seat.MEDIATOR, MediatorMove())
    with pytest.raises(DecisionError, match="belongs to another"):
        session.submit(code, Seat.INSURGENT, GovernmentMove(10))
    room = session.room(code.lower())
    if room.model.phase.value != "in_session":
        with pytest.raises(DecisionError, match="means nothing"):
            session.submit(code, Seat.INSURGENT, InsurgentMove(Response.WALKOUT))
    assert room.pending == {}


def test_agents_play_the_empty_seats_so_an_empty_room_follows_the_agents(home):
    session, _ = _session(home, days=15)
    code = next(iter(session.rooms))
    session.start()
    for _ in range(15):
        session.advance_now(code)
    room = session.room(code)
    agents = ParleyModel(home, days=15).run().columns()
    course = room.course()
    for key in ("gov_released", "ins_released", "phase", "attacks", "trust"):
        assert np.array_equal(course[key], agents[key]), key
    assert room.over and session.phase is SessionPhase.OVER
    assert first_departure(course, agents) is None


def test_same_seed_and_same_moves_give_the_same_course(home):
    def play():
        session, _ = _session(home, rooms=1, days=10)
        code = next(iter(session.rooms))
        session.take(code, Seat.GOVERNMENT, "Ana")
        session.start()
        for day in range(10):
            session.submit(code, Seat.GOVERNMENT, GovernmentMove(40 + 10 * day, 0, 5))
        return session.room(code).course()

    first, second = play(), play()
    assert first.keys() == second.keys()
    for key in first:
        assert np.array_equal(first[key], second[key]), key


def test_rooms_are_independent(home):
    session, _ = _session(home, rooms=2, days=10)
    a, b = session.rooms
    session.take(a, Seat.GOVERNMENT, "Ana")
    session.take(b, Seat.GOVERNMENT, "Eve")
    session.start()
    for _ in range(6):
        session.submit(a, Seat.GOVERNMENT, GovernmentMove(0, 0, 60))
    assert session.room(a).day == 6 and session.room(b).day == 0
    for _ in range(6):
        session.submit(b, Seat.GOVERNMENT, GovernmentMove(0, 0, 0))
    ra, rb = session.room(a).course(), session.room(b).course()
    assert ra["gov_released"][-1] > 0 and rb["gov_released"][-1] < ra["gov_released"][-1]
    # Room b, whose moves were its own, is the same as a session with room b alone.
    alone, _ = _session(home, rooms=1, days=10)
    code = next(iter(alone.rooms))
    alone.take(code, Seat.GOVERNMENT, "Eve")
    alone.start()
    for _ in range(6):
        alone.submit(code, Seat.GOVERNMENT, GovernmentMove(0, 0, 0))
    for key, values in alone.room(code).course().items():
        assert np.array_equal(values, rb[key]), key


def test_a_role_sees_only_what_it_would_know(home):
    room = Room("ABCD", home, days=20)
    room.take(Seat.GOVERNMENT, "Ana")
    room.take(Seat.INSURGENT, "Ben")
    for _ in range(12):
        room.advance()
    gov, ins, med = (room.view(s) for s in Seat)
    assert set(gov.facts) == set(PUBLIC_FACTS) | {"felt_pressure", "goodwill_threshold",
                                                  "government_remaining"}
    for hidden in ("trust", "frustration", "patience", "pressure_on_insurgent",
                   "insurgent_remaining"):
        assert hidden not in gov.facts and hidden not in med.facts
    for hidden in ("felt_pressure", "goodwill_threshold", "government_remaining"):
        assert hidden not in ins.facts and hidden not in med.facts
    assert set(med.facts) == set(PUBLIC_FACTS)
    # What a view hides does not reach its text either.
    names = home.meta.sides
    gov_text, ins_text = "\n".join(view_lines(gov, names)), "\n".join(view_lines(ins, names))
    assert "frustration" not in gov_text and "patience" not in gov_text
    assert "Pressure you feel" in gov_text and "Pressure you feel" not in ins_text
    assert f"patience {home.insurgent.patience:g}" in ins_text
    # Private facts are the seat's own, nobody else's.
    for seat in PRIVATE_FACTS:
        others = {k for s, ks in PRIVATE_FACTS.items() if s is not seat for k in ks}
        assert not others & set(room.view(seat).facts)


def test_a_seat_freed_mid_game_is_played_by_the_agents(home):
    session, code = _two_playing(home)
    session.submit(code, Seat.GOVERNMENT, GovernmentMove(100))
    session.leave(code, Seat.INSURGENT)  # the only one missing left: the day is played
    room = session.room(code)
    assert room.day == 1 and room.played == [{Seat.GOVERNMENT: "person"}]


def test_the_debrief_compares_with_the_agents_on_the_same_seed(home):
    session, _ = _session(home, rooms=2, days=12)
    a, b = session.rooms
    session.take(a, Seat.GOVERNMENT, "Ana")
    session.start()
    for _ in range(12):
        session.submit(a, Seat.GOVERNMENT, GovernmentMove(0, 0, 80))
        session.advance_now(b)
    assert session.phase is SessionPhase.OVER
    reports = debrief(session, runs=20)
    assert [r.code for r in reports] == [a, b]
    played, empty = reports
    agents = ParleyModel(home, days=12).run()
    assert np.array_equal(played.agents_course["gov_released"], agents.columns()["gov_released"])
    rows = {row.key: row for row in played.comparison.rows}
    assert rows["gov_released"].you == played.course["gov_released"][-1]
    assert rows["gov_released"].same_seed == agents.columns()["gov_released"][-1]
    assert played.comparison.runs == 20
    assert played.departed is not None and played.departed <= 12
    # The room played by agents alone is its own same-seed run.
    assert empty.departed is None
    assert {r.key: r.you for r in empty.comparison.rows} == {
        r.key: r.same_seed for r in empty.comparison.rows}
    text = "\n".join(played.lines())
    assert f"Room {a} (Ana (government))" in text and "left the agents' on day" in text


def test_a_debrief_of_no_day(home):
    report = debrief_room(Room("WXYZ", home, days=5), runs=5)
    assert report.comparison.runs == 0 and "played no day" in report.lines()[0]


def test_pages_wait_for_a_change(home):
    session, _ = _session(home)
    seen = session.version
    assert session.wait(seen, timeout=0.01) == seen
    woke = []
    thread = threading.Thread(target=lambda: woke.append(session.wait(seen, timeout=5)))
    thread.start()
    session.add_room()
    thread.join(timeout=5)
    assert woke and woke[0] > seen and len(session.rooms) == 2


def test_room_codes_are_short_and_distinct(home):
    session, _ = _session(home, rooms=6)
    assert len(set(session.rooms)) == 6
    assert all(len(code) == 4 and set(code) <= set(CODE_LETTERS) for code in session.rooms)
    with pytest.raises(ClassroomError, match="at least one room"):
        Session(home, rooms=0)


# The pages, rendered in a Solara kernel without a browser (tests/test_browser_classroom.py
# drives them in Chromium)


@pytest.mark.usefixtures("kernel")
def test_a_seat_page_sends_a_move_and_the_teacher_card_shows_it(home):
    import ipyvuetify as v
    import solara

    from sim.ui.app import classroom as pages

    session, code = _two_playing(home, days=5)
    _, seat_rc = solara.render(pages.SeatPage(session, code, Seat.GOVERNMENT, 0),
                               handle_error=False)
    _, card_rc = solara.render(pages.RoomCard(session, code, 0), handle_error=False)
    try:
        assert "your move" in html(seat_rc, "seat-status")
        assert "frustration" not in html(seat_rc, "seat-view")
        seat_rc.find(v.Btn, children=["Send my move"]).widget.click()
        assert session.room(code).pending == {Seat.GOVERNMENT: GovernmentMove(
            home.agreement.round_size, 0, 0)}
        card_rc.render(pages.RoomCard(session, code, 1))
        assert "waiting for insurgent" in html(card_rc, f"room-{code}")
    finally:
        seat_rc.close()
        card_rc.close()
