"""Ensembles: many runs of one scenario over the seeds of one master seed, in order."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.ensemble.executors import Chunk, choose_executor, execute
from sim.ensemble.progress import Progress
from sim.outcomes import Band, Share, as_floats, band, share

if TYPE_CHECKING:
    from sim.scenario import Scenario

SERIES_KEPT = ("gov_released", "ins_released", "attacks", "phase")
"""The daily series an ensemble keeps of each run (for bands by day and reported counts)."""


def seed_of(master: int, *key: int) -> int:
    """The integer seed of the run ``key`` of master seed ``master`` (see :mod:`sim.ensemble`)."""
    state = np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


@dataclass
class Ensemble:
    """Runs of one scenario over the seeds of one master seed, in replicate order.

    Attributes:
        scenario: the scenario every run played.
        master_seed: the master seed; replicate ``i`` ran with ``seed_of(master_seed, i)``.
        seeds: each run's integer seed (``parley run --seed`` reruns it alone).
        summaries: each run's summary.
        series: column → (runs, days + 1) array of the kept daily series.
    """

    scenario: Scenario
    master_seed: int
    seeds: list[int]
    summaries: list[dict]
    series: dict[str, np.ndarray]

    def values(self, key: str) -> np.ndarray:
        """Summary values of ``key`` over runs, NaN where missing."""
        return as_floats([s[key] for s in self.summaries])

    def band(self, key: str) -> Band:
        """The band of summary ``key`` over runs."""
        return band(self.values(key))

    def share(self, key: str) -> Share:
        """The share of runs whose summary ``key`` is true."""
        return share([s[key] for s in self.summaries])

    def rate(self, key: str) -> float:
        """Share of runs whose summary ``key`` is true."""
        return self.share(key).share


BLOCK_RUNS = 1000
"""The most runs the engine steps together in one block (about 50 MB of state)."""

ENGINE_COST = 1 / 20
"""A run-day in a block of the engine costs about this much of one in the Mesa model."""


def run_replicates(scenario: Scenario, master: int, start: int, stop: int,
                   until_day: int | None, kept: tuple[str, ...], engine: bool = True, *,
                   tick: Callable[[int], None]) -> tuple[list[int], list[dict], dict]:
    """Run replicates ``start`` to ``stop - 1`` of an ensemble (in a worker, or here).

    Args:
        scenario: the scenario every run plays.
        master: the ensemble's master seed.
        start: the first replicate.
        stop: one past the last replicate.
        until_day: the day the runs stop (default: the scenario's ``run.days``).
        kept: series columns to give back.
        tick: told of runs done, for a progress bar.
        engine: run them as one block of the ensemble engine (:mod:`sim.engine`); else one
            Mesa model after another (the same runs, slower).

    Returns:
        Their seeds, summaries, and kept series (column → (runs, days + 1) array).
    """
    seeds = [seed_of(master, replicate) for replicate in range(start, stop)]
    if engine:
        from sim.engine import run_block

        length = scenario.run.days if until_day is None else until_day
        summaries, series = run_block(scenario, seeds, length, kept, tick)
        return seeds, summaries, {c: np.ascontiguousarray(series[c]) for c in kept}
    # Imported here, not at the top: a sweep that finds nothing to do never loads the model.
    from sim.model import ParleyModel
    from sim.runner import result_of

    summaries, series = [], {c: [] for c in kept}
    for seed in seeds:
        result = result_of(ParleyModel(scenario, seed=seed, days=until_day).run())
        summaries.append(result.summary)
        for column in kept:
            series[column].append(result.series[column])
        tick(1)
    return seeds, summaries, {c: np.array(v) for c, v in series.items()}


def chunk_size(runs: int, workers: int, engine: bool = True) -> int:
    """Runs a chunk of an ensemble.

    With the engine, a block: two a worker, at most :data:`BLOCK_RUNS` runs each (a block
    is cheaper a run the larger it is). Run by run, four chunks a worker, at most 50 runs.
    """
    if engine:
        return max(1, min(BLOCK_RUNS, math.ceil(runs / (2 * workers))))
    return max(1, min(50, math.ceil(runs / (4 * workers))))


def run_ensemble(scenario: Scenario, runs: int, days: int | None = None,
                 workers: int | None = None, *, master_seed: int | None = None,
                 until_day: int | None = None, kept: tuple[str, ...] = SERIES_KEPT,
                 executor: str = "local", scheduler: str | None = None,
                 progress: bool | None = False, label: str = "runs",
                 engine: bool = True) -> Ensemble:
    """Run ``runs`` replicates of a scenario; results come back in replicate order.

    Replicate ``i`` runs with seed ``seed_of(master_seed, i)``, whatever the executor or
    worker count.

    Args:
        scenario: a validated scenario.
        runs: number of runs.
        days: overrides ``run.days`` (validated: the timeline must fit).
        workers: processes (see :func:`choose_executor`).
        master_seed: the master seed (default: the scenario's ``run.seed``).
        until_day: stop each run at the end of this day, later shocks left in the timeline
            (a role-play game cut short is compared with runs cut at the same day).
        kept: daily series to keep of each run.
        executor: ``local``, ``dask`` or ``dask-local``.
        scheduler: address of a Dask scheduler.
        progress: draw a progress bar; ``None`` draws it on a terminal.
        label: the progress bar's label.
        engine: run blocks of the ensemble engine (default); ``False`` runs the Mesa model
            run by run (the same runs, for checking the engine).

    Raises:
        Interrupted: on Ctrl-C, with the workers stopped.
        ScenarioError: when ``days`` does not fit the scenario, or a run finds bad input.
    """
    from sim.scenario import with_overrides

    if days is not None:
        scenario = with_overrides(scenario, {"run.days": days})
    master = scenario.run.seed if master_seed is None else master_seed
    length = until_day if until_day is not None else scenario.run.days
    bar = Progress(label, runs, show=progress)
    cost = runs * length * (ENGINE_COST if engine else 1)
    pool = choose_executor(math.ceil(cost), runs, workers, executor, scheduler, bar.tick)
    size = chunk_size(runs, pool.workers, engine)
    chunks = (Chunk(i, min(size, runs - start), run_replicates,
                    (scenario, master, start, min(start + size, runs), until_day, kept,
                     engine))
              for i, start in enumerate(range(0, runs, size)))
    parts: dict[int, tuple] = {}

    def keep(chunk: Chunk, result: tuple) -> None:
        parts[chunk.key] = result

    with bar:
        if pool.workers > 1:
            bar.status(f"starting {pool.workers} workers")
        execute(chunks, pool, keep, bar)
    ordered = [parts[k] for k in sorted(parts)]
    series = {c: (np.concatenate([p[2][c] for p in ordered]) if ordered
                  else np.empty((0, length + 1))) for c in kept}
    return Ensemble(scenario, master, [s for p in ordered for s in p[0]],
                    [s for p in ordered for s in p[1]], series)
