"""A sweep's folder: its manifest, Parquet part files written as chunks finish, and reading them.

``manifest.json`` says what the sweep is (spec, base scenario, counts, versions, the flags that
overrode the sweep file); ``points.parquet`` holds each point's values; ``parts/`` holds one
``runs-NNNNNN.parquet`` a chunk (written last, so its presence marks the chunk done) and, as
kept, ``series-`` and ``events-`` files. Every file is written whole or not at all.

The runs table gives every summary field the dtype of its kind in the output registry
(:data:`sim.outputs.SUMMARY`), made nullable because a failed run has no summary: an optional
day is ``Int64``, a flag ``boolean``, a name ``string``.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import __version__
from sim.errors import Problem
from sim.sweep.spec import SweepError

if TYPE_CHECKING:
    from sim.outputs import Kind
    from sim.sweep.design import Plan

MANIFEST = "manifest.json"
PARTS = "parts"
TABLES = ("runs", "series", "events")
EVENT_COLUMNS = ["day", "actor", "kind", "sentence", "details"]
"""The events' columns kept in a sweep (no dates: the base's start date is in the manifest)."""

ID_DTYPES = {"run_id": "int64", "point_id": "int64", "replicate": "int64", "seed": "int64"}
"""The columns that name a run; never missing."""

NULLABLE = {"int64": "Int64", "bool": "boolean"}


def summary_dtype(kind: Kind) -> str:
    """The dtype of a summary field in a runs table: its kind's, nullable."""
    return NULLABLE.get(kind.pandas_dtype, kind.pandas_dtype)


def runs_frame(rows: list[dict]):
    """The runs rows of a chunk as a table with a fixed column order and registry dtypes.

    The columns are the run's ids, its point's ``param:`` values (as given), ``status``,
    ``error`` and every summary field; a field a chunk's runs all lack (they failed) is
    missing in every row.
    """
    import pandas as pd

    from sim.outputs import SUMMARY

    frame = pd.DataFrame(rows)
    params = [c for c in frame.columns if c.startswith("param:")]
    dtypes = {**ID_DTYPES, "status": "string", "error": "string",
              **{f.name: summary_dtype(f.kind) for f in SUMMARY if f.name not in ID_DTYPES}}
    columns = {name: frame[name] for name in params}
    for name, dtype in dtypes.items():
        columns[name] = (frame[name].astype(dtype) if name in frame
                         else pd.Series(None, index=frame.index, dtype=object).astype(dtype))
    order = [*ID_DTYPES, *params, *(n for n in dtypes if n not in ID_DTYPES)]
    return pd.DataFrame({name: columns[name] for name in order})


def outcome_columns(runs) -> list[str]:
    """The columns of a runs table that hold a numeric or 0/1 outcome (no ids, no points)."""
    return [str(c) for c in runs.columns if runs[c].dtype.kind in "biuf"
            and not str(c).startswith("param:") and c not in ID_DTYPES]


def write_atomic(frame, path: Path) -> None:
    """Write a table as CSV or (any other suffix) Parquet; readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    if path.suffix == ".csv":
        frame.to_csv(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def save_chunk(out: Path, chunk: int, result: dict) -> tuple[int, int]:
    """Write a chunk's part files; returns how many of its runs are ok and how many failed."""
    import pandas as pd

    parts = out / PARTS
    if result["series"]:
        frame = pd.concat([pd.DataFrame(s) for s in result["series"]], ignore_index=True)
        write_atomic(frame, parts / f"series-{chunk:06d}.parquet")
    if result["events"]:
        frame = pd.concat(result["events"], ignore_index=True)
        write_atomic(frame, parts / f"events-{chunk:06d}.parquet")
    runs = runs_frame(result["runs"])
    # The runs file is written last: its presence marks the chunk done.
    write_atomic(runs, parts / f"runs-{chunk:06d}.parquet")
    failed = int((runs["status"] == "failed").sum())
    return len(runs) - failed, failed


def done_chunks(out: Path) -> set[int]:
    """Chunks whose runs file exists."""
    return {int(f.stem.split("-")[1]) for f in (out / PARTS).glob("runs-*.parquet")}


def _only_preparation(out: Path) -> bool:
    """Whether a folder without a manifest holds only what preparing a sweep writes first.

    A sweep killed while preparing its folder leaves ``parts/`` (with no finished chunk),
    perhaps ``points.parquet`` and temporary files: the same command may then start over.
    """
    for entry in out.iterdir():
        if entry.name == PARTS and entry.is_dir():
            if any(not f.name.startswith(".") for f in entry.iterdir()):
                return False
        elif entry.name != "points.parquet" and not (entry.name.startswith(".")
                                                     and entry.name.endswith(".tmp")):
            return False
    return True


