"""Counterfactual forks: every run goes on in two branches from one day, on common random numbers.

A fork at day ``at`` plays each seed twice: *as it was*, and *with a change* that acts from day
``at + 1`` on. Both branches are the same run through the end of day ``at``: the changed
branch is the scenario with one more shock, dated ``at + 1``, that makes the change (a shock
acts at the start of its day, before anything else happens). Re-running a seed from day 0 to
reach day ``at`` gives the state the as-was branch has there, to the last bit, so the two
branches share their past without copying a model, and the ensemble engine runs them.

From day ``at + 1`` on the branches read the same random numbers: every random number a run
uses is a uniform drawn from its seed for a given source and day (:mod:`sim.randomness`), so a
walkout draw on day 40 is the same number in both branches whatever happened before. Each
difference between the branches of a seed is the change's doing; a paired comparison over
seeds then measures the change's effect with far less noise than two independent ensembles
(:func:`fork` reports both intervals).

What a change may be (each acts from day ``at + 1``):

- ``set``: parameters by dotted path, with an override's meaning (:mod:`sim.scenario.
  overrides`) from that day on: the value holds from then, and replaces the value that a
  later shock would give the same parameter. Only what a shock may change can be set
  (role, conflict and agreement parameters); the pools and the run's length are the past.
- ``pressure``: pressure added at once on day ``at + 1`` (as a shock's ``pressure``).
- ``move``: a shock of the timeline, by its id, moved to another day ("what if the aid cut had
  come on day 40"); both days must be after ``at``.
- ``drop``: a shock of the timeline, by its id, left out; its day must be after ``at``.

Without ``at``, a fork that only moves or drops shocks shares every day before the first one
it changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError
from scipy import stats

from sim.errors import Problem, ScenarioError, shorten
from sim.outcomes import as_floats
from sim.outputs import SUMMARY, Kind
from sim.scenario import (
    SETTABLE_SECTIONS,
    PressureDelta,
    Scenario,
    Shock,
    ShockKind,
    field_at,
    shock_regimes,
)

OUTCOMES = tuple(f.name for f in SUMMARY
                 if f.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.OPTIONAL)
                 and f.name not in ("seed", "days"))
"""The summary outcomes a fork compares: every numeric one but the seed and the run's length."""

LEVEL = 0.95
"""The confidence level of the intervals."""


@dataclass(frozen=True)
class Change:
    """What the changed branch does differently, from day ``at + 1`` on.

    Attributes:
        set: parameter values by dotted path.
        pressure: pressure added on day ``at + 1``, by the fields of a shock's ``pressure``.
        move: new days of timeline shocks, by id.
        drop: ids of timeline shocks left out.
    """

    set: Mapping[str, Any] = field(default_factory=dict)
    pressure: Mapping[str, float] = field(default_factory=dict)
    move: Mapping[str, int] = field(default_factory=dict)
    drop: Sequence[str] = ()

    def words(self) -> str:
        """The change in a few words (the label of the fork's shock)."""
        parts = [f"{k}={v}" for k, v in self.set.items()]
        parts += [f"pressure.{k}{v:+g}" for k, v in self.pressure.items()]
        parts += [f"{k} moved to day {d}" for k, d in self.move.items()]
        parts += [f"{k} left out" for k in self.drop]
        return "; ".join(parts) or "no change"


def fork_day(scenario: Scenario, change: Change, at: int | None) -> int:
    """The last day the branches share: ``at``, or the day before the earliest moved day.

    Raises:
        ScenarioError: when ``at`` is missing for a change other than a move, or past the run.
    """
    days = scenario.run.days
    if at is None:
        if change.set or change.pressure or not (change.move or change.drop):
            raise ScenarioError([Problem("--at", "at", "is missing",
                                         "the last day the branches share, from 0 to "
                                         f"{days - 1} (it may be left out for --shock alone)")])
        by_id = {s.id: s.day for s in scenario.timeline if s.id is not None}
        firsts = [min(by_id[k], d) for k, d in change.move.items() if k in by_id]
        firsts += [by_id[k] for k in change.drop if k in by_id]
        at = min(firsts, default=1) - 1
    if not 0 <= at < days:
        raise ScenarioError([Problem("--at", "at", f"day {at} is not within the run "
                                     f"(run.days is {days})",
                                     f"a day from 0 to {days - 1}: the branches differ from "
                                     "the next day on")])
    return at


