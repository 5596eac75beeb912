"""The classroom pages (``parley app --classroom`` serves them): a teacher and many students.

Routes: ``/teacher`` (the teacher's screen: the join address and room codes shown big, every
room live, the timer, and the debrief), ``/room/<code>`` (a student's seat in a room) and ``/``
(type a room code). One :class:`~sim.classroom.Session` lives in the server process and every
browser calls it (it holds a lock); a page waits on the session's condition in a background
thread and redraws when anything changes, so a move in one browser shows in all the others.
A server thread ticks the teacher's timer. Nothing here decides the game: :mod:`sim.classroom`.
"""

from __future__ import annotations

import os
import threading
import time
from html import escape
from urllib.parse import parse_qs

import numpy as np
import solara
import solara.lab
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.agents.base import Seat
from sim.catalog import default_scenarios_dir
from sim.classroom import (
    DEBRIEF_RUNS,
    ClassroomError,
    RoomDebrief,
    Session,
    SessionPhase,
    debrief,
    view_lines,
)
from sim.roleplay import DecisionError, phase_label
from sim.scenario import load_scenario
from sim.ui.app.fields import move_from
from sim.ui.app.moves import form_from
from sim.ui.app.page import CSS, DecisionForm, NarrativeLog
from sim.ui.app.projector import projected
from sim.ui.app.state import SCENARIO_ENV
from sim.ui.figures import BLUE, DASHBOARD_WIDTH, ORANGE

ROOMS_ENV = "PARLEY_CLASSROOM_ROOMS"
DAYS_ENV = "PARLEY_CLASSROOM_DAYS"
SECONDS_ENV = "PARLEY_CLASSROOM_SECONDS"
KEY_ENV = "PARLEY_CLASSROOM_KEY"
URL_ENV = "PARLEY_CLASSROOM_URL"
TICK = 0.25  # seconds between two looks at the timer

CLASSROOM_CSS = CSS + """
.parley-join { font-size: 28px; line-height: 1.3; margin: 4px 0 12px 0; }
.parley-code { font-size: 56px; font-weight: 800; letter-spacing: 0.12em; font-family: monospace; }
.parley-room { border: 2px solid #bbb; border-radius: 6px; padding: 8px 12px; margin: 6px;
  min-width: 300px; flex: 1 1 300px; }
.parley-room-code { font-size: 40px; font-weight: 800; letter-spacing: 0.1em;
  font-family: monospace; }
.parley-view { white-space: pre-wrap; font-family: monospace; font-size: 15px;
  background: #f5f5f5; padding: 8px; border-radius: 4px; }
"""

_session: Session | None = None
_session_lock = threading.Lock()


def _ticker(session: Session) -> None:
    while True:
        session.tick()
        time.sleep(TICK)


def shared_session() -> Session:
    """The one session of this server, built from the environment on first use."""
    global _session
    with _session_lock:
        if _session is None:
            chosen = os.environ.get(SCENARIO_ENV) or str(
                default_scenarios_dir() / "afghanistan_2020.yaml")
            seconds = float(os.environ.get(SECONDS_ENV, "0") or 0)
            _session = Session(load_scenario(chosen),
                               rooms=int(os.environ.get(ROOMS_ENV, "2")),
                               days=int(os.environ.get(DAYS_ENV, "30")),
                               seconds_per_day=seconds or None)
            threading.Thread(target=_ticker, args=(_session,), daemon=True,
                             name="parley-classroom-timer").start()
        return _session


def use_session() -> tuple[Session, int]:
    """The shared session and a stamp that changes (and redraws) when the session does.

    While the timer runs, the stamp also changes each second, for the countdown.
    """
    session = solara.use_memo(shared_session, [])
    stamp, set_stamp = solara.use_state(0)

    def follow(cancel: threading.Event):
        seen = session.version
        while not cancel.is_set():
            now = session.wait(seen, timeout=1.0)
            if now != seen or (session.playing and session.seconds_per_day is not None):
                seen = now
                set_stamp(lambda s: s + 1)

    solara.use_thread(follow, dependencies=[], intrusive_cancel=False)
    return session, stamp


def _seconds_text(session: Session, code: str) -> str:
    left = session.seconds_left(code)
    return "" if left is None else f"; {left:.0f} s left on the timer"


@solara.component
def Big(text: str, classes: list[str], testid: str = ""):
    """Text shown large (a code or the join address)."""
    attributes = {"data-testid": testid} if testid else {}
    solara.HTML(tag="div", unsafe_innerHTML=escape(text), classes=classes, attributes=attributes)


