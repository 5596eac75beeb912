"""Same scenario and seed give the same run, in this process or in a pool of processes."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import stalled, teaching
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.runner import RunResult, run

SEEDS = (0, 1, 2, 3)


def event_rows(result: RunResult) -> list[tuple]:
    return [(e.day, e.actor, e.kind, e.sentence, e.details) for e in result.events]


def assert_same_run(a: RunResult, b: RunResult) -> None:
    assert a.seed == b.seed
    assert a.series.keys() == b.series.keys()
    for name in a.series:
        assert np.array_equal(a.series[name], b.series[name]), name
    assert event_rows(a) == event_rows(b)
    assert a.summary == b.summary


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_same_seed_same_run(seed):
    scenario = teaching(run={"seed": seed, "days": 60})
    assert_same_run(run(scenario), run(scenario))


def test_seed_argument_and_run_seed_agree():
    assert_same_run(run(teaching(), seed=7), run(teaching(run={"seed": 7})))


@pytest.mark.parametrize("make", [teaching, stalled], ids=["teaching", "stalled"])
def test_different_seeds_differ(make):
    a, b = run(make(), seed=0), run(make(), seed=1)
    assert a.seed != b.seed
    # Daily violence is drawn from the environment stream, so two seeds cannot agree on it
    # day after day; the scenario hash, which excludes the seed, must agree.
    assert not np.array_equal(a.series["attacks"], b.series["attacks"])
    assert a.summary["scenario_hash"] == b.summary["scenario_hash"]


def test_runs_do_not_share_state():
    """A run in between must not change the next run of another seed."""
    first = run(teaching(), seed=3)
    run(stalled(), seed=9)
    assert_same_run(first, run(teaching(), seed=3))


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool_matches_in_process(workers):
    scenario = stalled()
    local = [run(scenario, seed=s) for s in SEEDS]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        remote = list(pool.map(run, [scenario] * len(SEEDS), SEEDS))
    assert len(remote) == len(local)
    for a, b in zip(local, remote, strict=True):
        assert_same_run(a, b)
