"""Knowing that a finished sweep has nothing left to do, without loading anything heavy.

Deciding it the long way means reading the sweep file and its base scenario through the
schema (numpy and pydantic, about a second to import). Instead, when a sweep finishes, its
folder keeps ``resume.json``: the command's arguments, the SHA-256 of every file read to plan
it (the sweep file, the scenarios it extends, pool CSVs) and of the code that turns those
files into a plan. The same command, with every file unchanged and every chunk's runs file
present, then has nothing to do, which :func:`finished` finds with the standard library
alone. Anything else (a changed file, other flags, a missing chunk) takes the long way, which
checks everything as before and writes the record again once the sweep is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

RECORD = "resume.json"
"""The file, in a sweep's folder, that records how it was last found complete."""

CODE = ("files.py", "scenario", "sweep/spec.py", "sweep/design.py")
"""The code, under ``sim/``, that turns a sweep's files into its plan."""


def code_hash() -> str:
    """SHA-256 of the source of :data:`CODE` (a changed default makes another plan)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in CODE:
        path = root / name
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _hash(path: str) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def finished(out: Path, command: dict[str, Any]) -> int | None:
    """The number of runs of the sweep in ``out`` when ``command`` has nothing to do there.

    Args:
        out: the sweep folder.
        command: the arguments that determine the sweep (spec, flags), as JSON values.

    Returns:
        The sweep's runs when every chunk is done and ``out``'s record matches ``command``,
        its files and the code; otherwise None (decide the long way).
    """
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        record = json.loads((out / RECORD).read_text(encoding="utf-8"))
        names = set(os.listdir(out / "parts"))
    except (OSError, ValueError):
        return None
    if record.get("command") != command or record.get("code") != code_hash():
        return None
    if any(_hash(path) != digest for path, digest in record.get("files", {}).items()):
        return None
    chunks = manifest.get("n_chunks", -1)
    if not all(f"runs-{c:06d}.parquet" in names for c in range(chunks)):
        return None
    return int(manifest["n_runs"])


def record(out: Path, command: dict[str, Any], files: dict[str, str]) -> None:
    """Keep, in a complete sweep's folder, the command and the hashes of the files it read."""
    tmp = out / f".{RECORD}.tmp"
    tmp.write_text(json.dumps({"command": command, "files": files, "code": code_hash()},
                              indent=2), encoding="utf-8")
    os.replace(tmp, out / RECORD)
