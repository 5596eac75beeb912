"""The terms of an exchange: the agreement, categories of prisoners, conditions and truces.

Each is an ordinary part of a scenario, usable from YAML; shocks may change the agreement,
set or waive a condition and declare a truce (see :class:`sim.scenario.schema.Shock`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import model_validator

from sim.scenario.base import Frozen, P, rule

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class Side(StrEnum):
    """One of the two sides that hold prisoners."""

    GOVERNMENT = "government"
    INSURGENT = "insurgent"

    @property
    def other(self) -> Side:
        """The side across the table."""
        return Side.INSURGENT if self is Side.GOVERNMENT else Side.GOVERNMENT


class Sequence(StrEnum):
    """Who frees first in an agreed round."""

    GOVERNMENT_FIRST = "government_first"
    """The government frees the round; the insurgent then owes its share and pays it."""
    INSURGENT_FIRST = "insurgent_first"
    """The insurgent frees its share of the round; the government frees the round next day."""
    SIMULTANEOUS = "simultaneous"
    """A swap in stages: on each release day both sides free their shares of the stage."""


class Counting(StrEnum):
    """Which releases count towards a condition."""

    FROM_NOW = "from_now"
    IN_TOTAL = "in_total"


class Category(Frozen):
    """A category of prisoners in a pool (security forces, civilians, hard-core, ...)."""

    name: str = P("all", "name", "short name used by agreements, bars and conditions",
                  pattern=NAME_PATTERN, max_length=40)
    label: str = P("", "text", "how the narrative names them (default: the name)",
                   max_length=60)
    count: int | None = P(None, "prisoners", "how many of the pool are of this category",
                          ge=0, le=5_000_000)
    share: float | None = P(None, "share", "share of the pool in this category", ge=0, le=1)

    @model_validator(mode="after")
    def _one_size(self) -> Category:
        if self.count is not None and self.share is not None:
            raise rule("share", "is given together with count", "count or share, not both")
        return self

    @property
    def words(self) -> str:
        """The category as the narrative names it."""
        return self.label or self.name.replace("_", " ")


class ConditionSpec(Frozen):
    """A side suspends its releases until the other side has freed enough prisoners."""

    holder: Side = P(Side.GOVERNMENT, "side", "the side that suspends its releases")
    frees: int = P(1, "prisoners", "prisoners the other side must free first", ge=1,
                   le=5_000_000)
    categories: list[str] = P([], "names", "of these categories of the other side's pool "
                              "(empty: any prisoner)")
    counting: Counting = P(Counting.FROM_NOW, "kind",
                           "count releases from the day the condition is set, or in total")


class TruceSpec(Frozen):
    """A ceasefire: violence stops or scales for a while, possibly longer as releases flow."""

    days: int = P(3, "days", "days the truce holds without extension", ge=0, le=3650)
    violence: float = P(0.0, "share", "share of the usual attacks that go on during the truce",
                        ge=0, le=1)
    tied_to: Side | None = P(None, "side", "side whose releases extend the truce (none: a "
                             "fixed truce)")
    per_prisoners: int = P(50, "prisoners", "one more day of truce for every this many "
                           "prisoners the tied side frees", ge=1, le=1_000_000)


class Agreement(Frozen):
    """What the sides committed to and how releases must happen."""

    government_commitment: int = P(1000, "prisoners", "prisoners the government commits to free",
                                   ge=0, le=5_000_000)
    insurgent_commitment: int = P(200, "prisoners", "prisoners the insurgent commits to free",
                                  ge=0, le=5_000_000)
    ratio: float = P(5.0, "government/insurgent",
                     "prisoners the government frees per prisoner the insurgent frees", gt=0,
                     le=10_000)
    round_size: int = P(100, "prisoners", "government releases in one agreed round", ge=1,
                        le=5_000_000)
    batch_cap: int = P(100, "prisoners/day", "most prisoners a side can release in one day",
                       ge=1, le=5_000_000)
    deadline_day: int = P(10, "day", "day by which talks were due to begin", ge=0, le=36500)
    joint_verification: bool = P(True, "flag",
                                 "releases count as compliant only if jointly agreed and verified")
    sequence: Sequence = P(Sequence.GOVERNMENT_FIRST, "kind",
                           "who frees first in an agreed round")
    stages: int = P(0, "days", "release days an agreed round is split into (0: as fast as the "
                    "daily cap allows)", ge=0, le=365)
    completion_margin: int = P(0, "prisoners", "how far short of its commitment a side may stay "
                               "and still count as having met it (contested cases aside)",
                               ge=0, le=5_000_000)
    government_categories: list[str] = P([], "names", "categories the government's agreed "
                                         "releases come from (empty: any)")
    insurgent_categories: list[str] = P([], "names", "categories the insurgent's agreed "
                                        "releases come from (empty: any)")
