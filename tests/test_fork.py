"""Counterfactual forks (sim.forks, parley fork): a shared past, common random numbers, and
paired effects that are right in sign and narrower than independent runs'."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import HOME, cli
from typer.testing import CliRunner

import sim
from sim.ensemble import seed_of
from sim.forks import OUTCOMES, Change, branch, fork, paired_interval, welch_interval
from sim.model import ParleyModel
from sim.scenario import load_scenario
from sim.ui.cli import app


@pytest.fixture(scope="module")
def home():
    return load_scenario(HOME)


def _models(scenario, changed, seed):
    return ParleyModel(scenario, seed=seed).run(), ParleyModel(changed, seed=seed).run()


def test_the_branches_share_every_day_through_the_fork_and_part_after(home):
    """Run by the Mesa model, both branches are the same run through day ``at``."""
    at = 30
    changed = branch(home, at, Change(set={"insurgent.patience": 3.0}))
    parted = 0
    for i in range(4):
        a, b = _models(home, changed, seed_of(home.run.seed, i))
        past_a, past_b = a.columns(at), b.columns(at)
        for name in past_a:
            np.testing.assert_array_equal(past_a[name], past_b[name], err_msg=name)
        assert [e for e in a.events if e.day <= at] == [e for e in b.events if e.day <= at]
        parted += any(not np.array_equal(v, b.columns()[k]) for k, v in a.columns().items())
    assert parted == 4  # patience doubled from day 31 changes every one of these runs


@pytest.mark.parametrize("change", [
    Change(set={"insurgent.patience": 3.0, "mediator.leverage": 0.5},
           pressure={"mediator": 0.4}),
    Change(move={"talks_open": 45}),
    Change(drop=["halt_soldiers"]),
], ids=["set-and-pressure", "move", "drop"])
def test_the_engine_runs_a_changed_branch_as_the_mesa_model_does(home, change):
    from sim.engine import run_block
    from sim.runner import result_of

    changed = branch(home, 30, change)
    seeds = [seed_of(home.run.seed, i) for i in range(3)]
    engine = run_block(changed, seeds, changed.run.days, ())[0]
    assert engine == [result_of(ParleyModel(changed, seed=s).run()).summary for s in seeds]


def test_after_the_fork_both_branches_read_the_same_random_numbers(home):
    """A day's draw of a source is the same in both branches whatever happened before it."""
    changed = branch(home, 30, Change(set={"insurgent.patience": 3.0}))
    a, b = _models(home, changed, seed_of(home.run.seed, 0))
    for source in ("walkout", "resume", "strike", "attack_round", "attack_noise",
                   "frustration"):
        np.testing.assert_array_equal(getattr(a.draws, source), getattr(b.draws, source))


@pytest.mark.parametrize(("at", "change"), [
    (30, Change(set={"insurgent.trust_initial": 0.9})),      # only read on day 0
    (30, Change(set={"insurgent.patience": 1.5})),           # the value already in effect
    (95, Change(set={"mediator.verification_days": 0})),     # in effect since day 90's shock
    (None, Change(move={"intra_afghan_talks": 260})),        # changes nothing; now after the run
], ids=["used-before", "same-value", "same-as-shock", "idle-shock-moved"])
def test_a_change_that_cannot_matter_leaves_every_seed_as_it_was(home, at, change):
    result = fork(home, at, set=change.set, move=change.move, seeds=40)
    for as_was, changed in zip(result.as_was, result.changed, strict=True):
        assert {k: as_was[k] for k in OUTCOMES} == {k: changed[k] for k in OUTCOMES}
    assert result.identical()
    assert all(e.diff == 0 for e in result.effects if e.pairs)


def test_a_change_from_a_day_the_runs_have_passed_is_refused(home):
    with pytest.raises(sim.ScenarioError, match="happened on day 23"):
        fork(home, 30, move={"aid_cut": 40}, seeds=4)


def test_a_more_patient_insurgent_walks_out_later_and_less(home):
    result = fork(home, 30, set={"insurgent.patience": 3.0}, seeds=100)
    effects = {e.outcome: e for e in result.effects}
    assert effects["first_walkout_day"].low > 0
    assert effects["walkouts"].high < 0
    assert effects["unilateral_releases"].high < 0  # fewer stalls to end by releasing alone


def test_without_the_aid_cut_the_government_releases_alone_less_often(home):
    """Removing a cause of pressure (DESIGN.md, Principles) weakens its effect."""
    result = fork(home, drop=["aid_cut"], seeds=100)
    assert result.at == 22  # the branches part on the day the aid cut would come
    effects = {e.outcome: e for e in result.effects}
    assert effects["unilateral_releases"].high < 0


def test_a_moved_shock_shares_the_days_before_either_day(home):
    result = fork(home, move={"aid_cut": 40}, seeds=20)
    assert result.at == 22
    assert not result.identical()


def test_paired_intervals_are_narrower_than_independent_ones_on_the_home_scenario(home):
    result = fork(home, 30, set={"insurgent.patience": 2.0}, seeds=200)
    assert result.narrower > 1
    mean_attacks = next(e for e in result.effects if e.outcome == "mean_attacks")
    assert mean_attacks.width < mean_attacks.independent_width


