"""Ceasefires and truces: violence stops or scales while they hold.

A truce may be tied to releases: it holds for a base number of days and one more for every
``per_prisoners`` the named side frees, so it lapses when that side stops delivering. What
follows a lapse comes from the ordinary rules of violence and pressure.

A block's truce holds a value per run, and a flag ``active`` for the runs it still holds in.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.agents.base import where
from sim.scenario import TruceSpec
from sim.state import Truce


def begin(spec: TruceSpec) -> Truce:
    """The truce a shock declares."""
    return Truce(spec.days, spec.violence, spec.tied_to, spec.per_prisoners)


def begin_over_runs(spec: TruceSpec, runs: int) -> SimpleNamespace:
    """Over arrays, a value per run of a block: :func:`begin`, in force in all ``runs``."""
    return SimpleNamespace(days_left=np.full(runs, spec.days), violence=spec.violence,
                           tied_to=spec.tied_to, per_prisoners=spec.per_prisoners,
                           credited=np.zeros(runs, np.int64), held=np.zeros(runs, np.int64),
                           active=np.ones(runs, bool))


def violence_scale(truce: Truce | None) -> float:
    """Share of the usual attacks that go on today."""
    return 1.0 if truce is None else truce.violence


def violence_scale_over_runs(truce: SimpleNamespace | None):
    """Over arrays, a value per run of a block: :func:`violence_scale`."""
    return 1.0 if truce is None else where(truce.active, truce.violence, 1.0)


def days_earned(truce: Truce, freed: int) -> int:
    """Days a release of ``freed`` prisoners by the tied side adds to the truce."""
    before = truce.credited // truce.per_prisoners
    return (truce.credited + freed) // truce.per_prisoners - before
