"""The events of a block of runs, kept as codes and numbers; sentences only when read.

Each entry is one kind of event on one day for the runs it happened in: their indices and, for
each detail, one value per run (or one for all). :meth:`EventLog.of` gives one run's events as
:class:`sim.events.Event`, field for field what the Mesa model records for that run, with the
sentence made then (:func:`sim.narrative.sentence`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.events import Actor, Event, EventKind
from sim.narrative import sentence
from sim.scenario import Sides


class Rounded(NamedTuple):
    """A detail the model records rounded: ``round(value, digits)`` when read."""

    values: Any
    digits: int


class Entry(NamedTuple):
    """One kind of event on one day, in the runs ``runs`` (ascending)."""

    day: int
    actor: Actor
    kind: EventKind
    runs: np.ndarray
    details: dict[str, Any]


def _python(value: Any) -> Any:
    """A detail as the model holds it: Python ints, floats, flags and text."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.item()
    return value


def _pick(value: Any, runs: np.ndarray) -> Any:
    if isinstance(value, Rounded):
        return Rounded(_pick(value.values, runs), value.digits)
    return value[runs] if isinstance(value, np.ndarray) and value.ndim else value


def _read(value: Any, j: int) -> Any:
    if isinstance(value, Rounded):
        return round(float(_read(value.values, j)), value.digits)
    return _python(value[j] if isinstance(value, np.ndarray) and value.ndim else value)


class EventLog:
    """Every event of a block's runs, in the order each run met them."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, day: int, actor: Actor, kind: EventKind, where: np.ndarray,
            **details: Any) -> None:
        """Record an event in the runs where ``where`` holds; details per run or for all."""
        runs = np.flatnonzero(where)
        if runs.size:
            self.entries.append(Entry(day, actor, kind, runs,
                                      {k: _pick(v, runs) for k, v in details.items()}))

    def of(self, run: int, names: Sides) -> list[Event]:
        """The events of one run, with their sentences."""
        out = []
        for e in self.entries:
            j = int(np.searchsorted(e.runs, run))
            if j < e.runs.size and e.runs[j] == run:
                details = {k: _read(v, j) for k, v in e.details.items()}
                out.append(Event(e.day, e.actor, e.kind,
                                 sentence(e.kind, e.actor, details, names), details))
        return out
