"""Bad values in the dashboard's fields and in role play: refused with the reason, in words
a person can act on, and never used, clamped or offered back.

No browser: the dashboard's session (:class:`sim.ui.app.state.Dashboard`), its messages
(:mod:`sim.ui.app.fields`), the role-play game (:class:`sim.roleplay.Game`) and the terminal
loop are driven directly.
"""

from __future__ import annotations

import math
import re

import pytest
from conftest import HOME, SCENARIOS

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Response
from sim.roleplay import DecisionError, Game
from sim.scenario import load_scenario
from sim.ui.app.fields import move_from, plain_words
from sim.ui.app.state import CONTROL_PATHS, SEED_PATH, Dashboard, control, scenario_files
from sim.ui.terminal import play_loop

DOTTED = re.compile(r"\b[a-z_]+\.[a-z_]+\b")  # a parameter path such as agreement.batch_cap


@pytest.fixture(scope="module")
def home():
    return load_scenario(HOME)


def _bad_values(path: str) -> list[float]:
    ctl = control(path)
    bad = [math.nan, math.inf]
    if ctl.low is not None:
        bad.append(ctl.low - 1 if not ctl.low_open else ctl.low)
    if ctl.high is not None:
        bad.append(ctl.high * 10 + 1)
    return [ctl.kind(v) if ctl.kind is int and math.isfinite(v) else v for v in bad]


FIELDS = [(path, value) for path in (*CONTROL_PATHS, SEED_PATH)
          if control(path).kind is not bool for value in _bad_values(path)]


@pytest.mark.parametrize(("path", "value"), FIELDS)
def test_a_refused_value_is_told_at_its_field_in_words(path, value):
    dash = Dashboard(scenario_files(SCENARIOS), HOME)
    dash.step(4)
    before = dict(dash.values)
    dash.set_value(path, value)
    assert list(dash.field_problems) == [path]
    message = dash.field_problems[path]
    ctl = control(path)
    assert message.startswith(f"{ctl.title(dash.base.meta.sides)}: ")
    assert "was not used" in message and message.endswith(
        f"The run uses {before[path]:,g}." if isinstance(before[path], float)
        else f"The run uses {before[path]:,}.")
    assert not DOTTED.search(message.replace(ctl.title(dash.base.meta.sides), "")), message
    assert "allowed" in message or "finite" in message
    assert dash.values == before and dash.snapshot().day == 4  # nothing used, run goes on


def test_a_value_that_breaks_a_rule_names_the_other_parameter_in_words():
    dash = Dashboard(scenario_files(SCENARIOS), HOME)
    dash.set_value("agreement.batch_cap", 40)
    (message,) = dash.setting_problems
    assert "the Afghan government's unilateral batch (100) exceeds the agreement's batch " \
        "cap (40)" in message
    assert not DOTTED.search(message)
    dash.set_value("agreement.batch_cap", 150)  # a good value clears it and is used
    assert dash.field_problems == {} and dash.scenario.agreement.batch_cap == 150


def test_plain_words_name_sides_by_the_scenarios_names(home):
    sides = home.meta.sides
    assert plain_words("insurgent.patience (3) exceeds run.days", sides) == \
        "the Taliban's patience (3) exceeds the days"
    assert plain_words("clashes with government.unilateral_batch: (100) exceeds "
                       "agreement.batch_cap (50)", sides) == (
        "the Afghan government's unilateral batch (100) exceeds the agreement's batch cap (50)")


# Role play: impossible moves are refused with the reason


def _government(home) -> Game:
    game = Game(home, "government")
    game.play_days(game.default_move(), 3)
    return game


@pytest.mark.parametrize(("move", "says"), [
    (GovernmentMove(200, 200, 0), "only 15 named seniors are still held (you named 200)"),
    (GovernmentMove(100, 0, 99_999), "you can release at most 100 today"),
    (GovernmentMove(10, 12, 0), "the named seniors (12) are part of the offer (10)"),
    (GovernmentMove(-5, 0, 0), "the offer cannot be negative (you gave -5)"),
    (GovernmentMove(100, 0, -1), "the unilateral release cannot be negative"),
    (GovernmentMove(10**7, 0, 0), "you can offer at most"),
], ids=["named_200_of_15", "release_99999", "named_above_offer", "negative_offer",
        "negative_release", "offer_above_held"])
