"""Drill-down: the runs behind a sweep's rows and cells, picked and run again.

A sweep stores each run's ids, seed and point, and its manifest the base scenario every run
got, so any run can be played again alone (:func:`rerun`) and told day by day. Its summary
must equal the stored row: :func:`differences` says where it does not (a sweep made by
another version of Parley, say).

Runs are picked by id, by a pandas query over the runs table (:func:`select`), and named as
examples of a plot's cells (:func:`examples`) so that a point on a plot leads to the run
behind it.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import Problem, shorten
from sim.sweep.spec import SweepError
from sim.sweep.store import ID_DTYPES, runs_frame

if TYPE_CHECKING:
    import pandas as pd

    from sim.runner import RunResult


def _column_hint(name: str, columns: list[str]) -> str:
    """``did you mean ...?`` for a name that is not a column, or nothing.

    A varied path without its ``param:`` prefix is matched too.
    """
    bare = {c.removeprefix("param:"): c for c in columns}
    bare |= {c.rsplit(".", 1)[-1]: c for c in columns if c.startswith("param:")}
    close = [name] if name in bare else difflib.get_close_matches(name, list(bare), n=1)
    if close:
        column = bare[close[0]]
        return (f"did you mean {column!r}? " if column.isidentifier()
                else f"did you mean `{column}` (in backticks)? ")
    return ""


def check_column(name: str, columns: list[str], flag: str, what: str = "column") -> None:
    """Refuse a name that is not one of ``columns``, with the nearest one.

    Raises:
        SweepError: naming ``flag``, the name, the nearest column and those allowed.
    """
    if name in columns:
        return
    close = difflib.get_close_matches(name, columns, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise SweepError([Problem(flag, flag.removeprefix("--"), f"unknown {what} {name!r}",
                              hint + ", ".join(columns))])


def select(runs: pd.DataFrame, *, run: int | None = None, where: str | None = None,
           sample: int | None = None, seed: int = 0) -> list[int]:
    """Run ids picked from a runs table: one id, or the first (or ``sample``) query matches.

    Args:
        runs: the sweep's runs table.
        run: a run id.
        where: a pandas query over the runs table (:meth:`pandas.DataFrame.query`); a column
            whose name is not an identifier goes in backticks (``param:a.b`` quoted).
        sample: pick this many matches at random (without replacement) instead of the first.
        seed: the seed of that random choice.

    Raises:
        SweepError: an unknown id, a query that cannot be read or names an unknown column,
            or one that matches no run.
    """
    import numpy as np

    if (run is None) == (where is None):
        raise SweepError([Problem("sweep show", "--run/--where", "needs exactly one of them",
                                  "--run ID, or --where QUERY")])
    if run is not None:
        if sample is not None:
            raise SweepError([Problem("--sample", "sample", "picks among --where matches",
                                      "--where QUERY --sample K")])
        if run not in set(runs["run_id"]):
            raise SweepError([Problem("--run", "run", f"no run {run} in this sweep",
                                      f"a run id from 0 to {int(runs['run_id'].max())}"
                                      if len(runs) else "a sweep with runs")])
        return [run]
    matched = _query(runs, where)
    if not len(matched):
        raise SweepError([Problem("--where", "where", f"{where!r} matches no run",
                                  f"a query some of the {len(runs)} runs meet")])
    ids = [int(i) for i in matched["run_id"]]
    if sample is None:
        return ids[:1]
    if sample < 1:
        raise SweepError([Problem("--sample", "sample", f"{sample} is below 1",
                                  "a number of runs, 1 or more")])
    picked = np.random.default_rng(seed).choice(len(ids), size=min(sample, len(ids)),
                                                replace=False)
    return sorted(ids[i] for i in picked)


def _query(runs: pd.DataFrame, where: str) -> pd.DataFrame:
    """The runs that meet ``where``, with every failure turned into one problem that says why.

    The query must give a true or false per run (a run where it gives nothing, from a missing
    value, does not match).
    """
    from pandas.api.types import is_bool_dtype
    from pandas.errors import UndefinedVariableError

    columns = [str(c) for c in runs.columns]
    try:
        mask = runs.eval(where, engine="python")
    except UndefinedVariableError as exc:
        found = re.search(r"'(.+?)'", str(exc))
        name = found.group(1) if found else str(exc)
        raise SweepError([Problem("--where", "where", f"{where!r} names no column {name!r}",
                                  _column_hint(name, columns) + "a column of the runs table: "
                                  + ", ".join(columns))]) from None
    except Exception as exc:  # pandas raises many kinds for a query it cannot read
        message = shorten(" ".join(str(exc).split()) or type(exc).__name__, 160)
        raise SweepError([Problem("--where", "where", f"{where!r} cannot be read: {message}",
                                  "a pandas query, e.g. \"pattern and gov_released > 100\" "
                                  "or \"`param:insurgent.patience` > 2\"")]) from None
    if not (hasattr(mask, "dtype") and getattr(mask, "ndim", 0) == 1
            and is_bool_dtype(mask.dtype)):
        raise SweepError([Problem("--where", "where", f"{where!r} is not a condition",
                                  "a condition true or false for each run, e.g. "
                                  "\"gov_released > 100\"")])
    return runs[mask.fillna(False).astype(bool)]


def rerun(manifest: dict, points: pd.DataFrame, runs: pd.DataFrame, run_id: int) -> RunResult:
    """Run one run of a sweep again alone: its point's values and its seed over the base.

    Args:
        manifest: the sweep's manifest (its ``base`` is the scenario every run got).
        points: the sweep's points table.
        runs: the sweep's runs table.
        run_id: the run.
    """
    from sim.runner import run
    from sim.sweep.design import point_scenario

    row = runs.loc[runs["run_id"] == run_id].iloc[0]
    point = point_of(points, int(row["point_id"]))
    return run(point_scenario(manifest["base"], point, int(row["seed"])))


def point_of(points: pd.DataFrame, point_id: int) -> dict[str, Any]:
    """A point's varied values by path, as plain Python values."""
    row = points.loc[points["point_id"] == point_id].iloc[0]
    return {c.removeprefix("param:"): _plain(row[c]) for c in points.columns
            if c.startswith("param:")}


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it came from (Parquet gives numpy back)."""
    return value.item() if hasattr(value, "item") else value


def differences(runs: pd.DataFrame, run_id: int, result: RunResult) -> list[str]:
    """The summary fields whose rerun value differs from the sweep's stored row.

    Both go through :func:`sim.sweep.store.runs_frame`, so they are compared with the same
    dtypes, bit for bit (two missing values are equal).
    """
    stored = runs.loc[runs["run_id"] == run_id].reset_index(drop=True)
    fresh = runs_frame([{**{k: stored[k].iloc[0] for k in ID_DTYPES},
                         **{c: stored[c].iloc[0] for c in stored.columns
                            if c.startswith("param:")},
                         "status": "ok", "error": "", **result.summary}])
    changed = []
    for name in fresh.columns:
        if name in ID_DTYPES or name.startswith("param:") or name in ("status", "error"):
            continue
        a, b = stored[name].iloc[0], fresh[name].iloc[0]
        if not _same(a, b):
            changed.append(f"{name}: sweep {a!r}, rerun {b!r}")
    return changed


def _same(a: Any, b: Any) -> bool:
    """Equal to the bit, two missing values included."""
    import pandas as pd

    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    if isinstance(a, float) or isinstance(b, float):
        import struct

        return struct.pack("<d", float(a)) == struct.pack("<d", float(b))
    return bool(a == b)


def examples(runs: pd.DataFrame, by: list[str], output: str, k: int) -> list[tuple[dict, list]]:
    """``k`` run ids for each cell of a plot, spread over the cell's range of ``output``.

    A cell's ok runs are sorted by ``output`` (then run id) and ``k`` are taken at evenly
    spaced ranks, lowest and highest included: a cell's examples show its spread, and for a
    0/1 outcome both kinds of run when the cell has both.

    Args:
        runs: the runs table (ok runs).
        by: the columns that make a cell (e.g. ``["param:insurgent.patience"]``); none: all
            the runs make one cell.
        output: the outcome the plot shows.
        k: run ids a cell.

    Returns:
        One ``(cell values by column, run ids)`` a cell, in the cells' order.
    """
    import numpy as np

    cells = []
    groups = runs.groupby(by, sort=True) if by else [((), runs)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        values = group[output].to_numpy(dtype=float, na_value=np.nan)
        order = np.lexsort((group["run_id"].to_numpy(), np.nan_to_num(values, nan=np.inf)))
        ranks = np.unique(np.round(np.linspace(0, len(order) - 1, min(k, len(order))))
                          .astype(int))
        ids = [int(group["run_id"].iloc[order[r]]) for r in ranks]
        cells.append(({c: _plain(v) for c, v in zip(by, key, strict=True)}, ids))
    return cells


def show_command(folder: str | Path, run_id: int) -> str:
    """The command that reruns one run of a sweep and tells it."""
    return f"parley sweep show {folder} --run {run_id}"
