"""Conservation and release invariants of whole runs, per side and per day."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, check_pools, check_series, stalled, teaching
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.base import FrozenView
from sim.events import Actor, EventKind
from sim.model import ParleyModel
from sim.pools import ReleaseMode
from sim.runner import result_of, run
from sim.scenario import load_scenario


def test_teaching_run_conserves_prisoners():
    scenario = teaching()
    check_series(run(scenario).series, scenario)


def test_stalled_run_conserves_prisoners_and_pools_agree():
    scenario = stalled()
    model = ParleyModel(scenario).run()
    result = result_of(model)
    check_series(result.series, scenario)
    check_pools(model, result.series)


def test_release_refuses_a_prisoner_already_freed():
    model = ParleyModel(stalled(run={"days": 1}))
    pool = model.gov_pool
    first = pool.take(("listed", 0), 3)
    pool.release([first], day=1, mode=ReleaseMode.UNILATERAL, oath=True)
    before = (pool.held.copy(), pool.release_day.copy(), pool.n_released)
    with pytest.raises(RuntimeError, match="twice"):
        pool.release([first], day=2, mode=ReleaseMode.DEAL, oath=False)
    assert np.array_equal(pool.held, before[0])
    assert np.array_equal(pool.release_day, before[1])
    assert pool.n_released == before[2]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       threshold=st.floats(0.0, 0.5),
       batch=st.integers(1, 20),
       cooldown=st.integers(1, 5),
       named=st.integers(1, 30),
       oath=st.booleans(),
       patience=st.floats(0.5, 5.0))
def test_named_prisoners_are_never_released_unilaterally(seed, threshold, batch, cooldown, named,
                                                         oath, patience):
    scenario = stalled(
        government={"goodwill_threshold": threshold, "unilateral_batch": batch,
                    "unilateral_cooldown": cooldown, "oath": oath},
        insurgent={"patience": patience},
        pools={"government_holds": {"named": named}},
        run={"seed": seed})
    model = ParleyModel(scenario).run()
    result = result_of(model)
    # The property means something only if unilateral releases happened.
    assert result.series["gov_unilateral_released"][-1] > 0
    assert model.gov_pool.n_named == named
    check_series(result.series, scenario)
    check_pools(model, result.series)
    for event in result.events:
        if event.kind is EventKind.UNILATERAL_RELEASE:
            assert event.details["named"] == 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       size_cost=st.floats(0.05, 0.5),
       ins_aspiration_max=st.floats(0.6, 1.0),
       beta=st.floats(0.2, 5.0),
       threshold=st.floats(0.0, 2.0),
       stall_days=st.integers(0, 5),
       discount=st.floats(0.0, 1.0),
       joint=st.booleans(),
       humanitarian=st.floats(0.0, 3.0),
       batch_cap=st.integers(10, 40))
def test_conservation_holds_whatever_the_talks_do(seed, size_cost, ins_aspiration_max, beta,
                                                  threshold, stall_days, discount, joint,
                                                  humanitarian, batch_cap):
    scenario = teaching(
        government={"size_cost": size_cost, "goodwill_threshold": threshold,
                    "stall_days": stall_days},
        insurgent={"aspiration_max": ins_aspiration_max, "concession_beta": beta,
                   "noncompliance_discount": discount},
        agreement={"joint_verification": joint, "batch_cap": batch_cap},
        timeline=[{"day": 2, "kind": "decree", "pressure": {"humanitarian": humanitarian}}],
        run={"seed": seed, "days": 60})
    model = ParleyModel(scenario).run()
    series = model.columns()
    check_series(series, scenario)
    check_pools(model, series)


def test_insurgent_release_modes_match_what_it_owed():
    """A day on which the insurgent pays both reciprocity and goodwill must record each kind.

    Stall days of zero and humanitarian pressure make the government release on its own on
    the very day an agreed round is freed, so reciprocity and goodwill fall due together.
    """
    scenario = teaching(
        government={"goodwill_threshold": 0.3, "stall_days": 0, "unilateral_batch": 10},
        insurgent={"noncompliance_discount": 0.5, "trust_initial": 0.6},
        agreement={"batch_cap": 20},
        timeline=[{"day": 2, "kind": "decree", "pressure": {"humanitarian": 2.0}}],
        run={"days": 30})
    model = ParleyModel(scenario).run()
    mixed = [e for e in model.events if e.actor is Actor.INSURGENT
             and e.kind is EventKind.RELEASE and e.details["reciprocal"] and e.details["goodwill"]]
    assert mixed, "the scenario no longer produces a day with both kinds of release"
    reciprocal = sum(e.details["reciprocal"] for e in model.events
                     if e.actor is Actor.INSURGENT and e.kind is EventKind.RELEASE)
    goodwill = sum(e.details["goodwill"] for e in model.events
                   if e.actor is Actor.INSURGENT and e.kind is EventKind.RELEASE)
    modes = model.ins_pool.release_mode
    assert (modes == ReleaseMode.DEAL).sum() == reciprocal
    assert (modes == ReleaseMode.GOODWILL).sum() == goodwill


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       patience=st.floats(0.3, 10.0),
       leverage=st.floats(0.0, 5.0),
       deadline=st.integers(0, 10),
       named=st.integers(1, 30),
       named_cost=st.floats(1.5, 5.0),
       threshold=st.floats(0.0, 3.0))
def test_an_insurgent_that_never_accepts_gets_no_deal(seed, patience, leverage, deadline, named,
                                                     named_cost, threshold):
    scenario = stalled(
        government={"named_cost": named_cost, "goodwill_threshold": threshold},
        insurgent={"patience": patience},
        mediator={"leverage": leverage},
        pools={"government_holds": {"named": named}},
        agreement={"deadline_day": deadline},
        run={"seed": seed})
    result = run(scenario)
    assert not (result.series["gov_deal_released"]).any()
    assert not [e for e in result.events if e.kind is EventKind.AGREEMENT]
    assert result.summary["agreements"] == 0
    check_series(result.series, scenario)


def test_an_insurgent_that_never_accepts_gets_no_deal_but_talks_happen():
    """The scripted hold-out: talks open and positions are exchanged, yet nothing is agreed."""
    result = run(stalled(run={"days": 40}))
    kinds = {e.kind for e in result.events}
    assert {EventKind.DEMAND, EventKind.OFFER, EventKind.BRIDGE} <= kinds
    assert EventKind.AGREEMENT not in kinds
    assert result.series["gov_deal_released"][-1] == 0
    assert result.series["ins_released"][-1] == 0


def programme_left(model: ParleyModel) -> int:
    """What the government's decrees still allow it to free on its own, from its pool's rows."""
    programme = model.params.government.programme
    if programme is None:
        return int(model.gov_pool.held.sum())
    return max(0, programme - int((model.gov_pool.release_mode == ReleaseMode.UNILATERAL).sum()))


def barred(model: ParleyModel):
    """A mask over the government's categories: those it has barred."""
    return model.gov_pool.categories(model.params.government.barred)


