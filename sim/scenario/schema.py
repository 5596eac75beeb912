"""The scenario: meta, pools, agreement, timeline and run settings around the three roles.

Every parameter is a field of a frozen pydantic model that forbids unknown keys and carries
bounds, a unit and a one-line meaning. Defaults live here and in :mod:`sim.scenario.roles`
only: the CLI, sweeps and dashboards read them from these models.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.errors import ParleyError
from sim.files import MAX_CSV_BYTES, read_text
from sim.scenario.base import Frozen, P, rule
from sim.scenario.roles import Conflict, Government, Insurgent, Mediator
from sim.scenario.terms import Agreement, Category, ConditionSpec, Side, TruceSpec


class Sides(Frozen):
    """Names the scenario gives to the three generic roles."""

    government: str = P("Government", "name", "name of the side holding the insurgents' fighters",
                        min_length=1, max_length=60)
    insurgent: str = P("Insurgents", "name", "name of the side holding government personnel",
                       min_length=1, max_length=60)
    mediator: str = P("Mediator", "name", "name of the outside power that presses and bridges",
                      min_length=1, max_length=60)


class PatternSpec(Frozen):
    """What counts as the stall-then-unilateral-release pattern in this scenario."""

    window: int = P(3, "days", "days after a walkout within which the release must come, and "
                    "after the release in which the insurgent frees nobody", ge=0, le=365)
    walkout_days: tuple[int, int] | None = P(None, "days",
                                             "first and last day the walkout may fall on")
    release_size: tuple[int, int] | None = P(None, "prisoners",
                                             "smallest and largest unilateral release that counts")

    @field_validator("walkout_days", "release_size")
    @classmethod
    def _low_to_high(cls, span: tuple[int, int] | None) -> tuple[int, int] | None:
        if span is not None and not 0 <= span[0] <= span[1]:
            raise PydanticCustomError("range", "Input should run from low to high",
                                      {"expected": "[low, high] with 0 <= low <= high"})
        return span


class Meta(Frozen):
    """What the scenario is and where its figures come from."""

    name: str = P("unnamed", "name", "short name of the scenario", min_length=1, max_length=80)
    description: str = P("", "text", "what the scenario represents", max_length=4000)
    start_date: date = P(date(2020, 1, 1), "date", "calendar date of day 0")
    sources: list[str] = P([], "text", "public sources the figures come from")
    reference_data: str | None = P(None, "path",
                                   "CSV of reported counts to compare runs with, relative to "
                                   "the scenario file")
    targets: str | None = P(None, "path", "the case's targets (parley cases), relative to the "
                            "scenario file")
    reference_columns: dict[str, Literal["gov_released", "ins_released"]] = P(
        {}, "names", "the reference data's count columns and the series each is compared "
        "with (default: gov_released_cum, ins_released_cum, <insurgent>_released_cum)")
    sides: Sides = P(Sides(), "section", "names of the three sides")
    pattern: PatternSpec = P(PatternSpec(), "section",
                             "criteria of the stall-then-unilateral-release pattern")




class PoolSpec(Frozen):
    """How one side's prisoners are generated (or where they are loaded from)."""

    size: int = P(1000, "prisoners", "prisoners held", ge=1, le=5_000_000)
    listed: int = P(1000, "prisoners", "held prisoners on the other side's list", ge=0,
                    le=5_000_000)
    named: int = P(0, "prisoners", "listed prisoners the other side names individually", ge=0,
                   le=10_000)
    rank_shares: tuple[float, float, float] = P(
        (0.85, 0.13, 0.02), "shares", "shares of rank-and-file, mid-rank and senior prisoners")
    age_mean: float = P(32.0, "years", "mean age", ge=14, le=90)
    age_sd: float = P(9.0, "years", "standard deviation of age", ge=0, le=40)
    health_alpha: float = P(5.0, "1", "beta-distribution alpha of health (1 = healthy)", gt=0,
                            le=100)
    health_beta: float = P(2.0, "1", "beta-distribution beta of health", gt=0, le=100)
    sentence_mean_days: float = P(2000.0, "days", "mean remaining sentence", gt=0, le=36500)
    csv: str | None = P(None, "path",
                        "CSV with columns rank,age,health,sentence_days,listed,named (and "
                        "optionally category), relative to the scenario file; replaces the "
                        "generated pool")
    categories: list[Category] = P([], "list", "categories of prisoners, each a count or a "
                                   "share of the pool; one without either takes the rest "
                                   "(empty: a single category, all)")
    named_in: str | None = P(None, "name", "the category the named prisoners belong to "
                             "(default: any)")
    seed: int = P(0, "seed", "seed of the draw of this pool's prisoners: they are a fact of the "
                  "case, the same in every run; vary it to vary who they are", ge=0,
                  le=2**63 - 1)

    @model_validator(mode="after")
    def _counts(self) -> PoolSpec:
        if self.listed > self.size:
            raise rule("listed", f"more listed ({self.listed}) than held: size ({self.size})",
                       f"at most {self.size}")
        if self.named > self.listed:
            raise rule("named", f"more named ({self.named}) than listed ({self.listed})",
                       f"at most {self.listed}")
        if any(s < 0 for s in self.rank_shares) or abs(sum(self.rank_shares) - 1) > 1e-6:
            raise rule("rank_shares", f"{list(self.rank_shares)} do not sum to 1",
                       "three non-negative shares summing to 1")
        names = [c.name for c in self.categories]
        if len(set(names)) < len(names):
            raise rule("categories", f"names repeat ({names})", "distinct names")
        rest = [c.name for c in self.categories if c.count is None and c.share is None]
        if len(rest) > 1:
            raise rule("categories", f"{rest} all take the rest", "one category without a "
                       "count or share at most")
        counts = self.category_counts()
        if any(n < 0 for n in counts.values()):
            raise rule("categories", f"counts and shares exceed the pool's {self.size}",
                       f"at most {self.size} prisoners in all")
        if self.categories and sum(counts.values()) != self.size:
            raise rule("categories", f"add up to {sum(counts.values())} prisoners, not the "
                       f"pool's {self.size}", "counts and shares that cover the pool exactly, "
                       "or one category without either to take the rest")
        if self.named_in is not None and self.named_in not in counts:
            raise rule("named_in", f"({self.named_in!r}) is not a category of the pool",
                       ", ".join(counts) or "a category declared in categories")
        if self.named_in is not None and self.named > counts[self.named_in]:
            raise rule("named", f"({self.named}) exceeds the {counts[self.named_in]} prisoners "
                       f"of category {self.named_in}", f"at most {counts[self.named_in]}")
        return self

    def category_counts(self) -> dict[str, int]:
        """How many prisoners each category holds (a single ``all`` without categories).

        Shares are rounded to whole prisoners; a category without a count or share takes
        what the others leave.
        """
        if not self.categories:
            return {"all": self.size}
        fixed = {c.name: c.count if c.count is not None else round(c.share * self.size)
                 for c in self.categories if c.count is not None or c.share is not None}
        return {c.name: fixed.get(c.name, self.size - sum(fixed.values()))
                for c in self.categories}


