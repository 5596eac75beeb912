"""The roles' rules over arrays: one value per run of a block.

Each function here is the array form of the rule of the same name in :mod:`sim.agents` or
:mod:`sim.mechanisms`, step for step and operation for operation, so that a block of runs
gives, to the last bit, what the Mesa model gives run by run (``tests/test_engine.py`` holds
them to it). Branches become masks; both sides of a branch are computed and one is kept.
"""

from __future__ import annotations

import numpy as np

from sim.agents.base import PHASE_CODES, Phase

PRE = PHASE_CODES[Phase.PRE_TALKS]
SESSION = PHASE_CODES[Phase.IN_SESSION]
SUSPENDED = PHASE_CODES[Phase.SUSPENDED]
COMPLETED = PHASE_CODES[Phase.COMPLETED]
COLLAPSED = PHASE_CODES[Phase.COLLAPSED]


def where(cond, a, b) -> np.ndarray:
    """``a`` where ``cond`` holds, else ``b`` (arrays or scalars)."""
    return np.where(cond, a, b)


FAST_POWERS = ((2.0, np.square), (0.5, np.sqrt), (-1.0, np.reciprocal))
"""Exponents that numpy raises to by another function when the exponent is one number."""


def power(x, exponent) -> np.ndarray:
    """``np.power(x, exponent)``, to the last bit, with one exponent or one per run.

    With one exponent numpy squares, takes the square root or the reciprocal for 2, 0.5 and
    -1, which may differ from the general power in the last bit; with an exponent per run it
    takes the general power throughout. Here runs with those exponents take the same path
    as alone.
    """
    out = np.power(x, exponent)
    if np.ndim(exponent) == 0:
        return out
    for value, fast in FAST_POWERS:
        here = exponent == value
        if here.any():
            with np.errstate(divide="ignore"):
                out = np.where(here, fast(x), out)
    return out


def faratin(t, horizon, a_min, a_max, beta) -> np.ndarray:
    """:func:`sim.agents.base.faratin` over arrays."""
    frac = where(t > 0.0, t / horizon, 0.0)
    frac = where(frac > 1.0, 1.0, frac)
    return a_min + (a_max - a_min) * (1.0 - power(frac, 1.0 / beta))


def clip01(x) -> np.ndarray:
    """:func:`sim.agents.base.clip01` over arrays."""
    return where(x <= 0.0, 0.0, where(x >= 1.0, 1.0, x))


def felt_pressure(p, gov) -> np.ndarray:
    """:func:`sim.agents.government.felt_pressure`; ``p`` holds the block's pressures."""
    return (gov.mediator_weight * p.mediator + gov.humanitarian_weight * p.humanitarian
            - gov.domestic_weight * p.domestic)


def aspiration_government(talks_day, p, gov) -> np.ndarray:
    """:func:`sim.agents.government.aspiration`."""
    base = faratin(talks_day, gov.horizon_days, gov.aspiration_min, gov.aspiration_max,
                   gov.concession_beta)
    return clip01(base - gov.pressure_concession * felt_pressure(p, gov))


def aspiration_insurgent(talks_day, p, ins) -> np.ndarray:
    """:func:`sim.agents.insurgent.aspiration`."""
    base = faratin(talks_day, ins.horizon_days, ins.aspiration_min, ins.aspiration_max,
                   ins.concession_beta)
    return clip01(base - ins.pressure_concession * p.insurgent)


def utility_government(size, named, named_total, round_size, gov) -> np.ndarray:
    """:func:`sim.agents.government.utility`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = where(named_total != 0, named / np.maximum(named_total, 1), 0.0)
    return 1.0 - gov.size_cost * size / round_size - gov.named_cost * share


def accepts_government(size, named, named_available, named_total, round_size, target,
                       gov) -> np.ndarray:
    """:func:`sim.agents.government.accepts`, its aspiration ``target`` given."""
    fits = named <= named_available
    return fits & (utility_government(size, named, named_total, round_size, gov) >= target)


def utility_insurgent(size, named, demand_size, demand_named, ins) -> np.ndarray:
    """:func:`sim.agents.insurgent.utility`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        size_part = where(demand_size != 0,
                          np.minimum(1.0, size / np.maximum(demand_size, 1)), 1.0)
        named_part = np.minimum(1.0, named / np.maximum(demand_named, 1))
    mixed = (1.0 - ins.named_weight) * size_part + ins.named_weight * named_part
    return where(demand_named != 0, mixed, size_part)


def accepts_insurgent(size, named, demand_size, demand_named, target, ins) -> np.ndarray:
    """:func:`sim.agents.insurgent.accepts`, its aspiration ``target`` given."""
    value = utility_insurgent(size, named, demand_size, demand_named, ins)
    return (size > 0) & (value >= target)


