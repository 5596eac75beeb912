"""Generated scenario files: a valid one runs, an invalid one is refused with problems.

The generator builds a consistent small scenario, then applies zero to two faults drawn from
a list in which every fault is invalid on its own. So the oracle is exact: with no fault the
file must load and run; with a fault it must be refused with a ScenarioError (never a raw
pydantic error, never a crash).
"""

from __future__ import annotations

import itertools

import pytest
from conftest import check_series, write_yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.errors import Problem, ScenarioError
from sim.runner import run
from sim.scenario import load_scenario

_counter = itertools.count()


@st.composite
def valid_scenarios(draw) -> dict:
    gov_size = draw(st.integers(1, 300))
    gov_listed = draw(st.integers(0, gov_size))
    gov_named = draw(st.integers(0, min(gov_listed, 30)))
    ins_size = draw(st.integers(1, 300))
    ins_listed = draw(st.integers(0, ins_size))
    gov_commit = draw(st.integers(0, gov_listed))
    # ratio must lie in [1/ins_size, gov_size] and leave the insurgent able to pay. The exact
    # lower bound is checked on its own (test_scenario_loading); here stay a hair above it.
    low = max(1.0 / ins_size, gov_commit / ins_size if gov_commit else 0.0) * (1 + 1e-9)
    ratio = draw(st.floats(min(low, float(gov_size)), float(gov_size)))
    ins_commit = draw(st.integers(0, ins_listed))
    batch_cap = draw(st.integers(1, gov_size))
    days = draw(st.integers(1, 60))
    shares = draw(st.sampled_from([[0.85, 0.13, 0.02], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]]))
    a_min = draw(st.floats(0.0, 1.0))
    i_min = draw(st.floats(0.0, 1.0))
    scenario = {
        "meta": {"name": "generated"},
        "government": {
            "aspiration_min": a_min,
            "aspiration_max": draw(st.floats(a_min, 1.0)),
            "concession_beta": draw(st.floats(0.05, 20.0)),
            "horizon_days": draw(st.integers(1, 100)),
            "size_cost": draw(st.floats(0.01, 5.0)),
            "named_cost": draw(st.one_of(st.just(0.0), st.floats(0.01, 5.0))),
            "goodwill_threshold": draw(st.floats(0.0, 10.0)),
            "stall_days": draw(st.integers(0, 10)),
            "unilateral_batch": draw(st.integers(1, batch_cap)),
            "unilateral_cooldown": draw(st.integers(1, 10)),
            "oath": draw(st.booleans()),
        },
        "insurgent": {
            "aspiration_min": i_min,
            "aspiration_max": draw(st.floats(i_min, 1.0)),
            "demand_named": draw(st.booleans()),
            "all_at_once": draw(st.booleans()),
            "patience": draw(st.floats(0.01, 50.0)),
            "frustration_noise": draw(st.floats(0.0, 3.0)),
            "walkout_sharpness": draw(st.floats(0.01, 100.0)),
            "trust_initial": draw(st.floats(0.0, 1.0)),
            "goodwill_trust": draw(st.floats(0.0, 1.0)),
            "release_min_batch": draw(st.integers(1, 100)),
            "attacks_base": draw(st.floats(0.0, 200.0)),
            "attack_dispersion": draw(st.floats(0.01, 1e6)),
        },
        "mediator": {
            "leverage": draw(st.floats(0.0, 10.0)),
            "credibility": draw(st.floats(0.0, 1.0)),
            "verification_days": draw(st.integers(0, 10)),
            "strike_threshold": draw(st.floats(0.0, 100.0)),
            "strike_probability": draw(st.floats(0.0, 1.0)),
        },
        "conflict": {
            "return_base": draw(st.floats(0.0, 1.0)),
            "return_delay_days": draw(st.floats(1.0, 100.0)),
            "collapse_days": draw(st.integers(1, 60)),
        },
        "pools": {
            "government_holds": {"size": gov_size, "listed": gov_listed, "named": gov_named,
                                 "rank_shares": shares},
            "insurgent_holds": {"size": ins_size, "listed": ins_listed},
        },
        "agreement": {
            "government_commitment": gov_commit,
            "insurgent_commitment": ins_commit,
            "ratio": ratio,
            "round_size": draw(st.integers(1, max(gov_commit, 1))),
            "batch_cap": batch_cap,
            "deadline_day": draw(st.integers(0, 30)),
            "joint_verification": draw(st.booleans()),
        },
        "timeline": draw(st.lists(st.fixed_dictionaries({
            "day": st.integers(0, days),
            "kind": st.sampled_from(["decree", "aid_cut", "talks_open", "other"]),
            "pressure": st.fixed_dictionaries({"humanitarian": st.floats(-2.0, 5.0),
                                               "mediator": st.floats(-2.0, 5.0)}),
            "set": st.sampled_from([{}, {"insurgent.patience": 5.0},
                                    {"government.goodwill_threshold": 0.1},
                                    {"mediator.leverage": 3.0}]),
        }), max_size=3)),
        "run": {"days": days, "seed": draw(st.integers(0, 2**63 - 1))},
    }
    return scenario


