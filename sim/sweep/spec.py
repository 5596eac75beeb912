"""The schema of sweep files, sweeps from command-line flags, and flags over a sweep file.

Required, because no default could stand for them: ``name``; ``base`` (the base scenario);
``parameters`` (at least one), each with a ``path`` and exactly one of ``values``, ``range``
(with its ``start``, ``stop`` and ``steps``) or ``bounds``; ``replicates``; and
``design.samples`` for a sampling design (Latin hypercube, Sobol, Morris), where it fixes the
number of points. Everything else has a default that means something: no description, no
fixed ``set:`` overrides, a full factorial design, 4 Morris levels, first-order Sobol indices
only, master seed 0 (as a scenario's ``run.seed``), the base's ``run.days``, summaries only,
chunks sized from the total, and a parameter that is an uncertainty unless marked a lever.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import FiniteFloat, ValidationError, model_validator

from sim.errors import ParleyError, Problem, ScenarioError
from sim.scenario import Frozen, P, parse_value, problems_from_validation, read_yaml, rule


class SweepError(ParleyError):
    """A sweep cannot start or continue; holds one :class:`~sim.errors.Problem` per fault."""


class Kind(StrEnum):
    """Whether a parameter is a policy choice or something nobody controls (EMA workbench)."""

    LEVER = "lever"
    UNCERTAINTY = "uncertainty"


class Method(StrEnum):
    """Experimental designs."""

    FULL_FACTORIAL = "full_factorial"
    LATIN_HYPERCUBE = "latin_hypercube"
    SOBOL = "sobol"
    MORRIS = "morris"


class Keep(StrEnum):
    """What to store per run."""

    SUMMARY = "summary"
    SERIES = "series"
    EVENTS = "events"


class Range(Frozen):
    """Evenly spaced values from ``start`` to ``stop`` inclusive."""

    start: FiniteFloat = P(..., "value", "first value")
    stop: FiniteFloat = P(..., "value", "last value")
    steps: int = P(..., "count", "number of values", ge=1, le=100_000)


class Parameter(Frozen):
    """One varied parameter: a list of values, a range, or bounds for sampling."""

    path: str = P(..., "path", "dotted path into the scenario, e.g. insurgent.patience",
                  min_length=1)
    kind: Kind = P(Kind.UNCERTAINTY, "kind", "lever (policy choice) or uncertainty")
    values: list[Any] | None = P(None, "values", "explicit values")
    range: Range | None = P(None, "section", "evenly spaced values")
    bounds: tuple[FiniteFloat, FiniteFloat] | None = P(None, "values",
                                                       "lower and upper bound for sampling")

    @model_validator(mode="after")
    def _one_source(self) -> Parameter:
        given = [x is not None for x in (self.values, self.range, self.bounds)]
        if sum(given) != 1:
            raise rule("values", f"parameter {self.path!r} gives {sum(given)} of values, "
                       "range and bounds", "exactly one of them")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise rule("bounds", f"{list(self.bounds)} is not increasing",
                       "[low, high] with low < high")
        return self

    def grid(self) -> list[Any]:
        """Values for a full factorial design (none for bounds, which only sampling uses)."""
        if self.values is not None:
            return list(self.values)
        if self.range is not None:
            import numpy as np

            return [float(v) for v in np.linspace(self.range.start, self.range.stop,
                                                   self.range.steps)]
        return []

    def span(self) -> tuple[float, float]:
        """Bounds for a sampling design, low first.

        Raises:
            ValueError: when the values give no numeric interval.
        """
        if self.bounds is not None:
            return self.bounds
        if self.range is not None:
            return tuple(sorted((self.range.start, self.range.stop)))
        numbers = [float(v) for v in self.values or []]
        if not numbers:
            raise ValueError("no values")
        return (min(numbers), max(numbers))

    def span_text(self) -> str:
        """What the parameter gives, for messages."""
        if self.bounds is not None:
            return f"bounds {list(self.bounds)}"
        if self.range is not None:
            return f"range {self.range.start}..{self.range.stop}"
        return f"values {self.values}"


class Design(Frozen):
    """How points are chosen."""

    method: Method = P(Method.FULL_FACTORIAL, "method", "experimental design")
    samples: int | None = P(None, "count", "Latin hypercube points; Sobol base sample N (a "
                            "power of 2); Morris trajectories. Required by a sampling design, "
                            "refused by a full factorial one", ge=1, le=1_000_000)
    levels: int = P(4, "count", "grid levels of the Morris method", ge=2, le=100)
    second_order: bool = P(False, "flag", "also compute second-order Sobol indices")

    @model_validator(mode="after")
    def _samples_fit_the_method(self) -> Design:
        if self.method is Method.FULL_FACTORIAL:
            if self.samples is not None:
                raise rule("samples", "a full factorial design takes every combination of "
                           "values and draws no samples", "no samples, or a sampling design")
        elif self.samples is None:
            raise rule("samples", f"is required by a {self.method} design",
                       "a number of samples, e.g. 64")
        elif self.method is Method.SOBOL and self.samples & (self.samples - 1):
            raise rule("samples", f"{self.samples} is not a power of 2",
                       "a power of 2 (Saltelli's scheme), e.g. 64")
        return self


class SweepSpec(Frozen):
    """A whole sweep: base scenario, varied parameters, design, replicates and storage."""

    name: str = P(..., "name", "short name", min_length=1, max_length=80)
    description: str = P("", "text", "what the sweep explores")
    base: str = P(..., "path", "base scenario file, relative to the sweep file", min_length=1)
    set: dict[str, Any] = P({}, "overrides", "fixed overrides of the base, by dotted path")
    parameters: list[Parameter] = P(..., "list", "varied parameters", min_length=1)
    design: Design = P(Design(), "section", "how points are chosen")
    replicates: int = P(..., "count", "runs per point", ge=1, le=1_000_000)
    master_seed: int = P(0, "seed", "seed from which every run's seed is spawned", ge=0,
                         le=2**63 - 1)
    days: int | None = P(None, "days", "days per run (default: the base's run.days)", ge=1,
                         le=36500)
    keep: Keep = P(Keep.SUMMARY, "kind", "summary only, also daily series, or also events")
    chunk_size: int | None = P(None, "runs", "runs per part file (default: from the total)",
                               ge=1, le=100_000)

    @model_validator(mode="after")
    def _unique(self) -> SweepSpec:
        paths = [p.path for p in self.parameters]
        if len(set(paths)) != len(paths):
            raise rule("parameters", "a parameter path appears more than once",
                       "each path once")
        return self


def load_spec(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep file; returns the spec and the folder it lives in.

    Raises:
        SweepError: when the file cannot be read or is not a valid sweep.
    """
    path = Path(path)
    try:
        data, lines = read_yaml(path)
    except ScenarioError as exc:
        raise SweepError(exc.problems) from None
    origin = {k: (str(path), line) for k, line in lines.items()}
    try:
        return SweepSpec.model_validate(data), path.resolve().parent
    except ValidationError as exc:
        raise SweepError(problems_from_validation(exc, origin, str(path), SweepSpec)) from None


