"""Scenario sweeps at scale: designs, seeds, executors, resumable Parquet storage, analysis.

A sweep varies parameters of a base scenario by dotted path over a design (full factorial,
Latin hypercube, Sobol/Saltelli or Morris), runs each point ``replicates`` times and writes
results as Parquet part files as chunks of runs finish. A run's seed depends only on the
master seed, its point and its replicate, so results are identical whatever the executor,
worker count or finishing order. Running the same command on an interrupted sweep runs only
the chunks that are missing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import platform
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError, model_validator

from sim import __version__
from sim.errors import ParleyError, Problem, ScenarioError
from sim.scenario import (
    Frozen,
    P,
    Scenario,
    apply_overrides,
    field_at,
    load_scenario,
    problems_from_validation,
    read_yaml,
)

MANIFEST = "manifest.json"
PARTS = "parts"
EVENT_COLUMNS = ["day", "actor", "kind", "sentence", "details"]


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

    start: float = P(0.0, "value", "first value")
    stop: float = P(1.0, "value", "last value")
    steps: int = P(3, "count", "number of values", ge=1, le=100_000)


class Parameter(Frozen):
    """One varied parameter: a list of values, a range, or bounds for sampling."""

    path: str = P("", "path", "dotted path into the scenario, e.g. insurgent.patience",
                  min_length=1)
    kind: Kind = P(Kind.UNCERTAINTY, "kind", "lever (policy choice) or uncertainty")
    values: list[Any] | None = P(None, "values", "explicit values")
    range: Range | None = P(None, "section", "evenly spaced values")
    bounds: tuple[float, float] | None = P(None, "values", "lower and upper bound for sampling")

    @model_validator(mode="after")
    def _one_source(self) -> Parameter:
        given = [x is not None for x in (self.values, self.range, self.bounds)]
        if sum(given) != 1:
            raise ValueError(f"parameter {self.path!r}: give exactly one of values, range, "
                             "bounds")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"parameter {self.path!r}: bounds must be increasing")
        return self

    def grid(self) -> list[Any]:
        """Values for a full factorial design."""
        if self.values is not None:
            return list(self.values)
        if self.range is not None:
            return [float(v) for v in np.linspace(self.range.start, self.range.stop,
                                                   self.range.steps)]
        raise ValueError("bounds")

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
    samples: int = P(16, "count", "Latin hypercube points; Sobol base sample N (a power of 2); "
                     "Morris trajectories", ge=1, le=1_000_000)
    levels: int = P(4, "count", "grid levels of the Morris method", ge=2, le=100)
    second_order: bool = P(False, "flag", "also compute second-order Sobol indices")


class SweepSpec(Frozen):
    """A whole sweep: base scenario, varied parameters, design, replicates and storage."""

    name: str = P("sweep", "name", "short name", min_length=1, max_length=80)
    description: str = P("", "text", "what the sweep explores")
    base: str = P("", "path", "base scenario file, relative to the sweep file", min_length=1)
    set: dict[str, Any] = P({}, "overrides", "fixed overrides of the base, by dotted path")
    parameters: list[Parameter] = P([], "list", "varied parameters", min_length=1)
    design: Design = P(Design(), "section", "how points are chosen")
    replicates: int = P(10, "count", "runs per point", ge=1, le=1_000_000)
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
            raise ValueError("each parameter path may appear only once")
        return self


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
        """Runs per part file; fixed by the spec so that resumes find the same chunks."""
        if self.spec.chunk_size:
            return self.spec.chunk_size
        return max(20, min(200, math.ceil(self.n_runs / 100)))

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
        """The seed of one run, spawned from the master seed by point and replicate."""
        seq = np.random.SeedSequence(self.spec.master_seed, spawn_key=(point, replicate))
        return int(seq.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


class SweepError(ParleyError):
    """A sweep cannot start or continue; holds one :class:`Problem` per fault."""


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
        problems = problems_from_validation(exc, origin, str(path), SweepSpec)
        raise SweepError(problems) from None


def _sample_design(spec: SweepSpec) -> list[dict[str, Any]]:
    params = spec.parameters
    design = spec.design
    if design.method is Method.FULL_FACTORIAL:
        grids = []
        for p in params:
            if p.bounds is not None:
                raise SweepError([Problem("sweep", f"parameters.{p.path}",
                                          "bounds cannot make a full factorial grid",
                                          "values or a range, or a sampling design")])
            grids.append(p.grid())
        return [dict(zip([p.path for p in params], combo, strict=True))
                for combo in itertools.product(*grids)]
    problem = _salib_problem(spec)
    if design.method is Method.LATIN_HYPERCUBE:
        from scipy.stats import qmc

        gen = np.random.default_rng(np.random.SeedSequence(spec.master_seed, spawn_key=(2**31,)))
        unit = qmc.LatinHypercube(d=len(params), rng=gen).random(design.samples)
        lo, hi = np.array(problem["bounds"]).T
        x = lo + unit * (hi - lo)
    elif design.method is Method.SOBOL:
        from SALib.sample import sobol

        if design.samples & (design.samples - 1):
            raise SweepError([Problem("sweep", "design.samples",
                                      f"{design.samples} is not a power of 2",
                                      "a power of 2 (Saltelli's scheme), e.g. 64")])
        x = sobol.sample(problem, design.samples, calc_second_order=design.second_order,
                         seed=spec.master_seed % 2**32)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, design.samples, num_levels=design.levels,
                          seed=spec.master_seed % 2**32)
    return [{p.path: float(v) for p, v in zip(params, row, strict=True)} for row in x]


def _salib_problem(spec: SweepSpec) -> dict[str, Any]:
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


def _coerce(points: list[dict[str, Any]], data: dict) -> list[dict[str, Any]]:
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


def plan(spec: SweepSpec, folder: Path) -> Plan:
    """Resolve a sweep: load its base, build every point and validate each against the schema.

    Raises:
        ScenarioError: when the base scenario (with the spec's ``set``) is invalid.
        SweepError: unknown paths (with the nearest valid one), a value the schema rejects
            (which point, which field), or an empty design.
    """
    base_path = folder / spec.base
    base_data = load_scenario(base_path, spec.set).model_dump(mode="json")
    problems = []
    for p in spec.parameters:
        try:
            field_at(p.path, "sweep")
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SweepError(problems)
    points = _sample_design(spec)
    if spec.design.method is not Method.FULL_FACTORIAL:
        points = _coerce(points, base_data)  # sampled values of integer parameters are rounded
    points = _absolute_files(points, base_path.resolve().parent)
    if not points:
        raise SweepError([Problem("sweep", "parameters", "the design has no points",
                                  "at least one value for every parameter")])
    if spec.days:
        base_data["run"]["days"] = spec.days
    for i, point in enumerate(points):
        try:
            Scenario.model_validate(apply_overrides(base_data, point, "sweep"))
        except ScenarioError as exc:
            problems.extend(Problem(f"point {i}", pr.field, pr.message, pr.allowed)
                            for pr in exc.problems)
        except ValidationError as exc:
            problems.extend(Problem(f"point {i} {point}", pr.field, pr.message, pr.allowed)
                            for pr in problems_from_validation(exc, {}, "sweep", Scenario))
        if len(problems) >= 20:
            break
    if problems:
        raise SweepError(problems)
    return Plan(spec, base_data, points)


def _kill_hook(run_id: int) -> None:
    """Fault injection for tests: kill this worker once at a chosen run."""
    target = os.environ.get("PARLEY_SWEEP_KILL_RUN")
    if target is None or int(target) != run_id:
        return
    marker = Path(os.environ["PARLEY_SWEEP_KILL_MARKER"])
    if not marker.exists():
        marker.write_text("killed")
        os._exit(1)


def run_chunk(base_data: dict, jobs: list[tuple[int, int, int, int, dict]], keep: str) -> dict:
    """Run a chunk of ``(run_id, point_id, replicate, seed, overrides)`` jobs.

    A run that raises is recorded as failed with its traceback; the others go on.
    """
    from sim.runner import run

    runs, series, events = [], [], []
    for job in jobs:
        run_id, _, _, seed, point = job
        _kill_hook(run_id)
        try:
            data = apply_overrides(base_data, {**point, "run.seed": seed}, "sweep")
            result = run(Scenario.model_validate(data))
        except Exception:  # any failure of one run is recorded, not raised
            runs.append(_failed_row(job, traceback.format_exc()))
            continue
        runs.append({**_job_row(job), "status": "ok", "error": "", **result.summary})
        if keep in (Keep.SERIES, Keep.EVENTS):
            frame = {k: v.tolist() for k, v in result.series.items()}
            frame["run_id"] = [run_id] * len(frame["day"])
            series.append(frame)
        if keep == Keep.EVENTS and result.events:
            # Stored without dates: the base's start date is in the manifest.
            frame = result.events_frame()[EVENT_COLUMNS]
            frame.insert(0, "run_id", run_id)
            events.append(frame)
    return {"runs": runs, "series": series, "events": events}


def _job_row(job: tuple[int, int, int, int, dict]) -> dict:
    """The columns that name a run: its ids, its seed and its point's values."""
    run_id, point_id, replicate, seed, point = job
    return {"run_id": run_id, "point_id": point_id, "replicate": replicate, "seed": seed,
            **{f"param:{k}": v for k, v in point.items()}}


def _failed_row(job: tuple[int, int, int, int, dict], error: str) -> dict:
    """The runs row of a run that failed with ``error``."""
    return {**_job_row(job), "status": "failed", "error": error}


def _warm_up() -> None:
    """Import what a run needs, in a fresh worker."""
    import sim.runner  # noqa: F401


class LocalExecutor:
    """A process pool started with ``spawn`` (safe on every platform and in notebooks)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
        # Start the workers now: their imports overlap with the parent's preparation.
        for _ in range(workers):
            self.pool.submit(_warm_up)

    def submit(self, fn: Callable, *args: Any):
        """Submit a task; returns a future."""
        return self.pool.submit(fn, *args)

    def wait_first(self, futures: list) -> set:
        """Block until at least one of ``futures`` is done; returns the done ones."""
        return wait(futures, return_when=FIRST_COMPLETED).done

    def restart(self) -> None:
        """Replace a broken pool."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))

    def close(self) -> None:
        """Shut down without waiting for the workers to exit: every result is saved."""
        self.pool.shutdown(wait=False, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed client, on an existing scheduler or a LocalCluster it starts."""

    def __init__(self, workers: int, scheduler: str | None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SweepError([Problem("--executor", "executor",
                                      "Dask is not installed",
                                      "pip install '.[dask]' (or the local executor)")]) from None
        self.cluster = None
        try:
            if scheduler is None:
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise SweepError([Problem("--scheduler", "scheduler",
                                      f"cannot reach {scheduler}: {exc}",
                                      "the address of a running Dask scheduler, e.g. "
                                      "tcp://HOST:8786")]) from None
        self.workers = workers

    def submit(self, fn: Callable, *args: Any):
        """Submit a task (never cached: each chunk is pure but may be resubmitted)."""
        return self.client.submit(fn, *args, pure=False)

    def wait_first(self, futures: list) -> set:
        """Block until at least one of ``futures`` is done; returns the done ones."""
        from distributed import wait as dask_wait

        return dask_wait(futures, return_when="FIRST_COMPLETED").done

    def restart(self) -> None:
        """Dask reschedules work of dead workers itself."""

    def close(self) -> None:
        """Close the client and any cluster it started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _write_atomic(frame, path: Path) -> None:
    """Write a table as CSV or (any other suffix) Parquet; readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix == ".csv":
        frame.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _chunk_jobs(p: Plan, chunk: int) -> list[tuple[int, int, int, int, dict]]:
    r = p.spec.replicates
    jobs = []
    for run_id in p.chunk_range(chunk):
        point_id, replicate = divmod(run_id, r)
        jobs.append((run_id, point_id, replicate, p.run_seed(point_id, replicate),
                     p.points[point_id]))
    return jobs


def _save_chunk(out: Path, chunk: int, result: dict) -> tuple[int, int]:
    import pandas as pd

    parts = out / PARTS
    if result["series"]:
        frame = pd.concat([pd.DataFrame(s) for s in result["series"]], ignore_index=True)
        _write_atomic(frame, parts / f"series-{chunk:06d}.parquet")
    if result["events"]:
        frame = pd.concat(result["events"], ignore_index=True)
        _write_atomic(frame, parts / f"events-{chunk:06d}.parquet")
    runs = pd.DataFrame(result["runs"])
    for col in runs.columns:  # a column that is None in some runs is stored as float
        if runs[col].dtype == object and col not in ("status", "error", "scenario",
                                                     "scenario_hash", "version",
                                                     "final_phase") \
                and not col.startswith("param:"):
            values = runs[col].dropna()
            if len(values) and all(isinstance(v, bool | np.bool_) for v in values):
                runs[col] = runs[col].astype("boolean")  # a flag, missing in failed runs
            else:
                runs[col] = pd.to_numeric(runs[col], errors="coerce")
    # The runs file is written last: its presence marks the chunk done.
    _write_atomic(runs, parts / f"runs-{chunk:06d}.parquet")
    failed = int((runs["status"] == "failed").sum())
    return len(runs) - failed, failed


def done_chunks(out: Path) -> set[int]:
    """Chunks whose runs file exists."""
    return {int(f.stem.split("-")[1]) for f in (out / PARTS).glob("runs-*.parquet")}


def _only_preparation(out: Path) -> bool:
    """Whether a folder without a manifest holds only what preparing a sweep writes first.

    A sweep killed while preparing its folder leaves ``parts/`` (with no finished chunk),
    perhaps ``points.parquet`` and temporary files: the same command may then start over.
    """
    for entry in out.iterdir():
        if entry.name == PARTS and entry.is_dir():
            if any(not f.name.startswith(".") for f in entry.iterdir()):
                return False
        elif entry.name != "points.parquet" and not (entry.name.startswith(".")
                                                     and entry.name.endswith(".tmp")):
            return False
    return True


def _prepare_dir(p: Plan, out: Path) -> None:
    manifest_path = out / MANIFEST
    identity = p.identity()
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("identity") != identity:
            raise SweepError([Problem(
                str(out), "manifest", f"was made by a different sweep (identity "
                f"{old.get('identity')}, this one {identity}); results would mix",
                "the same spec to resume, or a new --out (or delete the folder) to start "
                "afresh")])
    elif out.exists() and not _only_preparation(out):
        raise SweepError([Problem(str(out), "out", "exists, is not empty and holds no sweep",
                                  "a new or empty folder")])
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob(".*.tmp"), *(out / PARTS).glob(".*.tmp")]:
        stale.unlink()  # torn writes of an interrupted sweep
    if not manifest_path.exists():
        from importlib.metadata import version

        import pandas as pd

        manifest = {
            "identity": identity,
            "spec": p.spec.model_dump(mode="json"),
            "base": p.base_data,
            "master_seed": p.spec.master_seed,
            "n_points": len(p.points),
            "n_runs": p.n_runs,
            "chunk_size": p.chunk_size,
            "n_chunks": p.n_chunks,
            "days": p.days,
            "versions": {"parley": __version__, "mesa": version("mesa"),
                         "numpy": np.__version__, "python": platform.python_version()},
        }
        points = pd.DataFrame([{"point_id": i, **{f"param:{k}": v for k, v in pt.items()}}
                               for i, pt in enumerate(p.points)])
        _write_atomic(points, out / "points.parquet")
        tmp = manifest_path.with_name(".manifest.json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        os.replace(tmp, manifest_path)


@dataclass
class Outcome:
    """What a call to :func:`run` did."""

    out: Path
    total: int
    ran: int
    failed: int
    skipped: int
    seconds: float


def _progress(total: int, already: int, quiet: bool):
    if quiet:
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("[bold]sweep"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]} runs/s"), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn(),
                        TextColumn("failed: {task.fields[failed]}"), transient=False)
    progress.add_task("runs", total=total, completed=already, rate="—", failed=0)
    return progress


def run(spec: SweepSpec | str | Path, out: str | Path, *, workers: int | None = None,
        executor: str = "local", scheduler: str | None = None, quiet: bool = True,
        folder: Path | None = None, log: Callable[[str], None] | None = None) -> Outcome:
    """Run (or resume) a sweep into ``out``.

    Args:
        spec: a :class:`SweepSpec`, or the path of a sweep file.
        out: the sweep folder; created, or resumed if it holds the same sweep.
        workers: processes (default: the number of cores).
        executor: ``local`` (process pool), ``dask`` (needs ``scheduler``) or ``dask-local``.
        scheduler: address of a Dask scheduler, e.g. ``tcp://host:8786``.
        quiet: no progress bar (log lines instead, through ``log``).
        folder: folder that the spec's ``base`` is relative to (default: the current one).
        log: where log lines go (default: nowhere).

    Returns:
        Counts of what ran.
    """
    if not isinstance(spec, SweepSpec):
        spec, folder = load_spec(spec)
    p = plan(spec, folder or Path.cwd())
    out = Path(out)
    if executor not in ("local", "dask", "dask-local"):
        raise SweepError([Problem("--executor", "executor", f"unknown executor {executor!r}",
                                  "local, dask or dask-local")])
    if executor == "dask" and not scheduler:
        raise SweepError([Problem("--scheduler", "scheduler", "missing for --executor dask",
                                  "tcp://HOST:PORT of a running Dask scheduler")])
    workers = workers or os.cpu_count() or 1
    say = log or (lambda _msg: None)
    # Connect first: an unreachable scheduler must fail before anything is written.
    pool = DaskExecutor(workers, scheduler) if executor.startswith("dask") \
        else LocalExecutor(workers)
    try:
        _prepare_dir(p, out)
    except SweepError:
        pool.close()
        raise
    done = done_chunks(out)
    missing = [c for c in range(p.n_chunks) if c not in done]
    skipped_runs = p.n_runs - sum(len(p.chunk_range(c)) for c in missing)
    start = time.perf_counter()
    ran = failed = 0
    if not missing:
        pool.close()
        say(f"nothing to do: all {p.n_runs} runs are in {out}")
        return Outcome(out, p.n_runs, 0, 0, skipped_runs, 0.0)
    progress = _progress(p.n_runs, skipped_runs, quiet)
    keep = str(p.spec.keep)
    window = 2 * workers
    retries: dict[int, int] = {}

    def save(chunk: int, result: dict) -> None:
        nonlocal ran, failed
        ok, bad = _save_chunk(out, chunk, result)
        ran, failed = ran + ok, failed + bad
        _advance(progress, ok + bad, failed, ran + failed, start)
        if progress is None:
            say(f"chunk {chunk + 1}/{p.n_chunks} done: {ran + failed} runs this time, "
                f"{failed} failed")

    try:
        if progress:
            progress.start()
        queue = list(missing)
        active: dict[Any, int] = {}
        while queue or active:
            while queue and len(active) < window:
                chunk = queue.pop(0)
                active[pool.submit(run_chunk, p.base_data, _chunk_jobs(p, chunk), keep)] = chunk
            for fut in pool.wait_first(list(active)):
                chunk = active.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:  # a dead worker, or a task Dask gave up on
                    if isinstance(exc, BrokenProcessPool):
                        # A worker died: every chunk in flight is lost; restart and resubmit.
                        lost = [chunk, *active.values()]
                        active.clear()
                        pool.restart()
                    else:
                        lost = [chunk]
                    for c in lost:
                        retries[c] = retries.get(c, 0) + 1
                        if retries[c] > 2:
                            save(c, _failed_chunk(p, c, f"worker died 3 times: {exc!r}"))
                        else:
                            queue.insert(0, c)
                    break
                save(chunk, result)
    finally:
        if progress:
            progress.stop()
        pool.close()
    return Outcome(out, p.n_runs, ran, failed, skipped_runs, time.perf_counter() - start)


def _failed_chunk(p: Plan, chunk: int, message: str) -> dict:
    runs = [_failed_row(job, message) for job in _chunk_jobs(p, chunk)]
    return {"runs": runs, "series": [], "events": []}


def _advance(progress, n: int, failed: int, done_now: int, start: float) -> None:
    if progress is None:
        return
    rate = done_now / max(time.perf_counter() - start, 1e-9)
    task = progress.tasks[0].id
    progress.update(task, advance=n, failed=failed, rate=f"{rate:.1f}")


@dataclass
class SweepData:
    """A sweep's results as pandas DataFrames, in run order (``None`` for a table not loaded)."""

    manifest: dict
    points: Any
    runs: Any
    series: Any
    events: Any


TABLES = ("runs", "series", "events")


def _read_parts(out: Path, stem: str):
    import pandas as pd

    files = sorted((out / PARTS).glob(f"{stem}-*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    keys = ["run_id", "day"] if stem == "series" else ["run_id"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def read_manifest(out: str | Path) -> dict:
    """The manifest of a sweep folder."""
    path = Path(out) / MANIFEST
    if not path.exists():
        raise SweepError([Problem(str(out), "manifest", "no sweep here (manifest.json missing)",
                                  "a folder written by parley sweep run")])
    return json.loads(path.read_text(encoding="utf-8"))


def load(out: str | Path, tables: Iterable[str] = TABLES) -> SweepData:
    """Load a sweep folder: ``runs``, ``series`` and ``events`` DataFrames (and points).

    Args:
        out: the sweep folder.
        tables: which of ``runs``, ``series`` and ``events`` to read; the others are ``None``
            (the series and events of a large sweep are far bigger than its runs).
    """
    import pandas as pd

    out = Path(out)
    manifest = read_manifest(out)
    wanted = set(tables)
    parts = {name: _read_parts(out, name) if name in wanted else None for name in TABLES}
    return SweepData(manifest, pd.read_parquet(out / "points.parquet"), **parts)


def status(out: str | Path) -> dict:
    """Counts of done, failed and missing runs."""
    out = Path(out)
    manifest = read_manifest(out)
    runs = _read_parts(out, "runs")
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    return {"name": manifest["spec"]["name"], "total": manifest["n_runs"],
            "done": len(runs) - failed, "failed": failed,
            "missing": manifest["n_runs"] - len(runs),
            "chunks_missing": manifest["n_chunks"] - len(done_chunks(out))}


def export(out: str | Path, dest: str | Path | None = None, fmt: str = "csv") -> list[Path]:
    """Write runs, series and events as single CSV (or Parquet) files."""
    data = load(out)
    dest = Path(dest) if dest else Path(out) / "export"
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("points", "runs", "series", "events"):
        frame = getattr(data, name)
        if frame is None or len(frame) == 0:
            continue
        path = dest / f"{name}.{fmt}"
        _write_atomic(frame, path)
        written.append(path)
    return written


def analyze(out: str | Path, method: str, output: str) -> dict:
    """Sensitivity indices of one outcome (mean over replicates) with SALib.

    Raises:
        SweepError: when the design does not fit the method, or the outcome is unknown or
            missing in some points.
    """
    data = load(out, tables=["runs"])
    spec = SweepSpec.model_validate(data.manifest["spec"])
    if method not in ("sobol", "morris"):
        raise SweepError([Problem("--method", "method", f"unknown method {method!r}",
                                  "sobol or morris")])
    if spec.design.method.value != method:
        raise SweepError([Problem(str(out), "design.method",
                                  f"the sweep used a {spec.design.method.value} design, which "
                                  f"does not fit the {method} method",
                                  f"a sweep made with design.method: {method}")])
    runs = data.runs
    if output not in runs.columns:
        numeric = [c for c in runs.columns if runs[c].dtype.kind in "biuf"
                   and not c.startswith("param:") and c not in ("run_id", "point_id",
                                                                "replicate", "seed")]
        raise SweepError([Problem("--output", "output", f"unknown outcome {output!r}",
                                  ", ".join(numeric))])
    if data.manifest["n_runs"] != len(runs):
        raise SweepError([Problem(str(out), "runs", f"only {len(runs)} of "
                                  f"{data.manifest['n_runs']} runs are done",
                                  "a finished sweep (run the same command to resume)")])
    values = runs.assign(y=runs[output].astype(float)).groupby("point_id")["y"].mean()
    y = values.reindex(range(data.manifest["n_points"])).to_numpy()
    if not np.isfinite(y).all():
        raise SweepError([Problem(str(out), output,
                                  f"is missing in {int((~np.isfinite(y)).sum())} points",
                                  "an outcome every run defines (e.g. gov_released)")])
    problem = _salib_problem(spec)
    names = problem["names"]
    seed = spec.master_seed % 2**32
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, y, calc_second_order=spec.design.second_order,
                            seed=seed, print_to_console=False)
        rows = [{"parameter": n, "S1": float(res["S1"][i]), "S1_conf": float(res["S1_conf"][i]),
                 "ST": float(res["ST"][i]), "ST_conf": float(res["ST_conf"][i])}
                for i, n in enumerate(names)]
    else:
        from SALib.analyze import morris

        x = data.points[[f"param:{n}" for n in names]].to_numpy(dtype=float)
        res = morris.analyze(problem, x, y, num_levels=spec.design.levels, seed=seed,
                             print_to_console=False)
        rows = [{"parameter": n, "mu_star": float(res["mu_star"][i]),
                 "mu_star_conf": float(res["mu_star_conf"][i]), "mu": float(res["mu"][i]),
                 "sigma": float(res["sigma"][i])} for i, n in enumerate(names)]
    return {"method": method, "output": output, "indices": rows}


def spec_from_flags(base: str, vary: Iterable[str], levers: Iterable[str], **fields: Any
                    ) -> SweepSpec:
    """Build a spec from ``--vary path=a,b,c`` / ``path=lo..hi`` / ``path=lo..hi/steps``."""
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
                entry = {"values": [yaml.safe_load(v) for v in text.split(",")]}
        except ValueError:
            problems.append(Problem("--vary", item, "cannot be read",
                                    "path=a,b,c or path=lo..hi or path=lo..hi/steps"))
            continue
        params.append({"path": path, "kind": kind, **entry})
    if problems:
        raise SweepError(problems)
    data = {"base": base, "parameters": params,
            **{k: v for k, v in fields.items() if v is not None}}
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise SweepError(problems_from_validation(exc, {}, "command line", SweepSpec)) from None


def sweep_or_scenario(path: Path) -> str:
    """``sweep`` if the file is a sweep spec (it has ``base:``), else ``scenario``.

    Raises:
        ScenarioError: when the file cannot be read as YAML.
    """
    data, _ = read_yaml(path)
    return "sweep" if "base" in data else "scenario"

