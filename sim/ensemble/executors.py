"""Where chunks of runs go: this process, a local process pool or Dask; and Ctrl-C.

:func:`execute` submits chunks lazily, a few a worker at a time (``in_flight``), so a
queue of ten million runs holds no list of ten million seeds or futures; a chunk lost with its
worker is run again (:data:`RETRIES` times at most). On Ctrl-C it cancels the chunks not yet
started, terminates the workers and raises :class:`Interrupted`; workers ignore Ctrl-C
themselves, so a terminal's interrupt leaves no traceback in them.
"""

from __future__ import annotations

import math
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Protocol

from sim.ensemble.progress import Progress
from sim.errors import ParleyError, Problem

IN_PROCESS_RUN_DAYS = 20_000
"""Batches of at most this many run-days (runs times days) run in this process by default:
about two seconds of runs on one core, as long as spawned workers take to import the model."""

IN_FLIGHT_PER_WORKER = 2
"""Chunks submitted per worker at a time: one running, one waiting, so no worker idles."""

RETRIES = 2
"""How many times a chunk lost with its worker is run again before it counts as failed."""

TICK_SECONDS = 0.25
"""How often a worker reports finished runs to the progress bar."""

EXECUTORS = ("local", "dask", "dask-local")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch of runs; the message says how far they got."""


class EnsembleError(ParleyError):
    """Many runs cannot start or finish; holds one :class:`~sim.errors.Problem` per fault."""


class Executor(Protocol):
    """Where chunks run: submit, wait for the first done, replace lost workers, stop."""

    workers: int
    in_flight: int
    """Chunks submitted at a time: enough to keep every worker busy, and no more."""
    lost: tuple[type[BaseException], ...]
    """Errors of a chunk that mean its worker was lost, not that a run raised."""
    loses_all: bool
    """Whether a lost worker loses every chunk in flight (then :meth:`restart` is needed)."""

    def submit(self, key: Any, fn: Callable, args: tuple) -> Future:
        """Run ``fn(*args, tick=...)`` for the chunk ``key``; returns its future."""

    def wait_first(self, futures: list, timeout: float) -> set:
        """The futures done within ``timeout`` seconds (perhaps none)."""

    def ticks(self) -> Iterator[tuple[Any, int]]:
        """``(key, runs)`` reports of finished runs received since the last call."""

    def restart(self) -> None:
        """Replace workers after one died (every chunk in flight is then lost)."""

    def close(self) -> None:
        """Stop after the last result: nothing is left to run."""

    def abort(self) -> None:
        """Stop now: cancel what has not started and terminate the workers."""


class InProcess:
    """Runs each chunk at once in this process, reporting its runs to ``on_tick``."""

    workers = 1
    in_flight = 1  # a chunk runs as it is submitted: one at a time keeps results in order
    lost = ()
    loses_all = False

    def __init__(self, on_tick: Callable[[Any, int], None]) -> None:
        self.on_tick = on_tick

    def submit(self, key: Any, fn: Callable, args: tuple) -> Future:
        """Run the chunk now; its future is done when this returns."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, tick=lambda runs: self.on_tick(key, runs)))
        except Exception as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future

    def wait_first(self, futures: list, timeout: float) -> set:
        """Every future is done already."""
        return set(futures)

    def ticks(self) -> Iterator[tuple[Any, int]]:
        """Reports go straight to ``on_tick``."""
        return iter(())

    def restart(self) -> None:
        """Nothing to replace."""

    def close(self) -> None:
        """Nothing to stop."""

    def abort(self) -> None:
        """Nothing to stop."""


_TICKS = None  # in a pool's worker: the queue on which it reports finished runs


def _start_worker(ticks) -> None:
    """Set up a spawned worker: Ctrl-C is the parent's to handle; import the model early."""
    global _TICKS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _TICKS = ticks
    import sim.engine  # (the imports take as long as a hundred runs)
    import sim.runner  # noqa: F401


def _ready() -> None:
    """A task that makes the pool start a worker now, so its start overlaps the parent's."""


class _Ticker:
    """Counts finished runs in a worker and reports them at most every :data:`TICK_SECONDS`.

    The first finished run is reported at once, so the bar moves as soon as a worker runs.
    """

    def __init__(self, key: Any) -> None:
        self.key = key
        self.count = 0
        self.last = -math.inf

    def __call__(self, runs: int) -> None:
        self.count += runs
        if _TICKS is not None and time.monotonic() - self.last >= TICK_SECONDS:
            _TICKS.put((self.key, self.count))
            self.count, self.last = 0, time.monotonic()


def _call(key: Any, fn: Callable, args: tuple) -> Any:
    """Run a chunk in a worker, reporting its finished runs (to nobody on Dask)."""
    return fn(*args, tick=_Ticker(key))


