"""How robust the home scenario's April pattern is to a 20% change in one parameter.

Every number of the government, insurgent, mediator and conflict sections of the scenario
(those that are not zero) is set in turn to 0.8 and 1.2 times its value, all else as in the
file; each variant runs ``--seeds`` seeds (``seed_of(run.seed, i)``, as ``parley report``)
for ``--days`` days through the ensemble engine, and the table gives its pattern rate. A
value above the schema's bound runs at the bound (x1.2 of a trust of 0.9 runs at 1); a variant
the schema refuses (a parameter at its bound already, a unilateral batch above the daily cap)
is shown as invalid, with the reason. Prints a markdown table, then ``robust=<k>/<n>``
(parameters whose two variants both keep the pattern in at least ``--floor`` of runs).

    .venv/bin/python scripts/robustness.py            # 60 seeds x 60 days, about a minute
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np

from sim.engine import run_block, structure
from sim.ensemble import seed_of
from sim.errors import ParleyError
from sim.scenario import Scenario, field_at, load_scenario, with_overrides

SECTIONS = ("government", "insurgent", "mediator", "conflict")
FACTORS = (0.8, 1.2)
BLOCK = 1000
"""Runs stepped together: variants that share a structure (`sim.engine.structure`) share
blocks."""


def parameters(scenario: Scenario) -> list[tuple[str, float | int]]:
    """Every non-zero number of the four sections, as ``(dotted path, value)``."""
    out = []
    for section in SECTIONS:
        params = getattr(scenario, section)
        for name in type(params).model_fields:
            value = getattr(params, name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                out.append((f"{section}.{name}", value))
    return out


def marked_calibrated(path: Path) -> set[str]:
    """Parameters whose line in the scenario file says ``calibrated`` in its comment."""
    found, section = set(), None
    for line in path.read_text(encoding="utf-8").splitlines():
        top = re.match(r"^([a-z_]+):", line)
        if top:
            section = top.group(1)
            continue
        key = re.match(r"^  ([a-z_]+):[^#]*#(.*)$", line)
        if section in SECTIONS and key and "calibrated" in key.group(2):
            found.add(f"{section}.{key.group(1)}")
    return found


def upper_bound(path: str) -> float | None:
    """The schema's upper bound of a parameter, if it has one."""
    return next((m.le for m in field_at(path).metadata if hasattr(m, "le")), None)


def scaled(value: float | int, factor: float) -> float | int:
    """The value times the factor (a whole number stays whole)."""
    return round(value * factor) if isinstance(value, int) else value * factor


def main() -> None:
    """Print the table of pattern rates (see the module's text)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/afghanistan_2020.yaml")
    parser.add_argument("--seeds", type=int, default=60)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--floor", type=float, default=0.8)
    args = parser.parse_args()

    base = load_scenario(args.scenario)
    seeds = [seed_of(base.run.seed, i) for i in range(args.seeds)]
    calibrated = marked_calibrated(Path(args.scenario))
    variants: list[tuple[str, float, float | int, Scenario | None]] = []
    why: dict[int, str] = {}
    for path, value in parameters(base):
        for factor in FACTORS:
            new = scaled(value, factor)
            top = upper_bound(path)
            if top is not None and new > top > value:
                new = type(value)(top)  # as far as the schema allows: the bound itself
            try:
                variants.append((path, factor, new, with_overrides(base, {path: new})))
            except ParleyError as exc:
                why[len(variants)] = exc.problems[0].message
                variants.append((path, factor, new, None))

    started = time.perf_counter()
    shared: dict[str, list[tuple[int, Scenario]]] = {}
    for i, v in enumerate(variants):
        if v[3] is not None:
            shared.setdefault(structure(v[3]), []).append((i, v[3]))
    rates: dict[int, float] = {}
    per_block = max(1, BLOCK // len(seeds))
    baseline = np.mean([s["pattern"] for s in run_block(base, seeds, args.days)[0]])
    groups = [runs[k:k + per_block] for runs in shared.values()
              for k in range(0, len(runs), per_block)]
    for group in groups:
        summaries, _ = run_block([s for _, s in group for _ in seeds],
                                 seeds * len(group), args.days, kept=())
        for j, (i, _) in enumerate(group):
            runs = summaries[j * len(seeds):(j + 1) * len(seeds)]
            rates[i] = float(np.mean([s["pattern"] for s in runs]))
    seconds = time.perf_counter() - started

    print(f"{base.meta.name}: pattern rate over {args.seeds} seeds x {args.days} days; "
          f"as in the file: {baseline:.2f}\n")
    print("| parameter | value | calibrated | x0.8 | x1.2 |")
    print("|---|---|---|---|---|")
    robust = fragile = 0
    for k in range(0, len(variants), len(FACTORS)):
        path, _, _, _ = variants[k]
        value = dict(parameters(base))[path]
        cells, ok = [], True
        for i in range(k, k + len(FACTORS)):
            new = variants[i][2]
            if variants[i][3] is None:
                cells.append(f"invalid: {new:g} {why[i]}")
                ok = False
                continue
            rate = rates[i]
            mark = "" if rate >= args.floor else " **fragile**"
            top = upper_bound(path)
            shown = (f" (= {new})" if isinstance(new, int)
                     else f" (at its bound, {new:g})" if new == top and new != value * 1.2
                     else "")
            cells.append(f"{rate:.2f}{shown}{mark}")
            ok &= rate >= args.floor
        robust += ok
        fragile += not ok
        print(f"| `{path}` | {value:g} | {'yes' if path in calibrated else 'no'} | "
              f"{cells[0]} | {cells[1]} |")
    runs = sum(len(g) for g in groups) * len(seeds)
    print(f"\n{runs} runs of {args.days} days in {seconds:.1f} s")
    print(f"robust={robust}/{robust + fragile}")


if __name__ == "__main__":
    main()
