"""Every random number a run uses, drawn from the run's seed when the run begins.

A run's randomness is one uniform per day for each of a few sources: each yes-or-no decision
(walkout, return to talks, airstrike), the noise on frustration, and the day's violence. The
Mesa model reads them day by day and the ensemble engine reads the same numbers for a block
of runs, so a run is the same whichever runs it, and a change in one source (say, the
insurgent's walkouts) never shifts another (the shocks, the violence).

The uniforms are drawn in chunks of :data:`CHUNK` days, every source's chunk in turn, so a run
cut short draws the same numbers for the days it has as the whole run. Casualties, which feed
back into nothing, come afterwards from a second generator of the same seed.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincinv, ndtri

SOURCES = ("walkout", "resume", "strike", "attack_round", "attack_gamma", "attack_noise",
           "frustration")
CHUNK = 64


def uniforms(seed: int, days: int) -> tuple[np.ndarray, np.random.Generator]:
    """The run's uniforms and the generator of its casualties.

    The uniforms have a row per source and a column per day (0 to ``days``).
    """
    main, casualties = np.random.SeedSequence(seed).spawn(2)
    chunks = days // CHUNK + 1
    u = np.random.default_rng(main).random((chunks, len(SOURCES), CHUNK))
    return (u.transpose(1, 0, 2).reshape(len(SOURCES), chunks * CHUNK)[:, :days + 1],
            np.random.default_rng(casualties))


class Draws:
    """One run's random numbers, one value per day for each source.

    Args:
        seed: the run's seed.
        days: days the run lasts (arrays hold days 0 to ``days``).
    """

    def __init__(self, seed: int, days: int) -> None:
        u, self._casualties = uniforms(seed, days)
        (self.walkout, self.resume, self.strike, self.attack_round, self.gamma_uniforms,
         noise, frustration) = u
        self.attack_noise = ndtri(noise)
        self.frustration = ndtri(frustration)
        self._gammas: dict[float, np.ndarray] = {}

    def attack_gamma(self, shape: float) -> np.ndarray:
        """Gamma variates of mean one and this shape, a value per day (kept per shape)."""
        found = self._gammas.get(shape)
        if found is None:
            found = self._gammas[shape] = gamma_quantile(self.gamma_uniforms, shape)
        return found

    def casualties(self, expected: np.ndarray) -> np.ndarray:
        """Poisson draws around each day's expected casualties, in day order.

        Draws are sequential, so drawing days 0 to d and then d + 1 to D gives the same
        numbers as drawing days 0 to D at once.
        """
        return self._casualties.poisson(expected)


def gamma_quantile(u: np.ndarray, shape: float | np.ndarray) -> np.ndarray:
    """Gamma variates of mean one: the quantiles ``u`` of Gamma(shape, 1 / shape)."""
    return gammaincinv(shape, u) / shape


def lognormal_factor(z: float, sigma: float) -> float:
    """A log-normal factor of mean one from a standard normal ``z``: exp(sigma z - sigma^2/2)."""
    return float(np.exp(sigma * z - 0.5 * sigma * sigma))
