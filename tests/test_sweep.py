"""Sweeps: identical results on every executor, seeds, resume after kill -9, dead workers,
failure isolation, refusal of bad input before any run, export, analysis and the --vary form.

The sweeps are small (tens of runs of 30-100 days) so the whole file runs in well under three
minutes on two cores; ``chunk_size`` is small so that every sweep writes several part files.

Tests whose comment starts with "Known bug" show faults of ``sim/sweep.py`` that are not fixed
yet; they fail until it is.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (
    HOME,
    PARLEY,
    ROOT,
    TEACHING,
    assert_refused,
    cli,
    free_port,
    write_yaml,
)
from pandas.testing import assert_frame_equal

from sim import sweep
from sim.runner import run as run_one
from sim.scenario import load_scenario, with_overrides

# Helpers


def write_spec(path: Path, **fields) -> Path:
    """Write a sweep file; ``base`` defaults to the teaching scenario (absolute path)."""
    return write_yaml(path, {"name": path.stem, "base": str(TEACHING), **fields})


def small_spec(path: Path, **fields) -> Path:
    """2 parameters x 2 levels x 3 replicates of 60 days, 3 runs a part file: 12 runs."""
    defaults = {
        "parameters": [{"path": "insurgent.patience", "values": [1.0, 3.0]},
                       {"path": "mediator.leverage", "kind": "lever", "values": [0.5, 2.0]}],
        "replicates": 3, "master_seed": 11, "days": 60, "chunk_size": 3,
    }
    return write_spec(path, **{**defaults, **fields})


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def assert_same_data(a: sweep.SweepData, b: sweep.SweepData) -> None:
    """Two loaded sweeps hold identical points, runs, series and events."""
    for name in ("points", "runs", "series", "events"):
        assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


# 1. Identical results whatever the executor


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The small sweep with ``keep: events`` (runs, series and events), on one worker."""
    folder = tmp_path_factory.mktemp("reference")
    spec_file = small_spec(folder / "small.yaml", keep="events")
    outcome = sweep.run(spec_file, folder / "w1", workers=1)
    return spec_file, outcome.out


def test_reference_sweep_is_complete(reference):
    _, out = reference
    data = sweep.load(out)
    assert len(data.runs) == 12 and (data.runs["status"] == "ok").all()
    assert len(list((out / "parts").glob("runs-*.parquet"))) == 4
    assert len(data.series) == 12 * 61  # days 0..60
    assert len(data.events) > 0
    assert data.runs["run_id"].tolist() == list(range(12))
    assert set(data.series["run_id"]) == set(range(12))


def test_two_workers_give_identical_results(reference, tmp_path):
    spec_file, out1 = reference
    out2 = sweep.run(spec_file, tmp_path / "w2", workers=2).out
    assert_same_data(sweep.load(out1), sweep.load(out2))


def test_dask_local_gives_identical_results(reference, tmp_path):
    pytest.importorskip("distributed")
    spec_file, out1 = reference
    out = sweep.run(spec_file, tmp_path / "dask", workers=2, executor="dask-local").out
    assert_same_data(sweep.load(out1), sweep.load(out))


def test_blocks_of_any_size_give_identical_results(reference, tmp_path):
    # Each chunk runs as blocks of the engine: chunks of 12 (one block a point pair), 5 (blocks
    # across points) and 1 (a block a run) give the same sweep; so does the Mesa model run by
    # run, which a block that fails falls back to.
    from sim.sweep import execute

    spec_file, out1 = reference
    for size in (12, 5, 1):
        path = small_spec(tmp_path / f"c{size}.yaml", keep="events", chunk_size=size)
        data = sweep.load(sweep.run(path, tmp_path / f"c{size}", workers=1).out)
        assert_same_data(sweep.load(out1), data)
    spec, folder = sweep.load_spec(spec_file)
    p = sweep.plan(spec, folder)
    jobs = [job for c in range(p.n_chunks) for job in execute.chunk_jobs(p, c)]
    one_by_one = execute.run_one_by_one(p.base_data, jobs, "events")
    blocks = execute.run_chunk(p.base_data, jobs, "events")
    assert one_by_one["runs"] == blocks["runs"]
    for a, b in zip(one_by_one["series"], blocks["series"], strict=True):
        assert a == b
    for a, b in zip(one_by_one["events"], blocks["events"], strict=True):
        assert_frame_equal(a, b, check_exact=True)