class Pools(Frozen):
    """The two prisoner pools."""

    government_holds: PoolSpec = P(PoolSpec(), "section", "the insurgents' fighters the "
                                   "government holds")
    insurgent_holds: PoolSpec = P(PoolSpec(size=200, listed=200), "section",
                                  "the government personnel the insurgent holds")


class ShockKind(StrEnum):
    """Kinds of exogenous event a timeline may hold.

    A kind names what happened; what it does is in the shock's fields (pressure, set, truce,
    condition, waive). Only ``talks_open`` also acts by its kind: it opens the talks.
    """

    DEADLINE = "deadline"
    DECREE = "decree"
    AID_CUT = "aid_cut"
    EPIDEMIC = "epidemic"
    TALKS_OPEN = "talks_open"
    CEASEFIRE = "ceasefire"
    CONDITION = "condition"
    PLEDGE = "pledge"
    VERIFICATION = "verification"
    REFUSAL = "refusal"
    REFERRAL = "referral"
    ASSEMBLY = "assembly"
    APPROVAL = "approval"
    OBJECTION = "objection"
    TRANSFER = "transfer"
    OTHER = "other"


class PressureDelta(Frozen):
    """Pressure a shock adds (or removes) at once."""

    mediator: float = P(0.0, "pressure", "added to the mediator's pressure on the government",
                        ge=-10, le=10)
    humanitarian: float = P(0.0, "pressure", "added to humanitarian pressure", ge=-10, le=10)
    domestic: float = P(0.0, "pressure", "added to domestic opposition", ge=-10, le=10)
    insurgent: float = P(0.0, "pressure", "added to the mediator's pressure on the insurgent",
                         ge=-10, le=10)


