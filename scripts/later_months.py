"""The home scenario after its calibration window: completion, and releases on chosen days.

Runs ``--seeds`` seeds of a scenario (``seed_of(run.seed, i)``, as ``parley report``) to its
``run.days`` through the ensemble engine and prints, as markdown, the completion figures
(median completion day, share completed by the last day) and each side's cumulative releases
on each of ``--days`` (median and 10-90% band over runs). These are the model's figures only:
the reported monthly totals are kept out of sample (``data/README.md``) and are not read here.

    .venv/bin/python scripts/later_months.py          # 200 seeds, days 72, 93, 123 and 155
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.ensemble import run_ensemble
from sim.outcomes import band
from sim.scenario import load_scenario

SIDES = (("gov_released", "government"), ("ins_released", "insurgent"))


def main() -> None:
    """Print the completion figures and the releases on each day asked (see the module's text)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/afghanistan_2020.yaml")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--days", type=int, nargs="+", default=[72, 93, 123, 155])
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    ensemble = run_ensemble(scenario, args.seeds, workers=1,
                            kept=("gov_released", "ins_released"))
    last = scenario.run.days
    done = ensemble.values("completion_day")
    completion = band(done)
    print(f"{scenario.meta.name}: {args.seeds} seeds of {last} days (master seed "
          f"{ensemble.master_seed})\n")
    print(f"completion: median day {completion.median}, 10-90% "
          f"{completion.p10}-{completion.p90} (of the runs that complete); "
          f"completed by day {last} in {int(np.isfinite(done).sum())} of {done.size} runs "
          f"({np.isfinite(done).mean():.1%})\n")
    names = scenario.meta.sides
    print(f"| day | {names.government} frees: median | 10-90% | "
          f"{names.insurgent} frees: median | 10-90% |")
    print("|---|---|---|---|---|")
    for day in args.days:
        cells = []
        for column, _ in SIDES:
            b = band(ensemble.series[column][:, day])
            cells += [f"{b.median:g}", f"{b.p10:g}-{b.p90:g}"]
        print(f"| {day} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
