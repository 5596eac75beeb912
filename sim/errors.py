"""Domain errors with messages a user can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass

ECHO = 80
"""Most characters of a user's value echoed in a message (see :func:`shorten`)."""
_LONGEST = 500  # a file, field or message longer than this is cut even if no echo was
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def shorten(text: str, limit: int = ECHO) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so that an echo stays readable."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and what would be allowed."""

    file: str
    field: str
    message: str
    allowed: str
    line: int | None = None

    def __str__(self) -> str:
        file, field, message = (shorten(s, _LONGEST) for s in (self.file, self.field,
                                                                  self.message))
        where = f"{file}:{self.line}" if self.line else file
        field = f" {field}:" if field else ""
        text = f"{where}:{field} {message}; allowed: {self.allowed}"
        # One line, and nothing a terminal would act on or cannot print: shown escaped.
        return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class ParleyError(Exception):
    """Base of Parley's domain errors; holds one :class:`Problem` per fault."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(ParleyError):
    """A scenario (or an override of one) is invalid."""


class PoolDataError(ScenarioError):
    """A prisoner CSV named by a scenario is unreadable or malformed."""
