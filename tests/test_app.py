"""The dashboard without a browser: controls from the schema, the session state, the figures,
and the Solara page rendered in a virtual kernel."""

from __future__ import annotations

import asyncio
import io

import pytest
from conftest import HOME, SCENARIOS, TEACHING, cli, write_yaml

from sim.ensemble import seed_of
from sim.roleplay import Game
from sim.scenario import Scenario, load_scenario, with_overrides
from sim.ui.app import state
from sim.ui.app.state import (
    CONTROL_PATHS,
    SEED_PATH,
    SLIDER_STEPS,
    Dashboard,
    control,
    odds_facts,
    odds_match,
    odds_rows,
    read_value,
    run_odds,
    scenario_files,
    schema_field,
    variant,
)
from sim.ui.figures import comparison_figure, live_panels, odds_figure


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# Controls come from the schema only


def test_the_classroom_controls_are_the_issues_six():
    assert CONTROL_PATHS == ("mediator.leverage", "insurgent.patience",
                             "insurgent.demand_named", "government.goodwill_threshold",
                             "agreement.batch_cap", "insurgent.attacks_base")


@pytest.mark.parametrize("path", CONTROL_PATHS)
def test_each_control_reads_its_meaning_unit_and_bounds_from_the_schema(path):
    field = schema_field(path)
    ctl = control(path)
    assert ctl.description == field.description
    assert ctl.unit == field.json_schema_extra["unit"]
    assert ctl.kind is field.annotation
    bounds = {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt", "le", "lt")
              if getattr(m, name, None) is not None}
    assert ctl.low == bounds.get("ge", bounds.get("gt"))
    assert ctl.high == bounds.get("le", bounds.get("lt"))
    assert ctl.low_open == ("gt" in bounds)
    assert ctl.description in ctl.help_text() and path in ctl.help_text()


def test_control_titles_use_the_scenarios_names():
    sides = load_scenario(HOME).meta.sides
    assert control("mediator.leverage").title(sides) == "Mediator (United States): leverage"
    assert control("government.goodwill_threshold").title() == "Government: goodwill threshold"


def test_ranges_read_as_words():
    assert control("mediator.leverage").range_text() == "from 0 to 10"
    assert control("insurgent.patience").range_text() == "above 0, up to 1,000"
    assert control("agreement.batch_cap").range_text() == "from 1 to 5,000,000"
    assert control("insurgent.demand_named").range_text() == "on or off"


def test_wide_ranges_get_a_log_slider_that_round_trips():
    patience, cap, attacks = (control(p) for p in ("insurgent.patience",
                                                   "agreement.batch_cap",
                                                   "insurgent.attacks_base"))
    assert patience.log and cap.log and attacks.log
    assert not control("mediator.leverage").log
    for ctl, values in ((patience, [0.01, 0.5, 1.5, 3, 40, 1000]),
                        (cap, [1, 10, 100, 5000, 5_000_000]),
                        (attacks, [0.2, 5, 50, 10_000])):
        for value in values:
            back = ctl.value_at(ctl.position(value))
            assert back == pytest.approx(value, rel=0.05), (ctl.path, value)
        positions = [ctl.value_at(p) for p in range(SLIDER_STEPS + 1)]
        assert positions == sorted(positions)
        assert ctl.low <= positions[0] and positions[-1] == ctl.high
    assert attacks.value_at(0) == 0.0  # a closed lower bound of 0 is reachable
    assert patience.value_at(0) > 0  # an open one is not
    assert isinstance(cap.value_at(57), int)


def test_a_slider_echo_of_a_typed_value_changes_nothing():
    cap, leverage = control("agreement.batch_cap"), control("mediator.leverage")
    snapped = round(cap.position(50))  # the slider snaps 50 to its grid...
    assert cap.value_at(snapped) != 50
    assert cap.from_slider(50, snapped) is None  # ...and that echo is not a choice
    assert cap.from_slider(50, snapped + 3) == cap.value_at(snapped + 3)
    assert leverage.from_slider(1.23, 1.25) is None
    assert leverage.from_slider(1.23, 2.0) == 2.0


