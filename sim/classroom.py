"""A classroom session: several rooms, each a game in which students play each other.

The teacher opens a :class:`Session` of one scenario with a few rooms (each a :class:`Room`,
one per group of students), each known by a short code. A student joins a room and takes a
seat (government, insurgent or mediator). A day of a room advances when every seated person has
moved, or when the teacher's timer for that room runs out (a seated person who has not moved
then plays the move :meth:`~sim.roleplay.Game.default_move` stands for); the model's agents play
the empty seats. Each seat sees only what its role would know (:func:`role_view`). At the end the
debrief (:func:`debrief_room`) sets each room's course beside the agents' run of the same
scenario and seed, and against the odds of many agent runs (an ensemble, :mod:`sim.ensemble`).

The seats, moves and refusals are role play's (:class:`~sim.roleplay.Game`, one per seat,
sharing the room's model). Nothing here imports a front end: the dashboard's classroom pages
(:mod:`sim.ui.app.classroom`) hold one :class:`Session` in the server process and call it from
every browser; a lock makes that safe, and a condition wakes the pages when something changes.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from sim.agents.base import Move, Phase, Seat
from sim.model import ParleyModel
from sim.roleplay import (
    Comparison,
    DecisionError,
    Game,
    agent_summaries,
    compare_outcome,
    phase_label,
)
from sim.runner import summarize_model
from sim.scenario import Scenario

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread off a projector
CODE_LENGTH = 4
DEBRIEF_RUNS = 100

PUBLIC_FACTS = ("day", "date", "days", "phase", "demand", "offer", "bridge", "gov_released",
                "ins_released", "named_released", "named_total", "attacks_recent", "today")
"""What every seat knows: the day, the talks, what is on the table, who was freed, the news."""

PRIVATE_FACTS: dict[Seat, tuple[str, ...]] = {
    Seat.GOVERNMENT: ("felt_pressure", "goodwill_threshold", "government_remaining"),
    Seat.INSURGENT: ("trust", "frustration", "patience", "pressure_on_insurgent",
                     "insurgent_remaining"),
    Seat.MEDIATOR: (),
}
"""What only one seat knows: a side's own mood, thresholds and remaining prisoners. The
mediator knows what is public and what it does itself, not either side's thresholds."""


class SessionPhase(StrEnum):
    """Where a classroom session stands."""

    LOBBY = "lobby"
    PLAYING = "playing"
    OVER = "over"


class ClassroomError(DecisionError):
    """A request the session cannot carry out (a taken seat, an unknown room); says why."""