@solara.component
def RoomCard(session: Session, code: str, version: int):
    """One room on the teacher's screen (``version`` redraws it when the session changes)."""
    with session.lock:  # a day may be played in another thread meanwhile
        room = session.room(code)
        names = room.names
        seats = ", ".join(f"{getattr(names, s.value)} ({s.value}): "
                          f"{room.seated.get(s, 'agents')}" for s in Seat)
        course = room.course()
        waiting = ", ".join(s.value for s in room.waiting_for)
        status = (f"Day {room.day} of {room.days}: talks {phase_label(room.model.phase)}; "
                  f"freed {int(course['gov_released'][-1])} and "
                  f"{int(course['ins_released'][-1])}"
                  + (f"; waiting for {waiting}" if waiting and session.playing else "")
                  + _seconds_text(session, code))
        events = tuple(room.model.events[-8:])
    with solara.Column(classes=["parley-room"], gap="2px"):
        Big(code, ["parley-room-code"])
        solara.HTML(tag="div", attributes={"data-testid": f"room-{code}"},
                    unsafe_innerHTML=escape(status))
        solara.HTML(tag="div", classes=["parley-help"], unsafe_innerHTML=escape(seats))
        NarrativeLog(events, room.scenario.meta.start_date, f"room-log-{code}")


def course_figure(report: RoomDebrief, names) -> Figure:
    """A room's releases day by day (solid) beside the agents' on the same seed (dashed)."""
    fig = Figure(figsize=(DASHBOARD_WIDTH, 3.8), layout="constrained")
    ax = fig.subplots()
    for key, colour, who in (("gov_released", BLUE, names.government),
                             ("ins_released", ORANGE, names.insurgent)):
        ax.step(report.course["day"], report.course[key], where="post", color=colour, lw=2.2,
                label=f"freed by the {who}: room")
        ax.step(report.agents_course["day"], report.agents_course[key], where="post",
                color=colour, lw=1.4, ls="--", label=f"freed by the {who}: agents")
    if report.departed is not None:
        ax.axvline(report.departed, color="#555555", ls=":", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("day")
    ax.set_ylabel("prisoners freed")
    ax.set_ylim(bottom=0, top=max(10.0, 1.1 * float(np.max([
        report.course["gov_released"].max(), report.course["ins_released"].max(),
        report.agents_course["gov_released"].max(), report.agents_course["ins_released"].max()]))))
    fig.suptitle(f"Room {report.code} against the agents on the same seed")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=1)
    return fig


@solara.lab.task
def debrief_task(session: Session, runs: int):
    """The debrief of every room (agents' runs in a background thread)."""
    return debrief(session, runs)


@solara.component
def Debrief(session: Session, version: int):
    """Each room's course beside the agents', and against the odds of many agent runs."""
    solara.Button(f"Debrief: compare every room with the agents ({DEBRIEF_RUNS} runs)",
                  color="primary", classes=["parley-debrief"], disabled=debrief_task.pending,
                  on_click=lambda: debrief_task(session, DEBRIEF_RUNS))
    if debrief_task.pending:
        solara.ProgressLinear(True)
    if debrief_task.error:
        solara.Error(f"The debrief failed: {debrief_task.exception}")
    if not debrief_task.finished or debrief_task.value is None:
        return
    names = session.scenario.meta.sides
    for report in debrief_task.value:
        with solara.Column(classes=["parley-room"], gap="2px"):
            items = "".join(f"<li>{escape(line.strip())}</li>" for line in report.lines())
            solara.HTML(tag="ul", unsafe_innerHTML=items,
                        attributes={"data-testid": f"debrief-{report.code}"})
            if report.days:
                solara.FigureMatplotlib(projected(course_figure, report, names),
                                        format="png", dependencies=[id(report)])


@solara.component
def Teacher():
    """The teacher's screen."""
    session, version = use_session()
    router = solara.use_router()
    key = os.environ.get(KEY_ENV)
    if key and parse_qs(router.search or "").get("key", [""])[0] != key:
        solara.Error("This is the teacher's page: open the address `parley app --classroom` "
                     "printed in its terminal.")
        return
    url = os.environ.get(URL_ENV, "")
    solara.Title("Parley classroom: teacher")
    Big(f"Join at {url or 'this address'} with your room's code:", ["parley-join"],
        "join-address")
    with solara.Row(style={"flex-wrap": "wrap"}):
        for code in session.rooms:
            Big(code, ["parley-code"], "room-code")
    seconds = session.seconds_per_day
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt("seconds a day (0: no timer)", value=int(seconds or 0),
                        on_value=lambda v: session.set_timer(float(v) if v and v > 0 else None),
                        continuous_update=False, dense=True, style={"max-width": "200px"},
                        classes=["parley-timer"])
        solara.Button("Add a room", on_click=session.add_room, classes=["parley-add-room"],
                      disabled=session.phase is SessionPhase.OVER)
        solara.Button("Start the game", color="primary", on_click=session.start,
                      classes=["parley-start"], disabled=session.phase is not SessionPhase.LOBBY)
        solara.Button("Play the day now", on_click=lambda: session.advance_now(),
                      classes=["parley-advance"], disabled=not session.playing)
        solara.Button("End the game", on_click=session.end, classes=["parley-end"],
                      disabled=session.phase is SessionPhase.OVER)
        solara.HTML(tag="span", attributes={"data-testid": "session-phase"},
                    unsafe_innerHTML=escape(f"{session.scenario.meta.name}: "
                                            f"{session.phase.value}"))
    with solara.Row(style={"flex-wrap": "wrap"}):
        for code in list(session.rooms):
            RoomCard(session, code, version)
    if session.phase is SessionPhase.OVER:
        Debrief(session, version)


