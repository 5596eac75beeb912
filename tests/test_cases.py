"""The historical cases and their counterfactuals, over the runs the cases ask for.

Each case's targets are in ``data/*_targets.yaml``; ``parley cases`` prints the same lines.
Each counterfactual leaves one mechanism out and must change what the mechanism is there for.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import ROOT, SCENARIOS, cli

from sim.cases import Target, check, load_targets, run_case
from sim.ensemble import run_ensemble
from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario

RUNS = 200


@pytest.mark.parametrize("case", ["afghanistan_2020", "russia_ukraine_2025"])
def test_every_target_of_the_case_is_met(case):
    report = run_case(SCENARIOS / f"{case}.yaml", workers=2)
    assert report.runs == RUNS
    missed = [r.line() for r in report.results if not r.passed]
    assert not missed


def ensemble(name: str, days: int = 200, kept=("gov_released", "ins_released", "attacks")):
    return run_ensemble(load_scenario(SCENARIOS / f"{name}.yaml"), RUNS, days, 2, kept=kept)


@pytest.fixture(scope="module")
def home():
    return ensemble("afghanistan_2020")


def completed_by(e, day: int) -> float:
    return float(np.mean(np.nan_to_num(e.values("completion_day"), nan=np.inf) <= day))


def test_without_recognition_the_exchange_never_completes(home):
    never = ensemble("afghanistan_2020_no_verification")
    assert completed_by(home, 200) >= 0.7
    assert completed_by(never, 200) <= 0.05
    assert np.median(never.values("ins_released")) < np.median(home.values("ins_released"))


def test_without_the_approval_the_barred_prisoners_stay_held(home):
    barred = ensemble("afghanistan_2020_no_approval")
    assert completed_by(barred, 200) == 0.0
    assert np.max(barred.values("gov_released")) <= 5000 - 400


def test_without_the_pledge_the_government_frees_fewer_by_mid_year(home):
    unpledged = ensemble("afghanistan_2020_no_pledge")
    day = 155
    assert (np.median(unpledged.series["gov_released"][:, day])
            < np.median(home.series["gov_released"][:, day]))
    assert completed_by(unpledged, 200) < completed_by(home, 200)


def test_the_halts_hold_the_government_back(home):
    free = ensemble("afghanistan_2020_no_halts")
    assert np.all(free.values("halted_days") == 0) and np.all(home.values("halted_days") > 0)
    # The same seeds on both sides: the paired difference is the halts' own effect.
    delay = home.values("completion_day") - free.values("completion_day")
    assert np.nanmean(delay) > 0


def test_a_ceasefire_quiets_its_days(home):
    fighting = ensemble("afghanistan_2020_no_ceasefires")
    days = [85, 86, 87, 153, 154, 155]
    quiet = home.series["attacks"][:, days].mean()
    usual = fighting.series["attacks"][:, days].mean()
    assert quiet < 0.25 * usual
    assert np.all(fighting.values("truce_days") == 0) and np.all(home.values("truce_days") == 6)


def test_a_swap_in_turn_completes_later_than_a_simultaneous_one():
    simultaneous = ensemble("russia_ukraine_2025", days=30)
    in_turn = ensemble("russia_ukraine_2025_sequential", days=30)
    assert np.all(in_turn.values("completion_day") > simultaneous.values("completion_day"))
    assert np.all(in_turn.values("unilateral_releases") == 0)


def test_a_truce_tied_to_releases_lasts_while_they_flow():
    lesson = load_scenario(SCENARIOS / "teaching_truce.yaml")
    data = lesson.model_dump(mode="json")
    data["timeline"][0]["truce"]["per_prisoners"] = 20  # too little for the pace of releases
    stingy = Scenario.model_validate(data)
    for scenario, outlasts in ((lesson, True), (stingy, False)):
        runs = run_ensemble(scenario, 50, 80, 1)
        lapses, done = runs.values("truce_lapse_day"), runs.values("completion_day")
        both = np.isfinite(lapses) & np.isfinite(done)
        assert both.mean() > 0.5
        assert np.all((lapses[both] >= done[both]) == outlasts)


def test_targets_name_real_outputs_and_say_what_they_need():
    with pytest.raises(ValueError, match="neither a summary field nor a series column"):
        Target(field="completion_dya", between=(0, 1))
    with pytest.raises(ValueError, match="needs a day"):
        Target(field="gov_released", between=(0, 1))
    with pytest.raises(ValueError, match="needs a range"):
        Target(field="completion_day")


def test_a_share_target_counts_missing_values_as_asked():
    summaries = [{"completion_day": 10}, {"completion_day": None}, {"completion_day": 30}]
    met = Target(field="completion_day", statistic="share", between=(0, 20), at_least=0.6,
                 missing_ok=True)
    strict = met.model_copy(update={"missing_ok": False})
    assert check([met], summaries, {})[0].value == pytest.approx(2 / 3)
    assert check([strict], summaries, {})[0].value == pytest.approx(1 / 3)
    assert not check([strict], summaries, {})[0].passed


def test_a_bad_targets_file_is_one_clear_line(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("runs: 10\ntargets:\n  - {field: pattern, statistic: sometimes}\n")
    with pytest.raises(ScenarioError) as err:
        load_targets(bad)
    assert "targets.0.statistic" in str(err.value) and f"{bad}:3" in str(err.value)


def test_parley_cases_prints_a_line_per_case_and_the_tally():
    result = cli("cases", "--seeds", "20", cwd=ROOT)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"cases_passed=\d/2", lines[-1])
    cases = [line for line in lines if line.startswith(("PASS ", "FAIL "))]
    assert [line.split()[1] for line in cases] == ["afghanistan_2020:", "russia_ukraine_2025:"]
    assert all("over 20 runs" in line for line in cases)