def test_an_impossible_government_move_is_refused_with_the_reason(home, move, says):
    game = _government(home)
    day, released = game.model.day, game.model.gov_pool.n_released
    assert game.limits()["offer_named"] == home.pools.government_holds.named == 15
    with pytest.raises(DecisionError, match=re.escape(says)):
        game.play(move)
    assert game.model.day == day and game.model.gov_pool.n_released == released
    assert game.default_move() != move  # never offered back
    game.check(game.default_move())  # the default is a move today allows


@pytest.mark.parametrize("move", [MediatorMove(-1.0, 0.0), MediatorMove(0.0, math.nan),
                                  MediatorMove(math.inf, 0.0)])
def test_an_impossible_mediator_move_is_refused(home, move):
    game = Game(home, "mediator")
    with pytest.raises(DecisionError, match="must be zero or more"):
        game.play(move)
    assert game.model.day == 0


def test_the_dashboard_form_is_played_as_typed_or_refused(home):
    game = _government(home)
    form = {"offer_size": 100, "offer_named": 200, "unilateral": 0}
    with pytest.raises(DecisionError, match="only 15 named seniors"):
        move_from(game, form)
    with pytest.raises(DecisionError, match="cannot be negative"):
        move_from(game, {**form, "offer_named": -3})  # not read as 0
    with pytest.raises(DecisionError, match="whole number"):
        move_from(game, {**form, "offer_named": 2.5})
    assert move_from(game, {**form, "offer_named": 5}) == GovernmentMove(100, 5, 0)
    insurgent = Game(home, "insurgent")
    with pytest.raises(DecisionError, match="means nothing while the talks are"):
        move_from(insurgent, {"response": Response.RETURN})  # not swapped for another answer
    assert move_from(insurgent, {"response": "reject"}) == InsurgentMove(Response.REJECT)


def test_the_terminal_refuses_an_impossible_move_and_asks_again(home):
    game = Game(home, "government")
    answers = iter(["100 named 200", "100 release 99999", "q"])
    lines: list[str] = []
    play_loop(game, read=lambda prompt: next(answers), write=lines.append, seeds=2)
    refusals = [line for line in lines if line.startswith("not played: ")]
    assert refusals == [
        "not played: only 15 named seniors are still held (you named 200)",
        f"not played: you can release at most {game.limits()['unilateral']:,} today: the daily "
        f"cap is {game.model.terms.batch_cap:,} and "
        f"{game.model.view.government_remaining:,} listed prisoners are still to free "
        "(you gave 99,999)"]
    assert game.model.day == 0


def test_a_field_goes_back_to_the_value_in_use_only_when_refused():
    from sim.ui.app.fields import or_back

    class Shown:
        value = None

        def set(self, value):
            self.value = value

    seen, shown = [], Shown()
    typed = or_back(lambda v: seen.append(v) or v < 200, shown, 100)
    typed(50)  # accepted: the field keeps it
    assert seen == [50] and shown.value is None
    typed(500)  # refused: the field shows the value in use again
    assert seen == [50, 500] and shown.value == 100
    typed(100)  # the field going back: nothing is set
    assert seen == [50, 500]


@pytest.mark.parametrize(("typed", "reason"), [
    (None, "the field is empty"), (0, "allowed 2 to 2,000"), (5000, "allowed 2 to 2,000"),
    (2.5, "it is not a whole number"), (float("nan"), "it is not a finite number")])
def test_a_count_out_of_range_is_refused_in_words_not_clamped(typed, reason):
    from sim.ui.app.fields import count_refusal

    message = count_refusal("runs (seeds)", typed, 2, 2000, 100)
    assert message is not None and message.startswith("runs (seeds): ")
    assert reason in message and message.endswith("The page uses 100.")
    assert count_refusal("runs (seeds)", 2000, 2, 2000, 100) is None
    assert count_refusal("runs (seeds)", 2, 2, 2000, 100) is None
