"""Scenario schema, YAML loading with ``extends:``, overrides and JSON Schema export.

Every parameter is a field of a frozen pydantic model that forbids unknown keys and carries
bounds, a unit and a one-line meaning. Defaults live here and only here: the CLI, sweeps and
dashboards read them from these models.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from sim.errors import Problem, ScenarioError


def P(default: Any, unit: str, doc: str, **bounds: Any) -> Any:
    """Declare a parameter with its default, unit, one-line meaning and bounds."""
    return Field(default, description=doc, json_schema_extra={"unit": unit}, **bounds)


def rule(path: str, message: str, allowed: str) -> ValueError:
    """A broken cross-field rule: the field it concerns, what is wrong, what is allowed.

    ``path`` is relative to the model that checks the rule.
    """
    return ValueError(f"{path} :: {message} :: {allowed}")


class Frozen(BaseModel):
    """Base of every schema section: immutable, unknown keys forbidden."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


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


class Meta(Frozen):
    """What the scenario is and where its figures come from."""

    name: str = P("unnamed", "name", "short name of the scenario", min_length=1, max_length=80)
    description: str = P("", "text", "what the scenario represents", max_length=4000)
    start_date: date = P(date(2020, 1, 1), "date", "calendar date of day 0")
    sources: list[str] = P([], "text", "public sources the figures come from")
    reference_data: str | None = P(None, "path",
                                   "CSV of reported counts to compare runs with, relative to "
                                   "the scenario file")
    sides: Sides = P(Sides(), "section", "names of the three sides")
    pattern: PatternSpec = P(PatternSpec(), "section",
                             "criteria of the stall-then-unilateral-release pattern")


class Government(Frozen):
    """Parameters of the government: offers, acceptance, unilateral releases."""

    aspiration_max: float = P(0.95, "utility", "utility the government asks for when talks open",
                              ge=0, le=1)
    aspiration_min: float = P(0.45, "utility", "utility the government settles for at the horizon",
                              ge=0, le=1)
    concession_beta: float = P(1.0, "ratio",
                               "Faratin concession exponent (<1 holds out, >1 concedes early)",
                               gt=0, le=20)
    horizon_days: int = P(60, "days", "days of talks over which aspiration falls to its minimum",
                          ge=1, le=3650)
    pressure_concession: float = P(0.2, "utility/pressure",
                                   "aspiration given up per unit of felt pressure", ge=0, le=2)
    size_cost: float = P(0.3, "utility/round",
                         "utility lost per agreed round of prisoners released", ge=0, le=5)
    named_cost: float = P(0.6, "utility",
                          "utility lost (security cost) if every named senior is released",
                          ge=0, le=5)
    mediator_weight: float = P(1.0, "1", "weight of mediator pressure in felt pressure", ge=0, le=5)
    humanitarian_weight: float = P(1.0, "1", "weight of humanitarian pressure in felt pressure",
                                   ge=0, le=5)
    domestic_weight: float = P(1.0, "1",
                               "weight of domestic opposition, which counts against releasing",
                               ge=0, le=5)
    goodwill_threshold: float = P(1.0, "pressure",
                                  "felt pressure above which the government releases on its own",
                                  ge=0, le=10)
    stall_days: int = P(3, "days",
                        "days in session without agreement before talks count as stalled",
                        ge=0, le=365)
    unilateral_batch: int = P(100, "prisoners", "size of a unilateral release", ge=1, le=1_000_000)
    unilateral_cooldown: int = P(1, "days", "minimum days between two unilateral releases",
                                 ge=1, le=365)
    oath: bool = P(True, "flag", "prisoners released unilaterally must take an oath not to fight")
    domestic_violence_gain: float = P(0.02, "pressure/day",
                                      "domestic opposition added per day at reference violence",
                                      ge=0, le=1)
    domestic_senior_gain: float = P(0.05, "pressure/senior",
                                    "domestic opposition added per senior prisoner released",
                                    ge=0, le=1)
    domestic_decay: float = P(0.05, "1/day", "share of domestic opposition that fades each day",
                              ge=0, le=1)
    humanitarian_decay: float = P(0.02, "1/day",
                                  "share of humanitarian pressure that fades each day", ge=0, le=1)

    @model_validator(mode="after")
    def _aspiration_order(self) -> Government:
        if self.aspiration_min > self.aspiration_max:
            raise rule("aspiration_min", f"({self.aspiration_min}) exceeds aspiration_max "
                       f"({self.aspiration_max})", f"a value <= {self.aspiration_max}")
        return self


