"""Stage 6 of a day: the insurgent verifies, decides and hands over its releases.

Recognition of releases outside the mechanism, reciprocity for agreed rounds and goodwill, and
the hand-over of what it promised on the day it falls due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import insurgent as ins_rules
from sim.agents.base import COLLAPSED
from sim.events import Actor, EventKind
from sim.pools import count
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.engine.block import Block
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


class OverRuns:
    """Stage 6 of a day over a block's runs, a value per run."""

    def _insurgent_releases(self: Block) -> None:
        self._verify()
        ledger = self.ledger
        ledger.pending_r = ledger.pending_r + ledger.due_r[self.day]
        ledger.pending_g = ledger.pending_g + ledger.due_g[self.day]
        self._hand_over_promised()
        s, ledger, day = self.params, self.ledger, self.day
        ins = s.insurgent
        owed_deal, owed_goodwill = ins_rules.owed_over_runs(
            ledger.deal, ledger.compliant_credit, ledger.discounted, ledger.reciprocal,
            ledger.goodwill, self.terms.ratio)
        promised = ledger.promised_total
        on_gov = self.condition_on_government()
        eligible = (self.gov.n_released > 0) | (on_gov > 0)
        reciprocal, goodwill = ins_rules.decide_releases_over_runs(
            owed_deal, owed_goodwill, self.insurgent_remaining(), promised, on_gov,
            self.insurgent_room(), self.talks.trust, self.talks.phase == COLLAPSED,
            self.halted(Side.INSURGENT), ins)
        reciprocal = np.where(eligible, reciprocal, 0)
        goodwill = np.where(eligible, goodwill, 0)
        deciding = (reciprocal + goodwill) > 0
        if not deciding.any():
            return
        ledger.reciprocal = ledger.reciprocal + reciprocal
        ledger.goodwill = ledger.goodwill + goodwill
        lead = ins.release_lead_days + np.zeros(self.n, np.int64)
        now = lead == 0  # handed over today, below
        ledger.due_r[day + lead, self.runs] += np.where(now, 0, reciprocal)
        ledger.due_g[day + lead, self.runs] += np.where(now, 0, goodwill)
        ledger.pending_r = ledger.pending_r + np.where(now, reciprocal, 0)
        ledger.pending_g = ledger.pending_g + np.where(now, goodwill, 0)
        ledger.promised_total = promised + reciprocal + goodwill
        if np.any((np.asarray(ins.release_lead_days) == 0) & deciding):
            self._hand_over_promised()

    def _hand_over_promised(self: Block) -> None:
        ledger = self.ledger
        reciprocal, goodwill = ledger.pending_r, ledger.pending_g
        go = ((reciprocal + goodwill) > 0) & ~self.halted(Side.INSURGENT)
        if not go.any():
            return
        ledger.pending_r = np.where(go, 0, reciprocal)
        ledger.pending_g = np.where(go, 0, goodwill)
        reciprocal, goodwill = np.where(go, reciprocal, 0), np.where(go, goodwill, 0)
        ledger.promised_total = ledger.promised_total - reciprocal - goodwill
        taken = self.take(Side.INSURGENT, ("listed", "named", "unlisted"), reciprocal + goodwill)
        freed = taken.size
        paid = np.minimum(reciprocal, freed)
        ledger.reciprocal = ledger.reciprocal - (reciprocal - paid)
        ledger.goodwill = ledger.goodwill - (goodwill - (freed - paid))
        self._free_insurgent(taken, paid)
        self._event(Actor.INSURGENT, EventKind.RELEASE, freed > 0, size=freed, reciprocal=paid,
                    goodwill=freed - paid)

    def _verify(self: Block) -> None:
        ledger = self.ledger
        done, ledger.verifying = ins_rules.verified_today_over_runs(
            ledger.unverified, ledger.verifying, self.params.insurgent)
        some = done > 0
        if not some.any():
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            part = ledger.discounted * done / ledger.unverified
        ledger.discounted = np.where(some, ledger.discounted - part, ledger.discounted)
        ledger.unverified = ledger.unverified - done
        ledger.compliant_credit = ledger.compliant_credit + done
        news = np.where(ledger.unverified > 0, 1, 2)
        said = some & (news > ledger.news)
        ledger.news = np.where(said, news, ledger.news)
        self._event(Actor.INSURGENT, EventKind.RECOGNITION, said,
                    verified=ledger.compliant_credit, backlog=ledger.unverified)
        t = self.tally
        t.recognition = np.where(said & (t.recognition < 0), self.day, t.recognition)