# The session


@pytest.fixture
def dash() -> Dashboard:
    return Dashboard(scenario_files(SCENARIOS))


def test_the_dashboard_opens_the_home_scenario_with_its_own_values(dash):
    home = load_scenario(HOME)
    assert dash.path.name == "afghanistan_2020.yaml" and dash.problems == []
    assert {p.name for p in dash.files} >= {"afghanistan_2020.yaml", "teaching_symmetric.yaml"}
    for path in CONTROL_PATHS:
        assert dash.values[path] == read_value(home, path)
    assert dash.values[SEED_PATH] == home.run.seed
    assert dash.scenario == home  # nothing changed, so nothing overridden


def test_stepping_45_days_tells_of_the_walkout_and_the_unilateral_release(dash):
    assert dash.step(45) == 45
    snap = dash.snapshot()
    assert snap.day == 45 and len(snap.series["day"]) == 46
    text = "\n".join(snap.narrative())
    assert "walk out of the talks" in text
    assert "release 100 prisoners unilaterally" in text
    assert snap.series["gov_released"][-1] > 0


def test_reset_keeps_the_chosen_settings(dash):
    dash.set_value("mediator.leverage", 2.5)
    dash.set_value(SEED_PATH, 7)
    dash.step(10)
    dash.reset()
    snap = dash.snapshot()
    assert snap.day == 0 and snap.seed == 7
    assert snap.scenario.mediator.leverage == 2.5
    assert dash.values["mediator.leverage"] == 2.5


def test_a_setting_restarts_the_run(dash):
    dash.step(5)
    dash.set_value("insurgent.patience", 1.0)
    assert dash.snapshot().day == 0
    assert dash.scenario.insurgent.patience == 1.0


def test_a_control_is_an_override_like_set(dash):
    base = dash.base
    assert dash.values["government.goodwill_threshold"] == 0.6  # the scenario's own value
    dash.set_value("government.goodwill_threshold", 0.3)
    assert dash.scenario == with_overrides(base, {"government.goodwill_threshold": 0.3})
    assert [s.label for s in dash.scenario.timeline] == [s.label for s in base.timeline]
    dash.set_value("government.goodwill_threshold", 0.6)
    assert dash.scenario == base  # back to the file's value


def test_a_refused_value_is_told_at_its_field_and_the_run_goes_on(dash):
    dash.step(3)
    dash.set_value("agreement.batch_cap", 50)  # below the unilateral batch (100): refused
    assert dash.field_problems == {"agreement.batch_cap": (
        "Agreement: batch cap: 50 was not used: the Afghan government's unilateral batch "
        "(100) exceeds the agreement's batch cap (50). The run uses 100.")}
    assert dash.values["agreement.batch_cap"] == 100  # the field shows the value in use
    assert dash.scenario.agreement.batch_cap == 100 and dash.snapshot().day == 3
    patience = dash.scenario.insurgent.patience
    dash.set_value("insurgent.patience", 0)
    assert dash.field_problems["insurgent.patience"] == (
        "Insurgent (Taliban): patience: 0 was not used: allowed above 0, up to 1,000. "
        f"The run uses {patience:g}.")
    dash.set_value("insurgent.patience", 2.0)
    assert dash.field_problems == {}
    assert dash.scenario.insurgent.patience == 2.0 and dash.values["agreement.batch_cap"] == 100


def test_a_bad_file_is_reported_like_the_cli_and_the_session_goes_on(tmp_path):
    bad = write_yaml(tmp_path / "bad.yaml",
                     "insurgent:\n  patience: 0\n  mood: grim\nagreement:\n  batch_cap: x\n")
    dash = Dashboard(scenario_files(SCENARIOS, bad), bad)
    done = cli("validate", bad)
    assert done.returncode == 2
    assert dash.file_problems == done.stderr.strip().splitlines()
    assert len(dash.file_problems) == 3
    assert dash.snapshot() is None and dash.step(5) == 0 and dash.finished
    dash.set_value("insurgent.patience", 3)  # ignored: no valid scenario
    assert bad.resolve() in dash.files
    dash.choose(TEACHING)
    assert dash.problems == [] and dash.snapshot().day == 0
    dash.choose(tmp_path / "missing.yaml")
    assert dash.file_problems and "file not found" in dash.file_problems[0]


