"""Role play: parsing decisions, the game, the comparison with the agents, the terminal loop."""

from __future__ import annotations

import math
import subprocess

import pytest
from conftest import HOME, TEACHING, cli, teaching, write_yaml

from sim.agents.base import GovernmentMove, InsurgentMove, MediatorMove, Phase, Response, Seat
from sim.ensemble import seed_of
from sim.events import EventKind
from sim.roleplay import (
    DecisionError,
    Game,
    agents_on_seed,
    compare_outcome,
    format_situation,
    outcome_row,
)
from sim.runner import run
from sim.scenario import load_scenario
from sim.ui.terminal import describe_move, parse_decision, play_loop, split_days

# Parsing


@pytest.mark.parametrize(("text", "move"), [
    ("100", GovernmentMove(100, 0, 0)),
    ("400 15", GovernmentMove(400, 15, 0)),
    ("100 0 100", GovernmentMove(100, 0, 100)),
    ("offer 100 named 5 release 50", GovernmentMove(100, 5, 50)),
    ("release 50 offer 100", GovernmentMove(100, 0, 50)),
    ("  120, 3  ", GovernmentMove(120, 3, 0)),
])
def test_government_decisions(text, move):
    assert parse_decision(Seat.GOVERNMENT, text) == move


@pytest.mark.parametrize(("text", "move"), [
    ("accept", InsurgentMove(Response.ACCEPT)),
    ("A", InsurgentMove(Response.ACCEPT)),
    ("reject", InsurgentMove(Response.REJECT)),
    ("walk out", InsurgentMove(Response.WALKOUT)),
    ("walkout", InsurgentMove(Response.WALKOUT)),
    ("return", InsurgentMove(Response.RETURN)),
])
def test_insurgent_decisions(text, move):
    assert parse_decision("insurgent", text) == move


@pytest.mark.parametrize(("text", "move"), [
    ("0.05 0.01", MediatorMove(0.05, 0.01, False)),
    ("gov 0.1 ins 0 strike", MediatorMove(0.1, 0.0, True)),
    ("ins 0.2", MediatorMove(0.0, 0.2, False)),
    ("strike", MediatorMove(0.0, 0.0, True)),
])
def test_mediator_decisions(text, move):
    assert parse_decision(Seat.MEDIATOR, text) == move


@pytest.mark.parametrize(("seat", "text", "says"), [
    (Seat.GOVERNMENT, "abc", "not a whole number"),
    (Seat.GOVERNMENT, "-5", "zero or more"),
    (Seat.GOVERNMENT, "1 2 3 4", "too many numbers"),
    (Seat.GOVERNMENT, "named 3", "how many prisoners you offer"),
    (Seat.GOVERNMENT, "100 named", "number is missing"),
    (Seat.GOVERNMENT, "12.5", "not a whole number"),
    (Seat.INSURGENT, "maybe", "accept, reject, walkout or return"),
    (Seat.INSURGENT, "accept reject", "accept, reject, walkout or return"),
    (Seat.MEDIATOR, "nan", "zero or more"),
    (Seat.MEDIATOR, "gov -1", "zero or more"),
    (Seat.MEDIATOR, "lots", "not a number"),
])
def test_bad_decisions_say_what_is_wrong(seat, text, says):
    with pytest.raises(DecisionError, match=says):
        parse_decision(seat, text)


def test_blank_repeats_the_default_and_needs_one():
    default = GovernmentMove(100, 2, 0)
    assert parse_decision(Seat.GOVERNMENT, "   ", default) is default
    with pytest.raises(DecisionError, match="type a decision"):
        parse_decision(Seat.GOVERNMENT, "")


@pytest.mark.parametrize(("text", "rest", "days"), [
    ("reject", "reject", 1),
    ("reject days 5", "reject", 5),
    ("days 3 100 2", "100 2", 3),
    ("100 x4", "100", 4),
    ("", "", 1),
])
def test_split_days(text, rest, days):
    assert split_days(text) == (rest, days)