# 2. Seeds


def test_seeds_are_distinct_and_come_from_the_plan(reference):
    spec_file, out = reference
    runs = sweep.load(out).runs
    assert {"point_id", "replicate", "seed"} <= set(runs.columns)
    assert runs["seed"].is_unique
    spec, folder = sweep.load_spec(spec_file)
    p = sweep.plan(spec, folder)
    for row in runs.itertuples():
        assert row.seed == p.run_seed(row.point_id, row.replicate)
        assert row.run_id == row.point_id * spec.replicates + row.replicate
    assert sorted(zip(runs["point_id"], runs["replicate"], strict=True)) == [
        (i, r) for i in range(4) for r in range(3)]
    # A run is reproduced on its own from its point and seed alone.
    row = runs.iloc[7]
    point = {k.removeprefix("param:"): row[k] for k in runs.columns if k.startswith("param:")}
    alone = run_one(with_overrides(load_scenario(TEACHING), {**point, "run.days": 60}),
                    seed=int(row["seed"])).summary
    for key in ("gov_released", "ins_released", "mean_attacks", "walkouts", "final_phase"):
        assert alone[key] == row[key], key
    # Another master seed gives other seeds for every run, on the same points.
    other = sweep.plan(spec.model_copy(update={"master_seed": spec.master_seed + 1}), folder)
    assert other.points == p.points
    new = {other.run_seed(i, r) for i in range(4) for r in range(3)}
    assert new.isdisjoint(set(runs["seed"]))
    assert len(new) == 12


# 3. kill -9 of the whole sweep, then resume


