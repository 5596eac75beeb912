"""The state of an exchange, in named parts, and the live view the roles read it through.

Only the stages of a day change these parts (:mod:`sim.stages`); every rule that says how a
quantity changes is a pure function in the module of its role (:mod:`sim.agents`) or of its
mechanism (:mod:`sim.mechanisms`). The prisoner pools (:mod:`sim.pools`) are the fifth part.
Each part is declared for one run (its fields) and, beside them, over a block of runs
(``over_runs``: an array per field, a value per run, for :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.base import VIEW_FIELDS, FrozenView, Phase, Proposal
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.model import ParleyModel

NEVER = -(10**9)
"""The day of something that has not happened, far enough in the past for any cooldown."""


def _zeros(n: int) -> np.ndarray:
    return np.zeros(n)


@dataclass(slots=True)
class Round:
    """An agreed round on its way through verification and release."""

    size: int
    named: int
    verify_day: int
    released: int = 0
    named_released: int = 0
    insurgent_released: int = 0
    """The insurgent's share freed within the round (when it goes first, or in a swap)."""

    @staticmethod
    def over_runs(n: int) -> SimpleNamespace:
        """The agreed round of each of a block's runs (``active`` where there is one)."""
        return SimpleNamespace(active=np.zeros(n, bool), **{
            k: np.zeros(n, np.int64) for k in ("size", "named", "verify_day", "released",
                                               "named_released", "ins_released")})


@dataclass(slots=True)
class Condition:
    """A side's releases suspended until the other side has freed enough prisoners."""

    holder: Side
    frees: int
    categories: np.ndarray
    """A mask over the other side's categories: which of its releases count."""
    names: tuple[str, ...]
    baseline: int
    """How many that count the other side had freed when the condition was set."""


@dataclass(slots=True)
class Truce:
    """A truce in force: how long it still holds and what extends it."""

    days_left: int
    violence: float
    tied_to: Side | None
    per_prisoners: int
    credited: int = 0
    """Prisoners the tied side has freed since the truce began."""
    held: int = 0
    """Days it has held so far."""


@dataclass(slots=True)
class Talks:
    """The table: phase, positions, and the insurgent's frustration and trust."""

    trust: float
    phase: Phase = Phase.PRE_TALKS
    opened_day: int | None = None
    days_without_agreement: int = 0
    frustration: float = 0.0
    gap: float = 0.0
    """Today's gap between offer and demand, in the insurgent's utility (0 without one)."""
    walkouts: int = 0
    walkout_news: bool = False
    """A walkout the mediator has yet to react to (it reacts the next day)."""
    round: Round | None = None
    positions: tuple[Proposal, Proposal, Proposal] | None = None
    """The last demand, offer and bridge recorded (each is recorded when it changes)."""
    conditions: list[Condition] = field(default_factory=list)

    @staticmethod
    def over_runs(n: int, trust) -> SimpleNamespace:
        """The table over a block's runs, a value per run.

        Phases as codes, ``opened`` is -1 before talks open, ``without`` the days without
        agreement, ``news`` a walkout yet to be reacted to, and ``positions`` a row for each of
        the demand's, offer's and bridge's size and named.
        """
        return SimpleNamespace(
            phase=np.zeros(n, np.int64), opened=np.full(n, -1), without=np.zeros(n, np.int64),
            frustration=_zeros(n), trust=np.asarray(trust, dtype=float) + _zeros(n),
            gap=_zeros(n), walkouts=np.zeros(n, np.int64), news=np.zeros(n, bool),
            conditions=[], positions=np.zeros((6, n), np.int64), positioned=np.zeros(n, bool))


@dataclass(slots=True)
class Pressure:
    """Pressure on each side, and how far the mediator has given up."""

    mediator: float = 0.0
    """The mediator's pressure on the government."""
    humanitarian: float = 0.0
    domestic: float = 0.0
    """Domestic opposition: it counts against releasing."""
    insurgent: float = 0.0
    """The mediator's pressure on the insurgent."""
    disengagement: float = 0.0

    @staticmethod
    def over_runs(n: int) -> SimpleNamespace:
        """The pressures over a block's runs, a value per run."""
        return SimpleNamespace(**{k: _zeros(n) for k in (
            "mediator", "humanitarian", "domestic", "insurgent", "disengagement")})


