"""The insurgent: demands, accepts, walks out, judges releases, frees prisoners, fights.

Its rules are pure functions of a :class:`~sim.agents.base.View` (or of the few quantities
they depend on) and the insurgent's parameters. Where it is stochastic (frustration noise,
walkout, return to talks) a rule gives the probability or the size, and a decision compares
it with the day's draw (:mod:`sim.randomness`): the Mesa agent at the bottom passes them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import mesa
import numpy as np

from sim.agents.base import InsurgentMove, Phase, Proposal, Response, View, clip01, faratin
from sim.randomness import Draws, lognormal_factor
from sim.scenario import Insurgent

FRUSTRATION_KEPT = 0.5
"""Share of its frustration the insurgent keeps after an agreement or a return to the table."""


def aspiration(view: View, params: Insurgent) -> float:
    """Utility the insurgent holds out for today: Faratin's curve lowered by mediator pressure."""
    base = faratin(view.talks_day, params.horizon_days, params.aspiration_min,
                   params.aspiration_max, params.concession_beta)
    return clip01(base - params.pressure_concession * view.pressure_on_insurgent)


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


def accepts(proposal: Proposal, demand: Proposal, view: View, params: Insurgent) -> bool:
    """Accept when the proposal's value reaches today's aspiration."""
    if proposal.size <= 0:
        return False
    return utility(proposal, demand, params) >= aspiration(view, params)


def frustration_base(view: View, params: Insurgent) -> float:
    """Frustration added today before noise: the gap at the table, or delay before talks."""
    if view.phase is Phase.IN_SESSION and not view.round_pending:
        return params.frustration_rate * view.gap
    if view.phase is Phase.PRE_TALKS and view.days_past_deadline > 0:
        return params.delay_frustration
    return 0.0


def frustration_increment(view: View, params: Insurgent, z: float) -> float:
    """Frustration added today: :func:`frustration_base` times log-normal noise of mean one.

    ``z`` is the day's standard normal draw for this noise.
    """
    return frustration_base(view, params) * lognormal_factor(z, params.frustration_noise)


def frustration(current: float, added: float, params: Insurgent) -> float:
    """Tomorrow's frustration: part of it fades, today's increment adds to it."""
    return current * (1.0 - params.frustration_decay) + added


def trust_after_day(trust: float, params: Insurgent) -> float:
    """Trust after a day: a share of it erodes."""
    return trust * (1.0 - params.trust_decay)


def walkout_probability(view: View, params: Insurgent) -> float:
    """Daily chance of walking out: a logistic step around its patience."""
    if view.phase is not Phase.IN_SESSION or view.round_pending:
        return 0.0
    x = params.walkout_sharpness * (view.frustration - params.patience) / params.patience
    # numpy's exp, as the ensemble engine's (see sim.agents.base.faratin).
    return 1.0 / (1.0 + float(np.exp(-max(-50.0, min(50.0, x)))))


def decide_walkout(view: View, params: Insurgent, u: float) -> bool:
    """Walk out of the talks today? ``u`` is the day's uniform draw for it."""
    p = walkout_probability(view, params)
    return p > 0.0 and u < p


def ready_to_resume(view: View, params: Insurgent) -> bool:
    """Whether trust and the mediator's push are enough for suspended talks to resume."""
    push = view.pressure_on_insurgent
    return (view.phase is Phase.SUSPENDED and view.trust >= params.resume_trust
            and push > 0.0 and push >= params.resume_push)


def decide_resume(view: View, params: Insurgent, u: float) -> bool:
    """Return to suspended talks, with a daily chance, once :func:`ready_to_resume`.

    ``u`` is the day's uniform draw for it.
    """
    return ready_to_resume(view, params) and u < params.resume_rate


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


def after_strike(frustration: float, trust: float, params: Insurgent) -> tuple[float, float]:
    """Frustration and trust after an airstrike: the grievance adds, trust is lost."""
    return frustration + params.strike_grievance, max(0.0, trust - params.strike_trust_cost)


def owed(view: View) -> tuple[int, int]:
    """What it owes at the agreed ratio: ``(for agreed rounds, as goodwill)``.

    Agreed rounds and releases it counts as compliant are owed in full; releases outside the
    mechanism only at the value it gives them. Goodwill it has freed beyond that value (before
    it came to recognise those releases, or to meet a condition) counts as paid towards the
    rounds.
    """
    fair_goodwill = math.floor(view.discounted_value / view.ratio)
    ahead = view.goodwill_released - fair_goodwill
    deal = (math.floor((view.deal_released + view.compliant_credit) / view.ratio)
            - view.reciprocal_released - (ahead if ahead > 0 else 0))
    goodwill = fair_goodwill - view.goodwill_released
    return (deal if deal > 0 else 0), (goodwill if goodwill > 0 else 0)


