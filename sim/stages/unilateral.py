"""Stage 5 of a day: the government's release on its own, and the insurgent's verdict.

Stalled talks and pressure past its threshold move the government to free prisoners outside
the agreed mechanism; the insurgent judges whether the release counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents.base import COLLAPSED, COMPLETED, OVER
from sim.engine.events import Rounded
from sim.events import Actor, EventKind
from sim.pools import ReleaseMode, count
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """Stage 5 of a day for one run."""

    def _unilateral_release(self: ParleyModel) -> None:
        if self.talks.phase in OVER:
            return
        s, view, ledger = self.params, self.view, self.ledger
        size = self.government.unilateral(view, s.government)
        if size <= 0:
            return
        taken = self._take(Side.GOVERNMENT, ("listed",), size)
        freed = count(taken)
        if freed == 0:
            return
        felt = gov_rules.felt_pressure(view, s.government)  # what moved it, before the relief
        oath = s.government.oath
        named = self._free_government(taken, ReleaseMode.UNILATERAL, oath=oath)
        ledger.last_unilateral_day = self.day
        verdict = ins_rules.judge_release(view, s.insurgent, freed, jointly_agreed=False,
                                          joint_verification=self.terms.joint_verification)
        if verdict.compliant:
            ledger.compliant_credit += freed
        else:
            ledger.discounted_value += verdict.value
            ledger.unverified += freed
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, size=freed, named=named,
                    felt_pressure=round(felt, 3), oath=oath, welcomed=verdict.welcomed)
        self._event(Actor.INSURGENT, EventKind.STATEMENT, rejects=not verdict.welcomed,
                    compliant=verdict.compliant)


class OverRuns:
    """Stage 5 of a day over a block's runs, a value per run."""

    def _unilateral_release(self: Block) -> None:
        s, talks, ledger, day = self.params, self.talks, self.ledger, self.day
        g = s.government
        live = (talks.phase != COMPLETED) & (talks.phase != COLLAPSED)
        stalled = gov_rules.is_stalled_over_runs(talks.phase, self.round.active,
                                                  self.days_past_deadline(), talks.without, g)
        felt = self.felt_pressure()
        size = np.where(live, gov_rules.decide_unilateral_over_runs(
            stalled, felt, self.halted(Side.GOVERNMENT), day, ledger.last_unilateral,
            self.government_remaining(), self.programme_left(),
            self.terms.batch_cap - ledger.government_today, g), 0)
        taken = self.take(Side.GOVERNMENT, ("listed",), size)
        freed = taken.size
        done = freed > 0
        if not done.any():
            return
        low = self.gov.lowest_score(taken)
        named = self._free_government(taken, unilateral=True, oath=g.oath)
        ledger.last_unilateral = np.where(done, day, ledger.last_unilateral)
        compliant, welcomed, value = ins_rules.judge_release_over_runs(
            talks.trust, freed, False, self.terms.joint_verification, s.insurgent)
        ledger.compliant_credit = np.where(done & compliant, ledger.compliant_credit + freed,
                                           ledger.compliant_credit)
        outside = done & ~compliant
        ledger.discounted = np.where(outside, ledger.discounted + value, ledger.discounted)
        ledger.unverified = np.where(outside, ledger.unverified + freed, ledger.unverified)
        self._event(Actor.GOVERNMENT, EventKind.UNILATERAL_RELEASE, done, size=freed,
                    named=named, felt_pressure=Rounded(felt, 3),
                    oath=np.asarray(g.oath, bool) + np.zeros(self.n, bool), welcomed=welcomed)
        self._event(Actor.INSURGENT, EventKind.STATEMENT, done, rejects=~welcomed,
                    compliant=compliant)
        t = self.tally
        t.unilaterals += done
        new = done & (t.first_unilateral < 0)
        t.first_unilateral = np.where(new, day, t.first_unilateral)
        t.first_unilateral_size = np.where(new, freed, t.first_unilateral_size)
        # The pattern's release: the first after the first walkout (see sim.metrics).
        first = done & (t.first_walkout >= 0) & (t.pattern_day < 0)
        high = self.gov.highest_held_score(1, self.allowed(Side.GOVERNMENT))
        t.pattern_day = np.where(first, day, t.pattern_day)
        t.pattern_size = np.where(first, freed, t.pattern_size)
        t.pattern_named = np.where(first, 0, t.pattern_named)
        t.pattern_rejects = np.where(first, ~welcomed, t.pattern_rejects)
        t.pattern_ranked = np.where(first, low >= high, t.pattern_ranked)
