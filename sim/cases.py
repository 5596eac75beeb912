"""Historical cases: a scenario, its reported counts and its targets, checked over many runs.

A case is a scenario whose ``meta.targets`` names a targets file beside its reference data in
``data/``. Each target says what share of runs, or what median of a summary field or of a
series on a day, the case requires. :func:`check` evaluates the targets on the runs of an
ensemble; ``parley cases`` runs every case and prints one line each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError, model_validator

from sim.errors import Problem, ScenarioError
from sim.outputs import FIELD, SERIES_COLUMNS
from sim.scenario import Frozen, P, problems_from_validation, read_yaml, rule


class Target(Frozen):
    """One target of a case: a median in a range, or a share of runs at least some value.

    ``field`` is a summary field, or a series column with ``day`` (its value that day; with
    ``daily``, what changed that day) or ``days`` (its mean over those days, per run).
    """

    name: str = P("target", "text", "what the target checks, in a few words", max_length=120)
    source: str = P("", "text", "where the target comes from", max_length=300)
    field: str = P("pattern", "name", "a summary field or a series column")
    day: int | None = P(None, "day", "for a series column: the day it is read", ge=0, le=36500)
    days: tuple[int, int] | None = P(None, "days", "for a series column: first and last day of "
                                     "the mean it is read as")
    daily: bool = P(False, "flag", "for a series column on a day: what changed that day")
    statistic: str = P("median", "kind", "median: the median over runs lies in ``between``; "
                       "share: the share of runs whose value lies in ``between`` (a flag: is "
                       "true) is at least ``at_least``", pattern="^(median|share)$")
    between: tuple[float, float] | None = P(None, "range", "inclusive bounds of the value")
    missing_ok: bool = P(False, "flag", "for a share: a run where the value is missing (an "
                         "event that never happened) counts as meeting it")
    at_least: float = P(0.5, "share", "for a share: the least share of runs", ge=0, le=1)

    @model_validator(mode="after")
    def _readable(self) -> Target:
        series = self.field in SERIES_COLUMNS
        if not series and self.field not in FIELD:
            raise rule("field", f"({self.field!r}) is neither a summary field nor a series "
                       "column", "see `parley describe --outputs`")
        if series and (self.day is None) == (self.days is None):
            raise rule("day", "a series column needs a day or days (not both)",
                       "day: D, or days: [FIRST, LAST]")
        if self.statistic == "median" and self.between is None:
            raise rule("between", "a median target needs a range", "between: [LOW, HIGH]")
        return self

    def values(self, summaries: Sequence[dict], series: dict[str, np.ndarray]) -> np.ndarray:
        """The target's value in each run (NaN where missing)."""
        if self.field not in SERIES_COLUMNS:
            return np.array([np.nan if s[self.field] is None else float(s[self.field])
                             for s in summaries])
        runs = series[self.field]
        if self.days is not None:
            first, last = self.days
            return runs[:, first:last + 1].mean(axis=1)
        value = runs[:, self.day]
        return value - runs[:, self.day - 1] if self.daily and self.day > 0 else value


@dataclass(frozen=True)
class Result:
    """A target checked on a set of runs."""

    target: Target
    value: float
    passed: bool

    def line(self) -> str:
        """The result in one line."""
        t = self.target
        need = (f"{t.between[0]:g}-{t.between[1]:g}" if t.statistic == "median"
                else f">= {t.at_least:.2f}")
        return (f"{'ok  ' if self.passed else 'MISS'} {t.name}: {t.statistic} {self.value:.2f} "
                f"(needs {need})")


def check(targets: Sequence[Target], summaries: Sequence[dict],
          series: dict[str, np.ndarray]) -> list[Result]:
    """Each target evaluated on the runs given (their summaries and kept series)."""
    results = []
    for t in targets:
        values = t.values(summaries, series)
        if t.statistic == "median":
            finite = values[np.isfinite(values)]
            value = float(np.median(finite)) if finite.size else float("nan")
            results.append(Result(t, value, bool(t.between[0] <= value <= t.between[1])))
            continue
        missing = ~np.isfinite(values)
        if t.between is None:
            hit = np.nan_to_num(values) != 0
        else:
            hit = (values >= t.between[0]) & (values <= t.between[1])
        hit = np.where(missing, t.missing_ok, hit)
        share = float(hit.mean()) if values.size else 0.0
        results.append(Result(t, share, share >= t.at_least))
    return results


class Targets(Frozen):
    """A case's targets file."""

    runs: int = P(200, "runs", "how many runs the targets are checked over", ge=1,
                  le=1_000_000)
    days: int = P(200, "days", "days each run lasts", ge=1, le=36500)
    targets: list[Target] = P([], "list", "the targets")


def load_targets(path: str | Path) -> Targets:
    """Read and check a case's targets file.

    Raises:
        ScenarioError: with one problem per thing wrong.
    """
    path = Path(path)
    data, lines = read_yaml(path)
    origin = {k: (str(path), line) for k, line in lines.items()}
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, str(path), Targets)) from None


@dataclass(frozen=True)
class CaseReport:
    """A case checked: its targets, and its fit to the counts reported for it."""

    name: str
    runs: int
    days: int
    results: list[Result]
    fit: list[dict]
    """Each reported count against the runs' 10-90% band that day (:func:`sim.report.compare`)."""

    @property
    def passed(self) -> bool:
        """Every target met."""
        return all(r.passed for r in self.results)

    def line(self) -> str:
        """The case in one line."""
        met = sum(r.passed for r in self.results)
        inside = sum(row["passed"] for row in self.fit)
        fit = f"; reported counts inside the 10-90% band: {inside}/{len(self.fit)}" \
            if self.fit else ""
        return (f"{'PASS' if self.passed else 'FAIL'} {self.name}: {met}/{len(self.results)} "
                f"targets met over {self.runs} runs of {self.days} days{fit}")


def is_case(path: Path) -> bool:
    """Whether a scenario file names targets (a quick look, without validating it)."""
    try:
        data, _ = read_yaml(path)
    except ScenarioError:
        return False
    meta = data.get("meta")
    return isinstance(meta, dict) and bool(meta.get("targets"))


def run_case(path: str | Path, runs: int | None = None, workers: int | None = None,
             progress: bool | None = False) -> CaseReport:
    """Run a case's scenario as its targets say and check them.

    Args:
        path: the scenario file (its ``meta.targets`` names the targets).
        runs: runs to check over (default: the targets file's).
        workers: processes (see :func:`sim.ensemble.run_ensemble`).
        progress: draw a progress bar; ``None`` draws it on a terminal.

    Raises:
        ScenarioError: when the scenario, its targets or its reference data are invalid.
    """
    from sim.ensemble import SERIES_KEPT, run_ensemble
    from sim.report import compare, load_reference
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    if scenario.meta.targets is None:
        raise ScenarioError([Problem(str(path), "meta.targets", "is missing",
                                     "the path of the case's targets file")])
    spec = load_targets(scenario.meta.targets)
    n = runs or spec.runs
    kept = tuple(dict.fromkeys([*SERIES_KEPT, *(t.field for t in spec.targets
                                                if t.field in SERIES_COLUMNS)]))
    ensemble = run_ensemble(scenario, n, spec.days, workers, kept=kept, progress=progress,
                            label=scenario.meta.name)
    reference = (load_reference(scenario.meta.reference_data, scenario)
                 if scenario.meta.reference_data else [])
    return CaseReport(scenario.meta.name, n, spec.days,
                      check(spec.targets, ensemble.summaries, ensemble.series),
                      compare(ensemble, reference))
