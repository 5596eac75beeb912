"""Violence: fighting capacity, daily attacks, strike damage and the collapse rule.

The insurgent decides how hard to fight (:func:`sim.agents.insurgent.attack_intensity`) and
the mediator when to strike (:func:`sim.agents.mediator.strike_probability`); what follows
for capacity and for the process is worked out here.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import Conflict, Mediator

RECENT_DAYS = 3
"""Days over which the sides judge recent violence."""
FAILING_DAYS = 7
"""Days over which violence is averaged when judging whether the process is failing."""


def capacity(returned_fighters: int, damage: float, params: Conflict) -> float:
    """Fighting capacity: one, plus returned fighters, less what strikes destroyed."""
    return (1.0 + returned_fighters / params.fighters_per_capacity) * (1.0 - damage)


def draw_attacks(intensity: float, dispersion: float, rng: np.random.Generator) -> int:
    """Today's attacks: negative binomial with mean ``intensity`` and shape ``dispersion``."""
    if intensity <= 0:
        return 0
    return int(rng.negative_binomial(dispersion, dispersion / (dispersion + intensity)))


def mean_attacks(attack_log: list[int], day: int, days: int) -> float:
    """Mean attacks a day over the last ``days`` days up to ``day`` (day 0 has none)."""
    first = max(1, day - days + 1)
    return float(sum(attack_log[first:day + 1])) / (day + 1 - first)


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
