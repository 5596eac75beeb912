"""Running a sweep: its chunks through the executors of :mod:`sim.ensemble`, and resuming.

Each chunk's runs go to a worker (or run in this process when the sweep is small, see
:func:`sim.ensemble.choose_executor`); its part files are written as it comes back, so the
same command on an interrupted sweep (Ctrl-C, ``kill -9``, a dead worker) runs only the chunks
that are missing.

A chunk's runs go through the ensemble engine (:mod:`sim.engine`): its points are grouped by
the structure they share, and each group runs as one block (events included, when kept). Each
run stands alone all the same: a point whose scenario cannot be built fails its runs only; a
block that raises is run again one Mesa model at a time; and what fails after a run's own
work (turning its events into rows, say) fails that run alone. A failed run is recorded with
its traceback, and the others go on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sim.ensemble import Chunk, Interrupted, Progress, check_executor, choose_executor, execute
from sim.scenario import Scenario
from sim.sweep import store
from sim.sweep.design import Plan, base_data, plan, point_scenario
from sim.sweep.spec import Keep, SweepSpec, load_spec

if TYPE_CHECKING:
    from sim.runner import RunResult


class Job(NamedTuple):
    """One run of a sweep: its ids, its seed and its point's values."""

    run_id: int
    point_id: int
    replicate: int
    seed: int
    point: dict[str, Any]


def chunk_jobs(p: Plan, chunk: int) -> list[Job]:
    """The runs of one chunk."""
    jobs = []
    for run_id in p.chunk_range(chunk):
        point_id, replicate = divmod(run_id, p.spec.replicates)
        jobs.append(Job(run_id, point_id, replicate, p.run_seed(point_id, replicate),
                        p.points[point_id]))
    return jobs


def _job_row(job: Job) -> dict:
    """The columns that name a run: its ids, its seed and its point's values."""
    return {"run_id": job.run_id, "point_id": job.point_id, "replicate": job.replicate,
            "seed": job.seed, **{f"param:{k}": v for k, v in job.point.items()}}


def _failed_row(job: Job, error: str) -> dict:
    """The runs row of a run that failed with ``error``."""
    return {**_job_row(job), "status": "failed", "error": error}


def _kill_hook(run_id: int) -> None:
    """Fault injection for tests: kill this worker once at a chosen run."""
    target = os.environ.get("PARLEY_SWEEP_KILL_RUN")
    if target is None or int(target) != run_id:
        return
    marker = Path(os.environ["PARLEY_SWEEP_KILL_MARKER"])
    if not marker.exists():
        marker.write_text("killed")
        os._exit(1)


def run_job(base: dict, job: Job, keep: str) -> tuple[dict, dict | None, Any]:
    """Run one job: its runs row, its series (as lists) and its events frame, as kept.

    Raises:
        Exception: whatever went wrong, from building the scenario to making the rows.
    """
    from sim.runner import run

    return rows_of(job, run(point_scenario(base, job.point, job.seed)), keep)


def rows_of(job: Job, result: RunResult, keep: str) -> tuple[dict, dict | None, Any]:
    """One run's runs row, its series (as lists) and its events frame, as kept."""
    row = {**_job_row(job), "status": "ok", "error": "", **result.summary}
    series = events = None
    if keep in (Keep.SERIES, Keep.EVENTS):
        series = {k: v.tolist() for k, v in result.series.items()}
        series["run_id"] = [job.run_id] * len(series["day"])
    if keep == Keep.EVENTS and result.events:
        events = result.events_frame()[store.EVENT_COLUMNS]
        events.insert(0, "run_id", job.run_id)
    return row, series, events


