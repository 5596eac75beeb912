"""Role play: a person takes one seat, the model's agents play the other two.

A :class:`Game` wraps a :class:`~sim.model.ParleyModel` and hands the person's decision for each
day to :meth:`~sim.model.ParleyModel.play`. At the end the person's outcome is set against the
distribution of the same scenario played by the agents alone over the same number of days
(:func:`agent_summaries`, an ensemble of :mod:`sim.ensemble` whose master seed is the game's
seed, cut at the game's last day), and against the agents on the person's own seed. This is the
seat logic every front end shares: the dashboard (:mod:`sim.ui.app`) and ``parley play`` (the
terminal loop and its text parsing, :mod:`sim.ui.terminal`) both build on it. Nothing here
decides for a role: advice and defaults come from the agents' own rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.agents.base import (
    GovernmentMove,
    InsurgentMove,
    MediatorMove,
    Move,
    Phase,
    Proposal,
    Response,
    Seat,
)
from sim.ensemble import run_ensemble
from sim.events import EventKind, narrative
from sim.model import ParleyModel
from sim.outcomes import band, position, share
from sim.outputs import PHASE_NAMES
from sim.scenario import Scenario

MOVE_TYPES: dict[Seat, type] = {Seat.GOVERNMENT: GovernmentMove, Seat.INSURGENT: InsurgentMove,
                                Seat.MEDIATOR: MediatorMove}


PHASE_LABELS = {Phase.PRE_TALKS: "not yet open", Phase.IN_SESSION: "in session",
                Phase.SUSPENDED: "suspended", Phase.COMPLETED: "completed",
                Phase.COLLAPSED: "collapsed"}


def phase_label(phase: Phase | str) -> str:
    """How a phase reads in a sentence ("the talks are ...")."""
    return PHASE_LABELS[Phase(phase)]


class DecisionError(ValueError):
    """A decision a person typed that cannot be played; the message says what is allowed."""


# The game


@dataclass(frozen=True)
class Situation:
    """What the person sees before deciding: the state of the exchange after the last day."""

    day: int
    date: date
    days: int
    phase: Phase
    demand: Proposal | None
    offer: Proposal | None
    bridge: Proposal | None
    felt_pressure: float
    goodwill_threshold: float
    pressure_on_insurgent: float
    trust: float
    frustration: float
    patience: float
    attacks_recent: float
    gov_released: int
    ins_released: int
    named_released: int
    named_total: int
    government_remaining: int
    insurgent_remaining: int
    today: tuple[str, ...] = field(default_factory=tuple)


def _latest(events, kind: EventKind) -> Proposal | None:
    for event in reversed(events):
        if event.kind is kind:
            return Proposal(int(event.details["size"]), int(event.details["named"]))
    return None


class Game:
    """One role-play game: a person's seat in a model; the agents play the other seats.

    Args:
        scenario: a validated scenario (its ``run.seed`` and ``run.days`` are used).
        seat: the seat the person takes.
        model: the model to sit in (a classroom room seats several people in one model);
            default a new model of ``scenario``.
    """

    def __init__(self, scenario: Scenario, seat: Seat | str,
                 model: ParleyModel | None = None) -> None:
        self.scenario = scenario
        self.seat = Seat(seat)
        self.model = model if model is not None else ParleyModel(scenario)
        self.moves: list[Move] = []
        self.stopped = False

    @property
    def names(self):
        """The scenario's names for the three sides."""
        return self.scenario.meta.sides

    @property
    def seat_name(self) -> str:
        """The scenario's name for the person's seat (e.g. "Taliban")."""
        return getattr(self.names, self.seat.value)

    @property
    def over(self) -> bool:
        """Whether the game has ended: last day, completion, collapse, or the person stopped."""
        m = self.model
        return (self.stopped or m.day >= m.days
                or m.phase in (Phase.COMPLETED, Phase.COLLAPSED))

    def stop(self) -> None:
        """End the game early (the comparison then covers the days played)."""
        self.stopped = True

    def situation(self) -> Situation:
        """The state of the exchange as the person sees it before today's decision."""
        m = self.model
        view = m.view
        start = self.scenario.meta.start_date
        return Situation(
            day=m.day, date=start + timedelta(days=m.day), days=m.days, phase=m.phase,
            demand=_latest(m.events, EventKind.DEMAND), offer=_latest(m.events, EventKind.OFFER),
            bridge=_latest(m.events, EventKind.BRIDGE), felt_pressure=m.felt_pressure,
            goodwill_threshold=m.params.government.goodwill_threshold,
            pressure_on_insurgent=view.pressure_on_insurgent, trust=view.trust,
            frustration=view.frustration, patience=m.params.insurgent.patience,
            attacks_recent=view.attacks_recent, gov_released=m.gov_pool.n_released,
            ins_released=view.insurgent_released, named_released=view.named_released,
            named_total=view.named_total, government_remaining=view.government_remaining,
            insurgent_remaining=view.insurgent_remaining,
            today=tuple(self.today()),
        )

    def today(self) -> list[str]:
        """The narrative of the last day played."""
        m = self.model
        return narrative([e for e in m.events if e.day == m.day], self.scenario.meta.start_date)

    def choices(self) -> tuple[Response, ...]:
        """The insurgent's meaningful answers in the current phase."""
        phase = self.model.phase
        if phase is Phase.IN_SESSION:
            return Response.ACCEPT, Response.REJECT, Response.WALKOUT
        if phase is Phase.SUSPENDED:
            return Response.REJECT, Response.RETURN
        return (Response.REJECT,)

    def check(self, move: Move) -> None:
        """Refuse a move of the wrong seat, or an answer that means nothing today.

        Raises:
            DecisionError: saying why.
        """
        if not isinstance(move, MOVE_TYPES[self.seat]):
            raise DecisionError(f"you hold the {self.seat} seat; "
                                f"{type(move).__name__} belongs to another")
        if isinstance(move, InsurgentMove) and move.response not in self.choices():
            allowed = ", ".join(str(r) for r in self.choices())
            raise DecisionError(f"{move.response} means nothing while the talks are "
                                f"{phase_label(self.model.phase)}; say {allowed}")
        if isinstance(move, GovernmentMove):
            self._check_government(move)
        if isinstance(move, MediatorMove):
            for what, value in (("pressure on the government", move.on_government),
                                ("pressure on the insurgents", move.on_insurgent)):
                if not math.isfinite(value) or value < 0:
                    raise DecisionError(f"{what} must be zero or more (you gave {value:g})")

    def limits(self) -> dict[str, int]:
        """The most a government move may hold today, by field (see :meth:`check`)."""
        view = self.model.view
        return {"offer_size": view.government_remaining,
                "offer_named": view.named_total - view.named_released,
                # the move is for the next day, whose daily cap is whole (the view's room
                # today is what the day just played left)
                "unilateral": min(view.government_remaining, self.model.terms.batch_cap)}

    def _check_government(self, move: GovernmentMove) -> None:
        """Refuse counts that cannot be played, saying what today allows (nothing is clamped)."""
        most = self.limits()
        for what, value in (("the offer", move.offer_size),
                            ("the named seniors in it", move.offer_named),
                            ("the unilateral release", move.unilateral)):
            if value < 0:
                raise DecisionError(f"{what} cannot be negative (you gave {value:,})")
        if move.offer_size > most["offer_size"]:
            raise DecisionError(f"you can offer at most {most['offer_size']:,}: the listed "
                                f"prisoners still to free (you offered {move.offer_size:,})")
        if move.offer_named > most["offer_named"]:
            raise DecisionError(f"only {most['offer_named']:,} named seniors are still held "
                                f"(you named {move.offer_named:,})")
        if move.offer_named > move.offer_size:
            raise DecisionError(f"the named seniors ({move.offer_named:,}) are part of the "
                                f"offer ({move.offer_size:,}) and cannot exceed it")
        if move.unilateral > most["unilateral"]:
            view = self.model.view
            raise DecisionError(
                f"you can release at most {most['unilateral']:,} today: the daily cap is "
                f"{self.model.terms.batch_cap:,} and {view.government_remaining:,} listed "
                f"prisoners are still to free (you gave {move.unilateral:,})")

    def default_move(self) -> Move:
        """What a blank answer stands for: yesterday's move, or else a cautious first move.

        Yesterday's move stands only if today allows it. The cautious move offers the agreed
        round size (at most what is still to free) without named seniors (government), rejects
        (insurgent), or adds no pressure (mediator).
        """
        if self.moves:
            last = self.moves[-1]
            try:  # yesterday's move, if today allows it; never a move that would be refused
                self.check(last)
                return last
            except DecisionError:
                pass
        if self.seat is Seat.GOVERNMENT:
            return GovernmentMove(min(self.scenario.agreement.round_size,
                                      self.limits()["offer_size"]), 0, 0)
        if self.seat is Seat.INSURGENT:
            return InsurgentMove(Response.REJECT)
        return MediatorMove(0.0, 0.0, False)

    def advice(self) -> str:
        """What the model's own agent in this seat would do in today's situation (a hint)."""
        m = self.model
        view = m.view
        p = m.params
        if self.seat is Seat.GOVERNMENT:
            demand = _latest(m.events, EventKind.DEMAND)
            parts = []
            if demand is not None and m.phase is Phase.IN_SESSION:
                offer = gov_rules.decide_offer(view, p.government, demand)
                parts.append(f"offer {offer.size}" + (f" including {offer.named} named"
                                                      if offer.named else ""))
            own = gov_rules.decide_unilateral(view, p.government)
            parts.append(f"release {own} unilaterally" if own else "release nobody on its own")
            return "; ".join(parts)
        if self.seat is Seat.INSURGENT:
            demand, offer = _latest(m.events, EventKind.DEMAND), _latest(m.events, EventKind.OFFER)
            if m.phase is Phase.IN_SESSION and demand is not None and offer is not None:
                accept = ins_rules.accepts(offer, demand, view, p.insurgent)
                chance = ins_rules.walkout_probability(view, p.insurgent)
                return (f"{'accept' if accept else 'reject'} the offer; walk out with a "
                        f"{chance:.0%} chance")
            if m.phase is Phase.SUSPENDED:
                ready = ins_rules.ready_to_resume(view, p.insurgent)
                return (f"return with a {p.insurgent.resume_rate:.0%} chance a day" if ready
                        else "stay away (trust or the mediator's push is too low)")
            return "wait for the talks"
        push = med_rules.decide_pressure(view, p.mediator)
        return (f"pressure {push.on_government:.3f} on the government and "
                f"{push.on_insurgent:.3f} on the insurgents")

    def play(self, move: Move) -> list[str]:
        """Play one day with the person's move; return that day's narrative.

        Raises:
            DecisionError: when the move is not the seat's or means nothing today.
        """
        if self.over:
            raise DecisionError("the game is over")
        self.check(move)
        self.model.play(move)
        self.moves.append(move)
        return self.today()

    def play_days(self, move: Move, days: int) -> list[str]:
        """Play up to ``days`` days with the same move; return their narrative.

        Stops early when the phase of the talks changes (the person may want to decide
        differently) or the game ends.

        Raises:
            DecisionError: when the move is not the seat's or means nothing today.
        """
        phase = self.model.phase
        lines = self.play(move)
        for _ in range(days - 1):
            if self.over or self.model.phase is not phase:
                break
            lines += self.play(move)
        return lines

    def series(self) -> dict[str, np.ndarray]:
        """The daily series of the days played so far."""
        return self.model.columns(self.model.day)

    def summary(self) -> dict:
        """The person's outcome, in the same terms as a run's summary."""
        from sim.runner import summarize_model

        return summarize_model(self.model, self.series())

    def compare(self, n_seeds: int = 50) -> Comparison:
        """The person's outcome against the agents' own runs over the same days.

        Args:
            n_seeds: runs of the agents alone, with seeds spawned from the game's seed (see
                :mod:`sim.ensemble`); one more run of the agents on the game's own seed, which
                faced the same dice, is shown beside them.
        """
        day = self.model.day
        if day < 1:
            return Comparison(self.seat, self.seat_name, 0, {}, [], {}, 0.0, 0)
        summaries = agent_summaries(self.scenario, n_seeds, day, self.model.seed)
        own = agents_on_seed(self.scenario, self.model.seed, day)
        return compare_outcome(self.seat, self.seat_name, self.summary(), summaries, self.names,
                               own)