def new_code(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A short room code not in ``taken`` (a join token, not model randomness)."""
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


@dataclass(frozen=True)
class RoleView:
    """What one seat sees before deciding: the public facts and its own private ones."""

    seat: Seat
    seat_name: str
    facts: dict[str, Any]
    advice: str
    moved: bool
    waiting_for: tuple[Seat, ...]


def role_view(game: Game, moved: bool = False, waiting_for: tuple[Seat, ...] = ()) -> RoleView:
    """The seat's view of its room: public facts, its own private facts, its agent's advice."""
    situation = game.situation()
    keys = PUBLIC_FACTS + PRIVATE_FACTS[game.seat]
    return RoleView(game.seat, game.seat_name, {k: getattr(situation, k) for k in keys},
                    game.advice(), moved, waiting_for)


def view_lines(view: RoleView, names) -> list[str]:
    """A role's view as lines of plain text (only the facts the view holds)."""
    f = view.facts
    lines = [f"Day {f['day']} ({f['date'].isoformat()}) of {f['days']}: talks "
             f"{phase_label(f['phase'])}"]
    lines += ["  " + line for line in f["today"]]
    table = [f"{who} {f[key].size} ({f[key].named} named)"
             for key, who in (("demand", f"{names.insurgent} demand"),
                              ("offer", f"{names.government} offer"),
                              ("bridge", f"{names.mediator} propose"))
             if f.get(key) is not None]
    if table:
        lines.append("At the table: " + "; ".join(table))
    named = f" ({f['named_released']} of {f['named_total']} named)" if f["named_total"] else ""
    lines.append(f"Freed so far: {f['gov_released']} by the {names.government}{named}, "
                 f"{f['ins_released']} by the {names.insurgent}; attacks a day (3-day mean) "
                 f"{f['attacks_recent']:.0f}")
    if "felt_pressure" in f:
        lines.append(f"Pressure you feel: {f['felt_pressure']:.2f} (you release on your own "
                     f"above {f['goodwill_threshold']:g}); prisoners you still hold: "
                     f"{f['government_remaining']}")
    if "trust" in f:
        lines.append(f"Your trust {f['trust']:.2f}, frustration {f['frustration']:.2f} "
                     f"(patience {f['patience']:g}); pressure on you "
                     f"{f['pressure_on_insurgent']:.2f}; prisoners you still hold: "
                     f"{f['insurgent_remaining']}")
    lines.append(f"The model's own {view.seat_name} would: {view.advice}")
    return lines


class Room:
    """One group's game: a model whose seats are taken by students or played by agents.

    Args:
        code: the room's join code.
        scenario: the validated scenario (its ``run.seed`` is the room's seed).
        days: the last day of the game (at most the scenario's ``run.days``).
    """

    def __init__(self, code: str, scenario: Scenario, days: int | None = None) -> None:
        self.code = code
        self.scenario = scenario
        self.model = ParleyModel(scenario)
        self.days = min(days or self.model.days, self.model.days)
        self.games = {seat: Game(scenario, seat, self.model) for seat in Seat}
        self.seated: dict[Seat, str] = {}
        self.pending: dict[Seat, Move] = {}
        self.played: list[dict[Seat, str]] = []  # per day: who decided each seated seat
        self.deadline: float | None = None

    @property
    def names(self):
        """The scenario's names for the three sides."""
        return self.scenario.meta.sides

    @property
    def day(self) -> int:
        """The last day played."""
        return self.model.day

    @property
    def over(self) -> bool:
        """Whether the game has reached its last day, completion or collapse."""
        return self.day >= self.days or self.model.phase in (Phase.COMPLETED, Phase.COLLAPSED)

    def take(self, seat: Seat | str, name: str) -> Seat:
        """Seat a student; refuse a seat someone else holds."""
        seat = Seat(seat)
        name = name.strip() or "student"
        holder = self.seated.get(seat)
        if holder is not None and holder != name:
            raise ClassroomError(f"the {seat} seat of room {self.code} is taken by {holder}")
        self.seated[seat] = name
        return seat

    def leave(self, seat: Seat | str) -> None:
        """Free a seat: from the next day the agents play it."""
        seat = Seat(seat)
        self.seated.pop(seat, None)
        self.pending.pop(seat, None)

    @property
    def waiting_for(self) -> tuple[Seat, ...]:
        """Seated seats that have not moved today."""
        return tuple(s for s in Seat if s in self.seated and s not in self.pending)

    @property
    def ready(self) -> bool:
        """Whether every seated person has moved (and somebody is seated)."""
        return bool(self.seated) and not self.waiting_for

    def submit(self, seat: Seat | str, move: Move) -> None:
        """Record a seated person's move for today (a later move replaces it).

        Raises:
            ClassroomError: the seat is not taken, or the game is over.
            DecisionError: the move is not the seat's or means nothing today.
        """
        seat = Seat(seat)
        if seat not in self.seated:
            raise ClassroomError(f"nobody sits in the {seat} seat of room {self.code}")
        if self.over:
            raise ClassroomError(f"the game in room {self.code} is over")
        self.games[seat].check(move)
        self.pending[seat] = move

    def advance(self) -> None:
        """Play today: seated people's moves (or what a silence stands for), agents the rest."""
        if self.over:
            return
        moves, who = [], {}
        for seat in Seat:
            if seat not in self.seated:
                continue
            game = self.games[seat]
            move = self.pending.get(seat)
            who[seat] = "person" if move is not None else "timer"
            move = move if move is not None else game.default_move()
            moves.append(move)
            game.moves.append(move)
        self.model.play(*moves)
        self.played.append(who)
        self.pending = {}

    def view(self, seat: Seat | str) -> RoleView:
        """What one seat sees now."""
        seat = Seat(seat)
        view = role_view(self.games[seat], seat in self.pending, self.waiting_for)
        view.facts["days"] = self.days  # the game's length, not the scenario's
        return view

    def summary(self) -> dict:
        """The room's outcome so far, in the same terms as a run's summary."""
        return self.games[Seat.GOVERNMENT].summary()

    def course(self) -> dict[str, np.ndarray]:
        """The room's daily series so far."""
        return self.model.columns(self.day)


class Session:
    """A classroom: one scenario, several rooms, a timer per day, shared by every browser.

    Args:
        scenario: the validated scenario every room plays (same seed: rooms differ only by
            their students' choices).
        rooms: how many rooms (groups).
        days: the game's length in days (default the scenario's ``run.days``).
        seconds_per_day: the teacher's timer; None for no timer (then only moves, or the
            teacher's "play the day now", advance a day).
        clock: seconds, monotonic (tests pass a fake clock).
    """

    def __init__(self, scenario: Scenario, rooms: int = 1, days: int | None = None,
                 seconds_per_day: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rooms < 1:
            raise ClassroomError(f"a session needs at least one room, not {rooms}")
        self.scenario = scenario
        self.days = days
        self.seconds_per_day = seconds_per_day
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.version = 0
        self.phase = SessionPhase.LOBBY
        self.rooms: dict[str, Room] = {}
        for _ in range(rooms):
            self.add_room()

    def add_room(self) -> Room:
        """Open one more room with a fresh code."""
        with self.lock:
            room = Room(new_code(set(self.rooms)), self.scenario, self.days)
            self.rooms[room.code] = room
            if self.phase is SessionPhase.PLAYING:
                room.deadline = self._deadline()
            self._bump()
            return room

    def room(self, code: str) -> Room:
        """The room of a code (case and spaces ignored)."""
        key = code.strip().upper()
        if key not in self.rooms:
            raise ClassroomError(f"no room has the code {code!r}; the teacher's screen shows "
                                 f"the codes ({', '.join(self.rooms)})")
        return self.rooms[key]

    def _deadline(self) -> float | None:
        return None if self.seconds_per_day is None else self.clock() + self.seconds_per_day

    def _bump(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the session changes after version ``seen`` (or ``timeout`` s pass)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def take(self, code: str, seat: Seat | str, name: str) -> Seat:
        """Seat a student in a room."""
        with self.lock:
            seat = self.room(code).take(seat, name)
            self._bump()
            return seat

    def leave(self, code: str, seat: Seat | str) -> None:
        """Free a seat."""
        with self.lock:
            self.room(code).leave(seat)
            self._advance_if_ready(self.room(code))
            self._bump()

    def set_timer(self, seconds: float | None) -> None:
        """Change the timer; running rooms start their day's count again."""
        with self.lock:
            self.seconds_per_day = seconds
            if self.phase is SessionPhase.PLAYING:
                self._restart_clocks()
            self._bump()

    def start(self) -> None:
        """Start the game in every room (the timer starts)."""
        with self.lock:
            self.phase = SessionPhase.PLAYING
            self._restart_clocks()
            self._bump()

    def _restart_clocks(self) -> None:
        for room in self.rooms.values():
            room.deadline = self._deadline()

    def end(self) -> None:
        """End the game in every room, at the day each has reached."""
        with self.lock:
            self.phase = SessionPhase.OVER
            self._bump()

    @property
    def playing(self) -> bool:
        """Whether moves are being taken."""
        return self.phase is SessionPhase.PLAYING

    def submit(self, code: str, seat: Seat | str, move: Move) -> None:
        """A seated person's move; the room's day advances once every seated person has moved.

        Raises:
            ClassroomError: the game has not started or is over, or the seat is not taken.
            DecisionError: the move is not the seat's or means nothing today.
        """
        with self.lock:
            if not self.playing:
                raise ClassroomError("the teacher has not started the game" if
                                     self.phase is SessionPhase.LOBBY else "the game is over")
            room = self.room(code)
            room.submit(seat, move)
            self._advance_if_ready(room)
            self._bump()

    def _advance_if_ready(self, room: Room) -> None:
        if self.playing and room.ready and not room.over:
            self._advance(room)

    def _advance(self, room: Room) -> None:
        room.advance()
        room.deadline = self._deadline()
        if all(r.over for r in self.rooms.values()):
            self.phase = SessionPhase.OVER

    def advance_now(self, code: str | None = None) -> None:
        """The teacher plays the day now in one room (or all), as if the timer ran out."""
        with self.lock:
            if not self.playing:
                return
            for room in ([self.room(code)] if code else list(self.rooms.values())):
                if not room.over:
                    self._advance(room)
            self._bump()

    def tick(self) -> int:
        """Advance every room whose timer has run out; return how many advanced."""
        with self.lock:
            if not self.playing:
                return 0
            now = self.clock()
            due = [r for r in self.rooms.values()
                   if not r.over and r.deadline is not None and now >= r.deadline]
            for room in due:
                self._advance(room)
            if due:
                self._bump()
            return len(due)

    def seconds_left(self, code: str) -> float | None:
        """Seconds until the room's timer runs out, or None without a timer."""
        with self.lock:
            deadline = self.room(code).deadline
            if deadline is None or not self.playing:
                return None
            return max(0.0, deadline - self.clock())


# The debrief


@dataclass(frozen=True)
class RoomDebrief:
    """A room's course beside the agents' run of the same scenario and seed, and the odds."""

    code: str
    seated: dict[Seat, str]
    days: int
    course: dict[str, np.ndarray]
    agents_course: dict[str, np.ndarray]
    comparison: Comparison
    departed: int | None

    def lines(self) -> list[str]:
        """The debrief as plain text."""
        c = self.comparison
        who = ", ".join(f"{name} ({seat})" for seat, name in self.seated.items()) or "agents only"
        if not c.runs:
            return [f"Room {self.code} ({who}) played no day."]
        out = [f"Room {self.code} ({who}), {self.days} days; the agents played the same "
               f"scenario and seed, and {c.runs} runs of other seeds, over the same days:"]
        out.append("  " + (f"the room's course left the agents' on day {self.departed}"
                           if self.departed is not None
                           else "the room followed the agents' course day by day"))
        out += ["  " + row.sentence("the room").replace("agents on your seed",
                                                        "agents on this seed")
                for row in c.rows]
        shares = ", ".join(f"{phase_label(name)} {value:.0%}"
                           for name, value in c.phase_shares.items() if value)
        out.append(f"  at the end the talks were {phase_label(c.you['final_phase'])} in the "
                   f"room; in the agents' runs: {shares}")
        return out


def first_departure(course: dict[str, np.ndarray], agents: dict[str, np.ndarray],
                    keys: tuple[str, ...] = ("gov_released", "ins_released", "phase")
                    ) -> int | None:
    """The first day the room's course differs from the agents' (releases or phase), or None."""
    days = min(len(course["day"]), len(agents["day"]))
    differs = np.zeros(days, dtype=bool)
    for key in keys:
        differs |= course[key][:days] != agents[key][:days]
    hits = np.flatnonzero(differs)
    return int(course["day"][hits[0]]) if hits.size else None


def debrief_room(room: Room, runs: int = DEBRIEF_RUNS) -> RoomDebrief:
    """A room against the agents: the same seed played by agents alone, and ``runs`` seeds."""
    day = room.day
    if day < 1:
        empty = Comparison(Seat.GOVERNMENT, "", 0, {}, [], {}, 0.0, 0)
        return RoomDebrief(room.code, dict(room.seated), 0, room.course(), room.course(),
                           empty, None)
    seed = room.model.seed
    agents_model = ParleyModel(room.scenario, seed=seed, days=day).run()
    agents_course = agents_model.columns()
    own = summarize_model(agents_model, agents_course)
    summaries = agent_summaries(room.scenario, runs, day, seed)
    seat = next(iter(room.seated), Seat.GOVERNMENT)
    comparison = compare_outcome(seat, getattr(room.names, seat.value), room.summary(),
                                 summaries, room.names, own)
    course = room.course()
    return RoomDebrief(room.code, dict(room.seated), day, course, agents_course, comparison,
                       first_departure(course, agents_course))


def debrief(session: Session, runs: int = DEBRIEF_RUNS) -> list[RoomDebrief]:
    """Every room's debrief, in the order the rooms were opened."""
    with session.lock:
        rooms = list(session.rooms.values())
    return [debrief_room(room, runs) for room in rooms]
