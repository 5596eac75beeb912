"""The ensemble engine makes, run for run, what the Mesa model makes alone.

A block of runs reads each run's random numbers from its seed as the model does, so the
comparison is exact: every summary field, every series value to the last bit, every event
(its details and sentence), and which prisoners each side freed. The invariants of whole
runs (conservation, no double release, monotone totals) are checked on the engine's runs too.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, check_series, stalled, teaching
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import Block, run_block, structure
from sim.engine.summary import series as block_series
from sim.engine.summary import summaries as block_summaries
from sim.ensemble import run_ensemble
from sim.model import ParleyModel
from sim.runner import result_of
from sim.scenario import Scenario, load_scenario, with_overrides

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def _run_block(scenarios: list[Scenario], seeds: list[int], days: int):
    block = Block(scenarios, seeds, days).run()
    cols = block_series(block)
    return block, block_summaries(block, cols), cols


def _same_summary(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for key in a:
        assert a[key] == b[key] and type(a[key]) is type(b[key]), key


def assert_block_matches_models(scenarios: list[Scenario], seeds: list[int],
                                days: int) -> Block:
    """Every run of a block equals the Mesa model's run of the same scenario and seed."""
    block, summaries, cols = _run_block(scenarios, seeds, days)
    for i, (scenario, seed) in enumerate(zip(scenarios, seeds, strict=True)):
        model = ParleyModel(scenario, seed=seed, days=days).run()
        result = result_of(model)
        _same_summary(result.summary, summaries[i])
        for name, column in result.series.items():
            assert np.array_equal(column, cols[name][i]), (seed, name)
        assert np.array_equal(~model.gov_pool.held, block.gov.released(i)), seed
        assert np.array_equal(~model.ins_pool.held, block.ins.released(i)), seed
        assert np.array_equal(model.gov_pool.released_by_category,
                              block.gov.released_by_category[i])
        assert block.events(i) == model.events, seed  # details and sentences alike
    return block


def check_custody(block: Block, cols: dict[str, np.ndarray]) -> None:
    """Each run's custody: no prisoner freed twice, and the counts agree with the rows."""
    for custody, column in ((block.gov, "gov_released"), (block.ins, "ins_released")):
        assert (custody.cursor >= 0).all()
        assert (custody.cursor <= custody.sizes).all(), "an order was read past its end"
        rows = [np.concatenate([custody.prisoners.orders[k] for k in custody.keys])]
        assert np.unique(rows[0]).size == rows[0].size, "two orders share a prisoner"
        for i in range(block.n):
            freed = custody.released(i)
            assert freed.sum() == custody.n_released[i] == cols[column][i, -1]
            assert custody.released_by_category[i].sum() == custody.n_released[i]
            assert (custody.prisoners.named & freed).sum() == custody.n_named_released[i]
    assert np.array_equal(block.gov.n_named_released, cols["named_released"][:, -1])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_the_same_in_a_block(path):
    scenario = load_scenario(path)
    block = assert_block_matches_models([scenario] * 12, list(range(12)), scenario.run.days)
    # The runs differ from one another where the scenario has violence: the comparison
    # covered more than one path.
    attacks = block.record["attacks"].T
    assert not attacks.any() or np.unique(attacks, axis=0).shape[0] > 1


def test_a_run_is_the_same_whatever_its_block():
    scenario = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    seeds = [3, 141, 59, 26, 5358, 979, 32, 38]
    _, together, cols = _run_block([scenario] * len(seeds), seeds, 200)
    for start in range(0, len(seeds), 3):
        part = seeds[start:start + 3]
        _, alone, part_cols = _run_block([scenario] * len(part), part, 200)
        assert alone == together[start:start + 3]
        for name in cols:
            assert np.array_equal(part_cols[name], cols[name][start:start + 3])


def test_a_block_cut_short_is_the_model_cut_short():
    scenario = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    assert_block_matches_models([scenario] * 4, [0, 1, 2, 3], 45)


def test_runs_of_one_block_may_differ_in_their_numbers_not_their_structure():
    base = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    patient = load_scenario(SCENARIOS / "afghanistan_2020_patient_insurgent.yaml")
    assert structure(base) == structure(patient)
    no_halts = load_scenario(SCENARIOS / "afghanistan_2020_no_halts.yaml")
    assert structure(base) != structure(no_halts)
    assert_block_matches_models([base, patient, base, patient], [7, 7, 8, 8], 200)


