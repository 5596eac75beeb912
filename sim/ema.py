"""Parley as an EMA Workbench model (the optional ``[ema]`` extra).

:func:`model` returns an ``ema_workbench`` model of a scenario whose uncertainties and levers
come from the scenario schema (every numeric parameter of a section, over ±20% of the
scenario's value within the schema's bounds) and whose outcomes come from the output registry
(:data:`sim.outputs.SUMMARY`). An EMA user can then run ``perform_experiments`` and the PRIM
or feature-scoring analyses on Parley directly::

    from ema_workbench import perform_experiments
    from sim.ema import EngineEvaluator, model

    parley = model("afghanistan_2020", days=54)
    with EngineEvaluator(parley) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=300)

Uncertainties are the parameters of the government, the insurgent and the conflict; levers
those of the mediator, the policy maker of an exchange. EMA's names must be Python
identifiers, so a parameter's name is its dotted path with ``__`` for each dot
(``insurgent__patience``). Each experiment is one run, with the seed of the constant ``seed``
(the scenario's ``run.seed`` unless changed): every experiment draws the same random numbers,
so differences between experiments come from their parameters alone.

Any of EMA's evaluators runs the model one experiment at a time (the Mesa model, about 20 ms
a run of 54 days); :class:`EngineEvaluator` runs all the experiments of a call together in the
ensemble engine (:mod:`sim.engine`), with the same results run for run, many times faster.
Experiments run in blocks of one structure (:func:`sim.engine.structure`); those that vary the
chance of return (``conflict.return_base``, ``young_age``, ...) have a structure each, and a
block of fewer than ``SMALLEST_BLOCK`` runs runs one model at a time.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
import numpy as np

from sim.catalog import find
from sim.errors import ScenarioError
from sim.outputs import FIELD, SUMMARY, Kind
from sim.scenario import Scenario, load_scenario, with_overrides

UNCERTAINTY_SECTIONS = ("government", "insurgent", "conflict")
"""Sections whose numeric parameters are the model's uncertainties by default."""

LEVER_SECTIONS = ("mediator",)
"""Sections whose numeric parameters are the model's levers by default."""

SPREAD = 0.2
"""Half-width of a parameter's default range, as a share of the scenario's value."""

SMALLEST_BLOCK = 4
"""Fewer experiments that can share a block than this run one by one in the Mesa model."""

SKIPPED_OUTCOMES = ("seed", "days")
"""Summary fields that are inputs of a run rather than outcomes."""


def _ema():
    """The ``ema_workbench`` package, imported quietly, or a clear error."""
    try:
        with warnings.catch_warnings():
            # It warns at import that ipyparallel is missing: an optional evaluator we do not use.
            warnings.filterwarnings("ignore", message=".*ipyparallel.*", category=UserWarning)
            import ema_workbench
    except ImportError as exc:
        raise ImportError("sim.ema needs the EMA Workbench: pip install 'parley[ema]'") from exc
    return ema_workbench


def name_of(path: str) -> str:
    """EMA's name of a parameter path: ``insurgent.patience`` → ``insurgent__patience``."""
    return path.replace(".", "__")


def path_of(name: str) -> str:
    """The parameter path of an EMA name (see :func:`name_of`)."""
    return name.replace("__", ".")


@dataclass(frozen=True)
class Range:
    """The range an experiment draws a parameter from.

    Attributes:
        path: the parameter's dotted path.
        low: least value.
        high: greatest value.
        integer: whether the parameter takes whole numbers.
    """

    path: str
    low: float
    high: float
    integer: bool


def _bounds(field) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for m in field.metadata:
        if isinstance(m, annotated_types.Ge):
            low = float(m.ge)
        elif isinstance(m, annotated_types.Gt):
            low = math.nextafter(float(m.gt), math.inf)
        elif isinstance(m, annotated_types.Le):
            high = float(m.le)
        elif isinstance(m, annotated_types.Lt):
            high = math.nextafter(float(m.lt), -math.inf)
    return low, high


