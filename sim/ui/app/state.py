"""What one dashboard session sees and does: scenario, classroom controls, the live run, odds.

Nothing here imports Solara, so tests drive a :class:`Dashboard` directly. Every control reads
its default (the scenario's own value), bounds, unit and meaning from the scenario schema;
variants are built with :func:`sim.scenario.with_overrides`, which validates them.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from pydantic.fields import FieldInfo

from sim.agents.base import Phase
from sim.catalog import default_scenarios_dir
from sim.ensemble import Ensemble, run_ensemble
from sim.errors import ScenarioError
from sim.events import Event, EventKind, narrative
from sim.model import ParleyModel
from sim.outcomes import band, share
from sim.outputs import first_day
from sim.roleplay import OutcomeRow, outcome_row
from sim.scenario import Scenario, load_scenario, with_overrides
from sim.scenario import field_at as schema_field  # the dashboard's name for it

CONTROL_PATHS = (
    "mediator.leverage",
    "insurgent.patience",
    "insurgent.demand_named",
    "government.goodwill_threshold",
    "agreement.batch_cap",
    "insurgent.attacks_base",
)
"""The parameters that matter most in class: mediator pressure, insurgent patience, the
named-senior demand, the government's goodwill threshold, the batch cap, baseline violence."""

SEED_PATH = "run.seed"
SLIDER_STEPS = 200
LOG_SPAN = 1e5  # a log slider whose lower bound is 0 starts at its upper bound / LOG_SPAN

SCENARIO_ENV = "PARLEY_SCENARIO"
SCENARIOS_ENV = "PARLEY_SCENARIOS"


def problem_lines(exc: ScenarioError) -> list[str]:
    """The lines ``parley`` prints for a scenario error (see :func:`sim.ui.console.fail`)."""
    return [f"error: {problem}" for problem in exc.problems]


# Controls


def _bound(field: FieldInfo, *names: str) -> tuple[float | None, bool]:
    for meta in field.metadata:
        for name in names:
            value = getattr(meta, name, None)
            if value is not None:
                return float(value), name in ("gt", "lt")
    return None, False


