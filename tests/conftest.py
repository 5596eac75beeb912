"""Shared helpers: scripted views, small scenarios, files in tmp_path and CLI subprocesses."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from sim.agents.base import FrozenView, Phase
from sim.model import ParleyModel
from sim.outputs import SERIES_COLUMNS
from sim.pools import Pool, ReleaseMode
from sim.scenario import Scenario, deep_merge

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TEACHING = SCENARIOS / "teaching_symmetric.yaml"
HOME = SCENARIOS / "afghanistan_2020.yaml"
# The console script installed beside the interpreter running the tests (the venv's).
PARLEY = Path(sys.executable).parent / "parley"

# A view of a day well into talks in session, with nothing pending and no pressure. Tests
# change only the fields their rule reads, so each expectation can be worked out by hand.
VIEW_DEFAULTS: dict[str, Any] = {
    "day": 20,
    "phase": Phase.IN_SESSION,
    "talks_day": 10,
    "days_without_agreement": 0,
    "gap": 0.0,
    "days_past_deadline": 10,
    "round_size": 100,
    "batch_cap": 100,
    "government_room_today": 100,
    "insurgent_room_today": 100,
    "ratio": 1.0,
    "named_total": 10,
    "named_released": 0,
    "named_available": 10,
    "government_remaining": 1000,
    "insurgent_remaining": 200,
    "deal_released": 0,
    "unilateral_released": 0,
    "compliant_credit": 0,
    "discounted_value": 0.0,
    "insurgent_released": 0,
    "reciprocal_released": 0,
    "goodwill_released": 0,
    "insurgent_promised": 0,
    "programme_left": 10**6,
    "government_halted": False,
    "insurgent_halted": False,
    "condition_on_government": 0,
    "truce_days_left": 0,
    "round_pending": False,
    "last_unilateral_day": -(10**9),
    "attacks_recent": 20.0,
    "frustration": 0.0,
    "trust": 0.3,
    "pressure_mediator": 0.0,
    "pressure_humanitarian": 0.0,
    "pressure_domestic": 0.0,
    "pressure_on_insurgent": 0.0,
    "disengagement": 0.0,
}


def make_view(**overrides: Any) -> FrozenView:
    """A view with the defaults above and ``overrides`` (unknown names raise)."""
    return FrozenView(**{**VIEW_DEFAULTS, **overrides})


def teaching_dict() -> dict:
    """The teaching scenario as a raw dict, as read from its file."""
    return yaml.safe_load(TEACHING.read_text(encoding="utf-8"))


# A small scenario in which talks can never succeed: the insurgent holds out for everything,
# including every named senior, and the government counts the named seniors as too costly to
# ever free. Humanitarian pressure (a shock on day 1) and a zero domestic weight keep the
# government's felt pressure above its threshold, so it releases on its own while stalled.
STALLED: dict = {
    "meta": {"name": "stalled", "sides": {"government": "Gov", "insurgent": "Ins",
                                          "mediator": "Med"}},
    "government": {"aspiration_max": 0.9, "aspiration_min": 0.5, "horizon_days": 20,
                   "size_cost": 0.2, "named_cost": 3.0, "domestic_weight": 0.0,
                   "goodwill_threshold": 0.2, "stall_days": 2, "unilateral_batch": 10,
                   "unilateral_cooldown": 3},
    "insurgent": {"aspiration_max": 1.0, "aspiration_min": 1.0, "pressure_concession": 0.0,
                  "demand_named": True, "patience": 1.0, "frustration_rate": 1.0,
                  "attacks_base": 5.0},
    "mediator": {"violence_reference": 5.0, "strike_threshold": 1000.0},
    "pools": {"government_holds": {"size": 150, "listed": 120, "named": 8},
              "insurgent_holds": {"size": 60, "listed": 40}},
    "agreement": {"government_commitment": 120, "insurgent_commitment": 40, "ratio": 3.0,
                  "round_size": 20, "batch_cap": 20, "deadline_day": 3},
    "timeline": [{"day": 1, "kind": "decree", "label": "an appeal for the sick",
                  "pressure": {"humanitarian": 2.0}}],
    "run": {"days": 40, "seed": 0},
}


def build(base: dict, **sections: dict) -> Scenario:
    """Validate ``base`` with each keyword's section merged over it (``run={"seed": 3}``)."""
    return Scenario.model_validate(deep_merge(base, sections))


def stalled(**sections: dict) -> Scenario:
    """The stalled scenario above, with sections merged over it."""
    return build(STALLED, **sections)


def teaching(**sections: dict) -> Scenario:
    """The teaching scenario, with sections merged over it."""
    return build(teaching_dict(), **sections)


