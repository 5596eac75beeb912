"""Drill-down from a sweep: ``parley sweep show`` reruns a stored run and must reproduce its row
bit for bit; runs are picked by id or by a pandas query; plots and ``report`` name example runs;
bad ``--run``/``--where`` get one line and exit code 2.

Also here, because they are about finding one's way around a finished sweep: a no-op resume
that loads neither numpy nor pandas, and ``--output``/``--x`` checked with "did you mean".
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import HOME, TEACHING, assert_refused, cli, run_small_sobol, write_yaml

from sim import sweep
from sim.outputs import SUMMARY
from sim.runner import run as run_one
from sim.scenario import load_scenario
from sim.sweep import drill, resume
from sim.sweep.store import runs_frame


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The home scenario over 2 x 2 points, 3 replicates of 90 days (12 runs, 4 part files).

    The home scenario's shocks, walkouts and unilateral releases fill the optional days and
    the pattern fields, so that a rerun has many fields to get right.
    """
    folder = tmp_path_factory.mktemp("tiny")
    spec_file = write_yaml(folder / "tiny.yaml", {
        "name": "tiny", "base": str(HOME),
        "parameters": [{"path": "insurgent.patience", "values": [1.0, 2.5]},
                       {"path": "mediator.walkout_pressure", "kind": "lever",
                        "values": [0.2, 0.8]}],
        "replicates": 3, "master_seed": 5, "days": 90, "chunk_size": 3})
    out = folder / "out"
    proc = cli("sweep", "run", spec_file, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    return spec_file, out


def bits(value) -> object:
    """A summary value as something equal only to the same bits (floats by their bytes)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating):
        return struct.pack("<d", float(value))
    return value.item() if hasattr(value, "item") else value


# 1. A rerun equals its row


def test_every_rerun_equals_its_row_bit_for_bit(tiny):
    _, out = tiny
    data = sweep.load(out, tables=["runs"])
    assert len(data.runs) == 12 and (data.runs["status"] == "ok").all()
    fields = [f.name for f in SUMMARY]
    for run_id in (0, 4, 7, 11):
        row = data.runs.loc[data.runs["run_id"] == run_id].iloc[0]
        result = drill.rerun(data.manifest, data.points, data.runs, run_id)
        assert result.seed == row["seed"]
        # Field by field, by value: every summary field, floats to the bit.
        for name in fields:
            assert bits(result.summary[name]) == bits(row[name]), (run_id, name)
        # And as a runs-table row: the same dtypes, the same values.
        ids = {k: row[k] for k in ("run_id", "point_id", "replicate", "seed")}
        params = {c: row[c] for c in data.runs.columns if c.startswith("param:")}
        fresh = runs_frame([{**ids, **params, "status": "ok", "error": "", **result.summary}])
        stored = data.runs.loc[data.runs["run_id"] == run_id].reset_index(drop=True)
        pd.testing.assert_frame_equal(fresh, stored, check_exact=True)
        assert drill.differences(data.runs, run_id, result) == []
    # The rows differ among themselves, so equal rows are no accident of a constant outcome.
    assert data.runs["gov_released"].nunique() > 1 or data.runs["mean_attacks"].nunique() > 1


def test_a_rerun_is_the_same_as_parley_run_of_its_point_and_seed(tiny):
    _, out = tiny
    data = sweep.load(out, tables=["runs"])
    row = data.runs.loc[data.runs["run_id"] == 8].iloc[0]
    point = drill.point_of(data.points, int(row["point_id"]))
    spec = load_scenario(HOME, {**point, "run.days": 90})
    alone = run_one(spec, seed=int(row["seed"]))
    again = drill.rerun(data.manifest, data.points, data.runs, 8)
    assert alone.summary == again.summary


def test_show_prints_the_narrative_and_says_the_row_matches(tiny, tmp_path):
    _, out = tiny
    data = sweep.load(out, tables=["runs"])
    row = data.runs.loc[data.runs["run_id"] == 5].iloc[0]
    proc = cli("sweep", "show", out, "--run", "5", "--plot", tmp_path / "t.png")
    assert proc.returncode == 0, proc.stderr
    assert f"run 5 of tiny: point {row['point_id']}, replicate {row['replicate']}, " \
           f"seed {row['seed']}" in proc.stdout
    assert "run 5: its summary equals the sweep's row" in proc.stdout
    assert re.search(rf"│ gov_released\s+│\s+{row['gov_released']} │", proc.stdout)
    assert proc.stdout.count("\n") > 40  # the narrative, day by day, before the summary
    assert (tmp_path / "t.png").stat().st_size > 10_000


def test_a_row_that_differs_is_reported_with_exit_code_1(tiny, tmp_path):
    import shutil

    _, out = tiny
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    part = copy / "parts" / "runs-000001.parquet"  # runs 3, 4, 5
    frame = pd.read_parquet(part)
    frame.loc[frame["run_id"] == 4, "mean_attacks"] += 1e-12
    frame.to_parquet(part, index=False)
    proc = cli("sweep", "show", copy, "--run", "4", "--no-narrative")
    assert proc.returncode == 1
    assert "run 4's summary differs from the sweep's row" in proc.stderr
    assert "mean_attacks" in proc.stderr and "gov_released" not in proc.stderr
    assert cli("sweep", "show", copy, "--run", "3", "--no-narrative").returncode == 0


# 2. Picking runs


def test_where_picks_the_first_match_and_sample_a_seeded_choice(tiny):
    _, out = tiny
    runs = sweep.load(out, tables=["runs"]).runs
    query = "`param:insurgent.patience` > 2 and gov_released >= 0"
    matches = runs.loc[(runs["param:insurgent.patience"] > 2), "run_id"].tolist()
    assert len(matches) == 6
    assert drill.select(runs, where=query) == [matches[0]]
    picked = drill.select(runs, where=query, sample=3, seed=4)
    assert len(set(picked)) == 3 and set(picked) <= set(matches)
    assert drill.select(runs, where=query, sample=3, seed=4) == picked
    others = {tuple(drill.select(runs, where=query, sample=3, seed=s)) for s in range(8)}
    assert len(others) > 1  # the seed chooses
    assert sorted(drill.select(runs, where=query, sample=50)) == matches  # all, at most
    proc = cli("sweep", "show", out, "--where", query, "--sample", "2", "--sample-seed", "4",
               "--no-narrative")
    assert proc.returncode == 0, proc.stderr
    shown = [int(m) for m in re.findall(r"^run (\d+) of tiny", proc.stdout, re.M)]
    assert shown == drill.select(runs, where=query, sample=2, seed=4)
    assert proc.stdout.count("its summary equals the sweep's row") == 2


@pytest.mark.parametrize(("args", "fragments"), [
    (["--run", "12"], ["--run", "no run 12", "0 to 11"]),
    (["--run", "-1"], ["--run", "no run -1"]),
    (["--where", "gov_releasd > 1"], ["--where", "'gov_releasd'", "did you mean 'gov_released'"]),
    (["--where", "patience > 1"], ["--where", "did you mean `param:insurgent.patience`"]),
    (["--where", "gov_released >"], ["--where", "cannot be read"]),
    (["--where", "gov_released > 10**9"], ["--where", "matches no run"]),
    (["--where", "gov_released"], ["--where", "is not a condition"]),
    (["--where", "gov_released > 0", "--sample", "0"], ["--sample", "below 1"]),
    (["--run", "1", "--sample", "2"], ["--sample", "--where"]),
    (["--run", "1", "--where", "pattern"], ["--run/--where", "exactly one"]),
    ([], ["--run/--where", "exactly one"]),
    (["--run", "1", "--plot", "t.gif"], ["--plot", ".gif"]),
])
def test_bad_run_or_where_is_refused_in_one_line(tiny, args, fragments):
    _, out = tiny
    assert_refused(cli("sweep", "show", out, *args), *fragments)


def test_show_of_a_folder_without_a_sweep_is_refused(tmp_path):
    assert_refused(cli("sweep", "show", tmp_path, "--run", "0"), "no sweep here")


# 3. Example runs on plots and in report


def test_plot_examples_name_runs_of_each_cell_from_lowest_to_highest(tiny, tmp_path):
    _, out = tiny
    runs = sweep.load(out, tables=["runs"]).runs
    proc = cli("plot", out, "--kind", "sweep", "--x", "insurgent.patience", "--output",
               "mean_attacks", "--examples", "2", "--out", tmp_path / "s.png")
    assert proc.returncode == 0, proc.stderr
    assert "from lowest to highest mean_attacks" in proc.stdout
    for value in (1.0, 2.5):
        line = re.search(rf"^insurgent.patience={value:g}: runs (\d+), (\d+)$", proc.stdout,
                         re.M)
        assert line, proc.stdout
        cell = runs[runs["param:insurgent.patience"] == value]
        low, high = (int(i) for i in line.groups())
        assert {low, high} <= set(cell["run_id"])
        values = cell.set_index("run_id")["mean_attacks"]
        assert values[low] == values.min() and values[high] == values.max()
    assert f"rerun one: parley sweep show {out} --run" in proc.stdout
    phase = cli("plot", out, "--kind", "phase", "--examples", "1", "--out", tmp_path / "p.png")
    assert phase.returncode == 0, phase.stderr
    assert len(re.findall(r"^insurgent.patience=.*, mediator.walkout_pressure=.*: runs \d+$",
                          phase.stdout, re.M)) == 4


def test_examples_spread_over_a_cell_and_show_both_kinds_of_a_flag():
    runs = pd.DataFrame({"run_id": range(6), "param:a": [1, 1, 1, 1, 2, 2],
                         "pattern": pd.array([False, True, False, True, True, True])})
    cells = drill.examples(runs, ["param:a"], "pattern", 2)
    # Sorted by the flag, then by id: runs 0, 2 (false), then 1, 3 (true).
    assert cells == [({"param:a": 1}, [0, 3]), ({"param:a": 2}, [4, 5])]
    assert drill.examples(runs, [], "pattern", 3) == [({}, [0, 1, 5])]


def test_report_examples_rerun_with_their_seeds():
    # A patient insurgent makes the pattern rare but not absent (about one run in eight).
    proc = cli("report", HOME, "--seeds", "60", "--set", "insurgent.patience=3.0",
               "--examples", "2")
    assert proc.returncode == 0, proc.stderr
    found = {}
    for group in ("with", "without"):
        block = re.search(rf"^runs {group} the pattern: \d+ of 60.*\n((?:  parley run .*\n)*)",
                          proc.stdout, re.M)
        assert block, proc.stdout
        found[group] = [int(s) for s in re.findall(
            r"^  parley run afghanistan_2020 --seed (\d+) --set insurgent.patience=3.0$",
            block.group(1), re.M)]
    assert len(found["with"]) in (1, 2) and len(found["without"]) == 2, proc.stdout
    spec = load_scenario(HOME, {"insurgent.patience": 3.0})
    for group, seeds in found.items():
        for seed in seeds:
            assert run_one(spec, seed=seed).summary["pattern"] is (group == "with")


# 4. Checked names and a quick no-op resume


def test_output_and_x_are_checked_with_did_you_mean(tiny, tmp_path):
    _, out = tiny
    image = tmp_path / "x.png"
    assert_refused(cli("plot", out, "--kind", "sweep", "--output", "gov_releasd", "--out",
                       image), "--output", "did you mean 'gov_released'")
    assert_refused(cli("plot", out, "--kind", "sweep", "--x", "patience", "--out", image),
                   "--x", "did you mean 'insurgent.patience'")
    assert_refused(cli("plot", out, "--kind", "phase", "--y", "mediator.walkout_presure",
                       "--out", image), "--y", "did you mean 'mediator.walkout_pressure'")
    # A scenario's survival plot checks its event before running anything.
    assert_refused(cli("plot", TEACHING, "--kind", "survival", "--output", "completion_dy",
                       "--out", image), "--output", "did you mean 'completion_day'")
    assert not image.exists()


@pytest.fixture(scope="module")
def small_sobol(tmp_path_factory):
    """N = 4 over 2 parameters (16 points), 1 replicate of 30 days."""
    return run_small_sobol(tmp_path_factory.mktemp("sobol"))


def test_analyze_checks_the_output_and_warns_of_wide_intervals(small_sobol):
    assert_refused(cli("analyze", small_sobol, "--output", "mean_atacks"), "--output",
                   "did you mean 'mean_attacks'")
    result = sweep.analyze(small_sobol, "sobol", "mean_attacks")
    wide = [(row["parameter"], name) for row in result["indices"]
            for name in ("S1", "ST") if row[f"{name}_conf"] > abs(row[name])]
    assert len(result["warnings"]) == len(wide)
    for (parameter, name), line in zip(wide, result["warnings"], strict=True):
        assert line.startswith(f"{name} of {parameter} is ")
    proc = cli("analyze", small_sobol, "--output", "mean_attacks")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("warning: ") == len(wide)
    plot = cli("plot", small_sobol, "--kind", "sensitivity", "--output", "mean_attacks",
               "--out", small_sobol / "sens.png")
    assert plot.returncode == 0, plot.stderr
    assert plot.stderr.count("warning: ") == len(wide)


def test_the_samples_that_narrow_an_interval_follow_one_over_root_n():
    from sim.sweep.analyze import samples_needed, wide_intervals

    # conf/index = 2: four times the samples (a power of two for Sobol).
    assert samples_needed(16, 0.1, 0.2, "sobol") == 64
    assert samples_needed(16, 0.1, 0.25, "sobol") == 128  # 16 * 6.25 = 100 -> 128
    assert samples_needed(10, 0.1, 0.25, "morris") == 63
    rows = [{"parameter": "a", "S1": 0.1, "S1_conf": 0.2, "ST": 0.3, "ST_conf": 0.1},
            {"parameter": "b", "S1": -0.02, "S1_conf": 0.05, "ST": 0.01, "ST_conf": 0.001}]
    lines = wide_intervals(rows, "sobol", 16)
    assert len(lines) == 2
    assert lines[0].startswith("S1 of a is 0.100 ± 0.200") and "samples: 64 (now 16)" in lines[0]
    assert lines[1].startswith("S1 of b is -0.020 ± 0.050") and "told from zero" in lines[1]


NO_OP = """
import sys
from sim.ui.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in ("numpy", "pandas", "pyarrow", "scipy", "dask", "sim.scenario")
                   if m in sys.modules)
    print("heavy:", ",".join(heavy))
