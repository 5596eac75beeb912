"""Domain errors with messages a user can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and what would be allowed."""

    file: str
    field: str
    message: str
    allowed: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}; allowed: {self.allowed}"


class ParleyError(Exception):
    """Base of Parley's domain errors; holds one :class:`Problem` per fault."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(ParleyError):
    """A scenario (or an override of one) is invalid."""


class PoolDataError(ScenarioError):
    """A prisoner CSV named by a scenario is unreadable or malformed."""
