"""Stage 6 of a day: the insurgent verifies, decides and hands over its releases.

Recognition of releases outside the mechanism, reciprocity for agreed rounds and goodwill, and
the hand-over of what it promised on the day it falls due.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import insurgent as ins_rules
from sim.events import Actor, EventKind
from sim.pools import count
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.model import ParleyModel


class OneRun:
    """Stage 6 of a day for one run."""

    def _insurgent_releases(self: ParleyModel) -> None:
        self._verify()
        self._hand_over_promised()
        if self.gov_pool.n_released == 0 and not self.view.condition_on_government:
            return  # nothing is owed before the government frees anyone
        reciprocal, goodwill = ins_rules.decide_releases(self.view, self.params.insurgent)
        if reciprocal + goodwill <= 0:
            return
        ledger = self.ledger
        ledger.reciprocal += reciprocal  # counted as paid once promised
        ledger.goodwill += goodwill
        lead = self.params.insurgent.release_lead_days
        ledger.promised.append((self.day + lead, reciprocal, goodwill))
        if lead == 0:
            self._hand_over_promised()

    def _hand_over_promised(self: ParleyModel) -> None:
        """Hand over the releases the insurgent decided on and that are due today."""
        ledger = self.ledger
        if not ledger.promised:
            return
        due = [p for p in ledger.promised if p[0] <= self.day]
        if not due or self.view.insurgent_halted:
            return
        ledger.promised = [p for p in ledger.promised if p[0] > self.day]
        reciprocal = sum(r for _, r, _ in due)
        goodwill = sum(g for _, _, g in due)
        taken = self._take(Side.INSURGENT, ("listed", "named", "unlisted"),
                           reciprocal + goodwill)
        freed = count(taken)
        paid = min(reciprocal, freed)
        ledger.reciprocal -= reciprocal - paid  # what it could not deliver stays owed
        ledger.goodwill -= goodwill - (freed - paid)
        if freed == 0:
            return
        self._free_insurgent(taken, reciprocal=paid)
        self._event(Actor.INSURGENT, EventKind.RELEASE, size=freed, reciprocal=paid,
                    goodwill=freed - paid)

    def _verify(self: ParleyModel) -> None:
        """The insurgent's team verifies releases made outside the mechanism (recognition)."""
        ledger = self.ledger
        done, ledger.verifying = ins_rules.verified_today(ledger.unverified, ledger.verifying,
                                                          self.params.insurgent)
        if not done:
            return
        ledger.discounted_value -= ledger.discounted_value * done / ledger.unverified
        ledger.unverified -= done
        ledger.compliant_credit += done
        # Said twice: when verification begins, and when it first catches up.
        news = 1 if ledger.unverified else 2
        if news > ledger.recognition_news:
            ledger.recognition_news = news
            self._event(Actor.INSURGENT, EventKind.RECOGNITION, verified=ledger.compliant_credit,
                        backlog=ledger.unverified)