numbers = {
    "size_cost": st.floats(0.05, 0.5), "aspiration_max": st.floats(0.6, 1.0),
    "beta": st.floats(0.2, 5.0), "threshold": st.floats(0.0, 2.0),
    "stall_days": st.integers(0, 5), "discount": st.floats(0.0, 1.0),
    "batch_cap": st.integers(10, 40), "patience": st.floats(0.3, 10.0),
    "leverage": st.floats(0.0, 5.0), "lead": st.integers(0, 3),
    "verification": st.floats(0.0, 30.0), "strike": st.floats(0.0, 1.0),
}


def _teaching_point(p: dict, joint: bool) -> Scenario:
    return teaching(
        government={"size_cost": p["size_cost"], "goodwill_threshold": p["threshold"],
                    "stall_days": p["stall_days"]},
        insurgent={"aspiration_max": p["aspiration_max"], "concession_beta": p["beta"],
                   "noncompliance_discount": p["discount"], "patience": p["patience"],
                   "release_lead_days": p["lead"], "verification_rate": p["verification"]},
        mediator={"leverage": p["leverage"], "strike_probability": p["strike"]},
        agreement={"joint_verification": joint, "batch_cap": p["batch_cap"]},
        timeline=[{"day": 2, "kind": "decree", "pressure": {"humanitarian": 1.0}}],
        run={"days": 60})


@settings(max_examples=12, deadline=None)
@given(points=st.lists(st.fixed_dictionaries(numbers), min_size=1, max_size=3),
       joint=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_a_block_of_mixed_parameters_runs_each_as_the_model_does(points, joint, seed):
    scenarios = [_teaching_point(p, joint) for p in points for _ in range(2)]
    seeds = [seed + i for i in range(len(scenarios))]
    block = assert_block_matches_models(scenarios, seeds, 60)
    check_custody(block, block_series(block))


def test_exponents_numpy_treats_apart_give_the_same_runs_in_a_mixed_block():
    # Alone, numpy squares for an exponent of 2 and takes the root for 0.5; with an exponent
    # per run it takes the general power, which may differ in the last bit (found by the
    # test above).
    base = {"size_cost": 0.5, "aspiration_max": 0.875, "threshold": 0.0, "stall_days": 0,
            "discount": 0.0, "batch_cap": 10, "patience": 1.0, "leverage": 0.0, "lead": 0,
            "verification": 0.0, "strike": 0.0}
    scenarios = [_teaching_point({**base, "beta": beta}, False) for beta in (0.5, 1.0, 2.0, 1.3)]
    assert_block_matches_models(scenarios, [2, 2, 2, 2], 60)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), threshold=st.floats(0.0, 0.5),
       batch=st.integers(1, 20), cooldown=st.integers(1, 5), named=st.integers(1, 30),
       oath=st.booleans(), patience=st.floats(0.5, 5.0))
def test_a_stalled_block_runs_each_as_the_model_does(seed, threshold, batch, cooldown, named,
                                                     oath, patience):
    scenario = stalled(
        government={"goodwill_threshold": threshold, "unilateral_batch": batch,
                    "unilateral_cooldown": cooldown, "oath": oath},
        insurgent={"patience": patience},
        pools={"government_holds": {"named": named}})
    assert_block_matches_models([scenario] * 3, [seed, seed + 1, seed + 2],
                                scenario.run.days)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_invariants_hold_on_every_run_of_a_block(path):
    scenario = load_scenario(path)
    block, _, cols = _run_block([scenario] * 40, list(range(1000, 1040)), scenario.run.days)
    check_custody(block, cols)
    for i in range(block.n):
        check_series({name: column[i] for name, column in cols.items()}, scenario)


