"""The mediator's decisions against scripted views and seeded generators, without a model."""

from __future__ import annotations

import pytest
from conftest import make_view

from sim.agents import mediator as med
from sim.agents.base import Phase, Proposal
from sim.scenario import Mediator

PRESSING = Mediator(leverage=1.0, credibility=1.0, deadline_pressure=0.01,
                    violence_pressure=0.005, suspension_pressure=0.03, insurgent_pressure=0.01,
                    violence_reference=20.0)


def pressing(**changes) -> Mediator:
    return Mediator.model_validate({**PRESSING.model_dump(), **changes})


def test_pressure_is_zero_once_the_process_is_over():
    for phase in (Phase.COMPLETED, Phase.COLLAPSED):
        view = make_view(phase=phase, attacks_recent=500.0, days_past_deadline=100)
        assert med.decide_pressure(view, PRESSING) == med.Push(0.0, 0.0)


def test_pressure_in_session_presses_for_delay_and_violence():
    push = med.decide_pressure(make_view(attacks_recent=40.0, days_past_deadline=3), PRESSING)
    assert push.on_government == pytest.approx(0.01 + 0.005 * 2.0)
    assert push.on_insurgent == pytest.approx(0.01 * 2.0)
    on_time = med.decide_pressure(make_view(attacks_recent=40.0, days_past_deadline=0),
                                  PRESSING)
    assert on_time.on_government == pytest.approx(0.005 * 2.0)
    calm = med.decide_pressure(make_view(attacks_recent=0.0, days_past_deadline=0), PRESSING)
    assert calm == med.Push(0.0, 0.0)


def test_suspension_adds_pressure_on_the_government_only():
    view = {"attacks_recent": 20.0, "days_past_deadline": 5}
    session = med.decide_pressure(make_view(phase=Phase.IN_SESSION, **view), PRESSING)
    suspended = med.decide_pressure(make_view(phase=Phase.SUSPENDED, **view), PRESSING)
    before = med.decide_pressure(make_view(phase=Phase.PRE_TALKS, **view), PRESSING)
    assert suspended.on_government == pytest.approx(session.on_government + 0.03)
    assert suspended.on_insurgent == pytest.approx(session.on_insurgent)
    assert before == session


@pytest.mark.parametrize("phase", [Phase.PRE_TALKS, Phase.IN_SESSION, Phase.SUSPENDED])
def test_pressure_scales_with_leverage_and_credibility(phase):
    view = make_view(phase=phase, attacks_recent=30.0, days_past_deadline=2)
    unit = med.decide_pressure(view, PRESSING)
    strong = med.decide_pressure(view, pressing(leverage=3.0))
    doubted = med.decide_pressure(view, pressing(credibility=0.5))
    idle = med.decide_pressure(view, pressing(leverage=0.0))
    assert unit.on_government > 0 and unit.on_insurgent > 0
    assert strong.on_government == pytest.approx(3 * unit.on_government)
    assert strong.on_insurgent == pytest.approx(3 * unit.on_insurgent)
    assert doubted.on_government == pytest.approx(0.5 * unit.on_government)
    assert idle == med.Push(0.0, 0.0)


def test_walkout_response():
    assert med.walkout_response(Mediator(leverage=2.0, credibility=0.5,
                                         walkout_pressure=0.3)) == pytest.approx(0.3)
    assert med.walkout_response(Mediator(leverage=0.0)) == 0.0


def test_release_relief_is_proportional_to_size():
    params = Mediator(release_relief=0.2)
    assert med.release_relief(params, 0) == 0.0
    assert med.release_relief(params, 100) == pytest.approx(0.2)
    assert med.release_relief(params, 450) == pytest.approx(0.9)


def test_bridge_splits_the_size_and_keeps_a_share_of_the_named():
    params = Mediator(bridge_named_share=0.5)
    assert med.decide_bridge(Proposal(100, 10), Proposal(40, 0), params) == Proposal(70, 5)
    assert med.decide_bridge(Proposal(101, 0), Proposal(40, 0), params) == Proposal(70, 0)
    # It never asks the government for fewer seniors than it already offers ...
    assert med.decide_bridge(Proposal(100, 10), Proposal(40, 8), params) == Proposal(70, 8)
    # ... nor for more than the insurgent demands.
    assert med.decide_bridge(Proposal(100, 4), Proposal(40, 0),
                             Mediator(bridge_named_share=1.0)) == Proposal(70, 4)
    assert med.decide_bridge(Proposal(100, 10), Proposal(40, 0),
                             Mediator(bridge_named_share=0.0)) == Proposal(70, 0)


STRIKER = Mediator(strike_threshold=40.0, strike_probability=0.3)


def test_no_strike_at_or_below_the_threshold_whatever_the_draw():
    assert not med.decide_strike(make_view(attacks_recent=40.0), STRIKER, 0.0)
    assert not med.decide_strike(make_view(attacks_recent=500.0),
                                 Mediator(strike_threshold=40.0, strike_probability=0.0), 0.0)


def test_strike_draws_against_its_probability_above_the_threshold():
    view = make_view(attacks_recent=41.0)
    assert med.decide_strike(view, STRIKER, 0.29)
    assert not med.decide_strike(view, STRIKER, 0.3)
    certain = Mediator(strike_threshold=40.0, strike_probability=1.0)
    assert med.decide_strike(view, certain, 0.999)


def test_disengagement_grows_when_suspended_and_recedes_in_session():
    params = Mediator(disengage_rate=0.01, disengage_recovery=0.02, violence_reference=20.0)
    assert med.disengagement_change(make_view(phase=Phase.SUSPENDED, attacks_recent=40.0),
                                    params) == pytest.approx(0.02)
    assert med.disengagement_change(make_view(phase=Phase.SUSPENDED, attacks_recent=0.0),
                                    params) == 0.0
    assert med.disengagement_change(make_view(phase=Phase.IN_SESSION, attacks_recent=40.0),
                                    params) == pytest.approx(-0.02)
    for phase in (Phase.PRE_TALKS, Phase.COMPLETED, Phase.COLLAPSED):
        assert med.disengagement_change(make_view(phase=phase, attacks_recent=40.0),
                                        params) == 0.0