@pytest.mark.parametrize("text", ["days", "100 days 0", "days two"])
def test_split_days_refuses_nonsense(text):
    with pytest.raises(DecisionError):
        split_days(text)


def test_describe_move_reads_back_a_decision():
    assert describe_move(GovernmentMove(400, 15, 100)) == \
        "offer 400 including 15 named; release 100 unilaterally"
    assert describe_move(InsurgentMove(Response.WALKOUT)) == "walkout"
    assert describe_move(MediatorMove(0.1, 0.0, True)) == \
        "pressure 0.1 on the government, 0 on the insurgents; strike"


# The game


def test_a_game_refuses_another_seats_move():
    game = Game(teaching(), Seat.GOVERNMENT)
    with pytest.raises(DecisionError, match="government seat"):
        game.play(InsurgentMove(Response.ACCEPT))
    assert game.model.day == 0 and game.moves == []


def test_the_insurgents_choices_follow_the_phase():
    game = Game(teaching(), Seat.INSURGENT)
    assert game.choices() == (Response.REJECT,)
    with pytest.raises(DecisionError, match="not yet open"):
        game.play(InsurgentMove(Response.WALKOUT))
    # Talks open on the deadline (day 5); several days of one decision stop when they do.
    game.play_days(InsurgentMove(Response.REJECT), 30)
    assert game.model.day == 5 and game.model.phase is Phase.IN_SESSION
    assert game.choices() == (Response.ACCEPT, Response.REJECT, Response.WALKOUT)


def test_a_person_can_walk_out_and_the_model_records_it():
    game = Game(teaching(), Seat.INSURGENT)
    game.play_days(InsurgentMove(Response.REJECT), 5)
    lines = game.play(InsurgentMove(Response.WALKOUT))
    assert game.model.phase is Phase.SUSPENDED
    assert any("walk out of the talks" in line for line in lines)
    assert game.choices() == (Response.REJECT, Response.RETURN)
    assert game.default_move() == InsurgentMove(Response.REJECT)


def test_a_government_decision_releases_prisoners_on_its_own():
    game = Game(teaching(), "government")
    lines = game.play(GovernmentMove(10, 0, 7))
    series = game.series()
    assert series["gov_unilateral_released"][-1] == 7
    assert any(e.kind is EventKind.UNILATERAL_RELEASE for e in game.model.events)
    assert any("release 7 prisoners unilaterally" in line for line in lines)


def test_a_mediator_decision_sets_the_pressure():
    game = Game(teaching(), Seat.MEDIATOR)
    game.play(MediatorMove(0.5, 0.25, False))
    s = game.situation()
    assert s.pressure_on_insurgent == pytest.approx(0.25)
    assert s.felt_pressure > 0.4  # 0.5 pushed, less the domestic opposition of one day


def test_defaults_repeat_yesterday():
    game = Game(teaching(), Seat.GOVERNMENT)
    assert game.default_move() == GovernmentMove(10, 0, 0)  # the agreed round size
    game.play(GovernmentMove(20, 0, 0))
    assert game.default_move() == GovernmentMove(20, 0, 0)
    assert Game(teaching(), Seat.MEDIATOR).default_move() == MediatorMove(0.0, 0.0, False)


def test_the_game_ends_on_its_last_day_or_when_stopped():
    game = Game(teaching(run={"days": 3, "seed": 0}), Seat.MEDIATOR)
    game.play_days(MediatorMove(), 10)
    assert game.over and game.model.day == 3
    with pytest.raises(DecisionError, match="over"):
        game.play(MediatorMove())
    early = Game(teaching(), Seat.MEDIATOR)
    early.stop()
    assert early.over


