"""What every role sees and proposes: the phase, a proposal, and the frozen view of a day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


class Phase(StrEnum):
    """Where the talks stand."""

    PRE_TALKS = "pre_talks"
    IN_SESSION = "in_session"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    COLLAPSED = "collapsed"


PHASE_CODES = {phase: i for i, phase in enumerate(Phase)}


class Proposal(NamedTuple):
    """A round of releases: how many of the government's prisoners, how many of them named."""

    size: int
    named: int


class View(NamedTuple):
    """A read-only picture of the exchange on one day, as every role may observe it.

    Agents receive a view, never the model; only the model changes shared state.
    """

    day: int
    phase: Phase
    talks_day: int
    days_without_agreement: int
    days_past_deadline: int
    round_size: int
    named_total: int
    named_released: int
    government_remaining: int
    insurgent_remaining: int
    deal_released: int
    unilateral_released: int
    insurgent_released: int
    insurgent_owed_deal: int
    insurgent_owed_goodwill: int
    batch_pending: bool
    last_unilateral_day: int
    attacks_recent: float
    frustration: float
    trust: float
    pressure_mediator: float
    pressure_humanitarian: float
    pressure_domestic: float
    pressure_on_insurgent: float
    disengagement: float


class ViewMemo:
    """A rule's value for the last view it was asked about, so a day computes it once.

    Views are immutable and the memo keeps the one it holds alive, so identity is a safe key.
    """

    __slots__ = ("rule", "value", "view")

    def __init__(self, rule: Callable[[View, Any], float]) -> None:
        self.rule = rule
        self.view: View | None = None
        self.value = 0.0

    def __call__(self, view: View, params: Any) -> float:
        """``rule(view, params)``, computed only for a view not seen last time."""
        if view is not self.view:
            self.view, self.value = view, self.rule(view, params)
        return self.value


def faratin(t: float, horizon: float, a_min: float, a_max: float, beta: float) -> float:
    """Time-dependent aspiration of Faratin, Sierra and Jennings (1998).

    ``a(t) = a_min + (a_max - a_min) * (1 - (t / T) ** (1 / beta))``; ``beta < 1`` holds out
    (Boulware), ``beta > 1`` concedes early (Conceder). Time past the horizon counts as ``T``.
    """
    frac = t / horizon if t > 0.0 else 0.0
    if frac > 1.0:
        frac = 1.0
    return a_min + (a_max - a_min) * (1.0 - frac ** (1.0 / beta))


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
