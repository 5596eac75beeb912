"""``parley scenarios`` and ``parley init``: the scenarios that ship with Parley."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.errors import ParleyError
from sim.ui.console import fail, out


def scenarios() -> None:
    """List the shipped scenarios and sweeps; any command takes one by its name."""
    from sim.catalog import entries, shipped_scenarios

    table = Table(title="Shipped scenarios and sweeps (parley run NAME; parley init DIR copies "
                  "them)", header_style="bold", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("what it is", overflow="fold")
    for entry in entries():
        table.add_row(entry.name, entry.kind, entry.description or "—")
    out.print(table)
    out.print(f"in {shipped_scenarios()}", markup=False)


def init(
    folder: Annotated[Path, typer.Argument(help="folder to copy them into (created if needed)")],
) -> None:
    """Copy the shipped scenarios, sweeps and reference data into a folder, to start from.

    Writes FOLDER/scenarios (with sweeps/) and FOLDER/data, as laid out in the repository, so
    the files' relative links hold. Refuses to overwrite any file.
    """
    from sim.catalog import copy_to
    from sim.ui.destinations import check_out_folder

    check_out_folder(folder, "FOLDER", "a folder Parley can write")
    try:
        written = copy_to(folder)
    except ParleyError as exc:
        fail(exc.problems)
    out.print(f"copied {len(written)} files into {folder}; try: parley run "
              f"{folder / 'scenarios' / 'afghanistan_2020.yaml'} --days 60", markup=False)