def test_from_environment(monkeypatch, tmp_path):
    write_yaml(tmp_path / "one.yaml", TEACHING.read_text(encoding="utf-8"))
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    monkeypatch.setenv(state.SCENARIOS_ENV, str(tmp_path))
    monkeypatch.setenv(state.SCENARIO_ENV, str(HOME))
    dash = Dashboard.from_environment()
    assert [p.name for p in dash.files] == ["one.yaml", "afghanistan_2020.yaml"]
    assert dash.path == HOME.resolve()
    monkeypatch.delenv(state.SCENARIO_ENV)
    assert Dashboard.from_environment().path.name == "one.yaml"


def test_variant_changes_only_what_differs():
    home = load_scenario(HOME)
    same = {p: read_value(home, p) for p in CONTROL_PATHS}
    assert variant(home, same) is home
    changed = variant(home, {**same, "insurgent.demand_named": False})
    assert isinstance(changed, Scenario) and changed.insurgent.demand_named is False
    assert changed.timeline == home.timeline


# Against the odds


def test_odds_overlay_the_current_run_on_many_seeds():
    dash = Dashboard([TEACHING])
    dash.step(30)
    snap = dash.snapshot()
    ensemble = run_odds(dash.scenario, 6)
    assert ensemble.seeds == [seed_of(snap.seed, i) for i in range(6)]
    assert odds_match(ensemble, snap)
    rows = {row.key: row for row in odds_rows(ensemble, snap)}
    assert rows["gov_released"].you == snap.series["gov_released"][-1]
    assert 0 <= rows["gov_released"].lower <= 1
    facts = odds_facts(ensemble, snap)
    assert facts[0].startswith("A walkout by day 30")
    assert "pattern" in facts[-1]
    assert png(odds_figure(ensemble, snap))[:4] == b"\x89PNG"
    dash.set_value("mediator.leverage", 3.0)
    assert not odds_match(ensemble, dash.snapshot())


# Figures draw without warnings (warnings are errors in this suite)


def test_live_panels_draw_on_day_0_and_later(dash):
    assert png(live_panels(dash.snapshot()))[:4] == b"\x89PNG"
    dash.step(60)
    fig = live_panels(dash.snapshot())
    assert len(fig.axes) == 5
    assert png(fig)[:4] == b"\x89PNG"


def test_the_comparison_figure_draws():
    game = Game(load_scenario(TEACHING), "mediator")
    game.play_days(game.default_move(), 8)
    assert png(comparison_figure(game.compare(4)))[:4] == b"\x89PNG"


# The page, rendered in a virtual kernel (no browser)


@pytest.fixture
def kernel():
    import solara.server.kernel_context as kernel_context

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        with kernel_context.create_dummy_context():
            yield
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def html(rc, testid: str) -> str:
    import solara.widgets

    found = [w for w in rc.find(solara.widgets.HTML).widgets
             if w.attributes.get("data-testid") == testid]
    assert len(found) == 1, testid
    return found[0].unsafe_innerHTML


