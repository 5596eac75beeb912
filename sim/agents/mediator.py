"""The mediator: presses both sides, bridges offers, paces verification, strikes.

Its rules are pure functions of a :class:`~sim.agents.base.View` and the mediator's
parameters. For airstrikes a rule gives the chance and the decision compares it with the day's
draw (:mod:`sim.randomness`): the Mesa agent at the bottom passes it.
"""

from __future__ import annotations

from typing import NamedTuple

import mesa
import numpy as np

from sim.agents.base import (
    PRE,
    SESSION,
    SUSPENDED,
    MediatorMove,
    Phase,
    Proposal,
    View,
    where,
)
from sim.randomness import Draws
from sim.scenario import Mediator

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


def decide_pressure_over_runs(phase, attacks_recent, days_past_deadline, med):
    """Over arrays, a value per run of a block: :func:`decide_pressure`, as a pair of arrays."""
    active = (phase == PRE) | (phase == SESSION) | (phase == SUSPENDED)
    reach = med.leverage * med.credibility
    violence = attacks_recent / med.violence_reference
    late = where(days_past_deadline > 0, 1.0, 0.0)
    suspended = where(phase == SUSPENDED, med.suspension_pressure, 0.0)
    on_government = reach * (med.deadline_pressure * late + med.violence_pressure * violence
                             + suspended)
    on_insurgent = reach * med.insurgent_pressure * violence
    return where(active, on_government, 0.0), where(active, on_insurgent, 0.0)


def pressure(current: float, push: float, params: Mediator) -> float:
    """Tomorrow's pressure on one side: yesterday's fades, today's push adds to it."""
    return current * (1.0 - params.pressure_decay) + push


def walkout_response(params: Mediator) -> float:
    """Pressure put on the government when the insurgent walks out (the next day)."""
    return params.leverage * params.credibility * params.walkout_pressure


def release_relief(params: Mediator, size: int) -> float:
    """Pressure lifted from the government when it frees ``size`` prisoners."""
    return params.release_relief * size / 100.0


def decide_bridge(demand: Proposal, offer: Proposal, params: Mediator) -> Proposal:
    """A bridging proposal: the mean size and a share of the named seniors demanded."""
    size = (demand.size + offer.size) // 2
    named = max(offer.named, round(params.bridge_named_share * demand.named))
    return Proposal(size, min(named, demand.named))


def decide_bridge_over_runs(demand_size, demand_named, offer_size, offer_named, med):
    """Over arrays, a value per run of a block: :func:`decide_bridge`, as ``(size, named)``."""
    size = (demand_size + offer_size) // 2
    named = np.maximum(offer_named, np.round(med.bridge_named_share * demand_named)
                       .astype(np.int64))
    return size, np.minimum(named, demand_named)


def strike_probability(view: View, params: Mediator) -> float:
    """Daily chance of a strike: its probability once recent violence passes the threshold."""
    return params.strike_probability if view.attacks_recent > params.strike_threshold else 0.0


def strike_probability_over_runs(attacks_recent, med) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`strike_probability`."""
    return where(attacks_recent > med.strike_threshold, med.strike_probability, 0.0)


def decide_strike(view: View, params: Mediator, u: float) -> bool:
    """Strike today? ``u`` is the day's uniform draw for it."""
    p = strike_probability(view, params)
    return p > 0.0 and u < p


def decide_strike_over_runs(attacks_recent, med, u) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`decide_strike` on the draws ``u``."""
    p = strike_probability_over_runs(attacks_recent, med)
    return (p > 0.0) & (u < p)


def disengagement_change(view: View, params: Mediator) -> float:
    """Disengagement grows while talks are suspended under violence and recedes in session."""
    if view.phase is Phase.SUSPENDED:
        return params.disengage_rate * view.attacks_recent / params.violence_reference
    if view.phase is Phase.IN_SESSION:
        return -params.disengage_recovery
    return 0.0


def disengagement_change_over_runs(phase, attacks_recent, med) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`disengagement_change`."""
    grows = med.disengage_rate * attacks_recent / med.violence_reference
    return where(phase == SUSPENDED, grows, where(phase == SESSION, -med.disengage_recovery,
                                                  0.0))


class MediatorAgent(mesa.Agent):
    """Mesa agent for the mediator: calls the rules above, or follows a person's move."""

    def __init__(self, model: mesa.Model, draws: Draws) -> None:
        super().__init__(model)
        self.draws = draws
        self.move: MediatorMove | None = None  # set for a day when a person plays this seat

    def push(self, view: View, params: Mediator) -> Push:
        """Today's pressure on each side."""
        if self.move is not None:
            if view.phase not in ACTIVE:
                return Push(0.0, 0.0)
            return Push(max(0.0, self.move.on_government), max(0.0, self.move.on_insurgent))
        return decide_pressure(view, params)

    def react_to_walkout(self, params: Mediator) -> float:
        """Pressure added on the government the day after a walkout.

        A person in this seat decides the reaction through the day's push instead.
        """
        return 0.0 if self.move is not None else walkout_response(params)

    def bridge(self, demand: Proposal, offer: Proposal, params: Mediator) -> Proposal:
        """Today's bridging proposal."""
        return decide_bridge(demand, offer, params)

    def strikes(self, view: View, params: Mediator) -> bool:
        """Whether it strikes today."""
        if self.move is not None:
            return self.move.strike
        return decide_strike(view, params, self.draws.strike[view.day])
