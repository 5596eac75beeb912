"""The government: holds the insurgents' fighters, offers rounds, releases on its own.

Decisions are pure functions of a :class:`~sim.agents.base.View` and the government's
parameters; the Mesa agent at the bottom only builds the view and hands results to the model.
The government is deterministic: it draws nothing from the generator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from sim.agents.base import GovernmentMove, Phase, Proposal, View, ViewMemo, faratin
from sim.scenario import Government

if TYPE_CHECKING:
    from sim.model import ParleyModel


def felt_pressure(view: View, params: Government) -> float:
    """Net pressure to release: mediator and humanitarian push, domestic opposition pulls."""
    return (params.mediator_weight * view.pressure_mediator
            + params.humanitarian_weight * view.pressure_humanitarian
            - params.domestic_weight * view.pressure_domestic)


def aspiration(view: View, params: Government) -> float:
    """Utility the government holds out for today: Faratin's curve lowered by felt pressure."""
    base = faratin(view.talks_day, params.horizon_days, params.aspiration_min,
                   params.aspiration_max, params.concession_beta)
    held = base - params.pressure_concession * felt_pressure(view, params)
    return 0.0 if held <= 0.0 else 1.0 if held >= 1.0 else held  # within [0, 1]


def utility(proposal: Proposal, view: View, params: Government) -> float:
    """The government's utility of a round: each prisoner and each named senior costs it."""
    named_share = proposal.named / view.named_total if view.named_total else 0.0
    return (1.0 - params.size_cost * proposal.size / view.round_size
            - params.named_cost * named_share)


def accepts(proposal: Proposal, view: View, params: Government,
            target: float | None = None) -> bool:
    """Accept when the round's utility reaches the government's aspiration.

    ``target`` is the aspiration, if already computed for this view.
    """
    if target is None:
        target = aspiration(view, params)
    return utility(proposal, view, params) >= target


def decide_offer(view: View, params: Government, demand: Proposal,
                 target: float | None = None) -> Proposal:
    """The largest round, up to the demand, that keeps the government at its aspiration.

    Size comes first; named seniors are added only with the utility left over. ``target`` is
    the aspiration, if already computed for this view.
    """
    if target is None:
        target = aspiration(view, params)
    room = max(0.0, 1.0 - target)
    want = min(demand.size, view.government_remaining)
    # Compare costs before dividing by them, so that vanishing costs cannot overflow.
    if params.size_cost * want <= room * view.round_size:
        size = want
    else:
        size = max(0, min(want, int(room / params.size_cost * view.round_size)))
    slack = 1.0 - params.size_cost * size / view.round_size - target
    named = 0
    if demand.named and view.named_total and slack > 0:
        if params.named_cost * demand.named <= slack * view.named_total:
            named = demand.named
        else:
            named = min(demand.named, math.floor(slack / params.named_cost * view.named_total))
    return Proposal(size, max(0, named))


def is_stalled(view: View, params: Government) -> bool:
    """Talks count as stalled when suspended, overdue, or long in session without agreement."""
    if view.batch_pending:
        return False
    if view.phase is Phase.SUSPENDED:
        return True
    if view.phase is Phase.PRE_TALKS:
        return view.days_past_deadline > params.stall_days
    if view.phase is Phase.IN_SESSION:
        return view.days_without_agreement >= params.stall_days
    return False


def decide_unilateral(view: View, params: Government) -> int:
    """How many to release on its own today (0 for none).

    It releases when the talks are stalled, its felt pressure passes its goodwill threshold
    and the last unilateral release is at least ``unilateral_cooldown`` days old.
    """
    if not is_stalled(view, params):
        return 0
    if view.day - view.last_unilateral_day < params.unilateral_cooldown:
        return 0
    if felt_pressure(view, params) <= params.goodwill_threshold:
        return 0
    return min(params.unilateral_batch, view.government_remaining)


class GovernmentAgent(mesa.Agent):
    """Mesa agent for the government; its decisions are the functions above."""

    def __init__(self, model: ParleyModel) -> None:
        super().__init__(model)
        self.move: GovernmentMove | None = None  # set for a day when a person plays this seat
        # The government's current parameters: the model rebinds them when a shock changes them.
        self.params: Government = model.params.government
        self._aspiration = ViewMemo(aspiration)

    def aspiration(self, view: View) -> float:
        """Today's aspiration, computed once per view."""
        return self._aspiration(view, self.params)

    def offer(self, view: View, demand: Proposal) -> Proposal:
        """Today's offer (a person's, when one holds the seat)."""
        if self.move is not None:
            return Proposal(max(0, min(self.move.offer_size, view.government_remaining)),
                            max(0, min(self.move.offer_named, demand.named)))
        return decide_offer(view, self.params, demand, self.aspiration(view))

    def accepts(self, view: View, proposal: Proposal) -> bool:
        """Whether it accepts a proposal today; a person accepts what their offer covers."""
        if self.move is not None:
            return (proposal.size <= self.move.offer_size
                    and proposal.named <= self.move.offer_named)
        return accepts(proposal, view, self.params, self.aspiration(view))

    def unilateral(self, view: View) -> int:
        """Size of today's unilateral release (0 for none)."""
        if self.move is not None:
            return max(0, min(self.move.unilateral, view.government_remaining,
                              self.model.params.agreement.batch_cap))
        return decide_unilateral(view, self.params)
