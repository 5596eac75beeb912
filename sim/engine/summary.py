"""A block's series and summaries, in the terms of the output registry (:mod:`sim.outputs`).

What the summary needs of the events (first days, counts, the pattern's walkout and release)
the engine counts as the day goes, so a summary never reads the event log. Every field of
:data:`sim.outputs.SUMMARY` is given here with the value and type the Mesa model's run gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim import __version__
from sim.outputs import PHASE_NAMES, SERIES_COLUMNS, SUMMARY_FIELDS

if TYPE_CHECKING:
    from sim.engine.block import Block


def series(block: Block) -> dict[str, np.ndarray]:
    """Every series column of every run: an array with a row per run and a column per day.

    Casualties are drawn here, each run from its own generator, as the model draws them.
    """
    out = {name: block.record[name].T for name in SERIES_COLUMNS}
    out["casualties"] = np.stack([d.casualties(row) for d, row in
                                  zip(block.draws, out["casualties"], strict=True)]
                                 ).astype(float)
    return out


def _day(value: int) -> int | None:
    return None if value < 0 else int(value)


def summaries(block: Block, cols: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Each run's summary, field for field as :func:`sim.outputs.summarize` gives it."""
    t = block.tally
    hashes = {id(s): s.content_hash() for s in {id(s): s for s in block.scenarios}.values()}
    attacks_all = cols["attacks"][:, 1:]
    peak = attacks_all.max(axis=1).astype(int).tolist() if block.days else [0] * block.n
    mean = attacks_all.mean(axis=1).tolist() if block.days else [0.0] * block.n
    casualties = cols["casualties"][:, 1:].sum(axis=1).astype(int).tolist()
    truce_days = np.count_nonzero(cols["truce"][:, 1:], axis=1).tolist()
    halted_days = np.count_nonzero(cols["government_halted"][:, 1:], axis=1).tolist()
    out = []
    for i, scenario in enumerate(block.scenarios):
        spec = scenario.meta.pattern
        walkout, release = t.first_walkout[i], t.pattern_day[i]
        in_window = release >= 0 and release <= walkout + spec.window
        if in_window:
            ins = cols["ins_released"][i]
            last = min(release + spec.window, block.days)
            quiet = not (ins[last] > ins[release - 1])
            size = int(t.pattern_size[i])
            in_range = spec.release_size is None or (
                spec.release_size[0] <= size <= spec.release_size[1])
            on_time = spec.walkout_days is None or (
                spec.walkout_days[0] <= walkout <= spec.walkout_days[1])
            found = bool(t.pattern_named[i] == 0 and t.pattern_rejects[i] and quiet
                         and in_range and on_time and t.pattern_ranked[i])
        else:
            found = False
        values = {
            "seed": block.seeds[i], "scenario": scenario.meta.name,
            "scenario_hash": hashes[id(scenario)], "version": __version__,
            "days": block.days,
            "final_phase": PHASE_NAMES[int(cols["phase"][i, -1])],
            "first_release_day_gov": _day(t.first_gov[i]),
            "first_release_day_ins": _day(t.first_ins[i]),
            "first_walkout_day": _day(walkout),
            "first_agreement_day": _day(t.first_agreement[i]),
            "first_unilateral_day": _day(t.first_unilateral[i]),
            "first_unilateral_size": _day(t.first_unilateral_size[i]),
            "completion_day": _day(t.completion[i]),
            "collapse_day": _day(t.collapse[i]),
            "gov_released": int(cols["gov_released"][i, -1]),
            "ins_released": int(cols["ins_released"][i, -1]),
            "named_released": int(cols["named_released"][i, -1]),
            "gov_deal_released": int(cols["gov_deal_released"][i, -1]),
            "gov_unilateral_released": int(cols["gov_unilateral_released"][i, -1]),
            "walkouts": int(block.talks.walkouts[i]),
            "agreements": int(t.agreements[i]),
            "unilateral_releases": int(t.unilaterals[i]),
            "airstrikes": int(t.airstrikes[i]),
            "peak_attacks": peak[i], "mean_attacks": mean[i],
            "total_casualties": casualties[i],
            "returned_fighters": float(cols["returned_fighters"][i, -1]),
            "truce_days": truce_days[i],
            "truce_lapse_day": _day(t.lapse[i]),
            "halted_days": halted_days[i],
            "recognition_day": _day(t.recognition[i]),
            "shortfalls": int(t.shortfalls[i]),
            "pattern": found,
            "pattern_walkout_day": _day(walkout),
            "pattern_release_day": int(release) if in_window else None,
            "pattern_release_size": int(t.pattern_size[i]) if in_window else None,
        }
        out.append({name: values[name] for name in SUMMARY_FIELDS})
    return out
