"""Key figures of scenarios side by side: a case and its counterfactual variants.

Each scenario runs ``--seeds`` seeds (``seed_of(run.seed, i)``, as ``parley report``) to its
``run.days`` through the ensemble engine; one markdown row a scenario gives the pattern rate,
completion (share of runs, median day), each side's releases on the last day (medians), the
days a truce held, the days a condition held the government's releases, the day the insurgent
began to recognise releases outside the mechanism, and the mean attacks a day over
``--attack-days`` (say, the ceasefires' days).

    .venv/bin/python scripts/variants.py scenarios/afghanistan_2020*.yaml --attack-days 85 87
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.ensemble import run_ensemble
from sim.scenario import load_scenario


def _median(values: np.ndarray) -> str:
    kept = values[np.isfinite(values)]
    return f"{np.median(kept):g}" if kept.size else "-"


def main() -> None:
    """Print one row of key figures for each scenario named."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--attack-days", type=int, nargs=2, default=None)
    args = parser.parse_args()
    first, last = args.attack_days or (1, 1)
    print(f"{args.seeds} seeds each\n")
    print("| scenario | pattern | completed | completion day | gov. frees | ins. frees | "
          f"truce days | halted days | recognition day | attacks/day, days {first}-{last} |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in args.scenarios:
        scenario = load_scenario(path)
        e = run_ensemble(scenario, args.seeds, workers=1, kept=("attacks",))
        done = e.values("completion_day")
        attacks = e.series["attacks"][:, first:last + 1].mean() if args.attack_days else None
        print(f"| `{scenario.meta.name}` | {e.rate('pattern'):.2f} | "
              f"{np.isfinite(done).mean():.2f} | {_median(done)} | "
              f"{_median(e.values('gov_released'))} | {_median(e.values('ins_released'))} | "
              f"{_median(e.values('truce_days'))} | {_median(e.values('halted_days'))} | "
              f"{_median(e.values('recognition_day'))} | "
              f"{'-' if attacks is None else f'{attacks:.1f}'} |")


if __name__ == "__main__":
    main()
