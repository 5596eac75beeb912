"""Closed forms beside the runs, and the configurations of a scenario that meet them.

Where a simple configuration of Parley has a theory's answer, this module gives it.

Three results, each a pure function of parameters (docs/theory.md derives them):

* **Agreement day** (Faratin, Sierra and Jennings 1998): under linear time-dependent concession
  (``concession_beta = 1``) with no pressure and no noise, one issue (the size of a round), the
  government offers the largest share ``x_g(t) = (1 - a_g(t)) / size_cost`` that keeps it at its
  aspiration and the insurgent accepts once ``x_g(t) >= a_i(t)``: agreement comes when the two
  aspiration paths cross, ``1 - a_g(t) = size_cost * a_i(t)`` (:func:`crossing_day`).
* **Reciprocation threshold** (Kydd 2000, 2005): a side reciprocates a costly, unverified
  release once its trust passes a threshold (:func:`kydd_threshold` from the assurance game's
  payoffs; the model's ``insurgent.goodwill_trust``); with trust rising by ``signal_gain`` per
  100 prisoners released, it takes :func:`releases_to_reciprocate` releases to get there.
* **Walkout hazard**: with frustration growing by a constant ``a`` a day in session (no decay,
  no noise), the daily hazard of a walkout on the ``n``-th day is the logistic
  ``h_n = 1 / (1 + exp(-k (n a - P) / P))``; the waiting time follows from it
  (:func:`walkout_pmf`, :func:`walkout_mean`); with no growth it is geometric, with mean
  ``1 / h`` (:func:`geometric_mean`).

:func:`departures` says what in a scenario breaks a theory's assumptions, and
:func:`configuration` builds the scenario's *theory configuration*: the scenario with those
assumptions imposed (noise, pressure and shocks off, and so on). :mod:`sim.theory_runs` runs it
and sets the runs beside the closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from sim.scenario import Scenario, ShockKind
from sim.scenario.terms import Sequence


class Theory(StrEnum):
    """The closed forms Parley sets beside its runs."""

    AGREEMENT = "agreement"
    RECIPROCATION = "reciprocation"
    WALKOUT = "walkout"


# Agreement day: linear concession (Faratin, Sierra and Jennings 1998)


@dataclass(frozen=True)
class Path:
    """A linear aspiration path: from ``a_max`` when talks open to ``a_min`` at ``horizon``."""

    a_max: float
    a_min: float
    horizon: float

    def at(self, t: float) -> float:
        """Aspiration on talks day ``t``: ``a_min + (a_max - a_min) (1 - min(t / T, 1))``."""
        frac = min(max(t, 0.0) / self.horizon, 1.0)
        return self.a_min + (self.a_max - self.a_min) * (1.0 - frac)

    @property
    def slope(self) -> float:
        """Aspiration given up a day before the horizon."""
        return (self.a_max - self.a_min) / self.horizon


def crossing_day(gov: Path, ins: Path, size_cost: float, margin: float = 0.0) -> float | None:
    """Talks day on which the linear aspiration paths cross (Faratin et al. 1998), or None.

    Solves ``1 - a_g(t) = size_cost * a_i(t)`` for the least ``t >= 0``: the day the share of
    a round the government can offer, ``(1 - a_g(t)) / size_cost``, reaches the share the
    insurgent holds out for, ``a_i(t)``. Both paths are linear up to their horizons and flat
    after, so the gap ``f(t) = 1 - a_g(t) - size_cost * a_i(t)`` is piecewise linear and
    non-decreasing; each piece is solved in closed form. None when the paths never cross.

    Assumptions: ``concession_beta = 1`` for both, no pressure on aspirations, one issue (no
    named demand), ``size_cost > 0``. With ``margin`` the day the gap reaches ``margin``.
    """

    def f(t: float) -> float:
        return 1.0 - gov.at(t) - size_cost * ins.at(t) - margin

    if f(0.0) >= 0.0:
        return 0.0
    start = 0.0
    for end in sorted({gov.horizon, ins.horizon}):
        if f(end) >= 0.0:  # the root lies on [start, end], where f is linear
            slope = (f(end) - f(start)) / (end - start)
            return start - f(start) / slope
        start = end
    return None


def offered_share(gov: Path, size_cost: float, round_size: int, t: int) -> float:
    """Share of a round the government offers on talks day ``t``, in whole prisoners.

    The largest size ``s <= round_size`` with ``1 - size_cost * s / round_size >= a_g(t)``.
    """
    room = max(0.0, 1.0 - gov.at(t))
    if size_cost * round_size <= room * round_size:
        return 1.0
    return max(0, min(round_size, int(room / size_cost * round_size))) / round_size


def agreement_day(gov: Path, ins: Path, size_cost: float, round_size: int) -> int | None:
    """First whole talks day of agreement, with rounds of whole prisoners; None for never.

    The day is at least ``ceil(crossing_day)``; whole prisoners (the offer is rounded down)
    can delay it, at most to :func:`latest_day`.
    """
    t_star = crossing_day(gov, ins, size_cost)
    if t_star is None:
        return None
    last = math.ceil(max(gov.horizon, ins.horizon)) + 1
    for t in range(math.ceil(t_star), max(last, math.ceil(t_star)) + 1):
        x = offered_share(gov, size_cost, round_size, t)
        if x > 0.0 and x >= ins.at(t):
            return t
    return None


def latest_day(gov: Path, ins: Path, size_cost: float, round_size: int) -> int | None:
    """Latest whole talks day of agreement that rounding to whole prisoners allows.

    An offer rounded down loses less than ``1 / round_size`` of a round, so the insurgent
    accepts at the latest once the paths are ``size_cost / round_size`` apart in the
    government's utility: ``ceil(crossing_day(..., margin=size_cost / round_size))``.
    """
    t = crossing_day(gov, ins, size_cost, margin=size_cost / round_size)
    return None if t is None else math.ceil(t)


# Reciprocation threshold: costly signals (Kydd 2000, 2005)


def kydd_threshold(mutual: float, temptation: float, mutual_defection: float,
                   sucker: float) -> float:
    """Least trust at which a security seeker reciprocates, from the assurance game's payoffs.

    Kydd (2000, "Trust, reassurance, and cooperation", International Organization 54(2);
    2005, *Trust and Mistrust in International Relations*): a side with assurance preferences
    (mutual cooperation > exploiting > mutual defection > being exploited) cooperates when its
    belief ``p`` that the other is trustworthy makes cooperating pay at least as much as
    defecting: ``p CC + (1 - p) CD >= p DC + (1 - p) DD``, that is
    ``p >= (DD - CD) / ((CC - DC) + (DD - CD))``. In Parley the threshold is a parameter,
    ``insurgent.goodwill_trust``, that stands for this ``p*``.

    Raises:
        ValueError: when the payoffs are not assurance preferences.
    """
    if not (mutual > temptation and mutual_defection > sucker):
        raise ValueError("assurance preferences need mutual > temptation and "
                         "mutual_defection > sucker")
    return (mutual_defection - sucker) / ((mutual - temptation) + (mutual_defection - sucker))


@dataclass(frozen=True)
class Reciprocation:
    """How many unilateral releases it takes before the other side reciprocates.

    Attributes:
        releases: unilateral releases (batches) before the first reciprocal release.
        released: prisoners released by then.
        trust: trust when it reciprocates.
        by_trust: releases the trust threshold alone asks for.
        by_batch: releases the smallest group it frees alone asks for.
        tie: the trust threshold is met exactly; a sum in floating point may fall short of
            it by a hair and need one more release.
    """

    releases: int
    released: int
    trust: float
    by_trust: int
    by_batch: int
    tie: bool


def _exact(x: float) -> Fraction:
    return Fraction(repr(x))  # the decimal a scenario writes (0.45), not its binary neighbour


def releases_to_reciprocate(trust_initial: float, threshold: float, gain: float, batch: int,
                            discount: float, ratio: float, min_batch: int) -> Reciprocation | None:
    """Unilateral releases of ``batch`` prisoners before the other side reciprocates.

    Trust rises by ``gain`` per 100 prisoners released (a costly signal, Kydd 2000), so after
    ``k`` releases it is ``trust_initial + gain * k * batch / 100``; the other side frees
    goodwill once trust reaches ``threshold`` and what it owes, ``floor(k * batch * discount /
    ratio)``, reaches ``min_batch``::

        k* = max(ceil(100 (threshold - trust_initial) / (gain * batch)),
                 ceil(min_batch * ratio / (discount * batch)), 1)

    Computed in exact arithmetic on the values as written. None when trust can never get
    there (no gain, or a threshold above 1) or nothing is owed (no discount value).
    """
    t0, tau, g = _exact(trust_initial), _exact(threshold), _exact(gain)
    d, r = _exact(discount), _exact(ratio)
    if tau > 1 or d == 0:
        return None
    need = tau - t0
    if need > 0 and g == 0:
        return None
    by_trust = 0 if need <= 0 else math.ceil(100 * need / (g * batch))
    by_batch = math.ceil(min_batch * r / (d * batch))
    k = max(by_trust, by_batch, 1)
    tie = need > 0 and (100 * need / (g * batch)).denominator == 1 and by_trust >= by_batch
    return Reciprocation(k, k * batch, float(min(Fraction(1), t0 + g * k * batch / 100)),
                         by_trust, by_batch, tie)


# Walkout hazard under constant frustration growth


def walkout_hazard(n: int | np.ndarray, growth: float, patience: float,
                   sharpness: float) -> float | np.ndarray:
    """Chance of a walkout on the ``n``-th day in session, frustration growing ``growth`` a day.

    ``h_n = 1 / (1 + exp(-k (n a - P) / P))``, the model's logistic walkout rule at frustration
    ``n a``; the exponent is held within [-50, 50] as the rule holds it.
    """
    x = sharpness * (np.asarray(n, dtype=float) * growth - patience) / patience
    h = 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))
    return float(h) if np.ndim(h) == 0 else h


def walkout_pmf(growth: float, patience: float, sharpness: float, days: int) -> np.ndarray:
    """Chance that the walkout comes on day ``n`` in session, ``n = 1 .. days`` (index n - 1).

    ``P(T = n) = h_n * prod_{j < n} (1 - h_j)``; what is left, ``1 - sum``, is the chance of no
    walkout within ``days``.
    """
    h = walkout_hazard(np.arange(1, days + 1), growth, patience, sharpness)
    survive = np.concatenate(([1.0], np.cumprod(1.0 - h)[:-1]))
    return h * survive


def walkout_mean(growth: float, patience: float, sharpness: float, days: int = 3650) -> float:
    """Expected days in session until the walkout: ``E[T] = sum_{n >= 0} P(T > n)``."""
    pmf = walkout_pmf(growth, patience, sharpness, days)
    return float(np.sum(np.arange(1, days + 1) * pmf) + (days + 1) * max(0.0, 1.0 - pmf.sum()))


def walkout_quantile(growth: float, patience: float, sharpness: float, q: float,
                     days: int = 3650) -> int | None:
    """Least day ``n`` in session with ``P(T <= n) >= q``; None if beyond ``days``."""
    cdf = np.cumsum(walkout_pmf(growth, patience, sharpness, days))
    hit = np.flatnonzero(cdf >= q)
    return int(hit[0]) + 1 if hit.size else None


def walkout_survival_continuous(t: float, growth: float, patience: float,
                                sharpness: float) -> float:
    """Continuous-time survival with the logistic hazard ``s(alpha + gamma t)``, in closed form.

    ``alpha = -k`` and ``gamma = k a / P``; the cumulative hazard integrates to
    ``H(t) = ln((1 + e^(alpha + gamma t)) / (1 + e^alpha)) / gamma``, so
    ``S(t) = ((1 + e^alpha) / (1 + e^(alpha + gamma t))) ** (1 / gamma)``. Close to the
    daily product while daily hazards are small; ``exp(-h t)`` when there is no growth.
    """
    alpha = -sharpness
    gamma = sharpness * growth / patience
    h0 = 1.0 / (1.0 + math.exp(sharpness))
    if gamma == 0.0:
        return math.exp(-h0 * t)
    log_h = (np.logaddexp(0.0, alpha + gamma * t) - np.logaddexp(0.0, alpha)) / gamma
    return float(np.exp(-log_h))


def geometric_mean(sharpness: float) -> float:
    """Expected wait with no growth: geometric, of mean ``1 / h = 1 + e^k`` days.

    Frustration stays 0, so the hazard ``h = 1 / (1 + e^k)`` is the same every day.
    """
    return 1.0 + math.exp(sharpness)


def threshold_day(growth: float, patience: float) -> int | None:
    """Day in session the walkout comes when the rule is a sharp threshold (``k -> inf``).

    The first ``n`` with ``n a > P``; None without growth.
    """
    return math.floor(patience / growth) + 1 if growth > 0 else None


# Which scenarios meet the assumptions, and their theory configurations


_NO_NOISE = {"insurgent.frustration_noise": 0.0, "insurgent.frustration_decay": 0.0,
             "insurgent.delay_frustration": 0.0, "insurgent.strike_grievance": 0.0,
             "insurgent.strike_trust_cost": 0.0, "insurgent.trust_decay": 0.0,
             "mediator.strike_probability": 0.0}
_NO_AGREEMENT = {"government.aspiration_max": 1.0, "government.aspiration_min": 1.0,
                 "government.pressure_concession": 0.0, "government.size_cost": 1.0,
                 "insurgent.demand_named": False, "insurgent.all_at_once": False}
_NO_UNILATERAL = {"government.goodwill_threshold": 10.0}
_NO_WALKOUT = {"insurgent.frustration_rate": 0.0, "insurgent.walkout_sharpness": 1000.0}

CONFIGURATIONS: dict[Theory, dict] = {
    Theory.AGREEMENT: {
        **_NO_NOISE, **_NO_UNILATERAL, **_NO_WALKOUT,
        "government.concession_beta": 1.0, "insurgent.concession_beta": 1.0,
        "government.pressure_concession": 0.0, "insurgent.pressure_concession": 0.0,
        "insurgent.demand_named": False, "insurgent.all_at_once": False},
    Theory.RECIPROCATION: {
        **_NO_NOISE, **_NO_AGREEMENT, **_NO_WALKOUT,
        "government.goodwill_threshold": 0.0, "government.stall_days": 0,
        "government.programme": None, "government.domestic_weight": 0.0,
        "government.humanitarian_weight": 0.0, "government.mediator_weight": 1.0,
        "mediator.leverage": 1.0, "mediator.credibility": 1.0,
        "mediator.violence_pressure": 0.0, "mediator.release_relief": 0.0,
        "agreement.joint_verification": True, "insurgent.verification_rate": 0.0},
    Theory.WALKOUT: {
        **_NO_NOISE, **_NO_AGREEMENT, **_NO_UNILATERAL,
        "insurgent.pressure_concession": 0.0},
}
"""What each theory configuration sets, by parameter path; of the timeline only the opening
of talks stays."""


def _value(scenario: Scenario, path: str):
    node = scenario
    for part in path.split("."):
        node = getattr(node, part)
    return node


def departures(scenario: Scenario, theory: Theory) -> list[str]:
    """What in a scenario breaks a theory's assumptions (empty when it meets them all)."""
    out = [f"{path} is {_value(scenario, path)!r}, the theory assumes {want!r}"
           for path, want in CONFIGURATIONS[theory].items()
           if _value(scenario, path) != want]
    others = [s for s in scenario.shocks if s.kind is not ShockKind.TALKS_OPEN]
    if others:
        out.append(f"the timeline has {len(others)} shocks besides the opening of talks, "
                   "the theory assumes none")
    if theory is Theory.AGREEMENT and scenario.government.size_cost <= 0:
        out.append("government.size_cost is 0: the government offers everything at once")
    if theory is Theory.RECIPROCATION:
        a = scenario.agreement
        if scenario.insurgent.release_min_batch > a.batch_cap:
            out.append("insurgent.release_min_batch exceeds agreement.batch_cap")
        if a.sequence is not Sequence.GOVERNMENT_FIRST:
            out.append(f"agreement.sequence is {a.sequence.value}, the theory assumes "
                       "government_first")
    return out


