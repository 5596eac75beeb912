"""Time and size parameter sweeps, and compare them with ``mesa.batch_run``.

Run from the repository root:

    .venv/bin/python benchmarks/bench_sweep.py

Every measured sweep runs in a fresh Python process that has imported only what its own call
needs (``sim.sweep`` for a sweep; Mesa, the model and the wrapper class for ``batch_run``), and
the time is that of the single call: ``sim.sweep.run(...)`` or ``mesa.batch_run(...)``, pool
start-up, writing and shutdown included; nothing is excluded. The cases are:

* ``sweep, 1 worker`` and ``sweep, 2 workers``: ``scenarios/afghanistan_2020.yaml``, 200 days,
  ``keep: summary``, 2 parameters x 2 levels x 500 replicates = 2,000 runs (a research sweep
  runs thousands; start-up is paid once per sweep, as in real use), default chunking.
  The "warm" rate leaves out everything before the first ``workers`` chunks come back and
  after the last one (start-up and shutdown).
* ``batch_run, 2 processes``: the same 4 points x 500 seeds x 200 days through
  ``mesa.batch_run(number_processes=2)``, with a thin ``mesa.Model`` wrapper that builds
  ``sim.model.ParleyModel`` and records the same summary at the last step.
* memory: sweeps of 2,000 and 20,000 runs (summary only, 2 workers) of the same scenario over
  31 days, the shortest run its timeline allows (its last shock falls on day 31), to keep the
  runtime acceptable. Peak RSS is sampled with psutil every 20 ms over the whole process tree
  (the sweep's process plus its workers, summed); each process's own peak (getrusage
  ``ru_maxrss``) is shown beside it.
* responsiveness: the seconds from the call of ``sim.sweep.run`` (2 workers, the throughput
  sweep) until its progress bar is shown and until it counts its first run; the seconds a
  no-op resume takes (``parley sweep run`` on a finished sweep, the whole command); and the
  seconds ``parley report --seeds 10000000`` takes to exit after SIGINT (Ctrl-C), sent once
  its workers have started and again 5 s later, after runs have begun.

Each timing case runs ``ROUNDS`` times, the cases taking turns so that a drift in machine load
hits them alike; the best round of each case is used. Before each measurement the script waits
(up to 20 s) for the machine's CPU use to fall under 15%, as other jobs may share it. The last
three lines printed are ``parallel_efficiency=<x.xx>`` (rate with 2 workers / twice the rate
with 1), ``memory_ratio_20k_vs_2k=<x.xx>`` (peak tree RSS) and
``throughput_vs_batch_run=<x.xx>`` (2-worker sweep rate / batch_run rate). Targets: >= 0.85,
<= 1.3 and >= 1.0.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "scenarios" / "afghanistan_2020.yaml"
DAYS = 200
REPLICATES = 500
POINTS = {"insurgent.patience": [1.0, 3.0], "mediator.walkout_pressure": [0.0, 0.7]}
MEMORY_DAYS = 31
MEMORY_RUNS = (2_000, 20_000)
ROUNDS = 2
IDLE_CPU_PERCENT = 15.0
IDLE_WAIT = 20.0
TARGET_EFFICIENCY = 0.85
TARGET_MEMORY = 1.3
TARGET_VS_BATCH = 1.0


def spec_data(replicates: int, days: int) -> dict:
    """The benchmark's sweep: the two parameters at two levels each, full factorial."""
    return {"name": f"bench_{replicates * 4}", "base": str(HOME), "days": days,
            "replicates": replicates, "master_seed": 2020, "keep": "summary",
            "parameters": [{"path": path, "values": values} for path, values in POINTS.items()]}


def kib_to_mib(kib: int) -> float:
    return kib / 1024  # ru_maxrss is in KiB on Linux


# Children: each prints one JSON line as its last line of output.


