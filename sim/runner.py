"""Run a scenario and write what it produced: series, events, summary, resolved scenario."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml

from sim import __version__
from sim.errors import Problem, ScenarioError, shorten
from sim.events import Event, EventKind, narrative
from sim.metrics import find_pattern
from sim.model import ParleyModel
from sim.outputs import PHASE_NAMES, SERIES, SERIES_COLUMNS, Kind, RunRecord, summarize
from sim.scenario import Scenario, with_overrides

FORMATS = ("parquet", "csv")


@dataclass
class RunResult:
    """Everything one run produced."""

    scenario: Scenario
    seed: int
    series: dict[str, np.ndarray]
    events: list[Event]
    summary: dict

    def narrative(self, kinds: set[EventKind] | None = None) -> list[str]:
        """The run told day by day."""
        return narrative(self.events, self.scenario.meta.start_date, kinds)

    def series_frame(self):
        """The daily series as a pandas DataFrame with dates and phase names."""
        import pandas as pd

        frame = pd.DataFrame(self.series)
        for column in SERIES:
            if column.kind is Kind.PHASE:
                frame[column.name] = [PHASE_NAMES[int(i)] for i in frame[column.name]]
            elif column.kind is not Kind.FLOAT:
                frame[column.name] = frame[column.name].astype(column.kind.pandas_dtype)
        start = self.scenario.meta.start_date
        frame.insert(1, "date", [start + timedelta(days=int(d)) for d in frame["day"]])
        return frame

    def events_frame(self):
        """The events as a pandas DataFrame (details as JSON text)."""
        import pandas as pd

        start = self.scenario.meta.start_date
        return pd.DataFrame({
            "day": [e.day for e in self.events],
            "date": [start + timedelta(days=e.day) for e in self.events],
            "actor": [str(e.actor) for e in self.events],
            "kind": [str(e.kind) for e in self.events],
            "details": [json.dumps(e.details, sort_keys=True) for e in self.events],
            "sentence": [e.sentence for e in self.events],
        })


def run(scenario: Scenario, seed: int | None = None, days: int | None = None) -> RunResult:
    """Run a scenario once.

    Args:
        scenario: a validated scenario.
        seed: overrides ``run.seed``.
        days: overrides ``run.days``.
    """
    if seed is not None or days is not None:
        scenario = with_overrides(scenario, {
            k: v for k, v in (("run.seed", seed), ("run.days", days)) if v is not None})
    return result_of(ParleyModel(scenario).run())


def result_of(model: ParleyModel) -> RunResult:
    """What a finished model produced; its summary names the seed, scenario and version."""
    series = model.columns()
    return RunResult(model.spec, model.seed, series, model.events,
                     summarize_model(model, series))


def summarize_model(model: ParleyModel, series: dict[str, np.ndarray]) -> dict:
    """The summary of a model (finished, or cut short), given its series so far."""
    pattern = find_pattern(model.events, model.spec, model.gov_pool)
    return summarize(RunRecord(model.seed, model.spec, __version__, model.events, series,
                               pattern))


RUN_FILE = "run.json"
"""The file of a run folder that names the run and the checksum of each of its other files."""
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:tmp|old)-(?P<pid>\d+)$")


def run_id(result: RunResult) -> str:
    """The run's identity: its scenario (by content), seed and Parley version, hashed."""
    key = f"{result.scenario.content_hash()}:{result.seed}:{__version__}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a run :func:`write_outputs` wrote (whole or not)."""
    return (folder / RUN_FILE).is_file() or (folder / "scenario.yaml").is_file()


def _not_a_run(out: Path, message: str) -> ScenarioError:
    return ScenarioError([Problem(str(out), "run folder", message,
                                  "a folder written whole by parley run --out")])


