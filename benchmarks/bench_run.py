"""Time Parley runs against an empty Mesa model and across prisoner-pool sizes.

Run from the repository root:

    .venv/bin/python benchmarks/bench_run.py

Every timed run includes building the model; figures are medians over repeated runs with
different seeds (min and max shown beside them). The cases are:

* ``parley home``: ``ParleyModel(scenario, seed=s).run()`` on the home scenario, 200 days.
* ``empty mesa``: a ``mesa.Model`` with three trivial agents, stepped as many days, that
  records as many model-reporter columns as ``sim.model.SERIES_COLUMNS`` through
  ``mesa.DataCollector``: what any Mesa model of this shape pays before doing any work.
* ``pool 5k`` and ``pool 1M``: the home scenario with the government holding 5,000 or
  1,000,000 prisoners (all listed); the insurgent's pool is left as it is. The home scenario
  already holds 5,000, so ``pool 5k`` repeats ``parley home`` through ``with_overrides``.
* ``block of one``: the home scenario as a block of the ensemble engine holding one run, the
  cost of the Mesa model were it a batch of one over the engine's array rules.

The last two lines printed are ``ratio_vs_empty_mesa=<x.xx>`` (parley home / empty mesa) and
``ratio_1m_vs_5k=<x.xx>`` (pool 1M / pool 5k). Targets: at most 3 and at most 20.
"""

from __future__ import annotations

import gc
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np

from sim.engine import Block
from sim.model import SERIES_COLUMNS, ParleyModel
from sim.scenario import Scenario, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[1]

HOME = ROOT / "scenarios" / "afghanistan_2020.yaml"
DAYS = 200
REPEATS = 30
REPEATS_1M = 7
TARGET_VS_EMPTY = 3.0
TARGET_1M_VS_5K = 20.0


# The empty Mesa model: the same three agents, the same number of steps and of columns.


class EmptyGovernment(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyInsurgent(mesa.Agent):
    def step(self) -> None:
        pass


class EmptyMediator(mesa.Agent):
    def step(self) -> None:
        pass


def _reader(name: str) -> Callable[[mesa.Model], object]:
    # A plain function (not attrgetter): DataCollector calls functions with the model.
    def read(model: mesa.Model) -> object:
        return getattr(model, name)

    read.__name__ = f"read_{name}"
    return read


class EmptyModel(mesa.Model):
    """Three agents with a trivial step and one DataCollector column per Parley series column."""

    def __init__(self, seed: int, days: int = DAYS) -> None:
        super().__init__(rng=seed)
        self.days = days
        self.day = 0
        for name in SERIES_COLUMNS[1:]:
            setattr(self, name, 0.0)
        self.government = EmptyGovernment(self)
        self.insurgent = EmptyInsurgent(self)
        self.mediator = EmptyMediator(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reader(name) for name in SERIES_COLUMNS})
        self.datacollector.collect(self)

    def step(self) -> None:
        self.day += 1
        self.government.step()
        self.insurgent.step()
        self.mediator.step()
        self.datacollector.collect(self)

    def run(self) -> EmptyModel:
        while self.day < self.days:
            self.step()
        return self


# Timing


@dataclass
class Timing:
    """Wall-clock times of one block, in seconds, a run each."""

    label: str
    total: list[float]
    build: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.total)

    @property
    def median_build(self) -> float:
        return statistics.median(self.build)


Maker = Callable[[int], EmptyModel | ParleyModel]


def time_interleaved(cases: list[tuple[str, Maker, int]]) -> list[Timing]:
    """Build and run each case ``repeats`` times (seeds 0, 1, ...), timing every run.

    The cases take turns, round by round, so that a drift in machine load hits them alike;
    a case with fewer repeats runs in evenly spaced rounds.
    """
    for _, make, _ in cases:
        make(10_000).run()  # warm-up: first-call costs (imports, caches) are not measured
    gc.collect()
    timings = [Timing(label, [], []) for label, _, _ in cases]
    rounds = max(repeats for _, _, repeats in cases)
    for r in range(rounds):
        for (_, make, repeats), timing in zip(cases, timings, strict=True):
            if (r + 1) * repeats // rounds == r * repeats // rounds:
                continue
            seed = len(timing.total)
            t0 = time.perf_counter()
            model = make(seed)
            t1 = time.perf_counter()
            model.run()
            t2 = time.perf_counter()
            timing.total.append(t2 - t0)
            timing.build.append(t1 - t0)
            del model
    return timings


