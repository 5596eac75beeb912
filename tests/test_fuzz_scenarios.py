"""Fuzzed scenario files: each is run or refused, with one line per problem, quickly.

Mutations of the shipped scenarios, drawn from a seeded generator so that every run of the
suite tries the same files: keys deleted, renamed and mistyped; values out of range, NaN,
huge, negative or of the wrong kind; names holding Rich markup or matplotlib mathtext; text
truncated or sprinkled with garbage bytes; anchors, aliases, alias bombs and deep nesting;
bad and long timelines and ``set:`` targets; bad ``extends:``, pool CSVs and dates. One to three
mutations make a case.

Each case goes through ``parley validate``, ``parley run --days 20`` and, when it is valid,
``parley run`` for the scenario's own days (most shipped timelines reach past day 20, so
``--days 20`` alone would refuse nearly every run), in this process with Typer's runner. Each
command must end with exit code 0 or 2, print no traceback, print only ``error:`` lines on
stderr, and finish within :data:`LIMIT` seconds.
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, SCENARIOS
from typer.testing import CliRunner

from sim.errors import ParleyError
from sim.ui.cli import app

SEED = 12
CASES_PER_FILE = 110
LIMIT = 20.0  # seconds a command may take; the slowest valid case takes about one
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))

# Values to put where they do not belong.
WRONG_KINDS = [True, False, None, "lots", "0.9", "yes", [1, 2], {"a": 1}, "", 3.5, "2020-13-45",
               "[/]", "1e999", [], {}]
OUT_OF_RANGE = [-1, -1e9, 0, 1e12, 10**30, 1e308, 5_000_000, 36_501, 2**63, -(2**63), 0.5, 1]
NON_FINITE = [math.nan, math.inf, -math.inf]
NAMES = ["[/]", "[bold]x", "$\\frac{$", "a$b$c", ":smile:", "\\", "[link=http://x]y[/link]",
         "x" * 100, "_hidden", "[red]", "$$", "\\[", "%s%d{}"]
DATES = ["9999-12-25", "0001-01-01", "2020-02-30", 20200101, "9999-12-31", "1969-12-31"]
SHOCKS = [
    {"day": 100_000, "kind": "decree"},
    {"day": -1, "kind": "decree"},
    {"day": 3, "kind": "coup"},
    {"day": 3, "set": {"government": {"oath": False}}},
    {"day": 3, "set": {"insurgent.patiense": 2}},
    {"day": 3, "set": {"insurgent.patience": -2}},
    {"day": 3, "set": {"insurgent.patience": math.nan}},
    {"day": 3, "set": {"run.days": 5}},
    {"day": 3, "set": {"meta.name": "x"}},
    {"day": 3, "set": {"agreement.ratio": 2}},
    {"day": 3, "set": {"government.aspiration_min": 0.99}},
    {"day": 3, "set": "government.oath=false"},
    {"day": 3, "pressure": {"mediator": math.inf}},
    {"day": 3, "pressure": {"mediator": 11}},
    {"day": 3, "label": "[/]$\\frac{$"},
    {"day": 3, "nonsense": 1},
    5,
    "a shock",
    [],
]
GARBAGE = [b"\x00", b"\x07", b"\x1b[31m", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\r", b"\t",
           b"\x7f", b"\xc2\x9b", b"\xef\xbb\xbf", b"\\x00"]
ALIASES = [
    "\nanchored: &a {x: 1}\nagain: *a\n",
    "\nloop: &a [*a]\n",
    "\nmeta: &m\n  name: x\nmeta2: *m\n",
    "\nlol1: &l1 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(2, 9)),
    "\ndeep: " + "[" * 600 + "]" * 600 + "\n",
    "\ndeep:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "v\n",
    "\nx: !!python/object:os.system echo\n",
    "\nx: !!binary aGVsbG8=\n",
    "\nx: !!set {a, b}\n",
    "\n<<: {meta: {name: merged}}\n",
    "\nundefined: *nowhere\n",
]

# Raw YAML put in place of a value, as a person might type it.
RAW = ["2020-02-30", "0000-01-01", "9" * 5000, "1e999", ".NaN", "-.inf", "0x", "0o9",
       "!!int x", "!!float x", "!!timestamp 2020-01-01 25:00", "?", "*x", "&x", "|", ">",
       '"\\x"', "'unterminated", "{", "[", "@", "`", "1:60:60", "!", "!!str", "- a", "~",
       "Yes", "0b101", "1_000", "+.5", "-0", "2020-01-01T10:00:00", "12:30:00", "=", "<<",
       "[.nan]", "{a: .inf}", "99999999999999999999999", "-1e-400", '"\\u202e"', '"\\ud800"',
       '"\\e[2J"', '"a\\0b"', "1e6", "-1e6", "0.1e-1000", "2020-1-1", "9999-12-31"]
# Keys no section has, of every kind YAML allows.
KEYS = ["1: x", "~: 1", "[a, b]: 1", "? {a: 1}\n: 2", "yes: 1", "2020-01-01: x", "'': 1",
        '"a\\x07": 1', "<<: 5", "<<: [1]", "<<: {meta: 3}", "? [x]\n: y", "1.5: x"]
# Values for --set, and paths to put them at.
SET_PATHS = ["insurgent.patience", "run.days", "run.seed", "meta.start_date", "meta.name",
             "government.oath", "pools.government_holds.rank_shares", "agreement.batch_cap",
             "pools.government_holds.csv", "meta.pattern.walkout_days", "timeline",
             "insurgent", "insurgent.patience.x", "nope", "", "."]

Mutation = Callable[[np.random.Generator, dict], dict | bytes]


def _paths(node, prefix: tuple = ()) -> list[tuple]:
    """Every key path and list item below ``node``."""
    out = []
    items = (node.items() if isinstance(node, dict)
             else enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def _pick(rng: np.random.Generator, options: list):
    return options[int(rng.integers(len(options)))]


def _parent(data: dict, path: tuple):
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


def _set(data: dict, path: tuple, value) -> None:
    node = data
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


def delete_key(rng, data):
    paths = _paths(data)
    if paths:
        path = _pick(rng, paths)
        del _parent(data, path)[path[-1]]
    return data


def rename_key(rng, data):
    paths = [p for p in _paths(data) if isinstance(p[-1], str)]
    if paths:
        path = _pick(rng, paths)
        parent = _parent(data, path)
        key = path[-1]
        i = int(rng.integers(len(key) + 1))
        typo = _pick(rng, [key[:i] + key[i + 1:], key[:i] + "x" + key[i:], key.upper(),
                           key + " ", key.replace("_", "-")])
        parent[typo] = parent.pop(key)
    return data


def mistype(rng, data):
    path = _pick(rng, _paths(data) or [("meta",)])
    _set(data, path, copy.deepcopy(_pick(rng, WRONG_KINDS)))
    return data


def _numeric_paths(data) -> list[tuple]:
    out = []
    for path in _paths(data):
        value = _parent(data, path)[path[-1]]
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(path)
    return out


def _numeric_path(rng, data) -> tuple:
    return _pick(rng, _numeric_paths(data) or [("insurgent", "patience")])


def out_of_range(rng, data):
    _set(data, _numeric_path(rng, data), _pick(rng, OUT_OF_RANGE))
    return data


def non_finite(rng, data):
    _set(data, _numeric_path(rng, data), _pick(rng, NON_FINITE))
    return data


def negative(rng, data):
    paths = _numeric_paths(data)
    if paths:
        path = _pick(rng, paths)
        _set(data, path, -abs(_parent(data, path)[path[-1]]) - 1)
    return data


def bad_name(rng, data):
    path = _pick(rng, [("meta", "name"), ("meta", "sides", "government"),
                       ("meta", "sides", "insurgent"), ("meta", "sides", "mediator"),
                       ("meta", "description")])
    _set(data, path, _pick(rng, NAMES))
    return data


def bad_shock(rng, data):
    timeline = data.get("timeline")
    if not isinstance(timeline, list):
        timeline = data["timeline"] = []
    timeline.insert(int(rng.integers(len(timeline) + 1)), copy.deepcopy(_pick(rng, SHOCKS)))
    return data


def bad_timeline(rng, data):
    data["timeline"] = _pick(rng, ["not a list", {"day": 3}, 7, None, [[]], [{"day": "x"}]])
    return data


def bad_extends(rng, data):
    data["extends"] = _pick(rng, ["missing.yaml", ".", "/dev/zero", "/dev/urandom", "fifo.yaml",
                                  "a" * 300 + ".yaml", 5, ["a.yaml"], "", "loop.yaml",
                                  "/etc", "binary.yaml", "/proc/self/status", "a\x00b"])
    return data


def bad_pool_csv(rng, data):
    section = _pick(rng, ["government_holds", "insurgent_holds"])
    _set(data, ("pools", section, "csv"),
         _pick(rng, ["garbage.csv", "binary.csv", "pool_100.csv", "pool_bad_values.csv",
                     "empty.csv", "/dev/zero", "fifo.yaml", ".", "missing.csv",
                     "pool_none_listed.csv"]))
    return data


def bad_date(rng, data):
    _set(data, ("meta", "start_date"), _pick(rng, DATES))
    return data


def bad_reference(rng, data):
    _set(data, ("meta", "reference_data"),
         _pick(rng, ["/dev/zero", ".", "binary.csv", "garbage.csv", "missing.csv", 5]))
    return data


def bad_range(rng, data):
    _set(data, ("meta", "pattern", _pick(rng, ["walkout_days", "release_size"])),
         _pick(rng, [[43, 33], [-5, 10], [1], [1, 2, 3], [math.nan, 2], "1-2", [True, 3]]))
    return data


def bad_shape(rng, data):
    section = _pick(rng, list(data) or ["meta"])
    data[section] = _pick(rng, [7, "text", [1, 2], None, True])
    return data


def long_timeline(rng, data):
    data["timeline"] = [{"day": i % 20, "set": {"insurgent.patience": 1 + i % 5}}
                        for i in range(_pick(rng, [999, 1000, 1001, 3000]))]
    return data


STRUCTURE: list[Mutation] = [delete_key, rename_key, mistype, out_of_range, non_finite,
                             negative, bad_name, bad_shock, bad_timeline, bad_extends,
                             bad_pool_csv, bad_date, bad_reference, bad_range, bad_shape]
RARE = 0.02  # share of mutations that make a long timeline: each such case takes seconds


def truncate(rng, text: bytes) -> bytes:
    return text[:int(rng.integers(len(text) + 1))]


def garbage(rng, text: bytes) -> bytes:
    at = int(rng.integers(len(text) + 1))
    junk = (_pick(rng, GARBAGE) if rng.random() < 0.7
            else rng.integers(0, 256, int(rng.integers(1, 16))).astype(np.uint8).tobytes())
    return text[:at] + junk + text[at:]


def _lines(text: bytes) -> list[bytes]:
    return text.splitlines(keepends=True) or [b"\n"]


def duplicate_line(rng, text: bytes) -> bytes:
    lines = _lines(text)
    i = int(rng.integers(len(lines)))
    return b"".join([*lines[:i + 1], lines[i], *lines[i + 1:]])


def drop_line(rng, text: bytes) -> bytes:
    lines = _lines(text)
    del lines[int(rng.integers(len(lines)))]
    return b"".join(lines)


def shift_line(rng, text: bytes) -> bytes:
    lines = _lines(text)
    i = int(rng.integers(len(lines)))
    lines[i] = (b"   " + lines[i]) if rng.random() < 0.5 else lines[i].lstrip()
    return b"".join(lines)


def aliases(rng, text: bytes) -> bytes:
    return text + _pick(rng, ALIASES).encode()


def raw_value(rng, text: bytes) -> bytes:
    lines = _lines(text)
    valued = [i for i, line in enumerate(lines)
              if b": " in line and not line.strip().endswith(b":")]
    if valued:
        i = _pick(rng, valued)
        key = lines[i].split(b": ", 1)[0]
        lines[i] = key + b": " + _pick(rng, RAW).encode() + b"\n"
    return b"".join(lines)


def odd_key(rng, text: bytes) -> bytes:
    lines = _lines(text)
    sections = [i for i, line in enumerate(lines) if line.rstrip().endswith(b":")]
    key = _pick(rng, KEYS).encode()
    if sections and rng.random() < 0.6:
        i = _pick(rng, sections)
        indent = len(lines[i]) - len(lines[i].lstrip()) + 2
        lines.insert(i + 1, b" " * indent + key.replace(b"\n", b"\n" + b" " * indent) + b"\n")
    else:
        lines.append(key + b"\n")
    return b"".join(lines)


def second_document(rng, text: bytes) -> bytes:
    return text + _pick(rng, [b"\n---\nrun: {days: 5}\n", b"\n...\n", b"\n--- 5\n"])


TEXT: list[Callable[[np.random.Generator, bytes], bytes]] = [
    truncate, garbage, duplicate_line, drop_line, shift_line, aliases, raw_value, odd_key,
    second_document]


def _dump(data) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def make_cases() -> list[tuple[str, bytes, tuple[str, ...]]]:
    """``(name, file content, --set items)`` of every case, the same on every run."""
    rng = np.random.default_rng(SEED)
    cases = []
    for source in SHIPPED:
        text = source.read_bytes()
        original = yaml.safe_load(text)
        for i in range(CASES_PER_FILE):
            data, content, names = copy.deepcopy(original), None, []
            for _ in range(int(rng.integers(1, 4))):
                if content is None and rng.random() < 0.6:
                    op = long_timeline if rng.random() < RARE else _pick(rng, STRUCTURE)
                    data = op(rng, data)
                else:
                    op = _pick(rng, TEXT)
                    content = op(rng, _dump(data) if content is None else content)
                names.append(op.__name__)
            sets: tuple[str, ...] = ()
            if rng.random() < 0.3:
                sets = tuple(f"--set={_pick(rng, SET_PATHS)}={_pick(rng, RAW)}"
                             for _ in range(int(rng.integers(1, 3))))
                names.append("set")
            cases.append((f"{source.stem}-{i:03d}-{'+'.join(names)}",
                          _dump(data) if content is None else content, sets))
    return cases


CASES = make_cases()


def _write_pool(path: Path, rows: int, listed: int = 1, rank=1) -> None:
    lines = ["rank,age,health,sentence_days,listed,named"]
    lines += [f"{rank},30,0.8,100,{listed},0"] * rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A scenarios folder beside a data folder, as in the repository, with bad files to name."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "data", root / "data")
    here = root / "scenarios"
    here.mkdir()
    for source in SHIPPED:
        shutil.copy(source, here / source.name)
    os.mkfifo(here / "fifo.yaml")
    (here / "loop.yaml").write_text("extends: loop.yaml\n", encoding="utf-8")
    (here / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (here / "binary.csv").write_bytes(b"rank,age\x00\xff" + bytes(range(256)))
    (here / "garbage.csv").write_text('rank,"age\n1,2,3,4\n"x', encoding="utf-8")
    (here / "empty.csv").write_text("", encoding="utf-8")
    _write_pool(here / "pool_100.csv", 100)
    _write_pool(here / "pool_none_listed.csv", 5000, listed=0)
    _write_pool(here / "pool_bad_values.csv", 100, rank="1.5")
    for i, (_, content, _) in enumerate(CASES):
        (here / f"case_{i:04d}.yaml").write_bytes(content)
    return here


class Hang(Exception):
    """A command ran past its time limit."""


def _on_alarm(signum, frame):
    raise Hang


runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``parley ARGS`` in this process within :data:`LIMIT`; exit code, stdout, stderr.

    A domain error that escaped a command counts as ``parley`` itself counts it: its lines on
    stderr and exit code 2 (see :func:`sim.ui.cli.main`).
    """
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, LIMIT)
    start = time.monotonic()
    try:
        result = runner.invoke(app, list(args), catch_exceptions=True)
    except Hang:
        pytest.fail(f"parley {' '.join(args)} took more than {LIMIT} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    exc = result.exception
    if isinstance(exc, Hang):
        pytest.fail(f"parley {' '.join(args)} took more than {LIMIT} s")
    if isinstance(exc, ParleyError):
        return 2, result.stdout, "\n".join(f"error: {p}" for p in exc.problems)
    if exc is not None and not isinstance(exc, SystemExit):
        trace = "".join(traceback.format_exception(*result.exc_info))
        pytest.fail(f"parley {' '.join(args)} raised after {time.monotonic() - start:.1f} s:"
                    f"\n{trace}")
    return result.exit_code, result.stdout, result.stderr


def check(args: tuple[str, ...]) -> int:
    """Run one command; it must end cleanly: 0, or 2 with one ``error:`` line per problem."""
    code, stdout, stderr = invoke(*args)
    assert code in (0, 2), (args, code, stderr[-2000:])
    assert "Traceback" not in stdout and "Traceback" not in stderr, (args, stderr[-2000:])
    if code == 2:
        lines = stderr.strip().splitlines()
        assert lines, args
        for line in lines:
            assert line.startswith("error: "), (args, line[:300])
            assert len(line) < 2000, (args, line[:300])
    return code


def test_there_are_at_least_500_cases():
    assert len(CASES) >= 500
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[name for name, _, _ in CASES])
def test_a_fuzzed_file_is_run_or_refused(folder, index):
    path = str(folder / f"case_{index:04d}.yaml")
    valid = check(("validate", path)) == 0
    check(("run", path, "--days", "20"))
    if valid:
        assert check(("run", path, "--no-narrative")) == 0, "valid, but its run was refused"
    sets = CASES[index][2]
    if sets:
        check(("run", path, "--days", "20", "--no-narrative", *sets))
