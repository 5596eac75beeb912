"""The Parley model: wiring, the order of a day, and recording.

A day runs in the order of DESIGN.md, written out in :meth:`ParleyModel.step`:

1. shocks, 2. violence (and the mediator's reaction), 3. negotiation and agreed rounds,
4. stall and walkout, 5. unilateral release, 6. insurgent releases, 7. return to fight,
8. end (completion, conditions, truce, collapse), 9. record.

The state lives in named parts (:mod:`sim.state`) and the two prisoner pools; the rules that
change it are pure functions of the roles (:mod:`sim.agents`) and of the shared mechanisms
(:mod:`sim.mechanisms`). The model calls the rules, applies their results and records what
happened; how prisoners change hands is in :class:`sim.releases.Releases`, which this class
extends. Agents read a :class:`~sim.state.LiveView`, never the model.
"""

from __future__ import annotations

from operator import attrgetter

import mesa
import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.agents.base import (
    OVER,
    PHASE_CODES,
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Move,
    Phase,
    Proposal,
)
from sim.agents.government import GovernmentAgent
from sim.agents.insurgent import InsurgentAgent
from sim.agents.mediator import MediatorAgent
from sim.errors import Problem, ScenarioError
from sim.events import Actor, Event, EventKind
from sim.mechanisms import conditions, exchange, truce, violence
from sim.narrative import sentence
from sim.outputs import SERIES, SERIES_COLUMNS
from sim.pools import Pool
from sim.prisoners import prisoners_of
from sim.randomness import Draws
from sim.releases import Releases
from sim.scenario import Agreement, Scenario, Shock, ShockKind, Side
from sim.state import Condition, Fighting, Ledger, LiveView, Pressure, Round, Talks

_READ_ROW = attrgetter(*(c.source for c in SERIES))  # one call reads a day's record
_CASUALTIES = SERIES_COLUMNS.index("casualties")