def agent_summaries(scenario: Scenario, runs: int, days: int, master_seed: int) -> list[dict]:
    """Summaries of the agents playing every seat: ``runs`` runs, each ``days`` long.

    The runs are an ensemble of master seed ``master_seed``, cut at ``days`` rather than given
    a shorter ``run.days``: the scenario's timeline may hold later shocks (a later start of
    talks among them), and removing them would change what happens before.
    """
    return run_ensemble(scenario, runs, master_seed=master_seed, until_day=days,
                        kept=()).summaries


def agents_on_seed(scenario: Scenario, seed: int, days: int) -> dict:
    """The summary of the agents playing every seat on one seed, cut at ``days``."""
    from sim.runner import summarize_model

    model = ParleyModel(scenario, seed=seed, days=days).run()
    return summarize_model(model, model.columns())


# Comparison with the agents


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome of the person (or of a run) against a distribution of runs."""

    key: str
    label: str
    you: float
    median: float
    p10: float
    p90: float
    lower: float
    higher: float
    same_seed: float | None = None

    def sentence(self, who: str = "you") -> str:
        """The row as one line of text."""
        same = ("" if self.same_seed is None
                else f"; agents on your seed: {_num(self.same_seed)}")
        return (f"{self.label}: {who} {_num(self.you)}; agents' median {_num(self.median)} "
                f"(10-90%: {_num(self.p10)} to {_num(self.p90)}); {self.lower:.0%} of their "
                f"runs lower, {self.higher:.0%} higher{same}")


def _num(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:.1f}"


def outcome_row(key: str, label: str, you: float, values, same_seed: float | None = None
                ) -> OutcomeRow:
    """Where ``you`` stands among ``values`` (NaNs, e.g. events that never happened, dropped)."""
    p10, med, p90 = band(values).p10_median_p90()
    where = position(you, values)
    return OutcomeRow(key, label, float(you), med, p10, p90, where.lower, where.higher,
                      same_seed)


COMPARED = (
    ("gov_released", "prisoners freed by the {government}"),
    ("ins_released", "prisoners freed by the {insurgent}"),
    ("named_released", "named seniors freed"),
    ("agreements", "agreed rounds"),
    ("walkouts", "walkouts"),
    ("unilateral_releases", "unilateral releases"),
    ("mean_attacks", "attacks a day (mean)"),
    ("total_casualties", "casualties"),
)


@dataclass(frozen=True)
class Comparison:
    """A person's outcome against the agents' runs of the same scenario and days."""

    seat: Seat
    seat_name: str
    days: int
    you: dict
    rows: list[OutcomeRow]
    phase_shares: dict[str, float]
    pattern_rate: float
    runs: int
    agents: dict[str, list[float]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The comparison as plain text."""
        if not self.runs:
            return ["No day was played, so there is nothing to compare."]
        out = [f"You played the {self.seat_name} ({self.seat}) for {self.days} days. The agents "
               f"played the same scenario {self.runs} times over the same days:"]
        out += ["  " + row.sentence() for row in self.rows]
        shares = ", ".join(f"{phase_label(name)} {share:.0%}"
                           for name, share in self.phase_shares.items() if share)
        out.append(f"  at the end the talks were {phase_label(self.you['final_phase'])} in your "
                   f"game; in the agents' runs: {shares}")
        out.append(f"  stall-then-unilateral-release pattern: "
                   f"{'yes' if self.you['pattern'] else 'no'} in your game; "
                   f"{self.pattern_rate:.0%} of the agents' runs")
        return out