def decide_releases(view: View, params: Insurgent) -> tuple[int, int]:
    """How many it decides to free today: ``(reciprocal, goodwill)``.

    Reciprocity for compliant rounds is owed at the agreed ratio and paid at once; goodwill for
    discounted, non-compliant releases is paid only when trust is high, in groups of at least
    ``release_min_batch``. When the government holds its releases until the insurgent frees
    some prisoners, a trusting insurgent frees them as goodwill too: the price of the rest.
    Nothing while its own condition holds its releases, and never beyond its commitment
    (counting what it has promised) or what the daily cap leaves today.
    """
    owed_deal, owed_goodwill = owed(view)
    promised = view.insurgent_promised
    # What it has promised but not yet handed over will go towards the condition first.
    condition = max(0, view.condition_on_government - promised)
    if not (owed_deal or owed_goodwill or condition):
        return 0, 0  # the usual day: nothing owed
    remaining = view.insurgent_remaining - promised
    if view.phase is Phase.COLLAPSED or view.insurgent_halted or remaining <= 0:
        return 0, 0
    room_today = view.insurgent_room_today
    reciprocal = min(owed_deal, room_today, remaining)
    goodwill = 0
    still_owed = remaining - reciprocal
    room = min(room_today - reciprocal, still_owed)
    if view.trust >= params.goodwill_trust and room > 0:
        amount = min(max(owed_goodwill, condition), room)
        # Small groups only when they are the last it owes at all, or what a condition asks.
        if (amount >= params.release_min_batch or (0 < amount == still_owed)
                or (0 < amount == condition)):
            goodwill = amount
    return max(0, reciprocal), max(0, goodwill)


def verified_today(unverified: int, carried: float, params: Insurgent) -> tuple[int, float]:
    """Releases outside the mechanism its team verifies today, and the part left over.

    Its team verifies ``verification_rate`` prisoners a day (a fraction carries over to the
    next day); once verified, a release counts as compliant.
    """
    work = carried + params.verification_rate
    done = min(unverified, int(work))
    return done, (work - done if unverified > done else 0.0)


def attack_intensity(phase: Phase, frustration: float, params: Insurgent,
                     capacity: float) -> float:
    """Expected attacks today: capacity, raised by frustration and by suspended talks."""
    suspended = 1.0 if phase is Phase.SUSPENDED or phase is Phase.COLLAPSED else 0.0
    return params.attacks_base * capacity * (1.0 + params.attack_frustration_gain * frustration
                                             + params.attack_suspension_gain * suspended)


class InsurgentAgent(mesa.Agent):
    """Mesa agent for the insurgent: calls the rules above, or follows a person's move."""

    def __init__(self, model: mesa.Model, draws: Draws) -> None:
        super().__init__(model)
        self.draws = draws
        self.move: InsurgentMove | None = None  # set for a day when a person plays this seat

    def demand(self, view: View, params: Insurgent) -> Proposal:
        """Today's demand."""
        return decide_demand(view, params)

    def accepts(self, view: View, params: Insurgent, proposal: Proposal,
                demand: Proposal) -> bool:
        """Whether it accepts a proposal today (a person's answer, when one holds the seat)."""
        if self.move is not None:
            return self.move.response is Response.ACCEPT and proposal.size > 0
        return accepts(proposal, demand, view, params)

    def frustration_added(self, view: View, params: Insurgent) -> float:
        """Frustration added today."""
        return frustration_increment(view, params, self.draws.frustration[view.day])

    def walks_out(self, view: View, params: Insurgent) -> bool:
        """Whether it walks out today."""
        if self.move is not None:
            return self.move.response is Response.WALKOUT and view.phase is Phase.IN_SESSION
        return decide_walkout(view, params, self.draws.walkout[view.day])

    def resumes(self, view: View, params: Insurgent) -> bool:
        """Whether it returns to suspended talks today."""
        if self.move is not None:
            return self.move.response is Response.RETURN and view.phase is Phase.SUSPENDED
        return decide_resume(view, params, self.draws.resume[view.day])