def ranges(scenario: Scenario, sections: Sequence[str], spread: float = SPREAD,
           paths: Iterable[str] | None = None) -> list[Range]:
    """Ranges of the numeric parameters of ``sections`` (or of ``paths``), from the schema.

    Each is ``value * (1 ± spread)`` within the schema's bounds, whole numbers for integer
    parameters. A parameter at 0, or whose range would hold one value, is left out unless
    named in ``paths`` (then a zero spans its schema bounds up to 1, and a whole number at
    least one either side). An end that would break a cross-field rule of the scenario on
    its own is pulled back to the scenario's value.
    """
    wanted = None if paths is None else set(paths)
    out = []
    for section in sections:
        part = getattr(scenario, section)
        for name, field in type(part).model_fields.items():
            path = f"{section}.{name}"
            value = getattr(part, name)
            if wanted is not None and path not in wanted:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            low, high = _bounds(field)
            if value == 0:
                if wanted is None:
                    continue
                lo, hi = max(low, 0.0), min(high, 1.0)
            else:
                lo, hi = sorted((value * (1 - spread), value * (1 + spread)))
                lo, hi = max(low, lo), min(high, hi)
            integer = isinstance(value, int)
            if integer:
                lo, hi = math.ceil(lo), math.floor(hi)
                if hi <= lo and wanted is not None:  # named: at least one either side
                    lo, hi = max(low, value - 1), min(high, value + 1)
            lo, hi = _valid_end(scenario, path, lo, value), _valid_end(scenario, path, hi, value)
            if hi > lo:
                out.append(Range(path, lo, hi, integer))
    return out


def _valid_end(scenario: Scenario, path: str, end: float, value: float) -> float:
    """An end of a range, or the scenario's value where that end breaks a cross-field rule.

    ``government.unilateral_batch`` above ``agreement.batch_cap``, say.
    """
    try:
        with_overrides(scenario, {path: end})
    except ScenarioError:
        return value
    return end


DTYPES = {Kind.INT: int, Kind.OPTIONAL: float, Kind.FLOAT: float, Kind.BOOL: bool}
"""The array type of each kind of summary field as an EMA outcome (NaN: an event that never
happened)."""


def outcome_names() -> list[str]:
    """The summary fields that become EMA outcomes: every number, flag or optional day."""
    return [f.name for f in SUMMARY if f.kind in DTYPES and f.name not in SKIPPED_OUTCOMES]


def _outcomes(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: np.nan if summary[k] is None else DTYPES[FIELD[k].kind](summary[k])
            for k in outcome_names()}