class Insurgent(Frozen):
    """Parameters of the insurgent: demands, patience, trust, releases and violence."""

    aspiration_max: float = P(1.0, "utility", "utility the insurgent asks for when talks open",
                              ge=0, le=1)
    aspiration_min: float = P(0.6, "utility", "utility the insurgent settles for at the horizon",
                              ge=0, le=1)
    concession_beta: float = P(1.0, "ratio",
                               "Faratin concession exponent (<1 holds out, >1 concedes early)",
                               gt=0, le=20)
    horizon_days: int = P(60, "days", "days of talks over which aspiration falls to its minimum",
                          ge=1, le=3650)
    pressure_concession: float = P(0.2, "utility/pressure",
                                   "aspiration given up per unit of mediator pressure on it",
                                   ge=0, le=2)
    demand_named: bool = P(True, "flag", "demands that the first round include the named seniors")
    named_weight: float = P(0.5, "utility",
                            "share of a proposal's value that lies in the named seniors",
                            ge=0, le=1)
    all_at_once: bool = P(False, "flag", "demands every committed prisoner in one round")
    patience: float = P(3.0, "frustration", "frustration at which the insurgent walks out",
                        gt=0, le=1000)
    frustration_rate: float = P(0.5, "frustration/day",
                                "frustration added per day in session at a full gap", ge=0, le=50)
    delay_frustration: float = P(0.05, "frustration/day",
                                 "frustration added per day past the deadline before talks",
                                 ge=0, le=50)
    frustration_decay: float = P(0.02, "1/day", "share of frustration that fades each day",
                                 ge=0, le=1)
    frustration_noise: float = P(0.3, "log-sd", "day-to-day noise on frustration increments",
                                 ge=0, le=3)
    walkout_sharpness: float = P(8.0, "1",
                                 "how sharply walkout odds rise as frustration nears patience",
                                 gt=0, le=1000)
    trust_initial: float = P(0.3, "trust", "trust in the government on day 0", ge=0, le=1)
    signal_gain: float = P(0.05, "trust/100 prisoners",
                           "trust gained per 100 prisoners released (a costly signal)", ge=0, le=1)
    trust_decay: float = P(0.0, "1/day", "share of trust lost each day", ge=0, le=1)
    resume_trust: float = P(0.6, "trust", "trust needed before it returns to talks", ge=0, le=1)
    resume_rate: float = P(0.1, "1/day",
                           "daily chance of returning once trust and the mediator's push suffice",
                           ge=0, le=1)
    noncompliance_discount: float = P(0.4, "1",
                                      "value of a release outside the agreed mechanism, "
                                      "relative to a compliant one", ge=0, le=1)
    welcome_trust: float = P(0.9, "trust",
                             "trust above which it welcomes a release outside the mechanism",
                             ge=0, le=1)
    goodwill_trust: float = P(0.5, "trust",
                              "trust above which it pays the (discounted) credit of releases "
                              "outside the mechanism; agreed rounds are repaid regardless",
                              ge=0, le=1)
    release_min_batch: int = P(20, "prisoners", "smallest group it releases at once",
                               ge=1, le=100_000)
    attacks_base: float = P(20.0, "attacks/day", "attacks a day at full capacity with no grievance",
                            ge=0, le=10_000)
    attack_frustration_gain: float = P(0.1, "1/frustration",
                                       "relative rise in attacks per unit of frustration",
                                       ge=0, le=10)
    attack_suspension_gain: float = P(0.2, "1",
                                      "relative rise in attacks while talks are suspended",
                                      ge=0, le=10)
    attack_dispersion: float = P(10.0, "1",
                                 "negative-binomial shape of daily attacks (large = Poisson)",
                                 gt=0, le=1e6)
    casualties_per_attack: float = P(0.5, "people/attack", "mean casualties per attack",
                                     ge=0, le=100)
    strike_grievance: float = P(0.2, "frustration", "frustration added by each airstrike",
                                ge=0, le=100)
    strike_trust_cost: float = P(0.02, "trust", "trust lost by each airstrike", ge=0, le=1)

    @model_validator(mode="after")
    def _aspiration_order(self) -> Insurgent:
        if self.aspiration_min > self.aspiration_max:
            raise rule("aspiration_min", f"({self.aspiration_min}) exceeds aspiration_max "
                       f"({self.aspiration_max})", f"a value <= {self.aspiration_max}")
        return self