def meets(scenario: Scenario, theory: Theory) -> bool:
    """Whether a scenario meets a theory's assumptions (it is its own theory configuration)."""
    return not departures(scenario, theory)


def configuration(scenario: Scenario, theory: Theory) -> Scenario:
    """The scenario with a theory's assumptions imposed: :data:`CONFIGURATIONS`, no shocks.

    Built with ``model_validate`` on the merged data, so every rule of the schema still holds.
    """
    data = scenario.model_dump(mode="python")
    for path, value in CONFIGURATIONS[theory].items():
        section, name = path.split(".")
        data[section][name] = value
    # Only the opening of talks stays, with nothing else: no pressure, no change of terms.
    data["timeline"] = [{"day": s.day, "kind": s.kind, "id": s.id, "label": s.label}
                        for s in scenario.shocks if s.kind is ShockKind.TALKS_OPEN]
    data["leave_out"] = []
    if theory is Theory.RECIPROCATION:
        data["agreement"]["sequence"] = Sequence.GOVERNMENT_FIRST
        if data["insurgent"]["release_min_batch"] > data["agreement"]["batch_cap"]:
            data["insurgent"]["release_min_batch"] = data["agreement"]["batch_cap"]
    return Scenario.model_validate(data)


def paths(scenario: Scenario) -> tuple[Path, Path]:
    """The government's and the insurgent's aspiration paths, as linear paths."""
    g, i = scenario.government, scenario.insurgent
    return (Path(g.aspiration_max, g.aspiration_min, g.horizon_days),
            Path(i.aspiration_max, i.aspiration_min, i.horizon_days))