class LocalPool:
    """A local process pool started with ``spawn`` (safe on every platform and in notebooks).

    Args:
        workers: processes.
    """

    def __init__(self, workers: int) -> None:
        from concurrent.futures.process import BrokenProcessPool

        self.workers = workers
        self.in_flight = IN_FLIGHT_PER_WORKER * workers
        self.lost = (BrokenProcessPool,)
        self.loses_all = True
        self._start()

    def _start(self) -> None:
        context = get_context("spawn")
        self.queue = context.Queue()
        # A process started while Ctrl-C is ignored ignores it from its first instruction,
        # before the initializer runs: a terminal's Ctrl-C reaches workers still importing.
        with _ctrl_c_ignored():
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=_start_worker, initargs=(self.queue,))
            for _ in range(self.workers):  # start every worker now, not on the first chunks
                self.pool.submit(_ready)

    def submit(self, key: Any, fn: Callable, args: tuple) -> Future:
        """Submit a chunk; returns its future."""
        return self.pool.submit(_call, key, fn, args)

    def wait_first(self, futures: list, timeout: float) -> set:
        """The futures done within ``timeout`` seconds."""
        return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED).done

    def ticks(self) -> Iterator[tuple[Any, int]]:
        """Reports of finished runs received so far."""
        while True:
            try:
                yield self.queue.get_nowait()
            except queue.Empty:
                return

    def restart(self) -> None:
        """Replace a broken pool (and its queue, which a dying worker may have held)."""
        self.abort()
        self._start()

    def close(self) -> None:
        """Shut down without waiting for the workers to exit: every result is in."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.queue.close()

    def abort(self) -> None:
        """Cancel queued chunks and terminate the workers at once."""
        # The pool's workers are only reachable through this attribute before Python 3.14
        # (which adds ProcessPoolExecutor.terminate_workers), and only until shutdown; a
        # running chunk cannot be cancelled otherwise, and waiting for it could take minutes.
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=1)
            if process.is_alive():
                process.kill()
        self.queue.close()


class DaskPool:
    """A Dask distributed client, on an existing scheduler or a LocalCluster it starts.

    Args:
        workers: worker processes of a LocalCluster (one thread each).
        scheduler: address of a running scheduler (``tcp://HOST:PORT``); none starts a
            LocalCluster.

    Raises:
        EnsembleError: when Dask is not installed or the scheduler cannot be reached.
    """

    def __init__(self, workers: int, scheduler: str | None) -> None:
        try:
            from distributed import Client, KilledWorker, LocalCluster
            from distributed.comm.core import CommClosedError
        except ImportError:
            raise EnsembleError([Problem("--executor", "executor", "Dask is not installed",
                                         "pip install 'parley[sweep]' (or the local executor)")]
                                ) from None
        self.workers = workers
        self.in_flight = IN_FLIGHT_PER_WORKER * workers
        self.lost = (KilledWorker, CommClosedError)
        self.loses_all = False
        self.cluster = None
        try:
            if scheduler is None:
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                            processes=True, dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise EnsembleError([Problem("--scheduler", "scheduler",
                                         f"cannot reach {scheduler}: {exc}",
                                         "the address of a running Dask scheduler, e.g. "
                                         "tcp://HOST:8786")]) from None

    def submit(self, key: Any, fn: Callable, args: tuple) -> Future:
        """Submit a chunk (never cached: a chunk is pure but may be submitted again)."""
        return self.client.submit(_call, key, fn, args, pure=False)

    def wait_first(self, futures: list, timeout: float) -> set:
        """The futures done within ``timeout`` seconds."""
        from distributed import wait as dask_wait

        try:
            return dask_wait(futures, timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()

    def ticks(self) -> Iterator[tuple[Any, int]]:
        """Dask workers report nothing before their chunk comes back."""
        return iter(())

    def restart(self) -> None:
        """Dask reschedules the work of dead workers itself; never called."""

    def close(self) -> None:
        """Close the client and any cluster it started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def abort(self) -> None:
        """Close: the scheduler cancels what this client submitted."""
        self.close()


def check_executor(executor: str, scheduler: str | None) -> None:
    """Refuse an unknown executor, or Dask's without a scheduler, before any work.

    Raises:
        EnsembleError: saying what is allowed.
    """
    if executor not in EXECUTORS:
        raise EnsembleError([Problem("--executor", "executor", f"unknown executor {executor!r}",
                                     ", ".join(EXECUTORS))])
    if executor == "dask" and not scheduler:
        raise EnsembleError([Problem("--scheduler", "scheduler", "missing for --executor dask",
                                     "tcp://HOST:PORT of a running Dask scheduler")])


def choose_executor(run_days: int, most: int, workers: int | None, executor: str = "local",
                    scheduler: str | None = None,
                    on_tick: Callable[[Any, int], None] = lambda key, runs: None) -> Executor:
    """The executor for a batch of runs: this process when it is cheap, else a pool.

    Args:
        run_days: runs times days, the batch's cost.
        most: the most workers the batch can use (its runs, or its chunks).
        workers: processes; 1 runs in this process. By default this process runs up to
            :data:`IN_PROCESS_RUN_DAYS` run-days, and a pool of one process a core the rest.
        executor: ``local``, ``dask`` (needs ``scheduler``) or ``dask-local``.
        scheduler: address of a Dask scheduler, e.g. ``tcp://host:8786``.
        on_tick: where this process's runs are reported, when it runs them itself.

    Raises:
        EnsembleError: an unknown executor, Dask without a scheduler, or one out of reach.
    """
    check_executor(executor, scheduler)
    if executor.startswith("dask"):
        return DaskPool(workers or os.cpu_count() or 1, scheduler)
    if workers is None:
        workers = 1 if run_days <= IN_PROCESS_RUN_DAYS else os.cpu_count() or 1
    workers = max(1, min(workers, most))
    return InProcess(on_tick) if workers == 1 else LocalPool(workers)


@dataclass(frozen=True)
class Chunk:
    """A piece of work: ``fn(*args, tick=...)`` runs ``runs`` runs and returns their results.

    ``fn`` must be a module-level function (workers import it by name) and call ``tick(n)``
    as runs finish, for the progress bar.
    """

    key: int
    runs: int
    fn: Callable
    args: tuple


def execute(chunks: Iterable[Chunk], pool: Executor,
            on_done: Callable[[Chunk, Any], int | None], progress: Progress,
            on_failed: Callable[[Chunk, str], None] | None = None) -> None:
    """Run chunks on an executor; hand each result to ``on_done`` as it comes back.

    Chunks are taken from ``chunks`` only as workers free up (``pool.in_flight`` at a time),
    so ``chunks`` may be a generator of any length. Results come in the order chunks
    finish: a caller that wants them in run order files them by ``chunk.key``. The executor
    is closed at the end, whatever happens.

    Args:
        chunks: the work, lazily.
        pool: where it runs (see :func:`choose_executor`).
        on_done: called in this process with each chunk and its result; returns how many of
            the chunk's runs failed (``None`` for none).
        progress: the progress bar, told of finished runs and chunks.
        on_failed: called with a chunk lost with its worker :data:`RETRIES` + 1 times and a
            message (all its runs then count as failed); without it, such a chunk stops
            everything with an :class:`EnsembleError`.

    Raises:
        Interrupted: on Ctrl-C, once the workers are stopped.
        EnsembleError: a chunk lost too often, when there is no ``on_failed``.
        Exception: whatever a chunk raised that is not the loss of its worker (for example a
            :class:`~sim.errors.ScenarioError` of a pool file that cannot be read).
    """
    pending = iter(chunks)
    queued: deque[Chunk] = deque()  # lost chunks, to run again first
    active: dict[Future, tuple[Chunk, int]] = {}
    attempts: dict[int, int] = {}
    try:
        while True:
            while len(active) < pool.in_flight:
                chunk = queued.popleft() if queued else next(pending, None)
                if chunk is None:
                    break
                attempt = attempts.get(chunk.key, 0)
                future = pool.submit((chunk.key, attempt), chunk.fn, chunk.args)
                active[future] = (chunk, attempt)
            if not active:
                break
            done = pool.wait_first(list(active), timeout=TICK_SECONDS)
            running = {(c.key, a) for c, a in active.values()}
            for key, runs in pool.ticks():
                if key in running:  # a report of a chunk already back or lost is stale
                    progress.tick(key, runs)
            for future in done:
                chunk, attempt = active.pop(future)
                try:
                    result = future.result()
                except pool.lost as exc:
                    lost = [(chunk, attempt)]
                    if pool.loses_all:
                        lost += active.values()
                        active.clear()
                        pool.restart()
                    for c, a in lost:
                        _retry_or_fail(c, a, exc, queued, attempts, progress, on_failed)
                    break
                failed = on_done(chunk, result) or 0
                progress.finish((chunk.key, attempt), chunk.runs, failed)
    except KeyboardInterrupt:
        with _ctrl_c_ignored():
            pool.abort()
        raise Interrupted(f"{progress.shown} of {progress.total} runs done") from None
    except BaseException:
        with _ctrl_c_ignored():
            pool.abort()
        raise
    pool.close()


def _retry_or_fail(chunk: Chunk, attempt: int, exc: BaseException, queued: deque,
                   attempts: dict[int, int], progress: Progress,
                   on_failed: Callable[[Chunk, str], None] | None) -> None:
    """Queue a lost chunk again, or give up on it after :data:`RETRIES` retries."""
    progress.forget((chunk.key, attempt))
    attempts[chunk.key] = attempt + 1
    if attempt < RETRIES:
        queued.appendleft(chunk)
        return
    message = f"lost with its worker {RETRIES + 1} times ({exc!r})"
    if on_failed is None:
        raise EnsembleError([Problem("runs", f"chunk {chunk.key}", message,
                                     "fewer workers, or more memory per worker")])
    on_failed(chunk, message)
    progress.finish((chunk.key, attempt), chunk.runs, chunk.runs)


@contextmanager
def _ctrl_c_ignored():
    """Ignore Ctrl-C for a moment: while workers start, or are being stopped (main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
