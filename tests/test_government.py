"""The government's decisions against scripted views, without a model."""

from __future__ import annotations

import pytest
from conftest import make_view
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import government as gov
from sim.agents.base import Phase, Proposal
from sim.scenario import Government

PARAMS = Government()


def test_felt_pressure_weighs_push_against_domestic_pull():
    params = Government(mediator_weight=2.0, humanitarian_weight=0.5, domestic_weight=1.5)
    view = make_view(pressure_mediator=1.0, pressure_humanitarian=2.0, pressure_domestic=0.4)
    assert gov.felt_pressure(view, params) == pytest.approx(2.0 + 1.0 - 0.6)
    assert gov.felt_pressure(make_view(pressure_domestic=1.0), params) == pytest.approx(-1.5)
    assert gov.felt_pressure(make_view(), params) == 0.0


def test_aspiration_falls_from_max_to_min_over_the_horizon():
    params = Government(aspiration_max=0.9, aspiration_min=0.4, horizon_days=20)
    assert gov.aspiration(make_view(talks_day=0), params) == pytest.approx(0.9)
    assert gov.aspiration(make_view(talks_day=10), params) == pytest.approx(0.65)
    assert gov.aspiration(make_view(talks_day=20), params) == pytest.approx(0.4)
    assert gov.aspiration(make_view(talks_day=200), params) == pytest.approx(0.4)


def test_pressure_lowers_aspiration_by_its_concession_rate():
    params = Government(aspiration_max=0.9, aspiration_min=0.4, horizon_days=20,
                        pressure_concession=0.2)
    calm = gov.aspiration(make_view(talks_day=0), params)
    pressed = gov.aspiration(make_view(talks_day=0, pressure_mediator=1.5), params)
    assert pressed == pytest.approx(calm - 0.3)
    # Domestic opposition raises it, but never above 1; great pressure never below 0.
    assert gov.aspiration(make_view(talks_day=0, pressure_domestic=5.0), params) == 1.0
    assert gov.aspiration(make_view(talks_day=0, pressure_mediator=50.0), params) == 0.0


@settings(max_examples=60, deadline=None)
@given(t=st.integers(0, 400), dt=st.integers(0, 400), p=st.floats(-5, 5), dp=st.floats(0, 5),
       beta=st.floats(0.1, 10))
def test_aspiration_never_rises_with_time_or_pressure(t, dt, p, dp, beta):
    params = Government(concession_beta=beta)
    base = gov.aspiration(make_view(talks_day=t, pressure_mediator=p), params)
    assert gov.aspiration(make_view(talks_day=t + dt, pressure_mediator=p), params) <= base
    assert gov.aspiration(make_view(talks_day=t, pressure_mediator=p + dp), params) <= base
    assert 0.0 <= base <= 1.0


def test_utility_charges_for_size_and_named_share():
    params = Government(size_cost=0.3, named_cost=0.6)
    view = make_view(round_size=100, named_total=10)
    assert gov.utility(Proposal(0, 0), view, params) == pytest.approx(1.0)
    assert gov.utility(Proposal(100, 0), view, params) == pytest.approx(0.7)
    assert gov.utility(Proposal(50, 5), view, params) == pytest.approx(1.0 - 0.15 - 0.3)
    assert gov.utility(Proposal(100, 10), view, params) == pytest.approx(0.1)
    # Without named seniors in the pool, naming costs nothing (and does not divide by zero).
    assert gov.utility(Proposal(100, 3), make_view(named_total=0), params) == pytest.approx(0.7)


def test_accepts_when_utility_reaches_aspiration():
    params = Government(aspiration_max=0.8, aspiration_min=0.8, size_cost=0.3, named_cost=0.6)
    view = make_view(round_size=100, named_total=10)
    assert gov.accepts(Proposal(50, 0), view, params)        # 0.85 >= 0.8
    assert not gov.accepts(Proposal(100, 0), view, params)   # 0.70 < 0.8
    assert not gov.accepts(Proposal(10, 4), view, params)    # 0.97 - 0.24 = 0.73 < 0.8
    assert gov.accepts(Proposal(100, 0), make_view(pressure_mediator=1.0), params)  # asp 0.6