def test_the_situation_shows_what_the_person_needs():
    game = Game(load_scenario(HOME), Seat.GOVERNMENT)
    game.play_days(GovernmentMove(100, 0, 0), 31)
    s = game.situation()
    assert s.phase is Phase.IN_SESSION and s.demand is not None and s.offer is not None
    assert s.demand.named == 15
    text = "\n".join(format_situation(game))
    for words in ("Day 31", "Taliban demand 100 (15 named)", "Afghan government offer 100",
                  "releases on its own above 0.6", "patience 1.5",
                  "the model's own Afghan government would"):
        assert words in text


def test_the_agents_runs_are_cut_at_the_games_last_day():
    """A run cut at a day equals the first days of the whole run (later shocks included)."""
    spec = load_scenario(HOME)
    whole = run(spec).series
    for day in (20, 45):
        summary = agents_on_seed(spec, spec.run.seed, day)
        assert summary["days"] == day
        assert summary["gov_released"] == whole["gov_released"][day]
        assert summary["ins_released"] == whole["ins_released"][day]
        assert summary["mean_attacks"] == pytest.approx(whole["attacks"][1:day + 1].mean())


def test_the_comparison_sets_the_person_against_the_agents():
    game = Game(teaching(), Seat.GOVERNMENT)
    while game.model.day < 30:
        # Offer nothing, so that no agreement can happen.
        game.play_days(GovernmentMove(0, 0, 0), 30 - game.model.day)
    comparison = game.compare(n_seeds=6)
    assert comparison.runs == 6 and comparison.days == 30
    rows = {row.key: row for row in comparison.rows}
    assert rows["agreements"].you == 0
    assert rows["agreements"].median > 0  # the agents strike deals in the teaching scenario
    assert rows["agreements"].higher == 1.0
    assert len(comparison.agents["gov_released"]) == 6
    text = "\n".join(comparison.lines())
    assert "You played the Blue government (government) for 30 days" in text
    assert "agreed rounds: you 0" in text
    # The agents' runs are the ensemble of the game's seed, cut at the game's last day, and
    # the agents' run on the person's own seed is shown beside them.
    spec = teaching()
    assert comparison.agents["gov_released"] == [
        agents_on_seed(spec, seed_of(spec.run.seed, i), 30)["gov_released"] for i in range(6)]
    own = agents_on_seed(spec, spec.run.seed, 30)
    assert rows["agreements"].same_seed == own["agreements"]
    assert f"agents on your seed: {own['agreements']}" in text


def test_no_comparison_before_the_first_day():
    comparison = Game(teaching(), Seat.GOVERNMENT).compare(3)
    assert comparison.runs == 0
    assert comparison.lines() == ["No day was played, so there is nothing to compare."]


def test_outcome_row_places_a_value_in_a_distribution():
    row = outcome_row("x", "x", 2.5, [1, 2, 3, 4, float("nan")], same_seed=1.0)
    assert (row.lower, row.higher) == (0.5, 0.5)
    assert row.median == 2.5 and row.p10 == pytest.approx(1.3)
    assert "agents on your seed: 1" in row.sentence()
    empty = outcome_row("x", "x", 1.0, [float("nan")])
    assert math.isnan(empty.median) and empty.lower == 0.0


def test_compare_outcome_counts_phases_and_patterns():
    names = teaching().meta.sides
    base = {key: 0 for key in ("gov_released", "ins_released", "named_released", "agreements",
                               "walkouts", "unilateral_releases", "mean_attacks",
                               "total_casualties")}
    you = {**base, "days": 10, "final_phase": "suspended", "pattern": True}
    agents = [{**base, "final_phase": "in_session", "pattern": False},
              {**base, "final_phase": "suspended", "pattern": True}]
    comparison = compare_outcome(Seat.INSURGENT, "Red movement", you, agents, names)
    assert comparison.phase_shares["in_session"] == 0.5
    assert comparison.pattern_rate == 0.5
    assert "yes in your game; 50% of the agents' runs" in "\n".join(comparison.lines())


# The terminal loop


def scripted(answers: list[str]):
    """A ``read`` that answers in turn, then signals the end of input."""
    queue = list(answers)
    asked: list[str] = []

    def read(prompt: str) -> str:
        asked.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read, asked


