"""``parley play``: role play in a terminal, one typed decision a day.

The seat logic (the game, what the person sees, the comparison with the agents) is
:mod:`sim.roleplay`, which the dashboard shares; this module adds only what a terminal needs:
parsing a typed decision into a move, the prompt, and the loop. :func:`play_loop` takes its
input and output as callables so that tests drive it without a terminal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from sim.agents.base import (
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Move,
    Response,
    Seat,
)
from sim.roleplay import Comparison, DecisionError, Game, format_situation, phase_label

QUIT_WORDS = ("q", "quit", "exit")
HELP_WORDS = ("?", "h", "help")


# Parsing a person's decision


_GOV_KEYS = {"offer": "offer_size", "o": "offer_size", "size": "offer_size",
             "named": "offer_named", "n": "offer_named",
             "release": "unilateral", "unilateral": "unilateral", "u": "unilateral",
             "r": "unilateral"}
_GOV_ORDER = ("offer_size", "offer_named", "unilateral")
_INS_WORDS = {"accept": Response.ACCEPT, "a": Response.ACCEPT, "yes": Response.ACCEPT,
              "y": Response.ACCEPT,
              "reject": Response.REJECT, "r": Response.REJECT, "no": Response.REJECT,
              "hold": Response.REJECT, "wait": Response.REJECT,
              "walkout": Response.WALKOUT, "walk": Response.WALKOUT, "w": Response.WALKOUT,
              "leave": Response.WALKOUT,
              "return": Response.RETURN, "back": Response.RETURN, "resume": Response.RETURN}
_MED_KEYS = {"gov": "on_government", "government": "on_government", "g": "on_government",
             "ins": "on_insurgent", "insurgent": "on_insurgent", "i": "on_insurgent"}
_MED_ORDER = ("on_government", "on_insurgent")
_STRIKE_WORDS = ("strike", "s", "airstrike")

DECISION_HELP = {
    Seat.GOVERNMENT: (
        "Your offer for the round under negotiation, how many named seniors it includes, and "
        "how many prisoners you release on your own today:\n"
        "  100          offer 100, none of them named, no unilateral release\n"
        "  400 15       offer 400 including 15 named seniors\n"
        "  100 0 100    offer 100 and release 100 on your own today\n"
        "  offer 100 named 5 release 50   the same with words\n"
        "You accept any demand your offer covers (size and named)."),
    Seat.INSURGENT: (
        "Your answer today:\n"
        "  accept (a)   accept the government's offer\n"
        "  reject (r)   hold out for your demand\n"
        "  walkout (w)  walk out of the talks\n"
        "  return       come back to suspended talks"),
    Seat.MEDIATOR: (
        "Pressure you add today on each side, and whether you strike the insurgents:\n"
        "  0.05 0.01          0.05 on the government, 0.01 on the insurgents\n"
        "  gov 0.1 ins 0      the same with words\n"
        "  0 0.02 strike      press the insurgents and strike them\n"
        "Pressure fades by itself each day; the agents' mediator adds a few hundredths."),
}


REPEAT_HELP = ("Add 'days N' (or xN) to play the same decision for N days; it stops early when "
               "the talks change phase. Enter repeats yesterday's decision; q stops the game.")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", text.strip().lower()) if w]


def _number(word: str, integer: bool) -> float:
    try:
        value = int(word) if integer else float(word)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise DecisionError(f"{word!r} is not {kind}") from None
    if not math.isfinite(value) or value < 0:
        raise DecisionError(f"{word!r} must be zero or more")
    return value


def _fill(words: list[str], keys: dict[str, str], order: tuple[str, ...], integer: bool,
          flags: tuple[str, ...] = ()) -> tuple[dict[str, float], bool]:
    """Keyword or positional numbers; ``flags`` are words that switch something on."""
    values: dict[str, float] = {}
    flag = False
    target: str | None = None
    for word in words:
        if word in flags:
            flag = True
        elif word in keys:
            target = keys[word]
        else:
            number = _number(word, integer)
            if target is None:
                free = [k for k in order if k not in values]
                if not free:
                    raise DecisionError(f"too many numbers ({word!r} is one too many)")
                target = free[0]
            values[target] = number
            target = None
    if target is not None:
        raise DecisionError("a number is missing after the last word")
    return values, flag


def split_days(text: str) -> tuple[str, int]:
    """Take ``days N`` (or ``xN``) out of a decision: the number of days to play it for.

    Raises:
        DecisionError: when the number of days is missing or not a positive whole number.
    """
    words = _words(text)
    days = 1
    kept = []
    i = 0
    while i < len(words):
        word = words[i]
        count = None
        if word in ("days", "day") and i + 1 < len(words):
            count, i = words[i + 1], i + 2
        elif word in ("days", "day"):
            raise DecisionError("say how many days after 'days', e.g. days 5")
        elif re.fullmatch(r"x\d+", word):
            count, i = word[1:], i + 1
        else:
            kept.append(word)
            i += 1
        if count is not None:
            days = int(_number(count, integer=True))
            if days < 1:
                raise DecisionError("play at least one day")
    return " ".join(kept), days


def parse_decision(seat: Seat | str, text: str, default: Move | None = None) -> Move:
    """Turn what a person typed into the move of their seat.

    Args:
        seat: the seat played.
        text: the decision as typed (see :data:`DECISION_HELP`); blank repeats ``default``.
        default: the move a blank line stands for (e.g. yesterday's).

    Returns:
        A :class:`GovernmentMove`, :class:`InsurgentMove` or :class:`MediatorMove`.

    Raises:
        DecisionError: with a message saying what was wrong.
    """
    seat = Seat(seat)
    words = _words(text)
    if not words:
        if default is None:
            raise DecisionError("type a decision (? for help)")
        return default
    if seat is Seat.GOVERNMENT:
        values, _ = _fill(words, _GOV_KEYS, _GOV_ORDER, integer=True)
        if "offer_size" not in values:
            raise DecisionError("say how many prisoners you offer, e.g. 100")
        return GovernmentMove(**{k: int(v) for k, v in values.items()})
    if seat is Seat.INSURGENT:
        phrase = " ".join(words)
        response = _INS_WORDS.get(phrase) or _INS_WORDS.get(phrase.replace(" ", ""))
        if response is None:
            raise DecisionError(f"{text.strip()!r} is not an answer; say accept, reject, "
                                "walkout or return")
        return InsurgentMove(response)
    values, strike = _fill(words, _MED_KEYS, _MED_ORDER, integer=False, flags=_STRIKE_WORDS)
    return MediatorMove(values.get("on_government", 0.0), values.get("on_insurgent", 0.0),
                        strike)


def describe_move(move: Move) -> str:
    """A move in a few words, as the person would say it."""
    if isinstance(move, GovernmentMove):
        named = f" including {move.offer_named} named" if move.offer_named else ""
        own = f"; release {move.unilateral} unilaterally" if move.unilateral else ""
        return f"offer {move.offer_size}{named}{own}"
    if isinstance(move, InsurgentMove):
        return str(move.response)
    strike = "; strike" if move.strike else ""
    return (f"pressure {move.on_government:g} on the government, {move.on_insurgent:g} on the "
            f"insurgents{strike}")


# The loop


def prompt_for(game: Game) -> str:
    """The question asked each day, with what a blank answer means."""
    what = {Seat.GOVERNMENT: "offer [named] [release]",
            Seat.INSURGENT: " / ".join(str(r) for r in game.choices()),
            Seat.MEDIATOR: "pressure on government, on insurgents [strike]"}[game.seat]
    return (f"Day {game.model.day + 1}, your decision ({what}; Enter = "
            f"{describe_move(game.default_move())}; 'days N' repeats it; ? help; q quit): ")


def play_loop(game: Game, read: Callable[[str], str], write: Callable[[str], None],
              seeds: int = 50) -> Comparison:
    """Play a game in a terminal: each day show the situation, read a decision, play it.

    Args:
        game: a new game.
        read: asks a question and returns the answer (``input``); EOFError ends the game.
        write: prints one line (``print``).
        seeds: agent runs to compare the outcome with.

    Returns:
        The comparison shown at the end.
    """
    n = game.names
    write(f"You are the {game.seat_name} ({game.seat}); the model plays the "
          + " and the ".join(getattr(n, s.value) for s in Seat if s is not game.seat)
          + f". {game.scenario.meta.name}, {game.model.days} days. Type ? for help, q to stop.")
    while not game.over:
        for line in format_situation(game):
            write(line)
        while True:
            try:
                text = read(prompt_for(game))
            except EOFError:
                write("")
                game.stop()
                break
            word = text.strip().lower()
            if word in QUIT_WORDS:
                game.stop()
                break
            if word in HELP_WORDS:
                write(DECISION_HELP[game.seat])
                write(REPEAT_HELP)
                continue
            try:
                decision, days = split_days(text)
                move = parse_decision(game.seat, decision, game.default_move())
                lines = game.play_days(move, days)
            except DecisionError as exc:
                write(f"not played: {exc}")
                continue
            if days > 1:
                # The situation printed next shows only the last day's events.
                for line in lines[:len(lines) - len(game.today())]:
                    write("  " + line)
            break
    write(f"=== The game ends on day {game.model.day}: talks {phase_label(game.model.phase)} ===")
    if not game.stopped:
        for line in game.today():
            write("  " + line)
    write(f"Running the agents {seeds} times for comparison...")
    comparison = game.compare(seeds)
    for line in comparison.lines():
        write(line)
    return comparison
