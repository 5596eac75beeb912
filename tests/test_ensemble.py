"""One way to run many seeds: the seeding scheme, order and worker count, lazy submission,
Ctrl-C, and every seed of ``report --json`` rerun alone with ``parley run --seed``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from itertools import count

import numpy as np
import psutil
import pytest
from conftest import HOME, PARLEY, ROOT, TEACHING, cli

from sim.ensemble import (
    Chunk,
    InProcess,
    Interrupted,
    Progress,
    execute,
    run_ensemble,
    run_replicates,
    seed_of,
)
from sim.scenario import load_scenario


def test_seed_of_is_the_documented_scheme():
    for master, key in ((0, (0,)), (7, (41,)), (11, (0, 0)), (20200407, (3, 7))):
        state = np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint64)
        assert seed_of(master, *key) == int(state[0]) >> 1
    # The seeds sweeps have always had: a sweep made before this module is still reproduced.
    assert seed_of(11, 0, 0) == 6963411210817116531
    assert seed_of(20200407, 3, 7) == 7777518225589239974
    seeds = [seed_of(5, i) for i in range(200)]
    assert len(set(seeds)) == 200 and all(0 <= s < 2**63 for s in seeds)


def test_same_seeds_same_results_with_one_or_two_workers():
    scenario = load_scenario(TEACHING)
    one = run_ensemble(scenario, 8, 40, 1)
    two = run_ensemble(scenario, 8, 40, 2)  # 8 chunks of one run: they finish in any order
    assert one.seeds == two.seeds == [seed_of(scenario.run.seed, i) for i in range(8)]
    assert one.master_seed == two.master_seed == scenario.run.seed
    assert [s["seed"] for s in two.summaries] == two.seeds  # in replicate order
    assert one.summaries == two.summaries
    assert set(one.series) == set(two.series) == {"gov_released", "ins_released", "attacks",
                                                   "phase"}
    for column, runs in one.series.items():
        assert runs.shape == (8, 41)
        assert np.array_equal(runs, two.series[column]), column


def test_another_master_seed_gives_other_runs():
    scenario = load_scenario(TEACHING)
    a = run_ensemble(scenario, 3, 30, master_seed=1)
    b = run_ensemble(scenario, 3, 30, master_seed=2)
    assert set(a.seeds).isdisjoint(b.seeds)
    assert a.seeds == [seed_of(1, i) for i in range(3)]


def test_each_run_is_counted_as_it_finishes(monkeypatch):
    # The progress bar moves run by run, not chunk by chunk (a chunk may hold 50 runs).
    counted: list[int] = []
    tick = Progress.tick

    def counting(self, key, runs):
        counted.append(runs)
        tick(self, key, runs)

    monkeypatch.setattr(Progress, "tick", counting)
    run_ensemble(load_scenario(TEACHING), 6, 20, 1)  # in this process: 3 chunks of 2 runs
    assert counted == [1] * 6


def _counted(taken: list[int]):
    """An endless stream of one-run chunks of the teaching scenario, counting those taken."""
    scenario = load_scenario(TEACHING)
    for i in count():
        taken.append(i)
        yield Chunk(i, 1, run_replicates, (scenario, 0, i, i + 1, 5, ()))


def test_chunks_are_taken_lazily_and_ctrl_c_stops_the_runs():
    taken: list[int] = []
    pool = InProcess(lambda key, runs: None)
    done: list[int] = []

    def on_done(chunk: Chunk, result) -> None:
        done.append(chunk.key)
        if len(done) == 3:
            raise KeyboardInterrupt  # as Ctrl-C would, while results come back

    with pytest.raises(Interrupted, match=r"^\d of 1000000000 runs done$"):
        execute(_counted(taken), pool, on_done, Progress("test", 10**9, show=False))
    # Only a few chunks were ever taken from the endless stream.
    assert len(taken) <= 3 + pool.in_flight
    assert done == [0, 1, 2]


def test_report_json_lists_every_seed_and_one_reruns_alone(tmp_path):
    report = tmp_path / "report.json"
    proc = cli("report", TEACHING, "--seeds", "5", "--days", "60", "--json", report)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(report.read_text(encoding="utf-8"))
    spec = load_scenario(TEACHING)
    assert figures["master_seed"] == spec.run.seed and figures["runs"] == 5
    assert figures["seeds"] == [seed_of(spec.run.seed, i) for i in range(5)]
    ensemble = run_ensemble(spec, 5, 60)
    assert figures["pattern_rate"] == ensemble.rate("pattern")
    out = tmp_path / "one"
    rerun = cli("run", TEACHING, "--seed", str(figures["seeds"][3]), "--days", "60", "--out",
                out, "--format", "csv", "--no-narrative")
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(ensemble.summaries[3], default=str))


def _workers(parent: psutil.Process) -> list[psutil.Process]:
    """The spawned pool workers among a process's children (not its resource tracker)."""
    found = []
    for child in parent.children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def test_ctrl_c_stops_ten_million_seeds_with_one_line_and_code_130():
    # Ctrl-C in a terminal reaches the whole process group: the workers must ignore it and
    # the report must stop them. Seconds to stop are measured by benchmarks/bench_sweep.py.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([str(PARLEY), "report", str(HOME), "--seeds", "10000000",
                             "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while len(workers := _workers(parent)) < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no workers within 60 s"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # while the workers are still starting
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, (proc.returncode, err)
    assert "Traceback" not in out + err
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("interrupted: ") and "of 10000000 runs done" in err
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
