"""The mediator: presses both sides, bridges offers, paces verification, strikes.

Decisions are pure functions of a :class:`~sim.agents.base.View`, the mediator's parameters
and, for airstrikes, a numpy Generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from sim.agents.base import MediatorMove, Phase, Proposal, View
from sim.scenario import Mediator

if TYPE_CHECKING:
    from sim.model import ParleyModel

ACTIVE = (Phase.PRE_TALKS, Phase.IN_SESSION, Phase.SUSPENDED)


class Push(NamedTuple):
    """Pressure the mediator adds today on each side."""

    on_government: float
    on_insurgent: float


def decide_pressure(view: View, params: Mediator) -> Push:
    """Daily pressure on each side, scaled by the mediator's leverage and credibility.

    The government is pressed for delay past the deadline, for violence and while talks are
    suspended; the insurgent for violence.
    """
    if view.phase not in ACTIVE:
        return Push(0.0, 0.0)
    reach = params.leverage * params.credibility
    violence = view.attacks_recent / params.violence_reference
    late = 1.0 if view.days_past_deadline > 0 else 0.0
    suspended = params.suspension_pressure if view.phase is Phase.SUSPENDED else 0.0
    return Push(reach * (params.deadline_pressure * late + params.violence_pressure * violence
                         + suspended),
                reach * params.insurgent_pressure * violence)


def walkout_response(params: Mediator) -> float:
    """Pressure put on the government at once when the insurgent walks out."""
    return params.leverage * params.credibility * params.walkout_pressure


def release_relief(params: Mediator, size: int) -> float:
    """Pressure lifted from the government when it frees ``size`` prisoners."""
    return params.release_relief * size / 100.0


def decide_bridge(demand: Proposal, offer: Proposal, params: Mediator) -> Proposal:
    """A bridging proposal: the mean size and a share of the named seniors demanded."""
    size = (demand.size + offer.size) // 2
    named = max(offer.named, round(params.bridge_named_share * demand.named))
    return Proposal(size, min(named, demand.named))


def decide_strike(view: View, params: Mediator, rng: np.random.Generator) -> bool:
    """Strike when recent violence passes the threshold, with a daily probability."""
    if view.attacks_recent <= params.strike_threshold or params.strike_probability == 0.0:
        return False
    return bool(rng.random() < params.strike_probability)


def disengagement_change(view: View, params: Mediator) -> float:
    """Disengagement grows while talks are suspended under violence and recedes in session."""
    if view.phase is Phase.SUSPENDED:
        return params.disengage_rate * view.attacks_recent / params.violence_reference
    if view.phase is Phase.IN_SESSION:
        return -params.disengage_recovery
    return 0.0


class MediatorAgent(mesa.Agent):
    """Mesa agent for the mediator; its decisions are the functions above."""

    def __init__(self, model: ParleyModel, rng: np.random.Generator) -> None:
        super().__init__(model)
        self.stream = rng
        self.move: MediatorMove | None = None  # set for a day when a person plays this seat
        # The mediator's current parameters: the model rebinds them when a shock changes them.
        self.params: Mediator = model.params.mediator

    def push(self, view: View) -> Push:
        """Today's pressure on each side (a person's, when one holds the seat)."""
        if self.move is not None:
            if view.phase not in ACTIVE:
                return Push(0.0, 0.0)
            return Push(max(0.0, self.move.on_government), max(0.0, self.move.on_insurgent))
        return decide_pressure(view, self.params)

    def bridge(self, demand: Proposal, offer: Proposal) -> Proposal:
        """Today's bridging proposal."""
        return decide_bridge(demand, offer, self.params)

    def strikes(self, view: View) -> bool:
        """Whether it strikes today."""
        if self.move is not None:
            return self.move.strike
        return decide_strike(view, self.params, self.stream)
