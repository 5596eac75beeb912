"""Running a sweep: its chunks through the executors of :mod:`sim.ensemble`, and resuming.

Each chunk's runs go to a worker (or run in this process when the sweep is small, see
:func:`sim.ensemble.choose_executor`); its part files are written as it comes back, so the
same command on an interrupted sweep (Ctrl-C, ``kill -9``, a dead worker) runs only the chunks
that are missing.

A chunk's runs go through the ensemble engine (:mod:`sim.engine`): its points are grouped by
the structure they share, and each group runs as one block. A sweep that keeps events runs
the Mesa model run by run, as the engine records no events. Each run stands alone whichever
way it runs: a point whose scenario cannot be built fails its runs only, and a block that
raises is run again one run at a time, so that whatever one run raises, from setting up its
scenario to turning its events into rows, is recorded with its traceback as that run's
failure, and the others go on.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from sim.ensemble import Chunk, Interrupted, Progress, check_executor, choose_executor, execute
from sim.scenario import Scenario, apply_overrides
from sim.sweep import store
from sim.sweep.design import Plan, base_data, plan
from sim.sweep.spec import Keep, SweepSpec, load_spec


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

    data = apply_overrides(base, {**job.point, "run.seed": job.seed}, "sweep")
    result = run(Scenario.model_validate(data))
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
    if keep == Keep.EVENTS:
        return run_one_by_one(base, jobs, keep, tick)
    from sim.engine import run_block, structure

    done: dict[int, tuple[dict, dict | None]] = {}
    failed: dict[int, dict] = {}
    scenarios: dict[int, Scenario | None] = {}
    errors: dict[int, str] = {}
    groups: dict[tuple[str, int], list[Job]] = {}
    for job in jobs:
        _kill_hook(job.run_id)
        if job.point_id not in scenarios:
            try:
                data = apply_overrides(base, job.point, "sweep")
                scenarios[job.point_id] = Scenario.model_validate(data)
            except Exception:  # the point's runs fail; the other points go on
                scenarios[job.point_id] = None
                errors[job.point_id] = traceback.format_exc()
        scenario = scenarios[job.point_id]
        if scenario is None:
            failed[job.run_id] = _failed_row(job, errors[job.point_id])
            tick(1)
            continue
        groups.setdefault((structure(scenario), scenario.run.days), []).append(job)
    for (_, days), group in groups.items():
        try:
            summaries, cols = run_block([scenarios[j.point_id] for j in group],
                                        [j.seed for j in group], days,
                                        None if keep == Keep.SERIES else (), tick)
        except Exception:  # find the run that fails: run the group one run at a time
            part = run_one_by_one(base, group, keep, tick)
            for job, row, run_series in _rows_back(group, part):
                (failed.__setitem__(job.run_id, row) if row["status"] == "failed"
                 else done.__setitem__(job.run_id, (row, run_series)))
            continue
        for i, job in enumerate(group):
            run_series = None
            if keep == Keep.SERIES:
                run_series = {k: v[i].tolist() for k, v in cols.items()}
                run_series["run_id"] = [job.run_id] * days_plus_one(cols)
            done[job.run_id] = ({**_job_row(job), "status": "ok", "error": "",
                                 **summaries[i]}, run_series)
    runs, series = [], []
    for job in jobs:
        if job.run_id in failed:
            runs.append(failed[job.run_id])
            continue
        row, run_series = done[job.run_id]
        runs.append(row)
        if run_series is not None:
            series.append(run_series)
    return {"runs": runs, "series": series, "events": []}


def days_plus_one(cols: dict) -> int:
    """Days in a block's series, day 0 included."""
    return next(iter(cols.values())).shape[1]


def _rows_back(jobs: list[Job], part: dict):
    """Each job of a chunk run one by one, with its runs row and series (None if failed)."""
    series = iter(part["series"])
    for job, row in zip(jobs, part["runs"], strict=True):
        yield job, row, (next(series) if row["status"] == "ok" and part["series"] else None)


def run_one_by_one(base: dict, jobs: list[Job], keep: str,
                   tick: Callable[[int], None] = lambda runs: None) -> dict:
    """Run jobs one Mesa model at a time; a run that raises is recorded as failed."""
    runs, series, events = [], [], []
    for job in jobs:
        _kill_hook(job.run_id)
        try:
            row, run_series, run_events = run_job(base, job, keep)
        except Exception:  # any failure of one run is that run's, not its chunk's
            runs.append(_failed_row(job, traceback.format_exc()))
        else:
            runs.append(row)
            if run_series is not None:
                series.append(run_series)
            if run_events is not None:
                events.append(run_events)
        tick(1)
    return {"runs": runs, "series": series, "events": events}


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
        flags: dict[str, Any] | None = None) -> Outcome:
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
    check_executor(executor, scheduler)
    manifest = store.existing_manifest(out)
    # Nothing to do is known without sampling the design (Sobol's import alone takes 1.5 s):
    # the same spec and base scenario make the same points.
    if (manifest is not None and manifest["spec"] == spec.model_dump(mode="json")
            and manifest["base"] == base_data(spec, folder) and _complete(out, manifest)):
        say(f"nothing to do: all {manifest['n_runs']} runs are in {out}")
        return Outcome(out, manifest["n_runs"], 0, 0, manifest["n_runs"], 0.0)
    p = plan(spec, folder)
    if manifest is not None:
        store.check_identity(out, manifest, p.identity())
    done = store.done_chunks(out) if manifest is not None else set()
    missing = [c for c in range(p.n_chunks) if c not in done]
    skipped = p.n_runs - sum(len(p.chunk_range(c)) for c in missing)
    if not missing:
        say(f"nothing to do: all {p.n_runs} runs are in {out}")
        return Outcome(out, p.n_runs, 0, 0, skipped, 0.0)
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