def decide_demand(remaining, round_size, named_total, named_released, ins):
    """:func:`sim.agents.insurgent.decide_demand`: ``(size, named)``."""
    size = where(ins.all_at_once, remaining, np.minimum(round_size, remaining))
    named = where(ins.demand_named, named_total - named_released, 0)
    return size, named


def decide_offer(target, demand_size, demand_named, remaining, round_size, named_total,
                 named_available, gov):
    """:func:`sim.agents.government.decide_offer`: ``(size, named)``."""
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


def decide_bridge(demand_size, demand_named, offer_size, offer_named, med):
    """:func:`sim.agents.mediator.decide_bridge`: ``(size, named)``."""
    size = (demand_size + offer_size) // 2
    named = np.maximum(offer_named, np.round(med.bridge_named_share * demand_named)
                       .astype(np.int64))
    return size, np.minimum(named, demand_named)


def is_stalled(phase, round_pending, days_past_deadline, days_without_agreement, gov):
    """:func:`sim.agents.government.is_stalled`."""
    stalled = ((phase == SUSPENDED)
               | ((phase == PRE) & (days_past_deadline > gov.stall_days))
               | ((phase == SESSION) & (days_without_agreement >= gov.stall_days)))
    return stalled & ~round_pending


def walkout_probability(phase, round_pending, frustration, ins) -> np.ndarray:
    """:func:`sim.agents.insurgent.walkout_probability`."""
    x = ins.walkout_sharpness * (frustration - ins.patience) / ins.patience
    p = 1.0 / (1.0 + np.exp(-np.maximum(-50.0, np.minimum(50.0, x))))
    return where((phase == SESSION) & ~round_pending, p, 0.0)


def decide_pressure(phase, attacks_recent, days_past_deadline, med):
    """:func:`sim.agents.mediator.decide_pressure`: ``(on_government, on_insurgent)``."""
    active = (phase == PRE) | (phase == SESSION) | (phase == SUSPENDED)
    reach = med.leverage * med.credibility
    violence = attacks_recent / med.violence_reference
    late = where(days_past_deadline > 0, 1.0, 0.0)
    suspended = where(phase == SUSPENDED, med.suspension_pressure, 0.0)
    on_government = reach * (med.deadline_pressure * late + med.violence_pressure * violence
                             + suspended)
    on_insurgent = reach * med.insurgent_pressure * violence
    return where(active, on_government, 0.0), where(active, on_insurgent, 0.0)


def disengagement_change(phase, attacks_recent, med) -> np.ndarray:
    """:func:`sim.agents.mediator.disengagement_change`."""
    grows = med.disengage_rate * attacks_recent / med.violence_reference
    return where(phase == SUSPENDED, grows, where(phase == SESSION, -med.disengage_recovery,
                                                  0.0))


def attack_intensity(phase, frustration, capacity, ins) -> np.ndarray:
    """:func:`sim.agents.insurgent.attack_intensity`."""
    suspended = where((phase == SUSPENDED) | (phase == COLLAPSED), 1.0, 0.0)
    return ins.attacks_base * capacity * (1.0 + ins.attack_frustration_gain * frustration
                                          + ins.attack_suspension_gain * suspended)


def attacks(intensity, gamma, noise, round_u) -> np.ndarray:
    """:func:`sim.mechanisms.violence.attacks` on one day's draws."""
    mean = intensity * gamma
    with np.errstate(invalid="ignore"):
        value = where(mean > 0.0, mean + np.sqrt(np.maximum(mean, 0.0)) * noise, 0.0)
    return where(value > 0.0, np.floor(value + round_u), 0.0).astype(np.int64)


def owed(deal_released, compliant_credit, discounted_value, reciprocal, goodwill, ratio):
    """:func:`sim.agents.insurgent.owed`: ``(for agreed rounds, as goodwill)``."""
    fair = np.floor(discounted_value / ratio).astype(np.int64)
    ahead = goodwill - fair
    deal = (np.floor((deal_released + compliant_credit) / ratio).astype(np.int64)
            - reciprocal - np.maximum(ahead, 0))
    return np.maximum(deal, 0), np.maximum(fair - goodwill, 0)


def decide_releases(owed_deal, owed_goodwill, remaining, condition, room_today, trust,
                    collapsed, halted, ins):
    """:func:`sim.agents.insurgent.decide_releases`: ``(reciprocal, goodwill)``.

    ``remaining`` is what it still owes of its commitment less what it has promised, and
    ``condition`` what a condition of the government still asks of it, less the same.
    """
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


def verified_today(unverified, carried, ins):
    """:func:`sim.agents.insurgent.verified_today`: ``(done, carried over)``."""
    work = carried + ins.verification_rate
    done = np.minimum(unverified, np.trunc(work).astype(np.int64))
    return done, where(unverified > done, work - done, 0.0)
