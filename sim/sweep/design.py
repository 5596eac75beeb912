"""A sweep's points: full factorial, Latin hypercube, Sobol (Saltelli) and Morris designs.

:func:`plan` resolves a spec into points checked against the scenario schema and into runs:
replicate ``r`` of point ``p`` is run ``p * replicates + r``, with seed
``sim.ensemble.seed_of(master_seed, p, r)``, in part files of ``chunk_size`` runs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from sim import __version__
from sim.ensemble import seed_of
from sim.errors import Problem, ScenarioError
from sim.scenario import (
    Scenario,
    apply_overrides,
    field_at,
    load_scenario,
    problems_from_validation,
)
from sim.sweep.spec import Method, SweepError, SweepSpec, load_spec

LHS_SPAWN_KEY = (2**31,)
"""The spawn key of the Latin hypercube's generator: far from any (point, replicate) key."""


@dataclass
class Plan:
    """A sweep resolved into points and runs, checked against the schema."""

    spec: SweepSpec
    base_data: dict
    points: list[dict[str, Any]]

    @property
    def days(self) -> int:
        """Days per run."""
        return self.base_data["run"]["days"]

    @property
    def n_runs(self) -> int:
        """Total runs."""
        return len(self.points) * self.spec.replicates

    @property
    def chunk_size(self) -> int:
        """Runs per part file; fixed by the spec so that resumes find the same chunks.

        By default a quarter of the sweep, between 20 and 1,000 runs: a chunk's runs go
        through the ensemble engine in blocks, and a block's cost a run falls as it grows
        (about 5 ms at 100 runs, 1 ms at 1,000, against 10 to 20 ms run by run).
        """
        if self.spec.chunk_size:
            return self.spec.chunk_size
        return max(20, min(1000, math.ceil(self.n_runs / 4)))

    @property
    def n_chunks(self) -> int:
        """Number of part files."""
        return math.ceil(self.n_runs / self.chunk_size)

    def chunk_range(self, chunk: int) -> range:
        """Run ids of one part file."""
        return range(chunk * self.chunk_size, min((chunk + 1) * self.chunk_size, self.n_runs))

    def identity(self) -> str:
        """Hash of everything that determines the results."""
        text = json.dumps({"spec": self.spec.model_dump(mode="json"), "base": self.base_data,
                           "points": self.points, "version": __version__},
                          sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def run_seed(self, point: int, replicate: int) -> int:
        """The seed of one run: ``seed_of(master_seed, point, replicate)``."""
        return seed_of(self.spec.master_seed, point, replicate)


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem of a sampling design: the varied paths and their intervals.

    Raises:
        SweepError: when a parameter gives no numeric interval.
    """
    bounds = []
    for p in spec.parameters:
        try:
            lo, hi = sorted(float(v) for v in p.span())
        except (TypeError, ValueError):
            lo = hi = None
        if lo is None or not lo < hi:
            raise SweepError([Problem("sweep", f"parameters.{p.path}",
                                      f"gives no numeric interval to sample ({p.span_text()})",
                                      "bounds [low, high] with low < high, a range, or two "
                                      "or more numeric values")])
        bounds.append([lo, hi])
    return {"num_vars": len(bounds), "names": [p.path for p in spec.parameters],
            "bounds": bounds}


def sample_design(spec: SweepSpec) -> list[dict[str, Any]]:
    """The points of a spec's design, each a mapping of varied path to value.

    Raises:
        SweepError: bounds in a full factorial design, or no numeric interval to sample.
    """
    params = spec.parameters
    design = spec.design
    if design.method is Method.FULL_FACTORIAL:
        for p in params:
            if p.bounds is not None:
                raise SweepError([Problem("sweep", f"parameters.{p.path}",
                                          "bounds cannot make a full factorial grid",
                                          "values or a range, or a sampling design")])
        return [dict(zip([p.path for p in params], combo, strict=True))
                for combo in itertools.product(*(p.grid() for p in params))]
    problem = salib_problem(spec)
    if design.method is Method.LATIN_HYPERCUBE:
        from scipy.stats import qmc

        gen = np.random.default_rng(np.random.SeedSequence(spec.master_seed,
                                                           spawn_key=LHS_SPAWN_KEY))
        unit = qmc.LatinHypercube(d=len(params), rng=gen).random(design.samples)
        lo, hi = np.array(problem["bounds"]).T
        x = lo + unit * (hi - lo)
    elif design.method is Method.SOBOL:
        from SALib.sample import sobol

        x = sobol.sample(problem, design.samples, calc_second_order=design.second_order,
                         seed=spec.master_seed % 2**32)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, design.samples, num_levels=design.levels,
                          seed=spec.master_seed % 2**32)
    return [{p.path: float(v) for p, v in zip(params, row, strict=True)} for row in x]


def _round_integers(points: list[dict[str, Any]], data: dict) -> list[dict[str, Any]]:
    """Round sampled values of parameters that are integers in ``data`` (the dumped base)."""
    out = []
    for point in points:
        fixed = {}
        for path, value in point.items():
            node: Any = data
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, bool) or not isinstance(node, int) or not isinstance(value,
                                                                                     float):
                fixed[path] = value
            else:
                fixed[path] = round(value)
        out.append(fixed)
    return out


def _absolute_files(points: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """Make relative pool CSV paths in points absolute, as the loader does for the base."""
    out = []
    for point in points:
        fixed = dict(point)
        for path, value in point.items():
            if path.startswith("pools.") and path.endswith(".csv") and isinstance(value, str):
                fixed[path] = str((folder / value).resolve())
        out.append(fixed)
    return out


def base_data(spec: SweepSpec, folder: Path) -> dict:
    """The base scenario with the spec's ``set:`` and ``days``, dumped as every run gets it.

    Raises:
        ScenarioError: when the base scenario (with the spec's ``set``) is invalid.
    """
    data = load_scenario(folder / spec.base, spec.set).model_dump(mode="json")
    if spec.days:
        data["run"]["days"] = spec.days
    return data


def plan(spec: SweepSpec, folder: Path) -> Plan:
    """Resolve a sweep: load its base, build every point and validate each against the schema.

    Raises:
        ScenarioError: when the base scenario (with the spec's ``set``) is invalid.
        SweepError: unknown paths (with the nearest valid one), a value the schema rejects
            (which point, which field), or an empty design.
    """
    data = base_data(spec, folder)
    problems = []
    for p in spec.parameters:
        try:
            field_at(p.path, "sweep")
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SweepError(problems)
    points = sample_design(spec)
    if spec.design.method is not Method.FULL_FACTORIAL:
        points = _round_integers(points, data)
    points = _absolute_files(points, (folder / spec.base).resolve().parent)
    if not points:
        raise SweepError([Problem("sweep", "parameters", "the design has no points",
                                  "at least one value for every parameter")])
    for i, point in enumerate(points):
        problems.extend(_point_problems(data, i, point))
        if len(problems) >= 20:
            break
    if problems:
        raise SweepError(problems)
    return Plan(spec, data, points)


def check_file(path: Path) -> Plan:
    """Read a sweep file and plan it: its fields, its base, and every point of its design.

    Raises:
        ScenarioError: when the base scenario is invalid.
        SweepError: one problem per fault, each naming the file.
    """
    spec, folder = load_spec(path)
    try:
        return plan(spec, folder)
    except SweepError as exc:  # a point's problem names the point: name the file beside it
        raise SweepError([Problem(f"{path} ({p.file})", p.field, p.message, p.allowed, p.line)
                          for p in exc.problems]) from None


def point_scenario(base: dict, point: dict[str, Any], seed: int | None = None) -> Scenario:
    """The scenario a point of a sweep runs: its values over the base (and a run's seed).

    Raises:
        ScenarioError, ValidationError: what the scenario schema finds wrong with the point.
    """
    overrides = point if seed is None else {**point, "run.seed": seed}
    return Scenario.model_validate(apply_overrides(base, overrides, "sweep"))


def _point_problems(data: dict, i: int, point: dict[str, Any]) -> list[Problem]:
    """What the scenario schema finds wrong with point ``i`` of a sweep (nothing: valid)."""
    try:
        point_scenario(data, point)
    except ScenarioError as exc:
        return [Problem(f"point {i}", pr.field, pr.message, pr.allowed) for pr in exc.problems]
    except ValidationError as exc:
        return [Problem(f"point {i} {point}", pr.field, pr.message, pr.allowed)
                for pr in problems_from_validation(exc, {}, "sweep", Scenario)]
    return []
