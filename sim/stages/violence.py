"""Stages 2 and 7 of a day: violence, airstrikes and pressure; released fighters return.

The insurgent decides how hard to fight and the mediator when to strike and how hard to push
(their roles' rules); capacity, damage and returns are the shared rules of
:mod:`sim.mechanisms.violence`.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.events import Actor, EventKind
from sim.mechanisms import truce, violence

if TYPE_CHECKING:
    pass


class OneRun:
    """Stages 2 and 7 of a day for one run."""

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

    def _return_to_fight(self) -> None:
        f = self.fighting
        f.returning, arrived = violence.returns(f.returning, self.params.conflict)
        f.returned_fighters += arrived
        f.returning += f.leaving
        f.leaving = 0.0