def test_play_loop_plays_helps_refuses_and_compares():
    game = Game(teaching(), Seat.GOVERNMENT)
    read, asked = scripted(["?", "ten", "10", "", "10 0 5 days 3"])
    out: list[str] = []
    comparison = play_loop(game, read, out.append, seeds=3)
    text = "\n".join(out)
    assert game.model.day == 5 and game.stopped
    assert "You are the Blue government (government)" in text
    assert "400 15       offer 400 including 15 named" in text  # the help
    assert "not played: 'ten' is not a whole number" in text
    assert "release 5 prisoners unilaterally" in text
    assert "=== The game ends on day 5" in text
    assert comparison.runs == 3 and comparison.lines()[0] in out
    assert asked[0].startswith("Day 1, your decision") and "Enter = offer 10" in asked[0]


def test_play_loop_quits_on_q():
    game = Game(teaching(), Seat.INSURGENT)
    read, _ = scripted(["reject", "q", "accept"])
    out: list[str] = []
    play_loop(game, read, out.append, seeds=2)
    assert game.model.day == 1 and game.stopped


# The command line


def play_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return cli("play", *args, input=stdin)


def test_parley_play_reads_decisions_from_standard_input():
    done = play_cli(str(TEACHING), "--seat", "insurgent", "--days", "12", "--seeds", "3",
                    stdin="reject days 5\naccept\nhmm\nreject\nq\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "You are the Red movement (insurgent)" in out
    assert "not played: 'hmm' is not an answer" in out
    assert "=== The game ends on day 7" in out
    assert "You played the Red movement (insurgent) for 7 days" in out
    assert done.stderr == ""


def test_parley_play_ends_at_end_of_input():
    done = play_cli(str(TEACHING), "--seat", "mediator", "--seeds", "2", stdin="0.1 0\n")
    assert done.returncode == 0, done.stderr
    assert "=== The game ends on day 1" in done.stdout
    assert "The agents played the same scenario 2 times" in done.stdout


def test_parley_play_refuses_an_unknown_seat():
    done = cli("play", TEACHING, "--seat", "pilot")
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: --seat: seat: unknown seat 'pilot'; allowed: "
                                   "government, insurgent, mediator")


def test_parley_play_reports_a_bad_scenario_like_every_command(tmp_path):
    bad = write_yaml(tmp_path / "bad.yaml", "insurgent:\n  patience: -1\n")
    played = cli("play", bad, "--seat", "government")
    validated = cli("validate", bad)
    assert played.returncode == validated.returncode == 2
    assert played.stderr == validated.stderr
    assert "insurgent.patience" in played.stderr


def test_the_insurgents_answer_decides_whether_a_round_is_agreed():
    # A government that holds out for more than the insurgent's demand, so only the person's
    # answer can make a deal.
    firm = teaching(government={"aspiration_max": 0.95, "aspiration_min": 0.95})
    game = Game(firm, Seat.INSURGENT)
    game.play_days(InsurgentMove(Response.REJECT), 5)  # the talks open on day 5
    game.play_days(InsurgentMove(Response.REJECT), 10)
    assert game.model.phase is Phase.IN_SESSION
    assert not any(e.kind is EventKind.AGREEMENT for e in game.model.events)
    lines = game.play(InsurgentMove(Response.ACCEPT))
    assert any("the sides agree on a round" in line for line in lines)


def test_insurgent_hint_follows_the_return_rule_with_the_push_it_needs():
    game = Game(load_scenario(HOME), "insurgent")
    m = game.model
    m._set_phase(Phase.SUSPENDED)
    m.talks.trust = 1.0
    needed = m.params.insurgent.resume_push
    assert needed > 0
    m.pressure.insurgent = needed / 2  # some push, but less than it takes to bring them back
    assert game.advice().startswith("stay away")
    m.pressure.insurgent = needed * 2
    assert game.advice().startswith("return with")
