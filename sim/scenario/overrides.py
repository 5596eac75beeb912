"""Parameter paths and what an override means.

**The one meaning of an override.** A value given from outside a scenario file (``--set`` on
the command line, a varied parameter of a sweep, a dashboard control) fixes that parameter
for the whole run: it becomes the scenario's value, and it also replaces the value that any
shock of the timeline would give the parameter later. The shock still happens, with its
label, its pressure and its other changes. :func:`apply_overrides` and :func:`with_overrides`
are the only ways Parley applies one.

A shock's own ``set:`` is different: it changes parameters from its day on, cumulatively, as
:func:`shock_regimes` works out once per scenario.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.errors import Problem, ScenarioError, shorten
from sim.files import yaml_value
from sim.scenario.problems import problems_from_validation
from sim.scenario.schema import SETTABLE_SECTIONS, Scenario

if TYPE_CHECKING:
    from sim.scenario.schema import Shock


def parse_value(text: str) -> Any:
    """A command-line value read as a scenario file is (``40`` → int, ``true`` → bool).

    Text that is not plain YAML (an alias, say) stays text, for the schema to refuse.
    """
    return yaml_value(text)


def _is_section(field: FieldInfo) -> bool:
    ann = field.annotation
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def field_at(path: str, source: str = "parameter path") -> FieldInfo:
    """The schema's parameter at a dotted path (e.g. ``"insurgent.patience"``).

    Args:
        path: the dotted path.
        source: where the path came from (``--set``, a file), named in errors.

    Raises:
        ScenarioError: for an unknown path, one that goes on past a value, or one that ends
            at a whole section rather than a parameter.
    """
    parts = path.split(".")
    model: Any = Scenario
    field = None
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            names = list(fields or [])
            close = difflib.get_close_matches(part, names, n=1)
            hint = f"did you mean {'.'.join((*parts[:i], close[0]))!r}? " if close else ""
            raise ScenarioError([Problem(source, shorten(path),
                                         f"unknown parameter path ({shorten(repr(part))})",
                                         hint + "known here: " + ", ".join(names))])
        field = fields[part]
        model = field.annotation if _is_section(field) else None
        if model is None and i < len(parts) - 1:
            raise ScenarioError([Problem(source, shorten(path),
                                         f"{shorten(repr(part))} is a value, not a section",
                                         "a path ending at a parameter")])
    if _is_section(field):
        names = list(field.annotation.model_fields)
        raise ScenarioError([Problem(source, path, "names a whole section, not a parameter",
                                     f"one parameter of it, e.g. {path}.{names[0]}")])
    return field


def _set(data: dict, path: str, value: Any, source: str) -> None:
    node = data
    for part in path.split(".")[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioError([Problem(source, path, "parent is not a mapping",
                                         "a path into a section")])
    node[path.rsplit(".", 1)[-1]] = value


def apply_overrides(data: dict, overrides: dict[str, Any], source: str) -> dict:
    """Raw scenario data with each override fixed for the whole run (see the module's text).

    Args:
        data: raw scenario data (as read from YAML or dumped from a scenario).
        overrides: values by dotted path.
        source: where the overrides came from, named in errors.

    Raises:
        ScenarioError: for a path that does not name a parameter.
    """
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        field_at(path, source)
        _set(out, path, value, source)
        timeline = out.get("timeline")
        for shock in timeline if isinstance(timeline, list) else ():
            changes = shock.get("set") if isinstance(shock, dict) else None
            if isinstance(changes, dict) and path in changes:
                changes[path] = copy.deepcopy(value)
    return out


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A validated copy of ``scenario`` with overrides fixed for the whole run.

    Raises:
        ScenarioError: for a path that names no parameter, or a value the scenario cannot
            take; a clash with another parameter is put on the override (see :func:`blame`).
    """
    base = scenario.model_dump(mode="json")

    def check(subset: dict[str, Any]) -> Scenario:
        data = apply_overrides(base, subset, "overrides")
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(problems_from_validation(exc, {}, "overrides",
                                                         Scenario)) from None

    try:
        return check(overrides)
    except ScenarioError as exc:
        problems = exc.problems
    raise ScenarioError(blame(problems, overrides, dict.fromkeys(overrides, "overrides"), check))


def blame(problems: list[Problem], overrides: dict[str, Any], labels: dict[str, str],
          check: Callable[[dict[str, Any]], object]) -> list[Problem]:
    """Problems, with each one that only the overrides cause put on the overrides.

    Such a problem names another field (``timeline.2.day`` when ``--days 30`` cuts the run
    short; ``government.unilateral_batch`` when a lower ``agreement.batch_cap`` is set), yet
    without the overrides there is nothing wrong with it: the override is what to change.
    Each is put on the overrides that cause it alone, or on all of them.

    Args:
        problems: what is wrong with the scenario with every override applied.
        overrides: values by dotted path.
        labels: how each override was given (``"--days 30"``), named as the problem's file.
        check: validates the scenario with a subset of the overrides applied, raising
            :class:`ScenarioError` if it is invalid.
    """

    def found(subset: dict[str, Any]) -> set[tuple[str, str]]:
        try:
            check(subset)
        except ScenarioError as exc:
            return {(p.field, p.message) for p in exc.problems}
        return set()

    own = found({})
    out = []
    for problem in problems:
        key = (problem.field, problem.message)
        if key in own or any(problem.field == k or problem.field.startswith(f"{k}.")
                             for k in overrides):
            out.append(problem)
            continue
        culprits = [k for k in overrides if key in found({k: overrides[k]})] or list(overrides)
        out.append(Problem(", ".join(dict.fromkeys(labels[k] for k in culprits)),
                           ", ".join(culprits),
                           f"clashes with {problem.field}: {problem.message}", problem.allowed))
    return out


def shock_regimes(scenario: Scenario, file: str = "timeline",
                  lines: dict[tuple, tuple[str, int]] | None = None
                  ) -> tuple[tuple[Shock, Scenario], ...]:
    """Each shock in the order a run applies it, with the scenario in effect once it happened.

    Shocks apply by day, then as listed. Changes apply cumulatively, so two changes valid
    alone but not together are caught here, when a scenario is loaded, rather than in the
    middle of a run.

    Args:
        scenario: a validated scenario.
        file: the file to name in errors.
        lines: where each key path was set, for the line of an error.

    Raises:
        ScenarioError: when a shock sets something a shock may not set, or leaves the scenario
            invalid.
    """
    lines = lines or {}
    problems = []
    current = scenario
    out = []
    timeline = scenario.timeline
    for i in sorted(range(len(timeline)), key=lambda k: timeline[k].day):
        shock = timeline[i]
        if shock.id is not None and shock.id in scenario.leave_out:
            continue
        line = lines.get(("timeline", i, "set"), (file, None))[1]
        changes = {}
        for path, value in shock.set.items():
            where = f"timeline.{i}.set.{path}"
            if path.split(".")[0] not in SETTABLE_SECTIONS:
                problems.append(Problem(file, where,
                                        "a shock can only change role or conflict parameters",
                                        "paths under " + ", ".join(SETTABLE_SECTIONS), line))
                continue
            try:
                field_at(path, file)
            except ScenarioError as exc:
                problems.extend(Problem(file, where, pr.message, pr.allowed, line)
                                for pr in exc.problems)
                continue
            changes[path] = value
        if changes:
            # Validated without the timeline and its leave_out, which no shock changes (a
            # regime holding its own copy of every shock made a long timeline cost time and
            # memory squared).
            # The regime is then put together from validated parts, sharing the timeline.
            data = current.model_dump(mode="json", exclude={"timeline", "leave_out"})
            for path, value in changes.items():
                _set(data, path, value, file)
            try:
                checked = Scenario.model_validate(data)
            except ValidationError as exc:
                problems.extend(Problem(file, f"timeline.{i}.set ({pr.field})",
                                        f"{pr.message} from day {shock.day} on", pr.allowed, line)
                                for pr in problems_from_validation(exc, {}, file, Scenario))
                break
            parts = {name: getattr(current, name) for name in Scenario.model_fields}
            current = Scenario.model_construct(**parts | {name: getattr(checked, name)
                                                          for name in SETTABLE_SECTIONS})
        out.append((shock, current))
    if problems:
        raise ScenarioError(problems)
    return tuple(out)