@dataclass(slots=True)
class Fighting:
    """Violence, fighting capacity and fighters who return to it."""

    attack_log: list[int]
    """Attacks on each day (index = day)."""
    attacks: int = 0
    """Attacks today."""
    casualties_expected: float = 0.0
    airstrike: bool = False
    attacks_recent: float = 0.0
    damage: float = 0.0
    """Share of capacity destroyed by strikes and not yet repaired."""
    capacity: float = 1.0
    returned_fighters: float = 0.0
    """Freed prisoners expected to be back at the front."""
    returning: float = 0.0
    """Freed prisoners expected to return, on their way back."""
    leaving: float = 0.0
    """Of those freed today, how many are expected to return (they set out tomorrow)."""
    failing_days: int = 0
    """Consecutive days on which the process was failing."""
    truce: Truce | None = None
    truce_today: bool = False
    """A truce held today (it scaled today's attacks)."""

    @staticmethod
    def over_runs(n: int, days: int) -> SimpleNamespace:
        """The fighting over a block's runs, a value per run.

        ``log`` holds a row per day, ``recent`` the recent attacks, ``returned`` the returned
        fighters, ``failing`` the failing days.
        """
        return SimpleNamespace(
            log=np.zeros((days + 8, n), np.int64), attacks=np.zeros(n, np.int64),
            casualties_expected=_zeros(n), airstrike=np.zeros(n, bool), recent=_zeros(n),
            damage=_zeros(n), capacity=np.ones(n), returned=_zeros(n), returning=_zeros(n),
            leaving=_zeros(n), failing=np.zeros(n, np.int64), truce=None,
            truce_today=np.zeros(n, bool))


@dataclass(slots=True)
class Ledger:
    """Who has freed whom: what counts towards each commitment and what the insurgent owes."""

    deal: int = 0
    """Government releases under the agreed mechanism."""
    unilateral: int = 0
    """Government releases made on its own."""
    listed: int = 0
    """Government releases of prisoners on the insurgent's list (its commitment counts these)."""
    compliant_credit: int = 0
    """Unilateral releases the insurgent counts as compliant."""
    discounted_value: float = 0.0
    """What the insurgent counts of releases outside the mechanism."""
    reciprocal: int = 0
    """Insurgent releases in return for agreed rounds."""
    goodwill: int = 0
    """Insurgent releases as goodwill."""
    last_unilateral_day: int = NEVER
    government_today: int = 0
    """Government releases today: the daily cap is shared by every kind of release."""
    insurgent_today: int = 0
    """Insurgent releases today (its daily cap too is shared)."""
    unverified: int = 0
    """Releases outside the mechanism the insurgent has yet to verify."""
    verifying: float = 0.0
    """Part of a release verified but not yet a whole prisoner (verification runs by rate)."""
    recognition_news: int = 0
    """What the narrative has said of verification: 0 nothing, 1 it began, 2 it caught up."""
    promised: list[tuple[int, int, int]] = field(default_factory=list)
    """Insurgent releases decided but not yet handed over: ``(day due, reciprocal, goodwill)``."""

    @staticmethod
    def over_runs(n: int, days: int, lead_max: int) -> SimpleNamespace:
        """The ledger over a block's runs, a value per run.

        ``discounted`` is the discounted value, ``news`` the recognition news; promised
        releases are a row per day they fall due (``due_r`` and ``due_g``, reciprocal and
        goodwill), and those fallen due but not yet handed over ``pending_r`` and ``pending_g``.
        """
        return SimpleNamespace(
            **{k: np.zeros(n, np.int64) for k in (
                "deal", "unilateral", "listed", "compliant_credit", "reciprocal", "goodwill",
                "government_today", "insurgent_today", "unverified", "news",
                "promised_total")},
            discounted=_zeros(n), verifying=_zeros(n), last_unilateral=np.full(n, NEVER),
            due_r=np.zeros((days + lead_max + 2, n), np.int64),
            due_g=np.zeros((days + lead_max + 2, n), np.int64),
            pending_r=np.zeros(n, np.int64), pending_g=np.zeros(n, np.int64))


def _read(path: str) -> property:
    return property(attrgetter(path))