def branch(scenario: Scenario, at: int, change: Change) -> Scenario:
    """The changed branch's scenario: the same as ``scenario`` through the end of day ``at``.

    Raises:
        ScenarioError: for a path that names no settable parameter, a value it cannot take
            from day ``at + 1`` on, or a shock that is unknown or not after day ``at``.
    """
    problems: list[Problem] = []
    data = scenario.model_dump(mode="json")
    timeline = data["timeline"]
    ids = {s["id"]: i for i, s in enumerate(timeline) if s["id"] is not None}
    for name, day in (*change.move.items(), *((k, None) for k in change.drop)):
        flag = f"--shock {name}={'off' if day is None else day}"
        i = ids.get(name)
        if i is None or name in scenario.leave_out:
            problems.append(Problem(flag, name, "names no shock of the timeline",
                                    ", ".join(k for k in ids if k not in scenario.leave_out)
                                    or "ids of timeline shocks"))
        elif timeline[i]["day"] <= at:
            problems.append(Problem(flag, name, f"happened on day {timeline[i]['day']}, in "
                                    f"the past both branches share (through day {at})",
                                    f"a shock after day {at}, or an earlier --at"))
        elif day is not None and not at < day <= 36500:
            problems.append(Problem(flag, name, f"day {day} is not after the fork (day {at})",
                                    f"a day from {at + 1} to 36500"))
        elif day is not None:
            timeline[i]["day"] = day
        else:
            data["leave_out"].append(name)
    for path in change.set:
        try:
            field_at(path, f"--set {shorten(path)}")
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if path.split(".")[0] not in SETTABLE_SECTIONS:
            problems.append(Problem(f"--set {shorten(path)}", path, "is not something a fork "
                                    "can change (it is fixed before day 1)",
                                    "paths under " + ", ".join(SETTABLE_SECTIONS)))
    try:
        pressure = PressureDelta.model_validate(dict(change.pressure))
    except ValidationError as exc:
        problems.extend(Problem("--pressure", ".".join(map(str, e["loc"])),
                                "is not a kind of pressure" if e["type"] == "extra_forbidden"
                                else e["msg"],
                                "mediator, humanitarian, domestic or insurgent, from -10 to 10")
                        for e in exc.errors())
        pressure = PressureDelta()
    if problems:
        raise ScenarioError(problems)
    # From the fork on, a --set has an override's meaning: later shocks give the same value.
    for shock in timeline:
        if shock["day"] > at:
            shock["set"] |= {k: v for k, v in change.set.items() if k in shock["set"]}
    if change.set or change.pressure:
        timeline.append(Shock(day=at + 1, kind=ShockKind.OTHER, label="fork: " +
                              shorten(change.words(), 200), pressure=pressure,
                              set=dict(change.set)).model_dump(mode="json"))
    try:
        changed = Scenario.model_validate(data)
        shock_regimes(changed, "fork")
    except ValidationError as exc:
        raise ScenarioError([Problem("fork", ".".join(map(str, e["loc"])), e["msg"],
                                     "a valid scenario") for e in exc.errors()]) from None
    except ScenarioError as exc:
        raise ScenarioError([_on_flags(p, change, at) for p in exc.problems]) from None
    return changed


def _on_flags(problem: Problem, change: Change, at: int) -> Problem:
    """A problem of the fork's shock put on the ``--set`` items it came from."""
    culprits = [k for k in change.set if k in problem.field] or list(change.set)
    flags = ", ".join(f"--set {shorten(k)}={shorten(str(change.set[k]))}" for k in culprits)
    message = problem.message.replace(f"from day {at + 1} on", f"from day {at + 1} on (the "
                                      "fork)")
    return Problem(flags or problem.file, ", ".join(culprits) or problem.field, message,
                   problem.allowed)


