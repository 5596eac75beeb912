"""The closed forms of :mod:`sim.theory` set beside the runs of a scenario.

For each theory, :func:`beside` runs the scenario's theory configuration (its assumptions
imposed) through the ensemble engine and compares the runs with the closed form, within a
stated tolerance: exactly for the deterministic results (agreement day, releases before
reciprocation), and within the Dvoretzky–Kiefer–Wolfowitz bound on the distribution and four
standard errors on the mean for the walkout's waiting time. It also gives the scenario's own
runs, as they are, so that a reader sees how far the scenario's departures from the theory
carry it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.engine import run_block
from sim.ensemble import seed_of
from sim.scenario import Scenario, ShockKind
from sim.theory import (
    Theory,
    agreement_day,
    configuration,
    crossing_day,
    departures,
    latest_day,
    paths,
    releases_to_reciprocate,
    walkout_hazard,
    walkout_mean,
    walkout_pmf,
    walkout_quantile,
)

DKW_ALPHA = 0.001
"""Chance that a correct model's runs fall outside the walkout's distribution bound."""

MAX_DAYS = 3650
"""Longest theory configuration run (ten years)."""


@dataclass
class Beside:
    """A closed form beside the runs that should reproduce it.

    Attributes:
        theory: which closed form.
        quantity: what is compared, in words.
        unit: its unit.
        closed_form: the theory's figure (None: the event never comes).
        detail: how the closed form was reached, in a line.
        simulated: the theory configuration's runs, one value each (NaN: never happened).
        tolerance: how close the runs must come, in words.
        agrees: whether they do.
        departures: what in the scenario breaks the theory's assumptions.
        scenario_values: the scenario's own runs, as they are (NaN: never happened).
        pmf: for the walkout, the theory's distribution of days in session (index n - 1).
    """

    theory: Theory
    quantity: str
    unit: str
    closed_form: float | None
    detail: str
    simulated: np.ndarray
    tolerance: str
    agrees: bool
    departures: list[str]
    scenario_values: np.ndarray
    pmf: np.ndarray | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        """Every figure as plain data (for ``parley report --json``)."""
        def stats(values: np.ndarray) -> dict:
            seen = values[~np.isnan(values)]
            return {"share": float(seen.size / values.size) if values.size else 0.0,
                    "mean": float(seen.mean()) if seen.size else None,
                    "median": float(np.median(seen)) if seen.size else None}

        return {"theory": self.theory.value, "quantity": self.quantity, "unit": self.unit,
                "closed_form": self.closed_form, "detail": self.detail,
                "simulated": stats(self.simulated), "tolerance": self.tolerance,
                "agrees": self.agrees, "departures": self.departures,
                "scenario": stats(self.scenario_values)}


def talks_open_day(scenario: Scenario) -> int:
    """Model day talks open: the first ``talks_open`` shock's day, else the deadline."""
    days = [s.day for s in scenario.shocks if s.kind is ShockKind.TALKS_OPEN]
    return min(days) if days else scenario.agreement.deadline_day


def _seeds(master: int, runs: int) -> list[int]:
    return [seed_of(master, i) for i in range(runs)]


def as_is(scenario: Scenario, seeds: list[int]) -> tuple[list[dict], np.ndarray]:
    """The scenario as it is, run on ``seeds``: its summaries and its ``gov_released`` series.

    Each closed form is shown beside it too; :func:`beside` runs it once for all three.
    """
    summaries, kept = run_block(scenario, seeds, max(scenario.run.days, 1),
                                kept=("gov_released",))
    return summaries, kept["gov_released"]


def _values(summaries: list[dict], key: str) -> np.ndarray:
    return np.array([np.nan if s[key] is None else float(s[key]) for s in summaries])


