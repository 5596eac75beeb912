"""What a dashboard field says when a value is refused, and the role-play form's move.

A refused value is named by the control a person sees ("Insurgent (Taliban): patience"), in
plain words: the allowed range for a value out of bounds, or the rule it breaks with every
parameter named in words ("the Afghan government's unilateral batch") rather than by its
dotted path. The field then shows the value the run is using, and this message beside it.
Nothing here imports Solara.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Move, Response, Seat
from sim.errors import ScenarioError
from sim.roleplay import DecisionError, Game
from sim.ui.app.state import Control

_PATH = re.compile(r"\b(government|insurgent|mediator|agreement|run|meta|pools)"
                   r"((?:\.[a-z_]+)+)\b")
_CLASH = re.compile(r"^clashes with (?P<other>.+?): \((?P<value>[^)]*)\) ")


def path_words(path: str, sides=None) -> str:
    """A parameter's dotted path as words: ``the Taliban's patience``, ``the seed``."""
    section, *rest = path.split(".")
    name = " ".join(rest[-1:]).replace("_", " ")
    if section == "run":
        return f"the {name}"
    owner = getattr(sides, section, None) if sides is not None else None
    return f"the {owner or section}'s {name}"


def plain_words(text: str, sides=None) -> str:
    """``text`` with every dotted parameter path in it written as words."""
    text = _CLASH.sub(lambda m: f"{m['other']} ({m['value']}) ", text)
    return _PATH.sub(lambda m: path_words(m.group(0), sides), text)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:,g}"
    if isinstance(value, int):
        return f"{value:,}"
    return repr(value)


def _outside(ctl: Control, value: Any) -> bool:
    if ctl.kind is bool or not isinstance(value, int | float):
        return False
    low, high = ctl.low, ctl.high
    return ((low is not None and (value < low or (ctl.low_open and value == low)))
            or (high is not None and (value > high or (ctl.high_open and value == high))))


def refusal(ctl: Control, value: Any, current: Any, exc: ScenarioError, sides=None) -> str:
    """The message a field shows when the scenario refuses ``value`` for it.

    Args:
        ctl: the control the value was typed in.
        value: the refused value.
        current: the value the run goes on using.
        exc: what the scenario said.
        sides: the scenario's names for the sides.
    """
    if isinstance(value, float) and not math.isfinite(value):
        reason = "it is not a finite number"
    elif _outside(ctl, value):
        reason = f"allowed {ctl.range_text()}"
    else:
        reason = "; ".join(plain_words(p.message, sides) for p in exc.problems)
    return (f"{ctl.title(sides)}: {_shown(value)} was not used: {reason}. "
            f"The run uses {_shown(current)}.")


def or_back(on_value: Callable[[Any], bool | None], shown, in_use: Any) -> Callable[[Any], None]:
    """A field's handler: ``on_value``, then the field back to the value in use if refused.

    Args:
        on_value: takes the typed value; returns False when it is refused.
        shown: what the field shows (a ``solara.Reactive``; anything with ``set``).
        in_use: the value the run is using.
    """
    def typed(value: Any) -> None:
        if value == in_use:  # the value in use (the field going back to it): nothing to do
            return
        if on_value(value) is False:
            shown.set(in_use)
    return typed


# Role play


def move_from(game: Game, form: dict[str, Any]) -> Move:
    """The move the role-play form stands for, as typed: nothing clamped or swapped.

    Raises:
        DecisionError: when a field holds no usable value, or the game refuses the move
            (:meth:`sim.roleplay.Game.check`: a negative count, more named seniors than are
            held, a release above today's cap, an answer that means nothing today).
    """
    def number(key: str, kind: type) -> Any:
        value = form.get(key)
        if value is None or value == "":
            return kind(0)
        if isinstance(value, float) and not math.isfinite(value):
            raise DecisionError(f"{key.replace('_', ' ')} must be a finite number")
        if kind is int and value != int(value):
            raise DecisionError(f"{key.replace('_', ' ')} must be a whole number")
        return kind(value)

    if game.seat is Seat.GOVERNMENT:
        move: Move = GovernmentMove(number("offer_size", int), number("offer_named", int),
                                    number("unilateral", int))
    elif game.seat is Seat.INSURGENT:
        move = InsurgentMove(Response(form["response"]))
    else:
        move = MediatorMove(number("on_government", float), number("on_insurgent", float),
                            bool(form.get("strike")))
    game.check(move)
    return move


def count_refusal(label: str, value: Any, low: int, high: int, current: int) -> str | None:
    """Why a count typed in a page's own field (days per step, runs) is refused, or None.

    Args:
        label: the field's label, as the page shows it.
        value: what was typed (None for an empty field).
        low: the smallest count allowed.
        high: the largest count allowed.
        current: the count the page goes on using.
    """
    if value is None or value == "":
        reason = "the field is empty"
    elif isinstance(value, float) and not math.isfinite(value):
        reason = "it is not a finite number"
    elif value != int(value):
        reason = "it is not a whole number"
    elif not low <= value <= high:
        reason = f"allowed {low:,} to {high:,}"
    else:
        return None
    return f"{label}: {_shown(value)} was not used: {reason}. The page uses {current:,}."