def test_intervals_match_their_textbook_formulas():
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 1, 30), rng.normal(0.5, 2, 45)
    mean, low, high = paired_interval(b[:30] - a)
    ci = scipy_stats.ttest_rel(b[:30], a).confidence_interval()
    assert (low, high) == pytest.approx((ci.low, ci.high))
    assert mean == pytest.approx((b[:30] - a).mean())
    ci = scipy_stats.ttest_ind(b, a, equal_var=False).confidence_interval()
    assert welch_interval(a, b) == pytest.approx((ci.low, ci.high))


def test_sim_fork_returns_the_table_and_both_branches(home):
    result = sim.fork(home, 30, set={"insurgent.patience": 2.0}, seeds=5)
    table = result.table()
    assert list(table.index) == list(OUTCOMES)
    assert {"diff", "low", "high", "width", "independent_width"} <= set(table.columns)
    frame = result.summaries()
    assert sorted(set(frame["branch"])) == ["as_was", "changed"]
    assert len(frame) == 10
    assert result.seeds == [seed_of(0, i) for i in range(5)]
    assert not set(result.seeds) & set(result.independent_seeds)


runner = CliRunner()


@pytest.mark.parametrize(("args", "says"), [
    (["--at", "200", "--set", "insurgent.patience=2"], "--at"),
    (["--at", "-1", "--set", "insurgent.patience=2"], "--at"),
    (["--set", "insurgent.patience=2"], "--at: at: is missing"),
    (["--at", "30"], "no change given"),
    (["--at", "30", "--set", "insurgent.patienc=2"], "did you mean 'insurgent.patience'"),
    (["--at", "30", "--set", "insurgent.patience=abc"], "--set insurgent.patience=abc"),
    (["--at", "30", "--set", "insurgent.patience=-1"], "greater than 0"),
    (["--at", "30", "--set", "insurgent.patience"], "dotted.path=value"),
    (["--at", "30", "--set", "run.days=50"], "not something a fork can change"),
    (["--at", "30", "--set", "government.unilateral_batch=5000"], "from day 31 on"),
    (["--shock", "nope=40"], "names no shock"),
    (["--shock", "aid_cut=soon"], "is not a day"),
    (["--at", "30", "--shock", "aid_cut=off"], "happened on day 23"),
    (["--at", "30", "--pressure", "mediator=lots"], "is not a number"),
    (["--at", "30", "--pressure", "donor=1"], "is not a kind of pressure"),
    (["--at", "30", "--pressure", "mediator=11"], "--pressure"),
])
def test_bad_input_exits_2_with_one_clear_line(args, says):
    result = runner.invoke(app, ["fork", str(HOME), *args, "--seeds", "3"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    assert "Traceback" not in result.output


def test_parley_fork_prints_a_table_that_fits_80_columns(tmp_path):
    out = tmp_path / "fork.json"
    done = cli("fork", "afghanistan_2020", "--at", "30", "--set", "insurgent.patience=2",
               "--seeds", "20", "--json", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    mine = [line for line in lines if not line.startswith(("changed from", "wrote"))]
    assert max(map(len, mine)) <= 80  # the lines left out echo the user's text
    assert lines[-1].startswith("paired_ci_narrower=")
    assert any(line.split()[:1] == ["walkouts"] for line in lines)
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["at"] == 30 and len(figures["seeds"]) == 20
    assert [e["outcome"] for e in figures["effects"]] == list(OUTCOMES)
    assert float(lines[-1].split("=")[1]) == pytest.approx(figures["paired_ci_narrower"],
                                                           abs=0.005)


# The dashboard's "what if, from today"


def test_what_if_from_today_forks_the_live_run_and_its_seeds():
    from sim.runner import result_of
    from sim.ui.app.state import Dashboard, scenario_files
    from sim.ui.app.whatif import SHOWN, rows, what_if

    dash = Dashboard(scenario_files(HOME.parent), HOME)
    dash.step(35)
    snap = dash.snapshot()
    result = what_if(snap.scenario, snap.seed, snap.day, "insurgent.patience", "3", 20)
    assert result.seeds.at == result.this_run.at == 35
    dash.step(1000)  # the live run played on as it was is the fork's as-was branch
    assert result.this_run.as_was[0] == result_of(dash.model).summary
    assert [r[0] for r in rows(result)] == [o for o in OUTCOMES if o in SHOWN]


def test_the_what_if_tab_shows_the_paired_result(monkeypatch):
    import asyncio
    import time

    import ipyvuetify as v
    import solara
    import solara.server.kernel_context as kernel_context
    import solara.widgets

    from sim.ui.app import page, state

    monkeypatch.setenv(state.SCENARIO_ENV, str(HOME))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with kernel_context.create_dummy_context():
            _, rc = solara.render(page.Page(), handle_error=False)
            try:
                rc.find(v.Tabs).widget.v_model = 3
                rc.find(v.TextField, label="new value").widget.v_model = "3"
                rc.find(v.TextField, label="seeds").widget.v_model = "10"
                rc.find(v.Btn, children=["Fork from today"]).widget.click()
                end, found = time.monotonic() + 60, []
                while not found and time.monotonic() < end:  # the task runs in a thread
                    time.sleep(0.1)
                    found = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                             if w.attributes.get("data-testid") == "whatif-table"]
                assert len(found) == 1 and "first_walkout_day" in found[0]
                assert "Forked at day 0: insurgent.patience=3" in found[0]
            finally:
                rc.close()
    finally:
        asyncio.set_event_loop(None)
        loop.close()
