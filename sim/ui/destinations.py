"""Where a command writes: checked before any work starts.

A file or folder a user names with ``--out``, ``--plot`` or ``--json`` is refused in one line
(exit code 2) when nothing could be written there, so that an hour's ensemble never ends in a
traceback at its last step: an empty name, a device (``/dev/null``), a folder where a file is
meant or a file where a folder is, a path under a file, and a place Parley may not write
(``/proc``, a read-only folder). Writability is tried, not guessed: a probe file is created
and removed in the nearest folder that exists (``os.access`` says yes to root everywhere).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from sim.errors import Problem
from sim.ui.console import fail


def _refuse(option: str, path: Path | str, message: str, allowed: str) -> None:
    fail([Problem(option, str(path), message, allowed)])


def _nearest_folder(path: Path, option: str, allowed: str) -> Path:
    """The nearest existing ancestor of ``path``, which must be a folder Parley can write in."""
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        _refuse(option, path, f"is under {parent}, which is a file, not a folder", allowed)
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        _refuse(option, path, f"cannot be written: {parent} does not accept new files "
                f"({exc.strerror or exc})", allowed)
    return parent


def _named(path: Path | None, option: str, allowed: str) -> None:
    if path is None or str(path) in ("", "."):
        _refuse(option, "" if path is None else path, "is empty: names no file or folder",
                allowed)


def check_out_file(path: Path, option: str, allowed: str) -> None:
    """Refuse ``path`` as a file to write (an existing regular file may be replaced).

    Args:
        path: the file named on the command line.
        option: the option that named it (``--json``).
        allowed: what the option takes, for the message.
    """
    _named(path, option, allowed)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        _refuse(option, path, f"cannot be reached ({exc.strerror or exc})", allowed)
    if mode is not None and stat.S_ISDIR(mode):
        _refuse(option, path, "is a folder", allowed)
    if mode is not None and not stat.S_ISREG(mode):
        _refuse(option, path, "is not a regular file (a device, FIFO or socket)", allowed)
    _nearest_folder(path, option, allowed)
    if mode is not None and not os.access(path, os.W_OK):
        _refuse(option, path, "is a file Parley may not overwrite", allowed)


def check_out_folder(path: Path, option: str, allowed: str, *, replaces: str | None = None
                     ) -> None:
    """Refuse ``path`` as a folder to write.

    Args:
        path: the folder named on the command line.
        option: the option that named it (``--out``).
        allowed: what the option takes, for the message.
        replaces: ``"run"`` when an existing folder is replaced whole, so it must be empty or
            a run Parley wrote; None when an existing folder is written into (a sweep resumes).
    """
    _named(path, option, allowed)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            _refuse(option, path, "exists and is not a folder", allowed)
        if replaces == "run" and any(path.iterdir()):
            from sim.runner import is_run_folder  # only here: it loads numpy and pandas

            if not is_run_folder(path):
                _refuse(option, path, "is a folder that holds files other than a Parley run, "
                        "which writing a run there would replace", allowed)
        # A run replaces the folder (a rename in its parent); a sweep writes into it.
        probe = path if replaces == "run" else path / "probe"
    else:
        probe = path
    _nearest_folder(probe, option, allowed)
