"""The ensemble engine: many runs stepped together, their state as arrays.

A block of runs (:class:`sim.engine.block.Block`) follows the Mesa model's day stage by stage
over arrays with a value per run, reading the same random numbers each run's seed gives; so a
run is the same in a block of ten thousand as alone in :class:`sim.model.ParleyModel` (its
summary, series and events alike), and the ensembles of ``parley report``, ``parley cases``,
sweeps, the role-play comparison and the dashboard's odds run through here. Events are kept
as codes and numbers (:mod:`sim.engine.events`) and put in words only when read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.engine.params import structure
    from sim.runner import RunResult


def __getattr__(name: str) -> Any:
    # The block is imported when first asked for, not with the package: the stages of a day
    # (sim.stages) are the model's and the block's both, and read the engine's event log.
    if name == "Block":
        from sim.engine.block import Block
        return Block
    if name == "structure":
        from sim.engine.params import structure
        return structure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_block(scenarios: Scenario | list[Scenario], seeds: list[int], days: int,
              kept: tuple[str, ...] | None = None,
              tick: Callable[[int], None] | None = None
              ) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Run a block of runs and give back each run's summary and the series kept.

    Args:
        scenarios: one scenario for every run, or one per run (sharing their structure).
        seeds: each run's seed.
        days: days every run lasts.
        kept: series columns to give back (default: all), each a row per run.
        tick: told of runs done as the days go (a block's runs end together, so it hears
            of them in step with the days: a third of the runs when a third of the days
            are done), for a progress bar.

    Returns:
        The summaries, in run order, and the series kept.
    """
    from sim.engine.summary import series, summaries

    block = _ran(scenarios, seeds, days, tick)
    cols = series(block)
    return summaries(block, cols), {k: v for k, v in cols.items() if kept is None or k in kept}


def run_results(scenarios: Scenario | list[Scenario], seeds: list[int], days: int,
                tick: Callable[[int], None] | None = None, events: bool = True
                ) -> list[RunResult]:
    """Run a block of runs and give back each as the Mesa model's run would be given.

    Args:
        scenarios: one scenario for every run, or one per run (sharing their structure).
        seeds: each run's seed.
        days: days every run lasts.
        tick: told of runs done as the days go (see :func:`run_block`).
        events: give each run its events (else none: they cost time to make).
    """
    from sim.engine.summary import series, summaries
    from sim.runner import RunResult

    block = _ran(scenarios, seeds, days, tick)
    cols = series(block)
    return [RunResult(block.scenarios[i], block.seeds[i],
                      {k: v[i].copy() for k, v in cols.items()},
                      block.events(i) if events else [], summary)
            for i, summary in enumerate(summaries(block, cols))]


def _ran(scenarios: Scenario | list[Scenario], seeds: list[int], days: int,
         tick: Callable[[int], None] | None) -> Block:
    from sim.engine.block import Block

    if isinstance(scenarios, Scenario):
        scenarios = [scenarios] * len(seeds)
    block = Block(list(scenarios), list(seeds), days)
    told = [0]

    def on_day(day: int) -> None:
        done = len(seeds) * day // max(days, 1)
        if tick is not None and done > told[0]:
            tick(done - told[0])
            told[0] = done

    block.run(on_day)
    if tick is not None and told[0] < len(seeds):
        tick(len(seeds) - told[0])
    return block


__all__ = ["Block", "run_block", "run_results", "structure"]
