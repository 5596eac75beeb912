"""Pydantic's validation errors as problems a person can act on: file, line, field, allowed."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem, shorten


def _fields_at(loc: tuple, root: type[BaseModel]) -> list[str]:
    """Valid field names of the section at ``loc`` below ``root`` (for suggestions)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        inner = getattr(ann, "__args__", None)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
            model = inner[0]
        else:
            return []
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _allowed(err: dict, loc: tuple, root: type[BaseModel]) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "extra_forbidden":
        names = _fields_at(loc[:-1], root)
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return hint + "known keys: " + ", ".join(names)
    bounds = []
    for key, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if key in ctx:
            bounds.append(f"{sym} {ctx[key]}")
    if bounds:
        return "a value " + " and ".join(bounds)
    if "expected" in ctx:
        return str(ctx["expected"])
    if kind == "finite_number":
        return "a finite number (not .nan or .inf)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return kind.replace("_parsing", "").replace("_type", "").replace("_", " ")
    return "see `parley describe` for the field's meaning and range"


def locate(origin: dict[tuple, tuple[str, int | None]], loc: tuple, default_file: str
           ) -> tuple[str, int | None]:
    """The file and line where the value at ``loc`` (or the nearest section around it) was set."""
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in origin:
            return origin[loc[:cut]]
    return default_file, None


def problems_from_validation(exc: ValidationError, origin: dict[tuple, tuple[str, int]],
                             default_file: str, root: type[BaseModel]) -> list[Problem]:
    """Turn pydantic errors into one :class:`Problem` per error, with file and line.

    Args:
        exc: the error pydantic raised while validating ``root``.
        origin: where each key path was set, as ``(file, line)``.
        default_file: the file to name for a path ``origin`` does not know.
        root: the model that was validated (its field names make the suggestions).
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        msg, allowed = err["msg"].removeprefix("Value error, "), None
        if " :: " in msg:  # a cross-field rule names its own field, relative to loc
            rel, msg, allowed = msg.split(" :: ", 2)
            loc = (*loc, *(int(p) if p.isdigit() else p for p in rel.split(".")))
        file, line = locate(origin, loc, default_file)
        path = ".".join(shorten(str(p), 40) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif "input" in err and err["type"] not in ("value_error", "assertion_error",
                                                     "missing"):  # missing: input is the parent
            msg = f"{msg} (got {shorten(repr(err['input']))})"
        problems.append(Problem(file, path, msg, allowed or _allowed(err, loc, root), line))
    return problems