def write_yaml(path: Path, data: dict | str) -> Path:
    """Write a scenario (a dict, or raw text) to ``path`` and return it."""
    text = data if isinstance(data, str) else yaml.safe_dump(copy.deepcopy(data),
                                                             sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _run(argv: list[str | Path], *, input: str | None = None, timeout: float = 120,
         cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``argv`` in a subprocess as a user's shell would, output not to a terminal.

    COLUMNS and LINES are removed so that the output width is the same on every machine.
    Standard input is ``input``, or empty (``/dev/null``) when it is None.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    stdin = subprocess.DEVNULL if input is None else None
    return subprocess.run([str(a) for a in argv], input=input, stdin=stdin, capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout, check=False)


def cli(*args: str | Path, cwd: Path | None = None, input: str | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``parley ARGS`` in a subprocess (see :func:`_run`)."""
    return _run([PARLEY, *args], input=input, timeout=timeout, cwd=cwd or ROOT)


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """``parley ARGS`` in this process (Typer's runner): exit code, stdout and stderr.

    An exception other than an exit (what would print a traceback) fails the test.
    """
    from typer.testing import CliRunner

    from sim.ui.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def python_m_sim(*args: str | Path) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGS`` in a subprocess with the project's interpreter."""
    return _run([sys.executable, "-m", "sim", *args])


def free_port() -> int:
    """A local TCP port that nothing listens on (the system just handed it out)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CUMULATIVE = ("gov_released", "ins_released", "named_released", "gov_deal_released",
              "gov_unilateral_released", "returned_fighters")


def check_series(series: dict[str, np.ndarray], scenario: Scenario) -> None:
    """Every day: nobody appears or vanishes, and nothing once released is taken back."""
    days = scenario.run.days
    gov_size = scenario.pools.government_holds.size
    ins_size = scenario.pools.insurgent_holds.size
    assert set(series) == set(SERIES_COLUMNS)
    assert np.array_equal(series["day"], np.arange(days + 1))
    assert not any(np.isnan(col).any() for col in series.values())
    assert np.array_equal(series["gov_held"] + series["gov_released"], np.full(days + 1, gov_size))
    assert np.array_equal(series["ins_held"] + series["ins_released"], np.full(days + 1, ins_size))
    for name in CUMULATIVE:
        assert (np.diff(series[name]) >= 0).all(), f"{name} fell"
    assert series["gov_released"][0] == 0 and series["ins_released"][0] == 0
    assert np.array_equal(series["gov_deal_released"] + series["gov_unilateral_released"],
                          series["gov_released"])
    assert (series["named_released"] <= series["gov_released"]).all()
    assert (series["gov_held"] >= 0).all() and (series["ins_held"] >= 0).all()
    # No side frees more in a day than the agreement's daily cap allows.
    cap = scenario.agreement.batch_cap
    assert (np.diff(series["gov_deal_released"]) <= cap).all()
    assert (np.diff(series["gov_unilateral_released"])
            <= scenario.government.unilateral_batch).all()
    assert (np.diff(series["ins_released"]) <= cap).all()


def released_by_day(pool: Pool, days: int) -> np.ndarray:
    """Cumulative releases on each day, counted row by row from the pool."""
    freed = ~pool.held
    return np.bincount(pool.release_day[freed], minlength=days + 1).cumsum()


def check_pools(model: ParleyModel, series: dict[str, np.ndarray]) -> None:
    """The pool rows agree with the series: each prisoner left once, on one day, in one way."""
    days = model.days
    for pool, col in ((model.gov_pool, "gov_released"), (model.ins_pool, "ins_released")):
        freed = ~pool.held
        assert np.array_equal(pool.release_day >= 0, freed)
        assert np.array_equal(pool.release_mode != ReleaseMode.HELD, freed)
        assert pool.n_released == freed.sum()
        assert np.array_equal(released_by_day(pool, days), series[col])
    gov = model.gov_pool
    deal = gov.release_mode == ReleaseMode.DEAL
    unilateral = gov.release_mode == ReleaseMode.UNILATERAL
    assert not (gov.release_mode == ReleaseMode.GOODWILL).any()
    assert deal.sum() == series["gov_deal_released"][-1]
    assert unilateral.sum() == series["gov_unilateral_released"][-1]
    assert (gov.named & ~gov.held).sum() == series["named_released"][-1]
    assert not gov.named[unilateral].any(), "a named prisoner was released unilaterally"
    assert not gov.oath[deal].any()
    assert (gov.oath[unilateral] == model.params.government.oath).all()
    assert not (model.ins_pool.release_mode == ReleaseMode.UNILATERAL).any()


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh seeded generator for stochastic decision rules."""
    return np.random.default_rng(12345)


def assert_refused(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit code 2, one ``error:`` line on stderr holding every fragment, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_small_sobol(folder: Path) -> Path:
    """Run a small Sobol sweep in ``folder`` (N = 4 over 2 parameters of the teaching scenario:
    16 runs of 30 days) and return its output folder."""
    from sim import sweep

    spec_file = write_yaml(folder / "sobol.yaml", {
        "name": "sobol", "base": str(TEACHING),
        "parameters": [{"path": "insurgent.patience", "bounds": [0.5, 5.0]},
                       {"path": "mediator.leverage", "bounds": [0.0, 3.0]}],
        "design": {"method": "sobol", "samples": 4}, "replicates": 1, "days": 30})
    return sweep.run(spec_file, folder / "out", workers=1).out
