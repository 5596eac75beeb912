"""The Parley model: wiring, the order of a day, and recording.

A day runs in the order of DESIGN.md, written out in :meth:`ParleyModel.step`:

1. shocks, 2. violence (and the mediator's reaction), 3. negotiation, 4. stall and walkout,
5. unilateral release, 6. insurgent releases, 7. return to fight, 8. end, 9. record.

Only the model changes shared state; agents see a frozen :class:`~sim.agents.base.View`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.agents.base import (
    PHASE_CODES,
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Move,
    Phase,
    Proposal,
    View,
)
from sim.agents.government import GovernmentAgent
from sim.agents.insurgent import InsurgentAgent
from sim.agents.mediator import MediatorAgent
from sim.errors import Problem, ScenarioError
from sim.events import Actor, Event, EventKind
from sim.pools import Pool, ReleaseMode, build_pool
from sim.scenario import Scenario, ShockKind, with_overrides

SERIES_COLUMNS = (
    "day", "phase", "gov_released", "ins_released", "gov_held", "ins_held", "named_released",
    "gov_deal_released", "gov_unilateral_released", "attacks", "casualties", "airstrike",
    "capacity", "returned_fighters", "pressure_mediator", "pressure_humanitarian",
    "pressure_domestic", "pressure_on_insurgent", "felt_pressure", "trust", "frustration",
    "aspiration_gov", "aspiration_ins", "disengagement",
)
COLUMN = {name: i for i, name in enumerate(SERIES_COLUMNS)}  # index of each series column

# ``tuple.__new__`` builds a View without the generated ``__new__``'s call: views are many.
_new_view = tuple.__new__

_PATCH_CACHE: dict[tuple[int, str], tuple[Scenario, Scenario]] = {}


def _patched(params: Scenario, changes: dict) -> Scenario:
    """``with_overrides`` memoised per (immutable) scenario object and change set."""
    key = (id(params), repr(sorted(changes.items())))
    hit = _PATCH_CACHE.get(key)
    if hit is None or hit[0] is not params:
        if len(_PATCH_CACHE) > 256:
            _PATCH_CACHE.clear()
        hit = (params, with_overrides(params, changes))
        _PATCH_CACHE[key] = hit
    return hit[1]


STREAMS = ("pool_government", "pool_insurgent", "environment", "returns", "insurgent",
           "mediator", "casualties")


@dataclass
class Batch:
    """An agreed round on its way through verification and release."""

    size: int
    named: int
    verify_day: int
    released: int = 0
    named_released: int = 0


class ParleyModel(mesa.Model):
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
        self.params = scenario
        self.days = scenario.run.days if days is None else int(days)
        # Each source of randomness draws from its own stream spawned from the model's
        # SeedSequence, so a change in one agent's draws does not shift the shocks or violence.
        children = self.rng.bit_generator.seed_seq.spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(s) for name, s in zip(STREAMS, children,
                                                                             strict=True)}
        pools = scenario.pools
        self.gov_pool: Pool = build_pool(pools.government_holds, "government_holds",
                                         self.streams["pool_government"])
        self.ins_pool: Pool = build_pool(pools.insurgent_holds, "insurgent_holds",
                                         self.streams["pool_insurgent"])
        self._check_loaded_pools()

        self.government = GovernmentAgent(self)
        self.insurgent = InsurgentAgent(self, self.streams["insurgent"])
        self.mediator = MediatorAgent(self, self.streams["mediator"])

        self.day = 0
        self.phase = Phase.PRE_TALKS
        self.talks_opened_day: int | None = None
        self.days_without_agreement = 0
        self.last_unilateral_day = -10**9
        self.batch: Batch | None = None
        self.frustration = 0.0
        self.trust = scenario.insurgent.trust_initial
        self.p_mediator = 0.0
        self.p_humanitarian = 0.0
        self.p_domestic = 0.0
        self.p_insurgent = 0.0
        self.disengagement = 0.0
        self.damage = 0.0
        self.capacity = 1.0
        self.returned_fighters = 0
        self.failing_days = 0
        self.deal_released = 0
        self.unilateral_released = 0
        self.gov_released_listed = 0
        self.discounted_value = 0.0
        self.compliant_credit = 0
        self.ins_reciprocal_released = 0
        self.ins_goodwill_released = 0
        self.walkouts = 0
        self._walkout_news = False
        self.attacks_today = 0
        self.casualties_expected = 0.0
        # The view of the last stages of a day, kept while nothing it shows has changed.
        self._tail_view: View | None = None
        self._casualties: list[int] = []
        self.airstrike_today = False
        self.attacks_recent = 0.0
        self._attack_log = [0] * (self.days + 8)
        a = scenario.agreement  # not settable by shocks: constant over a run
        self._deadline, self._ratio, self._round_size = a.deadline_day, a.ratio, a.round_size
        self._gov_commitment = a.government_commitment
        self._ins_commitment = a.insurgent_commitment
        self._returns_by_day = np.zeros(self.days + 2, dtype=np.int64)
        self._last_positions: tuple[Proposal, Proposal, Proposal] | None = None
        self._shocks = {}
        for shock in scenario.timeline:
            self._shocks.setdefault(shock.day, []).append(shock)
        self._opens_by_shock = any(s.kind is ShockKind.TALKS_OPEN for s in scenario.timeline)

        self._count_ledger()
        self.events: list[Event] = []
        self._rows: list[tuple] = []
        self._gov_today = 0
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
        self._gov_today = 0
        self._apply_shocks()            # 1. shocks
        self._violence()                # 2. violence, airstrikes, pressure
        self._negotiate()               # 3. negotiation and agreed releases
        self._stall_and_walkout()       # 4. frustration, walkout, resumption
        self._unilateral_release()      # 5. unilateral release and the insurgent's verdict
        self._insurgent_releases()      # 6. reciprocity and goodwill
        self._return_to_fight()         # 7. released fighters return
        self._check_end()               # 8. completion or collapse
        self._record()                  # 9. record the day

    def play(self, move: Move) -> None:
        """Advance one day with a person's decision for one seat; agents play the others.

        The move's type names the seat (:class:`~sim.agents.base.GovernmentMove`, ...).
        """
        agent = {GovernmentMove: self.government, InsurgentMove: self.insurgent,
                 MediatorMove: self.mediator}[type(move)]
        agent.move = move
        try:
            self.step()
        finally:
            agent.move = None

    def run(self) -> ParleyModel:
        """Run every remaining day."""
        while self.day < self.days:
            self.step()
        return self

    # Views and helpers

    def view(self) -> View:
        """The frozen view of the exchange that every role observes today."""
        day = self.day
        opened = self.talks_opened_day
        deadline = self._deadline
        return _new_view(View, (
            day,
            self.phase,
            0 if opened is None else day - opened,
            self.days_without_agreement,
            day - deadline if day > deadline else 0,
            *self._ledger,
            self.batch is not None,
            self.last_unilateral_day,
            self.attacks_recent,
            self.frustration,
            self.trust,
            self.p_mediator,
            self.p_humanitarian,
            self.p_domestic,
            self.p_insurgent,
            self.disengagement,
        ))

    def _count_ledger(self) -> None:
        """Recount the view's fields from ``round_size`` to ``insurgent_owed_goodwill``.

        They change only when prisoners are freed or a release is judged, so the model calls
        this then, and views copy the counts instead of working them out several times a day.
        """
        ratio = self._ratio
        owed_deal = (math.floor((self.deal_released + self.compliant_credit) / ratio)
                     - self.ins_reciprocal_released)
        owed_goodwill = math.floor(self.discounted_value / ratio) - self.ins_goodwill_released
        gov_left = self._gov_commitment - self.gov_released_listed
        ins_left = self._ins_commitment - self.ins_pool.n_released
        self._ledger = (
            self._round_size,
            self.gov_pool.n_named,
            self.gov_pool.n_named_released,
            gov_left if gov_left > 0 else 0,
            ins_left if ins_left > 0 else 0,
            self.deal_released,
            self.unilateral_released,
            self.ins_pool.n_released,
            owed_deal if owed_deal > 0 else 0,
            owed_goodwill if owed_goodwill > 0 else 0,
        )

    @property
    def names(self):
        """The scenario's names for the three sides."""
        return self.spec.meta.sides

    def _event(self, actor: Actor, kind: EventKind, sentence: str, **details) -> None:
        self.events.append(Event(self.day, actor, kind, sentence, details))

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._tail_view = None
        if phase is Phase.IN_SESSION and self.talks_opened_day is None:
            self.talks_opened_day = self.day

    # 1. Shocks

    def _apply_shocks(self) -> None:
        for shock in self._shocks.get(self.day, ()):
            d = shock.pressure
            self.p_mediator = max(0.0, self.p_mediator + d.mediator)
            self.p_humanitarian = max(0.0, self.p_humanitarian + d.humanitarian)
            self.p_domestic = max(0.0, self.p_domestic + d.domestic)
            self.p_insurgent = max(0.0, self.p_insurgent + d.insurgent)
            if shock.set:
                self.params = params = _patched(self.params, shock.set)
                self.government.params = params.government
                self.insurgent.params = params.insurgent
                self.mediator.params = params.mediator
            self._event(Actor.WORLD, EventKind.SHOCK, shock.label or f"a {shock.kind} shock.",
                        shock=str(shock.kind), set=dict(shock.set))
            if shock.kind is ShockKind.TALKS_OPEN:
                self._open_talks()
        if not self._opens_by_shock and self.day == self.params.agreement.deadline_day:
            self._open_talks()

    def _open_talks(self) -> None:
        if self.phase is Phase.PRE_TALKS:
            self._set_phase(Phase.IN_SESSION)
            self._event(Actor.WORLD, EventKind.RESUMPTION,
                        f"talks between the {self.names.government} and the "
                        f"{self.names.insurgent} open.", opened=True)

    # 2. Violence

    def _violence(self) -> None:
        p, env = self.params, self.streams["environment"]
        capacity = (1.0 + self.returned_fighters / p.conflict.fighters_per_capacity) * (
            1.0 - self.damage)
        lam = ins_rules.attack_intensity(self.phase, self.frustration, p.insurgent, capacity)
        k = p.insurgent.attack_dispersion
        attacks = int(env.negative_binomial(k, k / (k + lam))) if lam > 0 else 0
        self.attacks_today = attacks
        # Expected casualties only: they feed back into nothing, so they are drawn at once,
        # on their own stream, when the series is read (see ``series``).
        self.casualties_expected = attacks * p.insurgent.casualties_per_attack
        self._attack_log[self.day] = attacks
        lo = max(1, self.day - 2)
        self.attacks_recent = float(sum(self._attack_log[lo:self.day + 1])) / (self.day + 1 - lo)
        self.capacity = capacity

        view = self.view()
        self.airstrike_today = self.mediator.strikes(view)
        if self.airstrike_today:
            self.damage += p.mediator.strike_effect * (1.0 - self.damage)
            self.frustration += p.insurgent.strike_grievance
            self.trust = max(0.0, self.trust - p.insurgent.strike_trust_cost)
            self._event(Actor.MEDIATOR, EventKind.AIRSTRIKE,
                        f"the {self.names.mediator} strikes the {self.names.insurgent} after "
                        f"{view.attacks_recent:.0f} attacks a day.",
                        attacks_recent=round(view.attacks_recent, 1))
        self.damage *= 1.0 - p.conflict.capacity_recovery

        push = self.mediator.push(view)
        decay = 1.0 - p.mediator.pressure_decay
        self.p_mediator = self.p_mediator * decay + push.on_government
        if self._walkout_news:
            # The mediator learns of a walkout and reacts in its own turn, the next day (a
            # person in the mediator's seat decides the reaction themselves).
            if self.mediator.move is None:
                self.p_mediator += med_rules.walkout_response(p.mediator)
            self._walkout_news = False
        self.p_insurgent = self.p_insurgent * decay + push.on_insurgent
        violence = view.attacks_recent / p.mediator.violence_reference
        self.p_domestic = (self.p_domestic * (1.0 - p.government.domestic_decay)
                           + p.government.domestic_violence_gain * violence)
        self.p_humanitarian *= 1.0 - p.government.humanitarian_decay
        self.disengagement = max(0.0, self.disengagement
                                 + med_rules.disengagement_change(view, p.mediator))

    # 3. Negotiation

    def _negotiate(self) -> None:
        self._gap = 0.0
        if self.batch is not None:
            self._release_batch()
            return
        if self.phase is not Phase.IN_SESSION:
            return
        view = self.view()
        if view.government_remaining == 0:
            return
        demand = self.insurgent.demand(view)
        offer = self.government.offer(view, demand)
        bridge = self.mediator.bridge(demand, offer)
        self._log_positions(demand, offer, bridge)
        deal = None
        if self.insurgent.accepts(view, offer, demand):
            deal = offer
        elif self.insurgent.move is not None:
            pass  # a person in the insurgent's seat answered the offer: no other deal today
        elif self.government.accepts(view, demand):
            deal = demand
        elif (self.government.accepts(view, bridge)
              and self.insurgent.accepts(view, bridge, demand)):
            deal = bridge
        if deal is None:
            self._gap = 1.0 - ins_rules.utility(offer, demand, self.params.insurgent)
            self.days_without_agreement += 1
            return
        self.days_without_agreement = 0
        self.frustration *= 0.5
        verify = self.params.mediator.verification_days
        self.batch = Batch(deal.size, deal.named, self.day + verify)
        self._event(Actor.MEDIATOR, EventKind.AGREEMENT,
                    f"the sides agree on a round of {deal.size} prisoners"
                    f"{f', {deal.named} of them named' if deal.named else ''}, to be verified "
                    f"in {verify} days.", size=deal.size, named=deal.named)
        self._release_batch()

    def _log_positions(self, demand: Proposal, offer: Proposal, bridge: Proposal) -> None:
        if self._last_positions == (demand, offer, bridge):
            return
        last = self._last_positions
        n = self.names
        if last is None or last[0] != demand:
            named = f", including the {demand.named} named senior commanders" if demand.named \
                else ""
            self._event(Actor.INSURGENT, EventKind.DEMAND,
                        f"the {n.insurgent} demand a round of {demand.size}{named}.",
                        size=demand.size, named=demand.named)
        if last is None or last[1] != offer:
            named = f", {offer.named} of them named" if offer.named else \
                (", without the named commanders" if demand.named else "")
            self._event(Actor.GOVERNMENT, EventKind.OFFER,
                        f"the {n.government} offer {offer.size} prisoners{named}.",
                        size=offer.size, named=offer.named)
        if last is None or last[2] != bridge:
            self._event(Actor.MEDIATOR, EventKind.BRIDGE,
                        f"the {n.mediator} propose {bridge.size} with {bridge.named} named.",
                        size=bridge.size, named=bridge.named)
        self._last_positions = (demand, offer, bridge)

    def _release_batch(self) -> None:
        batch = self.batch
        if batch is None or self.day < batch.verify_day:
            return
        cap = self.params.agreement.batch_cap
        want = min(cap, batch.size - batch.released)
        idx = self.gov_pool.take("named", min(want, batch.named - batch.named_released))
        if idx.size < want:
            rest = self.gov_pool.take("cost", want - idx.size)
            idx = np.concatenate([idx, rest]) if idx.size else rest
        if idx.size:
            named = self._free_government(idx, ReleaseMode.DEAL, oath=False)
            batch.released += idx.size
            batch.named_released += named
            self._event(Actor.GOVERNMENT, EventKind.RELEASE,
                        f"the {self.names.government} release {idx.size} prisoners under the "
                        f"agreed mechanism{f', {named} of them named' if named else ''}.",
                        size=int(idx.size), named=named, mode="deal")
        if batch.released >= batch.size or idx.size < want:
            self.batch = None

    def _free_government(self, idx: np.ndarray, mode: ReleaseMode, oath: bool) -> int:
        """Free the government's rows ``idx``; returns how many of them were named."""
        p = self.params
        named, seniors, listed = self.gov_pool.release(idx, self.day, mode, oath)
        size = idx.size
        self._gov_today += size
        # Freeing senior commanders stirs domestic opposition.
        self.p_domestic += p.government.domestic_senior_gain * seniors
        days = self.gov_pool.draw_returns(idx, self.day, oath, p.conflict,
                                          self.streams["returns"])
        # Returns after the last day land in a spare slot that is never read.
        np.add.at(self._returns_by_day, np.minimum(days, self.days + 1), 1)
        self.gov_released_listed += listed
        if mode is ReleaseMode.DEAL:
            self.deal_released += size
        else:
            self.unilateral_released += size
        self.p_mediator = max(0.0, self.p_mediator - med_rules.release_relief(p.mediator, size))
        self.trust = min(1.0, self.trust + ins_rules.trust_gain(p.insurgent, size))
        self._count_ledger()
        return named

    # 4. Stall and walkout

    def _stall_and_walkout(self) -> None:
        p = self.params.insurgent
        phase = self.phase
        late = self.day - self._deadline
        increment = self.insurgent.frustration_increment(phase, self.batch is not None,
                                                         late if late > 0 else 0, self._gap)
        self.frustration = self.frustration * (1.0 - p.frustration_decay) + increment
        self.trust *= 1.0 - p.trust_decay
        if phase is not Phase.IN_SESSION and phase is not Phase.SUSPENDED:
            return  # a walkout needs talks in session, a return suspended talks
        view = self.view()
        n = self.names
        if self.insurgent.walks_out(view):
            self._set_phase(Phase.SUSPENDED)
            self.walkouts += 1
            self._walkout_news = True
            self._event(Actor.INSURGENT, EventKind.WALKOUT,
                        f"the {n.insurgent} walk out of the talks, accusing the "
                        f"{n.government} of wasting time after "
                        f"{self.days_without_agreement} days without agreement.",
                        frustration=round(self.frustration, 3),
                        days_without_agreement=self.days_without_agreement)
        elif self.insurgent.resumes(view):
            self._set_phase(Phase.IN_SESSION)
            self.frustration *= 0.5
            self.days_without_agreement = 0
            self._last_positions = None
            self._event(Actor.INSURGENT, EventKind.RESUMPTION,
                        f"the {n.insurgent} return to the talks.", trust=round(self.trust, 3))
        else:
            self._tail_view = view  # nothing changed: the unilateral stage may reuse it

    # 5. Unilateral release

    def _unilateral_release(self) -> None:
        if self.phase in (Phase.COMPLETED, Phase.COLLAPSED):
            return
        view = self._tail_view or self.view()
        size = min(self.government.unilateral(view),
                   self.params.agreement.batch_cap - self._gov_today)
        if size <= 0:
            self._tail_view = view  # nothing changed: the next stages may reuse it
            return
        self._tail_view = None
        idx = self.gov_pool.take("humanitarian", size)
        if idx.size == 0:
            return
        params = self.params
        named = self._free_government(idx, ReleaseMode.UNILATERAL, oath=params.government.oath)
        self.last_unilateral_day = self.day
        n = self.names
        oath = ", each under oath not to return to the battlefield" if params.government.oath \
            else ""
        verdict = ins_rules.judge_release(self.view(), params.insurgent, int(idx.size),
                                          jointly_agreed=False,
                                          joint_verification=params.agreement.joint_verification)
        if verdict.compliant:
            self.compliant_credit += idx.size
        else:
            self.discounted_value += verdict.value
        self._count_ledger()
        reaction = ("call it not according to the agreed mechanism" if not verdict.welcomed
                    else "welcome it")
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE,
                    f"the {n.government} release {idx.size} prisoners unilaterally, chosen by "
                    f"health, age and remaining sentence{oath}; the {n.insurgent} {reaction}.",
                    size=int(idx.size), named=named,
                    felt_pressure=round(gov_rules.felt_pressure(view, params.government), 3))
        self._event(Actor.INSURGENT, EventKind.STATEMENT,
                    f"the {n.insurgent}: "
                    + ("\"not according to the agreed mechanism\"; the exchange stays halted."
                       if not verdict.welcomed else "the release is welcomed."),
                    rejects=not verdict.welcomed, compliant=verdict.compliant)

    # 6. Insurgent releases

    def _insurgent_releases(self) -> None:
        if self.gov_pool.n_released == 0:
            return  # nothing is owed before the government frees anyone
        view = self._tail_view or self.view()
        reciprocal, goodwill = ins_rules.decide_releases(view, self.params.insurgent,
                                                         self.params.agreement.batch_cap)
        total = reciprocal + goodwill
        if total <= 0:
            self._tail_view = view
            return
        self._tail_view = None
        idx = self.ins_pool.take("cost", total)
        for order in ("named", "unlisted"):  # named prisoners last of those listed
            if idx.size < total:
                idx = np.concatenate([idx, self.ins_pool.take(order, total - idx.size)])
        paid = min(reciprocal, idx.size)
        self.ins_pool.release(idx[:paid], self.day, ReleaseMode.DEAL, oath=False)
        self.ins_pool.release(idx[paid:], self.day, ReleaseMode.GOODWILL, oath=False)
        self.ins_reciprocal_released += paid
        self.ins_goodwill_released += idx.size - paid
        self._count_ledger()
        why = ("in return for the agreed round" if goodwill == 0 else
               "as goodwill" if reciprocal == 0 else "in return for the agreed round and as "
               "goodwill")
        self._event(Actor.INSURGENT, EventKind.RELEASE,
                    f"the {self.names.insurgent} free {idx.size} prisoners {why}.",
                    size=int(idx.size), reciprocal=reciprocal, goodwill=goodwill)

    # 7. Return to fight

    def _return_to_fight(self) -> None:
        self.returned_fighters += int(self._returns_by_day[self.day])

    # 8. End

    def _check_end(self) -> None:
        if self.phase in (Phase.COMPLETED, Phase.COLLAPSED):
            return
        c = self.params.conflict
        if (self.gov_released_listed >= self._gov_commitment
                and self.ins_pool.n_released >= self._ins_commitment):
            self._set_phase(Phase.COMPLETED)
            self._event(Actor.WORLD, EventKind.COMPLETION,
                        f"the exchange is complete: {self.gov_pool.n_released} and "
                        f"{self.ins_pool.n_released} prisoners freed; the next phase of talks "
                        f"can begin.", gov=self.gov_pool.n_released, ins=self.ins_pool.n_released)
            return
        week = self._attack_log[max(1, self.day - 6):self.day + 1]
        failing = (sum(week) / len(week) > c.collapse_violence
                   or self.disengagement > self.params.mediator.disengage_limit)
        self.failing_days = self.failing_days + 1 if failing else 0
        if self.failing_days >= c.collapse_days:
            self._set_phase(Phase.COLLAPSED)
            self._event(Actor.WORLD, EventKind.COLLAPSE,
                        f"the process collapses after {self.failing_days} days of failing "
                        f"talks and violence.", failing_days=self.failing_days)

    # 9. Record

    def _record(self) -> None:
        view = self._tail_view or self.view()
        self._tail_view = None
        gov, ins = self.gov_pool, self.ins_pool
        self._rows.append((
            self.day, PHASE_CODES[self.phase], gov.n_released, ins.n_released,
            gov.size - gov.n_released, ins.size - ins.n_released, gov.n_named_released,
            self.deal_released, self.unilateral_released, self.attacks_today,
            self.casualties_expected, self.airstrike_today, self.capacity,
            self.returned_fighters, self.p_mediator, self.p_humanitarian, self.p_domestic,
            self.p_insurgent, gov_rules.felt_pressure(view, self.government.params), self.trust,
            self.frustration, self.government.aspiration(view), self.insurgent.aspiration(view),
            self.disengagement))

    def columns(self, upto: int | None = None) -> dict[str, np.ndarray]:
        """The daily record as one array per column of ``SERIES_COLUMNS``.

        Args:
            upto: last day to include (default: every day of the run).
        """
        rows = self.series if upto is None else self.series[:upto + 1]
        return {name: rows[:, i].copy() for i, name in enumerate(SERIES_COLUMNS)}

    @property
    def series(self) -> np.ndarray:
        """The daily record so far: a row per day (NaN for days not yet run)."""
        out = np.full((self.days + 1, len(SERIES_COLUMNS)), np.nan)
        out[:len(self._rows)] = self._rows
        col = COLUMN["casualties"]
        drawn = len(self._casualties)
        if drawn < len(self._rows):
            # Draws are sequential, so extending the prefix gives the same values whenever
            # the series is read.
            self._casualties.extend(self.streams["casualties"].poisson(
                out[drawn:len(self._rows), col]).tolist())
        out[:len(self._rows), col] = self._casualties
        return out