"""


def test_a_finished_sweep_resumes_as_a_no_op_without_heavy_imports(tiny):
    spec_file, out = tiny
    assert (out / resume.RECORD).exists()
    args = ["sweep", "run", str(spec_file), "--out", str(out), "--quiet"]
    proc = subprocess.run([sys.executable, "-c", NO_OP, *args], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "nothing to do: all 12 runs are in" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "heavy: "


def test_a_changed_input_takes_the_long_way(tiny, tmp_path):
    import shutil

    spec_file, out = tiny
    assert resume.finished(out, _command(spec_file)) == 12
    # A missing part file: not finished.
    gap = tmp_path / "gap"
    shutil.copytree(out, gap)
    (gap / "parts" / "runs-000002.parquet").unlink()
    assert resume.finished(gap, _command(spec_file)) is None
    # Other flags: not this record's command.
    assert resume.finished(out, {**_command(spec_file), "days": 90}) is None
    # The same sweep, written differently: the long way finds nothing to do, and records it.
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    text = spec_file.read_text(encoding="utf-8")
    same = tmp_path / "tiny.yaml"
    same.write_text("# a comment\n" + text, encoding="utf-8")
    assert resume.finished(copy, _command(same)) is None
    proc = cli("sweep", "run", same, "--out", copy, "--quiet")
    assert proc.returncode == 0 and "nothing to do" in proc.stdout
    assert resume.finished(copy, _command(same)) == 12
    # A real change to the file: the long way refuses to mix two sweeps.
    same.write_text(text.replace("replicates: 3", "replicates: 2"), encoding="utf-8")
    assert resume.finished(copy, _command(same)) is None
    assert_refused(cli("sweep", "run", same, "--out", copy, "--quiet"), "different sweep")


def _command(spec_file) -> dict:
    """The command record of ``parley sweep run SPEC`` with no other flag."""
    return {"spec": str(spec_file.resolve()), "vary": [], "lever": [], "replicates": None,
            "master_seed": None, "days": None, "keep": None, "design": None, "samples": None,
            "executor": "local", "scheduler": None}


def test_vary_values_are_read_as_set_values_are(tmp_path):
    # Text that is not plain YAML stays text, which the schema then refuses by name.
    proc = cli("sweep", "run", TEACHING, "--vary", "insurgent.patience=1,[2", "--replicates",
               "1", "--out", tmp_path / "v")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "insurgent.patience" in proc.stderr and "'[2'" in proc.stderr
    spec = sweep.spec_from_flags("x.yaml", ["insurgent.patience=1,2.5,yes"], [], name="x",
                                 replicates=1)
    assert spec.parameters[0].values == [1, 2.5, True]


def test_a_sweep_says_what_it_does_before_its_bar_shows(tmp_path):
    # The command line shows these as a spinner from its first second (planning a large
    # design takes seconds), until the progress bar takes over (None).
    spec_file = write_yaml(tmp_path / "s.yaml", {
        "name": "s", "base": str(TEACHING), "replicates": 2, "days": 10,
        "parameters": [{"path": "insurgent.patience", "values": [1.0, 2.0]}]})
    heard: list[str | None] = []
    sweep.run(spec_file, tmp_path / "out", workers=1, waiting=heard.append)
    assert heard == ["planning the full_factorial design and checking its points",
                     "starting 4 runs", None]
    again: list[str | None] = []
    sweep.run(spec_file, tmp_path / "out", workers=1, waiting=again.append)
    assert again == []  # nothing to do: known before planning