class Mediator(Frozen):
    """Parameters of the mediator: pressure, bridging, verification, airstrikes."""

    leverage: float = P(1.0, "1", "multiplier on every pressure the mediator applies", ge=0, le=10)
    credibility: float = P(1.0, "1", "share of its pressure the sides take seriously", ge=0, le=1)
    deadline_pressure: float = P(0.01, "pressure/day",
                                 "pressure on the government per day past the deadline",
                                 ge=0, le=10)
    violence_pressure: float = P(0.005, "pressure/day",
                                 "pressure on the government per day at reference violence",
                                 ge=0, le=10)
    walkout_pressure: float = P(0.3, "pressure",
                                "pressure on the government when the insurgent walks out",
                                ge=0, le=10)
    suspension_pressure: float = P(0.0, "pressure/day",
                                   "pressure on the government per day the talks are suspended",
                                   ge=0, le=10)
    release_relief: float = P(0.2, "pressure/100 prisoners",
                              "pressure lifted from the government per 100 it releases",
                              ge=0, le=10)
    pressure_decay: float = P(0.02, "1/day", "share of mediator pressure that fades each day",
                              ge=0, le=1)
    insurgent_pressure: float = P(0.01, "pressure/day",
                                  "pressure on the insurgent per day at reference violence",
                                  ge=0, le=10)
    violence_reference: float = P(20.0, "attacks/day", "violence the mediator treats as normal",
                                  gt=0, le=10_000)
    bridge_named_share: float = P(0.5, "1", "share of named seniors its bridging proposal keeps",
                                  ge=0, le=1)
    verification_days: int = P(2, "days", "days to verify an agreed batch before release",
                               ge=0, le=365)
    strike_threshold: float = P(40.0, "attacks/day",
                                "3-day mean attacks above which it may strike", ge=0, le=10_000)
    strike_probability: float = P(0.3, "1/day", "daily chance of a strike above the threshold",
                                  ge=0, le=1)
    strike_effect: float = P(0.05, "1", "share of insurgent capacity a strike destroys",
                             ge=0, le=1)
    push_threshold: float = P(0.2, "pressure",
                              "pressure on the insurgent needed to bring it back to talks",
                              ge=0, le=10)
    disengage_rate: float = P(0.01, "1/day",
                              "disengagement added per day suspended at reference violence",
                              ge=0, le=10)
    disengage_recovery: float = P(0.02, "1/day", "disengagement lost per day talks are in session",
                                  ge=0, le=10)
    disengage_limit: float = P(1.0, "1", "disengagement beyond which the mediator gives up",
                               gt=0, le=100)


class Conflict(Frozen):
    """Fighting capacity, return to fight and the collapse rule."""

    capacity_recovery: float = P(0.05, "1/day",
                                 "share of strike damage to capacity repaired each day", ge=0, le=1)
    fighters_per_capacity: float = P(1000.0, "fighters",
                                     "returned fighters that add one unit of capacity",
                                     gt=0, le=1e9)
    return_base: float = P(0.1, "probability",
                           "chance that a freed prisoner in full health, not young, not senior "
                           "and not under oath returns (scaled by health)", ge=0, le=1)
    young_age: float = P(30.0, "years", "age under which a prisoner counts as young", ge=0, le=100)
    young_factor: float = P(1.5, "1", "multiplier on return for the young", ge=0, le=10)
    senior_factor: float = P(2.0, "1", "multiplier on return for seniors", ge=0, le=10)
    oath_factor: float = P(0.5, "1", "multiplier on return for those under oath", ge=0, le=1)
    return_delay_days: float = P(30.0, "days", "mean delay before a returning prisoner fights",
                                 ge=1, le=3650)
    collapse_violence: float = P(200.0, "attacks/day",
                                 "7-day mean attacks above which the process is failing",
                                 gt=0, le=1e6)
    collapse_days: int = P(30, "days", "consecutive failing days before the process collapses",
                           ge=1, le=3650)


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
                        "CSV with columns rank,age,health,sentence_days,listed,named, relative "
                        "to the scenario file; replaces the generated pool")

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
        return self


