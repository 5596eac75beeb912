"""Scenario files: YAML with line numbers, ``extends:`` chains, and :func:`load_scenario`."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.overrides import apply_overrides, shock_regimes
from sim.scenario.problems import problems_from_validation
from sim.scenario.schema import Scenario


def _line_index(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path in a composed YAML document to its 1-based line."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            lines[path] = key.start_mark.line + 1
            lines.update(_line_index(value, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, i)
            lines[path] = item.start_mark.line + 1
            lines.update(_line_index(item, path))
    return lines


def read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    """Read a YAML mapping and the line of each key path in it.

    Raises:
        ScenarioError: when the file is missing, unreadable, malformed or not a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "file not found",
                                     "an existing scenario file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot be read ({exc})",
                                     "a readable UTF-8 YAML file")]) from None
    loader = yaml.SafeLoader(text)
    try:  # one parse: the node gives line numbers, the data is built from it
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise ScenarioError([Problem(str(path), "", f"malformed YAML at {where}: {exc.problem}",
                                     "valid YAML", mark.line + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(str(path), "", f"malformed YAML: {exc}",
                                     "valid YAML")]) from None
    finally:
        loader.dispose()
    if data is None:
        raise ScenarioError([Problem(str(path), "", "the file is empty",
                                     "a mapping of sections (meta, government, ...)")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), "", f"top level is a {type(data).__name__}",
                                     "a mapping of sections (meta, government, ...)")])
    return data, (_line_index(node) if node is not None else {})


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict[tuple, tuple[str, int]]]:
    """Read a file and everything it extends; return data and where each key was set."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError([Problem(str(seen[-1]), "extends", f"extends loop: {chain}",
                                     "a chain of bases that ends in a file without extends")])
    data, lines = read_yaml(path)
    _absolutise(data, path.parent)  # a file's references are relative to its own folder
    origin = {k: (str(path), line) for k, line in lines.items()}
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data, origin
    if not isinstance(base_ref, str):
        raise ScenarioError([Problem(str(path), "extends", f"is {base_ref!r}",
                                     "a path to a base scenario file")])
    base_path = (path.parent / base_ref)
    if not base_path.exists():
        raise ScenarioError([Problem(str(path), "extends",
                                     f"base file {base_ref!r} not found (looked at {base_path})",
                                     "a path relative to this file")])
    base, base_origin = _resolve(base_path, (*seen, path))
    return deep_merge(base, data), {**base_origin, **origin}


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file, following ``extends:`` and applying overrides.

    Args:
        path: YAML scenario file.
        overrides: dotted-path values (e.g. ``{"insurgent.patience": 40}``), as from ``--set``;
            each is fixed for the whole run (see :mod:`sim.scenario.overrides`).

    Returns:
        The validated, frozen scenario. Relative file references are made absolute.

    Raises:
        ScenarioError: with one problem per thing wrong.
    """
    path = Path(path)
    data, origin = _resolve(path, ())
    if overrides:
        data = apply_overrides(data, overrides, "--set")
        for key in overrides:
            origin[tuple(key.split("."))] = ("--set", None)
    _absolutise(data, path.resolve().parent)  # relative paths given with --set
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, str(path), Scenario)) from None
    shock_regimes(scenario, str(path), origin)  # the timeline checked with lines for errors
    return scenario


def _absolutise(data: dict, folder: Path) -> None:
    """Make the file references of raw scenario data absolute (absolute ones stay as they are)."""
    meta = data.get("meta")
    for key in ("reference_data", "targets"):
        if isinstance(meta, dict) and isinstance(meta.get(key), str):
            meta[key] = str((folder / meta[key]).resolve())
    pools = data.get("pools")
    if isinstance(pools, dict):
        for spec in pools.values():
            if isinstance(spec, dict) and isinstance(spec.get("csv"), str):
                spec["csv"] = str((folder / spec["csv"]).resolve())