@dataclass(frozen=True)
class Control:
    """A classroom control for one schema parameter: its kind, bounds, unit and meaning."""

    path: str
    kind: type
    description: str
    unit: str
    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False

    @property
    def section(self) -> str:
        """The schema section (``"mediator"``)."""
        return self.path.split(".")[0]

    @property
    def name(self) -> str:
        """The parameter's name in words (``"goodwill threshold"``)."""
        return self.path.split(".")[-1].replace("_", " ")

    def title(self, sides=None) -> str:
        """``"Mediator (United States): leverage"``, with the scenario's name for the side."""
        side = getattr(sides, self.section, None) if sides is not None else None
        head = self.section.capitalize() + (f" ({side})" if side else "")
        return f"{head}: {self.name}"

    @property
    def log(self) -> bool:
        """Whether the slider runs on a log scale (ranges spanning more than a hundred units)."""
        return (self.kind is not bool and self.low is not None and self.high is not None
                and self.high - self.low > 100)

    @property
    def floor(self) -> float:
        """Smallest value a log slider reaches (the lower bound, if it is positive)."""
        assert self.low is not None and self.high is not None
        return self.low if self.low > 0 else self.high / LOG_SPAN

    def range_text(self) -> str:
        """The allowed range, in words (``"from 0 to 10"``, ``"above 0, up to 1,000"``)."""
        if self.kind is bool:
            return "on or off"
        fmt = (lambda v: f"{v:,.0f}") if self.kind is int else (lambda v: f"{v:,g}")
        low = "" if self.low is None else (
            f"above {fmt(self.low)}" if self.low_open else f"from {fmt(self.low)}")
        high = "" if self.high is None else (
            f"below {fmt(self.high)}" if self.high_open else f"to {fmt(self.high)}")
        if low and high:
            return f"{low}, up {high}" if self.low_open else f"{low} {high}"
        return low or high or "any value"

    def help_text(self) -> str:
        """The schema's one-line meaning, unit and range."""
        unit = "" if self.unit in ("1", "flag") else f" [{self.unit}]"
        return f"{self.description}{unit}; allowed {self.range_text()} ({self.path})"

    def step(self) -> float:
        """Step of a linear slider."""
        if self.kind is int:
            return 1
        assert self.low is not None and self.high is not None
        return (self.high - self.low) / SLIDER_STEPS

    def position(self, value: float) -> float:
        """Where a value sits on a log slider, from 0 to :data:`SLIDER_STEPS`."""
        floor = self.floor
        if value <= floor:
            return 0.0
        assert self.high is not None
        frac = math.log(value / floor) / math.log(self.high / floor)
        return round(min(1.0, frac) * SLIDER_STEPS, 3)

    def value_at(self, position: float) -> float | int:
        """The value at a log slider position, rounded to two significant figures."""
        assert self.high is not None and self.low is not None
        frac = min(max(position, 0.0), SLIDER_STEPS) / SLIDER_STEPS
        if frac == 0 and self.low == 0 and not self.low_open:
            value = 0.0
        else:
            value = float(f"{self.floor * (self.high / self.floor) ** frac:.2g}")
            value = min(max(value, self.floor), self.high)
        return round(value) if self.kind is int else value


    def from_slider(self, current: float, slider: float) -> float | int | None:
        """The value a slider movement stands for, or None when it did not really move.

        A slider snaps a value typed in the exact field to its own grid and reports the snapped
        value back; a movement of less than half a step is that echo, not a choice.
        """
        if self.log:
            if abs(slider - self.position(current)) < 0.5:
                return None
            return self.value_at(slider)
        if abs(slider - current) < self.step() / 2:
            return None
        return round(slider) if self.kind is int else slider


def control(path: str) -> Control:
    """The control of one schema parameter, read from the schema only."""
    field = schema_field(path)
    kind = field.annotation if field.annotation in (bool, int, float) else float
    low, low_open = _bound(field, "ge", "gt")
    high, high_open = _bound(field, "le", "lt")
    unit = (field.json_schema_extra or {}).get("unit", "")
    return Control(path, kind, field.description or "", str(unit), low, high, low_open,
                   high_open)


def controls() -> list[Control]:
    """The classroom controls, in the order they are shown."""
    return [control(path) for path in CONTROL_PATHS]


def read_value(scenario: Scenario, path: str) -> Any:
    """A scenario's value at a dotted path."""
    node: Any = scenario
    for part in path.split("."):
        node = getattr(node, part)
    return node


def shocks_setting(scenario: Scenario, path: str) -> list[str]:
    """Sentences for each timeline shock that sets ``path`` (a control overrides them too)."""
    return [f"day {shock.day} ({shock.kind}) sets it to {shock.set[path]:g}"
            for shock in scenario.timeline if path in shock.set]


def variant(base: Scenario, values: dict[str, Any]) -> Scenario:
    """``base`` with the control values that differ from it, validated.

    A control's value is an override like ``--set``: it governs the whole run, replacing what a
    timeline shock would set the parameter to (the home scenario's decree sets the goodwill
    threshold on day 10); the shock still happens, with its label and pressure.

    Raises:
        ScenarioError: with the schema's message when a value is out of bounds or breaks a
            cross-field rule.
    """
    changed = {p: v for p, v in values.items() if read_value(base, p) != v}
    return with_overrides(base, changed) if changed else base


# Scenarios on disk


def scenario_files(folder: Path, extra: Path | None = None) -> list[Path]:
    """The YAML files of a folder (not its subfolders), and ``extra`` if it lies elsewhere."""
    files = sorted(p.resolve() for p in folder.glob("*.y*ml")) if folder.is_dir() else []
    if extra is not None and extra.resolve() not in files:
        files.append(extra.resolve())
    return files