def with_government_pool(scenario: Scenario, size: int) -> Scenario:
    """The scenario with the government holding ``size`` prisoners, every one listed."""
    return with_overrides(scenario, {"pools.government_holds.size": size,
                                     "pools.government_holds.listed": size})


def row(t: Timing, days: int) -> str:
    ms = [x * 1e3 for x in t.total]
    median = t.median * 1e3
    build = t.median_build * 1e3
    return (f"{t.label:<12} {len(ms):>4} {median:>9.2f} {min(ms):>8.2f} {max(ms):>8.2f} "
            f"{build:>9.2f} {(median - build) / days * 1e3:>11.1f} {median / days * 1e3:>9.1f}")


def main() -> None:
    started = time.perf_counter()
    scenario = load_scenario(HOME)
    if scenario.run.days != DAYS:
        scenario = with_overrides(scenario, {"run.days": DAYS})
    pool_5k = with_government_pool(scenario, 5_000)
    pool_1m = with_government_pool(scenario, 1_000_000)

    home, empty = time_interleaved([
        ("parley home", lambda s: ParleyModel(scenario, seed=s), REPEATS),
        ("empty mesa", lambda s: EmptyModel(s), REPEATS),
    ])
    gc.collect()
    p5k, p1m = time_interleaved([
        ("pool 5k", lambda s: ParleyModel(pool_5k, seed=s), REPEATS),
        ("pool 1M", lambda s: ParleyModel(pool_1m, seed=s), REPEATS_1M),
    ])
    gc.collect()
    # The engine's block of one run: what the Mesa model would cost as a batch of one over
    # the engine's array rules (docs/ODD.md, section 8).
    (one,) = time_interleaved([
        ("block of one", lambda s: Block([scenario], [s], DAYS), REPEATS_1M)])
    gc.collect()
    blocks = [home, empty, p5k, p1m, one]

    print(f"Parley benchmark: {HOME.relative_to(ROOT)}, {DAYS} days a run, "
          f"build included, median of repeats (seeds 0..n-1), cases interleaved in pairs")
    print(f"python {platform.python_version()}, mesa {mesa.__version__}, "
          f"numpy {np.__version__}, {platform.machine()}")
    print(f"government pool: home {scenario.pools.government_holds.size:,}, "
          f"insurgent pool: {scenario.pools.insurgent_holds.size:,} (unchanged)")
    print()
    print(f"{'case':<12} {'runs':>4} {'ms/run':>9} {'min':>8} {'max':>8} "
          f"{'build ms':>9} {'step us/day':>11} {'us/day':>9}")
    print("-" * 76)
    for t in blocks:
        print(row(t, DAYS))
    print("-" * 76)
    print("ms/run, min, max: a whole run, construction included; build ms: construction alone;")
    print("step us/day: (ms/run - build ms) / days; us/day: ms/run / days (medians).")
    print()
    vs_empty = home.median / empty.median
    scale = p1m.median / p5k.median
    print(f"parley home / empty mesa: {vs_empty:.2f} (target <= {TARGET_VS_EMPTY:g}) "
          f"{'ok' if vs_empty <= TARGET_VS_EMPTY else 'MISSED'}")
    print(f"pool 1M / pool 5k:        {scale:.2f} (target <= {TARGET_1M_VS_5K:g}) "
          f"{'ok' if scale <= TARGET_1M_VS_5K else 'MISSED'}")
    print(f"block of one / parley home: {one.median / home.median:.1f} "
          "(the engine's day for one run; see docs/ODD.md, section 8)")
    print(f"benchmark wall time: {time.perf_counter() - started:.1f} s")
    print(f"ratio_vs_empty_mesa={vs_empty:.2f}")
    print(f"ratio_1m_vs_5k={scale:.2f}")


if __name__ == "__main__":
    main()