def _set(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


# Each fault makes any scenario from the generator invalid, whatever else it holds.
FAULTS = {
    "patience not positive": lambda d: _set(d, "insurgent.patience", 0),
    "patience not a number": lambda d: _set(d, "insurgent.patience", "lots"),
    "unknown key": lambda d: _set(d, "insurgent.patiense", 3),
    "unknown section": lambda d: _set(d, "negotiator.patience", 3),
    "credibility above one": lambda d: _set(d, "mediator.credibility", 1.5),
    "aspirations crossed": lambda d: (
        _set(d, "government.aspiration_max", 0.4), _set(d, "government.aspiration_min", 0.6)),
    "days zero": lambda d: _set(d, "run.days", 0),
    "negative seed": lambda d: _set(d, "run.seed", -1),
    "named above listed": lambda d: _set(
        d, "pools.government_holds.named",
        min(d["pools"]["government_holds"]["listed"] + 1, 10_001)),
    "listed above size": lambda d: _set(
        d, "pools.insurgent_holds.listed", d["pools"]["insurgent_holds"]["size"] + 1),
    "ratio above pool": lambda d: _set(
        d, "agreement.ratio", d["pools"]["government_holds"]["size"] + 1),
    "batch cap above pool": lambda d: _set(
        d, "agreement.batch_cap", d["pools"]["government_holds"]["size"] + 1),
    "rank shares not summing to one": lambda d: _set(
        d, "pools.government_holds.rank_shares", [0.5, 0.5, 0.5]),
    "return delay below a day": lambda d: _set(d, "conflict.return_delay_days", 0.5),
    "commitment above listed": lambda d: _set(
        d, "agreement.government_commitment", d["pools"]["government_holds"]["listed"] + 1),
    "leaves out a shock that is not there": lambda d: d.setdefault("leave_out", []).append(
        "no_such_shock"),
    "shock sets an unknown path": lambda d: d["timeline"].append(
        {"day": 0, "set": {"insurgent.patiense": 2}}),
    "shock sets a bad value": lambda d: d["timeline"].append(
        {"day": 0, "set": {"insurgent.patience": -2}}),
    "shock sets the run": lambda d: d["timeline"].append(
        {"day": 0, "set": {"run.seed": 2}}),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_scenarios(),
       faults=st.lists(st.sampled_from(sorted(FAULTS)), max_size=2, unique=True))
def test_generated_scenarios_run_or_are_refused(folder, data, faults):
    for name in faults:
        FAULTS[name](data)
    path = write_yaml(folder / f"scenario_{next(_counter)}.yaml", data)
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        event("refused")
        assert faults, f"a valid scenario was refused: {exc}"
        assert exc.problems
        for problem in exc.problems:
            assert isinstance(problem, Problem)
            assert problem.file and problem.message and problem.allowed
        return
    event("accepted and run")
    assert not faults, f"an invalid scenario was accepted ({faults})"
    result = run(scenario)
    check_series(result.series, scenario)
