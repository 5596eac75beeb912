"""Violence: fighting capacity, daily attacks, strike damage and the collapse rule.

The insurgent decides how hard to fight (:func:`sim.agents.insurgent.attack_intensity`) and
the mediator when to strike (:func:`sim.agents.mediator.strike_probability`); what follows
for capacity and for the process is worked out here.
"""

from __future__ import annotations

import math

import numpy as np

from sim.agents.base import where
from sim.scenario import Conflict, Mediator

RECENT_DAYS = 3
"""Days over which the sides judge recent violence."""
FAILING_DAYS = 7
"""Days over which violence is averaged when judging whether the process is failing."""


def capacity(returned_fighters: float, damage: float, params: Conflict) -> float:
    """Fighting capacity: one, plus returned fighters, less what strikes destroyed."""
    return (1.0 + returned_fighters / params.fighters_per_capacity) * (1.0 - damage)


def attacks(intensity: float, gamma: np.ndarray, noise: np.ndarray, round_u: np.ndarray,
            day: int) -> int:
    """Today's attacks from their expected number and the day's draws.

    The expected number is scaled by a gamma variate of mean one (counts are overdispersed
    like a negative binomial of the gamma's shape); the Poisson scatter around it is taken as
    normal, and the count rounded at random so that its mean is kept.
    """
    mean = intensity * gamma[day]
    value = mean + math.sqrt(mean) * noise[day] if mean > 0.0 else 0.0
    return math.floor(value + round_u[day]) if value > 0.0 else 0


def attacks_over_runs(intensity, gamma, noise, round_u) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`attacks` on one day's draws."""
    mean = intensity * gamma
    with np.errstate(invalid="ignore"):
        value = where(mean > 0.0, mean + np.sqrt(np.maximum(mean, 0.0)) * noise, 0.0)
    return where(value > 0.0, np.floor(value + round_u), 0.0).astype(np.int64)


def returns(returning: float, params: Conflict) -> tuple[float, float]:
    """Freed prisoners still on their way back, and those who reach the front today.

    A returning prisoner takes ``return_delay_days`` on average: each day that share of those
    on their way arrives (a geometric delay, in expectation).
    """
    arrived = returning / params.return_delay_days
    return returning - arrived, arrived


def mean_attacks(attack_log: list[int], day: int, days: int) -> float:
    """Mean attacks a day over the last ``days`` days up to ``day`` (day 0 has none)."""
    first = max(1, day - days + 1)
    return float(sum(attack_log[first:day + 1])) / (day + 1 - first)


def mean_attacks_over_runs(attack_log: np.ndarray, day: int, days: int) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`mean_attacks`, a log row a day."""
    first = max(1, day - days + 1)
    return attack_log[first:day + 1].sum(axis=0).astype(float) / (day + 1 - first)


def damage_after_strike(damage: float, params: Mediator) -> float:
    """Capacity destroyed after a strike: the strike takes its share of what is left."""
    return damage + params.strike_effect * (1.0 - damage)


def repaired(damage: float, params: Conflict) -> float:
    """Damage left after a day's repair."""
    return damage * (1.0 - params.capacity_recovery)


def failing(violence: float, disengagement: float, conflict: Conflict,
            mediator: Mediator) -> bool:
    """Whether the process is failing today: violence or the mediator's disengagement too high."""
    return violence > conflict.collapse_violence or disengagement > mediator.disengage_limit


def failing_over_runs(violence, disengagement, conflict, mediator) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`failing`."""
    return (violence > conflict.collapse_violence) | (disengagement > mediator.disengage_limit)
