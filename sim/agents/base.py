"""What every role sees and proposes: the phase, a proposal, the view of a day, and moves.

A role's rules read a :class:`View`: the names below, and nothing else of the model. The
model hands its agents a live, read-only window with these names
(:class:`sim.state.LiveView`); tests and screens build a :class:`FrozenView` by name.

Each rule's array form sits beside it, for the ensemble engine (:mod:`sim.engine`): named
``<rule>_over_runs``, it takes and gives a value per run of a block, step for step and
operation for operation, so that a run of a block is the Mesa model's run to the last bit
(``tests/test_engine.py``). Branches become masks (:func:`where`): both sides are computed and
one is kept. The phase codes and the helpers of those array forms are here too.
"""

from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

import numpy as np


class Phase(StrEnum):
    """Where the talks stand."""

    PRE_TALKS = "pre_talks"
    IN_SESSION = "in_session"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    COLLAPSED = "collapsed"


PHASE_CODES = {phase: i for i, phase in enumerate(Phase)}
"""The number that stands for each phase in a series."""

OVER = (Phase.COMPLETED, Phase.COLLAPSED)
"""Phases after which nothing more is negotiated or released."""

# The phases as the array forms of the rules see them: a code per run.
PRE = PHASE_CODES[Phase.PRE_TALKS]
SESSION = PHASE_CODES[Phase.IN_SESSION]
SUSPENDED = PHASE_CODES[Phase.SUSPENDED]
COMPLETED = PHASE_CODES[Phase.COMPLETED]
COLLAPSED = PHASE_CODES[Phase.COLLAPSED]


class Proposal(NamedTuple):
    """A round of releases: how many of the government's prisoners, how many of them named."""

    size: int
    named: int


class View(Protocol):
    """What every role may observe on a day, by name. Agents receive a view, never the model.

    Attributes:
        day: the model day.
        phase: where the talks stand.
        talks_day: days since talks first opened (0 before).
        days_without_agreement: days in session since the last agreement or resumption.
        gap: today's gap between the offer and the demand, in the insurgent's utility (0
            without one).
        days_past_deadline: days since the agreed start of talks (0 before it).
        round_size: government releases in one agreed round (the agreement's terms).
        batch_cap: most prisoners a side may release in one day (the agreement's terms).
        government_room_today: what the daily cap still lets the government free today.
        insurgent_room_today: what the daily cap still lets the insurgent free on the day a
            release it decides today is handed over.
        ratio: government releases per insurgent release (the agreement's terms).
        named_total: prisoners the insurgent names individually.
        named_released: named prisoners freed so far.
        named_available: named prisoners still held whom the government has not barred.
        government_remaining: listed prisoners the government has yet to free to meet its
            commitment.
        insurgent_remaining: prisoners the insurgent has yet to free to meet its commitment.
        deal_released: government releases under the agreed mechanism.
        unilateral_released: government releases made on its own.
        compliant_credit: unilateral releases the insurgent counts as compliant.
        discounted_value: what the insurgent counts of releases outside the mechanism.
        insurgent_released: prisoners the insurgent has freed.
        reciprocal_released: insurgent releases in return for agreed rounds, freed or promised.
        goodwill_released: insurgent releases as goodwill, freed or promised.
        insurgent_promised: insurgent releases decided but not yet handed over.
        programme_left: prisoners the government's decrees still allow it to free on its own.
        government_halted: a condition of the government holds its releases.
        insurgent_halted: a condition of the insurgent holds its releases.
        condition_on_government: prisoners the insurgent must still free to lift the
            government's condition (0 without one).
        truce_days_left: days the truce in force still holds (0 without one).
        round_pending: an agreed round is being verified or released.
        last_unilateral_day: day of the last unilateral release (far in the past if none).
        attacks_recent: mean attacks a day over the last three days.
        frustration: the insurgent's frustration.
        trust: the insurgent's trust in the government.
        pressure_mediator: the mediator's pressure on the government.
        pressure_humanitarian: humanitarian pressure on the government.
        pressure_domestic: domestic opposition to releases.
        pressure_on_insurgent: the mediator's pressure on the insurgent.
        disengagement: how far the mediator has given up on the process.
    """

    day: int
    phase: Phase
    talks_day: int
    days_without_agreement: int
    gap: float
    days_past_deadline: int
    round_size: int
    batch_cap: int
    government_room_today: int
    insurgent_room_today: int
    ratio: float
    named_total: int
    named_released: int
    named_available: int
    government_remaining: int
    insurgent_remaining: int
    deal_released: int
    unilateral_released: int
    compliant_credit: int
    discounted_value: float
    insurgent_released: int
    reciprocal_released: int
    goodwill_released: int
    insurgent_promised: int
    programme_left: int
    government_halted: bool
    insurgent_halted: bool
    condition_on_government: int
    truce_days_left: int
    round_pending: bool
    last_unilateral_day: int
    attacks_recent: float
    frustration: float
    trust: float
    pressure_mediator: float
    pressure_humanitarian: float
    pressure_domestic: float
    pressure_on_insurgent: float
    disengagement: float