# The live run


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of the live run, taken under the dashboard's lock, for drawing."""

    scenario: Scenario
    seed: int
    day: int
    days: int
    phase: Phase
    series: dict[str, np.ndarray]
    events: tuple[Event, ...]
    patience: float
    goodwill_threshold: float

    @property
    def date(self) -> date:
        """Calendar date of the current day."""
        return self.scenario.meta.start_date + timedelta(days=self.day)

    @property
    def finished(self) -> bool:
        """Whether the run has reached its last day."""
        return self.day >= self.days

    def narrative(self) -> list[str]:
        """The run so far, day by day."""
        return narrative(list(self.events), self.scenario.meta.start_date)

    def first_day(self, kind: EventKind) -> int | None:
        """Day of the first event of a kind so far, or None."""
        return first_day(self.events, kind)


class Dashboard:
    """One browser session: the chosen file, control values, the live run, its problems.

    Args:
        files: scenario files the picker offers.
        chosen: the file to open first (default: ``afghanistan_2020.yaml`` if offered, else
            the first file).
    """

    def __init__(self, files: list[Path], chosen: Path | None = None) -> None:
        self.files = list(files)
        self.lock = threading.RLock()
        self.path: Path | None = None
        self.base: Scenario | None = None
        self.scenario: Scenario | None = None
        self.values: dict[str, Any] = {}
        self.file_problems: list[str] = []
        self.field_problems: dict[str, str] = {}
        self.model: ParleyModel | None = None
        if chosen is None and self.files:
            chosen = next((f for f in self.files if f.name == "afghanistan_2020.yaml"),
                          self.files[0])
        if chosen is not None:
            self.choose(chosen)

    @classmethod
    def from_environment(cls) -> Dashboard:
        """A dashboard over ``$PARLEY_SCENARIOS`` (a folder) opening ``$PARLEY_SCENARIO``."""
        chosen = os.environ.get(SCENARIO_ENV)
        folder = os.environ.get(SCENARIOS_ENV)
        chosen_path = Path(chosen).resolve() if chosen else None
        folder_path = Path(folder) if folder else default_scenarios_dir()
        return cls(scenario_files(folder_path, chosen_path), chosen_path)

    @property
    def controls(self) -> list[Control]:
        """The classroom controls."""
        return controls()

    def choose(self, path: Path | str) -> None:
        """Open a scenario file; controls take its values; the run restarts.

        A file that fails validation leaves no run and lists its problems, as the CLI would.
        """
        path = Path(path)
        with self.lock:
            self.path = path
            self.field_problems = {}
            try:
                base = load_scenario(path)
            except ScenarioError as exc:
                self.file_problems = problem_lines(exc)
                self.base = self.scenario = self.model = None
                self.values = {}
                return
            self.file_problems = []
            self.base = base
            self.values = {c.path: read_value(base, c.path) for c in self.controls}
            self.values[SEED_PATH] = base.run.seed
            self._rebuild()

    def set_value(self, path: str, value: Any) -> None:
        """Change a control (or the seed); the run restarts with the new settings.

        A value the scenario refuses is not used: its field keeps the value the run is using,
        and :attr:`field_problems` holds, for that field, why in plain words
        (:func:`sim.ui.app.fields.refusal`).
        """
        from sim.ui.app.fields import refusal

        with self.lock:
            if self.base is None:
                return
            trial = {**self.values, path: value}
            try:
                scenario = variant(self.base, trial)
            except ScenarioError as exc:
                self.field_problems[path] = refusal(control(path), value, self.values[path],
                                                    exc, self.base.meta.sides)
                return
            self.values = trial
            self.field_problems = {}
            self.scenario = scenario
            self.reset()

    @property
    def setting_problems(self) -> list[str]:
        """What each field refused, in the order of the controls."""
        return list(self.field_problems.values())

    def _rebuild(self) -> None:
        assert self.base is not None
        self.field_problems = {}
        self.scenario = variant(self.base, self.values)
        self.reset()

    def reset(self) -> None:
        """Start the run again from day 0, keeping the chosen settings and seed."""
        with self.lock:
            if self.scenario is not None:
                self.model = ParleyModel(self.scenario)

    @property
    def problems(self) -> list[str]:
        """Everything wrong now: the file's problems, then the settings'."""
        return self.file_problems + self.setting_problems

    @property
    def finished(self) -> bool:
        """Whether there is no run or it has reached its last day."""
        return self.model is None or self.model.day >= self.model.days

    def step(self, days: int = 1) -> int:
        """Advance the run by up to ``days`` days; return how many were run."""
        ran = 0
        with self.lock:
            while self.model is not None and ran < days and self.model.day < self.model.days:
                self.model.step()
                ran += 1
        return ran

    def snapshot(self) -> Snapshot | None:
        """A copy of the run so far (None when no valid scenario is open)."""
        with self.lock:
            m = self.model
            if m is None or self.scenario is None:
                return None
            return Snapshot(self.scenario, m.seed, m.day, m.days, m.phase, m.columns(m.day),
                            tuple(m.events), m.params.insurgent.patience,
                            m.params.government.goodwill_threshold)


