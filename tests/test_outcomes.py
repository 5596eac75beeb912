"""Bands, shares and positions: the one place they are computed, checked by hand and by property."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.outcomes import as_floats, band, bands_by_day, position, share, wilson


def test_a_band_over_values_with_missing_ones():
    b = band([1, 2, 3, 4, None, float("nan"), float("inf")])
    assert b.n == 7 and b.share == pytest.approx(4 / 7)
    assert (b.p10, b.median, b.p90) == pytest.approx((1.3, 2.5, 3.7))
    assert (b.min, b.max) == (1.0, 4.0)
    assert b.contains(2.0) and not b.contains(1.0) and not b.contains(3.8)
    assert b.p10_median_p90() == pytest.approx((1.3, 2.5, 3.7))


@pytest.mark.parametrize("values", [[], [None, None], np.array([np.nan])],
                         ids=["no runs", "no values", "nan"])
def test_a_band_without_values_has_no_figures(values):
    b = band(values)
    assert b.share == 0.0 and b.n == len(values)
    assert (b.median, b.p10, b.p90, b.min, b.max) == (None,) * 5
    assert not b.contains(0.0)
    assert all(math.isnan(v) for v in b.p10_median_p90())
    assert b.as_dict() == {"n": len(values), "share": 0.0, "median": None, "p10": None,
                           "p90": None, "min": None, "max": None}


def test_a_band_reads_a_nullable_pandas_column():
    column = pd.Series([3, pd.NA, 5], dtype="Int64")
    assert as_floats(column)[1] != as_floats(column)[1]  # NaN
    assert band(column).median == 4.0 and band(column).share == pytest.approx(2 / 3)


def test_bands_by_day_are_percentiles_of_each_column():
    runs = np.array([[0, 10, 20], [0, 20, 40], [0, 30, 60]], dtype=float)
    p10, med, p90 = bands_by_day(runs)
    assert med.tolist() == [0, 20, 40]
    assert p10.tolist() == pytest.approx([0, 12, 24]) and p90.tolist() == pytest.approx(
        [0, 28, 56])


def test_a_share_counts_true_flags_and_treats_missing_as_false():
    s = share([True, False, None, True, np.nan])
    assert (s.k, s.n, s.share) == (2, 5, 0.4)
    assert share(pd.Series([True, pd.NA, False], dtype="boolean")).k == 1
    assert share(flag for flag in (True, True)).share == 1.0
    empty = share([])
    assert (empty.share, empty.low, empty.high) == (0.0, 0.0, 1.0)


def test_wilson_interval_against_published_values():
    # Newcombe (1998), table I: 81 of 263 gives 0.2553 to 0.3662; 0 of 10 gives 0 to 0.2775.
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-5)


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_wilson_interval_holds_the_share(k, n):
    k = min(k, n)
    low, high = wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_a_position_counts_runs_below_and_above():
    where = position(2.5, [1, 2, 3, 4, float("nan")])
    assert (where.lower, where.higher) == (0.5, 0.5)
    assert (position(1.0, [None]).lower, position(1.0, [None]).higher) == (0.0, 0.0)


@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=50))
def test_a_band_is_ordered_and_its_share_counts_values(values):
    b = band(values)
    found = [v for v in values if v is not None]
    assert b.share == (len(found) / len(values) if values else 0.0)
    if found:
        assert b.min <= b.p10 <= b.median <= b.p90 <= b.max