def test_kill_9_and_resume_equals_an_uninterrupted_sweep(tmp_path):
    # 2 x 2 points x 30 replicates of 100 days, 4 runs a part: 120 runs in 30 chunks.
    spec_file = write_spec(
        tmp_path / "killed.yaml", base=str(HOME),
        parameters=[{"path": "insurgent.patience", "values": [1.0, 3.0]},
                    {"path": "mediator.walkout_pressure", "values": [0.0, 0.7]}],
        replicates=30, master_seed=5, days=100, chunk_size=4)
    out = tmp_path / "killed"
    cmd = [str(PARLEY), "sweep", "run", str(spec_file), "--out", str(out), "--workers", "2",
           "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list((out / "parts").glob("runs-*.parquet")):
            assert proc.poll() is None, "the sweep ended before writing any part"
            assert time.monotonic() < deadline, "no part file within 60 s"
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after_kill = sweep.status(out)
    # The kill must have landed mid-way, or this test proves nothing.
    assert 0 < after_kill["chunks_missing"] < 30, after_kill
    assert after_kill["missing"] > 0

    resumed = cli(*cmd[1:])
    assert resumed.returncode == 0, resumed.stderr
    done_before = 120 - after_kill["missing"]
    assert f"{done_before} already done" in resumed.stdout
    assert sweep.status(out) == {"name": "killed", "total": 120, "done": 120, "failed": 0,
                                 "missing": 0, "chunks_missing": 0}

    fresh = sweep.run(spec_file, tmp_path / "fresh", workers=2).out
    killed_data, fresh_data = sweep.load(out), sweep.load(fresh)
    assert killed_data.runs["run_id"].is_unique
    assert len(killed_data.runs) == 120
    assert_same_data(killed_data, fresh_data)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert len(list((out / "parts").glob("runs-*.parquet"))) == 30


# 4. A worker that dies


def test_a_dead_worker_is_replaced_and_the_sweep_completes(reference, tmp_path, monkeypatch):
    spec_file, out1 = reference
    marker = tmp_path / "worker-killed"
    monkeypatch.setenv("PARLEY_SWEEP_KILL_RUN", "7")
    monkeypatch.setenv("PARLEY_SWEEP_KILL_MARKER", str(marker))
    outcome = sweep.run(spec_file, tmp_path / "dead", workers=2)
    assert marker.exists(), "no worker was killed"
    assert outcome.failed == 0 and outcome.ran == 12
    assert_same_data(sweep.load(out1), sweep.load(outcome.out))


# 5. Failure isolation


def write_pool_csv(path: Path, rows: int = 100) -> Path:
    """A valid pool: ``rows`` prisoners, all listed, none named."""
    gen = np.random.default_rng(0)
    frame = pd.DataFrame({"rank": gen.integers(0, 3, rows), "age": gen.integers(18, 60, rows),
                          "health": gen.uniform(0.2, 1.0, rows).round(3),
                          "sentence_days": gen.integers(30, 3000, rows),
                          "listed": 1, "named": 0})
    frame.to_csv(path, index=False)
    return path


def test_a_failing_run_is_recorded_and_the_others_succeed(tmp_path):
    good = write_pool_csv(tmp_path / "pool.csv")
    spec_file = write_spec(
        tmp_path / "pools.yaml",
        parameters=[{"path": "pools.government_holds.csv",
                     "values": [str(good), str(tmp_path / "no_such_pool.csv")]}],
        replicates=3, days=30, chunk_size=2)
    out = tmp_path / "out"
    proc = cli("sweep", "run", spec_file, "--out", out, "--quiet")
    # A sweep with failed runs says how many and exits non-zero.
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "3 ran, 3 failed" in proc.stdout
    assert proc.stderr.startswith("error: 3 of 6 runs failed")
    assert "Traceback" not in proc.stderr
    runs = sweep.load(out).runs
    ok = runs[runs["point_id"] == 0]
    bad = runs[runs["point_id"] == 1]
    assert (ok["status"] == "ok").all() and (ok["error"] == "").all()
    assert ok["gov_released"].notna().all()
    # chunks mix ok and failed runs (chunk_size 2): a flag stays a (nullable) boolean
    assert str(runs["pattern"].dtype) == "boolean"
    assert ok["pattern"].notna().all() and bad["pattern"].isna().all()
    assert (bad["status"] == "failed").all()
    for error in bad["error"]:
        assert error.startswith("Traceback (most recent call last)")
        assert "no_such_pool.csv" in error and "cannot be read" in error
    proc = cli("sweep", "status", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "pools: 3 done, 3 failed, 0 missing of 6"


def test_a_run_that_fails_after_its_work_fails_alone(tmp_path, monkeypatch):
    # Turning one run's events into rows raises: that run is failed with its traceback, and
    # the good runs of the same chunk keep their rows, series and events.
    from sim.runner import RunResult

    spec, folder = sweep.load_spec(small_spec(tmp_path / "s.yaml", keep="events"))
    bad_seed = sweep.plan(spec, folder).run_seed(0, 1)  # the middle run of the first chunk
    events_frame = RunResult.events_frame

    def failing(self):
        if self.seed == bad_seed:
            raise RuntimeError("cannot turn these events into rows")
        return events_frame(self)

    monkeypatch.setattr(RunResult, "events_frame", failing)
    outcome = sweep.run(spec, tmp_path / "out", workers=1, folder=folder)  # in this process
    assert (outcome.ran, outcome.failed) == (11, 1)
    data = sweep.load(outcome.out)
    first = data.runs[data.runs["run_id"] < 3]
    assert first["status"].tolist() == ["ok", "failed", "ok"]
    error = first["error"].iloc[1]
    assert error.startswith("Traceback") and "cannot turn these events into rows" in error
    assert set(data.events["run_id"]) == set(range(12)) - {1}
    assert set(data.series["run_id"]) == set(range(12)) - {1}


def test_a_run_that_breaks_its_block_fails_alone(tmp_path, monkeypatch):
    # One run makes its block raise: the block is run again one run at a time, so that run
    # alone is failed, with its traceback, and the others of its chunk keep what the engine
    # would have given them.
    from sim.engine import block as engine_block
    from sim.model import ParleyModel

    spec, folder = sweep.load_spec(small_spec(tmp_path / "s.yaml", keep="series"))
    clean = sweep.load(sweep.run(spec, tmp_path / "clean", workers=1, folder=folder).out)
    bad_seed = sweep.plan(spec, folder).run_seed(0, 1)
    block_init, model_init = engine_block.Block.__init__, ParleyModel.__init__

    def breaking_block(self, scenarios, seeds, days):
        if bad_seed in seeds:
            raise RuntimeError("this run breaks the block")
        block_init(self, scenarios, seeds, days)

    def breaking_model(self, scenario, seed=None, days=None):
        if (scenario.run.seed if seed is None else seed) == bad_seed:
            raise RuntimeError("this run breaks the block")
        model_init(self, scenario, seed, days)

    monkeypatch.setattr(engine_block.Block, "__init__", breaking_block)
    monkeypatch.setattr(ParleyModel, "__init__", breaking_model)
    outcome = sweep.run(spec, tmp_path / "out", workers=1, folder=folder)
    assert (outcome.ran, outcome.failed) == (11, 1)
    data = sweep.load(outcome.out)
    assert data.runs["status"].tolist()[:3] == ["ok", "failed", "ok"]
    assert "this run breaks the block" in data.runs["error"].iloc[1]
    good = data.runs["status"] == "ok"
    summary = [c for c in data.runs.columns if c not in ("status", "error")]
    assert data.runs.loc[good, summary].equals(clean.runs.loc[good, summary])
    assert set(data.series["run_id"]) == set(range(12)) - {1}
    kept = clean.series[clean.series["run_id"] != 1].reset_index(drop=True)
    assert data.series.reset_index(drop=True).equals(kept)


def test_the_runs_table_takes_its_dtypes_from_the_output_registry(reference):
    # A text field stays text, an optional day is a nullable integer, a flag a nullable
    # boolean, in every sweep (before, they depended on which values a chunk happened to hold).
    from sim.outputs import SUMMARY, Kind

    runs = sweep.load(reference[1]).runs
    expected = {Kind.INT: "Int64", Kind.OPTIONAL: "Int64", Kind.FLOAT: "float64",
                Kind.BOOL: "boolean", Kind.TEXT: "string", Kind.PHASE: "string"}
    for field in SUMMARY:
        want = "int64" if field.name == "seed" else expected[field.kind]
        assert str(runs[field.name].dtype) == want, field.name
    assert runs["final_phase"].notna().all() and runs["scenario"].eq("teaching_symmetric").all()
    assert [str(runs[c].dtype) for c in ("run_id", "point_id", "replicate")] == ["int64"] * 3


# 6. Bad input: refused before any run, exit code 2, one line, nothing written


def test_unknown_parameter_path_suggests_the_nearest(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml", parameters=[
        {"path": "insurgent.patiense", "values": [1.0, 2.0]}])
    out = tmp_path / "out"
    line = assert_refused(cli("sweep", "run", spec_file, "--out", out, "--quiet"),
                          "insurgent.patiense", "did you mean 'insurgent.patience'")
    assert "unknown parameter path" in line
    assert not out.exists()


def test_a_value_the_schema_rejects_names_point_and_field(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml", parameters=[
        {"path": "mediator.credibility", "values": [0.5, 2.0]},
        {"path": "insurgent.patience", "values": [2.0]}])
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--quiet"),
                   "point 1", "mediator.credibility")
    assert not out.exists()


