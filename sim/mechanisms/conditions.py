"""Conditions: a side suspends its releases until the other side has freed enough prisoners.

A condition names a count and, optionally, categories of the other side's pool ("until the
Taliban free 200 soldiers and police"). The model lifts it once met; a shock may waive it.
"""

from __future__ import annotations

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


def still_needed(condition: Condition, released_by_category: np.ndarray) -> int:
    """Prisoners the other side must still free to meet the condition."""
    freed = int(released_by_category[condition.categories].sum()) - condition.baseline
    left = condition.frees - freed
    return left if left > 0 else 0
