"""A seat's decision as a form (a dict of field values), for the dashboard's pages.

Role play (:mod:`sim.ui.app.page`) and the classroom (:mod:`sim.ui.app.classroom`) show the
same form for a seat; what a blank form stands for comes from
:meth:`~sim.roleplay.Game.default_move`, and what a filled one stands for from
:func:`sim.ui.app.fields.move_from`.
"""

from __future__ import annotations

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Response
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