def child_sweep(workers: int, replicates: int, days: int) -> dict:
    from sim import sweep

    spec = sweep.SweepSpec.model_validate(spec_data(replicates, days))
    marks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        start = time.perf_counter()
        outcome = sweep.run(spec, Path(tmp) / "out", workers=workers, folder=ROOT,
                            log=lambda _msg: marks.append(time.perf_counter()))
        end = time.perf_counter()
        chunk = sweep.plan(spec, ROOT).chunk_size
    assert outcome.failed == 0 and outcome.ran == outcome.total, outcome
    k = min(workers, len(marks) - 1)
    warm_runs = outcome.total - k * chunk
    return {"runs": outcome.total, "seconds": end - start, "chunk_size": chunk,
            "first_chunk": marks[0] - start, "after_last_chunk": end - marks[-1],
            "warm_rate": warm_runs / (marks[-1] - marks[k - 1]) if k else float("nan"),
            "parent_maxrss_mib": kib_to_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            "worker_maxrss_mib": kib_to_mib(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)}


def child_first_progress(workers: int, replicates: int, days: int) -> dict:
    from sim import sweep
    from sim.ensemble import progress

    spec = sweep.SweepSpec.model_validate(spec_data(replicates, days))
    marks: dict[str, float] = {}
    shown, tick = progress.Progress.__enter__, progress.Progress.tick

    def on_enter(self):
        marks.setdefault("shown", time.perf_counter())
        return shown(self)

    def on_tick(self, key, runs):
        marks.setdefault("first_run", time.perf_counter())
        if "stop" not in marks:
            marks["stop"] = time.perf_counter()
            raise KeyboardInterrupt  # nothing more to measure: stop the sweep as Ctrl-C would
        return tick(self, key, runs)

    progress.Progress.__enter__, progress.Progress.tick = on_enter, on_tick
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        start = time.perf_counter()
        with contextlib.suppress(KeyboardInterrupt):
            sweep.run(spec, Path(tmp) / "out", workers=workers, folder=ROOT, quiet=False)
    return {"shown": marks["shown"] - start, "first_run": marks["first_run"] - start}


def noop_resume_seconds() -> float:
    """Seconds of ``parley sweep run`` on a finished sweep (best of three)."""
    parley = Path(sys.executable).parent / "parley"
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        spec = Path(tmp) / "noop.yaml"
        spec.write_text(json.dumps(spec_data(5, 31)), encoding="utf-8")  # JSON is YAML
        cmd = [str(parley), "sweep", "run", str(spec), "--out", str(Path(tmp) / "out"),
               "--quiet"]
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
            assert "nothing to do" in done.stdout, done.stdout
    return min(times)