class Runner:
    """The model function: EMA's parameters (and ``seed``) to Parley's outcomes.

    An instance pickles, so EMA's process pools can run it.

    Args:
        scenario: the scenario every experiment starts from.
        days: days each run lasts (default: the scenario's ``run.days``).
    """

    def __init__(self, scenario: Scenario, days: int | None = None) -> None:
        self.scenario = scenario
        self.days = scenario.run.days if days is None else int(days)

    def scenario_for(self, params: dict[str, Any]) -> tuple[Scenario, int]:
        """The scenario and seed of one experiment's parameters."""
        seed = int(params.get("seed", self.scenario.run.seed))
        overrides = {path_of(k): self._typed(k, v) for k, v in params.items() if k != "seed"}
        return with_overrides(self.scenario, overrides), seed

    def _typed(self, name: str, value: Any) -> Any:
        """A sampled value as the parameter takes it: whole numbers for an integer."""
        section, field = path_of(name).split(".", 1)
        current = getattr(getattr(self.scenario, section), field)
        if isinstance(current, int) and not isinstance(current, bool):
            return round(float(value))
        return float(value)

    def __call__(self, **params: Any) -> dict[str, Any]:
        """Run one experiment (the Mesa model) and give its outcomes."""
        from sim.runner import run

        spec, seed = self.scenario_for(params)
        summary = run(spec, seed=seed, days=self.days).summary
        return _outcomes(summary)

    def run_many(self, params: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run many experiments in the ensemble engine, blocks grouped by structure."""
        from sim.engine import run_block, structure

        specs = [self.scenario_for(p) for p in params]
        groups: dict[str, list[int]] = {}
        for i, (spec, _) in enumerate(specs):
            groups.setdefault(structure(spec), []).append(i)
        out: list[dict[str, Any]] = [{} for _ in specs]
        for members in groups.values():
            if len(members) < SMALLEST_BLOCK:  # a block of one costs more than a Mesa run
                for i in members:
                    out[i] = self(**params[i])
                continue
            summaries, _ = run_block([specs[i][0] for i in members],
                                     [specs[i][1] for i in members], self.days, kept=())
            for i, summary in zip(members, summaries, strict=True):
                out[i] = _outcomes(summary)
        return out


def model(scenario: Scenario | str | Path, days: int | None = None,
          uncertainties: Iterable[str] | None = None, levers: Iterable[str] | None = None,
          spread: float = SPREAD, seed: int | None = None, name: str = "parley"):
    """An ``ema_workbench.Model`` of a scenario.

    Args:
        scenario: a scenario, a file or a shipped scenario's name.
        days: days each run lasts (default: the scenario's ``run.days``).
        uncertainties: parameter paths to vary as uncertainties (default: every numeric
            parameter of :data:`UNCERTAINTY_SECTIONS` that :func:`ranges` gives a range).
        levers: parameter paths to vary as levers (default: those of :data:`LEVER_SECTIONS`;
            an empty list for none).
        spread: half-width of each default range, as a share of the value.
        seed: the seed of every run (default: the scenario's ``run.seed``), a constant.
        name: the model's name (an identifier).
    """
    ema = _ema()
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(find(scenario))
    runner = Runner(spec, days)
    sections = ("government", "insurgent", "mediator", "conflict", "agreement")

    def parameters(paths: Iterable[str] | None, default: Sequence[str]):
        if paths is not None:
            paths = list(paths)
            found = ranges(spec, sections, spread, paths)
            missing = set(paths) - {r.path for r in found}
            if missing:
                raise ValueError(f"no range for {sorted(missing)}: each must be a numeric "
                                 f"parameter of {', '.join(sections)}")
        else:
            found = ranges(spec, default, spread)
        return [ema.IntegerParameter(name_of(r.path), int(r.low), int(r.high)) if r.integer
                else ema.RealParameter(name_of(r.path), r.low, r.high) for r in found]

    out = ema.Model(name, function=runner)
    out.uncertainties = parameters(uncertainties, UNCERTAINTY_SECTIONS)
    out.levers = parameters(levers, LEVER_SECTIONS)
    # No dtype: EMA would then store each as a column of width one; the values carry their type.
    out.outcomes = [ema.ScalarOutcome(n) for n in outcome_names()]
    out.constants = [ema.Constant("seed", spec.run.seed if seed is None else int(seed))]
    return out


def _engine_evaluator():
    ema = _ema()
    from ema_workbench.em_framework.evaluators import BaseEvaluator

    class EngineEvaluator(BaseEvaluator):
        """Runs every experiment of a call together in Parley's ensemble engine.

        For models made by :func:`model`; the results are those of any other evaluator,
        experiment for experiment.
        """

        def initialize(self) -> None:
            """Nothing to start."""

        def finalize(self) -> None:
            """Nothing to stop."""

        def evaluate_experiments(self, experiments, callback, **kwargs) -> None:
            """Run the experiments as blocks of the engine, then report each to EMA."""
            experiments = list(experiments)
            models = {m.name: m for m in self._msis}
            for m in models.values():
                if not isinstance(m.function, Runner):
                    raise ema.EMAError(f"model {m.name} was not made by sim.ema.model")
            params = []
            for e in experiments:
                m = models[e.model_name]
                params.append({**{c.name: c.value for c in m.constants}, **e.scenario,
                               **e.policy})
            by_model: dict[str, list[int]] = {}
            for i, e in enumerate(experiments):
                by_model.setdefault(e.model_name, []).append(i)
            for model_name, members in by_model.items():
                m = models[model_name]
                results = m.function.run_many([params[i] for i in members])
                for i, result in zip(members, results, strict=True):
                    m.outcomes_output = result
                    callback(experiments[i], m.outcomes_output)
                    m.reset_model()

    return EngineEvaluator


def __getattr__(name: str):
    if name == "EngineEvaluator":  # built on first use: it subclasses an optional package
        return _engine_evaluator()
    raise AttributeError(name)
