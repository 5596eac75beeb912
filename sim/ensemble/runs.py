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


def run_replicates(scenario: Scenario, master: int, start: int, stop: int,
                   until_day: int | None, kept: tuple[str, ...],
                   tick: Callable[[int], None]) -> tuple[list[int], list[dict], dict]:
    """Run replicates ``start`` to ``stop - 1`` of an ensemble (in a worker, or here).

    Returns:
        Their seeds, summaries, and kept series (column → (runs, days + 1) array).
    """
    # Imported here, not at the top: a sweep that finds nothing to do never loads the model.
    from sim.model import ParleyModel
    from sim.runner import result_of

    seeds, summaries, series = [], [], {c: [] for c in kept}
    for replicate in range(start, stop):
        seed = seed_of(master, replicate)
        result = result_of(ParleyModel(scenario, seed=seed, days=until_day).run())
        seeds.append(seed)
        summaries.append(result.summary)
        for column in kept:
            series[column].append(result.series[column])
        tick(1)
    return seeds, summaries, {c: np.array(v) for c, v in series.items()}


def chunk_size(runs: int, workers: int) -> int:
    """Runs a chunk of an ensemble: four chunks a worker, at most 50 runs each."""
    return max(1, min(50, math.ceil(runs / (4 * workers))))


def run_ensemble(scenario: Scenario, runs: int, days: int | None = None,
                 workers: int | None = None, *, master_seed: int | None = None,
                 until_day: int | None = None, kept: tuple[str, ...] = SERIES_KEPT,
                 executor: str = "local", scheduler: str | None = None,
                 progress: bool | None = False, label: str = "runs") -> Ensemble:
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
    pool = choose_executor(runs * length, runs, workers, executor, scheduler, bar.tick)
    size = chunk_size(runs, pool.workers)
    chunks = (Chunk(i, min(size, runs - start), run_replicates,
                    (scenario, master, start, min(start + size, runs), until_day, kept))
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
