"""Scenario files: YAML with line numbers, ``extends:`` chains, and :func:`load_scenario`."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import Problem, ScenarioError, shorten
from sim.files import (
    CONTROL,
    MAX_YAML_BYTES,
    compose_yaml,
    construct_yaml,
    control_name,
    read_text,
    yaml_problem,
)
from sim.scenario.overrides import apply_overrides, blame, shock_regimes
from sim.scenario.problems import locate, problems_from_validation
from sim.scenario.schema import Scenario


def _index(node: yaml.Node, file: str, prefix: tuple = ()) -> dict[tuple, int]:
    r"""Map each key path in a composed YAML document to its 1-based line.

    Raises:
        ScenarioError: for a key given twice in one mapping (naming both lines), a key that is
            not a plain value, or text holding a control character (YAML escapes such as
            ``"\a"`` make them).
    """
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            line = key.start_mark.line + 1
            if not isinstance(key, yaml.ScalarNode):
                raise ScenarioError([Problem(file, _dotted(prefix), "has a key that is a list "
                                             "or a mapping", "keys that are names", line)])
            path = (*prefix, key.value)
            _check_text(key, file, path)
            if path in lines:
                raise ScenarioError([Problem(file, _dotted(path),
                                             f"is given twice, at lines {lines[path]} and {line}",
                                             "each key once in a mapping", line)])
            lines[path] = line
            lines.update(_index(value, file, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, i)
            lines[path] = item.start_mark.line + 1
            lines.update(_index(item, file, path))
    else:
        _check_text(node, file, prefix)
    return lines


def _check_text(node: yaml.ScalarNode, file: str, path: tuple) -> None:
    bad = CONTROL.search(node.value)
    if bad:
        raise ScenarioError([Problem(file, _dotted(path),
                                     f"holds {control_name(bad.group())}",
                                     "printable text (tabs and newlines are fine)",
                                     node.start_mark.line + 1)])


def _dotted(path: tuple) -> str:
    return ".".join(shorten(str(p), 40) for p in path) or "(top level)"


def read_yaml(path: Path, named_in: tuple[str, int | None, str] | None = None
              ) -> tuple[dict, dict[tuple, int]]:
    """Read a YAML mapping and the line of each key path in it.

    The file is read with :func:`sim.files.read_text` (a bounded read of a regular UTF-8 file)
    and parsed as plain YAML (:func:`sim.files.compose_yaml`).

    Args:
        path: the file.
        named_in: ``(file, line, as written)`` of the ``extends:`` that names ``path``, so
            that a file that cannot be read is reported where it is named.

    Raises:
        ScenarioError: when the file is missing, unreadable, malformed or not a mapping.
    """
    text = read_text(path, limit=MAX_YAML_BYTES, expected="a YAML file",
                     field="extends" if named_in else "", named_in=named_in)
    file = str(path)
    try:  # one parse: the node gives line numbers, the data is built from it
        node = compose_yaml(text)
        lines = _index(node, file) if node is not None else {}
        data = construct_yaml(node) if node is not None else None
    except yaml.YAMLError as exc:
        message, allowed, line = yaml_problem(exc)
        raise ScenarioError([Problem(file, "", message, allowed, line)]) from None
    if data is None:
        raise ScenarioError([Problem(file, "", "the file is empty",
                                     "a mapping of sections (meta, government, ...)")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, "", f"top level is a {type(data).__name__}",
                                     "a mapping of sections (meta, government, ...)")])
    return data, lines


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, seen: tuple[Path, ...],
             named_in: tuple[str, int | None, str] | None = None
             ) -> tuple[dict, dict[tuple, tuple[str, int | None]]]:
    """Read a file and everything it extends; return data and where each key was set."""
    path = _absolute(path)
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError([Problem(str(seen[-1]), "extends", f"extends loop: {chain}",
                                     "a chain of bases that ends in a file without extends")])
    data, lines = read_yaml(path, named_in)
    _absolutise(data, path.parent)  # a file's references are relative to its own folder
    origin: dict[tuple, tuple[str, int | None]] = {k: (str(path), line)
                                                   for k, line in lines.items()}
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data, origin
    if not isinstance(base_ref, str):
        raise ScenarioError([Problem(str(path), "extends", f"is {shorten(repr(base_ref))}",
                                     "a path to a base scenario file", lines.get(("extends",)))])
    base, base_origin = _resolve(path.parent / base_ref, (*seen, path),
                                 (str(path), lines.get(("extends",)), base_ref))
    return deep_merge(base, data), {**base_origin, **origin}


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None,
                  labels: dict[str, str] | None = None) -> Scenario:
    """Load and validate a scenario file, following ``extends:`` and applying overrides.

    Pool CSVs are read and checked against the scenario here, so that ``parley validate``
    finds what a run would. A problem that only the overrides cause names the override (as
    ``labels`` spell it), not the line of the file it clashes with (see
    :func:`~sim.scenario.overrides.blame`).

    Args:
        path: YAML scenario file.
        overrides: dotted-path values (e.g. ``{"insurgent.patience": 40}``), as from ``--set``;
            each is fixed for the whole run (see :mod:`sim.scenario.overrides`).
        labels: how each override was given, named in errors (``{"run.days": "--days 30"}``);
            ``--set`` by default.

    Returns:
        The validated, frozen scenario. Relative file references are made absolute.

    Raises:
        ScenarioError: with one problem per thing wrong.
    """
    path = Path(path)
    data, origin = _resolve(path, ())
    if not overrides:
        return _validated(data, origin, path)
    labels = {key: (labels or {}).get(key, "--set") for key in overrides}

    def check(subset: dict[str, Any]) -> Scenario:
        where = dict(origin)
        changed = data
        for key, value in subset.items():
            changed = apply_overrides(changed, {key: value}, labels[key])
            parts = tuple(key.split("."))  # lines in the file below the path no longer apply
            where = {k: v for k, v in where.items() if k[:len(parts)] != parts}
            where[parts] = (labels[key], None)
        _absolutise(changed, _absolute(path).parent)  # relative paths given with --set
        return _validated(changed, where, path)

    try:
        return check(overrides)
    except ScenarioError as exc:
        problems = exc.problems
    raise ScenarioError(blame(problems, overrides, labels, check))


def _validated(data: dict, origin: dict, path: Path) -> Scenario:
    """Raw data as a scenario: the schema, the timeline, and the pool CSVs it names."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, str(path), Scenario)) from None
    shock_regimes(scenario, str(path), origin)  # the timeline checked with lines for errors
    _check_pools(scenario, origin, str(path))
    return scenario


