"""The building blocks of every schema section: a declared parameter and a cross-field rule."""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import date
from typing import Any, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sim.files import CONTROL, control_name


def P(default: Any, unit: str, doc: str, **bounds: Any) -> Any:
    """Declare a parameter with its default, unit, one-line meaning and bounds."""
    return Field(default, description=doc, json_schema_extra={"unit": unit}, **bounds)


def rule(path: str, message: str, allowed: str) -> ValueError:
    """A broken cross-field rule: the field it concerns, what is wrong, what is allowed.

    ``path`` is relative to the model that checks the rule.
    """
    return ValueError(f"{path} :: {message} :: {allowed}")


_BOOLS = (bool, np.bool_)
_NOT_NUMBERS = (*_BOOLS, str, bytes)
Found = tuple[str, str, str] | None  # (error type, message, what is expected), or nothing wrong


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _bool(value: Any) -> Found:
    if isinstance(value, _BOOLS):
        return None
    return "bool_type", "Input should be true or false", "true or false"


def _number(kind: type) -> Callable[[Any], Found]:
    expected = "a whole number" if kind is int else "a number"

    def check(value: Any) -> Found:
        if not isinstance(value, _NOT_NUMBERS):
            return None
        if isinstance(value, str | bytes):
            hint = (" (YAML reads 1e6 as text: write 1.0e+6 or 1000000)"
                    if isinstance(value, str) and "e" in value.lower() and _is_number(value)
                    else "")
            return f"{kind.__name__}_type", "Input should be a number, not text", expected + hint
        return f"{kind.__name__}_type", "Input should be a number, not true or false", expected

    return check


def _date(value: Any) -> Found:
    if isinstance(value, int | float | np.number):
        return "date_type", "Input should be a date, not a number", "a date such as 2020-02-29"
    return None


def _text(value: Any) -> Found:
    if isinstance(value, bytes):
        return "string_type", "Input should be text", "text"
    bad = CONTROL.search(value) if isinstance(value, str) else None
    if bad:
        return "string_control", f"Input holds {control_name(bad.group())}", "printable text"
    return None


def _items(checks: list[Callable[[Any], Found] | None], repeated: bool
           ) -> Callable[[Any], Found]:
    def check(value: Any) -> Found:
        if not isinstance(value, list | tuple):
            return None
        for i, item in enumerate(value):
            each = checks[0] if repeated else checks[min(i, len(checks) - 1)]
            found = each(item) if each else None
            if found:
                return found[0], f"item {i + 1}: {found[1]}", found[2]
        return None

    return check


def _optional(inner: Callable[[Any], Found]) -> Callable[[Any], Found]:
    return lambda value: None if value is None else inner(value)


def kind_check(annotation: Any) -> Callable[[Any], Found] | None:
    """A check that a value is of the kind ``annotation`` declares, or None if none is needed.

    Pydantic's lax mode would turn ``true`` into 1, ``"0.9"`` into 0.9, ``1`` into true and
    a number into a date; a scenario means none of these. Ints for floats stay allowed, and
    so do text for dates and enums (YAML and ``--set`` give them as text). Text holds no
    control characters. Sections, enums and free mappings need no check here.
    """
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        inner = kind_check(options[0]) if len(options) == 1 else None
        return _optional(inner) if inner else None
    if origin in (tuple, list):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        checks = [kind_check(a) for a in args]
        repeated = origin is list or len(args) < len(get_args(annotation))
        return _items(checks, repeated) if any(checks) else None
    return {bool: _bool, int: _number(int), float: _number(float), date: _date,
            str: _text}.get(annotation)


# The check of each field, by (section, field), worked out once: it runs on every
# validation, and shock regimes validate a scenario per shock.
_CHECKS: dict[tuple[type, str], Callable[[Any], Found] | None] = {}


class Frozen(BaseModel):
    """Base of every schema section: immutable, unknown keys forbidden, types as declared.

    Numbers are finite, and no value is coerced into another kind (see :func:`kind_check`):
    a wrong value is refused, never silently read as something else.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True,
                              allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _as_declared(cls, value: Any, info: ValidationInfo) -> Any:
        key = (cls, info.field_name)
        if key not in _CHECKS:
            _CHECKS[key] = kind_check(cls.model_fields[info.field_name].annotation)
        check = _CHECKS[key]
        found = check(value) if check else None
        if found:
            kind, message, expected = found
            raise PydanticCustomError(kind, message, {"expected": expected})
        return value
