"""The scenarios, sweeps and reference data that ship with Parley, and finding them by name.

In a source checkout they are the top-level ``scenarios/`` (with ``scenarios/sweeps/``) and
``data/`` folders, which stay the one place they are edited. A wheel carries a copy of both
under ``sim/shipped/`` (``setup.py`` copies them at build time), laid out the same way, so
the relative paths inside the files (``extends:``, ``base:``, ``meta.reference_data``) hold in
either place. ``parley scenarios`` lists them, ``parley init`` copies them to start from, and
every command that takes a scenario or sweep file also takes a bare name
(``parley run afghanistan_2020``): see :func:`find`.
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.errors import ParleyError, Problem

FOLDERS = ("scenarios", "data")
"""The folders that ship, relative to :func:`shipped_root`."""

SUFFIXES = (".yaml", ".yml")


def shipped_root() -> Path:
    """The folder holding the shipped ``scenarios/`` and ``data/``.

    A wheel's copy (``sim/shipped/``) when there is one, else the source checkout's top level
    (an editable install or a clone run in place).
    """
    packaged = Path(__file__).resolve().parent / "shipped"
    if (packaged / "scenarios").is_dir():
        return packaged
    return Path(__file__).resolve().parents[1]


def shipped_scenarios() -> Path:
    """The shipped ``scenarios/`` folder."""
    return shipped_root() / "scenarios"


def default_scenarios_dir() -> Path:
    """``scenarios/`` in the working folder if there is one, else the shipped one.

    The working folder's is a user's own (``parley init .``) or a clone's.
    """
    here = Path.cwd() / "scenarios"
    return here if here.is_dir() else shipped_scenarios()


@dataclass(frozen=True)
class Entry:
    """One shipped file: its bare name, whether it is a scenario or a sweep, and what it is."""

    name: str
    kind: str
    path: Path
    description: str


def _description(path: Path) -> str:
    """The first sentence of a file's own description (``meta.description`` or a sweep's)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ""
    text = (data.get("meta") or {}).get("description") or data.get("description") or ""
    words = " ".join(str(text).split())
    return words.split(". ")[0].removesuffix(".")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES) if folder.is_dir() else []


def entries(folder: Path | None = None) -> list[Entry]:
    """Every scenario (then every sweep) of a scenarios folder (default: the shipped one)."""
    folder = folder or shipped_scenarios()
    return ([Entry(p.stem, "scenario", p, _description(p)) for p in _files(folder)]
            + [Entry(p.stem, "sweep", p, _description(p)) for p in _files(folder / "sweeps")])


def is_bare_name(text: str) -> bool:
    """Whether ``text`` names a file by its stem alone (no folder), as ``parley run NAME``."""
    return bool(text) and Path(text).name == text and text not in (".", "..")


def find(text: str | Path) -> Path:
    """The file a command-line argument means: a path as given, or a shipped file by name.

    An existing path is taken as it is. A bare name (``afghanistan_2020``, with or without
    ``.yaml``) that is not a file here is looked up first in ``./scenarios`` and
    ``./scenarios/sweeps`` (a user's copies after ``parley init .``), then among the shipped
    scenarios and sweeps. Anything else is returned unchanged, for the loader to report.

    Raises:
        ParleyError: a bare name that matches nothing, with the closest shipped name.
    """
    path = Path(text)
    try:
        exists = path.exists()
    except (OSError, ValueError):  # an overlong or malformed name: the loader reports it
        return path
    if exists or not is_bare_name(str(text)):
        return path
    stem = path.stem if path.suffix in SUFFIXES else path.name
    folders = []
    for root in (Path.cwd() / "scenarios", shipped_scenarios()):
        folders += [root, root / "sweeps"]
    for folder in folders:
        for suffix in SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    names = [e.name for e in entries()]
    close = difflib.get_close_matches(stem, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ParleyError([Problem(str(text), "", f"{hint}no such file, nor a shipped scenario or "
                               "sweep of that name", "a file, or a name parley scenarios lists")])


def copy_to(dest: Path) -> list[Path]:
    """Copy the shipped ``scenarios/`` and ``data/`` into ``dest``, never over a file.

    Returns:
        The files written.

    Raises:
        ParleyError: when ``dest`` is a file, or already holds one of the files (nothing is
            written then).
    """
    root = shipped_root()
    if dest.exists() and not dest.is_dir():
        raise ParleyError([Problem(str(dest), "", "is a file", "a new or existing folder")])
    pairs = [(src, dest / src.relative_to(root))
             for folder in FOLDERS for src in sorted((root / folder).rglob("*"))
             if src.is_file() and "__pycache__" not in src.parts]
    taken = [target for _, target in pairs if target.exists()]
    if taken:
        raise ParleyError([Problem(str(taken[0]), "", f"already exists ({len(taken)} of the "
                                   f"{len(pairs)} files would be overwritten)",
                                   "a folder without scenarios/ and data/ of its own")])
    for src, target in pairs:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    return [target for _, target in pairs]