class ParleyModel(Releases, mesa.Model):
    """A negotiated prisoner exchange between a government and an insurgent, with a mediator.

    Args:
        scenario: a validated scenario.
        seed: seed of the model's generator (default: the scenario's ``run.seed``).
        days: days to simulate (default: the scenario's ``run.days``); sizes the record.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None,
                 days: int | None = None) -> None:
        self.seed = scenario.run.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.spec = scenario
        # The parameters in effect: the scenario as the timeline's shocks have changed it so far.
        self.params = scenario
        self.days = scenario.run.days if days is None else int(days)
        # Every random number of the run, drawn now from its seed (see sim.randomness): the
        # ensemble engine reads the same ones, so the run is the same whichever runs it.
        self.draws = Draws(self.seed, self.days)
        pools = scenario.pools
        self.gov_pool = Pool(prisoners_of(pools.government_holds, "government_holds"))
        self.ins_pool = Pool(prisoners_of(pools.insurgent_holds, "insurgent_holds"))
        self._check_loaded_pools()

        self.day = 0
        self.talks = Talks(trust=scenario.insurgent.trust_initial)
        self.pressure = Pressure()
        self.fighting = Fighting(attack_log=[0] * (self.days + 8))
        self.ledger = Ledger()
        self.view = LiveView(self)

        self.government = GovernmentAgent(self)
        self.insurgent = InsurgentAgent(self, self.draws)
        self.mediator = MediatorAgent(self, self.draws)

        self._shocks: dict[int, list[tuple[Shock, Scenario]]] = {}  # regimes live as long
        self._allowed: dict[tuple, np.ndarray] = {}  # see Releases.allowed
        for shock, regime in scenario.regimes:
            self._shocks.setdefault(shock.day, []).append((shock, regime))
        self._opens_by_shock = any(s.kind is ShockKind.TALKS_OPEN for s in scenario.shocks)
        self._told: list[Event] = []  # events put in words (see ``events``)
        self._untold: list[tuple] = []  # and those still as recorded
        self._rows: list[tuple] = []
        self._casualties: list[int] = []
        self._apply_shocks()  # shocks dated day 0 (and a deadline on day 0) act before day 1
        self._record()

    def _check_loaded_pools(self) -> None:
        a = self.spec.agreement
        for pool, need, name in ((self.gov_pool, a.government_commitment, "government"),
                                 (self.ins_pool, a.insurgent_commitment, "insurgent")):
            if pool.n_listed < need:
                raise ScenarioError([Problem(
                    self.spec.meta.name, f"agreement.{name}_commitment",
                    f"exceeds the {pool.n_listed} listed prisoners of the loaded pool",
                    f"at most {pool.n_listed}")])

    # The day

    def step(self) -> None:
        """Advance one day, in the order documented at the top of this module."""
        self.day += 1
        self.ledger.government_today = self.ledger.insurgent_today = 0
        self._apply_shocks()            # 1. shocks
        self._violence()                # 2. violence, airstrikes, pressure
        self._negotiate()               # 3. negotiation and agreed rounds
        self._stall_and_walkout()       # 4. frustration, walkout, resumption
        self._unilateral_release()      # 5. unilateral release and the insurgent's verdict
        self._insurgent_releases()      # 6. recognition, reciprocity and goodwill
        self._return_to_fight()         # 7. released fighters return
        self._check_end()               # 8. completion, conditions, truce, collapse
        self._record()                  # 9. record the day

    def play(self, *moves: Move) -> None:
        """Advance one day with people's decisions for their seats; agents play the others.

        Each move's type names its seat (:class:`~sim.agents.base.GovernmentMove`, ...); a
        classroom room passes one move per seated person, role play passes one.
        """
        seats = {GovernmentMove: self.government, InsurgentMove: self.insurgent,
                 MediatorMove: self.mediator}
        agents = [seats[type(move)] for move in moves]
        for agent, move in zip(agents, moves, strict=True):
            agent.move = move
        try:
            self.step()
        finally:
            for agent in agents:
                agent.move = None

    def run(self) -> ParleyModel:
        """Run every remaining day."""
        while self.day < self.days:
            self.step()
        return self

    # What the model shows

    @property
    def terms(self) -> Agreement:
        """The agreement in effect."""
        return self.params.agreement

    @property
    def phase(self) -> Phase:
        """Where the talks stand."""
        return self.talks.phase

    @property
    def phase_code(self) -> int:
        """The phase as the number a series records."""
        return PHASE_CODES[self.talks.phase]

    @property
    def felt_pressure(self) -> float:
        """The government's net pressure to release."""
        return gov_rules.felt_pressure(self.view, self.params.government)

    @property
    def aspiration_government(self) -> float:
        """Utility the government holds out for today."""
        return gov_rules.aspiration(self.view, self.params.government)

    @property
    def aspiration_insurgent(self) -> float:
        """Utility the insurgent holds out for today."""
        return ins_rules.aspiration(self.view, self.params.insurgent)

    @property
    def names(self):
        """The scenario's names for the three sides."""
        return self.spec.meta.sides

    def still_needed(self, condition: Condition) -> int:
        """Prisoners the other side must still free to meet a condition."""
        other = self.ins_pool if condition.holder is Side.GOVERNMENT else self.gov_pool
        return conditions.still_needed(condition, other.released_by_category)

    @property
    def events(self) -> list[Event]:
        """What happened so far, in order, each event with its sentence.

        Events are kept as recorded and put in words when first read (most runs of an
        ensemble are never told), as the ensemble engine does.
        """
        if self._untold:
            names = self.names
            self._told.extend(Event(day, actor, kind, sentence(kind, actor, details, names),
                                    details) for day, actor, kind, details in self._untold)
            self._untold.clear()
        return self._told

    def _event(self, actor: Actor, kind: EventKind, **details) -> None:
        self._untold.append((self.day, actor, kind, details))

    def _set_phase(self, phase: Phase) -> None:
        self.talks.phase = phase
        if phase is Phase.IN_SESSION and self.talks.opened_day is None:
            self.talks.opened_day = self.day

    # 1. Shocks

    def _apply_shocks(self) -> None:
        p = self.pressure
        for shock, regime in self._shocks.get(self.day, ()):
            d = shock.pressure
            p.mediator = max(0.0, p.mediator + d.mediator)
            p.humanitarian = max(0.0, p.humanitarian + d.humanitarian)
            p.domestic = max(0.0, p.domestic + d.domestic)
            p.insurgent = max(0.0, p.insurgent + d.insurgent)
            self.params = regime
            self._event(Actor.WORLD, EventKind.SHOCK, shock=str(shock.kind), label=shock.label,
                        set=dict(shock.set))
            if shock.truce is not None:
                self._begin_truce(shock)
            if shock.waive is not None:
                self._waive(shock.waive)
            if shock.condition is not None:
                self._set_condition(shock)
            if shock.kind is ShockKind.TALKS_OPEN:
                self._open_talks()
        if not self._opens_by_shock and self.day == self.terms.deadline_day:
            self._open_talks()

    def _open_talks(self) -> None:
        if self.talks.phase is Phase.PRE_TALKS:
            self._set_phase(Phase.IN_SESSION)
            self._event(Actor.WORLD, EventKind.RESUMPTION, opened=True)

    def _begin_truce(self, shock: Shock) -> None:
        spec = shock.truce
        self.fighting.truce = truce.begin(spec)
        self._event(Actor.WORLD, EventKind.TRUCE, days=spec.days, violence=spec.violence,
                    tied_to=spec.tied_to and str(spec.tied_to), per_prisoners=spec.per_prisoners)

    def _set_condition(self, shock: Shock) -> None:
        spec = shock.condition
        other = self.ins_pool if spec.holder is Side.GOVERNMENT else self.gov_pool
        self.talks.conditions.append(conditions.set_condition(spec, other))
        pools = self.spec.pools
        spec_pool = pools.insurgent_holds if spec.holder is Side.GOVERNMENT else \
            pools.government_holds
        words = {c.name: c.words for c in spec_pool.categories}
        self._event(Actor(spec.holder.value), EventKind.CONDITION, holder=str(spec.holder),
                    other=str(spec.holder.other), frees=spec.frees,
                    categories=" or ".join(words[c] for c in spec.categories))

    def _waive(self, holder: Side) -> None:
        kept = [c for c in self.talks.conditions if c.holder is not holder]
        if len(kept) < len(self.talks.conditions):
            self.talks.conditions = kept
            self._event(Actor(holder.value), EventKind.WAIVER, holder=str(holder))

    # 2. Violence

    def _violence(self) -> None:
        s, f, talks, p, view = self.params, self.fighting, self.talks, self.pressure, self.view
        f.capacity = violence.capacity(f.returned_fighters, f.damage, s.conflict)
        f.truce_today = f.truce is not None
        intensity = ins_rules.attack_intensity(talks.phase, talks.frustration, s.insurgent,
                                               f.capacity) * truce.violence_scale(f.truce)
        d = self.draws
        f.attacks = violence.attacks(intensity, d.attack_gamma(s.insurgent.attack_dispersion),
                                     d.attack_noise, d.attack_round, self.day)
        # Expected casualties only: they feed back into nothing, so they are drawn at once,
        # on their own stream, when the series is read (see ``series``).
        f.casualties_expected = f.attacks * s.insurgent.casualties_per_attack
        f.attack_log[self.day] = f.attacks
        f.attacks_recent = violence.mean_attacks(f.attack_log, self.day, violence.RECENT_DAYS)

        f.airstrike = self.mediator.strikes(view, s.mediator)
        if f.airstrike:
            f.damage = violence.damage_after_strike(f.damage, s.mediator)
            talks.frustration, talks.trust = ins_rules.after_strike(talks.frustration,
                                                                    talks.trust, s.insurgent)
            self._event(Actor.MEDIATOR, EventKind.AIRSTRIKE,
                        attacks_recent=round(f.attacks_recent, 1))
        f.damage = violence.repaired(f.damage, s.conflict)

        push = self.mediator.push(view, s.mediator)
        p.mediator = med_rules.pressure(p.mediator, push.on_government, s.mediator)
        if talks.walkout_news:  # the mediator reacts to a walkout in its turn, the next day
            p.mediator += self.mediator.react_to_walkout(s.mediator)
            talks.walkout_news = False
        p.insurgent = med_rules.pressure(p.insurgent, push.on_insurgent, s.mediator)
        p.domestic = gov_rules.domestic_opposition(
            p.domestic, f.attacks_recent / s.mediator.violence_reference, s.government)
        p.humanitarian = gov_rules.humanitarian_pressure(p.humanitarian, s.government)
        p.disengagement = max(0.0, p.disengagement
                              + med_rules.disengagement_change(view, s.mediator))

    # 3. Negotiation

    def _negotiate(self) -> None:
        talks, s, view = self.talks, self.params, self.view
        talks.gap = 0.0
        if talks.round is not None:
            self._release_round()
            return
        if talks.phase is not Phase.IN_SESSION or view.government_remaining == 0:
            return
        demand = self.insurgent.demand(view, s.insurgent)
        offer = self.government.offer(view, s.government, demand)
        bridge = self.mediator.bridge(demand, offer, s.mediator)
        self._log_positions(demand, offer, bridge)
        deal = self._settle(demand, offer, bridge)
        if deal is None:
            talks.gap = 1.0 - ins_rules.utility(offer, demand, s.insurgent)
            talks.days_without_agreement += 1
            return
        talks.days_without_agreement = 0
        talks.frustration *= ins_rules.FRUSTRATION_KEPT
        verify = s.mediator.verification_days
        talks.round = Round(deal.size, deal.named, self.day + verify)
        self._event(Actor.MEDIATOR, EventKind.AGREEMENT, size=deal.size, named=deal.named,
                    verify_days=verify)
        self._release_round()

    def _settle(self, demand: Proposal, offer: Proposal, bridge: Proposal) -> Proposal | None:
        """The deal of the day, if any: the offer, else the demand, else the bridge."""
        s, view = self.params, self.view
        if self.insurgent.accepts(view, s.insurgent, offer, demand):
            return offer
        if self.government.accepts(view, s.government, demand):
            return demand
        if (self.government.accepts(view, s.government, bridge)
                and self.insurgent.accepts(view, s.insurgent, bridge, demand)):
            return bridge
        return None

    def _log_positions(self, demand: Proposal, offer: Proposal, bridge: Proposal) -> None:
        last = self.talks.positions
        if last == (demand, offer, bridge):
            return
        if last is None or last[0] != demand:
            self._event(Actor.INSURGENT, EventKind.DEMAND, size=demand.size, named=demand.named)
        if last is None or last[1] != offer:
            self._event(Actor.GOVERNMENT, EventKind.OFFER, size=offer.size, named=offer.named,
                        demanded_named=demand.named)
        if last is None or last[2] != bridge:
            self._event(Actor.MEDIATOR, EventKind.BRIDGE, size=bridge.size, named=bridge.named)
        self.talks.positions = (demand, offer, bridge)

    # 4. Stall and walkout

    def _stall_and_walkout(self) -> None:
        s, talks, view = self.params, self.talks, self.view
        added = self.insurgent.frustration_added(view, s.insurgent)
        talks.frustration = ins_rules.frustration(talks.frustration, added, s.insurgent)
        talks.trust = ins_rules.trust_after_day(talks.trust, s.insurgent)
        if talks.phase is not Phase.IN_SESSION and talks.phase is not Phase.SUSPENDED:
            return  # a walkout needs talks in session, a return suspended talks
        if self.insurgent.walks_out(view, s.insurgent):
            self._set_phase(Phase.SUSPENDED)
            talks.walkouts += 1
            talks.walkout_news = True
            self._event(Actor.INSURGENT, EventKind.WALKOUT,
                        frustration=round(talks.frustration, 3),
                        days_without_agreement=talks.days_without_agreement)
        elif self.insurgent.resumes(view, s.insurgent):
            self._set_phase(Phase.IN_SESSION)
            talks.frustration *= ins_rules.FRUSTRATION_KEPT
            talks.days_without_agreement = 0
            talks.positions = None
            self._event(Actor.INSURGENT, EventKind.RESUMPTION, trust=round(talks.trust, 3))

    # 7. Return to fight

    def _return_to_fight(self) -> None:
        f = self.fighting
        f.returning, arrived = violence.returns(f.returning, self.params.conflict)
        f.returned_fighters += arrived
        f.returning += f.leaving
        f.leaving = 0.0

    # 8. End

    def _check_end(self) -> None:
        self._count_down_truce()
        if self.talks.phase in OVER:
            return
        self._lift_met_conditions()
        if exchange.is_complete(self.view, self.terms.completion_margin):
            self._set_phase(Phase.COMPLETED)
            self._event(Actor.WORLD, EventKind.COMPLETION, gov=self.gov_pool.n_released,
                        ins=self.ins_pool.n_released)
            return
        s, f = self.params, self.fighting
        week = violence.mean_attacks(f.attack_log, self.day, violence.FAILING_DAYS)
        failing = violence.failing(week, self.pressure.disengagement, s.conflict, s.mediator)
        f.failing_days = f.failing_days + 1 if failing else 0
        if f.failing_days >= s.conflict.collapse_days:
            self._set_phase(Phase.COLLAPSED)
            self._event(Actor.WORLD, EventKind.COLLAPSE, failing_days=f.failing_days)

    def _count_down_truce(self) -> None:
        t = self.fighting.truce
        if t is None:
            return
        t.days_left -= 1
        t.held += 1
        if t.days_left <= 0:
            self.fighting.truce = None
            self._event(Actor.WORLD, EventKind.LAPSE, held=t.held,
                        tied_to=t.tied_to and str(t.tied_to))

    def _lift_met_conditions(self) -> None:
        for condition in list(self.talks.conditions):
            if self.still_needed(condition) == 0:
                self.talks.conditions.remove(condition)
                self._event(Actor(condition.holder.value), EventKind.CONDITION_MET,
                            holder=str(condition.holder))

    # 9. Record

    def _record(self) -> None:
        self._rows.append(_READ_ROW(self))

    def columns(self, upto: int | None = None) -> dict[str, np.ndarray]:
        """The daily record as one array per column of :data:`sim.outputs.SERIES`.

        Args:
            upto: last day to include (default: every day of the run).
        """
        rows = self.series if upto is None else self.series[:upto + 1]
        return {name: rows[:, i].copy() for i, name in enumerate(SERIES_COLUMNS)}

    @property
    def series(self) -> np.ndarray:
        """The daily record so far: a row per day (NaN for days not yet run)."""
        out = np.full((self.days + 1, len(SERIES_COLUMNS)), np.nan)
        n = len(self._rows)
        out[:n] = self._rows
        # Casualties are recorded as expected counts and drawn here, on their own stream.
        # Draws are sequential, so extending the prefix gives the same values whenever the
        # series is read.
        drawn = len(self._casualties)
        if drawn < n:
            self._casualties.extend(self.draws.casualties(out[drawn:n, _CASUALTIES]).tolist())
        out[:n, _CASUALTIES] = self._casualties
        return out