def run_chunk(base: dict, jobs: list[Job], keep: str,
              tick: Callable[[int], None] = lambda runs: None) -> dict:
    """Run a chunk of jobs; a run that raises is recorded as failed with its traceback.

    Returns:
        ``runs`` rows, and the ``series`` and ``events`` of the runs that succeeded, in the
        order of the jobs.
    """
    from sim.engine import run_results, structure

    tick(0)  # the bar hears the chunk has started: building its points' scenarios takes time
    done: dict[int, tuple[dict, dict | None, Any]] = {}
    scenarios: dict[int, Scenario | None] = {}
    errors: dict[int, str] = {}
    groups: dict[tuple[str, int], list[Job]] = {}
    for job in jobs:
        _kill_hook(job.run_id)
        if job.point_id not in scenarios:
            try:
                scenarios[job.point_id] = point_scenario(base, job.point)
            except Exception:  # the point's runs fail; the other points go on
                scenarios[job.point_id] = None
                errors[job.point_id] = traceback.format_exc()
        scenario = scenarios[job.point_id]
        if scenario is None:
            done[job.run_id] = (_failed_row(job, errors[job.point_id]), None, None)
            tick(1)
            continue
        groups.setdefault((structure(scenario), scenario.run.days), []).append(job)
    for (_, days), group in groups.items():
        counted = _Counting(tick)
        try:
            results = run_results([scenarios[j.point_id] for j in group],
                                  [j.seed for j in group], days, counted,
                                  events=keep == Keep.EVENTS)
        except Exception:  # find the run that fails: run the group one run at a time
            for job in group:
                done[job.run_id] = one_run(base, job, keep)
            tick(len(group) - counted.runs)
            continue
        for job, result in zip(group, results, strict=True):
            try:  # what fails after a run's own work (its rows, say) fails that run alone
                done[job.run_id] = rows_of(job, result, keep)
            except Exception:
                done[job.run_id] = (_failed_row(job, traceback.format_exc()), None, None)
    return _gathered(jobs, done)


class _Counting:
    """Passes runs done on to ``tick``, counting them (a block may fail part way)."""

    def __init__(self, tick: Callable[[int], None]) -> None:
        self.tick, self.runs = tick, 0

    def __call__(self, runs: int) -> None:
        self.runs += runs
        self.tick(runs)


def one_run(base: dict, job: Job, keep: str) -> tuple[dict, dict | None, Any]:
    """A job run alone by the Mesa model: its rows, or its failure with its traceback."""
    try:
        return run_job(base, job, keep)
    except Exception:  # any failure of one run is that run's, not its chunk's
        return _failed_row(job, traceback.format_exc()), None, None


def _gathered(jobs: list[Job], done: dict[int, tuple[dict, dict | None, Any]]) -> dict:
    """A chunk's rows in the order of its jobs: runs, and the series and events kept."""
    parts = [done[job.run_id] for job in jobs]
    return {"runs": [row for row, _, _ in parts],
            "series": [s for _, s, _ in parts if s is not None],
            "events": [e for _, _, e in parts if e is not None]}


def run_one_by_one(base: dict, jobs: list[Job], keep: str,
                   tick: Callable[[int], None] = lambda runs: None) -> dict:
    """Run jobs one Mesa model at a time; a run that raises is recorded as failed."""
    done = {}
    for job in jobs:
        _kill_hook(job.run_id)
        done[job.run_id] = one_run(base, job, keep)
        tick(1)
    return _gathered(jobs, done)


@dataclass
class Outcome:
    """What a call to :func:`run` did."""

    out: Path
    total: int
    ran: int
    failed: int
    skipped: int
    seconds: float


def _complete(out: Path, manifest: dict) -> bool:
    """Whether every chunk of the sweep in ``out`` is done."""
    return store.done_chunks(out) >= set(range(manifest["n_chunks"]))