@dataclass(frozen=True)
class Effect:
    """The change's effect on one outcome, paired over seeds and from independent runs.

    Attributes:
        outcome: the summary field.
        as_was: its mean in the as-was branch (over runs where it has a value).
        changed: its mean in the changed branch.
        diff: mean paired difference, changed minus as-was (over seeds where both have one).
        low: low end of its 95% interval.
        high: high end of its 95% interval.
        share_changed: share of seeds whose value differs between the branches.
        pairs: seeds where both branches have a value.
        independent_low: low end of the Welch 95% interval of the difference between the
            changed scenario on independent seeds and the as-was runs.
        independent_high: its high end.
    """

    outcome: str
    as_was: float
    changed: float
    diff: float
    low: float
    high: float
    share_changed: float
    pairs: int
    independent_low: float
    independent_high: float

    @property
    def width(self) -> float:
        """Width of the paired interval."""
        return self.high - self.low

    @property
    def independent_width(self) -> float:
        """Width of the independent (Welch) interval."""
        return self.independent_high - self.independent_low


def paired_interval(d: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean of paired differences and its t interval: ``(mean, low, high)`` (NaN if none)."""
    n = d.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(d.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def welch_interval(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Welch's interval of ``mean(b) - mean(a)`` for independent samples (NaN if too few)."""
    if a.size < 2 or b.size < 2:
        return math.nan, math.nan
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = float(b.mean() - a.mean())
    se2 = va + vb
    if se2 == 0:
        return diff, diff
    df = se2 ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = stats.t.ppf(0.5 + level / 2, df) * math.sqrt(se2)
    return diff - half, diff + half


def effect(name: str, as_was: list[dict], changed: list[dict],
           independent: list[dict]) -> Effect:
    """The change's effect on the outcome ``name`` (see :class:`Effect`)."""
    a, b = as_floats([s[name] for s in as_was]), as_floats([s[name] for s in changed])
    c = as_floats([s[name] for s in independent])
    both = np.isfinite(a) & np.isfinite(b)
    diff, low, high = paired_interval(b[both] - a[both])
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    ind_low, ind_high = welch_interval(a[np.isfinite(a)], c[np.isfinite(c)])
    return Effect(name, _mean(a), _mean(b), diff, low, high,
                  float(np.mean(~same)) if a.size else math.nan, int(both.sum()),
                  ind_low, ind_high)


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


@dataclass
class ForkResult:
    """Both branches of every seed, and the change's effect on every outcome.

    Attributes:
        scenario: the as-was scenario.
        changed_scenario: the changed branch's scenario (one more shock, or a moved one).
        at: the last day both branches share.
        change: what the changed branch does differently.
        seeds: each pair's seed.
        as_was: the as-was branch's summaries, in seed order.
        changed: the changed branch's summaries, in seed order.
        independent_seeds: the seeds of the independent runs of the changed scenario.
        independent: their summaries.
        effects: the effect on each outcome of :data:`OUTCOMES`.
    """

    scenario: Scenario
    changed_scenario: Scenario
    at: int
    change: Change
    seeds: list[int]
    as_was: list[dict]
    changed: list[dict]
    independent_seeds: list[int]
    independent: list[dict]
    effects: list[Effect]

    @property
    def narrower(self) -> float:
        """How many times narrower the paired interval is, median over the outcomes that vary.

        Only outcomes whose independent interval has a width count; ``inf`` when every
        paired interval is empty (the branches are identical).
        """
        ratios = [e.independent_width / e.width if e.width > 0 else math.inf
                  for e in self.effects if e.independent_width > 0 and math.isfinite(e.width)]
        return float(np.median(ratios)) if ratios else math.nan

    def identical(self) -> bool:
        """Whether the branches agree on every outcome, seed by seed."""
        return all(e.share_changed == 0 for e in self.effects)

    def table(self):
        """The effects as a pandas DataFrame, a row per outcome."""
        import pandas as pd

        frame = pd.DataFrame([asdict(e) for e in self.effects])
        frame["width"] = frame["high"] - frame["low"]
        frame["independent_width"] = frame["independent_high"] - frame["independent_low"]
        return frame.set_index("outcome")

    def summaries(self):
        """Both branches' summaries as one pandas DataFrame, with a ``branch`` column."""
        import pandas as pd

        return pd.concat([pd.DataFrame(self.as_was).assign(branch="as_was"),
                          pd.DataFrame(self.changed).assign(branch="changed")],
                         ignore_index=True)

    def to_json(self) -> dict:
        """Every figure, the change and the seeds, for ``--json``."""
        return {"scenario": self.scenario.meta.name, "at": self.at,
                "change": {"set": dict(self.change.set), "pressure": dict(self.change.pressure),
                           "move": dict(self.change.move), "drop": list(self.change.drop)},
                "seeds": self.seeds, "independent_seeds": self.independent_seeds,
                "level": LEVEL, "paired_ci_narrower": _finite_or_none(self.narrower),
                "effects": [{k: _finite_or_none(v) for k, v in asdict(e).items()}
                            for e in self.effects]}


def _finite_or_none(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def fork(scenario: Scenario, at: int | None = None, *, set: Mapping[str, Any] | None = None,
         pressure: Mapping[str, float] | None = None, move: Mapping[str, int] | None = None,
         drop: Sequence[str] = (), seeds: int | Sequence[int] = 100,
         master_seed: int | None = None) -> ForkResult:
    """Run every seed to day ``at``, then on in two branches: as it was, and with a change.

    Args:
        scenario: a validated scenario.
        at: the last day the branches share; the change acts from day ``at + 1``.
        set: parameter values by dotted path (see the module's text).
        pressure: pressure added on day ``at + 1``.
        move: new days of timeline shocks, by id.
        drop: ids of timeline shocks left out.
        seeds: how many pairs (seeds spawned from the master seed, as an ensemble's), or the
            seeds themselves.
        master_seed: the master seed (default: the scenario's ``run.seed``).

    Returns:
        Both branches of every seed, the changed scenario on as many independent seeds, and
        the effect on every outcome.

    Raises:
        ScenarioError: for a change the scenario cannot take (see :func:`branch`).
    """
    from sim.ensemble import seed_of

    change = Change(dict(set or {}), dict(pressure or {}), dict(move or {}), tuple(drop))
    at = fork_day(scenario, change, at)
    changed_scenario = branch(scenario, at, change)
    master = scenario.run.seed if master_seed is None else master_seed
    if isinstance(seeds, int):
        if seeds < 2:
            raise ScenarioError([Problem("--seeds", "seeds", f"{seeds} is too few for an "
                                         "interval", "at least 2")])
        n, pair_seeds = seeds, [seed_of(master, i) for i in range(seeds)]
    else:
        n, pair_seeds = len(seeds), [int(s) for s in seeds]
    others = [seed_of(master, n + i) for i in range(n)]
    as_was = _summaries(scenario, pair_seeds)
    changed = _summaries(changed_scenario, pair_seeds)
    independent = _summaries(changed_scenario, others)
    effects = [effect(name, as_was, changed, independent) for name in OUTCOMES]
    return ForkResult(scenario, changed_scenario, at, change, pair_seeds, as_was, changed,
                      others, independent, effects)


def _summaries(scenario: Scenario, seeds: list[int]) -> list[dict]:
    from sim.engine import run_block
    from sim.ensemble.runs import BLOCK_RUNS

    out: list[dict] = []
    for start in range(0, len(seeds), BLOCK_RUNS):
        out += run_block(scenario, seeds[start:start + BLOCK_RUNS], scenario.run.days, ())[0]
    return out
