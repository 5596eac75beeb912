"""The insurgent's decisions against scripted views and seeded generators, without a model."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from conftest import make_view
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents import insurgent as ins
from sim.agents.base import Phase, Proposal
from sim.scenario import Insurgent

PARAMS = Insurgent()


def test_aspiration_falls_over_the_horizon_and_under_pressure():
    params = Insurgent(aspiration_max=1.0, aspiration_min=0.6, horizon_days=40,
                       pressure_concession=0.2)
    assert ins.aspiration(make_view(talks_day=0), params) == pytest.approx(1.0)
    assert ins.aspiration(make_view(talks_day=20), params) == pytest.approx(0.8)
    assert ins.aspiration(make_view(talks_day=40), params) == pytest.approx(0.6)
    assert ins.aspiration(make_view(talks_day=90), params) == pytest.approx(0.6)
    assert ins.aspiration(make_view(talks_day=20, pressure_on_insurgent=0.5),
                          params) == pytest.approx(0.7)
    assert ins.aspiration(make_view(talks_day=20, pressure_on_insurgent=100.0), params) == 0.0
    # Pressure on the government does not move the insurgent.
    assert ins.aspiration(make_view(talks_day=20, pressure_mediator=5.0),
                          params) == pytest.approx(0.8)


def test_demand_is_one_round_or_everything():
    view = make_view(round_size=100, government_remaining=350, named_total=10, named_released=4)
    one = Insurgent(all_at_once=False, demand_named=False)
    assert ins.decide_demand(view, one) == Proposal(100, 0)
    everything = Insurgent(all_at_once=True, demand_named=False)
    assert ins.decide_demand(view, everything) == Proposal(350, 0)
    # Near the end a round is what is left.
    assert ins.decide_demand(make_view(round_size=100, government_remaining=30),
                             one).size == 30


def test_demand_names_the_seniors_still_held_when_it_insists():
    view = make_view(named_total=10, named_released=4)
    assert ins.decide_demand(view, Insurgent(demand_named=True)).named == 6
    assert ins.decide_demand(view, Insurgent(demand_named=False)).named == 0


def test_utility_values_size_and_named_against_the_demand():
    params = Insurgent(named_weight=0.5)
    assert ins.utility(Proposal(50, 0), Proposal(100, 0), params) == pytest.approx(0.5)
    assert ins.utility(Proposal(150, 0), Proposal(100, 0), params) == pytest.approx(1.0)
    assert ins.utility(Proposal(0, 0), Proposal(0, 0), params) == pytest.approx(1.0)
    assert ins.utility(Proposal(100, 0), Proposal(100, 10), params) == pytest.approx(0.5)
    assert ins.utility(Proposal(50, 5), Proposal(100, 10), params) == pytest.approx(0.5)
    assert ins.utility(Proposal(100, 10), Proposal(100, 10), params) == pytest.approx(1.0)
    heavy = Insurgent(named_weight=0.8)
    assert ins.utility(Proposal(100, 5), Proposal(100, 10), heavy) == pytest.approx(0.2 + 0.4)


def test_accepts_when_value_reaches_aspiration_and_never_an_empty_round():
    params = Insurgent(aspiration_max=0.7, aspiration_min=0.7, named_weight=0.5)
    view = make_view()
    demand = Proposal(100, 10)
    assert ins.accepts(Proposal(100, 5), demand, view, params)       # 0.5 + 0.25 = 0.75
    assert not ins.accepts(Proposal(100, 3), demand, view, params)   # 0.5 + 0.15 = 0.65
    assert ins.accepts(Proposal(60, 10), demand, view, params)       # 0.3 + 0.5 = 0.8
    assert not ins.accepts(Proposal(0, 10), Proposal(0, 10), view, params)
    zero = Insurgent(aspiration_max=0.0, aspiration_min=0.0)
    assert not ins.accepts(Proposal(0, 0), Proposal(100, 0), view, zero)


NOISELESS = Insurgent(frustration_rate=0.5, delay_frustration=0.05, frustration_noise=0.0)


def added(phase: Phase, pending: bool, late: int, gap: float, params: Insurgent,
          z: float = 0.0) -> float:
    view = make_view(phase=phase, round_pending=pending, days_past_deadline=late, gap=gap)
    return ins.frustration_increment(view, params, z)


def test_frustration_in_session_is_the_gap_at_full_rate():
    session = Phase.IN_SESSION
    assert added(session, False, 0, 0.4, NOISELESS) == 0.5 * 0.4
    assert added(session, False, 9, 0.0, NOISELESS) == 0.0
    assert added(session, True, 0, 0.4, NOISELESS) == 0.0


def test_frustration_before_talks_grows_only_past_the_deadline():
    assert added(Phase.PRE_TALKS, False, 3, 0.9, NOISELESS) == 0.05
    assert added(Phase.PRE_TALKS, False, 0, 0.9, NOISELESS) == 0.0


@pytest.mark.parametrize("phase", [Phase.SUSPENDED, Phase.COMPLETED, Phase.COLLAPSED])
def test_no_frustration_outside_talks(phase):
    noisy = Insurgent(frustration_noise=1.0)
    assert added(phase, False, 30, 1.0, noisy, z=2.0) == 0.0


def test_frustration_noise_is_log_normal_with_mean_one():
    params = Insurgent(frustration_rate=2.0, frustration_noise=0.3)
    z = np.random.default_rng(0).standard_normal(20000)
    draws = np.array([added(Phase.IN_SESSION, False, 0, 0.5, params, zi) for zi in z])
    assert (draws > 0).all()
    assert draws.std() > 0.1
    assert np.array_equal(np.log(draws) > 0, z > 0.15)  # exp(0.3 z - 0.045): above 1 past z 0.15
    # The mean of 20 000 log-normal draws with sd 0.3 is within 1 % of 1.0 beyond doubt.
    assert draws.mean() == pytest.approx(1.0, rel=0.02)


def test_walkout_probability_is_zero_outside_session():
    params = Insurgent(patience=3.0)
    for phase in (Phase.PRE_TALKS, Phase.SUSPENDED, Phase.COMPLETED, Phase.COLLAPSED):
        assert ins.walkout_probability(make_view(phase=phase, frustration=30.0), params) == 0.0
    pending = make_view(phase=Phase.IN_SESSION, frustration=30.0, round_pending=True)
    assert ins.walkout_probability(pending, params) == 0.0


def test_walkout_probability_is_a_half_at_patience_and_rises_with_frustration():
    params = Insurgent(patience=3.0, walkout_sharpness=8.0)
    grid = np.linspace(0.0, 9.0, 91)
    probs = [ins.walkout_probability(make_view(frustration=f), params) for f in grid]
    assert all(b > a for a, b in itertools.pairwise(probs))
    assert ins.walkout_probability(make_view(frustration=3.0), params) == pytest.approx(0.5)
    assert probs[0] == pytest.approx(1.0 / (1.0 + math.exp(8.0)))
    assert probs[-1] > 0.999
    # Huge frustration does not overflow.
    assert ins.walkout_probability(make_view(frustration=1e300), params) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(f=st.floats(0.0, 100.0), df=st.floats(0.0, 100.0), patience=st.floats(0.01, 100.0),
       sharpness=st.floats(0.01, 100.0))
def test_walkout_probability_never_falls_as_frustration_rises(f, df, patience, sharpness):
    params = Insurgent(patience=patience, walkout_sharpness=sharpness)
    low = ins.walkout_probability(make_view(frustration=f), params)
    high = ins.walkout_probability(make_view(frustration=f + df), params)
    assert 0.0 <= low <= high <= 1.0


def test_walkout_draws_against_its_probability():
    params = Insurgent(patience=3.0)
    view = make_view(frustration=3.0)
    p = ins.walkout_probability(view, params)
    assert p == pytest.approx(0.5)
    assert ins.decide_walkout(view, params, p - 1e-9)
    assert not ins.decide_walkout(view, params, p)
    u = np.random.default_rng(1).random(4000)
    share = np.mean([ins.decide_walkout(view, params, ui) for ui in u])
    assert share == pytest.approx(0.5, abs=0.05)


def test_no_walkout_when_it_cannot_walk_out_whatever_the_draw():
    assert not ins.decide_walkout(make_view(phase=Phase.SUSPENDED, frustration=99.0), PARAMS,
                                  0.0)
    assert ins.decide_walkout(make_view(frustration=1e6), PARAMS, 0.999)


RESUMING = Insurgent(resume_trust=0.6, resume_rate=0.3, resume_push=0.2)


def test_resumes_only_from_suspension_with_trust_and_a_push():
    ready = {"phase": Phase.SUSPENDED, "trust": 0.7, "pressure_on_insurgent": 0.1}
    always = Insurgent(resume_trust=0.6, resume_rate=1.0, resume_push=0.1)
    assert ins.decide_resume(make_view(**ready), always, 0.5)
    assert not ins.decide_resume(make_view(**{**ready, "phase": Phase.IN_SESSION}), always, 0.5)
    assert not ins.decide_resume(make_view(**{**ready, "trust": 0.59}), always, 0.5)
    assert not ins.decide_resume(make_view(**{**ready, "pressure_on_insurgent": 0.0}), always,
                                 0.5)
    assert not ins.decide_resume(make_view(**{**ready, "pressure_on_insurgent": 0.09}), always,
                                 0.5)
    never = Insurgent(resume_trust=0.6, resume_rate=0.0, resume_push=0.1)
    assert not ins.decide_resume(make_view(**ready), never, 0.0)


def test_resume_draws_against_its_rate():
    view = make_view(phase=Phase.SUSPENDED, trust=0.6, pressure_on_insurgent=0.5)
    assert ins.decide_resume(view, RESUMING, 0.29)
    assert not ins.decide_resume(view, RESUMING, 0.3)


def test_judge_release_by_the_mechanism():
    params = Insurgent(noncompliance_discount=0.4, welcome_trust=0.9)
    agreed = ins.judge_release(make_view(trust=0.1), params, 100, jointly_agreed=True,
                               joint_verification=True)
    assert agreed == ins.Verdict(compliant=True, welcomed=True, value=100.0)
    no_mechanism = ins.judge_release(make_view(trust=0.1), params, 100, jointly_agreed=False,
                                     joint_verification=False)
    assert no_mechanism == ins.Verdict(compliant=True, welcomed=True, value=100.0)
    rejected = ins.judge_release(make_view(trust=0.5), params, 100, jointly_agreed=False,
                                 joint_verification=True)
    assert not rejected.compliant and not rejected.welcomed
    assert rejected.value == pytest.approx(40.0)
    welcomed = ins.judge_release(make_view(trust=0.9), params, 100, jointly_agreed=False,
                                 joint_verification=True)
    assert not welcomed.compliant and welcomed.welcomed
    assert welcomed.value == pytest.approx(40.0)


def test_trust_gain_is_proportional_to_size():
    params = Insurgent(signal_gain=0.05)
    assert ins.trust_gain(params, 0) == 0.0
    assert ins.trust_gain(params, 100) == pytest.approx(0.05)
    assert ins.trust_gain(params, 250) == pytest.approx(0.125)


RELEASER = Insurgent(goodwill_trust=0.5, release_min_batch=20)


def releases(batch_cap=100, owed_deal=0, owed_goodwill=0, **view):
    """Releases on a day when it owes ``owed_deal`` and ``owed_goodwill`` at a ratio of one."""
    return ins.decide_releases(make_view(insurgent_room_today=batch_cap, deal_released=owed_deal,
                                         discounted_value=float(owed_goodwill), **view),
                               RELEASER)


def test_reciprocity_is_paid_at_once_without_trust():
    assert releases(trust=0.0, owed_deal=30) == (30, 0)


def test_goodwill_needs_trust():
    assert releases(trust=0.49, owed_goodwill=50) == (0, 0)
    assert releases(trust=0.5, owed_goodwill=50) == (0, 50)


def test_goodwill_waits_for_a_group_of_the_minimum_size():
    assert releases(trust=0.9, owed_goodwill=19) == (0, 0)
    assert releases(trust=0.9, owed_goodwill=20) == (0, 20)
    # The last few it still owes go out together even if fewer than the minimum.
    assert releases(trust=0.9, owed_goodwill=8, insurgent_remaining=8) == (0, 8)


def test_goodwill_is_not_paid_in_a_group_below_the_minimum_when_more_remain():
    """Docstring: goodwill is paid "in groups of at least ``release_min_batch``".

    Reciprocity fills 95 of today's 100 places; the 5 left over are no reason to free a group of
    5 as goodwill while 105 more remain to be freed.
    """
    reciprocal, goodwill = releases(trust=0.9, owed_deal=95,
                                    owed_goodwill=50, insurgent_remaining=200)
    assert reciprocal == 95
    assert goodwill == 0 or goodwill >= RELEASER.release_min_batch


def test_releases_respect_the_daily_cap_and_what_remains():
    assert releases(batch_cap=25, trust=0.0, owed_deal=500) == (25, 0)
    assert releases(trust=0.0, owed_deal=500, insurgent_remaining=40) == (40, 0)
    rec, good = releases(batch_cap=60, trust=0.9, owed_deal=30,
                         owed_goodwill=100)
    assert (rec, good) == (30, 30)


def test_nothing_is_freed_after_collapse_or_once_all_are_free():
    assert releases(phase=Phase.COLLAPSED, trust=1.0, owed_deal=30,
                    owed_goodwill=30) == (0, 0)
    assert releases(insurgent_remaining=0, trust=1.0, owed_deal=30,
                    owed_goodwill=30) == (0, 0)


@settings(max_examples=150, deadline=None)
@given(owed_deal=st.integers(0, 500), owed_goodwill=st.integers(0, 500),
       remaining=st.integers(0, 500), cap=st.integers(1, 300), trust=st.floats(0.0, 1.0),
       goodwill_trust=st.floats(0.0, 1.0), min_batch=st.integers(1, 100),
       phase=st.sampled_from(list(Phase)))
def test_releases_stay_within_what_is_owed_capped_and_left(owed_deal, owed_goodwill, remaining,
                                                          cap, trust, goodwill_trust,
                                                          min_batch, phase):
    params = Insurgent(goodwill_trust=goodwill_trust, release_min_batch=min_batch)
    view = make_view(phase=phase, deal_released=owed_deal, discounted_value=float(owed_goodwill),
                     insurgent_remaining=remaining, trust=trust, insurgent_room_today=cap)
    reciprocal, goodwill = ins.decide_releases(view, params)
    assert 0 <= reciprocal <= owed_deal
    assert 0 <= goodwill <= owed_goodwill
    assert reciprocal + goodwill <= min(cap, remaining)
    if trust < goodwill_trust:
        assert goodwill == 0
    if phase is not Phase.COLLAPSED:
        # Reciprocity is never held back.
        assert reciprocal == min(owed_deal, cap, remaining)


def test_attack_intensity():
    params = Insurgent(attacks_base=20.0, attack_frustration_gain=0.1,
                       attack_suspension_gain=0.2)
    session = Phase.IN_SESSION
    assert ins.attack_intensity(session, 0.0, params, 1.0) == pytest.approx(20.0)
    assert ins.attack_intensity(session, 2.0, params, 1.0) == pytest.approx(24.0)
    assert ins.attack_intensity(session, 2.0, params, 0.5) == pytest.approx(12.0)
    for phase in (Phase.SUSPENDED, Phase.COLLAPSED):
        assert ins.attack_intensity(phase, 2.0, params, 1.0) == pytest.approx(28.0)
    for phase in (Phase.PRE_TALKS, Phase.COMPLETED):
        assert ins.attack_intensity(phase, 0.0, params, 1.0) == pytest.approx(20.0)
    assert ins.attack_intensity(session, 5.0, params, 0.0) == 0.0


def test_owed_counts_compliant_releases_in_full_and_the_rest_at_their_value():
    view = make_view(ratio=5.0, deal_released=100, compliant_credit=52, reciprocal_released=10,
                     discounted_value=61.0, goodwill_released=4)
    assert ins.owed(view) == (152 // 5 - 10, 61 // 5 - 4)
    paid_up = make_view(ratio=5.0, deal_released=100, reciprocal_released=30)
    assert ins.owed(paid_up) == (0, 0)


def test_a_strike_adds_grievance_and_costs_trust_down_to_zero():
    params = Insurgent(strike_grievance=0.2, strike_trust_cost=0.05)
    assert ins.after_strike(1.0, 0.3, params) == pytest.approx((1.2, 0.25))
    assert ins.after_strike(0.0, 0.01, params) == (0.2, 0.0)


def test_frustration_fades_and_trust_erodes_by_their_daily_shares():
    params = Insurgent(frustration_decay=0.1, trust_decay=0.5)
    assert ins.frustration(2.0, 0.3, params) == pytest.approx(2.0 * 0.9 + 0.3)
    assert ins.trust_after_day(0.6, params) == pytest.approx(0.3)
