"""Faratin's concession curve, and prisoner pools: scores, selection orders, generation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.base import faratin
from sim.pools import Pool, ReleaseMode
from sim.prisoners import (
    RANK_SENIOR,
    Prisoners,
    draw_prisoners,
    humanitarian_score,
    prisoners_of,
    stable_argsort,
)
from sim.scenario import Conflict, PoolSpec


def generate_pool(spec: PoolSpec, rng: np.random.Generator) -> Pool:
    """A run's custody of freshly drawn prisoners."""
    return Pool(draw_prisoners(spec, rng, key="humanitarian"))


def test_faratin_endpoints():
    assert faratin(0, 30, 0.4, 0.9, 1.0) == pytest.approx(0.9)
    assert faratin(30, 30, 0.4, 0.9, 1.0) == pytest.approx(0.4)
    for beta in (0.2, 1.0, 5.0):
        assert faratin(0, 30, 0.4, 0.9, beta) == pytest.approx(0.9)
        assert faratin(30, 30, 0.4, 0.9, beta) == pytest.approx(0.4)
        assert faratin(300, 30, 0.4, 0.9, beta) == pytest.approx(0.4)
        assert faratin(-5, 30, 0.4, 0.9, beta) == pytest.approx(0.9)


def test_faratin_linear_at_beta_one():
    assert faratin(15, 30, 0.4, 0.9, 1.0) == pytest.approx(0.65)
    assert faratin(10, 40, 0.0, 1.0, 1.0) == pytest.approx(0.75)


def test_faratin_boulware_holds_out_above_conceder():
    boulware = faratin(15, 30, 0.4, 0.9, 0.5)
    linear = faratin(15, 30, 0.4, 0.9, 1.0)
    conceder = faratin(15, 30, 0.4, 0.9, 2.0)
    assert boulware > linear > conceder
    assert boulware == pytest.approx(0.4 + 0.5 * (1 - 0.5**2))
    assert conceder == pytest.approx(0.4 + 0.5 * (1 - 0.5**0.5))


@settings(max_examples=80, deadline=None)
@given(t=st.floats(0, 1000), horizon=st.integers(1, 500), a_min=st.floats(0, 1),
       spread=st.floats(0, 1), beta=st.floats(0.05, 20))
def test_faratin_stays_between_its_bounds(t, horizon, a_min, spread, beta):
    a_max = min(1.0, a_min + spread)
    value = faratin(t, horizon, a_min, a_max, beta)
    assert a_min - 1e-12 <= value <= a_max + 1e-12


def test_humanitarian_score_ranks_frail_old_and_nearly_served_first():
    age = np.array([40.0, 40.0, 70.0, 40.0])
    health = np.array([0.9, 0.3, 0.9, 0.9])
    sentence = np.array([3000.0, 3000.0, 3000.0, 100.0])
    score = humanitarian_score(age, health, sentence)
    assert score[1] > score[0]   # sicker
    assert score[2] > score[0]   # older
    assert score[3] > score[0]   # less left to serve
    assert humanitarian_score(np.array([14.0]), np.array([1.0]),
                              np.array([3650.0]))[0] == pytest.approx(0.0)
    assert humanitarian_score(np.array([95.0]), np.array([0.0]),
                              np.array([0.0]))[0] == pytest.approx(3.0)
    # Each term is clipped: sentences beyond ten years add nothing more.
    assert humanitarian_score(np.array([40.0]), np.array([0.5]), np.array([9000.0]))[0] == \
        pytest.approx(humanitarian_score(np.array([40.0]), np.array([0.5]),
                                         np.array([3650.0]))[0])


def hand_pool(key: str = "humanitarian") -> Pool:
    """Eight prisoners whose ranks are known by construction.

    Rows 0-5 are listed (row 5 named), 6-7 unlisted. Health falls with the row number, so
    among the listed and unnamed, row 4 scores highest and row 0 lowest.
    """
    n = 8
    return Pool(Prisoners(
        rank=np.array([0, 0, 1, 0, 2, 2, 0, 1], dtype=np.int8),
        age=np.full(n, 40.0, dtype=np.float32),
        health=np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 0.05, 0.01], dtype=np.float32),
        sentence=np.full(n, 1000.0, dtype=np.float32),
        listed=np.array([1, 1, 1, 1, 1, 1, 0, 0], dtype=bool),
        named=np.array([0, 0, 0, 0, 0, 1, 0, 0], dtype=bool),
        key=key,
    ))


LISTED, NAMED, UNLISTED = ("listed", 0), ("named", 0), ("unlisted", 0)


def test_take_returns_highest_scores_first_among_listed_unnamed():
    pool = hand_pool()
    assert pool.take(LISTED, 2).rows.tolist() == [4, 3]
    assert pool.take(LISTED, 10).rows.tolist() == [2, 1, 0]
    assert pool.take(LISTED, 1).rows.size == 0
    assert pool.held.all()  # taking is not freeing


