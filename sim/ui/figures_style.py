"""What every picture shares: colours, labels with units, "n = ..." and notes of what is pooled.

Colours are Okabe-Ito (colour-blind safe), each paired with its own line style, marker or
hatch, so that a picture still reads when printed in grey.
"""

from __future__ import annotations

import numpy as np

from sim.outputs import COLUMN, FIELD, Kind

BLUE, ORANGE, GREEN, VERMILION, PURPLE, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#7F7F7F")

STYLES = ((BLUE, "-", "o"), (ORANGE, "--", "s"), (GREEN, "-.", "^"), (PURPLE, ":", "D"),
          (VERMILION, (0, (5, 1, 1, 1)), "v"), (GREY, (0, (1, 1)), "x"))
"""(colour, line style, marker) of the first, second, ... line of a picture."""

def plain(text: str) -> str:
    """A user's text (a scenario or side name) shown as written, not read as mathtext."""
    return str(text).replace("$", r"\$")


def new_axes(ax):
    """``ax``, or the axes of a new figure of the usual size."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 4.8), layout="constrained")[1]


LONG = 45
"""A meaning longer than this is too long for an axis: the output's name stands for it."""


def output_label(name: str) -> str:
    """An axis label for an output: its meaning (or name, if long) and unit."""
    out = COLUMN.get(name) or FIELD.get(name)
    if out is None:
        return plain(name.replace("_", " "))
    text = out.meaning if len(out.meaning) <= LONG else name.replace("_", " ")
    return text if out.unit in ("1", "flag", "name") else f"{text} ({out.unit})"


def event_name(name: str) -> str:
    """What a day field waits for: ``the first walkout`` for ``first_walkout_day``."""
    out = FIELD.get(name)
    text = out.meaning if out is not None and len(out.meaning) <= LONG else name
    return plain(text.removeprefix("day of ").removeprefix("day ").replace("_", " "))


def output_unit(name: str) -> str:
    """The unit of an output ("" for a flag, a name or a plain number)."""
    out = COLUMN.get(name) or FIELD.get(name)
    return "" if out is None or out.unit in ("1", "flag", "name") else out.unit


def is_flag(name: str, values) -> bool:
    """Whether an outcome is a 0/1 flag: a boolean column, or a field the registry calls one."""
    import pandas as pd

    out = FIELD.get(name) or COLUMN.get(name)
    if out is not None and out.kind is Kind.BOOL:
        return True
    return bool(pd.api.types.is_bool_dtype(getattr(values, "dtype", np.asarray(values).dtype)))


def parameter_label(path: str) -> str:
    """An axis label for a scenario parameter: its dotted path and unit, if the schema has one.

    For example ``insurgent.patience (frustration)``.
    """
    from pydantic import BaseModel

    from sim.scenario import Scenario

    path = path.removeprefix("param:")
    model: type[BaseModel] | None = Scenario
    unit = ""
    for part in path.split("."):
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return plain(path)
        unit = str((field.json_schema_extra or {}).get("unit", ""))
        kind = field.annotation
        model = kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None
    return plain(path) if unit in ("", "1") else f"{plain(path)} ({unit})"


def runs_text(n: int, each: str = "") -> str:
    """``n = 120 runs`` (and what they are of, e.g. ``, 20 a point``)."""
    return f"n = {n:,} run{'s' if n != 1 else ''}{each}"


def pooled_note(runs, shown: list[str]) -> str:
    """The varied parameters a picture pools over ("" when it pools over none).

    Args:
        runs: a sweep's runs table.
        shown: the ``param:`` columns the picture shows (on an axis, by line or by panel).
    """
    pooled = []
    for col in runs.columns:
        if col.startswith("param:") and col not in shown and runs[col].nunique() > 1:
            levels = runs[col].nunique()
            pooled.append(f"{col.removeprefix('param:')} ({levels} values)")
    return "pooled over " + ", ".join(pooled) if pooled else ""


def title(ax, head: str, *notes: str) -> None:
    """A title of one bold line, then notes (n, pooling, what a band is) in small type."""
    lines = [n for n in notes if n]
    ax.set_title(head + ("\n" + "\n".join(lines) if lines else ""), fontsize=10, loc="left")