def existing_manifest(out: Path) -> dict | None:
    """The manifest of the sweep in ``out``, or None for a new (or half-prepared) folder.

    Raises:
        SweepError: when ``out`` holds something else: files that are no sweep's.
    """
    path = out / MANIFEST
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    if out.exists() and not _only_preparation(out):
        raise SweepError([Problem(str(out), "out", "exists, is not empty and holds no sweep",
                                  "a new or empty folder")])
    return None


def check_identity(out: Path, manifest: dict, identity: str) -> None:
    """Refuse to resume a folder made by another sweep.

    Raises:
        SweepError: when the manifest's identity is not ``identity``.
    """
    if manifest.get("identity") != identity:
        raise SweepError([Problem(
            str(out), "manifest", f"was made by a different sweep (identity "
            f"{manifest.get('identity')}, this one {identity}); results would mix",
            "the same spec to resume, or a new --out (or delete the folder) to start "
            "afresh")])


def prepare(p: Plan, out: Path, flags: dict[str, Any]) -> None:
    """Make the folder ready for chunks: ``parts/`` without torn files, points and manifest.

    Args:
        p: the sweep.
        out: its folder (new, half-prepared, or holding this sweep).
        flags: command-line flags that overrode the sweep file, recorded in a new manifest.
    """
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob(".*.tmp"), *(out / PARTS).glob(".*.tmp")]:
        stale.unlink()  # torn writes of an interrupted sweep
    manifest_path = out / MANIFEST
    if manifest_path.exists():
        return
    from importlib.metadata import version

    import numpy as np
    import pandas as pd

    manifest = {
        "identity": p.identity(),
        "spec": p.spec.model_dump(mode="json"),
        "flags": flags,
        "base": p.base_data,
        "master_seed": p.spec.master_seed,
        "n_points": len(p.points),
        "n_runs": p.n_runs,
        "chunk_size": p.chunk_size,
        "n_chunks": p.n_chunks,
        "days": p.days,
        "versions": {"parley": __version__, "mesa": version("mesa"),
                     "numpy": np.__version__, "python": platform.python_version()},
    }
    points = pd.DataFrame([{"point_id": i, **{f"param:{k}": v for k, v in pt.items()}}
                           for i, pt in enumerate(p.points)])
    write_atomic(points, out / "points.parquet")
    tmp = manifest_path.with_name(".manifest.json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, manifest_path)


# Reading a sweep back


@dataclass
class SweepData:
    """A sweep's results as pandas DataFrames, in run order (``None`` for a table not loaded)."""

    manifest: dict
    points: Any
    runs: Any
    series: Any
    events: Any


def read_parts(out: Path, stem: str):
    """One table of every part file, in run order (and day order for series)."""
    import pandas as pd

    files = sorted((out / PARTS).glob(f"{stem}-*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    keys = ["run_id", "day"] if stem == "series" else ["run_id"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def read_manifest(out: str | Path) -> dict:
    """The manifest of a sweep folder.

    Raises:
        SweepError: when the folder holds no sweep.
    """
    path = Path(out) / MANIFEST
    if not path.exists():
        raise SweepError([Problem(str(out), "manifest", "no sweep here (manifest.json missing)",
                                  "a folder written by parley sweep run")])
    return json.loads(path.read_text(encoding="utf-8"))


def load(out: str | Path, tables: Iterable[str] = TABLES) -> SweepData:
    """Load a sweep folder: ``runs``, ``series`` and ``events`` DataFrames (and points).

    Args:
        out: the sweep folder.
        tables: which of ``runs``, ``series`` and ``events`` to read; the others are ``None``
            (the series and events of a large sweep are far bigger than its runs).

    Raises:
        SweepError: when the folder holds no sweep.
    """
    import pandas as pd

    out = Path(out)
    manifest = read_manifest(out)
    wanted = set(tables)
    parts = {name: read_parts(out, name) if name in wanted else None for name in TABLES}
    return SweepData(manifest, pd.read_parquet(out / "points.parquet"), **parts)


def status(out: str | Path) -> dict:
    """Counts of done, failed and missing runs.

    Raises:
        SweepError: when the folder holds no sweep.
    """
    out = Path(out)
    manifest = read_manifest(out)
    runs = read_parts(out, "runs")
    failed = int((runs["status"] == "failed").sum()) if len(runs) else 0
    return {"name": manifest["spec"]["name"], "total": manifest["n_runs"],
            "done": len(runs) - failed, "failed": failed,
            "missing": manifest["n_runs"] - len(runs),
            "chunks_missing": manifest["n_chunks"] - len(done_chunks(out))}


def export(out: str | Path, dest: str | Path | None = None, fmt: str = "csv") -> list[Path]:
    """Write points, runs, series and events as single CSV (or Parquet) files.

    Raises:
        SweepError: when the folder holds no sweep.
    """
    data = load(out)
    dest = Path(dest) if dest else Path(out) / "export"
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("points", "runs", "series", "events"):
        frame = getattr(data, name)
        if frame is None or len(frame) == 0:
            continue
        path = dest / f"{name}.{fmt}"
        write_atomic(frame, path)
        written.append(path)
    return written
