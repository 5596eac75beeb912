"""The building blocks of every schema section: a declared parameter and a cross-field rule."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def P(default: Any, unit: str, doc: str, **bounds: Any) -> Any:
    """Declare a parameter with its default, unit, one-line meaning and bounds."""
    return Field(default, description=doc, json_schema_extra={"unit": unit}, **bounds)


def rule(path: str, message: str, allowed: str) -> ValueError:
    """A broken cross-field rule: the field it concerns, what is wrong, what is allowed.

    ``path`` is relative to the model that checks the rule.
    """
    return ValueError(f"{path} :: {message} :: {allowed}")


class Frozen(BaseModel):
    """Base of every schema section: immutable, unknown keys forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

