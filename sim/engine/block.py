"""A block of runs stepped together: the state of N runs as arrays, a day at a time.

:class:`Block` holds the same state as :class:`sim.model.ParleyModel`, with a value per run in
each field (each part of :mod:`sim.state` declares it ``over_runs``), and its day is the same
stages (:mod:`sim.stages`, each module holding the model's form and the block's side by side).
The rules are the roles' and mechanisms' own (:mod:`sim.agents`, :mod:`sim.mechanisms`): their
array forms, ``<rule>_over_runs`` beside each rule, or the rule itself where it is pure
arithmetic. Every run draws the numbers its seed gives (:class:`sim.randomness.Draws`), so a
run in a block is the run the Mesa model makes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from sim.engine.custody import Custody
from sim.engine.events import EventLog
from sim.engine.params import Params, regimes
from sim.engine.view import BlockView
from sim.events import Actor, Event, EventKind
from sim.outputs import SERIES_COLUMNS
from sim.prisoners import prisoners_of
from sim.randomness import Draws
from sim.scenario import Scenario, ShockKind, Side
from sim.stages import OVER_RUNS
from sim.state import Fighting, Ledger, Pressure, Round, Talks


class Block(*OVER_RUNS, BlockView):
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
        self.talks = Talks.over_runs(n, self.params.insurgent.trust_initial)
        self.round = Round.over_runs(n)
        self.pressure = Pressure.over_runs(n)
        self.fighting = Fighting.over_runs(n, days)
        lead_max = int(np.max(self.params.insurgent.release_lead_days))
        self.ledger = Ledger.over_runs(n, days, lead_max)
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
