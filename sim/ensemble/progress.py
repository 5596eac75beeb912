"""One progress bar for many runs: report, sweeps and every plot that runs an ensemble."""

from __future__ import annotations

import sys
import time
from typing import Any


class Progress:
    """One progress bar for many runs: rich, on standard error, shown on a terminal only.

    Runs count as done when their worker reports them (at once, then every quarter second) or
    when their chunk comes back, whichever is first, so the bar moves from the first finished
    run; until then it says what is happening (preparing, starting workers).

    Args:
        label: what runs (``"report"``, ``"sweep"``).
        total: runs in all.
        done: runs already done before this call (a resumed sweep).
        show: draw the bar; ``None`` draws it when standard error is a terminal.
        failed: show a count of failed runs.
    """

    def __init__(self, label: str, total: int, done: int = 0, show: bool | None = None,
                 failed: bool = False) -> None:
        self.label = label
        self.total = total
        self.done = done
        self.initial = done
        self.failed = 0
        self.started = time.perf_counter()
        self.ticked: dict[Any, int] = {}
        self.bar = None
        if show if show is not None else sys.stderr.isatty():
            self.bar = self._bar(failed)

    def _bar(self, failed: bool):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]} runs/s"), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn()]
        if failed:
            columns.append(TextColumn("failed: {task.fields[failed]}"))
        bar = Bar(*columns, console=Console(stderr=True), transient=False)
        self.task = bar.add_task(self.label, total=self.total, completed=self.done, rate="—",
                                 failed=0)
        return bar

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self._draw()
            self.bar.stop()

    def status(self, text: str) -> None:
        """Show what is happening before the first run is done (e.g. starting workers)."""
        if self.bar is not None:
            self.bar.update(self.task, description=f"{self.label}: {text}")

    def tick(self, key: Any, runs: int) -> None:
        """``runs`` more runs of the chunk ``key`` are done (reported by its worker)."""
        self.ticked[key] = self.ticked.get(key, 0) + runs
        self._draw()

    def finish(self, key: Any, runs: int, failed: int = 0) -> None:
        """The chunk ``key`` of ``runs`` runs is done with, ``failed`` of them failed."""
        self.ticked.pop(key, None)
        self.done += runs
        self.failed += failed
        self._draw()

    def forget(self, key: Any) -> None:
        """The chunk ``key`` was lost with its worker: its reported runs will run again."""
        self.ticked.pop(key, None)
        self._draw()

    @property
    def shown(self) -> int:
        """Runs counted as done so far."""
        return self.done + sum(self.ticked.values())

    def _draw(self) -> None:
        if self.bar is None:
            return
        seconds = max(time.perf_counter() - self.started, 1e-9)
        # Heard from a worker, but no run done yet: its chunk is setting up or running.
        description = self.label if self.shown else f"{self.label}: running the first runs"
        self.bar.update(self.task, completed=self.shown, failed=self.failed,
                        description=description,
                        rate=f"{(self.shown - self.initial) / seconds:.1f}")