def compare_outcome(seat: Seat, seat_name: str, you: dict, summaries: list[dict], names,
                    own: dict | None = None) -> Comparison:
    """Set a person's summary against the agents' summaries, and their run on the same seed.

    Args:
        seat: the person's seat.
        seat_name: the scenario's name for it.
        you: the person's summary.
        summaries: the agents' runs.
        names: the scenario's names of the sides.
        own: the agents' run on the person's seed, if any.
    """
    rows = []
    agents = {}
    for key, label in COMPARED:
        values = [float(s[key]) for s in summaries]
        agents[key] = values
        rows.append(outcome_row(key, label.format(government=names.government,
                                                  insurgent=names.insurgent),
                                float(you[key]), values,
                                float(own[key]) if own is not None else None))
    phases = {name: share(s["final_phase"] == name for s in summaries).share
              for name in PHASE_NAMES}
    pattern = share(s["pattern"] for s in summaries).share
    return Comparison(Seat(seat), seat_name, int(you["days"]), you, rows, phases, pattern,
                      len(summaries), agents)


# The situation in words


def format_situation(game: Game) -> list[str]:
    """The situation before a decision, as lines of plain text."""
    s = game.situation()
    n = game.names
    lines = [f"--- Day {s.day} ({s.date.isoformat()}) of {s.days}: talks "
             f"{phase_label(s.phase)} ---"]
    if s.today:
        lines += ["  " + line for line in s.today]
    talk = []
    if s.demand is not None:
        talk.append(f"{n.insurgent} demand {s.demand.size} ({s.demand.named} named)")
    if s.offer is not None:
        talk.append(f"{n.government} offer {s.offer.size} ({s.offer.named} named)")
    if s.bridge is not None:
        talk.append(f"{n.mediator} propose {s.bridge.size} ({s.bridge.named} named)")
    if talk:
        lines.append("  at the table: " + "; ".join(talk))
    lines.append(f"  pressure felt by the {n.government}: {s.felt_pressure:.2f} (it releases "
                 f"on its own above {s.goodwill_threshold:g}); on the {n.insurgent}: "
                 f"{s.pressure_on_insurgent:.2f}")
    lines.append(f"  {n.insurgent}: trust {s.trust:.2f}, frustration {s.frustration:.2f} "
                 f"(patience {s.patience:g}); attacks a day (3-day mean) {s.attacks_recent:.0f}")
    named = f" ({s.named_released} of {s.named_total} named)" if s.named_total else ""
    lines.append(f"  freed so far: {s.gov_released} by the {n.government}{named}, "
                 f"{s.ins_released} by the {n.insurgent}")
    lines.append(f"  the model's own {game.seat_name} would: {game.advice()}")
    return lines