@settings(max_examples=15, deadline=None)
@given(points=st.lists(st.fixed_dictionaries(numbers), min_size=2, max_size=4),
       joint=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_the_invariants_hold_whatever_the_block_mixes(points, joint, seed):
    scenarios = [_teaching_point(p, joint) for p in points for _ in range(5)]
    block, _, cols = _run_block(scenarios, [seed + i for i in range(len(scenarios))], 60)
    check_custody(block, cols)
    for i, scenario in enumerate(scenarios):
        check_series({name: column[i] for name, column in cols.items()}, scenario)


def test_run_block_gives_back_the_series_kept():
    scenario = load_scenario(SCENARIOS / "teaching_symmetric.yaml")
    summaries, kept = run_block(scenario, [1, 2, 3], scenario.run.days, kept=("phase",))
    assert [s["seed"] for s in summaries] == [1, 2, 3]
    assert list(kept) == ["phase"] and kept["phase"].shape == (3, scenario.run.days + 1)


def test_an_ensemble_is_the_same_from_blocks_as_from_models():
    scenario = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    blocks = run_ensemble(scenario, 24, workers=1)
    models = run_ensemble(scenario, 24, workers=1, engine=False)
    assert blocks.seeds == models.seeds and blocks.summaries == models.summaries
    for name in blocks.series:
        assert np.array_equal(blocks.series[name], models.series[name])


IDENTITY = {"seed", "scenario", "scenario_hash", "version", "days"}
FAMILY_ALPHA = 0.001
"""Chance, per scenario, that the distribution test fails although the two agree."""


def _differing_outcomes(a: list[dict], b: list[dict]) -> dict[str, float]:
    """Summary fields whose distributions differ between two samples of runs, with p-values.

    A number is compared by a two-sample Kolmogorov-Smirnov test on the runs where it is set
    and, with a chi-square test, on how often it is unset (None); flags and names by a
    chi-square test of their counts. The threshold is Bonferroni's over every test made.
    """
    from scipy.stats import chi2_contingency, ks_2samp

    tests: dict[str, float] = {}
    for field in a[0]:
        if field in IDENTITY:
            continue
        x, y = [s[field] for s in a], [s[field] for s in b]
        numeric = [v for v in x + y if v is not None and not isinstance(v, (bool, str))]
        if numeric:
            xs = np.array([v for v in x if v is not None], float)
            ys = np.array([v for v in y if v is not None], float)
            if xs.size and ys.size and not (np.all(xs == xs[0]) and np.array_equal(
                    np.unique(xs), np.unique(ys))):
                tests[field] = ks_2samp(xs, ys, method="asymp").pvalue
            x = [v is None for v in x]
            y = [v is None for v in y]
            field = f"{field} unset"
        levels = sorted({str(v) for v in x + y})
        if len(levels) > 1:
            table = [[sum(str(v) == level for v in sample) for level in levels]
                     for sample in (x, y)]
            tests[field] = chi2_contingency(table).pvalue
    threshold = FAMILY_ALPHA / max(1, len(tests))
    return {k: p for k, p in tests.items() if p < threshold}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_engine_and_the_model_give_the_same_distributions(path):
    # Independent samples (other master seeds), so this is a test of distributions, not the
    # run-for-run equality above: 2,000 runs each, every summary outcome.
    scenario = load_scenario(path)
    engine = run_ensemble(scenario, 2000, master_seed=1, kept=())
    model = run_ensemble(scenario, 2000, master_seed=2, kept=(), engine=False)
    assert not set(engine.seeds) & set(model.seeds)
    assert _differing_outcomes(engine.summaries, model.summaries) == {}


def test_the_distribution_test_sees_a_changed_rule():
    # The same check finds a difference the size of a modest change of one parameter.
    scenario = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    changed = with_overrides(scenario, {"insurgent.patience": scenario.insurgent.patience * 1.1})
    a = run_ensemble(scenario, 2000, master_seed=1, kept=())
    b = run_ensemble(changed, 2000, master_seed=2, kept=())
    assert _differing_outcomes(a.summaries, b.summaries)


@pytest.mark.parametrize("path", ["conflict.return_base", "conflict.young_age",
                                  "conflict.young_factor", "conflict.senior_factor"])
def test_runs_that_differ_in_the_chance_of_return_have_different_structures(path):
    # Each prisoner's chance of return is worked out once per block (Custody.weights).
    base = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    value = load_scenario(SCENARIOS / "afghanistan_2020.yaml")
    for part in path.split("."):
        value = getattr(value, part)
    other = value + 1 if isinstance(value, int) else value / 2
    changed = with_overrides(base, {path: other})
    assert structure(changed) != structure(base)
    shocked = with_overrides(base, {"timeline": [*base.model_dump()["timeline"],
                                                 {"day": 30, "set": {path: other}}]})
    assert structure(shocked) != structure(with_overrides(base, {"timeline": [
        *base.model_dump()["timeline"], {"day": 30, "set": {path: value}}]}))
