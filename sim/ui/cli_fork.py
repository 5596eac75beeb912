"""``parley fork``: every seed run to a day, then on in two branches, as it was and changed."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from sim.errors import ParleyError, Problem, shorten
from sim.ui.console import ScenarioArg, fail, out, parse_sets, stops_on_ctrl_c


def _pairs(items: list[str] | None, flag: str, example: str) -> list[tuple[str, str]]:
    found = []
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            fail([Problem(flag, shorten(item), "is not of the form name=value",
                          f"e.g. {flag} {example}")])
        found.append((key.strip(), value.strip()))
    return found


def parse_shocks(items: list[str] | None) -> tuple[dict[str, int], list[str]]:
    """``--shock ID=DAY`` (a move) and ``--shock ID=off`` (left out)."""
    move, drop = {}, []
    for key, value in _pairs(items, "--shock", "aid_cut=40"):
        if value.lower() == "off":
            drop.append(key)
        elif value.isdigit():
            move[key] = int(value)
        else:
            fail([Problem("--shock", shorten(f"{key}={value}"), f"{shorten(value)!r} is not a "
                          "day", "a day (e.g. aid_cut=40) or off (e.g. aid_cut=off)")])
    return move, drop


def parse_pressure(items: list[str] | None) -> dict[str, float]:
    """``--pressure mediator=0.3`` into ``{"mediator": 0.3}``."""
    found = {}
    for key, value in _pairs(items, "--pressure", "mediator=0.3"):
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            fail([Problem("--pressure", shorten(f"{key}={value}"), f"{shorten(value)!r} is "
                          "not a number", "a number from -10 to 10")])
        found[key] = number
    return found


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "—"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def _half(low: float, high: float) -> str:
    return "—" if not math.isfinite(high - low) else "±" + _num((high - low) / 2)


def fork(
    scenario: ScenarioArg,
    at: Annotated[int | None, typer.Option(
        help="last day both branches share; the change acts from the next day")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="the change: dotted.path=value from day AT+1 on (repeatable)")] = None,
    shock: Annotated[list[str] | None, typer.Option(
        help="move a timeline shock, ID=DAY, or leave it out, ID=off (repeatable)")] = None,
    pressure: Annotated[list[str] | None, typer.Option(
        help="pressure added on day AT+1: mediator, humanitarian, domestic or "
        "insurgent=DELTA (repeatable)")] = None,
    seeds: Annotated[int, typer.Option(min=2, help="pairs of runs (seeds spawned from "
                                       "run.seed, or --seed)")] = 100,
    seed: Annotated[int | None, typer.Option(min=0, help="master seed (default: run.seed)")]
    = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="write every figure and every seed here")] = None,
) -> None:
    """Fork every seed at a day into the run as it was and the run with a change.

    Both branches read the same random numbers, so every difference is the change's doing.
    Prints the paired effect on every outcome against independent runs; last line:
    paired_ci_narrower=<k> (how many times narrower the paired intervals are, median).
    """
    from sim.forks import LEVEL
    from sim.forks import fork as run_fork
    from sim.scenario import load_scenario

    move, drop = parse_shocks(shock)
    change = parse_sets(set_)
    push = parse_pressure(pressure)
    if not (change or move or drop or push):
        fail([Problem("parley fork", "change", "no change given",
                      "--set PATH=VALUE, --shock ID=DAY, --shock ID=off or --pressure SIDE=X")])
    try:
        spec = load_scenario(scenario)
        with stops_on_ctrl_c():
            result = run_fork(spec, at, set=change, pressure=push, move=move, drop=drop,
                              seeds=seeds, master_seed=seed)
    except ParleyError as exc:
        fail(exc.problems)
    out.print(f"[bold]{escape(spec.meta.name)}[/bold]: {seeds} seeds, each in two branches "
              f"that share days 0 to {result.at}")
    out.print(f"changed from day {result.at + 1}: {result.change.words()}", markup=False)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for col in ("outcome", "as was", "changed", "diff", "±paired", "±indep", "chg"):
        table.add_column(col, justify="left" if col == "outcome" else "right", no_wrap=True)
    for e in result.effects:
        table.add_row(e.outcome, _num(e.as_was), _num(e.changed), _num(e.diff),
                      _half(e.low, e.high), _half(e.independent_low, e.independent_high),
                      f"{e.share_changed:.0%}")
    out.print(table)
    for line in ("diff: mean of changed minus as-was, seed by seed; ±paired: half its "
                 f"{LEVEL:.0%} CI;",
                 f"±indep: half the {LEVEL:.0%} CI (Welch) with the changed scenario run on "
                 "other seeds;",
                 "chg: share of seeds whose outcome differs between the two branches."):
        out.print(line, markup=False)
    if json_out is not None:
        tmp = json_out.with_name(f".{json_out.name}.tmp")
        tmp.write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
        tmp.replace(json_out)
        out.print(f"wrote every figure to {json_out}", markup=False)
    print(f"paired_ci_narrower={result.narrower:.2f}")
