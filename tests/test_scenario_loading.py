"""Loading scenarios: ``extends:``, overrides, defaults and the home of relative paths."""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import SCENARIOS, TEACHING, write_yaml

from sim.errors import ScenarioError
from sim.scenario import Scenario, apply_overrides, load_scenario, with_overrides


def dump_without(scenario: Scenario, *paths: str) -> dict:
    """The scenario as a dict, with the given dotted paths removed."""
    data = scenario.model_dump(mode="json")
    for path in paths:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node.pop(last)
    return data


@pytest.fixture
def base(tmp_path):
    return shutil.copy(TEACHING, tmp_path / "base.yaml")


def test_extends_overrides_one_value_and_keeps_the_rest(base, tmp_path):
    variant = write_yaml(tmp_path / "patient.yaml",
                         "extends: base.yaml\ninsurgent:\n  patience: 7.5\n")
    parent, child = load_scenario(base), load_scenario(variant)
    assert child.insurgent.patience == 7.5
    assert parent.insurgent.patience == 3.0
    # Sibling keys in the same section survive the merge, as do all other sections.
    assert child.insurgent.aspiration_max == parent.insurgent.aspiration_max == 0.9
    assert dump_without(child, "insurgent.patience") == dump_without(parent,
                                                                      "insurgent.patience")


def test_extends_chains_and_the_nearest_file_wins(base, tmp_path):
    write_yaml(tmp_path / "middle.yaml",
               "extends: base.yaml\ninsurgent:\n  patience: 5\nrun:\n  days: 30\n")
    leaf = write_yaml(tmp_path / "leaf.yaml", "extends: middle.yaml\ninsurgent:\n  patience: 9\n")
    scenario = load_scenario(leaf)
    assert scenario.insurgent.patience == 9.0
    assert scenario.run.days == 30
    assert scenario.meta.name == "teaching_symmetric"


def test_extends_is_relative_to_the_extending_file(base, tmp_path):
    sub = tmp_path / "variants"
    sub.mkdir()
    variant = write_yaml(sub / "short.yaml", "extends: ../base.yaml\nrun:\n  days: 12\n")
    assert load_scenario(variant).run.days == 12


def test_extends_replaces_lists_rather_than_merging_them(base, tmp_path):
    write_yaml(tmp_path / "with_shock.yaml",
               "extends: base.yaml\ntimeline:\n  - {day: 3, kind: decree}\n"
               "  - {day: 4, kind: aid_cut}\n")
    child = write_yaml(tmp_path / "one_shock.yaml",
                       "extends: with_shock.yaml\ntimeline:\n  - {day: 9, kind: other}\n")
    assert [s.day for s in load_scenario(child).timeline] == [9]


def test_a_fault_in_the_base_names_the_base(base, tmp_path):
    write_yaml(tmp_path / "bad_base.yaml", "insurgent:\n  patience: -1\n")
    child = write_yaml(tmp_path / "child.yaml", "extends: bad_base.yaml\nrun:\n  days: 5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (problem,) = info.value.problems
    assert problem.file.endswith("bad_base.yaml")
    assert problem.field == "insurgent.patience"
    assert problem.line == 2


def test_extends_must_be_a_path(tmp_path):
    path = write_yaml(tmp_path / "odd.yaml", "extends: [a.yaml]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].field == "extends"


def test_overrides_apply_after_extends(base, tmp_path):
    variant = write_yaml(tmp_path / "v.yaml", "extends: base.yaml\ninsurgent:\n  patience: 7\n")
    assert load_scenario(variant, {"insurgent.patience": 2}).insurgent.patience == 2.0


def test_with_overrides_validates():
    scenario = load_scenario(TEACHING)
    assert with_overrides(scenario, {"mediator.leverage": 2.5}).mediator.leverage == 2.5
    with pytest.raises(ScenarioError):
        with_overrides(scenario, {"mediator.leverage": 99})
    with pytest.raises(ScenarioError):
        with_overrides(scenario, {"mediator.leverag": 1})
    with pytest.raises(ScenarioError):
        apply_overrides({}, {"insurgent.patience.deep": 1}, "test")


def test_content_hash_ignores_the_seed_only():
    scenario = load_scenario(TEACHING)
    assert with_overrides(scenario, {"run.seed": 99}).content_hash() == scenario.content_hash()
    assert with_overrides(scenario, {"run.days": 99}).content_hash() != scenario.content_hash()


def test_shipped_scenarios_load():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        assert isinstance(load_scenario(path), Scenario)


def test_defaults_are_a_valid_scenario():
    assert Scenario() == Scenario.model_validate({})


@pytest.mark.parametrize("ins_size", [10, 49, 100])
def test_ratio_at_its_stated_lower_bound_is_accepted(ins_size):
    """The refusal says the ratio "must lie between 1/N and ...": 1/N itself must pass."""
    data = {"pools": {"government_holds": {"size": 100, "listed": 100},
                      "insurgent_holds": {"size": ins_size, "listed": ins_size}},
            "agreement": {"government_commitment": 0, "insurgent_commitment": 0,
                          "ratio": 1 / ins_size, "round_size": 1, "batch_cap": 100}}
    assert Scenario.model_validate(data).agreement.ratio == 1 / ins_size


SHOCKED = {"government": {"goodwill_threshold": 0.9},
           "timeline": [{"day": 4, "kind": "decree",
                         "set": {"government.goodwill_threshold": 0.5,
                                 "government.unilateral_batch": 5}}]}


def test_an_override_fixes_a_parameter_for_the_whole_run_and_the_shock_still_happens():
    base = Scenario.model_validate(SHOCKED)
    pinned = with_overrides(base, {"government.goodwill_threshold": 0.7})
    assert pinned.government.goodwill_threshold == 0.7
    # The shock's value for it is replaced; its other change and the shock itself stay.
    assert pinned.timeline[0].set == {"government.goodwill_threshold": 0.7,
                                      "government.unilateral_batch": 5}
    assert pinned.in_effect(10).government.goodwill_threshold == 0.7
    assert pinned.in_effect(10).government.unilateral_batch == 5
    # Without the override the shock changes it from its day on.
    assert base.in_effect(3).government.goodwill_threshold == 0.9
    assert base.in_effect(4).government.goodwill_threshold == 0.5


def test_set_means_the_same_from_the_command_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SHOCKED))
    loaded = load_scenario(path, {"government.goodwill_threshold": 0.7})
    assert loaded == with_overrides(load_scenario(path), {"government.goodwill_threshold": 0.7})


def test_a_set_naming_a_whole_section_is_refused():
    with pytest.raises(ScenarioError, match="names a whole section"):
        with_overrides(Scenario(), {"government": {"oath": False}})
    bad = {"timeline": [{"day": 1, "set": {"government": {"oath": False}}}]}
    with pytest.raises(ScenarioError, match="names a whole section"):
        Scenario.model_validate(bad).regimes  # noqa: B018


def test_a_shock_after_the_last_day_simply_does_not_happen():
    s = Scenario.model_validate({**SHOCKED, "run": {"days": 3}})
    assert s.in_effect(3).government.goodwill_threshold == 0.9


def test_a_variant_can_leave_a_shock_out_by_its_id():
    data = {"timeline": [{"day": 2, "id": "cut", "kind": "aid_cut",
                          "pressure": {"mediator": 0.5}}]}
    assert len(Scenario.model_validate(data).shocks) == 1
    assert Scenario.model_validate({**data, "leave_out": ["cut"]}).shocks == []
    with pytest.raises(ValueError, match="name no shock"):
        Scenario.model_validate({**data, "leave_out": ["typo"]})
