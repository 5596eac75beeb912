"""Run a scenario and write what it produced: series, events, summary, resolved scenario."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml

from sim import __version__
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


def load_run(out_dir: str | Path) -> RunResult:
    """Read back a run written by :func:`write_outputs` (Parquet or CSV).

    Raises:
        ScenarioError: when the folder holds no run.
    """
    import pandas as pd

    from sim.errors import Problem, ScenarioError
    from sim.events import Actor
    from sim.scenario import load_scenario

    out = Path(out_dir)
    fmt = next((f for f in FORMATS if (out / f"series.{f}").exists()), None)
    if fmt is None or not (out / "scenario.yaml").exists():
        raise ScenarioError([Problem(str(out), "run folder",
                                     "holds no run (series and scenario.yaml missing)",
                                     "a folder written by parley run --out")])
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
              f"# seed: {result.seed}\n# scenario_hash: {result.scenario.content_hash()}\n")
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_outputs(result: RunResult, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write series, events, summary and the resolved scenario into ``out_dir``, atomically.

    Everything is written into a temporary folder beside ``out_dir`` first and then moved in
    file by file with :func:`os.replace`, so an interrupted run leaves no half-written file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        series, events = result.series_frame(), result.events_frame()
        import pandas as pd

        summary = pd.DataFrame([result.summary])
        names = []
        for stem, frame in (("series", series), ("events", events), ("summary", summary)):
            name = f"{stem}.{fmt}"
            if fmt == "parquet":
                frame.to_parquet(tmp / name, index=False)
            else:
                frame.to_csv(tmp / name, index=False)
            names.append(name)
        (tmp / "scenario.yaml").write_text(resolved_scenario_yaml(result), encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps(result.summary, indent=2, default=str),
                                          encoding="utf-8")
        names += ["scenario.yaml", "summary.json"]
        out.mkdir(exist_ok=True)
        written = []
        for name in names:
            os.replace(tmp / name, out / name)
            written.append(out / name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