def agreement(scenario: Scenario, runs: int, master: int,
              own: tuple[list[dict], np.ndarray] | None = None) -> Beside:
    """The talks day of the first agreement against the crossing of the aspiration paths."""
    config = configuration(scenario, Theory.AGREEMENT)
    gov, ins = paths(config)
    cost, size = config.government.size_cost, config.agreement.round_size
    t_star = crossing_day(gov, ins, cost)
    day = agreement_day(gov, ins, cost, size)
    opening = talks_open_day(config)
    horizon = math.ceil(max(gov.horizon, ins.horizon))
    days = min(MAX_DAYS, opening + (horizon if day is None else day) + 2)
    seeds = _seeds(master, runs)
    summaries, _ = run_block(config, seeds, days, kept=())
    simulated = _values(summaries, "first_agreement_day") - opening
    if day is None:
        agrees = bool(np.isnan(simulated).all())
        detail = "the aspiration paths never cross: no agreement"
    else:
        agrees = bool((simulated == day).all())
        detail = (f"paths cross on talks day t* = {t_star:.2f}; whole prisoners: day {day} "
                  f"(between ceil(t*) = {math.ceil(t_star)} and "
                  f"{latest_day(gov, ins, cost, size)})")
    own_summaries, _ = own or as_is(scenario, seeds)
    return Beside(Theory.AGREEMENT, "talks day of the first agreement", "days since talks "
                  "opened", None if day is None else float(day), detail, simulated,
                  "exact (deterministic)", agrees, departures(scenario, Theory.AGREEMENT),
                  _values(own_summaries, "first_agreement_day") - talks_open_day(scenario))


def _released_at_decision(summaries: list[dict], released: np.ndarray, lead: int) -> np.ndarray:
    out = np.full(len(summaries), np.nan)
    for i, s in enumerate(summaries):
        day = s["first_release_day_ins"]
        if day is not None:
            out[i] = released[i, max(0, day - lead)]
    return out


def reciprocation(scenario: Scenario, runs: int, master: int,
                  own: tuple[list[dict], np.ndarray] | None = None) -> Beside:
    """Government releases when the other side first reciprocates, against Kydd's threshold."""
    config = configuration(scenario, Theory.RECIPROCATION)
    g, i = config.government, config.insurgent
    a = config.agreement
    rec = releases_to_reciprocate(i.trust_initial, i.goodwill_trust, i.signal_gain,
                                  g.unilateral_batch, i.noncompliance_discount, a.ratio,
                                  i.release_min_batch)
    cap = math.ceil(a.government_commitment / g.unilateral_batch)
    if rec is not None and rec.releases > cap:
        rec = None  # the commitment runs out first
    first = a.deadline_day + 1  # stalled and pressed from the day after the deadline
    seeds = _seeds(master, runs)
    days = MAX_DAYS if rec is None else first + (rec.releases - 1) * g.unilateral_cooldown \
        + i.release_lead_days + 2
    days = min(MAX_DAYS, days)
    summaries, kept = run_block(config, seeds, days, kept=("gov_released",))
    simulated = _released_at_decision(summaries, kept["gov_released"], i.release_lead_days)
    if rec is None:
        agrees = bool(np.isnan(simulated).all())
        detail = "trust never reaches the threshold, or nothing is owed: no reciprocation"
    else:
        # At an exact tie the model's sum of floats may fall short of the threshold by a
        # hair: one release more is then within tolerance (and said so).
        ok = (simulated == rec.released) | (rec.tie & (simulated == rec.released
                                                       + g.unilateral_batch))
        agrees = bool(ok.all())
        detail = (f"trust {i.trust_initial:g} + {i.signal_gain:g} per 100 reaches "
                  f"{i.goodwill_trust:g} after {rec.by_trust} releases of {g.unilateral_batch}; "
                  f"the smallest group ({i.release_min_batch}) is owed after {rec.by_batch}: "
                  f"{rec.releases} releases, trust {rec.trust:.3f}"
                  + (" (an exact tie: a floating-point sum may need one more)" if rec.tie
                     else ""))
    own_summaries, own_released = own or as_is(scenario, seeds)
    own_values = _released_at_decision(own_summaries, own_released,
                                       scenario.insurgent.release_lead_days)
    return Beside(Theory.RECIPROCATION, "government releases when the insurgent first decides "
                  "to free prisoners", "prisoners", None if rec is None else float(rec.released),
                  detail, simulated, "exact (deterministic); one release more at an exact "
                  "tie" if rec is not None and rec.tie else "exact (deterministic)", agrees,
                  departures(scenario, Theory.RECIPROCATION), own_values)