def test_an_empty_design_is_refused(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml", parameters=[
        {"path": "insurgent.patience", "values": []},
        {"path": "mediator.leverage", "values": [1.0]}])
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--quiet"), "no points")
    assert not out.exists()


@pytest.mark.parametrize(("method", "parameter"), [
    ("latin_hypercube", {"path": "insurgent.patience", "values": []}),
    ("sobol", {"path": "insurgent.patience", "values": []}),
    ("latin_hypercube", {"path": "insurgent.patience", "values": ["low", "high"]}),
    ("sobol", {"path": "insurgent.patience", "values": [2.0, 2.0]}),
], ids=["lhs-empty-values", "sobol-empty-values", "lhs-text-values", "sobol-empty-interval"])
def test_bad_bounds_for_a_sampling_design_are_refused(tmp_path, method, parameter):
    # Values that give no numeric interval must be refused with one line, not a traceback.
    spec_file = small_spec(tmp_path / "s.yaml", design={"method": method, "samples": 4},
                           parameters=[parameter, {"path": "mediator.leverage",
                                                   "bounds": [0.0, 1.0]}])
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--quiet"),
                   "insurgent.patience")
    assert not out.exists()


def test_a_decreasing_range_is_sampled_over_its_interval(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml", design={"method": "sobol", "samples": 4},
                           parameters=[{"path": "insurgent.patience",
                                        "range": {"start": 3.0, "stop": 1.0, "steps": 3}},
                                       {"path": "mediator.leverage", "bounds": [0.0, 1.0]}])
    spec, folder = sweep.load_spec(spec_file)
    values = [pt["insurgent.patience"] for pt in sweep.plan(spec, folder).points]
    assert min(values) >= 1.0 and max(values) <= 3.0 and len(set(values)) > 2