def ctrl_c_seconds(after_workers: float) -> float:
    """Seconds ``parley report --seeds 10000000`` takes to exit after SIGINT."""
    import signal

    import psutil

    parley = Path(sys.executable).parent / "parley"
    proc = subprocess.Popen([str(parley), "report", str(HOME), "--seeds", "10000000",
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    parent = psutil.Process(proc.pid)
    while len([c for c in parent.children() if "spawn_main" in " ".join(c.cmdline())]) < 2:
        time.sleep(0.02)
    time.sleep(after_workers)
    start = time.perf_counter()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    seconds = time.perf_counter() - start
    assert proc.returncode == 130 and err.startswith("interrupted"), (proc.returncode, err)
    return seconds


# The batch_run wrapper: module level, so that spawned pool processes can unpickle it.

@functools.cache
def _base_scenario():
    from sim.scenario import load_scenario

    return load_scenario(HOME)


def _read_summary(model) -> dict:
    return model.summary


def _wrapper_class():
    import mesa

    from sim.model import ParleyModel
    from sim.runner import result_of
    from sim.scenario import with_overrides

    class BatchParley(mesa.Model):
        """ParleyModel behind the interface batch_run expects: keyword parameters, a seed,
        ``step``, ``running`` and a ``datacollector`` (collected once, at the last day)."""

        def __init__(self, patience: float = 1.5, walkout_pressure: float = 0.7,
                     seed: int | None = None) -> None:
            super().__init__(rng=seed)
            scenario = with_overrides(_base_scenario(), {
                "insurgent.patience": patience, "mediator.walkout_pressure": walkout_pressure,
                "run.seed": int(seed or 0), "run.days": DAYS})
            self.inner = ParleyModel(scenario)
            self.summary: dict = {}
            self.datacollector = mesa.DataCollector(model_reporters={"summary": _read_summary})

        def step(self) -> None:
            inner = self.inner
            inner.step()
            if inner.day >= inner.days:
                self.running = False
                self.summary = result_of(inner).summary  # what a sweep records per run
                self.datacollector.collect(self)

    BatchParley.__module__ = __name__
    BatchParley.__qualname__ = "BatchParley"
    return BatchParley


def __getattr__(name: str):
    # Spawned batch_run processes unpickle the wrapper as an attribute of this module; it is
    # built on first use, so that the sweep's own workers never import anything for it.
    if name == "BatchParley":
        cls = globals()["BatchParley"] = _wrapper_class()
        return cls
    raise AttributeError(name)


def child_batch_run() -> dict:
    from mesa.batchrunner import batch_run

    model_cls = __getattr__("BatchParley")

    params = {"patience": POINTS["insurgent.patience"],
              "walkout_pressure": POINTS["mediator.walkout_pressure"]}
    seeds = list(range(REPLICATES))
    start = time.perf_counter()
    results = batch_run(model_cls, params, number_processes=2, rng=seeds, max_steps=DAYS,
                        data_collection_period=-1, display_progress=False)
    seconds = time.perf_counter() - start
    assert len(results) == 4 * REPLICATES, len(results)
    assert all(r["summary"]["days"] == DAYS for r in results)
    return {"runs": len(results), "seconds": seconds}


# Parent


def launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--child", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"child {proc.args} failed ({proc.returncode}):\n{err}")
    return json.loads(out.strip().splitlines()[-1])


def wait_for_idle(limit: float = IDLE_WAIT) -> bool:
    """Wait (up to ``limit`` s) until the machine is nearly idle; other people's jobs share it."""
    import psutil

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if psutil.cpu_percent(interval=0.5) < IDLE_CPU_PERCENT:
            return True
    return False


BUSY: list[str] = []


def run_child(*args: str) -> dict:
    if not wait_for_idle():
        BUSY.append(" ".join(args))
    return collect(launch(*args))


def run_child_sampling_memory(*args: str) -> dict:
    """Run a child, sampling the RSS of it and all its descendants every 20 ms."""
    import psutil

    if not wait_for_idle():
        BUSY.append(" ".join(args))
    proc = launch(*args)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.02)
    result = collect(proc)
    result["tree_peak_mib"] = peak / 2**20
    return result


def main() -> None:
    import psutil  # noqa: F401  (fail early if missing)

    n_runs = 4 * REPLICATES
    print(f"Parley sweep benchmark on {platform.python_version()}, {os.cpu_count()} cores, "
          f"{platform.machine()}")
    print(f"throughput: {HOME.name}, {DAYS} days, keep summary, {n_runs} runs "
          f"(2 params x 2 levels x {REPLICATES} replicates); {ROUNDS} rounds, best kept")
    cases = {"sweep, 1 worker": ("sweep", "1", str(REPLICATES), str(DAYS)),
             "sweep, 2 workers": ("sweep", "2", str(REPLICATES), str(DAYS)),
             "batch_run, 2 processes": ("batch_run",)}
    results: dict[str, list[dict]] = {label: [] for label in cases}
    for _ in range(ROUNDS):
        for label, args in cases.items():
            results[label].append(run_child(*args))
    best = {label: min(rs, key=lambda r: r["seconds"]) for label, rs in results.items()}
    rate = {label: r["runs"] / r["seconds"] for label, r in best.items()}

    print()
    header = (f"{'case':<24}{'best s':>8}{'runs/s':>9}{'warm/s':>9}{'start s':>9}"
              f"{'stop s':>8}   all rounds (s)")
    print(header)
    print("-" * len(header))
    for label, r in best.items():
        warm = f"{r['warm_rate']:9.1f}" if "warm_rate" in r else f"{'':>9}"
        start = f"{r['first_chunk']:9.2f}" if "first_chunk" in r else f"{'':>9}"
        stop = f"{r['after_last_chunk']:8.2f}" if "after_last_chunk" in r else f"{'':>8}"
        rounds = ", ".join(f"{x['seconds']:.2f}" for x in results[label])
        print(f"{label:<24}{r['seconds']:8.2f}{rate[label]:9.1f}{warm}{start}{stop}   {rounds}")
    print("(start s: time until the first chunk came back; stop s: time after the last one, "
          "i.e. pool shutdown)")

    efficiency = rate["sweep, 2 workers"] / (2 * rate["sweep, 1 worker"])
    vs_batch = rate["sweep, 2 workers"] / rate["batch_run, 2 processes"]
    w1, w2 = best["sweep, 1 worker"], best["sweep, 2 workers"]
    print(f"warm parallel efficiency (start-up and shutdown left out): "
          f"{w2['warm_rate'] / (2 * w1['warm_rate']):.2f}")

    print()
    print(f"memory: {HOME.name}, {MEMORY_DAYS} days (shortened to keep the runtime acceptable; "
          f"the scenario's timeline needs at least 31), keep summary, 2 workers")
    header = (f"{'runs':>8}{'chunk':>7}{'seconds':>9}{'tree peak MiB':>15}"
              f"{'parent MiB':>12}{'worker MiB':>12}")
    print(header)
    print("-" * len(header))
    memory = {}
    for n in MEMORY_RUNS:
        r = run_child_sampling_memory("sweep", "2", str(n // 4), str(MEMORY_DAYS))
        memory[n] = r
        worker = f"{r['worker_maxrss_mib']:12.1f}" if r["worker_maxrss_mib"] else f"{'n/a':>12}"
        print(f"{n:>8,}{r['chunk_size']:>7}{r['seconds']:9.2f}{r['tree_peak_mib']:15.1f}"
              f"{r['parent_maxrss_mib']:12.1f}{worker}")
    small, large = memory[MEMORY_RUNS[0]], memory[MEMORY_RUNS[1]]
    ratio = large["tree_peak_mib"] / small["tree_peak_mib"]
    parent = large["parent_maxrss_mib"] / small["parent_maxrss_mib"]
    # Workers are not waited for at the end of a sweep, so getrusage may not count them; the
    # tree peak sampled with psutil covers them either way.
    worker = (f"{large['worker_maxrss_mib'] / small['worker_maxrss_mib']:.2f}"
              if small["worker_maxrss_mib"] else "n/a (not reaped)")
    print(f"per process, 20k vs 2k: parent {parent:.2f}, largest worker {worker}")

    print()
    print("responsiveness (best of two rounds)")
    first = [run_child("first_progress", "2", str(REPLICATES), str(DAYS)) for _ in range(2)]
    print(f"sweep (2 workers): progress bar shown after "
          f"{min(r['shown'] for r in first):.2f} s, first run counted after "
          f"{min(r['first_run'] for r in first):.2f} s (workers import Mesa first)")
    wait_for_idle()
    print(f"no-op resume (parley sweep run on a finished sweep): {noop_resume_seconds():.2f} s")
    wait_for_idle()
    print(f"parley report --seeds 10000000, exit after Ctrl-C: "
          f"{min(ctrl_c_seconds(0.0) for _ in range(2)):.2f} s while workers start, "
          f"{min(ctrl_c_seconds(5.0) for _ in range(2)):.2f} s while they run")

    if BUSY:
        print(f"note: {len(BUSY)} measurements started while the machine was busy with other "
              "work (no idle moment within 20 s)")
    print()
    for name, value, target, ok in (
            ("parallel efficiency", efficiency, f">= {TARGET_EFFICIENCY}",
             efficiency >= TARGET_EFFICIENCY),
            ("memory ratio 20k vs 2k", ratio, f"<= {TARGET_MEMORY}", ratio <= TARGET_MEMORY),
            ("throughput vs batch_run", vs_batch, f">= {TARGET_VS_BATCH}",
             vs_batch >= TARGET_VS_BATCH)):
        print(f"{name:<26}{value:6.2f}   target {target:<7} {'met' if ok else 'MISSED'}")
    print(f"parallel_efficiency={efficiency:.2f}")
    print(f"memory_ratio_20k_vs_2k={ratio:.2f}")
    print(f"throughput_vs_batch_run={vs_batch:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        if kind == "sweep":
            out = child_sweep(int(rest[0]), int(rest[1]), int(rest[2]))
        elif kind == "first_progress":
            out = child_first_progress(int(rest[0]), int(rest[1]), int(rest[2]))
        else:
            out = child_batch_run()
        print(json.dumps(out))
    else:
        main()
