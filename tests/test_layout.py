"""The layout shows the architecture: front ends in sim/ui are shells; imports flow one way."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

SIM = ROOT / "sim"
MAX_LINES = 500


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def sim_files(under: Path = SIM) -> list[Path]:
    return sorted(under.rglob("*.py"))


def test_the_core_never_imports_a_front_end():
    # python -m sim is the one door from the package into its command line.
    core = [p for p in sim_files() if SIM / "ui" not in p.parents and p.name != "__main__.py"]
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p)
                                                  if m.startswith("sim.ui"))
                 for p in core}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_dashboard_plays_through_the_core_not_the_terminal():
    for path in sim_files(SIM / "ui" / "app"):
        assert not any(m.startswith("sim.ui.terminal") or m.startswith("sim.ui.cli")
                       for m in imported_modules(path)), path


def test_no_file_in_sim_is_longer_than_a_few_screens():
    long = {str(p.relative_to(ROOT)): n for p in sim_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_each_rule_s_array_form_sits_directly_below_the_rule():
    # One module holds a rule in both its forms, so that changing it touches one file.
    misplaced, found = [], 0
    for path in sim_files(SIM / "agents") + sim_files(SIM / "mechanisms"):
        names = [node.name for node in ast.parse(path.read_text(encoding="utf-8")).body
                 if isinstance(node, ast.FunctionDef)]
        for before, name in zip(["", *names], names, strict=False):
            if name.endswith("_over_runs"):
                found += 1
                if before != name.removesuffix("_over_runs"):
                    misplaced.append(f"{path.relative_to(ROOT)}: {name} after {before or '-'}")
    assert found > 0 and misplaced == []


DAY = ("_apply_shocks", "_violence", "_negotiate", "_stall_and_walkout", "_unilateral_release",
       "_insurgent_releases", "_return_to_fight", "_check_end")


def test_each_stage_of_a_day_is_written_once_in_both_forms_side_by_side():
    from sim import stages
    from sim.engine.block import Block
    from sim.model import ParleyModel

    for module in stages.STAGES:
        assert module.OneRun in ParleyModel.__mro__, module.__name__
        assert module.OverRuns in Block.__mro__, module.__name__
    for name in DAY:
        homes = [m.__name__ for m in stages.STAGES
                 if name in vars(m.OneRun) and name in vars(m.OverRuns)]
        assert len(homes) == 1, (name, homes)  # one module holds the stage, in both forms
        assert name not in vars(ParleyModel) and name not in vars(Block), name
