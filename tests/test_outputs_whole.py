"""Outputs are whole or absent: a run folder appears in one step, and files of two runs never
sit together unnoticed; where a command writes is checked before any work starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, TEACHING, invoke, teaching

from sim import runner
from sim.errors import ScenarioError
from sim.runner import RUN_FILE, check_run_folder, load_run, run, write_outputs

parley = invoke


@pytest.fixture(scope="module")
def two_runs():
    spec = teaching(run={"days": 30})
    return run(spec, seed=1), run(spec, seed=2)


def _beside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_a_run_folder_is_written_whole_and_read_back(tmp_path, two_runs):
    first, _ = two_runs
    out = tmp_path / "one"
    write_outputs(first, out, "csv")
    record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    assert record["seed"] == 1 and record["format"] == "csv"
    assert set(record["files"]) == {p.name for p in out.iterdir()} - {RUN_FILE}
    assert f"# run_id: {record['run_id']}" in (out / "scenario.yaml").read_text("utf-8")
    back = load_run(out)
    assert back.summary == json.loads(json.dumps(first.summary, default=str))
    assert _beside(out) == []


def test_a_second_run_replaces_the_first_whole(tmp_path, two_runs):
    first, second = two_runs
    out = tmp_path / "run"
    write_outputs(first, out, "csv")
    write_outputs(second, out, "csv")
    assert load_run(out).seed == 2
    assert _beside(out) == []


@pytest.mark.parametrize("stage", ["write", "rename"])
def test_a_run_that_fails_midway_leaves_the_old_run_or_nothing(tmp_path, two_runs,
                                                               monkeypatch, stage):
    first, second = two_runs
    out = tmp_path / "run"
    if stage == "write":  # the third table fails to write: the folder never appears
        real = runner._write_files

        def broken(result, folder, fmt):
            (folder / "series.csv").write_text("half", encoding="utf-8")
            raise OSError("disk full")

        monkeypatch.setattr(runner, "_write_files", broken)
        with pytest.raises(OSError):
            write_outputs(first, out, "csv")
        assert not out.exists() and _beside(out) == []
        monkeypatch.setattr(runner, "_write_files", real)
    write_outputs(first, out, "csv")
    if stage == "rename":  # the new folder fails to move in: the old run stays whole
        real_rename = os.rename
        calls = []

        def rename(src, dst):
            calls.append((src, dst))
            if len(calls) == 1:
                raise OSError("interrupted")
            return real_rename(src, dst)

        monkeypatch.setattr(runner.os, "rename", rename)
        with pytest.raises(OSError):
            write_outputs(second, out, "csv")
        monkeypatch.setattr(runner.os, "rename", real_rename)
    assert load_run(out).seed == 1


def test_load_run_refuses_a_folder_that_mixes_two_runs(tmp_path, two_runs):
    first, second = two_runs
    one, two = tmp_path / "one", tmp_path / "two"
    write_outputs(first, one, "csv")
    write_outputs(second, two, "csv")
    (one / "series.csv").write_bytes((two / "series.csv").read_bytes())
    with pytest.raises(ScenarioError) as info:
        load_run(one)
    (problem,) = info.value.problems
    assert "mixes runs: series.csv is not the files run" in problem.message
    code, _, stderr = parley("plot", one, "--kind", "timeline", "--out", tmp_path / "t.png")
    assert code == 2 and "mixes runs" in stderr and not (tmp_path / "t.png").exists()


@pytest.mark.parametrize("damage", ["no_record", "missing_file", "bad_record"])
def test_load_run_refuses_a_folder_that_is_not_a_whole_run(tmp_path, two_runs, damage):
    out = tmp_path / "one"
    write_outputs(two_runs[0], out, "csv")
    if damage == "no_record":
        (out / RUN_FILE).unlink()
    elif damage == "missing_file":
        (out / "events.csv").unlink()
    else:
        (out / RUN_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        check_run_folder(out)
    assert info.value.problems[0].allowed == "a folder written whole by parley run --out"


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(tmp_path, two_runs):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)  # a process that has ended
    out = tmp_path / "run"
    for kind in ("tmp", "old"):
        stale = tmp_path / f".run.{kind}-{pid}"
        stale.mkdir()
        (stale / "series.csv").write_text("half", encoding="utf-8")
    live = tmp_path / f".run.tmp-{os.getppid()}"  # a run still writing: left alone
    live.mkdir()
    other = tmp_path / f".runs.tmp-{pid}"  # another folder's: left alone
    other.mkdir()
    write_outputs(two_runs[0], out, "csv")
    assert _beside(out) == sorted([live.name, other.name])


def test_a_run_killed_while_writing_leaves_no_folder_and_the_next_run_cleans_up(tmp_path):
    """A real ``kill -9``: the run is stopped in the middle of writing its files."""
    out = tmp_path / "run"
    script = (
        "import sys, time\n"
        "from sim import runner\n"
        "real = runner._write_files\n"
        "def slow(result, folder, fmt):\n"
        "    (folder / 'series.csv').write_text('half', encoding='utf-8')\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "runner._write_files = slow\n"
        "from sim.ui.cli import main\n"
        "sys.argv = ['parley', 'run', sys.argv[1], '--days', '20', '--no-narrative',\n"
        "            '--out', sys.argv[2], '--format', 'csv']\n"
        "main()\n")
    with subprocess.Popen([sys.executable, "-c", script, str(TEACHING), str(out)],
                          stdout=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        try:
            for line in proc.stdout:
                if line.startswith("writing"):
                    break
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    assert not out.exists()
    assert _beside(out) == [f".run.tmp-{proc.pid}"]
    code, _, stderr = parley("run", TEACHING, "--days", "20", "--no-narrative", "--out", out,
                             "--format", "csv")
    assert code == 0, stderr
    assert _beside(out) == [] and load_run(out).scenario.run.days == 20


# Where a command writes, checked before it runs


def _place(tmp: Path, kind: str) -> Path:
    (tmp / "a_file").write_text("x", encoding="utf-8")
    return {"file": tmp / "a_file", "under_a_file": tmp / "a_file" / "x.png",
            "dev_null": Path("/dev/null"), "proc": Path("/proc/parley/x.png"),
            "folder": tmp, "empty": Path("")}[kind]


COMMANDS = {  # how each command names the place, and the kinds of place it refuses
    "run --out": (lambda p: ("run", TEACHING, "--out", p), "folder"),
    "run --plot": (lambda p: ("run", TEACHING, "--plot", p), "file"),
    "report --json": (lambda p: ("report", TEACHING, "--seeds", "50000", "--json", p), "file"),
    "schema --out": (lambda p: ("schema", "--out", p), "file"),
    "plot --out": (lambda p: ("plot", TEACHING, "--kind", "timeline", "--out", p), "file"),
    "sweep run --out": (lambda p: ("sweep", "run", TEACHING, "--vary", "insurgent.patience=1,2",
                                   "--out", p), "folder"),
}


# Each command with each kind of place it cannot write (an existing file of the kind it
# writes is replaced, and an existing folder is written into: both are tested below).
PLACES = [(command, kind) for command, (_, wants) in COMMANDS.items()
          for kind in ("file", "under_a_file", "dev_null", "proc", "folder", "empty")
          if kind != wants]


@pytest.mark.parametrize(("command", "kind"), PLACES)
def test_a_place_nothing_can_be_written_is_refused_before_any_work(tmp_path, command, kind):
    make, _ = COMMANDS[command]
    place = _place(tmp_path, kind)
    if place.suffix != ".png" and "plot" in command and kind not in ("empty", "folder"):
        place = place.with_suffix(".png") if kind != "dev_null" else place
    start = time.monotonic()
    code, stdout, stderr = parley(*make(place))
    assert code == 2, (stdout, stderr)
    (line,) = stderr.strip().splitlines()
    assert line.startswith("error: --") and "allowed: " in line
    assert time.monotonic() - start < 5  # refused before report's 50,000 runs
    assert Path("/dev/null").is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_a_folder_holding_other_files_is_not_replaced_by_a_run(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work", encoding="utf-8")
    code, _, stderr = parley("run", TEACHING, "--days", "5", "--out", mine)
    assert code == 2 and "holds files other than a Parley run" in stderr
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert parley("run", TEACHING, "--days", "5", "--out", empty, "--format", "csv")[0] == 0
    assert load_run(empty).scenario.run.days == 5


def test_an_existing_file_may_be_replaced(tmp_path):
    target = tmp_path / "schema.json"
    target.write_text("old", encoding="utf-8")
    assert parley("schema", "--out", target)[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    code, _, stderr = parley("schema", "--out", locked / "schema.json")
    assert code == 2 and "does not accept new files" in stderr