def test_the_groups_share_no_row_and_the_insurgent_frees_the_cheapest_first():
    pool = hand_pool()
    assert pool.take(NAMED, 5).rows.tolist() == [5]
    assert set(pool.take(UNLISTED, 5).rows.tolist()) == {6, 7}
    cost = hand_pool(key="cost").take(LISTED, 5).rows.tolist()
    assert set(cost) == {0, 1, 2, 3, 4}
    # Cheapest to free first: the rank-and-file before the mid-rank before the senior.
    assert cost[-1] == 4 and cost[-2] == 2


def test_release_counts_what_it_frees_and_refuses_to_free_twice():
    pool = hand_pool()
    taken = [pool.take(LISTED, 2), pool.take(NAMED, 1)]
    assert pool.release(taken, day=3, mode=ReleaseMode.DEAL, oath=True) == (1, 2, 3)
    assert pool.n_released == 3 and pool.n_named_released == 1
    assert pool.release_day[[4, 3, 5]].tolist() == [3, 3, 3] and pool.oath[[4, 3, 5]].all()
    with pytest.raises(RuntimeError, match="twice"):
        pool.release(taken, day=4, mode=ReleaseMode.DEAL, oath=False)


def test_expected_returns_are_the_sum_of_each_rows_chance():
    pool = hand_pool()
    params = Conflict(return_base=0.2, young_age=30, young_factor=1.0, senior_factor=2.0)
    taken = [pool.take(LISTED, 2)]  # rows 4 (senior, health 0.5) and 3 (health 0.6)
    assert pool.expected_returns(taken, params) == pytest.approx(0.2 * 2 * 0.5 + 0.2 * 0.6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), ks=st.lists(
    st.integers(0, 80), max_size=8))
def test_takes_go_down_the_order_without_repeating_a_row(seed, n, ks):
    pool = generate_pool(PoolSpec(size=n, listed=n), np.random.default_rng(seed))
    seen: list[int] = []
    for day, k in enumerate(ks):
        taken = pool.take(LISTED, k)
        assert taken.rows.size == min(k, n - len(seen))
        pool.release([taken], day, ReleaseMode.DEAL, oath=False)
        seen += taken.rows.tolist()
    assert len(set(seen)) == len(seen)
    score = humanitarian_score(pool.age, pool.health, pool.sentence)
    assert (np.diff(score[seen]) <= 0).all()  # the highest scores first, throughout


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.25, -3.0]) | st.floats(-5, 5),
                     max_size=300),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_stable_argsort_equals_numpys_stable_sort_with_ties(keys, dtype):
    key = np.array(keys, dtype=dtype)
    assert np.array_equal(stable_argsort(key), np.argsort(key, kind="stable"))


@pytest.mark.parametrize(("size", "listed", "named"), [(300, 200, 10), (50, 50, 0),
                                                       (10, 3, 3), (1, 0, 0)])
def test_generate_pool_respects_counts(size, listed, named):
    pool = generate_pool(PoolSpec(size=size, listed=listed, named=named),
                         np.random.default_rng(0))
    assert pool.size == size
    assert pool.listed.sum() == listed == pool.n_listed
    assert pool.named.sum() == named == pool.n_named
    assert not (pool.named & ~pool.listed).any()
    assert (pool.rank[pool.named] == RANK_SENIOR).all()
    assert pool.held.all() and pool.n_released == 0
    assert ((pool.age >= 14) & (pool.age <= 90)).all()
    assert ((pool.health >= 0) & (pool.health <= 1)).all()


def test_generate_pool_promotes_named_when_too_few_seniors():
    spec = PoolSpec(size=100, listed=60, named=15, rank_shares=(1.0, 0.0, 0.0))
    pool = generate_pool(spec, np.random.default_rng(1))
    assert (pool.rank[pool.named] == RANK_SENIOR).all()
    assert (pool.rank == RANK_SENIOR).sum() == 15


def test_generate_pool_names_existing_seniors_first():
    spec = PoolSpec(size=1000, listed=1000, named=5, rank_shares=(0.5, 0.3, 0.2))
    gen = np.random.default_rng(2)
    pool = generate_pool(spec, gen)
    # About 200 seniors exist, so naming 5 promotes nobody.
    seniors = (pool.rank == RANK_SENIOR).sum()
    reference = generate_pool(PoolSpec(size=1000, listed=1000, named=0,
                                       rank_shares=(0.5, 0.3, 0.2)), np.random.default_rng(2))
    assert seniors == (reference.rank == RANK_SENIOR).sum()


def test_generate_pool_is_reproducible():
    spec = PoolSpec(size=200, listed=150, named=7)
    a = generate_pool(spec, np.random.default_rng(3))
    b = generate_pool(spec, np.random.default_rng(3))
    for name in ("rank", "age", "health", "sentence", "listed", "named"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_a_scenarios_prisoners_are_drawn_once_from_the_pools_own_seed():
    spec = PoolSpec(size=200, listed=150, named=7)
    a, b = prisoners_of(spec, "government_holds"), prisoners_of(spec, "government_holds")
    assert a is b  # every run of a scenario starts from the same rows
    other = prisoners_of(PoolSpec(size=200, listed=150, named=7, seed=1), "government_holds")
    assert not np.array_equal(a.age, other.age)
    # The two pools of one scenario do not share their random numbers.
    ins = prisoners_of(spec, "insurgent_holds")
    assert not np.array_equal(a.age, ins.age)
