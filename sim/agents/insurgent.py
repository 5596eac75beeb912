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

from sim.agents.base import (
    COLLAPSED,
    PRE,
    SESSION,
    SUSPENDED,
    InsurgentMove,
    Phase,
    Proposal,
    Response,
    View,
    clip01,
    clip01_over_runs,
    faratin,
    faratin_over_runs,
    where,
)
from sim.randomness import Draws, lognormal_factor
from sim.scenario import Insurgent

FRUSTRATION_KEPT = 0.5
"""Share of its frustration the insurgent keeps after an agreement or a return to the table."""


def aspiration(view: View, params: Insurgent) -> float:
    """Utility the insurgent holds out for today: Faratin's curve lowered by mediator pressure."""
    base = faratin(view.talks_day, params.horizon_days, params.aspiration_min,
                   params.aspiration_max, params.concession_beta)
    return clip01(base - params.pressure_concession * view.pressure_on_insurgent)


def aspiration_over_runs(talks_day, p, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`aspiration` under the pressures ``p``."""
    base = faratin_over_runs(talks_day, ins.horizon_days, ins.aspiration_min, ins.aspiration_max,
                             ins.concession_beta)
    return clip01_over_runs(base - ins.pressure_concession * p.insurgent)


def decide_demand(view: View, params: Insurgent) -> Proposal:
    """The round it demands: all at once or one round, with the named seniors if it insists."""
    size = view.government_remaining if params.all_at_once else min(
        view.round_size, view.government_remaining)
    named = view.named_total - view.named_released if params.demand_named else 0
    return Proposal(size, named)


def decide_demand_over_runs(remaining, round_size, named_total, named_released, ins):
    """Over arrays, a value per run of a block: :func:`decide_demand`, as ``(size, named)``."""
    size = where(ins.all_at_once, remaining, np.minimum(round_size, remaining))
    named = where(ins.demand_named, named_total - named_released, 0)
    return size, named


def utility(proposal: Proposal, demand: Proposal, params: Insurgent) -> float:
    """Value of a proposal against its demand: size, plus the named seniors if demanded."""
    size_part = min(1.0, proposal.size / demand.size) if demand.size else 1.0
    if not demand.named:
        return size_part
    named_part = min(1.0, proposal.named / demand.named)
    return (1.0 - params.named_weight) * size_part + params.named_weight * named_part


def utility_over_runs(size, named, demand_size, demand_named, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`utility` of ``(size, named)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        size_part = where(demand_size != 0,
                          np.minimum(1.0, size / np.maximum(demand_size, 1)), 1.0)
        named_part = np.minimum(1.0, named / np.maximum(demand_named, 1))
    mixed = (1.0 - ins.named_weight) * size_part + ins.named_weight * named_part
    return where(demand_named != 0, mixed, size_part)


def accepts(proposal: Proposal, demand: Proposal, view: View, params: Insurgent,
            target: float | None = None) -> bool:
    """Accept when the proposal's value reaches today's aspiration (``target``, if given)."""
    if proposal.size <= 0:
        return False
    return utility(proposal, demand, params) >= (
        aspiration(view, params) if target is None else target)


def accepts_over_runs(size, named, demand_size, demand_named, target, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`accepts`, its aspiration ``target`` given."""
    value = utility_over_runs(size, named, demand_size, demand_named, ins)
    return (size > 0) & (value >= target)


def frustration_base(view: View, params: Insurgent) -> float:
    """Frustration added today before noise: the gap at the table, or delay before talks."""
    if view.phase is Phase.IN_SESSION and not view.round_pending:
        return params.frustration_rate * view.gap
    if view.phase is Phase.PRE_TALKS and view.days_past_deadline > 0:
        return params.delay_frustration
    return 0.0


def frustration_base_over_runs(phase, round_pending, gap, days_past_deadline,
                               ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`frustration_base`."""
    return where((phase == SESSION) & ~round_pending, ins.frustration_rate * gap,
                 where((phase == PRE) & (days_past_deadline > 0), ins.delay_frustration, 0.0))


def frustration_increment(view: View, params: Insurgent, z: float) -> float:
    """Frustration added today: :func:`frustration_base` times log-normal noise of mean one.

    ``z`` is the day's standard normal draw for this noise.
    """
    return frustration_base(view, params) * lognormal_factor(z, params.frustration_noise)


def frustration_increment_over_runs(phase, round_pending, gap, days_past_deadline, factor,
                                    ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`frustration_increment`, noise ``factor``."""
    return frustration_base_over_runs(phase, round_pending, gap, days_past_deadline,
                                      ins) * factor


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


def walkout_probability_over_runs(phase, round_pending, frustration, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`walkout_probability`."""
    x = ins.walkout_sharpness * (frustration - ins.patience) / ins.patience
    p = 1.0 / (1.0 + np.exp(-np.maximum(-50.0, np.minimum(50.0, x))))
    return where((phase == SESSION) & ~round_pending, p, 0.0)


def decide_walkout(view: View, params: Insurgent, u: float) -> bool:
    """Walk out of the talks today? ``u`` is the day's uniform draw for it."""
    p = walkout_probability(view, params)
    return p > 0.0 and u < p


def decide_walkout_over_runs(phase, round_pending, frustration, ins, u) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`decide_walkout` on the draws ``u``."""
    p = walkout_probability_over_runs(phase, round_pending, frustration, ins)
    return (p > 0.0) & (u < p)


def ready_to_resume(view: View, params: Insurgent) -> bool:
    """Whether trust and the mediator's push are enough for suspended talks to resume."""
    push = view.pressure_on_insurgent
    return (view.phase is Phase.SUSPENDED and view.trust >= params.resume_trust
            and push > 0.0 and push >= params.resume_push)


def ready_to_resume_over_runs(phase, trust, push, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`ready_to_resume` under the push ``push``."""
    return ((phase == SUSPENDED) & (trust >= ins.resume_trust)
            & (push > 0.0) & (push >= ins.resume_push))


def decide_resume(view: View, params: Insurgent, u: float) -> bool:
    """Return to suspended talks, with a daily chance, once :func:`ready_to_resume`.

    ``u`` is the day's uniform draw for it.
    """
    return ready_to_resume(view, params) and u < params.resume_rate


def decide_resume_over_runs(phase, trust, push, ins, u) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`decide_resume` on the draws ``u``."""
    return ready_to_resume_over_runs(phase, trust, push, ins) & (u < ins.resume_rate)


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


def judge_release_over_runs(trust, size, jointly_agreed, joint_verification, ins) -> Verdict:
    """Over arrays, a value per run of a block: :func:`judge_release`, a verdict of arrays."""
    compliant = (np.asarray(jointly_agreed, bool) | ~np.asarray(joint_verification, bool)
                 | np.zeros(np.shape(trust), bool))
    welcomed = compliant | (trust >= ins.welcome_trust)
    return Verdict(compliant, welcomed, where(compliant, size * 1.0,
                                              size * ins.noncompliance_discount))


def trust_gain(params: Insurgent, size: int) -> float:
    """Trust gained from a costly release of ``size`` prisoners (Kydd 2000)."""
    return params.signal_gain * size / 100.0


def after_strike(frustration: float, trust: float, params: Insurgent) -> tuple[float, float]:
    """Frustration and trust after an airstrike: the grievance adds, trust is lost."""
    return frustration + params.strike_grievance, max(0.0, trust - params.strike_trust_cost)


def after_strike_over_runs(frustration, trust, ins):
    """Over arrays, a value per run of a block: :func:`after_strike`."""
    return frustration + ins.strike_grievance, np.maximum(0.0, trust - ins.strike_trust_cost)


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


def owed_over_runs(deal_released, compliant_credit, discounted_value, reciprocal, goodwill,
                   ratio):
    """Over arrays, a value per run of a block: :func:`owed`, of the quantities it reads."""
    fair = np.floor(discounted_value / ratio).astype(np.int64)
    ahead = goodwill - fair
    deal = (np.floor((deal_released + compliant_credit) / ratio).astype(np.int64)
            - reciprocal - np.maximum(ahead, 0))
    return np.maximum(deal, 0), np.maximum(fair - goodwill, 0)


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


def decide_releases_over_runs(owed_deal, owed_goodwill, insurgent_remaining, promised,
                              condition_on_government, room_today, trust, collapsed, halted,
                              ins):
    """Over arrays, a value per run of a block: :func:`decide_releases`, what it owes given."""
    remaining = insurgent_remaining - promised
    condition = np.maximum(0, condition_on_government - promised)
    idle = (collapsed | halted | (remaining <= 0)
            | ((owed_deal == 0) & (owed_goodwill == 0) & (condition == 0)))
    reciprocal = np.minimum(np.minimum(owed_deal, room_today), remaining)
    still_owed = remaining - reciprocal
    room = np.minimum(room_today - reciprocal, still_owed)
    amount = np.minimum(np.maximum(owed_goodwill, condition), room)
    big_enough = ((amount >= ins.release_min_batch) | ((amount > 0) & (amount == still_owed))
                  | ((amount > 0) & (amount == condition)))
    goodwill = where((trust >= ins.goodwill_trust) & (room > 0) & big_enough, amount, 0)
    return (where(idle, 0, np.maximum(0, reciprocal)), where(idle, 0, np.maximum(0, goodwill)))


def verified_today(unverified: int, carried: float, params: Insurgent) -> tuple[int, float]:
    """Releases outside the mechanism its team verifies today, and the part left over.

    Its team verifies ``verification_rate`` prisoners a day (a fraction carries over to the
    next day); once verified, a release counts as compliant.
    """
    work = carried + params.verification_rate
    done = min(unverified, int(work))
    return done, (work - done if unverified > done else 0.0)


def verified_today_over_runs(unverified, carried, ins):
    """Over arrays, a value per run of a block: :func:`verified_today`, as ``(done, carried)``."""
    work = carried + ins.verification_rate
    done = np.minimum(unverified, np.trunc(work).astype(np.int64))
    return done, where(unverified > done, work - done, 0.0)


def attack_intensity(phase: Phase, frustration: float, params: Insurgent,
                     capacity: float) -> float:
    """Expected attacks today: capacity, raised by frustration and by suspended talks."""
    suspended = 1.0 if phase is Phase.SUSPENDED or phase is Phase.COLLAPSED else 0.0
    return params.attacks_base * capacity * (1.0 + params.attack_frustration_gain * frustration
                                             + params.attack_suspension_gain * suspended)


def attack_intensity_over_runs(phase, frustration, capacity, ins) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`attack_intensity`."""
    suspended = where((phase == SUSPENDED) | (phase == COLLAPSED), 1.0, 0.0)
    return ins.attacks_base * capacity * (1.0 + ins.attack_frustration_gain * frustration
                                          + ins.attack_suspension_gain * suspended)


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
                demand: Proposal, target: float | None = None) -> bool:
        """Whether it accepts a proposal today (a person's answer, when one holds the seat).

        ``target`` is today's aspiration, when the caller has it.
        """
        if self.move is not None:
            return self.move.response is Response.ACCEPT and proposal.size > 0
        return accepts(proposal, demand, view, params, target)

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
