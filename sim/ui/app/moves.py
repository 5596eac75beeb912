"""A seat's decision as a form (a dict of field values) and back, for the dashboard's pages.

Role play (:mod:`sim.ui.app.page`) and the classroom (:mod:`sim.ui.app.classroom`) show the
same form for a seat; what a blank form stands for comes from
:meth:`~sim.roleplay.Game.default_move`.
"""

from __future__ import annotations

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Move, Response, Seat
from sim.roleplay import Game


def form_from(game: Game) -> dict:
    """The decision form of a seat, filled with what a blank answer stands for today."""
    move = game.default_move()
    form = {"offer_size": 0, "offer_named": 0, "unilateral": 0, "response": Response.REJECT,
            "on_government": 0.0, "on_insurgent": 0.0, "strike": False}
    if isinstance(move, GovernmentMove):
        form.update(offer_size=move.offer_size, offer_named=move.offer_named,
                    unilateral=move.unilateral)
    elif isinstance(move, InsurgentMove):
        form.update(response=move.response)
    elif isinstance(move, MediatorMove):
        form.update(on_government=move.on_government, on_insurgent=move.on_insurgent,
                    strike=move.strike)
    return form


def move_from(game: Game, form: dict) -> Move:
    """The move a filled form stands for (a negative number reads as 0)."""
    if game.seat is Seat.GOVERNMENT:
        return GovernmentMove(max(0, int(form["offer_size"] or 0)),
                              max(0, int(form["offer_named"] or 0)),
                              max(0, int(form["unilateral"] or 0)))
    if game.seat is Seat.INSURGENT:
        response = form["response"]
        return InsurgentMove(response if response in game.choices() else game.choices()[0])
    return MediatorMove(max(0.0, float(form["on_government"] or 0.0)),
                        max(0.0, float(form["on_insurgent"] or 0.0)), bool(form["strike"]))