# Against the odds


def run_odds(scenario: Scenario, n_seeds: int, workers: int | None = None) -> Ensemble:
    """Run the current settings ``n_seeds`` times, seeds spawned from ``run.seed``."""
    return run_ensemble(scenario, n_seeds, workers=workers)


def odds_match(ensemble: Ensemble | None, snap: Snapshot | None) -> bool:
    """Whether an ensemble was run with the settings and seed of the current run."""
    return (ensemble is not None and snap is not None
            and ensemble.scenario.content_hash() == snap.scenario.content_hash()
            and ensemble.master_seed == snap.seed)


def odds_rows(ensemble: Ensemble, snap: Snapshot) -> list[OutcomeRow]:
    """The current run so far against the ensemble on the same day."""
    d = snap.day
    names = snap.scenario.meta.sides
    s = ensemble.series
    rows = [
        outcome_row("gov_released", f"freed by the {names.government} by day {d}",
                    snap.series["gov_released"][-1], s["gov_released"][:, d]),
        outcome_row("ins_released", f"freed by the {names.insurgent} by day {d}",
                    snap.series["ins_released"][-1], s["ins_released"][:, d]),
    ]
    if d >= 1:
        rows.append(outcome_row("attacks", f"attacks a day, days 1-{d} (mean)",
                                float(snap.series["attacks"][1:].mean()),
                                s["attacks"][:, 1:d + 1].mean(axis=1)))
    return rows


def odds_facts(ensemble: Ensemble, snap: Snapshot) -> list[str]:
    """Sentences on walkouts, unilateral releases and the pattern, this run against all runs."""
    d = snap.day
    out = []
    for key, kind, what in (("first_walkout_day", EventKind.WALKOUT, "a walkout"),
                            ("first_unilateral_day", EventKind.UNILATERAL_RELEASE,
                             "a unilateral release")):
        values = ensemble.values(key)
        by_now = np.nan_to_num(values, nan=np.inf) <= d
        mine = snap.first_day(kind)
        you = f"on day {mine}" if mine is not None else "not yet"
        days = band(values[by_now])
        median = f"; median day {days.median:.0f}" if days.median is not None else ""
        out.append(f"{what.capitalize()} by day {d}: this run {you}; {share(by_now).share:.0%} "
                   f"of the {len(values)} runs{median}.")
    out.append(f"The stall-then-unilateral-release pattern (over whole runs of "
               f"{ensemble.scenario.run.days} days) appears in {ensemble.rate('pattern'):.0%} "
               f"of runs.")
    return out
