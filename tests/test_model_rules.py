"""Rules of the day that span several stages: day 0, caps, seats, and parameters that matter."""

import numpy as np
import pytest
from conftest import HOME as HOME_FILE
from conftest import ROOT
from conftest import TEACHING as TEACHING_FILE

from sim.agents.base import (
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Phase,
    Response,
)
from sim.errors import ScenarioError
from sim.model import ParleyModel
from sim.runner import run
from sim.scenario import load_scenario, with_overrides

TEACHING = load_scenario(TEACHING_FILE)
HOME = load_scenario(HOME_FILE)


def test_shocks_and_deadline_on_day_0_act_before_day_1():
    s = with_overrides(TEACHING, {"agreement.deadline_day": 0, "timeline": [
        {"day": 0, "kind": "aid_cut", "pressure": {"mediator": 0.5}}]})
    model = ParleyModel(s)
    assert model.phase is Phase.IN_SESSION
    assert model.pressure.mediator == 0.5
    assert [e.kind for e in model.events][:1] == ["shock"]


def test_freeing_seniors_raises_domestic_opposition():
    base = {"pools.government_holds.rank_shares": [0.0, 0.0, 1.0]}  # every prisoner senior
    quiet = run(with_overrides(TEACHING, {**base, "government.domestic_senior_gain": 0.0}))
    loud = run(with_overrides(TEACHING, {**base, "government.domestic_senior_gain": 0.05}))
    assert quiet.summary["gov_released"] > 0
    assert loud.series["pressure_domestic"].max() > quiet.series["pressure_domestic"].max()


def test_the_push_needed_gates_the_return_to_talks():
    days = {"run.days": 200}
    back = run(with_overrides(HOME, {**days, "insurgent.resume_push": 0.1}), seed=1)
    never = run(with_overrides(HOME, {**days, "insurgent.resume_push": 5.0}), seed=1)
    resumed = [e for e in back.events if e.kind == "resumption" and not e.details.get("opened")]
    assert resumed
    assert not [e for e in never.events if e.kind == "resumption"
                and not e.details.get("opened")]


def test_shock_changes_are_validated_together_at_load(tmp_path):
    # Each change alone is valid; together the unilateral batch exceeds the batch cap.
    text = TEACHING_FILE.read_text()
    text += ("timeline:\n"
             "  - {day: 3, kind: decree, set: {government.unilateral_batch: 10}}\n"
             "  - {day: 5, kind: other, set: {agreement.batch_cap: 5}}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert "timeline" in str(err.value)
    text = text.replace("{agreement.batch_cap: 5}", "{government.unilateral_batch: 5}")
    text = text.replace("{government.unilateral_batch: 10}", "{government.goodwill_threshold: 2}")
    bad.write_text(text)
    load_scenario(bad)  # a valid sequence loads


def test_insurgent_frees_its_named_prisoners_too():
    s = with_overrides(TEACHING, {"pools.insurgent_holds.named": 10, "run.days": 200})
    result = run(s)
    assert result.summary["completion_day"] is not None
    assert result.summary["ins_released"] == 100


def test_unilateral_and_agreed_releases_share_the_daily_cap():
    s = with_overrides(TEACHING, {"government.stall_days": 0, "government.goodwill_threshold": 0.0,
                                  "government.unilateral_batch": 10,
                                  "timeline": [{"day": 1, "kind": "epidemic",
                                                "pressure": {"humanitarian": 3.0}}]})
    for seed in range(5):
        daily = np.diff(run(s, seed=seed).series["gov_released"])
        assert daily.max() <= s.agreement.batch_cap


def _to_talks(scenario, seed=0):
    """A model on the eve of the day talks open, so a person plays from the first session."""
    opening = next((s.day for s in scenario.timeline if s.kind == "talks_open"),
                   scenario.agreement.deadline_day)
    model = ParleyModel(scenario, seed=seed)
    while model.day < opening - 1:
        model.step()
    return model


def _agreements(model):
    return [e for e in model.events if e.kind == "agreement"]


def test_a_person_rejecting_for_the_insurgent_blocks_every_deal_but_their_own_demand():
    # A government that holds out for more than the demand leaves it: rejecting blocks a deal.
    firm = with_overrides(TEACHING, {"government.aspiration_max": 0.95,
                                     "government.aspiration_min": 0.95})
    model = _to_talks(firm)
    for _ in range(5):
        model.play(InsurgentMove(Response.REJECT))
    assert not _agreements(model)
    model.play(InsurgentMove(Response.ACCEPT))
    assert _agreements(model)
    # A government that grants the whole demand makes a deal on the person's own terms.
    model = _to_talks(with_overrides(TEACHING, {"government.size_cost": 0.0}))
    model.play(InsurgentMove(Response.REJECT))
    demand = [e for e in model.events if e.kind == "demand"][-1]
    assert [e.details["size"] for e in _agreements(model)] == [demand.details["size"]]


def test_a_person_mediating_decides_the_reaction_to_a_walkout():
    model = _to_talks(HOME)
    model.play(MediatorMove(0.0, 0.0))
    while model.phase is Phase.IN_SESSION:
        model.play(MediatorMove(0.0, 0.0))
    assert model.phase is Phase.SUSPENDED and model.talks.walkouts == 1  # ended in a walkout
    before = model.pressure.mediator
    model.play(MediatorMove(0.0, 0.0))
    assert model.pressure.mediator <= before  # no automatic jump; only decay


def test_a_person_governing_cannot_exceed_the_batch_cap():
    model = _to_talks(HOME)
    model.play(GovernmentMove(offer_size=0, unilateral=10_000))
    assert model.gov_pool.n_released == HOME.agreement.batch_cap


def test_scenario_hash_does_not_depend_on_where_the_checkout_is(tmp_path):
    import shutil

    for folder in ("scenarios", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    moved = load_scenario(tmp_path / "scenarios" / "afghanistan_2020.yaml")
    assert moved.meta.reference_data != HOME.meta.reference_data  # the paths do differ
    assert moved.content_hash() == HOME.content_hash()
    changed = with_overrides(moved, {"insurgent.patience": 2.0})
    assert changed.content_hash() != HOME.content_hash()