def insurgent_room(model: ParleyModel) -> int:
    """The daily cap less what the insurgent frees on the day a release decided now is due."""
    lead = model.params.insurgent.release_lead_days
    if lead == 0:
        return model.terms.batch_cap - int((model.ins_pool.release_day == model.day).sum())
    due = sum(r + g for d, r, g in model.ledger.promised if d == model.day + lead)
    return model.terms.batch_cap - due


def reference_view(model: ParleyModel) -> FrozenView:
    """The view worked out from scratch, from the pools' rows and the state's parts."""
    day, a = model.day, model.params.agreement
    opened = model.talks.opened_day
    gov, ins, ledger = model.gov_pool, model.ins_pool, model.ledger
    return FrozenView(
        day=day, phase=model.phase, talks_day=0 if opened is None else day - opened,
        days_without_agreement=model.talks.days_without_agreement, gap=model.talks.gap,
        days_past_deadline=max(0, day - a.deadline_day), round_size=a.round_size,
        batch_cap=a.batch_cap,
        government_room_today=a.batch_cap - int((gov.release_day == day).sum()),
        insurgent_room_today=insurgent_room(model), ratio=a.ratio,
        named_total=int(gov.named.sum()), named_released=int((gov.named & ~gov.held).sum()),
        named_available=int((gov.named & gov.held & ~barred(model)[gov.category]).sum()),
        government_remaining=max(0, a.government_commitment - int(
            (gov.listed & ~gov.held).sum())),
        insurgent_remaining=max(0, a.insurgent_commitment - int((~ins.held).sum())),
        deal_released=int((gov.release_mode == ReleaseMode.DEAL).sum()),
        unilateral_released=int((gov.release_mode == ReleaseMode.UNILATERAL).sum()),
        compliant_credit=ledger.compliant_credit, discounted_value=ledger.discounted_value,
        insurgent_released=int((~ins.held).sum()),
        reciprocal_released=int((ins.release_mode == ReleaseMode.DEAL).sum())
        + sum(r for _, r, _ in model.ledger.promised),
        goodwill_released=int((ins.release_mode == ReleaseMode.GOODWILL).sum())
        + sum(g for _, _, g in model.ledger.promised),
        insurgent_promised=sum(r + g for _, r, g in model.ledger.promised),
        programme_left=programme_left(model),
        government_halted=any(c.holder == "government" for c in model.talks.conditions),
        insurgent_halted=any(c.holder == "insurgent" for c in model.talks.conditions),
        condition_on_government=sum(
            max(0, c.frees - int(ins.released_by_category[c.categories].sum()) + c.baseline)
            for c in model.talks.conditions if c.holder == "government"),
        truce_days_left=0 if model.fighting.truce is None else model.fighting.truce.days_left,
        round_pending=model.talks.round is not None,
        last_unilateral_day=ledger.last_unilateral_day,
        attacks_recent=model.fighting.attacks_recent, frustration=model.talks.frustration,
        trust=model.talks.trust, pressure_mediator=model.pressure.mediator,
        pressure_humanitarian=model.pressure.humanitarian,
        pressure_domestic=model.pressure.domestic,
        pressure_on_insurgent=model.pressure.insurgent,
        disengagement=model.pressure.disengagement)


def home():
    return load_scenario(SCENARIOS / "afghanistan_2020.yaml")


STAGES = ("_apply_shocks", "_violence", "_negotiate", "_stall_and_walkout",
          "_unilateral_release", "_insurgent_releases", "_return_to_fight", "_check_end")


@pytest.mark.parametrize("make", [home, teaching, stalled], ids=["home", "teaching", "stalled"])
def test_the_view_shows_the_state_after_every_stage(monkeypatch, make):
    # The live view reads the state's parts, and counts kept by the ledger stand for what the
    # pools' rows say: after every stage of every day both must agree.
    seen: list[FrozenView] = []

    def checking(stage):
        def call(model: ParleyModel) -> None:
            stage(model)
            view = model.view.freeze()
            assert view == reference_view(model), f"day {model.day}: {stage.__name__}"
            seen.append(view)
        return call

    for stage in STAGES:
        monkeypatch.setattr(ParleyModel, stage, checking(getattr(ParleyModel, stage)))
    for seed in range(3):
        ParleyModel(make(), seed=seed, days=120).run()
    assert len(seen) > 2000
    assert any(v.deal_released or v.unilateral_released for v in seen)
    assert any(v.insurgent_released for v in seen) or make is stalled
