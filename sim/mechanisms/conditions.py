"""Conditions: a side suspends its releases until the other side has freed enough prisoners.

A condition names a count and, optionally, categories of the other side's pool ("until the
Taliban free 200 soldiers and police"). The model lifts it once met; a shock may waive it.

A block's condition holds a value per run, and a flag ``active`` for the runs it holds in.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sim.pools import Pool
from sim.scenario import ConditionSpec, Counting
from sim.state import Condition


def set_condition(spec: ConditionSpec, other: Pool) -> Condition:
    """The condition a shock sets, counting the other side's releases as the spec says."""
    names = tuple(spec.categories) or other.category_names
    mask = other.categories(names)
    baseline = 0 if spec.counting is Counting.IN_TOTAL else int(
        other.released_by_category[mask].sum())
    return Condition(spec.holder, spec.frees, mask, names, baseline)


def set_condition_over_runs(spec: ConditionSpec, category_names: tuple[str, ...],
                            released_by_category: np.ndarray) -> SimpleNamespace:
    """Over arrays, a value per run of a block: :func:`set_condition`, a row of counts a run."""
    names = tuple(spec.categories) or category_names
    mask = np.array([name in names for name in category_names])
    runs = len(released_by_category)
    baseline = (np.zeros(runs, np.int64) if spec.counting is Counting.IN_TOTAL
                else released_by_category[:, mask].sum(axis=1))
    return SimpleNamespace(holder=spec.holder, frees=spec.frees, categories=mask, names=names,
                           baseline=baseline, active=np.ones(runs, bool))


def still_needed(condition: Condition, released_by_category: np.ndarray) -> int:
    """Prisoners the other side must still free to meet the condition."""
    freed = int(released_by_category[condition.categories].sum()) - condition.baseline
    left = condition.frees - freed
    return left if left > 0 else 0


def still_needed_over_runs(condition: SimpleNamespace,
                           released_by_category: np.ndarray) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`still_needed`, a row of counts a run."""
    freed = released_by_category[:, condition.categories].sum(axis=1) - condition.baseline
    return np.maximum(condition.frees - freed, 0)
