"""Stages 2 and 7 of a day: violence, airstrikes and pressure; released fighters return.

The insurgent decides how hard to fight and the mediator when to strike and how hard to push
(their roles' rules); capacity, damage and returns are the shared rules of
:mod:`sim.mechanisms.violence`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.engine.events import Rounded
from sim.events import Actor, EventKind
from sim.mechanisms import truce, violence
from sim.randomness import gamma_quantile

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Stages 2 and 7 of a day for one run."""

    def _violence(self: ParleyModel) -> None:
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

    def _return_to_fight(self: ParleyModel) -> None:
        f = self.fighting
        f.returning, arrived = violence.returns(f.returning, self.params.conflict)
        f.returned_fighters += arrived
        f.returning += f.leaving
        f.leaving = 0.0


class OverRuns:
    """Stages 2 and 7 of a day over a block's runs, a value per run."""

    def _gamma(self: Block, shape) -> np.ndarray:
        key = shape if np.ndim(shape) == 0 else tuple(np.asarray(shape).tolist())
        found = self._gammas.get(key)
        if found is None:
            if self._gamma_u is None:
                self._gamma_u = np.stack([d.gamma_uniforms for d in self.draws])
            found = self._gammas[key] = gamma_quantile(
                self._gamma_u, shape if np.ndim(shape) == 0 else np.asarray(shape)[:, None])
        return found

    def _violence(self: Block) -> None:
        s, f, talks, p, day = self.params, self.fighting, self.talks, self.pressure, self.day
        f.capacity = violence.capacity(f.returned, f.damage, s.conflict)
        t = f.truce
        f.truce_today = np.zeros(self.n, bool) if t is None else t.active.copy()
        intensity = ins_rules.attack_intensity_over_runs(
            talks.phase, talks.frustration, f.capacity, s.insurgent
        ) * truce.violence_scale_over_runs(t)
        f.attacks = violence.attacks_over_runs(
            intensity, self._gamma(s.insurgent.attack_dispersion)[:, day],
            self.u["attack_noise"][:, day], self.u["attack_round"][:, day])
        f.casualties_expected = f.attacks * s.insurgent.casualties_per_attack
        f.log[day] = f.attacks
        f.recent = violence.mean_attacks_over_runs(f.log, day, violence.RECENT_DAYS)

        m = s.mediator
        f.airstrike = med_rules.decide_strike_over_runs(f.recent, m, self.u["strike"][:, day])
        self.tally.airstrikes += f.airstrike
        f.damage = np.where(f.airstrike, violence.damage_after_strike(f.damage, m), f.damage)
        struck = ins_rules.after_strike_over_runs(talks.frustration, talks.trust, s.insurgent)
        talks.frustration = np.where(f.airstrike, struck[0], talks.frustration)
        talks.trust = np.where(f.airstrike, struck[1], talks.trust)
        self._event(Actor.MEDIATOR, EventKind.AIRSTRIKE, f.airstrike,
                    attacks_recent=Rounded(f.recent, 1))
        f.damage = violence.repaired(f.damage, s.conflict)

        on_gov, on_ins = med_rules.decide_pressure_over_runs(talks.phase, f.recent,
                                                            self.days_past_deadline(), m)
        p.mediator = med_rules.pressure(p.mediator, on_gov, m)
        p.mediator = np.where(talks.news, p.mediator + med_rules.walkout_response(m), p.mediator)
        talks.news = np.zeros(self.n, bool)
        p.insurgent = med_rules.pressure(p.insurgent, on_ins, m)
        g = s.government
        p.domestic = gov_rules.domestic_opposition(p.domestic, f.recent / m.violence_reference,
                                                    g)
        p.humanitarian = gov_rules.humanitarian_pressure(p.humanitarian, g)
        p.disengagement = np.maximum(0.0, p.disengagement
                                     + med_rules.disengagement_change_over_runs(talks.phase,
                                                                               f.recent, m))

    def _return_to_fight(self: Block) -> None:
        f = self.fighting
        f.returning, arrived = violence.returns(f.returning, self.params.conflict)
        f.returned = f.returned + arrived
        f.returning = f.returning + f.leaving
        f.leaving = np.zeros(self.n)