def test_the_page_steps_and_tells(kernel, monkeypatch):
    import ipyvuetify as v
    import solara

    from sim.ui.app import page

    monkeypatch.setenv(state.SCENARIO_ENV, str(HOME))
    _, rc = solara.render(page.Page(), handle_error=False)
    try:
        assert html(rc, "status").startswith("Day 0 of 200")
        days = rc.find(v.TextField, label="days per step").widget
        days.v_model = "0"  # refused at the field, in words; the field goes back to 1
        days.fire_event("focusout", {})
        alerts = [str(w.children) for w in rc.find(v.Alert).widgets]
        assert any("days per step: 0 was not used: allowed 1 to 3,650. The page uses 1." in a
                   for a in alerts), alerts
        assert rc.find(v.TextField, label="days per step").widget.v_model == "1"
        days.v_model = "45"
        days.fire_event("focusout", {})
        assert not any("days per step" in str(w.children) for w in rc.find(v.Alert).widgets)
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert html(rc, "status").startswith("Day 45 of 200 (2020-04-14)")
        log = html(rc, "narrative")
        assert "walk out of the talks" in log and "unilaterally" in log
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert html(rc, "status").startswith("Day 0 of 200")
    finally:
        rc.close()


def test_the_sidebar_shows_a_refused_value(kernel):
    import ipyvuetify as v
    import solara

    from sim.ui.app import page

    @solara.component
    def Harness(dash):
        version, set_version = solara.use_state(0)
        page.Sidebar(dash, version, lambda: set_version(version + 1), lambda: None)

    dash = Dashboard(scenario_files(SCENARIOS), HOME)
    _, rc = solara.render(Harness(dash), handle_error=False)
    try:
        field = rc.find(v.TextField, label="prisoners/day").widget
        field.v_model = "50"
        field.fire_event("focusout", {})
        alerts = [str(w.children) for w in rc.find(v.Alert).widgets]
        assert any("Agreement: batch cap: 50 was not used" in a for a in alerts), alerts
        assert rc.find(v.TextField, label="prisoners/day").widget.v_model == "100"
    finally:
        rc.close()


def test_role_play_in_the_page(kernel, monkeypatch):
    import ipyvuetify as v
    import solara

    from sim.ui.app import page

    monkeypatch.setenv(state.SCENARIO_ENV, str(TEACHING))
    _, rc = solara.render(page.Page(), handle_error=False)
    try:
        rc.find(v.Tabs).widget.v_model = 2
        rc.find(v.BtnToggle).widget.v_model = 1  # the second seat: the insurgent
        rc.find(v.Btn, children=["Start the game"]).widget.click()
        assert "You are the Red movement (insurgent). Day 0" in html(rc, "game-status")
        rc.find(v.Btn, children=["Play day 1"]).widget.click()
        rc.find(v.Btn, children=["Play day 2"]).widget.click()
        assert "Day 2 of 120" in html(rc, "game-status")
    finally:
        rc.close()


def test_play_runs_day_by_day_until_paused(kernel, monkeypatch):
    import time

    import ipyvuetify as v
    import solara

    from sim.ui.app import page

    monkeypatch.setenv(state.SCENARIO_ENV, str(TEACHING))
    _, rc = solara.render(page.Page(), handle_error=False)
    try:
        rc.find(v.Btn, children=["Play"]).widget.click()
        deadline = time.monotonic() + 20
        while "Day 0 " in html(rc, "status") or "Day 1 " in html(rc, "status"):
            assert time.monotonic() < deadline, "Play did not advance the run"
            time.sleep(0.1)
        rc.find(v.Btn, children=["Pause"]).widget.click()
        time.sleep(0.5)  # a day in progress finishes
        paused = html(rc, "status")
        time.sleep(0.6)
        assert html(rc, "status") == paused
    finally:
        rc.close()


def test_reload_brings_back_the_files_values(kernel):
    import ipyvuetify as v
    import solara

    from sim.ui.app import page

    @solara.component
    def Harness(dash):
        version, set_version = solara.use_state(0)
        page.Sidebar(dash, version, lambda: set_version(version + 1), lambda: None)

    dash = Dashboard(scenario_files(SCENARIOS), HOME)
    dash.set_value("mediator.leverage", 4.0)
    _, rc = solara.render(Harness(dash), handle_error=False)
    try:
        rc.find(v.Btn, children=["Reload the scenario file"]).widget.click()
        assert dash.values["mediator.leverage"] == 1.0
        assert rc.find(v.TextField, label="value").widget.v_model == "1.0"
    finally:
        rc.close()
