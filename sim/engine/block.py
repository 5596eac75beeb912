"""A block of runs stepped together: the state of N runs as arrays, a day at a time.

:class:`Block` holds the same state as :class:`sim.model.ParleyModel`, with a value per run in
each field, and its day follows the model's stage by stage (the model's method names are kept
so that the two read side by side). The rules are the roles' and mechanisms' own
(:mod:`sim.agents`, :mod:`sim.mechanisms`): their array forms, ``<rule>_over_runs`` beside each
rule, or the rule itself where it is pure arithmetic. Every run draws the numbers its seed gives
(:class:`sim.randomness.Draws`), so a run in a block is the run the Mesa model makes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from sim.agents import government, insurgent, mediator
from sim.agents.base import COLLAPSED, COMPLETED, PRE, SESSION, SUSPENDED
from sim.engine.custody import Custody
from sim.engine.events import EventLog, Rounded
from sim.engine.exchange import Exchange
from sim.engine.params import Params, regimes
from sim.engine.view import BlockView
from sim.events import Actor, Event, EventKind
from sim.mechanisms import conditions, exchange, truce, violence
from sim.outputs import SERIES_COLUMNS
from sim.prisoners import prisoners_of
from sim.randomness import Draws, gamma_quantile
from sim.scenario import Scenario, ShockKind, Side

NEVER = -(10**9)


def _zeros(n: int, dtype=np.float64) -> np.ndarray:
    return np.zeros(n, dtype=dtype)


class Block(Exchange, BlockView):
    """Runs of scenarios that share their structure, stepped together.

    Args:
        scenarios: one scenario per run (often the same one).
        seeds: each run's seed.
        days: days every run lasts.
    """

    def __init__(self, scenarios: list[Scenario], seeds: list[int], days: int) -> None:
        n = self.n = len(seeds)
        self.scenarios, self.seeds, self.days = scenarios, list(seeds), days
        self.runs = np.arange(n)
        spec = scenarios[0]
        self.params = Params(scenarios)
        self.shocks: dict[int, list] = {}
        for shock, params in regimes(scenarios):
            self.shocks.setdefault(shock.day, []).append((shock, params))
        self.opens_by_shock = any(s.kind is ShockKind.TALKS_OPEN for s in spec.shocks)
        self.gov = Custody(prisoners_of(spec.pools.government_holds, "government_holds"), n)
        self.ins = Custody(prisoners_of(spec.pools.insurgent_holds, "insurgent_holds"), n)
        self.named_total = self.gov.prisoners.n_named
        self.draws = [Draws(seed, days) for seed in seeds]
        self.u = {name: np.stack([getattr(d, name) for d in self.draws])
                  for name in ("walkout", "resume", "strike", "attack_round", "attack_noise",
                               "frustration")}
        self._gammas: dict = {}
        self._gamma_u: np.ndarray | None = None
        self._lognormals: dict = {}
        self.day = 0
        self.talks = SimpleNamespace(
            phase=np.zeros(n, np.int64), opened=np.full(n, -1), without=np.zeros(n, np.int64),
            frustration=_zeros(n), trust=np.asarray(self.params.insurgent.trust_initial,
                                                    dtype=float) + _zeros(n),
            gap=_zeros(n), walkouts=np.zeros(n, np.int64), news=np.zeros(n, bool),
            conditions=[], positions=np.zeros((6, n), np.int64),  # demand, offer, bridge
            positioned=np.zeros(n, bool))
        self.round = SimpleNamespace(active=np.zeros(n, bool), **{
            k: np.zeros(n, np.int64) for k in ("size", "named", "verify_day", "released",
                                               "named_released", "ins_released")})
        self.pressure = SimpleNamespace(**{k: _zeros(n) for k in (
            "mediator", "humanitarian", "domestic", "insurgent", "disengagement")})
        self.fighting = SimpleNamespace(
            log=np.zeros((days + 8, n), np.int64),  # attacks, a row per day
            attacks=np.zeros(n, np.int64),
            casualties_expected=_zeros(n), airstrike=np.zeros(n, bool), recent=_zeros(n),
            damage=_zeros(n), capacity=np.ones(n), returned=_zeros(n), returning=_zeros(n),
            leaving=_zeros(n), failing=np.zeros(n, np.int64), truce=None,
            truce_today=np.zeros(n, bool))
        lead_max = int(np.max(self.params.insurgent.release_lead_days))
        self.ledger = SimpleNamespace(
            **{k: np.zeros(n, np.int64) for k in (
                "deal", "unilateral", "listed", "compliant_credit", "reciprocal", "goodwill",
                "government_today", "insurgent_today", "unverified", "news",
                "promised_total")},
            discounted=_zeros(n), verifying=_zeros(n), last_unilateral=np.full(n, NEVER),
            # Releases promised for a later day (a row per day) and those fallen due.
            due_r=np.zeros((days + lead_max + 2, n), np.int64),
            due_g=np.zeros((days + lead_max + 2, n), np.int64),
            pending_r=np.zeros(n, np.int64), pending_g=np.zeros(n, np.int64))
        self.tally = SimpleNamespace(**{k: np.full(n, -1) for k in (
            "first_gov", "first_ins", "first_walkout", "first_agreement", "first_unilateral",
            "first_unilateral_size", "completion", "collapse", "lapse", "recognition",
            "pattern_day", "pattern_size", "pattern_named")}, **{k: np.zeros(n, np.int64) for k in (
                "agreements", "unilaterals", "airstrikes", "shortfalls")},
            pattern_rejects=np.zeros(n, bool), pattern_ranked=np.zeros(n, bool))
        self.record = {name: np.zeros((days + 1, n)) for name in SERIES_COLUMNS}  # row a day
        self.log = EventLog()
        self._apply_shocks()  # shocks dated day 0 (and a deadline on day 0) act before day 1
        self._record()

    # The day

    def step(self) -> None:
        """Advance every run one day, in the order of :meth:`sim.model.ParleyModel.step`."""
        self.day += 1
        self.ledger.government_today[:] = 0
        self.ledger.insurgent_today[:] = 0
        self._apply_shocks()
        self._violence()
        self._negotiate()
        self._stall_and_walkout()
        self._unilateral_release()
        self._insurgent_releases()
        self._return_to_fight()
        self._check_end()
        self._record()

    def run(self, on_day: Callable[[int], None] | None = None) -> Block:
        """Run every day, calling ``on_day(day)`` after each."""
        while self.day < self.days:
            self.step()
            if on_day is not None:
                on_day(self.day)
        return self

    def events(self, run: int) -> list[Event]:
        """One run's events, as :class:`sim.model.ParleyModel` records them."""
        return self.log.of(run, self.scenarios[run].meta.sides)

    def _event(self, actor: Actor, kind: EventKind, where, **details) -> None:
        self.log.add(self.day, actor, kind, np.broadcast_to(where, self.n), **details)

    # 1. Shocks

    def _apply_shocks(self) -> None:
        p = self.pressure
        for shock, params in self.shocks.get(self.day, ()):
            d = shock.pressure
            p.mediator = np.maximum(0.0, p.mediator + d.mediator)
            p.humanitarian = np.maximum(0.0, p.humanitarian + d.humanitarian)
            p.domestic = np.maximum(0.0, p.domestic + d.domestic)
            p.insurgent = np.maximum(0.0, p.insurgent + d.insurgent)
            self.params = params
            self._event(Actor.WORLD, EventKind.SHOCK, True, shock=str(shock.kind),
                        label=shock.label, set=dict(shock.set))
            if shock.truce is not None:
                t = shock.truce
                self.fighting.truce = truce.begin_over_runs(t, self.n)
                self._event(Actor.WORLD, EventKind.TRUCE, True, days=t.days,
                            violence=t.violence, tied_to=t.tied_to and str(t.tied_to),
                            per_prisoners=t.per_prisoners)
            if shock.waive is not None:
                waived = np.zeros(self.n, bool)
                for c in self.talks.conditions:
                    if c.holder is shock.waive:
                        waived |= c.active
                        c.active[:] = False
                self._event(Actor(shock.waive.value), EventKind.WAIVER, waived,
                            holder=str(shock.waive))
            if shock.condition is not None:
                self._set_condition(shock.condition)
            if shock.kind is ShockKind.TALKS_OPEN:
                self._open_talks(np.ones(self.n, bool))
        if not self.opens_by_shock:
            self._open_talks(self.day == self.terms.deadline_day + np.zeros(self.n, np.int64))

    def _open_talks(self, where: np.ndarray) -> None:
        opening = where & (self.talks.phase == PRE)
        self.talks.phase[opening] = SESSION
        self.talks.opened[opening & (self.talks.opened < 0)] = self.day
        self._event(Actor.WORLD, EventKind.RESUMPTION, opening, opened=True)

    def _set_condition(self, spec) -> None:
        other = self.ins if spec.holder is Side.GOVERNMENT else self.gov
        self.talks.conditions.append(conditions.set_condition_over_runs(
            spec, other.prisoners.category_names, other.released_by_category))
        pools = self.scenarios[0].pools
        pool = pools.insurgent_holds if spec.holder is Side.GOVERNMENT else \
            pools.government_holds
        words = {c.name: c.words for c in pool.categories}
        self._event(Actor(spec.holder.value), EventKind.CONDITION, True,
                    holder=str(spec.holder), other=str(spec.holder.other), frees=spec.frees,
                    categories=" or ".join(words[c] for c in spec.categories))

    # 2. Violence

    def _gamma(self, shape) -> np.ndarray:
        key = shape if np.ndim(shape) == 0 else tuple(np.asarray(shape).tolist())
        found = self._gammas.get(key)
        if found is None:
            if self._gamma_u is None:
                self._gamma_u = np.stack([d.gamma_uniforms for d in self.draws])
            found = self._gammas[key] = gamma_quantile(
                self._gamma_u, shape if np.ndim(shape) == 0 else np.asarray(shape)[:, None])
        return found

    def _violence(self) -> None:
        s, f, talks, p, day = self.params, self.fighting, self.talks, self.pressure, self.day
        f.capacity = violence.capacity(f.returned, f.damage, s.conflict)
        t = f.truce
        f.truce_today = np.zeros(self.n, bool) if t is None else t.active.copy()
        intensity = insurgent.attack_intensity_over_runs(
            talks.phase, talks.frustration, f.capacity, s.insurgent
        ) * truce.violence_scale_over_runs(t)
        f.attacks = violence.attacks_over_runs(
            intensity, self._gamma(s.insurgent.attack_dispersion)[:, day],
            self.u["attack_noise"][:, day], self.u["attack_round"][:, day])
        f.casualties_expected = f.attacks * s.insurgent.casualties_per_attack
        f.log[day] = f.attacks
        f.recent = violence.mean_attacks_over_runs(f.log, day, violence.RECENT_DAYS)

        m = s.mediator
        f.airstrike = mediator.decide_strike_over_runs(f.recent, m, self.u["strike"][:, day])
        self.tally.airstrikes += f.airstrike
        f.damage = np.where(f.airstrike, violence.damage_after_strike(f.damage, m), f.damage)
        struck = insurgent.after_strike_over_runs(talks.frustration, talks.trust, s.insurgent)
        talks.frustration = np.where(f.airstrike, struck[0], talks.frustration)
        talks.trust = np.where(f.airstrike, struck[1], talks.trust)
        self._event(Actor.MEDIATOR, EventKind.AIRSTRIKE, f.airstrike,
                    attacks_recent=Rounded(f.recent, 1))
        f.damage = violence.repaired(f.damage, s.conflict)

        on_gov, on_ins = mediator.decide_pressure_over_runs(talks.phase, f.recent,
                                                            self.days_past_deadline(), m)
        p.mediator = mediator.pressure(p.mediator, on_gov, m)
        p.mediator = np.where(talks.news, p.mediator + mediator.walkout_response(m), p.mediator)
        talks.news = np.zeros(self.n, bool)
        p.insurgent = mediator.pressure(p.insurgent, on_ins, m)
        g = s.government
        p.domestic = government.domestic_opposition(p.domestic, f.recent / m.violence_reference,
                                                    g)
        p.humanitarian = government.humanitarian_pressure(p.humanitarian, g)
        p.disengagement = np.maximum(0.0, p.disengagement
                                     + mediator.disengagement_change_over_runs(talks.phase,
                                                                               f.recent, m))

    # 4. Stall and walkout

    def _lognormal(self, sigma) -> np.ndarray:
        key = sigma if np.ndim(sigma) == 0 else tuple(np.asarray(sigma).tolist())
        found = self._lognormals.get(key)
        if found is None:
            found = self._lognormals[key] = np.exp(sigma * self.u["frustration"].T
                                                  - 0.5 * sigma * sigma).T
        return found

    def _stall_and_walkout(self) -> None:
        s, talks, day = self.params, self.talks, self.day
        ins = s.insurgent
        pending = self.round.active
        added = insurgent.frustration_increment_over_runs(
            talks.phase, pending, talks.gap, self.days_past_deadline(),
            self._lognormal(ins.frustration_noise)[:, day], ins)
        talks.frustration = insurgent.frustration(talks.frustration, added, ins)
        talks.trust = insurgent.trust_after_day(talks.trust, ins)
        walks = insurgent.decide_walkout_over_runs(talks.phase, pending, talks.frustration, ins,
                                                   self.u["walkout"][:, day])
        resumes = ~walks & insurgent.decide_resume_over_runs(
            talks.phase, talks.trust, self.pressure.insurgent, ins, self.u["resume"][:, day])
        talks.phase = np.where(walks, SUSPENDED, np.where(resumes, SESSION, talks.phase))
        talks.walkouts += walks
        talks.news = talks.news | walks
        self.tally.first_walkout = np.where(walks & (self.tally.first_walkout < 0), day,
                                            self.tally.first_walkout)
        self._event(Actor.INSURGENT, EventKind.WALKOUT, walks,
                    frustration=Rounded(talks.frustration, 3), days_without_agreement=talks.without)
        talks.frustration = np.where(resumes, talks.frustration * insurgent.FRUSTRATION_KEPT,
                                     talks.frustration)
        talks.without = np.where(resumes, 0, talks.without)
        talks.positioned = talks.positioned & ~resumes
        self._event(Actor.INSURGENT, EventKind.RESUMPTION, resumes,
                    trust=Rounded(talks.trust, 3))

    # 7. Return to fight

    def _return_to_fight(self) -> None:
        f = self.fighting
        f.returning, arrived = violence.returns(f.returning, self.params.conflict)
        f.returned = f.returned + arrived
        f.returning = f.returning + f.leaving
        f.leaving = np.zeros(self.n)

    # 8. End

    def _check_end(self) -> None:
        f, talks, day = self.fighting, self.talks, self.day
        t = f.truce
        if t is not None:
            t.days_left = np.where(t.active, t.days_left - 1, t.days_left)
            t.held = np.where(t.active, t.held + 1, t.held)
            lapsing = t.active & (t.days_left <= 0)
            t.active = t.active & ~lapsing
            self.tally.lapse = np.where(lapsing & (self.tally.lapse < 0), day, self.tally.lapse)
            self._event(Actor.WORLD, EventKind.LAPSE, lapsing, held=t.held,
                        tied_to=t.tied_to and str(t.tied_to))
        live = (talks.phase != COMPLETED) & (talks.phase != COLLAPSED)
        for c in self.talks.conditions:
            met = c.active & live & (self.still_needed(c) == 0)
            c.active = c.active & ~met
            self._event(Actor(c.holder.value), EventKind.CONDITION_MET, met,
                        holder=str(c.holder))
        complete = live & exchange.is_complete_over_runs(
            self.government_remaining(), self.insurgent_remaining(), self.terms.completion_margin)
        talks.phase = np.where(complete, COMPLETED, talks.phase)
        self.tally.completion = np.where(complete, day, self.tally.completion)
        self._event(Actor.WORLD, EventKind.COMPLETION, complete, gov=self.gov.n_released,
                    ins=self.ins.n_released)
        live = live & ~complete
        s = self.params
        week = violence.mean_attacks_over_runs(f.log, day, violence.FAILING_DAYS)
        failing = violence.failing_over_runs(week, self.pressure.disengagement, s.conflict,
                                             s.mediator)
        f.failing = np.where(live, np.where(failing, f.failing + 1, 0), f.failing)
        collapse = live & (f.failing >= s.conflict.collapse_days)
        talks.phase = np.where(collapse, COLLAPSED, talks.phase)
        self.tally.collapse = np.where(collapse, day, self.tally.collapse)
        self._event(Actor.WORLD, EventKind.COLLAPSE, collapse, failing_days=f.failing)

    # 9. Record

    def _record(self) -> None:
        gov_asp, ins_asp = self.aspirations()
        values = {
            "day": np.full(self.n, self.day), "phase": self.talks.phase.copy(),
            "gov_released": self.gov.n_released.copy(), "ins_released": self.ins.n_released.copy(),
            "gov_held": self.gov.prisoners.size - self.gov.n_released,
            "ins_held": self.ins.prisoners.size - self.ins.n_released,
            "named_released": self.gov.n_named_released.copy(),
            "gov_deal_released": self.ledger.deal.copy(),
            "gov_unilateral_released": self.ledger.unilateral.copy(),
            "attacks": self.fighting.attacks.copy(),
            "casualties": self.fighting.casualties_expected.copy(),
            "airstrike": self.fighting.airstrike.copy(), "capacity": self.fighting.capacity.copy(),
            "returned_fighters": self.fighting.returned.copy(),
            "pressure_mediator": self.pressure.mediator.copy(),
            "pressure_humanitarian": self.pressure.humanitarian.copy(),
            "pressure_domestic": self.pressure.domestic.copy(),
            "pressure_on_insurgent": self.pressure.insurgent.copy(),
            "felt_pressure": self.felt_pressure(), "trust": self.talks.trust.copy(),
            "frustration": self.talks.frustration.copy(), "aspiration_gov": gov_asp,
            "aspiration_ins": ins_asp, "disengagement": self.pressure.disengagement.copy(),
            "truce": self.fighting.truce_today.copy(),
            "government_halted": self.halted(Side.GOVERNMENT),
            "unverified": self.ledger.unverified.copy(),
        }
        for name, value in values.items():
            self.record[name][self.day] = value
