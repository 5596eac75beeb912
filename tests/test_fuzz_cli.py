"""A table of bad command lines: each ends with exit code 0 or 2, one message, quickly.

Every command and sub-command is given bad options, values and paths. Each line runs in
this process through the console script's own entry point (:func:`sim.ui.cli.main`, with
Typer's runner capturing its output), under a time limit; an exception other than an exit
(what a user would see as a traceback) fails the test.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.ui.cli import main

S, H, SWEEP = "teaching_symmetric", "afghanistan_2020", "patience_pressure"
LIMIT = 30  # seconds a line may take (the slowest good line here takes about two)
V = ("--vary", "insurgent.patience=1,2")

LINES: list[tuple[str, ...]] = [
    # parley
    ("--bogus",), ("nosuch",), ("--version", "--bogus"), ("-x",),
    # run
    ("run",), ("run", "nosuch"), ("run", S, "--seed", "x"), ("run", S, "--seed", "-1"),
    ("run", S, "--seed", "9" * 30), ("run", S, "--days", "0"), ("run", S, "--days", "-5"),
    ("run", S, "--days", "1e9"), ("run", S, "--days", "99999999"), ("run", S, "--set"),
    ("run", S, "--set", "insurgent.patience"), ("run", S, "--set", "=3"),
    ("run", S, "--set", "nosuch.path=3"), ("run", S, "--set", "insurgent.patience=abc"),
    ("run", S, "--set", "insurgent.patience=.nan"),
    ("run", S, "--set", "government={{oath: false}}"),
    ("run", S, "--set", "meta.start_date=9999-12-25"),
    ("run", S, "--set", "insurgent.patience=[1,2]"),
    ("run", S, "--set", "run.days=" + "9" * 5000), ("run", S, "--format", "xlsx"),
    ("run", S, "--out", ""), ("run", S, "--out", "{file}"), ("run", S, "--out", "/dev/null"),
    ("run", S, "--out", "/proc/parley"), ("run", S, "--out", "{full}"),
    ("run", S, "--plot", "{tmp}/x.gif"), ("run", S, "--plot", "/proc/x.png"),
    ("run", S, "--plot", "{file}/x.png"), ("run", "{dir}"), ("run", "/dev/zero"), ("run", "{bad}"),
    ("run", "{binary}"), ("run", S, "--narrative", "x"), ("run", S, "extra"),
    ("run", "\udcff.yaml"), ("run", "x" * 5000),
    # report
    ("report",), ("report", S, "--seeds", "0"), ("report", S, "--seeds", "-1"),
    ("report", S, "--seeds", "x"), ("report", S, "--days", "0", "--seeds", "1"),
    ("report", S, "--data", "{binary}", "--seeds", "1"), ("report", S, "--data", "{dir}"),
    ("report", S, "--data", "/dev/urandom"), ("report", S, "--json", "{dir}"),
    ("report", S, "--json", "/dev/null"), ("report", S, "--json", "{file}/x.json"),
    ("report", S, "--workers", "0"), ("report", S, "--executor", "nosuch", "--seeds", "1"),
    ("report", S, "--executor", "dask", "--seeds", "1"),
    ("report", S, "--set", "x=1", "--seeds", "1"), ("report", "{bad}"),
    # cases
    ("cases", "nosuch"), ("cases", "--seeds", "0"), ("cases", "--workers", "0"),
    ("cases", "{bad}"), ("cases", "--seeds", "x"),
    # validate
    ("validate",), ("validate", "nosuch"), ("validate", "{dir}"), ("validate", "/dev/zero"),
    ("validate", "{bad}"), ("validate", "{file}"), ("validate", "{binary}"),
    ("validate", "{fifo}"),
    # schema
    ("schema", "--out", ""), ("schema", "--out", "{dir}"), ("schema", "--out", "/proc/x"),
    ("schema", "extra"), ("schema", "--out"),
    # describe
    ("describe",), ("describe", "nosuch"), ("describe", "{bad}"), ("describe", S, "extra"),
    # plot
    ("plot", S), ("plot", S, "--kind", "nosuch", "--out", "{tmp}/x.png"),
    ("plot", S, "--kind", "timeline", "--out", "{tmp}/x.txt"),
    ("plot", S, "--kind", "sweep", "--out", "{tmp}/x.png"),
    ("plot", "{dir}", "--kind", "timeline", "--out", "{tmp}/x.png"),
    ("plot", "{full}", "--kind", "timeline", "--out", "{tmp}/x.png"),
    ("plot", "{tmp}/missing", "--kind", "timeline", "--out", "{tmp}/x.png"),
    ("plot", S, "--kind", "compare", "--out", "{tmp}/x.png"),
    ("plot", S, "--kind", "history", "--out", "{tmp}/x.png", "--days", "5", "--seeds", "2"),
    ("plot", S, "--kind", "timeline", "--out", "/dev/null"),
    ("plot", S, "--kind", "timeline", "--seeds", "0", "--out", "{tmp}/x.png"),
    ("plot", S, "--kind", "compare", "--against", "nosuch", "--out", "{tmp}/x.png"),
    # analyze
    ("analyze",), ("analyze", "{dir}"), ("analyze", "{tmp}/missing"),
    ("analyze", "{dir}", "--method", "nosuch"), ("analyze", "{file}"),
    # scenarios and init
    ("scenarios", "extra"), ("scenarios", "--bogus"), ("init",), ("init", "{file}"),
    ("init", "/proc/parley"), ("init", "{tmp}/new", "--bogus"),
    # app (none of these may start a server)
    ("app", "--port", "0"), ("app", "--port", "70000"), ("app", "--port", "x"),
    ("app", "--scenario", "nosuch"), ("app", "--bogus"), ("app", "extra"),
    # play (standard input is empty)
    ("play", S), ("play", S, "--seat", "king"), ("play", S, "--seat", "government", "--days", "0"),
    ("play", S, "--seat", "government", "--seeds", "0"), ("play", "nosuch", "--seat", "mediator"),
    ("play", S, "--seat", "government", "--set", "x=1"), ("play", "{bad}", "--seat", "mediator"),
    # sweep
    ("sweep", "nosuch"), ("sweep", "run"), ("sweep", "run", S),
    ("sweep", "run", S, "--out", "{tmp}/o"),
    ("sweep", "run", S, "--vary", "insurgent.patience", "--out", "{tmp}/o"),
    ("sweep", "run", S, "--vary", "insurgent.patience=a,b", "--out", "{tmp}/o"),
    ("sweep", "run", S, "--vary", "nosuch.path=1,2", "--out", "{tmp}/o"),
    ("sweep", "run", S, "--vary", "insurgent.patience=1..0/3", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--replicates", "0", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--replicates", "2", "--design", "nosuch", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--replicates", "2", "--keep", "nosuch", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--lever", "mediator.leverage", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--executor", "nosuch", "--out", "{tmp}/o"),
    ("sweep", "run", S, *V, "--out", "{file}"), ("sweep", "run", S, *V, "--out", "/proc/x"),
    ("sweep", "run", SWEEP, *V, "--out", "{tmp}/o"),
    ("sweep", "run", SWEEP, "--samples", "-3", "--out", "{tmp}/o"),
    ("sweep", "run", "{bad}", "--out", "{tmp}/o"),
    ("sweep", "status"), ("sweep", "status", "{dir}"), ("sweep", "status", "{tmp}/missing"),
    ("sweep", "status", "{file}"), ("sweep", "export", "{dir}"),
    ("sweep", "export", "{dir}", "--format", "xlsx"), ("sweep", "export", "{full}"),
]
BARE = [(), ("sweep",)]  # a bare command shows its help, with exit code 2


@pytest.fixture
def places(tmp_path) -> dict[str, str]:
    import os

    (tmp_path / "a_file.txt").write_text("not a scenario\n", encoding="utf-8")
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("meta: {name: [\n", encoding="utf-8")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 8)
    os.mkfifo(tmp_path / "fifo")
    return {"tmp": str(tmp_path), "file": str(tmp_path / "a_file.txt"),
            "dir": str(tmp_path / "a_dir"), "full": str(tmp_path / "full"),
            "bad": str(tmp_path / "bad.yaml"), "binary": str(tmp_path / "binary.csv"),
            "fifo": str(tmp_path / "fifo")}


def _timeout(signum, frame):
    raise TimeoutError(f"a command line ran past {LIMIT} s")


def parley_main(args: list[str], cwd: Path) -> tuple[int, str, str, float]:
    """``parley ARGS`` through :func:`main` in this process: exit code, stdout, stderr, time."""
    runner = CliRunner()
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(LIMIT)
    start = time.monotonic()
    try:
        with runner.isolation(input="") as (stdout, stderr, _), pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            try:
                main(args)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue(), stderr.getvalue()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.decode(errors="replace"), err.decode(errors="replace"), \
        time.monotonic() - start


def test_the_table_covers_every_command_with_at_least_80_lines():
    assert len(LINES) >= 80
    commands = {line[0] for line in LINES} | {" ".join(line[:2]) for line in LINES
                                               if line[0] == "sweep"}
    assert commands >= {"run", "report", "cases", "validate", "schema", "describe", "plot",
                        "analyze", "scenarios", "init", "app", "play", "sweep run",
                        "sweep status", "sweep export"}


@pytest.mark.parametrize("line", LINES, ids=[" ".join(line)[:60] for line in LINES])
def test_a_bad_command_line_gets_one_message(line, places, tmp_path):
    args = [a.format(**places) for a in line]
    code, stdout, stderr, took = parley_main(args, tmp_path)
    assert code in (0, 2), (code, stdout[-500:], stderr[-2000:])
    assert "Traceback" not in stdout + stderr
    if code == 2:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert len(lines[0]) < 600
    assert took < LIMIT


@pytest.mark.parametrize("line", BARE, ids=["parley", "parley sweep"])
def test_a_bare_command_shows_its_help(line, tmp_path):
    code, stdout, stderr, _ = parley_main(list(line), tmp_path)
    assert code == 2 and "Usage: parley" in stdout + stderr and "Traceback" not in stderr