def test_offer_is_the_largest_round_its_aspiration_allows():
    params = Government(aspiration_max=0.95, aspiration_min=0.95, size_cost=0.3)
    view = make_view(round_size=100, named_total=0)
    offer = gov.decide_offer(view, params, Proposal(100, 0))
    # room 0.05 at 0.3 a round of 100: 16 prisoners, 17 would cost too much.
    assert offer == Proposal(16, 0)
    target = gov.aspiration(view, params)
    assert gov.utility(offer, view, params) >= target
    assert gov.utility(Proposal(17, 0), view, params) < target


def test_offer_never_exceeds_the_demand():
    params = Government(aspiration_max=0.5, aspiration_min=0.5, size_cost=0.1)
    offer = gov.decide_offer(make_view(round_size=100), params, Proposal(30, 0))
    assert offer.size == 30


def test_offer_never_exceeds_the_remaining_commitment():
    params = Government(aspiration_max=0.5, aspiration_min=0.5, size_cost=0.1)
    offer = gov.decide_offer(make_view(round_size=100, government_remaining=40), params,
                             Proposal(100, 0))
    assert offer.size == 40
    none_left = gov.decide_offer(make_view(government_remaining=0), params, Proposal(100, 0))
    assert none_left.size == 0


def test_offer_adds_named_only_with_utility_to_spare():
    params = Government(aspiration_max=0.6, aspiration_min=0.6, size_cost=0.3, named_cost=0.35)
    view = make_view(round_size=100, named_total=10)
    # A full round leaves 0.1 to spare; each named senior costs 0.035, so two fit, not three.
    full = gov.decide_offer(view, params, Proposal(100, 10))
    assert full == Proposal(100, 2)
    assert gov.utility(full, view, params) >= 0.6 > gov.utility(Proposal(100, 3), view, params)
    # A small round leaves room for more seniors, never more than demanded.
    small = gov.decide_offer(view, params, Proposal(10, 3))
    assert small == Proposal(10, 3)
    # With no slack after the size, no senior at all.
    tight = Government(aspiration_max=0.75, aspiration_min=0.75, size_cost=0.3, named_cost=0.35)
    assert gov.decide_offer(view, tight, Proposal(100, 10)) == Proposal(83, 0)
    # Nobody named when the demand names nobody.
    assert gov.decide_offer(view, params, Proposal(10, 0)).named == 0


def test_offer_gives_every_named_senior_when_they_cost_nothing():
    params = Government(aspiration_max=0.6, aspiration_min=0.6, size_cost=0.3, named_cost=0.0)
    offer = gov.decide_offer(make_view(round_size=100, named_total=10), params, Proposal(50, 7))
    assert offer == Proposal(50, 7)


@pytest.mark.parametrize("size_cost", [0.0, 5e-324, 1e-6])
def test_offer_with_a_vanishing_size_cost_is_the_whole_demand(size_cost):
    """Rounds larger than ``round_size`` are offered whenever they are cheap enough; a size
    cost of zero (or one so small that room / cost overflows) must not change that."""
    params = Government(aspiration_max=0.5, aspiration_min=0.5, size_cost=size_cost)
    view = make_view(round_size=100, government_remaining=1000, named_total=0)
    assert gov.decide_offer(view, params, Proposal(500, 0)) == Proposal(500, 0)


@pytest.mark.parametrize("named_cost", [0.0, 5e-324, 1e-6])
def test_offer_with_a_vanishing_named_cost_names_everyone_demanded(named_cost):
    params = Government(aspiration_max=0.5, aspiration_min=0.5, size_cost=0.1,
                        named_cost=named_cost)
    view = make_view(round_size=100, government_remaining=1000, named_total=10)
    assert gov.decide_offer(view, params, Proposal(100, 6)) == Proposal(100, 6)


def test_offer_is_empty_when_aspiration_is_total():
    params = Government(aspiration_max=1.0, aspiration_min=1.0, size_cost=0.3)
    assert gov.decide_offer(make_view(), params, Proposal(100, 5)) == Proposal(0, 0)


@settings(max_examples=150, deadline=None)
@given(size_cost=st.floats(0.01, 5.0),
       named_cost=st.one_of(st.just(0.0), st.floats(0.01, 5.0)),
       a_min=st.floats(0.0, 1.0), spread=st.floats(0.0, 1.0), talks_day=st.integers(0, 100),
       pressure=st.floats(-2.0, 5.0), round_size=st.integers(1, 500),
       remaining=st.integers(0, 2000), named_total=st.integers(0, 50),
       demand_size=st.integers(0, 2000), demand_named_share=st.floats(0.0, 1.0))