def test_a_folder_of_another_sweep_is_refused_and_left_alone(reference, tmp_path):
    _, out1 = reference
    before = tree(out1)
    other = small_spec(tmp_path / "other.yaml", master_seed=999)
    line = assert_refused(cli("sweep", "run", other, "--out", out1, "--quiet"),
                          "different sweep", "start afresh")
    assert "--out" in line
    assert tree(out1) == before


def test_an_unreachable_scheduler_is_refused(tmp_path):
    pytest.importorskip("distributed")
    spec_file = small_spec(tmp_path / "s.yaml")
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{free_port()}"
    start = time.monotonic()
    proc = cli("sweep", "run", spec_file, "--out", out, "--executor", "dask", "--scheduler",
               address, "--quiet", timeout=60)
    assert_refused(proc, "cannot reach", address)
    assert time.monotonic() - start < 40
    assert not out.exists()


def test_dask_without_a_scheduler_is_refused(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml")
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--executor", "dask"),
                   "--scheduler")
    assert not out.exists()


@pytest.mark.parametrize("vary", [
    "insurgent.patience",                 # no '='
    "insurgent.patience=1..",             # open range
    "insurgent.patience=1..2/many",       # steps not a number
    "insurgent.patience=1..2..3",         # two '..'
])
def test_vary_syntax_errors_are_refused(tmp_path, vary):
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", "scenarios/teaching_symmetric.yaml", "--vary", vary,
                       "--out", out), "--vary", vary, "path=a,b,c")
    assert not out.exists()


def test_a_scenario_without_vary_is_refused(tmp_path):
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", TEACHING, "--out", out), "--vary")
    assert not out.exists()


def test_a_sweep_interrupted_while_preparing_its_folder_resumes(reference, tmp_path):
    # Known bug (see the report): _prepare_dir creates parts/ and points.parquet before the
    # manifest, so a sweep killed in between leaves a folder that every later run refuses
    # ("exists, is not empty and holds no sweep") although nothing in it is a result.
    spec_file, out1 = reference
    out = tmp_path / "out"
    (out / "parts").mkdir(parents=True)  # the first thing _prepare_dir makes
    (out / ".points.parquet.tmp").write_bytes(b"torn")  # killed while writing the points
    outcome = sweep.run(spec_file, out, workers=1)
    assert outcome.ran == 12
    assert_same_data(sweep.load(out1), sweep.load(out))


