"""The parameters of a block of runs: each numeric parameter one value per run, or one for all.

A block may mix runs of several scenarios (the points of a sweep) as long as they share their
structure: the same pools, the same timeline of shocks (days, kinds, truces, conditions), and
the same lists and choices (barred categories, sequences). Only numbers and flags may differ
from run to run; :func:`structure` is the key that groups runs into blocks.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.scenario import Scenario, Shock

SECTIONS = ("government", "insurgent", "mediator", "conflict", "agreement")
NO_LIMIT = 2**62
"""Stands for a limit that is not set (``government.programme: null``)."""


class Section:
    """One section's parameters for a block, read like a scenario section's.

    Each is a scalar when every run shares it, else an array with a value per run.
    """

    def __init__(self, models: list[BaseModel]) -> None:
        first = models[0]
        for name in type(first).model_fields:
            if len(models) == 1:
                value = getattr(first, name)
                setattr(self, name, NO_LIMIT if value is None else value)
                continue
            values = [getattr(m, name) for m in models]
            if isinstance(values[0], (bool, int, float)) or values[0] is None:
                values = [NO_LIMIT if v is None else v for v in values]
                same = all(v == values[0] for v in values)
                setattr(self, name, values[0] if same else np.array(values))
            else:  # lists and choices are part of the block's structure: the same for all
                setattr(self, name, values[0])


class Params:
    """A block's parameters in effect: a :class:`Section` per section of the scenarios."""

    def __init__(self, scenarios: list[Scenario]) -> None:
        if all(s is scenarios[0] for s in scenarios):  # the usual block: one scenario
            scenarios = scenarios[:1]
        for section in SECTIONS:
            setattr(self, section, Section([getattr(s, section) for s in scenarios]))


def regimes(scenarios: list[Scenario]) -> list[tuple[Shock, Params]]:
    """Each shock in the order a run applies it, with the block's parameters once it happened.

    The shocks are those of the first scenario: every scenario of a block has the same.
    """
    distinct = {id(s): s.regimes for s in scenarios}
    per_run = [distinct[id(s)] for s in scenarios]
    return [(per_run[0][i][0], Params([r[i][1] for r in per_run]))
            for i in range(len(per_run[0]))]


SHARED_NUMBERS = {"conflict": ("return_base", "young_age", "young_factor", "senior_factor")}
"""Numbers every run of a block must share: the chance of return of each prisoner is worked out
once per block (:meth:`sim.engine.custody.Custody.weights`), so runs that differ in these go to
separate blocks."""
_SHARED_PATHS = {f"{section}.{name}" for section, names in SHARED_NUMBERS.items() for name in names}


def _numbers_removed(data: Any, keep: tuple[str, ...] = ()) -> Any:
    if isinstance(data, dict):
        return {k: data[k] if k in keep else _numbers_removed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_numbers_removed(v) for v in data]
    return None if isinstance(data, (bool, int, float)) else data


def structure(scenario: Scenario) -> str:
    """The key of what runs of one block must share.

    Everything but the numbers of the role, conflict and agreement sections and of the
    shocks' ``set:`` (and the run's seed and length), save :data:`SHARED_NUMBERS`.
    """
    data = scenario.model_dump(mode="json")
    for section in SECTIONS:
        data[section] = _numbers_removed(data[section], SHARED_NUMBERS.get(section, ()))
    for shock in data["timeline"]:
        shock["set"] = {path: value if path in _SHARED_PATHS else _numbers_removed(value)
                        for path, value in shock["set"].items()}
    data.pop("run")
    data["meta"] = {"pattern": data["meta"]["pattern"], "sides": data["meta"]["sides"]}
    return json.dumps(data, sort_keys=True)