VIEW_FIELDS = tuple(View.__annotations__)
"""The names of a view, in the order documented above."""

FrozenView = make_dataclass("FrozenView", list(View.__annotations__.items()), frozen=True,
                            slots=True)
FrozenView.__doc__ = "A :class:`View` held by value: built by name, for tests and screens."


def where(cond, a, b) -> np.ndarray:
    """``a`` where ``cond`` holds, else ``b`` (arrays or scalars): a branch over runs."""
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


def faratin(t: float, horizon: float, a_min: float, a_max: float, beta: float) -> float:
    """Time-dependent aspiration of Faratin, Sierra and Jennings (1998).

    ``a(t) = a_min + (a_max - a_min) * (1 - (t / T) ** (1 / beta))``; ``beta < 1`` holds out
    (Boulware), ``beta > 1`` concedes early (Conceder). Time past the horizon counts as ``T``.
    """
    frac = t / horizon if t > 0.0 else 0.0
    if frac <= 0.0:
        raised = 0.0  # 0 ** (1 / beta), beta being positive
    elif frac >= 1.0:
        raised = 1.0  # time past the horizon counts as the horizon
    else:
        # numpy's power, not Python's: the ensemble engine computes it over arrays, and the
        # two must agree to the last bit for a run to be the same whichever runs it.
        raised = float(np.power(frac, 1.0 / beta))
    return a_min + (a_max - a_min) * (1.0 - raised)


def faratin_over_runs(t, horizon, a_min, a_max, beta) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`faratin`."""
    frac = where(t > 0.0, t / horizon, 0.0)
    frac = where(frac > 1.0, 1.0, frac)
    return a_min + (a_max - a_min) * (1.0 - power(frac, 1.0 / beta))


def clip01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return 0.0 if x <= 0.0 else 1.0 if x >= 1.0 else x


def clip01_over_runs(x) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`clip01`."""
    return where(x <= 0.0, 0.0, where(x >= 1.0, 1.0, x))


class Seat(StrEnum):
    """A role a person can take in role play."""

    GOVERNMENT = "government"
    INSURGENT = "insurgent"
    MEDIATOR = "mediator"


@dataclass(frozen=True, slots=True)
class GovernmentMove:
    """A person's decision for the government today.

    Attributes:
        offer_size: prisoners offered in the round under negotiation.
        offer_named: named seniors among them.
        unilateral: prisoners to release on its own today (0 for none).
    """

    offer_size: int
    offer_named: int = 0
    unilateral: int = 0


class Response(StrEnum):
    """A person's answer for the insurgent today."""

    ACCEPT = "accept"
    REJECT = "reject"
    WALKOUT = "walkout"
    RETURN = "return"


@dataclass(frozen=True, slots=True)
class InsurgentMove:
    """A person's decision for the insurgent today.

    Accept or reject the offer, walk out of talks in session, or return to suspended talks.
    """

    response: Response


@dataclass(frozen=True, slots=True)
class MediatorMove:
    """A person's decision for the mediator today: pressure on each side, and a strike."""

    on_government: float = 0.0
    on_insurgent: float = 0.0
    strike: bool = False


Move = GovernmentMove | InsurgentMove | MediatorMove