def dkw_bound(runs: int, alpha: float = DKW_ALPHA) -> float:
    """Distance between the runs' and the true distribution a correct model exceeds rarely.

    The chance is at most ``alpha`` (Dvoretzky–Kiefer–Wolfowitz, with Massart's constant):
    ``sqrt(ln(2 / alpha) / (2 n))``; it holds for discrete distributions too.
    """
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * runs))


def walkout_fit(waits: np.ndarray, pmf: np.ndarray) -> tuple[float, float, float, float]:
    """How far waits are from the distribution ``pmf``: ``(ks, mean_runs, mean, error)``.

    ``waits`` are days in session to a walkout (NaN: none within ``len(pmf)`` days); ``error``
    is the standard error of the mean of as many waits drawn from ``pmf``. Waits beyond the
    horizon count as ``len(pmf) + 1``, in the runs and in the theory alike.
    """
    days = len(pmf)
    n = np.arange(1, days + 2)
    p = np.append(pmf, max(0.0, 1.0 - pmf.sum()))
    w = np.where(np.isnan(waits), days + 1, waits)
    cdf_runs = np.searchsorted(np.sort(w), n, side="right") / w.size
    ks = float(np.max(np.abs(cdf_runs - np.cumsum(p))))
    mean = float(np.sum(n * p))
    sd = math.sqrt(float(np.sum((n - mean) ** 2 * p)))
    return ks, float(w.mean()), mean, sd / math.sqrt(w.size)


def walkout(scenario: Scenario, runs: int, master: int,
            own: tuple[list[dict], np.ndarray] | None = None) -> Beside:
    """Days in session to the first walkout against the logistic hazard's waiting time."""
    config = configuration(scenario, Theory.WALKOUT)
    i = config.insurgent
    growth, patience, k = i.frustration_rate, i.patience, i.walkout_sharpness
    opening = talks_open_day(config)
    horizon = MAX_DAYS - opening
    cdf = np.cumsum(walkout_pmf(growth, patience, k, horizon))
    reach = np.flatnonzero(cdf >= 1.0 - 1e-9)
    horizon = int(reach[0]) + 1 if reach.size else horizon
    pmf = walkout_pmf(growth, patience, k, horizon)
    seeds = _seeds(master, runs)
    summaries, _ = run_block(config, seeds, opening + horizon, kept=())
    waits = _values(summaries, "first_walkout_day") - opening + 1
    ks, mean_runs, mean, se = walkout_fit(waits, pmf)
    bound = dkw_bound(runs)
    agrees = ks <= bound and abs(mean_runs - mean) <= 4.0 * se
    median = walkout_quantile(growth, patience, k, 0.5, horizon)
    detail = (f"h_n = 1/(1 + exp(-{k:g} (n {growth:g} - {patience:g}) / {patience:g})), "
              f"h_1 = {walkout_hazard(1, growth, patience, k):.3g}; mean wait "
              f"{walkout_mean(growth, patience, k, horizon):.2f} days, median {median}; "
              f"runs: mean {mean_runs:.2f}, KS distance {ks:.3f}")
    own_summaries, _ = own or as_is(scenario, seeds)
    return Beside(Theory.WALKOUT, "days in session to the first walkout", "days", mean,
                  detail, waits, f"KS <= {bound:.3f} (DKW, alpha {DKW_ALPHA}) and mean within "
                  f"4 standard errors ({4 * se:.2f})", bool(agrees),
                  departures(scenario, Theory.WALKOUT),
                  _values(own_summaries, "first_walkout_day") - talks_open_day(scenario) + 1,
                  pmf)


def beside(scenario: Scenario, runs: int = 200, master: int | None = None,
           own: tuple[list[dict], np.ndarray] | None = None) -> list[Beside]:
    """Every closed form beside the runs of the scenario's theory configurations.

    Args:
        scenario: the scenario.
        runs: runs of each theory configuration (and of the scenario as it is).
        master: master seed (default: the scenario's ``run.seed``); run ``i`` has
            ``seed_of(master, i)``, as in ``parley report``.
        own: the scenario as it is on those seeds, when already run (:func:`as_is`; ``parley
            report`` gives its ensemble's summaries and ``gov_released`` series).
    """
    master = scenario.run.seed if master is None else master
    own = own or as_is(scenario, _seeds(master, runs))
    return [agreement(scenario, runs, master, own), reciprocation(scenario, runs, master, own),
            walkout(scenario, runs, master, own)]
