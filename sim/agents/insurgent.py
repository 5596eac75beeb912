"""The insurgent: demands, accepts, walks out, judges releases, frees prisoners, fights.

Decisions are pure functions of a :class:`~sim.agents.base.View`, the insurgent's parameters
and, where it is stochastic (frustration noise, walkout, resumption), a numpy Generator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from sim.agents.base import InsurgentMove, Phase, Proposal, Response, View, ViewMemo, faratin
from sim.scenario import Insurgent

if TYPE_CHECKING:
    from sim.model import ParleyModel


def aspiration(view: View, params: Insurgent) -> float:
    """Utility the insurgent holds out for today: Faratin's curve lowered by mediator pressure."""
    base = faratin(view.talks_day, params.horizon_days, params.aspiration_min,
                   params.aspiration_max, params.concession_beta)
    held = base - params.pressure_concession * view.pressure_on_insurgent
    return 0.0 if held <= 0.0 else 1.0 if held >= 1.0 else held  # within [0, 1]


def decide_demand(view: View, params: Insurgent) -> Proposal:
    """The round it demands: all at once or one round, with the named seniors if it insists."""
    size = view.government_remaining if params.all_at_once else min(
        view.round_size, view.government_remaining)
    named = view.named_total - view.named_released if params.demand_named else 0
    return Proposal(size, named)


def utility(proposal: Proposal, demand: Proposal, params: Insurgent) -> float:
    """Value of a proposal against its demand: size, plus the named seniors if demanded."""
    size_part = min(1.0, proposal.size / demand.size) if demand.size else 1.0
    if not demand.named:
        return size_part
    named_part = min(1.0, proposal.named / demand.named)
    return (1.0 - params.named_weight) * size_part + params.named_weight * named_part


def accepts(proposal: Proposal, demand: Proposal, view: View, params: Insurgent,
            target: float | None = None) -> bool:
    """Accept when the proposal's value reaches today's aspiration.

    ``target`` is the aspiration, if already computed for this view.
    """
    if proposal.size <= 0:
        return False
    if target is None:
        target = aspiration(view, params)
    return utility(proposal, demand, params) >= target


def frustration_increment(phase: Phase, batch_pending: bool, days_past_deadline: int,
                          gap: float, params: Insurgent, rng: np.random.Generator) -> float:
    """Frustration added today: the gap at the table in session, the delay before talks.

    The increment is multiplied by log-normal noise with mean one. It takes what it depends
    on rather than a view: the day's view shows the frustration it yields.
    """
    if phase is Phase.IN_SESSION and not batch_pending:
        base = params.frustration_rate * gap
    elif phase is Phase.PRE_TALKS and days_past_deadline > 0:
        base = params.delay_frustration
    else:
        return 0.0
    if base == 0.0 or params.frustration_noise == 0.0:
        return base
    s = params.frustration_noise
    return base * float(rng.lognormal(-0.5 * s * s, s))


def walkout_probability(view: View, params: Insurgent) -> float:
    """Daily chance of walking out: a logistic step around its patience."""
    if view.phase is not Phase.IN_SESSION or view.batch_pending:
        return 0.0
    x = params.walkout_sharpness * (view.frustration - params.patience) / params.patience
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def decide_walkout(view: View, params: Insurgent, rng: np.random.Generator) -> bool:
    """Walk out of the talks today?"""
    p = walkout_probability(view, params)
    return p > 0.0 and bool(rng.random() < p)


def ready_to_resume(view: View, params: Insurgent, push_threshold: float = 0.0) -> bool:
    """Whether trust and the mediator's push are enough for suspended talks to resume.

    Args:
        view: today's view.
        params: the insurgent's parameters.
        push_threshold: mediator pressure on the insurgent needed to bring it back.
    """
    push = view.pressure_on_insurgent
    return (view.phase is Phase.SUSPENDED and view.trust >= params.resume_trust
            and push > 0.0 and push >= push_threshold)


def decide_resume(view: View, params: Insurgent, rng: np.random.Generator,
                  push_threshold: float = 0.0) -> bool:
    """Return to suspended talks, with a daily chance, once :func:`ready_to_resume`.

    Args:
        view: today's view.
        params: the insurgent's parameters.
        rng: the insurgent's generator.
        push_threshold: mediator pressure on the insurgent needed to bring it back.
    """
    return (ready_to_resume(view, params, push_threshold)
            and bool(rng.random() < params.resume_rate))