def test_offer_keeps_the_government_at_its_aspiration(size_cost, named_cost, a_min, spread,
                                                     talks_day, pressure, round_size, remaining,
                                                     named_total, demand_size,
                                                     demand_named_share):
    params = Government(size_cost=size_cost, named_cost=named_cost, aspiration_min=a_min,
                        aspiration_max=min(1.0, a_min + spread))
    view = make_view(talks_day=talks_day, pressure_mediator=pressure, round_size=round_size,
                     government_remaining=remaining, named_total=named_total)
    demand = Proposal(demand_size, round(demand_named_share * named_total))
    offer = gov.decide_offer(view, params, demand)
    target = gov.aspiration(view, params)
    assert 0 <= offer.size <= min(demand.size, remaining)
    assert 0 <= offer.named <= demand.named
    if offer.size or offer.named:
        assert gov.utility(offer, view, params) >= target - 1e-9
    if offer.size < min(demand.size, remaining):
        # One more prisoner would have cost it more than it will give.
        assert gov.utility(Proposal(offer.size + 1, 0), view, params) < target + 1e-9


def test_is_stalled_in_each_phase():
    params = Government(stall_days=3)
    assert not gov.is_stalled(make_view(phase=Phase.PRE_TALKS, days_past_deadline=3), params)
    assert gov.is_stalled(make_view(phase=Phase.PRE_TALKS, days_past_deadline=4), params)
    assert not gov.is_stalled(make_view(phase=Phase.IN_SESSION, days_without_agreement=2),
                              params)
    assert gov.is_stalled(make_view(phase=Phase.IN_SESSION, days_without_agreement=3), params)
    assert gov.is_stalled(make_view(phase=Phase.SUSPENDED, days_without_agreement=0), params)
    for phase in (Phase.COMPLETED, Phase.COLLAPSED):
        assert not gov.is_stalled(make_view(phase=phase, days_without_agreement=99,
                                            days_past_deadline=99), params)


def test_a_pending_batch_is_never_a_stall():
    params = Government(stall_days=0)
    for phase in (Phase.PRE_TALKS, Phase.IN_SESSION, Phase.SUSPENDED):
        view = make_view(phase=phase, round_pending=True, days_without_agreement=50,
                         days_past_deadline=50)
        assert not gov.is_stalled(view, params)


UNI = Government(goodwill_threshold=1.0, unilateral_batch=100, unilateral_cooldown=5,
                 stall_days=3)


def stalled_view(**overrides):
    return make_view(**{"phase": Phase.SUSPENDED, "day": 50, "pressure_mediator": 1.5,
                        **overrides})


def test_unilateral_release_needs_pressure_above_the_threshold():
    assert gov.decide_unilateral(stalled_view(), UNI) == 100
    assert gov.decide_unilateral(stalled_view(pressure_mediator=1.0), UNI) == 0
    assert gov.decide_unilateral(stalled_view(pressure_mediator=1.0 + 1e-9), UNI) == 100
    # Domestic opposition can hold it back.
    assert gov.decide_unilateral(stalled_view(pressure_domestic=0.6), UNI) == 0


def test_unilateral_release_waits_out_the_cooldown():
    assert gov.decide_unilateral(stalled_view(last_unilateral_day=46), UNI) == 0
    assert gov.decide_unilateral(stalled_view(last_unilateral_day=45), UNI) == 100


def test_unilateral_release_only_when_stalled():
    assert gov.decide_unilateral(stalled_view(phase=Phase.IN_SESSION,
                                              days_without_agreement=2), UNI) == 0
    assert gov.decide_unilateral(stalled_view(phase=Phase.IN_SESSION,
                                              days_without_agreement=3), UNI) == 100
    assert gov.decide_unilateral(stalled_view(phase=Phase.COMPLETED), UNI) == 0
    assert gov.decide_unilateral(stalled_view(round_pending=True), UNI) == 0


def test_unilateral_release_is_capped_by_the_remaining_commitment():
    assert gov.decide_unilateral(stalled_view(government_remaining=30), UNI) == 30
    assert gov.decide_unilateral(stalled_view(government_remaining=0), UNI) == 0