SWEEP_KEYS = frozenset({"base", "parameters", "design", "replicates", "master_seed", "keep",
                        "chunk_size"})
"""Top-level keys only a sweep file has: one of them makes a file a sweep."""


def sweep_or_scenario(path: Path) -> str:
    """``sweep`` if the file has a key of :data:`SWEEP_KEYS`, else ``scenario``.

    Raises:
        ScenarioError: when the file cannot be read as YAML.
    """
    data, _ = read_yaml(path)
    return "sweep" if SWEEP_KEYS & set(data) else "scenario"


FLAGS = {"replicates": "--replicates", "master_seed": "--master-seed", "days": "--days",
         "keep": "--keep", "design.method": "--design", "design.samples": "--samples"}
"""The command-line flag that sets each of these sweep fields."""


def _flag(keyword: str) -> str:
    """The command-line flag of a keyword argument (``master_seed`` → ``--master-seed``)."""
    return "--" + keyword.replace("_", "-")


def _validate_flags(data: dict) -> SweepSpec:
    """Validate a spec built from flags; a problem names the flag that caused it."""
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, {}, "command line", SweepSpec)
        raise SweepError([Problem(p.file, FLAGS.get(p.field, p.field), p.message, p.allowed,
                                  p.line) for p in problems]) from None