class Verdict(NamedTuple):
    """How the insurgent judges a release it did not agree to."""

    compliant: bool
    welcomed: bool
    value: float


def judge_release(view: View, params: Insurgent, size: int, jointly_agreed: bool,
                  joint_verification: bool) -> Verdict:
    """Judge a release by the agreed mechanism.

    A release outside the mechanism counts at ``noncompliance_discount`` of its size and is
    rejected in a statement unless trust is already high.
    """
    compliant = jointly_agreed or not joint_verification
    if compliant:
        return Verdict(True, True, float(size))
    welcomed = view.trust >= params.welcome_trust
    return Verdict(False, welcomed, size * params.noncompliance_discount)


def trust_gain(params: Insurgent, size: int) -> float:
    """Trust gained from a costly release of ``size`` prisoners (Kydd 2000)."""
    return params.signal_gain * size / 100.0


def decide_releases(view: View, params: Insurgent, batch_cap: int) -> tuple[int, int]:
    """How many it frees today: ``(reciprocal, goodwill)``.

    Reciprocity for compliant rounds is owed at the agreed ratio and paid at once; goodwill for
    discounted, non-compliant releases is paid only when trust is high, in groups of at least
    ``release_min_batch``.
    """
    if (view.phase is Phase.COLLAPSED or view.insurgent_remaining <= 0
            or not (view.insurgent_owed_deal or view.insurgent_owed_goodwill)):
        return 0, 0  # the usual day: nothing owed
    reciprocal = min(view.insurgent_owed_deal, batch_cap, view.insurgent_remaining)
    goodwill = 0
    still_owed = view.insurgent_remaining - reciprocal
    room = min(batch_cap - reciprocal, still_owed)
    if view.trust >= params.goodwill_trust and room > 0:
        amount = min(view.insurgent_owed_goodwill, room)
        # Small groups only when they are the last the insurgent owes at all.
        if amount >= params.release_min_batch or (0 < amount == still_owed):
            goodwill = amount
    return max(0, reciprocal), max(0, goodwill)


def attack_intensity(phase: Phase, frustration: float, params: Insurgent,
                     capacity: float) -> float:
    """Expected attacks today: capacity, raised by frustration and by suspended talks.

    It takes the two things it depends on rather than a view: the day's view shows the
    attacks it yields.
    """
    suspended = 1.0 if phase is Phase.SUSPENDED or phase is Phase.COLLAPSED else 0.0
    return params.attacks_base * capacity * (1.0 + params.attack_frustration_gain * frustration
                                             + params.attack_suspension_gain * suspended)


class InsurgentAgent(mesa.Agent):
    """Mesa agent for the insurgent; its decisions are the functions above."""

    def __init__(self, model: ParleyModel, rng: np.random.Generator) -> None:
        super().__init__(model)
        self.stream = rng
        self.move: InsurgentMove | None = None  # set for a day when a person plays this seat
        # The insurgent's current parameters: the model rebinds them when a shock changes them.
        self.params: Insurgent = model.params.insurgent
        self._aspiration = ViewMemo(aspiration)

    def demand(self, view: View) -> Proposal:
        """Today's demand."""
        return decide_demand(view, self.params)

    def aspiration(self, view: View) -> float:
        """Today's aspiration, computed once per view."""
        return self._aspiration(view, self.params)

    def accepts(self, view: View, proposal: Proposal, demand: Proposal) -> bool:
        """Whether it accepts a proposal today (a person's answer, when one holds the seat)."""
        if self.move is not None:
            return self.move.response is Response.ACCEPT and proposal.size > 0
        return accepts(proposal, demand, view, self.params, self.aspiration(view))

    def frustration_increment(self, phase: Phase, batch_pending: bool, days_past_deadline: int,
                              gap: float) -> float:
        """Frustration added today."""
        return frustration_increment(phase, batch_pending, days_past_deadline, gap, self.params,
                                     self.stream)

    def walks_out(self, view: View) -> bool:
        """Whether it walks out today."""
        if self.move is not None:
            return self.move.response is Response.WALKOUT and view.phase is Phase.IN_SESSION
        return decide_walkout(view, self.params, self.stream)

    def resumes(self, view: View) -> bool:
        """Whether it returns to suspended talks today."""
        if self.move is not None:
            return self.move.response is Response.RETURN and view.phase is Phase.SUSPENDED
        return decide_resume(view, self.params, self.stream,
                             self.model.params.mediator.push_threshold)