class Pools(Frozen):
    """The two prisoner pools."""

    government_holds: PoolSpec = P(PoolSpec(), "section", "the insurgents' fighters the "
                                   "government holds")
    insurgent_holds: PoolSpec = P(PoolSpec(size=200, listed=200), "section",
                                  "the government personnel the insurgent holds")


class Agreement(Frozen):
    """What the sides committed to and how releases must happen."""

    government_commitment: int = P(1000, "prisoners", "prisoners the government commits to free",
                                   ge=0, le=5_000_000)
    insurgent_commitment: int = P(200, "prisoners", "prisoners the insurgent commits to free",
                                  ge=0, le=5_000_000)
    ratio: float = P(5.0, "government/insurgent",
                     "prisoners the government frees per prisoner the insurgent frees", gt=0,
                     le=10_000)
    round_size: int = P(100, "prisoners", "government releases in one agreed round", ge=1,
                        le=5_000_000)
    batch_cap: int = P(100, "prisoners/day", "most prisoners a side can release in one day",
                       ge=1, le=5_000_000)
    deadline_day: int = P(10, "day", "day by which talks were due to begin", ge=0, le=36500)
    joint_verification: bool = P(True, "flag",
                                 "releases count as compliant only if jointly agreed and verified")


class ShockKind(StrEnum):
    """Kinds of exogenous event a timeline may hold."""

    DEADLINE = "deadline"
    DECREE = "decree"
    AID_CUT = "aid_cut"
    EPIDEMIC = "epidemic"
    TALKS_OPEN = "talks_open"
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
    label: str = P("", "text", "what happened, in a few words", max_length=300)
    source: str | None = P(None, "url", "where it was reported")
    pressure: PressureDelta = P(PressureDelta(), "section", "pressure added at once")
    set: dict[str, Any] = P({}, "overrides",
                            "parameters changed from this day on, by dotted path "
                            "(government.*, insurgent.*, mediator.*, conflict.*)")


class Run(Frozen):
    """How long to run and with which seed."""

    days: int = P(200, "days", "days to simulate", ge=1, le=36500)
    seed: int = P(0, "seed", "seed of the model's random generator", ge=0, le=2**63 - 1)


SETTABLE_SECTIONS = ("government", "insurgent", "mediator", "conflict")