def run(spec: SweepSpec | str | Path, out: str | Path, *, workers: int | None = None,
        executor: str = "local", scheduler: str | None = None, quiet: bool = True,
        folder: Path | None = None, log: Callable[[str], None] | None = None,
        flags: dict[str, Any] | None = None,
        waiting: Callable[[str | None], None] | None = None) -> Outcome:
    """Run (or resume) a sweep into ``out``.

    Args:
        spec: a :class:`SweepSpec`, or the path of a sweep file.
        out: the sweep folder; created, or resumed if it holds the same sweep.
        workers: processes (see :func:`sim.ensemble.choose_executor`).
        executor: ``local`` (process pool), ``dask`` (needs ``scheduler``) or ``dask-local``.
        scheduler: address of a Dask scheduler, e.g. ``tcp://host:8786``.
        quiet: no progress bar (log lines instead, through ``log``).
        folder: folder that the spec's ``base`` is relative to (default: the current one).
        log: where log lines go (default: nowhere).
        flags: command-line flags that overrode the sweep file, recorded in the manifest.
        waiting: told what the sweep is doing before its progress bar shows (planning a
            large design takes seconds), and ``None`` when the bar takes over; the command
            line shows it as a spinner from its first second.

    Returns:
        Counts of what ran.

    Raises:
        SweepError: a bad spec, executor or folder, before any run.
        Interrupted: on Ctrl-C, with the finished chunks saved.
    """
    if not isinstance(spec, SweepSpec):
        spec, folder = load_spec(spec)
    folder = folder or Path.cwd()
    out = Path(out)
    say = log or (lambda _msg: None)
    wait = waiting or (lambda _text: None)
    check_executor(executor, scheduler)
    manifest = store.existing_manifest(out)
    # Nothing to do is known without sampling the design (Sobol's import alone takes 1.5 s):
    # the same spec and base scenario make the same points.
    if (manifest is not None and manifest["spec"] == spec.model_dump(mode="json")
            and manifest["base"] == base_data(spec, folder) and _complete(out, manifest)):
        say(f"nothing to do: all {manifest['n_runs']} runs are in {out}")
        return Outcome(out, manifest["n_runs"], 0, 0, manifest["n_runs"], 0.0)
    wait(f"planning the {spec.design.method} design and checking its points")
    p = plan(spec, folder)
    if manifest is not None:
        store.check_identity(out, manifest, p.identity())
    done = store.done_chunks(out) if manifest is not None else set()
    missing = [c for c in range(p.n_chunks) if c not in done]
    skipped = p.n_runs - sum(len(p.chunk_range(c)) for c in missing)
    if not missing:
        say(f"nothing to do: all {p.n_runs} runs are in {out}")
        return Outcome(out, p.n_runs, 0, 0, skipped, 0.0)
    wait(f"starting {p.n_runs - skipped} runs")
    bar = Progress("sweep", p.n_runs, done=skipped, show=None if not quiet else False,
                   failed=True)
    # Connect first: an unreachable scheduler must fail before anything is written.
    pool = choose_executor((p.n_runs - skipped) * p.days, len(missing), workers, executor,
                           scheduler, bar.tick)
    start = time.perf_counter()
    counts = {"ok": 0, "failed": 0}

    def save(chunk: Chunk, result: dict) -> int:
        ok, failed = store.save_chunk(out, chunk.key, result)
        counts["ok"] += ok
        counts["failed"] += failed
        if quiet:
            say(f"chunk {chunk.key + 1}/{p.n_chunks} done: "
                f"{counts['ok'] + counts['failed']} runs this time, {counts['failed']} failed")
        return failed

    def lost(chunk: Chunk, message: str) -> None:
        jobs = chunk_jobs(p, chunk.key)
        save(chunk, {"runs": [_failed_row(job, message) for job in jobs], "series": [],
                     "events": []})

    chunks = (Chunk(c, len(p.chunk_range(c)), run_chunk,
                    (p.base_data, chunk_jobs(p, c), str(p.spec.keep))) for c in missing)
    wait(None)
    try:
        with bar:  # shown while the folder is prepared and the workers start
            bar.status("preparing the folder")
            try:
                store.prepare(p, out, flags or {})
            except BaseException:
                pool.abort()
                raise
            if pool.workers > 1:
                bar.status(f"starting {pool.workers} workers")
            execute(chunks, pool, save, bar, on_failed=lost)
    except Interrupted as exc:
        raise Interrupted(f"{exc}; they are saved in {out}, and the same command runs the "
                          "rest") from None
    return Outcome(out, p.n_runs, counts["ok"], counts["failed"], skipped,
                   time.perf_counter() - start)
