"""The command line's tables and lines fit a terminal of 80 columns.

Each command runs as on an 80-column terminal (``COLUMNS=80``, which rich and ``describe``
honour when the output is not a terminal) and no line of its output may be wider.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import HOME, PARLEY, ROOT, TEACHING, run_small_sobol


def at_80_columns(*args) -> subprocess.CompletedProcess:
    """``parley ARGS`` with COLUMNS=80, output not to a terminal."""
    env = {k: v for k, v in os.environ.items() if k != "LINES"} | {"COLUMNS": "80"}
    return subprocess.run([str(PARLEY), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, stdin=subprocess.DEVNULL, timeout=300,
                          check=False)


def assert_fits(proc: subprocess.CompletedProcess, at_least: int) -> None:
    """The command succeeded, printed at least ``at_least`` lines, none over 80 characters."""
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) >= at_least, proc.stdout
    wide = [line for line in lines if len(line) > 80]
    assert wide == [], "\n".join(wide)


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    """A small Sobol sweep (N = 4, 2 parameters: 16 runs of 30 days)."""
    return run_small_sobol(tmp_path_factory.mktemp("columns"))


def test_report_fits_80_columns():
    # The home scenario has reported counts: the widest table report prints.
    assert_fits(at_80_columns("report", HOME, "--seeds", "10", "--examples", "1"), 30)


def test_cases_fits_80_columns():
    assert_fits(at_80_columns("cases", "--seeds", "5"), 3)


def test_describe_fits_80_columns():
    proc = at_80_columns("describe", HOME)
    assert_fits(proc, 100)
    # Every parameter path still starts a line whole, for grep.
    assert any(line.startswith("insurgent.patience = ") for line in proc.stdout.splitlines())


def test_run_summary_fits_80_columns():
    # The narrative is prose, one event a line, left for the terminal to wrap (and grep).
    assert_fits(at_80_columns("run", TEACHING, "--days", "60", "--no-narrative"), 30)


def test_sweep_commands_fit_80_columns(finished_sweep):
    assert_fits(at_80_columns("sweep", "status", finished_sweep), 1)
    assert_fits(at_80_columns("analyze", finished_sweep, "--output", "mean_attacks"), 5)
    assert_fits(at_80_columns("sweep", "show", finished_sweep, "--run", "3", "--no-narrative"),
                30)
