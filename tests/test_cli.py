"""The command line on good input: run with outputs, overrides, schema, describe, help."""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from conftest import TEACHING, cli, python_m_sim

from sim.model import SERIES_COLUMNS
from sim.runner import run
from sim.scenario import describe, load_scenario

OUTPUTS = {"series.csv", "events.csv", "summary.csv", "summary.json", "scenario.yaml", "run.json"}


def jsonable(summary: dict) -> dict:
    return json.loads(json.dumps(summary, default=str))


@pytest.fixture(scope="module")
def teaching_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "teaching"
    proc = cli("run", TEACHING, "--out", out, "--format", "csv")
    return proc, out


def test_run_writes_every_output(teaching_run):
    proc, out = teaching_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p.name for p in out.iterdir()} == OUTPUTS
    # No temporary folder is left beside the outputs.
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_run_outputs_hold_the_run(teaching_run):
    _, out = teaching_run
    spec = load_scenario(TEACHING)
    with (out / "series.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == spec.run.days + 1
    assert set(SERIES_COLUMNS) <= set(rows[0])
    with (out / "events.csv").open(newline="", encoding="utf-8") as f:
        events = list(csv.DictReader(f))
    assert events and {"day", "actor", "kind", "sentence", "details"} <= set(events[0])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected = run(spec)
    assert summary == jsonable(expected.summary)
    assert len(events) == len(expected.events)


def test_written_scenario_reloads_and_reproduces_the_summary(teaching_run):
    _, out = teaching_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    again = load_scenario(out / "scenario.yaml")
    assert again == load_scenario(TEACHING)
    assert jsonable(run(again).summary) == summary


def test_run_with_set_overrides_a_parameter(tmp_path):
    out = tmp_path / "patient"
    proc = cli("run", TEACHING, "--set", "insurgent.patience=5", "--seed", "3", "--days", "40",
               "--out", out, "--format", "csv", "--no-narrative")
    assert proc.returncode == 0, proc.stderr
    written = load_scenario(out / "scenario.yaml")
    assert written.insurgent.patience == 5.0
    assert written.run.seed == 3 and written.run.days == 40
    expected = load_scenario(TEACHING, {"insurgent.patience": 5, "run.seed": 3, "run.days": 40})
    assert written == expected
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == jsonable(run(expected).summary)
    assert summary["seed"] == 3 and summary["days"] == 40


def test_schema_prints_json_schema():
    proc = cli("schema")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert "properties" in schema
    for section in ("meta", "government", "insurgent", "mediator", "pools", "agreement",
                    "run", "extends"):
        assert section in schema["properties"]


def test_describe_lists_every_parameter_path():
    proc = cli("describe", TEACHING)
    assert proc.returncode == 0, proc.stderr
    # Every parameter path appears whole, so `parley describe FILE | grep PATH` finds it
    # (the output goes to a pipe here, as it does for a user who pipes it).
    paths = [path for path, *_ in describe(load_scenario(TEACHING))]
    assert "insurgent.patience" in paths
    missing = [path for path in paths if path not in proc.stdout]
    assert not missing, f"{len(missing)} of {len(paths)} paths broken, e.g. {missing[:5]}"


def test_describe_rows_carry_value_unit_and_meaning():
    spec = load_scenario(TEACHING)
    rows = {path: (value, unit, meaning) for path, value, unit, meaning in describe(spec)}
    assert rows["insurgent.patience"][0] == 3.0
    assert rows["insurgent.patience"][1] == "frustration"
    assert rows["insurgent.patience"][2]
    assert rows["pools.government_holds.size"][0] == 100
    assert all(meaning for _, _, meaning in rows.values())


def test_python_m_sim_help():
    proc = python_m_sim("--help")
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "validate", "schema", "describe"):
        assert command in proc.stdout


def test_run_prints_narrative_and_summary():
    proc = cli("run", TEACHING, "--days", "20")
    assert proc.returncode == 0, proc.stderr
    assert "Day 5 (2024-01-06)" in proc.stdout
    assert "teaching_symmetric" in proc.stdout


def test_unknown_format_is_refused(tmp_path):
    proc = cli("run", TEACHING, "--out", tmp_path / "x", "--format", "xlsx", "--no-narrative")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "xlsx" in proc.stderr
    assert not (tmp_path / "x").exists()


def test_written_scenario_is_plain_yaml(teaching_run):
    _, out = teaching_run
    data = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert data["meta"]["name"] == "teaching_symmetric"
    assert "extends" not in data