def _check_pools(scenario: Scenario, origin: dict, file: str) -> None:
    """Load each pool CSV and check it against the scenario, as a run would.

    Raises:
        ScenarioError: for a CSV that cannot be loaded, whose rows differ from the pool's
            ``size``, or that lists fewer prisoners than the agreement commits to free.
    """
    from sim.prisoners import prisoners_of  # the prisoners module builds on this package

    commitments = {"government_holds": "government_commitment",
                   "insurgent_holds": "insurgent_commitment"}
    problems = []
    for section, commitment in commitments.items():
        spec = getattr(scenario.pools, section)
        if not spec.csv:
            continue
        pool = prisoners_of(spec, section)  # kept: the runs read it again
        name = Path(spec.csv).name
        if pool.size != spec.size:
            where, line = locate(origin, ("pools", section, "size"), file)
            problems.append(Problem(where, f"pools.{section}.size",
                                    f"({spec.size}) differs from the {pool.size} rows of {name}",
                                    f"{pool.size}, the rows of the CSV", line))
        need = getattr(scenario.agreement, commitment)
        if pool.n_listed < need:
            where, line = locate(origin, ("agreement", commitment), file)
            problems.append(Problem(where, f"agreement.{commitment}",
                                    f"({need}) exceeds the {pool.n_listed} listed prisoners "
                                    f"of {name}", f"at most {pool.n_listed}", line))
    if problems:
        raise ScenarioError(problems)


def _absolute(path: Path) -> Path:
    """``path`` made absolute with symlinks resolved where the system can resolve them."""
    try:
        return path.resolve()
    except (OSError, ValueError):  # a NUL or an overlong name: the read reports it
        return path.absolute()


def _absolutise(data: dict, folder: Path) -> None:
    """Make the file references of raw scenario data absolute (absolute ones stay as they are)."""
    meta = data.get("meta")
    for key in ("reference_data", "targets"):
        if isinstance(meta, dict) and isinstance(meta.get(key), str):
            meta[key] = str(_absolute(folder / meta[key]))
    pools = data.get("pools")
    if isinstance(pools, dict):
        for spec in pools.values():
            if isinstance(spec, dict) and isinstance(spec.get("csv"), str):
                spec["csv"] = str(_absolute(folder / spec["csv"]))