class LiveView:
    """The model's state as a :class:`~sim.agents.base.View`: read-only, by name, always current.

    It copies nothing: each name reads the part of the state it shows. Rules run between the
    model's changes, so a view read within one rule is consistent.
    """

    __slots__ = ("_model",)

    def __init__(self, model: ParleyModel) -> None:
        self._model = model

    day = _read("_model.day")
    phase = _read("_model.talks.phase")
    days_without_agreement = _read("_model.talks.days_without_agreement")
    gap = _read("_model.talks.gap")
    round_size = _read("_model.terms.round_size")
    batch_cap = _read("_model.terms.batch_cap")
    ratio = _read("_model.terms.ratio")
    named_total = _read("_model.gov_pool.n_named")
    named_released = _read("_model.gov_pool.n_named_released")
    deal_released = _read("_model.ledger.deal")
    unilateral_released = _read("_model.ledger.unilateral")
    compliant_credit = _read("_model.ledger.compliant_credit")
    discounted_value = _read("_model.ledger.discounted_value")
    insurgent_released = _read("_model.ins_pool.n_released")
    reciprocal_released = _read("_model.ledger.reciprocal")
    goodwill_released = _read("_model.ledger.goodwill")
    last_unilateral_day = _read("_model.ledger.last_unilateral_day")
    attacks_recent = _read("_model.fighting.attacks_recent")
    frustration = _read("_model.talks.frustration")
    trust = _read("_model.talks.trust")
    pressure_mediator = _read("_model.pressure.mediator")
    pressure_humanitarian = _read("_model.pressure.humanitarian")
    pressure_domestic = _read("_model.pressure.domestic")
    pressure_on_insurgent = _read("_model.pressure.insurgent")
    disengagement = _read("_model.pressure.disengagement")

    @property
    def talks_day(self) -> int:
        """Days since talks first opened (0 before)."""
        opened = self._model.talks.opened_day
        return 0 if opened is None else self._model.day - opened

    @property
    def days_past_deadline(self) -> int:
        """Days since the agreed start of talks (0 before it)."""
        late = self._model.day - self._model.terms.deadline_day
        return late if late > 0 else 0

    @property
    def government_remaining(self) -> int:
        """Listed prisoners the government has yet to free to meet its commitment."""
        left = self._model.terms.government_commitment - self._model.ledger.listed
        return left if left > 0 else 0

    @property
    def insurgent_remaining(self) -> int:
        """Prisoners the insurgent has yet to free to meet its commitment."""
        left = self._model.terms.insurgent_commitment - self._model.ins_pool.n_released
        return left if left > 0 else 0

    @property
    def government_room_today(self) -> int:
        """What the daily cap still lets the government free today."""
        return self._model.terms.batch_cap - self._model.ledger.government_today

    @property
    def insurgent_room_today(self) -> int:
        """What the daily cap still lets the insurgent free on the day of a release decided today.

        With a lead time that is the day of hand-over: the cap less what is already due then.
        """
        m = self._model
        lead = m.params.insurgent.release_lead_days
        if lead == 0:
            return m.terms.batch_cap - m.ledger.insurgent_today
        due = m.day + lead
        room = m.terms.batch_cap
        for day, reciprocal, goodwill in m.ledger.promised:
            if day == due:
                room -= reciprocal + goodwill
        return room

    @property
    def named_available(self) -> int:
        """Named prisoners still held whom the government has not barred."""
        return self._model.named_available()

    @property
    def insurgent_promised(self) -> int:
        """Insurgent releases decided but not yet handed over."""
        total = 0
        for _, reciprocal, goodwill in self._model.ledger.promised:
            total += reciprocal + goodwill
        return total

    @property
    def programme_left(self) -> int:
        """Prisoners the government's decrees still allow it to free on its own."""
        m = self._model
        programme = m.params.government.programme
        if programme is None:
            return m.gov_pool.n_held
        left = programme - m.ledger.unilateral
        return left if left > 0 else 0

    @property
    def government_halted(self) -> bool:
        """A condition of the government holds its releases."""
        return self._holds(Side.GOVERNMENT)

    @property
    def insurgent_halted(self) -> bool:
        """A condition of the insurgent holds its releases."""
        return self._holds(Side.INSURGENT)

    def _holds(self, side: Side) -> bool:
        conditions = self._model.talks.conditions  # read a few times a day, mostly empty
        return bool(conditions) and any(c.holder is side for c in conditions)

    @property
    def condition_on_government(self) -> int:
        """Prisoners the insurgent must still free to lift the government's condition."""
        m = self._model
        needed = 0
        for condition in m.talks.conditions:
            if condition.holder is Side.GOVERNMENT:
                needed += m.still_needed(condition)
        return needed

    @property
    def truce_days_left(self) -> int:
        """Days the truce in force still holds (0 without one)."""
        truce = self._model.fighting.truce
        return 0 if truce is None else truce.days_left

    @property
    def round_pending(self) -> bool:
        """An agreed round is being verified or released."""
        return self._model.talks.round is not None

    def freeze(self) -> FrozenView:
        """The view as it stands now, held by value."""
        return FrozenView(*(getattr(self, name) for name in VIEW_FIELDS))
