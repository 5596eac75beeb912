"""Scenarios: schema, files, and what an override means.

The schema is in :mod:`.schema` and :mod:`.roles`; files and ``extends:`` in :mod:`.files`;
overrides in :mod:`.overrides`.
"""

from sim.scenario.base import Frozen, P, rule
from sim.scenario.files import deep_merge, load_scenario, read_yaml
from sim.scenario.overrides import (
    apply_overrides,
    field_at,
    parse_value,
    shock_regimes,
    with_overrides,
)
from sim.scenario.problems import problems_from_validation
from sim.scenario.roles import Conflict, Government, Insurgent, Mediator, Negotiator
from sim.scenario.schema import (
    SETTABLE_SECTIONS,
    Meta,
    PatternSpec,
    Pools,
    PoolSpec,
    PressureDelta,
    Run,
    Scenario,
    Shock,
    ShockKind,
    Sides,
    describe,
    json_schema,
)
from sim.scenario.terms import (
    Agreement,
    Category,
    ConditionSpec,
    Counting,
    Sequence,
    Side,
    TruceSpec,
)

__all__ = [
    "SETTABLE_SECTIONS",
    "Agreement",
    "Category",
    "ConditionSpec",
    "Conflict",
    "Counting",
    "Frozen",
    "Government",
    "Insurgent",
    "Mediator",
    "Meta",
    "Negotiator",
    "P",
    "PatternSpec",
    "PoolSpec",
    "Pools",
    "PressureDelta",
    "Run",
    "Scenario",
    "Sequence",
    "Shock",
    "ShockKind",
    "Side",
    "Sides",
    "TruceSpec",
    "apply_overrides",
    "deep_merge",
    "describe",
    "field_at",
    "json_schema",
    "load_scenario",
    "parse_value",
    "problems_from_validation",
    "read_yaml",
    "rule",
    "shock_regimes",
    "with_overrides",
]
