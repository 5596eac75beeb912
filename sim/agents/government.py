"""The government: holds the insurgents' fighters, offers rounds, releases on its own.

Its rules are pure functions of a :class:`~sim.agents.base.View` and the government's
parameters; the Mesa agent at the bottom only calls them, or takes a person's move instead.
The government is deterministic: it draws nothing from the generator.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from sim.agents.base import (
    PRE,
    SESSION,
    SUSPENDED,
    GovernmentMove,
    Phase,
    Proposal,
    View,
    clip01,
    clip01_over_runs,
    faratin,
    faratin_over_runs,
    where,
)
from sim.scenario import Government


def felt_pressure(view: View, params: Government) -> float:
    """Net pressure to release: mediator and humanitarian push, domestic opposition pulls."""
    return (params.mediator_weight * view.pressure_mediator
            + params.humanitarian_weight * view.pressure_humanitarian
            - params.domestic_weight * view.pressure_domestic)


def felt_pressure_over_runs(p, gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`felt_pressure` of the pressures ``p``."""
    return (gov.mediator_weight * p.mediator + gov.humanitarian_weight * p.humanitarian
            - gov.domestic_weight * p.domestic)


def aspiration(view: View, params: Government) -> float:
    """Utility the government holds out for today: Faratin's curve lowered by felt pressure."""
    base = faratin(view.talks_day, params.horizon_days, params.aspiration_min,
                   params.aspiration_max, params.concession_beta)
    return clip01(base - params.pressure_concession * felt_pressure(view, params))


