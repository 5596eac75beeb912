"""Time the ensemble engine against the Mesa model run by run and against ``mesa.batch_run``.

Run from the repository root:

    .venv/bin/python benchmarks/bench_ensemble.py

Every case plays the home scenario (``scenarios/afghanistan_2020.yaml``) for 200 days, and
every timed run gives its whole summary (what a sweep or ``parley report`` keeps). The cases:

* ``per-run model``: ``ParleyModel(scenario, seed=s).run()`` then its summary, one run after
  another in this process.
* ``engine, block of N`` for N = 1, 10, 100, 1,000 and 10,000: ``sim.engine.run_block`` on N
  seeds in this process (small blocks are repeated until a case has run 20 blocks or 2 s).
* ``sweep, 2 workers`` against ``batch_run, 2 processes``: the grid of
  ``benchmarks/bench_sweep.py`` (2 parameters x 2 levels x 500 replicates = 2,000 runs), the
  sweep through ``sim.sweep.run`` (its chunks run as blocks of the engine) and Mesa's batch
  runner through a thin wrapper of the model, each the whole call in a fresh process.
* memory: the peak resident memory of a fresh process that runs one block of 1,000 and one
  of 10,000 runs, less that of one that runs a block of one, per 1,000 runs.

Timing cases take turns over ``ROUNDS`` rounds and the best round is kept; before each the
script waits (up to 20 s) for the machine to be nearly idle. The last two lines are
``speedup_vs_per_run=<x>`` (engine runs/s in blocks of 1,000 over the per-run model's, both
on one core) and ``throughput_vs_batch_run=<x>`` (the 2-worker sweep's runs/s over
``batch_run``'s with 2 processes). Targets: at least 20 and at least 10.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_sweep  # noqa: E402  (the grid and the batch_run wrapper are shared)

HOME = ROOT / "scenarios" / "afghanistan_2020.yaml"
DAYS = 200
PER_RUN = 40
BLOCKS = (1, 10, 100, 1_000, 10_000)
BLOCK = 1_000
ROUNDS = 2
TARGET_SPEEDUP = 20.0
TARGET_VS_BATCH = 10.0


def per_run_rate(runs: int) -> float:
    """Runs per second of the Mesa model run by run (summary included)."""
    from sim.model import ParleyModel
    from sim.runner import result_of
    from sim.scenario import load_scenario

    scenario = load_scenario(HOME)
    result_of(ParleyModel(scenario, seed=0).run())  # warm: first-use caches
    start = time.perf_counter()
    for seed in range(runs):
        result_of(ParleyModel(scenario, seed=seed).run())
    return runs / (time.perf_counter() - start)


def block_rate(n: int) -> float:
    """Runs per second of the engine in blocks of ``n`` runs."""
    from sim.engine import run_block
    from sim.scenario import load_scenario

    scenario = load_scenario(HOME)
    run_block(scenario, [0], DAYS)  # warm
    done, blocks, start = 0, 0, time.perf_counter()
    while blocks < 20 and (blocks == 0 or time.perf_counter() - start < 2.0):
        run_block(scenario, list(range(done, done + n)), DAYS, kept=())
        done, blocks = done + n, blocks + 1
    return done / (time.perf_counter() - start)


def child_memory(n: int) -> dict:
    """Peak resident memory (MiB) of this process after one block of ``n`` runs."""
    from sim.engine import run_block
    from sim.scenario import load_scenario

    run_block(load_scenario(HOME), list(range(n)), DAYS, kept=())
    return {"maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_rate(kind: str, n: int) -> dict:
    rate = per_run_rate(n) if kind == "per_run" else block_rate(n)
    return {"rate": rate}


def launch(*args: str) -> dict:
    bench_sweep.wait_for_idle()
    proc = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"Parley ensemble benchmark on {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.machine()}; {HOME.name}, {DAYS} days; best of {ROUNDS} rounds")
    cases = {"per-run model": ("per_run", str(PER_RUN)),
             **{f"engine, block of {n:,}": ("block", str(n)) for n in BLOCKS}}
    grid = {"sweep, 2 workers": ("sweep", "2", str(bench_sweep.REPLICATES), str(DAYS)),
            "batch_run, 2 processes": ("batch_run",)}
    rates: dict[str, list[float]] = {label: [] for label in [*cases, *grid]}
    for _ in range(ROUNDS):
        for label, args in cases.items():
            rates[label].append(launch(*args)["rate"])
        for label, args in grid.items():
            r = bench_sweep.run_child(*args)
            rates[label].append(r["runs"] / r["seconds"])
    best = {label: max(values) for label, values in rates.items()}

    print()
    print(f"{'case':<28}{'runs/s':>10}{'ms a run':>10}   all rounds (runs/s)")
    print("-" * 70)
    for label, rate in best.items():
        rounds = ", ".join(f"{r:.1f}" for r in rates[label])
        print(f"{label:<28}{rate:10.1f}{1000 / rate:10.3f}   {rounds}")
    print("(one core for the model and the engine; the sweep and batch_run use 2 processes "
          f"on the grid of bench_sweep.py: 4 points x {bench_sweep.REPLICATES} seeds)")

    print()
    base = launch("memory", "1")["maxrss_mib"]
    print(f"memory (peak resident, fresh process; a block of one: {base:.0f} MiB)")
    for n in (BLOCK, 10 * BLOCK):
        peak = launch("memory", str(n))["maxrss_mib"]
        print(f"  block of {n:>6,}: {peak:7.0f} MiB, {(peak - base) / (n / 1000):6.1f} MiB "
              "per 1,000 runs")

    speedup = best[f"engine, block of {BLOCK:,}"] / best["per-run model"]
    vs_batch = best["sweep, 2 workers"] / best["batch_run, 2 processes"]
    if bench_sweep.BUSY:
        print(f"note: {len(bench_sweep.BUSY)} grid measurements started while the machine was "
              "busy (no idle moment within 20 s)")
    print()
    for name, value, target in (("speedup vs per-run model", speedup, TARGET_SPEEDUP),
                                ("throughput vs batch_run", vs_batch, TARGET_VS_BATCH)):
        print(f"{name:<28}{value:7.1f}   target >= {target:<5} "
              f"{'met' if value >= target else 'MISSED'}")
    print(f"speedup_vs_per_run={speedup:.1f}")
    print(f"throughput_vs_batch_run={vs_batch:.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, n = sys.argv[2], int(sys.argv[3])
        out = child_memory(n) if kind == "memory" else child_rate(kind, n)
        print(json.dumps(out))
    else:
        main()
