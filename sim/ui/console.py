"""What every ``parley`` command shares.

The console, one-line errors, Ctrl-C, ``--set``, images, files named by a bare name, and the
optional extras a command needs.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.errors import ParleyError, Problem, shorten

# Scenario and side names are a user's text: no emoji codes, and markup escaped where printed.
out = Console(soft_wrap=True, highlight=False, emoji=False)


def fail(problems: list[Problem] | list[str]) -> None:
    """Print one line per problem on stderr and exit with code 2."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    raise typer.Exit(2)


def usage_line(exc) -> str:
    """A bad command line (a :class:`click.ClickException`) as one ``error:`` line."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "parley"
    message = " ".join(exc.format_message().split()).rstrip(".")
    return f"error: {Problem(command, '', shorten(message, 300), f'see {command} --help')}"


@contextmanager
def stops_on_ctrl_c() -> Iterator[None]:
    """Ctrl-C ends a command with one line on stderr and exit code 130, never a traceback.

    Many runs stop their workers before they raise (:mod:`sim.ensemble`); their message says
    how far they got. SIGTERM (``kill``) stops the same way, with exit code 143, so that no
    worker process outlives the command.
    """
    terminated = []

    def on_term(signum, frame):
        terminated.append(signum)
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if main else None
    try:
        yield
    except KeyboardInterrupt as exc:
        print(f"interrupted: {exc}" if str(exc) else "interrupted", file=sys.stderr)
        raise typer.Exit(143 if terminated else 130) from None
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def parse_sets(items: list[str] | None) -> dict[str, object]:
    """``["a.b=1", ...]`` into ``{"a.b": 1}``, refusing items without ``=``."""
    from sim.scenario import parse_value

    overrides: dict[str, object] = {}
    for item in items or []:
        path, sep, value = item.partition("=")
        if not sep or not path:
            fail([Problem("--set", shorten(item), "is not of the form dotted.path=value",
                          "e.g. --set insurgent.patience=40")])
        overrides[path.strip()] = parse_value(value.strip())
    return overrides


def run_overrides(items: list[str] | None, seed: int | None = None, days: int | None = None
                  ) -> tuple[dict[str, object], dict[str, str]]:
    """``--set`` items with ``--seed`` and ``--days`` (when given) as ``run.seed``/``run.days``.

    Returns:
        the overrides, and how each was given on the command line (for errors to name).
    """
    overrides = parse_sets(items)
    labels = {}
    for item in items or []:
        path, _, value = item.partition("=")
        labels[path.strip()] = shorten(f"--set {path.strip()}={value.strip()}")
    for path, flag, value in (("run.seed", "--seed", seed), ("run.days", "--days", days)):
        if value is not None:
            overrides[path] = value
            labels[path] = f"{flag} {value}"
    return overrides, labels


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


EXTRA_OF = {"pyarrow": "sweep", "SALib": "sweep", "dask": "sweep", "distributed": "sweep",
            "solara": "app", "solara_assets": "app", "ipyvue": "app", "ipyvuetify": "app",
            "jupyterlab": "lab"}
"""The optional extra that installs each module a command may need (see pyproject.toml)."""


def missing_extra(module: str, what: str) -> str:
    """The one line that says which extra installs a missing module."""
    extra = EXTRA_OF[module.split(".")[0]]
    return (f"error: {what} needs {module}, which Parley's [{extra}] extra installs: "
            f"pip install 'parley[{extra}]'")


def need(what: str, *modules: str) -> None:
    """Stop with one line naming the extra to install when one of ``modules`` is missing.

    Only looks the modules up (importing the dashboard's stack alone takes seconds).

    Args:
        what: what needs them, as the user would say it (``"parley sweep"``).
        modules: top-level modules, each a key of :data:`EXTRA_OF`.
    """
    for module in modules:
        if importlib.util.find_spec(module) is None:
            print(missing_extra(module, what), file=sys.stderr)
            raise typer.Exit(2)


def find_file(value: Path | None) -> Path | None:
    """An argument's file: the path as given, or a shipped scenario or sweep by bare name.

    Used as a Typer callback, so that every command taking a scenario takes a name too
    (:func:`sim.catalog.find`).
    """
    from sim.catalog import find

    if value is None:
        return None
    try:
        return find(value)
    except ParleyError as exc:
        fail(exc.problems)
    raise AssertionError("unreachable: fail exits")


def find_files(values: list[Path] | None) -> list[Path] | None:
    """:func:`find_file` for each of a list of arguments."""
    return None if values is None else [find_file(v) for v in values]


ScenarioArg = Annotated[Path, typer.Argument(help="scenario file, or a shipped scenario's name",
                                             callback=find_file)]
"""The argument of a command that takes one scenario."""


def summary_table(summary: dict):
    """A run's summary as a two-column table: outcome and value."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Summary: {escape(summary['scenario'])} (seed {summary['seed']})",
                  show_header=True, header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, "—" if value is None else escape(str(value)))
    return table


def save_timeline(result, path: Path) -> None:
    """Draw a run's timeline and save it (:func:`save_figure`)."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.ui.figures import timeline

    save_figure(timeline(result), path)


Executor = Annotated[str, typer.Option(help="local, dask or dask-local")]
"""Where the runs of ``report`` and ``sweep run`` go: this machine's processes, or Dask."""
Scheduler = Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT")]
"""The Dask scheduler for ``--executor dask``."""
