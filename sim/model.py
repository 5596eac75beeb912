"""The Parley model: wiring, the order of a day, and recording.

A day runs in the order of DESIGN.md, written out in :meth:`ParleyModel.step`:

1. shocks, 2. violence (and the mediator's reaction), 3. negotiation and agreed rounds,
4. stall and walkout, 5. unilateral release, 6. insurgent releases, 7. return to fight,
8. end (completion, conditions, truce, collapse), 9. record.

The state lives in named parts (:mod:`sim.state`) and the two prisoner pools; the rules that
change it are pure functions of the roles (:mod:`sim.agents`) and of the shared mechanisms
(:mod:`sim.mechanisms`). Each stage of the day is a module of :mod:`sim.stages`, whose
``OneRun`` part this class extends (the ensemble engine's block extends its ``OverRuns``
part): the stage calls the rules, applies their results and tells what happened. Which
prisoners a side frees is :class:`sim.releases.Releases`. Agents read a
:class:`~sim.state.LiveView`, never the model.
"""

from __future__ import annotations

from operator import attrgetter

import mesa
import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents.base import (
    PHASE_CODES,
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Move,
    Phase,
)
from sim.agents.government import GovernmentAgent
from sim.agents.insurgent import InsurgentAgent
from sim.agents.mediator import MediatorAgent
from sim.errors import Problem, ScenarioError
from sim.events import Actor, Event, EventKind
from sim.mechanisms import conditions
from sim.narrative import sentence
from sim.outputs import SERIES, SERIES_COLUMNS
from sim.pools import Pool
from sim.prisoners import prisoners_of
from sim.randomness import Draws
from sim.releases import Releases
from sim.scenario import Agreement, Scenario, Shock, ShockKind, Side
from sim.stages import ONE_RUN
from sim.state import Condition, Fighting, Ledger, LiveView, Pressure, Talks

_READ_ROW = attrgetter(*(c.source for c in SERIES))  # one call reads a day's record
_CASUALTIES = SERIES_COLUMNS.index("casualties")


class ParleyModel(*ONE_RUN, Releases, mesa.Model):
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

        self._shocks: dict[int, list[tuple[Shock, Scenario]]] = {}
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
