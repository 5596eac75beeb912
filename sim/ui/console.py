"""What every ``parley`` command shares: the console, one-line errors, Ctrl-C, ``--set``, images."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from sim.errors import Problem

out = Console(soft_wrap=True, highlight=False)


def fail(problems: list[Problem] | list[str]) -> None:
    """Print one line per problem on stderr and exit with code 2."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    raise typer.Exit(2)


@contextmanager
def stops_on_ctrl_c() -> Iterator[None]:
    """Ctrl-C ends a command with one line on stderr and exit code 130, never a traceback.

    Many runs stop their workers before they raise (:mod:`sim.ensemble`); their message says
    how far they got.
    """
    try:
        yield
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        raise typer.Exit(130) from None


def parse_sets(items: list[str] | None) -> dict[str, object]:
    """``["a.b=1", ...]`` into ``{"a.b": 1}``, refusing items without ``=``."""
    from sim.scenario import parse_value

    overrides: dict[str, object] = {}
    for item in items or []:
        path, sep, value = item.partition("=")
        if not sep or not path:
            fail([Problem("--set", item, "is not of the form dotted.path=value",
                          "e.g. --set insurgent.patience=40")])
        overrides[path.strip()] = parse_value(value.strip())
    return overrides


def run_overrides(items: list[str] | None, seed: int | None, days: int | None
                   ) -> dict[str, object]:
    """``--set`` items with ``--seed`` and ``--days`` (when given) as ``run.seed``/``run.days``."""
    overrides = parse_sets(items)
    for flag, value in (("run.seed", seed), ("run.days", days)):
        if value is not None:
            overrides[flag] = value
    return overrides


IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def check_image(path: Path, option: str) -> None:
    """Refuse an image file whose suffix matplotlib is not asked to write here."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        fail([Problem(option, option.removeprefix("--"), f"unknown image type {path.suffix!r}",
                      ".png, .svg or .pdf")])


def save_figure(fig, path: Path) -> None:
    """Save and close a figure; a reader never sees half an image."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)