def test_a_relative_pool_csv_in_values_resolves_like_one_in_set(tmp_path):
    # Known bug (see the report): a relative CSV path under `set:` is resolved against the
    # base scenario's folder (load_scenario), but the same path as a varied value is passed
    # to the workers as is and resolved against their working directory, so the run fails
    # (or, worse, reads another file when the sweep is resumed from another folder).
    base = tmp_path / "base.yaml"
    base.write_text(TEACHING.read_text(encoding="utf-8"), encoding="utf-8")
    write_pool_csv(tmp_path / "pool.csv")
    fixed = write_spec(tmp_path / "fixed.yaml", base="base.yaml",
                       set={"pools.government_holds.csv": "pool.csv"},
                       parameters=[{"path": "insurgent.patience", "values": [2.0]}],
                       replicates=1, days=10)
    varied = write_spec(tmp_path / "varied.yaml", base="base.yaml",
                        parameters=[{"path": "pools.government_holds.csv",
                                     "values": ["pool.csv"]}],
                        replicates=1, days=10)
    assert Path.cwd() != tmp_path
    assert sweep.run(fixed, tmp_path / "fixed", workers=1).failed == 0
    outcome = sweep.run(varied, tmp_path / "varied", workers=1)
    runs = sweep.load(outcome.out).runs
    assert outcome.failed == 0, runs["error"].iloc[0].splitlines()[-1]


# 7. Export and analysis


def test_export_writes_csv_files(reference, tmp_path):
    _, out1 = reference
    dest = tmp_path / "export"
    proc = cli("sweep", "export", out1, "--format", "csv", "--out", dest)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in dest.iterdir()} == {"points.csv", "runs.csv", "series.csv",
                                                  "events.csv"}
    data = sweep.load(out1)
    runs = pd.read_csv(dest / "runs.csv")
    assert runs["run_id"].tolist() == data.runs["run_id"].tolist()
    assert runs["seed"].tolist() == data.runs["seed"].tolist()
    assert len(pd.read_csv(dest / "series.csv")) == len(data.series)
    assert len(pd.read_csv(dest / "events.csv")) == len(data.events)
    assert len(pd.read_csv(dest / "points.csv")) == 4
    assert not [p for p in dest.iterdir() if p.name.endswith(".tmp")]


def test_export_to_the_default_folder(reference, tmp_path):
    spec_file, out1 = reference
    out = tmp_path / "out"
    shutil.copytree(out1, out)
    proc = cli("sweep", "export", out, "--format", "parquet")
    assert proc.returncode == 0, proc.stderr
    assert_frame_equal(pd.read_parquet(out / "export" / "runs.parquet"), sweep.load(out1).runs)
    # The export folder does not disturb the sweep: resuming it still finds nothing to do.
    assert sweep.run(spec_file, out, workers=1).ran == 0


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    """N = 4, 2 parameters (16 points), 1 replicate of 30 days."""
    folder = tmp_path_factory.mktemp("sobol")
    spec_file = write_spec(
        folder / "sobol.yaml",
        parameters=[{"path": "insurgent.patience", "bounds": [0.5, 5.0]},
                    {"path": "mediator.leverage", "kind": "lever", "bounds": [0.0, 3.0]}],
        design={"method": "sobol", "samples": 4}, replicates=1, master_seed=3, days=30,
        chunk_size=5)
    return sweep.run(spec_file, folder / "out", workers=2).out


def test_sobol_analysis_gives_indices_for_each_parameter(sobol_sweep):
    data = sweep.load(sobol_sweep)
    assert len(data.points) == 4 * (2 + 2) and len(data.runs) == 16
    result = sweep.analyze(sobol_sweep, "sobol", "mean_attacks")
    names = [row["parameter"] for row in result["indices"]]
    assert names == ["insurgent.patience", "mediator.leverage"]
    for row in result["indices"]:
        assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(row)
        assert np.isfinite([row["S1"], row["ST"]]).all()
    proc = cli("analyze", sobol_sweep, "--method", "sobol", "--output", "mean_attacks")
    assert proc.returncode == 0, proc.stderr
    assert "insurgent.patience" in proc.stdout and "mediator.leverage" in proc.stdout
    assert "ST" in proc.stdout