def _flag_fields(flags: dict[str, Any]) -> dict[str, Any]:
    """Flag values (``None``: not given) as spec fields; ``design``/``samples`` nest."""
    fields = {k: v for k, v in flags.items() if v is not None and k not in ("design",
                                                                            "samples")}
    design = {k: v for k, v in (("method", flags.get("design")),
                                ("samples", flags.get("samples"))) if v is not None}
    if design:
        fields["design"] = design
    return fields


def spec_from_flags(base: str, vary: Iterable[str], levers: Iterable[str], name: str,
                    **flags: Any) -> SweepSpec:
    """Build a spec from ``--vary path=a,b,c`` / ``path=lo..hi`` / ``path=lo..hi/steps``.

    Args:
        base: the base scenario file.
        vary: the ``--vary`` items.
        levers: varied paths that are levers (the others are uncertainties).
        name: the sweep's name.
        **flags: ``replicates``, ``master_seed``, ``days``, ``keep``, ``design`` (a method)
            and ``samples``; ``None`` for a flag not given.

    Raises:
        SweepError: a ``--vary`` item that cannot be read, or a value the schema refuses
            (named by its flag).
    """
    levers = set(levers)
    params = []
    problems = []
    for item in vary:
        path, sep, text = item.partition("=")
        if not sep:
            problems.append(Problem("--vary", item, "is not of the form path=values",
                                    "path=a,b,c or path=lo..hi or path=lo..hi/steps"))
            continue
        kind = Kind.LEVER if path in levers else Kind.UNCERTAINTY
        try:
            if ".." in text:
                bounds, _, steps = text.partition("/")
                lo, hi = (float(v) for v in bounds.split(".."))
                entry = ({"range": {"start": lo, "stop": hi, "steps": int(steps)}} if steps
                         else {"bounds": [lo, hi]})
            else:
                entry = {"values": [parse_value(v) for v in text.split(",")]}
        except ValueError:
            problems.append(Problem("--vary", item, "cannot be read",
                                    "path=a,b,c or path=lo..hi or path=lo..hi/steps"))
            continue
        params.append({"path": path, "kind": kind, **entry})
    if problems:
        raise SweepError(problems)
    return _validate_flags({"name": name, "base": base, "parameters": params,
                            **_flag_fields(flags)})


def with_flags(spec: SweepSpec, **flags: Any) -> tuple[SweepSpec, dict[str, Any]]:
    """A sweep file's spec with the values given by flags in place of the file's.

    ``--design`` changes the method; a full factorial then drops the file's ``samples``,
    which only a sampling design uses.

    Args:
        spec: the sweep file's spec.
        **flags: ``replicates``, ``master_seed``, ``days``, ``keep``, ``design`` (a method)
            and ``samples``; ``None`` for a flag not given.

    Returns:
        The new spec, and the flags given with their values (for the manifest).

    Raises:
        SweepError: a value the schema refuses, named by its flag.
    """
    fields = _flag_fields(flags)
    if not fields:
        return spec, {}
    data = spec.model_dump(mode="json")
    design = {**data["design"], **fields.pop("design", {})}
    if design["method"] == Method.FULL_FACTORIAL and flags.get("samples") is None:
        design["samples"] = None
    new = _validate_flags({**data, **fields, "design": design})
    return new, {_flag(k): v for k, v in flags.items() if v is not None}
