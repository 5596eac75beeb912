"""Ceasefires and truces: violence stops or scales while they hold.

A truce may be tied to releases: it holds for a base number of days and one more for every
``per_prisoners`` the named side frees, so it lapses when that side stops delivering. What
follows a lapse comes from the ordinary rules of violence and pressure.
"""

from __future__ import annotations

from sim.scenario import TruceSpec
from sim.state import Truce


def begin(spec: TruceSpec) -> Truce:
    """The truce a shock declares."""
    return Truce(spec.days, spec.violence, spec.tied_to, spec.per_prisoners)


def violence_scale(truce: Truce | None) -> float:
    """Share of the usual attacks that go on today."""
    return 1.0 if truce is None else truce.violence


def days_earned(truce: Truce, freed: int) -> int:
    """Days a release of ``freed`` prisoners by the tied side adds to the truce."""
    before = truce.credited // truce.per_prisoners
    return (truce.credited + freed) // truce.per_prisoners - before