class Scenario(Frozen):
    """A whole scenario: roles, pools, agreement, timeline and run settings."""

    meta: Meta = P(Meta(), "section", "name, description, dates and sources")
    government: Government = P(Government(), "section", "the government's parameters")
    insurgent: Insurgent = P(Insurgent(), "section", "the insurgent's parameters")
    mediator: Mediator = P(Mediator(), "section", "the mediator's parameters")
    conflict: Conflict = P(Conflict(), "section", "violence, capacity and collapse")
    pools: Pools = P(Pools(), "section", "the prisoner pools")
    agreement: Agreement = P(Agreement(), "section", "commitments and mechanism")
    timeline: list[Shock] = P([], "events", "dated exogenous shocks")
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
        for i, shock in enumerate(self.timeline):
            if shock.day > self.run.days:
                raise rule(f"timeline.{i}.day", f"({shock.day}) is after run.days "
                           f"({self.run.days})", f"a day from 0 to {self.run.days}")
        return self

    def content_hash(self) -> str:
        """Hash of everything that shapes a run except the seed (12 hex digits).

        Files count by their content, not their location, so the hash is the same in any
        checkout; the reference data shapes no run and is left out.
        """
        data = self.model_dump(mode="json")
        data["run"].pop("seed")
        data["meta"].pop("reference_data")
        for spec in data["pools"].values():
            if spec["csv"]:
                try:
                    spec["csv"] = hashlib.sha256(Path(spec["csv"]).read_bytes()).hexdigest()
                except OSError:
                    spec["csv"] = Path(spec["csv"]).name
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _line_index(node: yaml.Node, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path in a composed YAML document to its 1-based line."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            lines[path] = key.start_mark.line + 1
            lines.update(_line_index(value, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, i)
            lines[path] = item.start_mark.line + 1
            lines.update(_line_index(item, path))
    return lines


def _read_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "file not found",
                                     "an existing scenario file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot be read ({exc})",
                                     "a readable UTF-8 YAML file")]) from None
    loader = yaml.SafeLoader(text)
    try:  # one parse: the node gives line numbers, the data is built from it
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise ScenarioError([Problem(str(path), "", f"malformed YAML at {where}: {exc.problem}",
                                     "valid YAML", mark.line + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(str(path), "", f"malformed YAML: {exc}",
                                     "valid YAML")]) from None
    finally:
        loader.dispose()
    if data is None:
        raise ScenarioError([Problem(str(path), "", "the file is empty",
                                     "a mapping of sections (meta, government, ...)")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), "", f"top level is a {type(data).__name__}",
                                     "a mapping of sections (meta, government, ...)")])
    return data, (_line_index(node) if node is not None else {})


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict[tuple, tuple[str, int]]]:
    """Read a file and everything it extends; return data and where each key was set."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError([Problem(str(seen[-1]), "extends", f"extends loop: {chain}",
                                     "a chain of bases that ends in a file without extends")])
    data, lines = _read_yaml(path)
    _absolutise(data, path.parent)  # a file's references are relative to its own folder
    origin = {k: (str(path), line) for k, line in lines.items()}
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data, origin
    if not isinstance(base_ref, str):
        raise ScenarioError([Problem(str(path), "extends", f"is {base_ref!r}",
                                     "a path to a base scenario file")])
    base_path = (path.parent / base_ref)
    if not base_path.exists():
        raise ScenarioError([Problem(str(path), "extends",
                                     f"base file {base_ref!r} not found (looked at {base_path})",
                                     "a path relative to this file")])
    base, base_origin = _resolve(base_path, (*seen, path))
    return deep_merge(base, data), {**base_origin, **origin}


def _fields_at(loc: tuple) -> list[str]:
    """Valid field names of the schema section at ``loc`` (for suggestions)."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        inner = getattr(ann, "__args__", None)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif inner and isinstance(inner[0], type) and issubclass(inner[0], BaseModel):
            model = inner[0]
        else:
            return []
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _allowed(err: dict, loc: tuple) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "extra_forbidden":
        names = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return hint + "known keys: " + ", ".join(names)
    bounds = []
    for key, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if key in ctx:
            bounds.append(f"{sym} {ctx[key]}")
    if bounds:
        return "a value " + " and ".join(bounds)
    if "expected" in ctx:
        return str(ctx["expected"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return kind.replace("_parsing", "").replace("_type", "").replace("_", " ")
    return "see `parley describe` for the field's meaning and range"


def problems_from_validation(exc: ValidationError, origin: dict[tuple, tuple[str, int]],
                             default_file: str, prefix: tuple = ()) -> list[Problem]:
    """Turn pydantic errors into one :class:`Problem` per error, with file and line."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        msg, allowed = err["msg"].removeprefix("Value error, "), None
        if " :: " in msg:  # a cross-field rule names its own field, relative to loc
            rel, msg, allowed = msg.split(" :: ", 2)
            loc = (*loc, *(int(p) if p.isdigit() else p for p in rel.split(".")))
        file, line = default_file, None
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in origin:
                file, line = origin[loc[:cut]]
                break
        path = ".".join(str(p) for p in loc) or "(top level)"
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
            msg = f"{msg} (got {err['input']!r})"
        problems.append(Problem(file, path, msg, allowed or _allowed(err, loc), line))
    return problems


def parse_value(text: str) -> Any:
    """Parse a command-line value the way YAML would (``40`` → int, ``true`` → bool)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def field_at(path: str, source: str = "parameter path") -> FieldInfo:
    """The schema's field at a dotted path (e.g. ``"insurgent.patience"``).

    Raises:
        ScenarioError: for an unknown path, or one that goes on past a value; ``source``
            names where the path came from.
    """
    parts = path.split(".")
    model: Any = Scenario
    for i, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            names = list(fields or [])
            close = difflib.get_close_matches(part, names, n=1)
            hint = f"did you mean {'.'.join((*parts[:i], close[0]))!r}? " if close else ""
            raise ScenarioError([Problem(source, path, f"unknown parameter path ({part!r})",
                                         hint + "known here: " + ", ".join(names))])
        field = fields[part]
        ann = field.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
        if model is None and i < len(parts) - 1:
            raise ScenarioError([Problem(source, path, f"{part!r} is a value, not a section",
                                         "a path ending at a parameter")])
    return field


def _check_path(path: str, source: str) -> tuple[str, ...]:
    field_at(path, source)
    return tuple(path.split("."))


def apply_overrides(data: dict, overrides: dict[str, Any], source: str) -> dict:
    """Set dotted-path values in a raw scenario dict, refusing unknown paths."""
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        parts = _check_path(path, source)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ScenarioError([Problem(source, path, "parent is not a mapping",
                                             "a path into a section")])
        node[parts[-1]] = value
    return out


def _check_shock_sets(scenario: Scenario, origin: dict, file: str) -> None:
    """Shocks' ``set:`` must name settable parameters and keep the scenario valid.

    Changes are applied cumulatively in day order, as a run applies them, so that two
    changes that are valid alone but not together are caught here rather than mid-run.
    """
    problems = []
    data = scenario.model_dump(mode="json")
    order = sorted(range(len(scenario.timeline)), key=lambda i: scenario.timeline[i].day)
    for i in order:
        shock = scenario.timeline[i]
        line = origin.get(("timeline", i, "set"), (file, None))[1]
        settable = {}
        for path, value in shock.set.items():
            if path.split(".")[0] not in SETTABLE_SECTIONS:
                problems.append(Problem(file, f"timeline.{i}.set.{path}",
                                        "a shock can only change role or conflict parameters",
                                        "paths under " + ", ".join(SETTABLE_SECTIONS), line))
                continue
            try:
                _check_path(path, file)
            except ScenarioError as exc:
                problems.extend(Problem(file, f"timeline.{i}.set.{path}", pr.message,
                                        pr.allowed, line) for pr in exc.problems)
                continue
            settable[path] = value
        if not settable:
            continue
        try:
            data = apply_overrides(data, settable, file)
            Scenario.model_validate(data)
        except ValidationError as exc:
            problems.extend(Problem(file, f"timeline.{i}.set ({pr.field})",
                                    f"{pr.message} from day {shock.day} on", pr.allowed, line)
                            for pr in problems_from_validation(exc, {}, file))
            break
    if problems:
        raise ScenarioError(problems)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario file, following ``extends:`` and applying overrides.

    Args:
        path: YAML scenario file.
        overrides: dotted-path values (e.g. ``{"insurgent.patience": 40}``), as from ``--set``.

    Returns:
        The validated, frozen scenario. Relative file references are made absolute.

    Raises:
        ScenarioError: with one problem per thing wrong.
    """
    path = Path(path)
    data, origin = _resolve(path, ())
    if overrides:
        data = apply_overrides(data, overrides, "--set")
        for key in overrides:
            origin[tuple(key.split("."))] = ("--set", None)
    _absolutise(data, path.resolve().parent)  # relative paths given with --set
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, origin, str(path))) from None
    _check_shock_sets(scenario, origin, str(path))
    return scenario


def _absolutise(data: dict, folder: Path) -> None:
    """Make the file references of raw scenario data absolute (absolute ones stay as they are)."""
    meta = data.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("reference_data"), str):
        meta["reference_data"] = str((folder / meta["reference_data"]).resolve())
    pools = data.get("pools")
    if isinstance(pools, dict):
        for spec in pools.values():
            if isinstance(spec, dict) and isinstance(spec.get("csv"), str):
                spec["csv"] = str((folder / spec["csv"]).resolve())


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A validated copy of ``scenario`` with dotted-path values changed."""
    data = apply_overrides(scenario.model_dump(mode="json"), overrides, "overrides")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, {}, "overrides")) from None


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