@solara.component
def Seating(session: Session, code: str, on_seat, version: int):
    """A student's name and the three seats (a taken seat names who holds it)."""
    name, set_name = solara.use_state("")
    error, set_error = solara.use_state("")
    room = session.room(code)

    def take(seat: Seat):
        try:
            on_seat(session.take(code, seat, name))
        except ClassroomError as exc:
            set_error(str(exc))

    solara.InputText("your name", value=name, on_value=set_name, continuous_update=True,
                     classes=["parley-name"])
    with solara.Row(style={"flex-wrap": "wrap"}):
        for seat in Seat:
            holder = room.seated.get(seat)
            label = f"{getattr(room.names, seat.value)} ({seat.value})" + (
                f": {holder}" if holder else "")
            # A student whose page reloaded takes their seat back by typing the same name.
            solara.Button(label, on_click=lambda seat=seat: take(seat),
                          disabled=holder is not None and holder != name.strip(),
                          color="primary",
                          classes=[f"parley-seat-{seat.value}"])
    if error:
        solara.Error(error)


@solara.component
def SeatPage(session: Session, code: str, seat: Seat, version: int):
    """A seated student: their role's view, their decision, the room's news."""
    form, set_form = solara.use_state({})
    error, set_error = solara.use_state("")
    with session.lock:  # a day may be played in another thread meanwhile
        room = session.room(code)
        game = room.games[seat]
        form = {**form_from(game), **form}
        view = room.view(seat)
        waiting = ", ".join(s.value for s in room.waiting_for) or "the day"
        over = session.phase is SessionPhase.OVER or room.over
        day, events = room.day, tuple(room.model.events)
        status = (f"Room {code}: you are the {view.seat_name} ({seat.value}). Day {day} of "
                  f"{room.days}; " + (
                      "the teacher has not started yet" if session.phase is SessionPhase.LOBBY
                      else "the game is over" if over
                      else f"you have moved; waiting for {waiting}" if view.moved
                      else "your move") + f"{_seconds_text(session, code)}.")

    def send():
        try:
            session.submit(code, seat, move_from(game, form))
            set_error("")
        except DecisionError as exc:
            set_error(str(exc))

    solara.HTML(tag="div", attributes={"data-testid": "seat-status"},
                unsafe_innerHTML=escape(status))
    solara.HTML(tag="div", classes=["parley-view"], attributes={"data-testid": "seat-view"},
                unsafe_innerHTML=escape("\n".join(view_lines(view, room.names))))
    if session.playing and not over:
        DecisionForm(game, day, form, set_form)
        solara.Button("Send my move" if not view.moved else "Change my move", color="primary",
                      on_click=send, classes=["parley-send"])
    if error:
        solara.Error(error)
    solara.HTML(tag="h4", unsafe_innerHTML="What happened")
    NarrativeLog(events, room.scenario.meta.start_date, "seat-narrative")


@solara.component
def Student():
    """A student's page: ``/room/<code>``."""
    session, version = use_session()
    router = solara.use_router()
    parts = [p for p in router.parts if p]
    code = parts[1].upper() if len(parts) > 1 else ""
    seat, set_seat = solara.use_state(None)
    solara.Title(f"Parley classroom: room {code}")
    try:
        room = session.room(code)
    except ClassroomError as exc:
        solara.Error(str(exc))
        Join()
        return
    if seat is not None and room.seated.get(seat) is None:
        seat = None  # the seat was freed (for example by a reload of the server)
    Big(f"Room {code}", ["parley-room-code"])
    if seat is None:
        Seating(session, code, set_seat, version)
    else:
        SeatPage(session, code, seat, version)


@solara.component
def Join():
    """Type the room code from the teacher's screen."""
    code, set_code = solara.use_state("")
    router = solara.use_router()
    solara.Title("Parley classroom")
    solara.HTML(tag="div", classes=["parley-join"],
                unsafe_innerHTML="Type the room code shown on the teacher's screen.")
    with solara.Row(style={"align-items": "center"}):
        solara.InputText("room code", value=code, on_value=set_code, continuous_update=True,
                         classes=["parley-code-input"])
        solara.Button("Join", color="primary", classes=["parley-join-button"],
                      on_click=lambda: router.push(f"/room/{code.strip().upper()}"))


@solara.component
def Layout(children=()):
    """No app bar or sidebar: the page is the room or the teacher's screen."""
    solara.Style(CLASSROOM_CSS)
    with solara.Column(style={"padding": "12px"}):
        solara.Column(children=list(children))


routes = [
    solara.Route(path="/", component=Join, layout=Layout),
    solara.Route(path="teacher", component=Teacher),
    solara.Route(path="room", component=Student),
]