class Shock(Frozen):
    """A dated exogenous event. It may change pressure or parameters, never decide an outcome."""

    day: int = P(0, "day", "day the shock happens", ge=0, le=36500)
    kind: ShockKind = P(ShockKind.OTHER, "kind", "what sort of event this is")
    id: str | None = P(None, "name", "a name by which a variant can leave the shock out",
                       pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = P("", "text", "what happened, in a few words", max_length=300)
    source: str | None = P(None, "url", "where it was reported")
    pressure: PressureDelta = P(PressureDelta(), "section", "pressure added at once")
    set: dict[str, Any] = P({}, "overrides",
                            "parameters changed from this day on, by dotted path "
                            "(government.*, insurgent.*, mediator.*, conflict.*, agreement.*)")
    truce: TruceSpec | None = P(None, "section", "a truce that begins this day")
    condition: ConditionSpec | None = P(None, "section",
                                        "a condition one side sets on its releases this day")
    waive: Side | None = P(None, "side", "the side whose conditions are lifted this day")


class Run(Frozen):
    """How long to run and with which seed."""

    days: int = P(200, "days", "days to simulate", ge=1, le=36500)
    seed: int = P(0, "seed", "seed of the model's random generator", ge=0, le=2**63 - 1)


SETTABLE_SECTIONS = ("government", "insurgent", "mediator", "conflict", "agreement")


class Scenario(Frozen):
    """A whole scenario: roles, pools, agreement, timeline and run settings."""

    meta: Meta = P(Meta(), "section", "name, description, dates and sources")
    government: Government = P(Government(), "section", "the government's parameters")
    insurgent: Insurgent = P(Insurgent(), "section", "the insurgent's parameters")
    mediator: Mediator = P(Mediator(), "section", "the mediator's parameters")
    conflict: Conflict = P(Conflict(), "section", "violence, capacity and collapse")
    pools: Pools = P(Pools(), "section", "the prisoner pools")
    agreement: Agreement = P(Agreement(), "section", "commitments and mechanism")
    timeline: list[Shock] = P([], "events", "dated exogenous shocks", max_length=1000)
    leave_out: list[str] = P([], "names", "ids of timeline shocks this scenario leaves out (a "
                             "counterfactual: what if it had not happened)")
    run: Run = P(Run(), "section", "run length and seed")

    @model_validator(mode="after")
    def _cross_field(self) -> Scenario:
        a, gov, ins = self.agreement, self.pools.government_holds, self.pools.insurgent_holds
        if a.government_commitment > gov.listed:
            raise rule("agreement.government_commitment",
                       f"({a.government_commitment}) exceeds the {gov.listed} prisoners listed "
                       "in pools.government_holds", f"at most {gov.listed}")
        if a.insurgent_commitment > ins.listed:
            raise rule("agreement.insurgent_commitment",
                       f"({a.insurgent_commitment}) exceeds the {ins.listed} prisoners listed "
                       "in pools.insurgent_holds", f"at most {ins.listed}")
        if a.ratio > gov.size or a.ratio * ins.size < 1 - 1e-9:
            raise rule("agreement.ratio", f"({a.ratio}) is impossible for pools of {gov.size} "
                       f"and {ins.size}", f"a ratio from 1/{ins.size} to {gov.size}")
        if a.insurgent_commitment and a.government_commitment / a.ratio > ins.size:
            raise rule("agreement.ratio", f"({a.ratio}) would oblige the insurgent to free "
                       f"{a.government_commitment / a.ratio:.0f} prisoners but it holds "
                       f"{ins.size}", f"a ratio of at least {a.government_commitment / ins.size:g}")
        if a.batch_cap > gov.size:
            raise rule("agreement.batch_cap", f"({a.batch_cap}) exceeds the government's pool "
                       f"({gov.size})", f"at most {gov.size}")
        if a.round_size > max(a.government_commitment, 1):
            raise rule("agreement.round_size", f"({a.round_size}) exceeds "
                       f"government_commitment ({a.government_commitment})",
                       f"at most {max(a.government_commitment, 1)}")
        if self.government.unilateral_batch > a.batch_cap:
            raise rule("government.unilateral_batch", f"({self.government.unilateral_batch}) "
                       f"exceeds agreement.batch_cap ({a.batch_cap})", f"at most {a.batch_cap}")
        # A shock dated after run.days is allowed: a shorter run simply ends before it.
        ids = [s.id for s in self.timeline if s.id is not None]
        if len(set(ids)) < len(ids):
            raise rule("timeline", f"shock ids repeat ({ids})", "distinct ids")
        unknown = [name for name in self.leave_out if name not in ids]
        if unknown:
            raise rule("leave_out", f"{unknown} name no shock of the timeline",
                       ", ".join(ids) or "ids given to timeline shocks")
        last = date.max - timedelta(days=self.run.days)  # every date of the run must exist
        if self.meta.start_date > last:
            raise rule("meta.start_date", f"({self.meta.start_date}) is too late for run.days "
                       f"({self.run.days}): the run would end after {date.max}",
                       f"a date up to {last}")
        self._check_categories()
        return self

    def _check_categories(self) -> None:
        """Every category an agreement, a bar or a condition names exists in the right pool."""
        held = {Side.GOVERNMENT: self.pools.government_holds.category_counts(),
                Side.INSURGENT: self.pools.insurgent_holds.category_counts()}
        named = [(f"{side}.{key}", getattr(getattr(self, side.value), key), side)
                 for side in Side for key in ("barred", "frees_first")]
        named += [(f"agreement.{side}_categories",
                   getattr(self.agreement, f"{side}_categories"), side) for side in Side]
        named += [(f"timeline.{i}.condition.categories", shock.condition.categories,
                   shock.condition.holder.other)
                  for i, shock in enumerate(self.timeline) if shock.condition is not None]
        for path, names, side in named:
            unknown = [n for n in names if n not in held[side]]
            if unknown:
                pool = "government_holds" if side is Side.GOVERNMENT else "insurgent_holds"
                raise rule(path, f"{unknown} are not categories of pools.{pool}",
                           ", ".join(held[side]))

    def content_hash(self) -> str:
        """Hash of everything that shapes a run except the seed (12 hex digits).

        Files count by their content, not their location, so the hash is the same in any
        checkout; the reference data shapes no run and is left out.
        """
        data = self.model_dump(mode="json")
        data["run"].pop("seed")
        data["meta"].pop("reference_data")
        data["meta"].pop("targets")
        for spec in data["pools"].values():
            if spec["csv"]:
                try:  # a bounded read: the path may name anything (see sim.files)
                    text = read_text(spec["csv"], limit=MAX_CSV_BYTES, expected="a CSV file")
                    spec["csv"] = hashlib.sha256(text.encode()).hexdigest()
                except ParleyError:
                    spec["csv"] = Path(spec["csv"]).name
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def shocks(self) -> list[Shock]:
        """The timeline's shocks that happen in this scenario: all but those left out."""
        return [s for s in self.timeline if s.id is None or s.id not in self.leave_out]

    def in_effect(self, day: int) -> Scenario:
        """The scenario as the timeline's shocks have changed it by the end of ``day``."""
        current = self
        for shock, regime in self.regimes:
            if shock.day > day:
                break
            current = regime
        return current

    @cached_property
    def regimes(self) -> tuple[tuple[Shock, Scenario], ...]:
        """Each shock of the timeline, in the order a run applies it, with what follows it.

        Each pair is a shock and the scenario in effect once it has happened. Shocks apply by
        day, and in the order listed within a day; each ``set:`` changes the parameters in
        effect, cumulatively. Worked out once per scenario: runs share it.
        """
        from sim.scenario.overrides import shock_regimes

        return shock_regimes(self)


def json_schema() -> dict:
    """JSON Schema of scenario files (with the loader's ``extends`` key)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Parley scenario"
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "path of a base scenario this file overrides, relative to this file",
    }
    return schema


def describe(scenario: Scenario) -> list[tuple[str, Any, str, str]]:
    """Every parameter as ``(path, value, unit, meaning)`` rows, in schema order."""
    rows: list[tuple[str, Any, str, str]] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            path = f"{prefix}{name}"
            if isinstance(value, BaseModel):
                walk(value, path + ".")
            elif name == "timeline":
                for i, shock in enumerate(value):
                    walk(shock, f"{path}.{i}.")
            else:
                extra = field.json_schema_extra or {}
                shown = value.value if hasattr(value, "value") else value
                rows.append((path, shown, str(extra.get("unit", "")), field.description or ""))

    walk(scenario, "")
    return rows
