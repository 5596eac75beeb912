"""Bad scenario input, class by class: through the loader and through the command line.

Each case writes its files into ``tmp_path`` and names the field a user must fix. The loader
must raise :class:`ScenarioError` with one complete :class:`Problem` per fault; the CLI must
exit with code 2, print no traceback, and print one line per problem naming file and field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import cli, teaching_dict, write_yaml

from sim.errors import Problem, ScenarioError
from sim.scenario import deep_merge, load_scenario


@dataclass
class Case:
    """A bad input: how to write it, and what the report of it must say."""

    write: Callable[[Path], Path]
    field: str                      # the path a user must fix, as it must appear in the report
    says: tuple[str, ...]           # further text the report must contain
    overrides: dict = field(default_factory=dict)
    check: Callable[[Problem, Path], None] | None = None


def variant(tmp: Path, name: str, **sections) -> Path:
    return write_yaml(tmp / name, deep_merge(teaching_dict(), sections))


def write_malformed(tmp: Path) -> Path:
    return write_yaml(tmp / "malformed.yaml",
                      "meta:\n  name: broken\ninsurgent:\n  patience: 3: 4\n")


def write_unknown_key(tmp: Path) -> Path:
    return variant(tmp, "unknown_key.yaml", insurgent={"patiense": 3.0})


def check_unknown_key_line(problem: Problem, path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert problem.line is not None
    assert lines[problem.line - 1].strip().startswith("patiense:")


def write_extends_loop(tmp: Path) -> Path:
    write_yaml(tmp / "loop_b.yaml", "extends: loop_a.yaml\nrun:\n  days: 10\n")
    return write_yaml(tmp / "loop_a.yaml", "extends: loop_b.yaml\nrun:\n  seed: 1\n")


def write_missing_base(tmp: Path) -> Path:
    return write_yaml(tmp / "orphan.yaml", "extends: no_such_base.yaml\nrun:\n  days: 10\n")


def write_valid(tmp: Path) -> Path:
    return write_yaml(tmp / "valid.yaml", teaching_dict())


CASES: dict[str, Case] = {
    "malformed_yaml": Case(write_malformed, "", ("malformed YAML", "line 4")),
    "top_level_not_a_mapping": Case(lambda t: write_yaml(t / "list.yaml", "- a\n- b\n"), "",
                                    ("top level is a list",)),
    "unknown_key": Case(write_unknown_key, "insurgent.patiense",
                        ("unknown key", "did you mean 'patience'"),
                        check=check_unknown_key_line),
    "wrong_type": Case(lambda t: variant(t, "wrong_type.yaml", insurgent={"patience": "lots"}),
                       "insurgent.patience", ("'lots'",)),
    "section_not_a_mapping": Case(lambda t: variant(t, "section.yaml", mediator=7),
                                  "mediator", ("7",)),
    "out_of_range": Case(lambda t: variant(t, "range.yaml", insurgent={"patience": -1}),
                         "insurgent.patience", ("> 0",)),
    "more_named_than_listed": Case(
        lambda t: variant(t, "named.yaml", pools={"government_holds": {"listed": 10,
                                                                        "named": 20}}),
        "pools.government_holds", ("named (20)", "listed (10)")),
    "more_listed_than_size": Case(
        lambda t: variant(t, "listed.yaml", pools={"insurgent_holds": {"size": 100,
                                                                        "listed": 150}}),
        "pools.insurgent_holds", ("listed (150)", "size (100)")),
    "impossible_ratio": Case(lambda t: variant(t, "ratio.yaml", agreement={"ratio": 500}),
                             "agreement.ratio", ("impossible",)),
    "batch_cap_above_pool": Case(
        lambda t: variant(t, "cap.yaml", agreement={"batch_cap": 500}),
        "agreement.batch_cap", ("exceeds",)),
    "extends_loop": Case(write_extends_loop, "extends", ("loop", "loop_a.yaml", "loop_b.yaml")),
    "missing_base": Case(write_missing_base, "extends", ("no_such_base.yaml", "not found")),
    "unknown_set_path": Case(write_valid, "insurgent.patiense",
                             ("did you mean 'insurgent.patience'",),
                             overrides={"insurgent.patiense": 3}),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request, tmp_path) -> tuple[Case, Path]:
    spec = CASES[request.param]
    return spec, spec.write(tmp_path)


def test_loader_reports_each_problem(case):
    spec, path = case
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, spec.overrides or None)
    problems = info.value.problems
    assert len(problems) == 1, problems
    problem = problems[0]
    assert isinstance(problem, Problem)
    assert problem.file and problem.message and problem.allowed
    assert isinstance(problem.field, str)
    if spec.overrides:
        assert problem.file == "--set"
    else:
        # The file named is the one to open: the scenario itself or one of its bases.
        assert Path(problem.file).parent.resolve() == path.parent.resolve()
    text = str(problem)
    # Cross-field faults may name the field in their message rather than as the field.
    assert spec.field in f"{problem.field} {problem.message}"
    for bit in spec.says:
        assert bit in text, (bit, text)
    if spec.check:
        spec.check(problem, path)
    # The exception's own message is the problems, one a line.
    assert str(info.value) == text


def test_validate_command_reports_each_problem(case):
    spec, path = case
    if spec.overrides:
        sets = [f"--set={k}={v}" for k, v in spec.overrides.items()]
        proc = cli("run", path, *sets, "--no-narrative")
    else:
        proc = cli("validate", path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert "ok:" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, spec.overrides or None)
    assert len(lines) == len(info.value.problems)
    for line in lines:
        assert line.startswith("error: ")
        assert "--set" in line if spec.overrides else path.name in line
        assert spec.field in line
        for bit in spec.says:
            assert bit in line, (bit, line)


@pytest.mark.parametrize("name", ["unknown_key", "impossible_ratio", "extends_loop",
                                  "unknown_set_path"])
def test_run_with_bad_input_writes_nothing(name, tmp_path):
    spec = CASES[name]
    path = spec.write(tmp_path)
    out = tmp_path / "results"
    sets = [f"--set={k}={v}" for k, v in spec.overrides.items()]
    proc = cli("run", path, *sets, "--out", out, "--format", "csv", "--no-narrative")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


def test_validate_reports_bad_files_and_passes_good_ones(tmp_path):
    good = write_valid(tmp_path)
    bad = write_unknown_key(tmp_path)
    worse = CASES["impossible_ratio"].write(tmp_path)
    proc = cli("validate", good, bad, worse)
    assert proc.returncode == 2
    assert f"ok: {good}" in proc.stdout
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2
    assert bad.name in errors[0] and worse.name in errors[1]


def test_validate_accepts_a_good_file(tmp_path):
    proc = cli("validate", write_valid(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok:") and proc.stderr == ""


def test_set_with_a_bad_value_names_the_flag(tmp_path):
    path = write_valid(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, {"insurgent.patience": -3})
    (problem,) = info.value.problems
    assert problem.field == "insurgent.patience"
    assert problem.file == "--set"
    proc = cli("run", path, "--set", "insurgent.patience=-3", "--no-narrative")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "insurgent.patience" in proc.stderr and "--set" in proc.stderr


def test_set_without_equals_is_refused(tmp_path):
    proc = cli("run", write_valid(tmp_path), "--set", "insurgent.patience", "--no-narrative")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "dotted.path=value" in proc.stderr


def test_missing_scenario_file(tmp_path):
    missing = tmp_path / "absent.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert "not found" in info.value.problems[0].message
    proc = cli("validate", missing)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "absent.yaml" in proc.stderr
