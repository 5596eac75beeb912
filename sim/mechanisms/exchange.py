"""The agreed exchange: rounds through verification, and when the exchange is complete."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.agents.base import View, where
from sim.state import Round


def may_free(name: str, barred: Sequence[str], wanted: Sequence[str] = ()) -> bool:
    """Whether a side may free prisoners of a category now.

    Not a category it has barred; for agreed releases, only one the agreement names for it in
    ``wanted`` (when it names some).
    """
    return name not in barred and (not wanted or name in wanted)


def allowed(names: Sequence[str], barred: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """A mask over a side's categories: those it may free now (:func:`may_free`)."""
    return np.array([may_free(name, barred, wanted) for name in names])


def due_today(round_: Round, batch_cap: int, stages: int) -> tuple[int, int]:
    """How many of a verified round the government frees today, and how many named.

    Up to the daily cap, or the round split evenly into ``stages`` days (0: as fast as the
    cap allows); named prisoners first.
    """
    left = round_.size - round_.released
    per_day = batch_cap if stages == 0 else min(batch_cap, -(-round_.size // stages))
    want = min(per_day, left)
    return want, min(want, round_.named - round_.named_released)


def due_today_over_runs(round_, batch_cap, stages):
    """Over arrays, a value per run of a block: :func:`due_today`, as ``(size, named)``."""
    left = round_.size - round_.released
    per_day = where(np.asarray(stages) == 0, batch_cap, np.minimum(
        batch_cap, -(-round_.size // np.maximum(stages, 1))))
    want = np.minimum(per_day, left)
    return want, np.minimum(want, round_.named - round_.named_released)


def share(size: int, ratio: float) -> int:
    """The insurgent's share of a round of ``size`` at the agreed ratio."""
    return math.floor(size / ratio)


def share_over_runs(size, ratio) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`share`."""
    return np.floor(size / ratio).astype(np.int64)


def is_complete(view: View, margin: int) -> bool:
    """Both sides have met their commitments, each within ``margin`` prisoners.

    The margin stands for a handful of contested cases that both sides set aside.
    """
    return view.government_remaining <= margin and view.insurgent_remaining <= margin


def is_complete_over_runs(government_remaining, insurgent_remaining, margin) -> np.ndarray:
    """Over arrays, a value per run of a block: :func:`is_complete`, of what each side owes."""
    return (government_remaining <= margin) & (insurgent_remaining <= margin)
