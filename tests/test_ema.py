"""The EMA Workbench adapter: parameters from the schema, outcomes from the registry, and
experiments that are Parley's runs, experiment for experiment."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from conftest import HOME

try:
    from sim.ema import _ema

    ema = _ema()
except ImportError:
    pytest.skip("ema_workbench is not installed (pip install 'parley[ema]')",
                allow_module_level=True)

from sim.ema import (
    LEVER_SECTIONS,
    SPREAD,
    UNCERTAINTY_SECTIONS,
    EngineEvaluator,
    model,
    name_of,
    outcome_names,
    path_of,
)
from sim.errors import ScenarioError
from sim.outputs import SUMMARY, Kind
from sim.runner import run
from sim.scenario import Scenario, load_scenario, with_overrides

PATHS = ["insurgent.patience", "insurgent.frustration_rate", "government.goodwill_threshold",
         "mediator.walkout_pressure", "insurgent.release_lead_days"]


@pytest.fixture(scope="module")
def home() -> Scenario:
    return load_scenario(HOME)


def schema_numbers(scenario: Scenario, sections) -> dict[str, float]:
    """Every numeric, non-zero parameter of the sections, read from the schema directly."""
    out = {}
    for section in sections:
        part = getattr(scenario, section)
        for name in type(part).model_fields:
            value = getattr(part, name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value != 0:
                out[f"{section}.{name}"] = value
    return out


def field_bounds(path: str) -> tuple[float, float]:
    section, name = path.split(".")
    schema = Scenario.model_json_schema()
    ref = schema["properties"][section]["$ref"].rsplit("/", 1)[1]
    prop = schema["$defs"][ref]["properties"][name]
    prop = next((p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"), prop)
    low = prop.get("minimum", prop.get("exclusiveMinimum", -math.inf))
    high = prop.get("maximum", prop.get("exclusiveMaximum", math.inf))
    return low, high


def valid(home: Scenario, path: str, end: float, value: float) -> float:
    """An end of a range, or the value where that end alone breaks a cross-field rule."""
    try:
        with_overrides(home, {path: end})
    except ScenarioError:
        return value
    return end


def test_uncertainties_and_levers_come_from_the_schema(home):
    m = model(home)
    for params, sections in ((m.uncertainties, UNCERTAINTY_SECTIONS),
                             (m.levers, LEVER_SECTIONS)):
        numbers = schema_numbers(home, sections)
        got = {path_of(p.name): p for p in params}
        assert set(got) <= set(numbers)
        for path, value in numbers.items():
            low, high = field_bounds(path)
            lo = max(low, value * (1 - SPREAD))
            hi = min(high, value * (1 + SPREAD))
            if isinstance(value, int):
                lo, hi = math.ceil(lo), math.floor(hi)
            lo, hi = (valid(home, path, lo, value), valid(home, path, hi, value))
            if hi <= lo:  # a range of one value says nothing
                assert path not in got
                continue
            p = got[path]
            assert p.lower_bound == pytest.approx(lo) and p.upper_bound == pytest.approx(hi)
            assert isinstance(p, ema.IntegerParameter) == isinstance(value, int)
    assert not {p.name for p in m.uncertainties} & {p.name for p in m.levers}
    assert [c.name for c in m.constants] == ["seed"]


def test_outcomes_come_from_the_registry(home):
    m = model(home)
    want = [f.name for f in SUMMARY if f.kind is not Kind.TEXT and f.name not in
            ("seed", "days")]
    assert [o.name for o in m.outcomes] == want == outcome_names()


def test_named_parameters_and_a_bad_one(home):
    m = model(home, uncertainties=PATHS, levers=[])
    assert [path_of(p.name) for p in m.uncertainties] == [
        p for p in ("government.goodwill_threshold", "insurgent.patience",
                    "insurgent.frustration_rate", "insurgent.release_lead_days",
                    "mediator.walkout_pressure") if p in PATHS]
    assert list(m.levers) == []
    with pytest.raises(ValueError, match=r"insurgent\.demand_named"):
        model(home, uncertainties=["insurgent.demand_named"])
    assert name_of("insurgent.patience") == "insurgent__patience"


def direct(home: Scenario, row, names, seed: int, days: int) -> dict:
    overrides = {path_of(n): (int(row[n]) if isinstance(row[n], int | np.integer) else
                              float(row[n])) for n in names}
    return run(with_overrides(home, overrides), seed=seed, days=days).summary


def same(a, b) -> bool:
    if b is None:
        return bool(np.isnan(a))
    return a == b


@pytest.mark.parametrize("evaluator", ["sequential", "engine"])
def test_experiments_are_parley_runs(evaluator, home):
    m = model(home, days=54, uncertainties=PATHS, levers=["mediator.suspension_pressure"],
              seed=7)
    kind = ema.SequentialEvaluator if evaluator == "sequential" else EngineEvaluator
    with kind(m) as ev:
        experiments, outcomes = ev.perform_experiments(
            scenarios=4, policies=2, uncertainty_sampling_kwargs={"rng": 3},
            lever_sampling_kwargs={"rng": 4}, log_progress=False)
    assert len(experiments) == 8
    names = [p.name for p in m.uncertainties] + [p.name for p in m.levers]
    for i, row in experiments.iterrows():
        summary = direct(home, row, names, 7, 54)
        for key in outcome_names():
            assert same(outcomes[key][i], summary[key]), (i, key)
    # The experiments differ: the parameters matter to the outcomes.
    assert len(set(outcomes["first_walkout_day"].tolist())) > 1 or \
        len(set(outcomes["gov_released"].tolist())) > 1


def test_the_model_function_pickles_for_process_pools(home):
    m = model(home, days=20, uncertainties=PATHS[:2], levers=[])
    runner = pickle.loads(pickle.dumps(m.function))
    params = {"insurgent__patience": 1.3, "insurgent__frustration_rate": 0.35, "seed": 5}
    assert runner(**params) == m.function(**params)
    assert m.function.run_many([params])[0].keys() == runner(**params).keys()


RETURN = ("conflict.return_base", "conflict.young_age", "conflict.young_factor",
          "conflict.senior_factor")


def test_engine_blocks_equal_runs_one_by_one_over_every_parameter(home, rng):
    """Every default uncertainty and lever varied at once: the engine's block gives each
    experiment the outcomes of its own Mesa run (return-to-fight parameters are shared by a
    block, so they stay at the scenario's values here)."""
    m = model(home, days=54)
    params = [p for p in [*m.uncertainties, *m.levers] if path_of(p.name) not in RETURN]
    assert len(params) > 40
    experiments = []
    for _ in range(12):
        e = {"seed": int(rng.integers(0, 2**31))}
        for p in params:
            if isinstance(p, ema.IntegerParameter):
                e[p.name] = int(rng.integers(p.lower_bound, p.upper_bound + 1))
            else:
                e[p.name] = float(rng.uniform(p.lower_bound, p.upper_bound))
        experiments.append(e)
    together = m.function.run_many(experiments)
    for e, got in zip(experiments, together, strict=True):
        alone = m.function(**e)
        assert got.keys() == alone.keys()
        assert all(same(got[k], None if np.isnan(alone[k]) else alone[k]) if isinstance(
            alone[k], float) else got[k] == alone[k] for k in alone)


def test_default_ranges_keep_the_scenario_valid(home):
    m = model(home)
    for p in [*m.uncertainties, *m.levers]:
        for end in (p.lower_bound, p.upper_bound):
            with_overrides(home, {path_of(p.name): end})  # raises if an end breaks a rule
    batch = next(p for p in m.uncertainties if p.name == "government__unilateral_batch")
    assert batch.upper_bound == home.agreement.batch_cap  # pulled back from 120
