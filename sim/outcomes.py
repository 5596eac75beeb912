"""Bands, shares and positions of outcomes over runs: the one place they are computed.

A *band* says where a numeric outcome falls over runs: how many runs, the share of them that
have a value (the day of an event that never happened is ``None`` or NaN), the median, the
10th and 90th percentiles (numpy's linear interpolation) and the range. A *share* is how many
runs show a flag, with a Wilson 95% interval. A *position* places one value (a person's game,
the current run) among runs. Report, plots, role play and the dashboard all call these
functions, so a band means the same thing everywhere.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

PERCENTILES = (10, 50, 90)
"""The band's low edge, middle and high edge, in percent."""

Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


def as_floats(values) -> np.ndarray:
    """Values as a float array, with ``None`` and pandas' missing values as NaN."""
    if hasattr(values, "to_numpy"):  # a pandas column, whose missing values may be pd.NA
        return values.to_numpy(dtype=float, na_value=np.nan)
    if isinstance(values, np.ndarray):
        return values.astype(float, copy=False)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def finite(values) -> np.ndarray:
    """The finite values, without ``None``, NaN or infinities."""
    arr = as_floats(values)
    return arr[np.isfinite(arr)]


@dataclass(frozen=True)
class Band:
    """Where an outcome falls over runs (``None`` for figures of runs without a value).

    Attributes:
        n: runs.
        share: share of runs with a finite value (0 when there are no runs).
        median: median of the finite values.
        p10: their 10th percentile.
        p90: their 90th percentile.
        min: their smallest.
        max: their largest.
    """

    n: int
    share: float
    median: float | None
    p10: float | None
    p90: float | None
    min: float | None
    max: float | None

    def as_dict(self) -> dict:
        """The band as plain data (for JSON)."""
        return asdict(self)

    def p10_median_p90(self) -> tuple[float, float, float]:
        """The band's low edge, middle and high edge; NaN when no run has a value."""
        nan = float("nan")
        return (nan, nan, nan) if self.median is None else (self.p10, self.median, self.p90)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies within the 10-90% band (never, when the band is empty)."""
        return self.p10 is not None and self.p10 <= value <= self.p90


def band(values) -> Band:
    """The band of an outcome over runs.

    Args:
        values: one value a run; ``None``, NaN and infinities count as runs without a value.
    """
    arr = as_floats(values)
    kept = arr[np.isfinite(arr)]
    if kept.size == 0:
        return Band(int(arr.size), 0.0, None, None, None, None, None)
    p10, med, p90 = np.percentile(kept, PERCENTILES)
    return Band(int(arr.size), kept.size / arr.size, float(med), float(p10), float(p90),
                float(kept.min()), float(kept.max()))


def bands_by_day(runs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 10th percentile, median and 90th percentile of each column over runs.

    Args:
        runs: a (runs, days) array of finite values, e.g. a series of an ensemble.

    Returns:
        Three arrays of one value a day: ``(p10, median, p90)``.
    """
    p10, med, p90 = np.percentile(np.asarray(runs, dtype=float), PERCENTILES, axis=0)
    return p10, med, p90


@dataclass(frozen=True)
class Share:
    """How many of ``n`` runs show a flag, with a Wilson 95% interval.

    Attributes:
        k: runs with the flag.
        n: runs.
        share: ``k / n`` (0 when there are no runs).
        low: lower end of the 95% interval.
        high: upper end of the 95% interval.
    """

    k: int
    n: int
    share: float
    low: float
    high: float

    def as_dict(self) -> dict:
        """The share as plain data (for JSON)."""
        return asdict(self)


def wilson(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927); (0, 1) when ``n`` is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At k = 0 and k = n an end is exactly 0 or 1; computed, it could miss by a rounding error.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def share(flags: Iterable) -> Share:
    """The share of runs whose flag is true (a missing flag, ``None`` or NaN, counts as false)."""
    arr = as_floats(flags if hasattr(flags, "__len__") else list(flags))
    k, n = int(np.count_nonzero(np.nan_to_num(arr))), int(arr.size)
    low, high = wilson(k, n)
    return Share(k, n, k / n if n else 0.0, low, high)


@dataclass(frozen=True)
class Position:
    """Where one value stands among runs: the shares of runs below and above it."""

    lower: float
    higher: float


def position(you: float, values) -> Position:
    """The shares of runs with a finite value lower and higher than ``you`` (0 when none has)."""
    kept = finite(values)
    if kept.size == 0:
        return Position(0.0, 0.0)
    return Position(float((kept < you).mean()), float((kept > you).mean()))


@dataclass(frozen=True)
class Survival:
    """The Kaplan-Meier share of runs still waiting for an event, day by day, with a 95% band.

    Attributes:
        day: days 0, 1, ..., last.
        share: estimated share of runs in which the event has not happened by the end of a day.
        low: lower end of the pointwise 95% interval (exponential Greenwood, "log-log").
        high: its upper end.
        n: runs.
        events: runs in which the event happened.
    """

    day: np.ndarray
    share: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: int
    events: int


def kaplan_meier(event_days, end_days, last: int) -> Survival:
    """Kaplan-Meier estimate of the time to an event over runs, some of which never reach it.

    A run without the event is right-censored at its last day: it is known to have waited at
    least that long, not that it would never have seen the event. Estimated with
    ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``; the band is its pointwise 95%
    "log-log" (exponential Greenwood) interval, taken as the estimate itself where that is
    undefined (before the first event, where the estimate is 1).

    Args:
        event_days: the event's day in each run (``None`` or NaN where it never happened).
        end_days: each run's last day (a number for all runs, or one a run).
        last: the last day to estimate.
    """
    from scipy import stats

    when = as_floats(event_days)
    ends = np.broadcast_to(np.asarray(end_days, dtype=float), when.shape)
    seen = np.isfinite(when)
    day = np.arange(last + 1)
    if not seen.any():  # nothing happened: every run waited to its end
        ones = np.ones(day.size)
        return Survival(day, ones, ones, ones, int(when.size), 0)
    times = np.where(seen, when, ends)
    result = stats.ecdf(stats.CensoredData.right_censored(times, ~seen)).sf
    with warnings.catch_warnings():  # undefined ends (NaN) are replaced just below
        warnings.filterwarnings("ignore", "The confidence interval is undefined",
                                RuntimeWarning)
        interval = result.confidence_interval(0.95, method="log-log")
    share_ = result.evaluate(day)
    low, high = (np.where(np.isfinite(v), v, share_) for v in
                 (interval.low.evaluate(day), interval.high.evaluate(day)))
    return Survival(day, share_, low, high, int(when.size), int(seen.sum()))