def aspiration_over_runs(talks_day, p, gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`aspiration` under the pressures ``p``."""
    base = faratin_over_runs(talks_day, gov.horizon_days, gov.aspiration_min, gov.aspiration_max,
                             gov.concession_beta)
    return clip01_over_runs(base - gov.pressure_concession * felt_pressure_over_runs(p, gov))


def utility(proposal: Proposal, view: View, params: Government) -> float:
    """The government's utility of a round: each prisoner and each named senior costs it."""
    named_share = proposal.named / view.named_total if view.named_total else 0.0
    return (1.0 - params.size_cost * proposal.size / view.round_size
            - params.named_cost * named_share)


def utility_over_runs(size, named, named_total, round_size, gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`utility` of a round ``(size, named)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = where(named_total != 0, named / np.maximum(named_total, 1), 0.0)
    return 1.0 - gov.size_cost * size / round_size - gov.named_cost * share


def accepts(proposal: Proposal, view: View, params: Government,
            target: float | None = None) -> bool:
    """Accept when the round's utility reaches the government's aspiration.

    Never a round with more named prisoners than it may free (it has barred the others).
    ``target`` is today's aspiration when the caller has it already.
    """
    if proposal.named > view.named_available:
        return False
    return utility(proposal, view, params) >= (
        aspiration(view, params) if target is None else target)


def accepts_over_runs(size, named, named_available, named_total, round_size, target,
                      gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`accepts`, its aspiration ``target`` given."""
    fits = named <= named_available
    return fits & (utility_over_runs(size, named, named_total, round_size, gov) >= target)


def decide_offer(view: View, params: Government, demand: Proposal,
                 target: float | None = None) -> Proposal:
    """The largest round, up to the demand, that keeps the government at its aspiration.

    Size comes first; named seniors are added only with the utility left over. ``target`` is
    today's aspiration when the caller has it already.
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
    # It cannot offer named prisoners it has barred, whatever the table would bear.
    return Proposal(size, max(0, min(named, view.named_available)))


def decide_offer_over_runs(target, demand_size, demand_named, remaining, round_size,
                           named_total, named_available, gov):
    """Over arrays, a value per run of a block: :func:`decide_offer`, as ``(size, named)``."""
    room = np.maximum(0.0, 1.0 - target)
    want = np.minimum(demand_size, remaining)
    fits = gov.size_cost * want <= room * round_size
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.trunc(room / gov.size_cost * round_size)
        cut = np.maximum(0, np.minimum(want, np.nan_to_num(cut, posinf=2**62).astype(np.int64)))
    size = where(fits, want, cut)
    slack = 1.0 - gov.size_cost * size / round_size - target
    asked = (demand_named != 0) & (named_total != 0) & (slack > 0)
    whole = gov.named_cost * demand_named <= slack * named_total
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.floor(slack / gov.named_cost * named_total)
        part = np.minimum(demand_named, np.nan_to_num(part, posinf=2**62).astype(np.int64))
    named = where(asked, where(whole, demand_named, part), 0)
    return size, np.maximum(0, np.minimum(named, named_available))


def is_stalled(view: View, params: Government) -> bool:
    """Talks count as stalled when suspended, overdue, or long in session without agreement."""
    if view.round_pending:
        return False
    if view.phase is Phase.SUSPENDED:
        return True
    if view.phase is Phase.PRE_TALKS:
        return view.days_past_deadline > params.stall_days
    if view.phase is Phase.IN_SESSION:
        return view.days_without_agreement >= params.stall_days
    return False


def is_stalled_over_runs(phase, round_pending, days_past_deadline, days_without_agreement,
                         gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`is_stalled`."""
    stalled = ((phase == SUSPENDED)
               | ((phase == PRE) & (days_past_deadline > gov.stall_days))
               | ((phase == SESSION) & (days_without_agreement >= gov.stall_days)))
    return stalled & ~round_pending


def decide_unilateral(view: View, params: Government) -> int:
    """How many to release on its own today (0 for none).

    It releases when the talks are stalled, its felt pressure passes its goodwill threshold
    and the last unilateral release is at least ``unilateral_cooldown`` days old; never while
    its own condition holds its releases, nor beyond what its decrees allow or the daily cap
    leaves today.
    """
    if view.government_halted or not is_stalled(view, params):
        return 0
    if view.day - view.last_unilateral_day < params.unilateral_cooldown:
        return 0
    if felt_pressure(view, params) <= params.goodwill_threshold:
        return 0
    return min(params.unilateral_batch, view.government_remaining, view.programme_left,
               view.government_room_today)


def decide_unilateral_over_runs(stalled, felt, halted, day, last_unilateral_day, remaining,
                                programme_left, room_today, gov) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`decide_unilateral`, stall and felt given."""
    go = (~halted & stalled & (day - last_unilateral_day >= gov.unilateral_cooldown)
          & (felt > gov.goodwill_threshold))
    size = np.minimum(np.minimum(gov.unilateral_batch, remaining),
                      np.minimum(programme_left, room_today))
    return where(go, size, 0)


def domestic_opposition(opposition: float, violence: float, params: Government) -> float:
    """Tomorrow's domestic opposition: it fades, and violence (relative to normal) feeds it."""
    return opposition * (1.0 - params.domestic_decay) + params.domestic_violence_gain * violence


def opposition_from_seniors(seniors: int, params: Government) -> float:
    """Domestic opposition stirred by freeing ``seniors`` senior commanders."""
    return params.domestic_senior_gain * seniors


def humanitarian_pressure(pressure: float, params: Government) -> float:
    """Tomorrow's humanitarian pressure: it fades unless a shock renews it."""
    return pressure * (1.0 - params.humanitarian_decay)


class GovernmentAgent(mesa.Agent):
    """Mesa agent for the government: calls the rules above, or follows a person's move."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.move: GovernmentMove | None = None  # set for a day when a person plays this seat

    def offer(self, view: View, params: Government, demand: Proposal,
              target: float | None = None) -> Proposal:
        """Today's offer (``target``: today's aspiration, when the caller has it)."""
        if self.move is not None:
            return Proposal(max(0, min(self.move.offer_size, view.government_remaining)),
                            max(0, min(self.move.offer_named, demand.named)))
        return decide_offer(view, params, demand, target)

    def accepts(self, view: View, params: Government, proposal: Proposal,
                target: float | None = None) -> bool:
        """Whether it accepts a proposal today; a person accepts what their offer covers."""
        if self.move is not None:
            return (proposal.size <= self.move.offer_size
                    and proposal.named <= self.move.offer_named)
        return accepts(proposal, view, params, target)

    def unilateral(self, view: View, params: Government) -> int:
        """Size of today's unilateral release (0 for none)."""
        if self.move is not None:
            return max(0, min(self.move.unilateral, view.government_remaining,
                              view.government_room_today))
        return decide_unilateral(view, params)