def test_morris_on_a_sobol_sweep_is_refused(sobol_sweep):
    assert_refused(cli("analyze", sobol_sweep, "--method", "morris"), "sobol", "morris")


def test_sobol_on_a_full_factorial_sweep_is_refused(reference):
    _, out1 = reference
    assert_refused(cli("analyze", out1, "--method", "sobol"), "full_factorial", "sobol")


def test_an_unknown_outcome_is_refused(sobol_sweep):
    assert_refused(cli("analyze", sobol_sweep, "--output", "no_such_outcome"),
                   "no_such_outcome", "gov_released")


# 8. The --vary form


def test_vary_form_runs_a_full_factorial(tmp_path):
    out = tmp_path / "D"
    proc = cli("sweep", "run", "scenarios/teaching_symmetric.yaml",
               "--vary", "insurgent.patience=2,4", "--vary", "mediator.leverage=0..1/2",
               "--replicates", "2", "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "8 runs" in proc.stdout and "8 ran, 0 failed" in proc.stdout
    data = sweep.load(out)
    assert len(data.runs) == 8 and (data.runs["status"] == "ok").all()
    pairs = set(zip(data.points["param:insurgent.patience"],
                    data.points["param:mediator.leverage"], strict=True))
    assert pairs == {(2, 0.0), (2, 1.0), (4, 0.0), (4, 1.0)}
    assert data.manifest["spec"]["name"] == "teaching_symmetric_sweep"
    assert data.manifest["days"] == 120
    # The same command again has nothing left to do.
    again = cli("sweep", "run", "scenarios/teaching_symmetric.yaml",
                "--vary", "insurgent.patience=2,4", "--vary", "mediator.leverage=0..1/2",
                "--replicates", "2", "--out", out, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout


# 9. Flags over a sweep file, required fields, and parley validate on sweep files


def test_flags_replace_a_sweep_files_values_and_are_recorded(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml")  # 2 x 2 points, 3 replicates, 60 days
    out = tmp_path / "out"
    proc = cli("sweep", "run", spec_file, "--out", out, "--replicates", "1", "--days", "20",
               "--master-seed", "3", "--keep", "series", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "4 runs" in proc.stdout
    data = sweep.load(out)
    spec = data.manifest["spec"]
    assert (spec["replicates"], spec["days"], spec["master_seed"], spec["keep"]) == (
        1, 20, 3, "series")
    assert data.manifest["flags"] == {"--replicates": 1, "--days": 20, "--master-seed": 3,
                                      "--keep": "series"}
    assert len(data.series) == 4 * 21
    # A design from flags: the file's values give the intervals to sample.
    spec, folder = sweep.load_spec(spec_file)
    lhs, given = sweep.with_flags(spec, design="latin_hypercube", samples=3)
    assert given == {"--design": "latin_hypercube", "--samples": 3}
    assert len(sweep.plan(lhs, folder).points) == 3


def test_a_sweep_file_refuses_flags_it_cannot_take(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml")
    out = tmp_path / "out"
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--samples", "8"),
                   "--samples", "full factorial")
    assert_refused(cli("sweep", "run", spec_file, "--out", out, "--lever", "x"),
                   "--lever", "sweep file")
    assert not out.exists()
    spec, _ = sweep.load_spec(spec_file)
    for flags, fragments in (
            ({"design": "sobol"}, ("--samples", "required by a sobol design")),
            ({"design": "sobol", "samples": 6}, ("--samples", "not a power of 2")),
            ({"replicates": 0}, ("--replicates", ">= 1")),
            ({"keep": "everything"}, ("--keep", "everything"))):
        with pytest.raises(sweep.SweepError) as caught:
            sweep.with_flags(spec, **flags)
        (problem,) = caught.value.problems
        for fragment in fragments:
            assert fragment in str(problem), (fragment, str(problem))


@pytest.mark.parametrize(("drop", "fragment"), [
    ("replicates", "replicates: Field required"),
    ("base", "base: Field required"),
    ("name", "name: Field required"),
    ("parameters", "parameters: Field required"),
])
def test_required_sweep_fields_are_required(tmp_path, drop, fragment):
    data = {"name": "s", "base": str(TEACHING), "replicates": 2,
            "parameters": [{"path": "insurgent.patience", "values": [1.0]}]}
    del data[drop]
    spec_file = write_yaml(tmp_path / "s.yaml", data)
    assert_refused(cli("validate", spec_file), fragment)
    with pytest.raises(sweep.SweepError, match=fragment):
        sweep.load_spec(spec_file)  # what sweep run reads


def test_a_range_and_a_sampling_design_name_what_they_lack(tmp_path):
    spec_file = small_spec(tmp_path / "s.yaml", design={"method": "latin_hypercube"},
                           parameters=[{"path": "insurgent.patience",
                                        "range": {"start": 1.0, "steps": 3}}])
    proc = cli("validate", spec_file)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "parameters.0.range.stop: Field required" in proc.stderr
    assert "design.samples: is required by a latin_hypercube design" in proc.stderr


def test_vary_form_without_replicates_names_the_flag(tmp_path):
    assert_refused(cli("sweep", "run", TEACHING, "--vary", "insurgent.patience=1,2", "--out",
                       tmp_path / "out"), "--replicates", "Field required")


def test_validate_checks_sweep_files_and_every_point(tmp_path):
    good = small_spec(tmp_path / "good.yaml")
    proc = cli("validate", good, TEACHING, ROOT / "scenarios" / "sweeps" / "sobol_window.yaml")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == f"ok: {good} (sweep good: 4 points, 12 runs)"
    assert lines[1].startswith(f"ok: {TEACHING} (teaching_symmetric, hash ")
    assert "sweep sobol_window: 3584 points, 7168 runs" in lines[2]
    bad = small_spec(tmp_path / "bad.yaml", parameters=[
        {"path": "mediator.credibility", "values": [0.5, 2.0]}])
    line = assert_refused(cli("validate", bad), "point 1", "mediator.credibility")
    assert "unknown key" not in line
    typo = small_spec(tmp_path / "typo.yaml", replicate=3)
    assert_refused(cli("validate", typo), str(typo), "replicate: unknown key",
                   "did you mean 'replicates'")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_a_sweep_over_the_chance_of_return_runs_in_blocks(tmp_path, monkeypatch):
    # The chance of return is worked out once per block, so points that differ in it go to
    # blocks of their own: none falls back to the Mesa model, and each run is the model's run.
    from sim.sweep import execute

    path = small_spec(tmp_path / "r.yaml", keep="series", chunk_size=12, parameters=[
        {"path": "conflict.return_base", "values": [0.05, 0.2]},
        {"path": "conflict.young_age", "kind": "lever", "values": [20, 30]}])
    spec, folder = sweep.load_spec(path)
    p = sweep.plan(spec, folder)
    jobs = [job for c in range(p.n_chunks) for job in execute.chunk_jobs(p, c)]
    one_by_one = execute.run_one_by_one(p.base_data, jobs, "series")

    def no_fallback(*args, **kwargs):
        raise AssertionError("a block fell back to running one model at a time")

    monkeypatch.setattr(execute, "one_run", no_fallback)
    blocks = execute.run_chunk(p.base_data, jobs, "series")
    assert one_by_one["runs"] == blocks["runs"]
    assert all(row["status"] == "ok" for row in blocks["runs"])
    for a, b in zip(one_by_one["series"], blocks["series"], strict=True):
        assert a == b
