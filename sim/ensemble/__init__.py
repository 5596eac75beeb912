"""One way to run many seeds: the seeding scheme, executors, one progress bar, and Ctrl-C.

``parley report``, sweeps (:mod:`sim.sweep`), the role-play comparison (:mod:`sim.roleplay`) and
the dashboard's odds (:mod:`sim.ui.app.state`) all run their seeds through this package:
:mod:`.runs` (seeds and ensembles), :mod:`.executors` (where runs go, and Ctrl-C) and
:mod:`.progress` (the progress bar).

Seeding. Every run's integer seed is :func:`seed_of` of a master seed and the run's key::

    seed_of(master, *key) = SeedSequence(master, spawn_key=key).generate_state(1, uint64)[0] >> 1

that is, the first 63 bits of the first word of the spawned state (so a seed fits a signed
64-bit integer, Parquet and JSON). An ensemble of ``n`` runs with master seed ``m`` runs
replicate ``i`` (``0 <= i < n``) with ``seed_of(m, i)``; ``parley report`` takes ``m`` from the
scenario's ``run.seed``. A sweep runs replicate ``r`` of point ``p`` with
``seed_of(master_seed, p, r)``. Spawned keys give unrelated streams for neighbouring masters
(with ``seed + i``, the ensembles of seeds 0 and 1 would share all but one run). Every run's
seed is recorded, so ``parley run --seed S`` reruns any one of them alone, and no result
depends on the worker count, the executor or the order in which runs finish.

Executors. Work goes out in chunks of runs: to this process (:class:`InProcess`, for one
worker or a small ensemble, where starting processes would cost more than it saves), to a
local process pool started with ``spawn`` (:class:`LocalPool`), or to Dask
(:class:`DaskPool`). :func:`execute` submits chunks lazily, a few per worker at a time, so a
queue of ten million runs holds no list of ten million seeds or futures; a chunk lost with its
worker is run again (twice at most).

Stopping. Ctrl-C (``KeyboardInterrupt``) in :func:`execute` cancels the chunks not yet
started, terminates the workers, and raises :class:`Interrupted` (a ``KeyboardInterrupt``)
saying how far the runs got; workers ignore Ctrl-C themselves, so a terminal's interrupt
leaves no traceback in them.
"""

from sim.ensemble.executors import (
    EXECUTORS,
    Chunk,
    DaskPool,
    EnsembleError,
    Executor,
    InProcess,
    Interrupted,
    LocalPool,
    check_executor,
    choose_executor,
    execute,
)
from sim.ensemble.progress import Progress
from sim.ensemble.runs import SERIES_KEPT, Ensemble, run_ensemble, run_replicates, seed_of

__all__ = [
    "EXECUTORS",
    "SERIES_KEPT",
    "Chunk",
    "DaskPool",
    "Ensemble",
    "EnsembleError",
    "Executor",
    "InProcess",
    "Interrupted",
    "LocalPool",
    "Progress",
    "check_executor",
    "choose_executor",
    "execute",
    "run_ensemble",
    "run_replicates",
    "seed_of",
]