def check_run_folder(out_dir: str | Path) -> str:
    """Check that every file of a run folder belongs to the same run; return its format.

    Raises:
        ScenarioError: when the folder holds no run, or files of different runs (one file
            replaced by another run's, or changed after the run wrote it).
    """
    out = Path(out_dir)
    try:
        record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
        files, fmt, rid = dict(record["files"]), record["format"], record["run_id"]
    except FileNotFoundError:
        raise _not_a_run(out, f"holds no run ({RUN_FILE} missing)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _not_a_run(out, f"{RUN_FILE} cannot be read ({shorten(str(exc))})") from None
    expected = {f"{stem}.{fmt}" for stem in ("series", "events", "summary")} | {
        "scenario.yaml", "summary.json"}
    missing = sorted(expected - set(files)) + sorted(n for n in files if not (out / n).is_file())
    if fmt not in FORMATS or missing:
        raise _not_a_run(out, f"is not a whole run {rid}: {', '.join(missing) or fmt} missing")
    differ = [name for name, digest in files.items() if _sha256(out / name) != digest]
    if differ:
        raise _not_a_run(out, f"mixes runs: {', '.join(sorted(differ))} "
                         f"{'is' if len(differ) == 1 else 'are'} not the files run {rid} wrote")
    return fmt


def load_run(out_dir: str | Path) -> RunResult:
    """Read back a run written by :func:`write_outputs` (Parquet or CSV).

    Raises:
        ScenarioError: when the folder holds no run or files of different runs
            (:func:`check_run_folder`).
    """
    import pandas as pd

    from sim.events import Actor
    from sim.scenario import load_scenario

    out = Path(out_dir)
    fmt = check_run_folder(out)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    series_frame, events_frame = read(out / f"series.{fmt}"), read(out / f"events.{fmt}")
    scenario = load_scenario(out / "scenario.yaml")
    codes = {name: i for i, name in enumerate(PHASE_NAMES)}
    series = {c: (series_frame[c].map(codes) if c == "phase" else series_frame[c])
              .to_numpy(dtype=float) for c in SERIES_COLUMNS}
    events = [Event(int(r.day), Actor(r.actor), EventKind(r.kind), r.sentence,
                    json.loads(r.details)) for r in events_frame.itertuples()]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return RunResult(scenario, int(summary["seed"]), series, events, summary)


def resolved_scenario_yaml(result: RunResult) -> str:
    """The fully resolved scenario, with seed, version and hash, as YAML."""
    data = result.scenario.model_dump(mode="json")
    header = (f"# Resolved scenario written by parley {__version__}\n"
              f"# seed: {result.seed}\n# scenario_hash: {result.scenario.content_hash()}\n"
              f"# run_id: {run_id(result)}\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return pid != os.getpid()


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what killed runs into ``out`` left beside it (``.NAME.tmp-PID``, ``.NAME.old-PID``).

    A folder whose process still runs is left alone: it is that run's, being written.
    """
    removed = []
    for path in out.parent.glob(f".{glob.escape(out.name)}.*-*"):
        match = _TEMP.match(path.name)
        if match and match["name"] == out.name and not _alive(int(match["pid"])):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def write_outputs(result: RunResult, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write series, events, summary and the resolved scenario into ``out_dir``, whole or not.

    Everything is written into a temporary folder beside ``out_dir`` (``.NAME.tmp-PID``), with
    :data:`RUN_FILE` naming the run and the checksum of each file, and the folder is then
    renamed into place. A previous run in ``out_dir`` is renamed aside first and removed
    after, so a reader sees the old run whole, no folder, or the new run whole; never files
    of two runs. What a killed run left beside ``out_dir`` is removed first.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out = Path(out_dir).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _write_files(result, tmp, fmt)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(out.iterdir())


def _write_files(result: RunResult, folder: Path, fmt: str) -> None:
    import pandas as pd

    frames = {"series": result.series_frame(), "events": result.events_frame(),
              "summary": pd.DataFrame([result.summary])}
    for stem, frame in frames.items():
        if fmt == "parquet":
            frame.to_parquet(folder / f"{stem}.{fmt}", index=False)
        else:
            frame.to_csv(folder / f"{stem}.{fmt}", index=False)
    rid = run_id(result)
    (folder / "scenario.yaml").write_text(resolved_scenario_yaml(result), encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(result.summary, indent=2, default=str),
                                         encoding="utf-8")
    files = {p.name: _sha256(p) for p in sorted(folder.iterdir())}
    record = {"run_id": rid, "seed": result.seed, "scenario_hash":
              result.scenario.content_hash(), "version": __version__, "format": fmt,
              "files": files}
    (folder / RUN_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
