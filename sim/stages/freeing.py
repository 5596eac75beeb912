"""What follows a release, for every stage that frees prisoners.

A government release moves the government's pressures, the insurgent's trust and the fighters
who may return; either side's release may extend a truce tied to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.engine.custody import Taken as TakenOverRuns
from sim.mechanisms import truce
from sim.pools import ReleaseMode, Taken, count
from sim.scenario import Side

if TYPE_CHECKING:
    from sim.engine.block import Block
    from sim.model import ParleyModel


class OneRun:
    """What follows a release, for every stage that frees prisoners. for one run."""

    def _free_government(self: ParleyModel, taken: list[Taken], mode: ReleaseMode,
                         oath: bool) -> int:
        """Free the government's rows taken; returns how many of them were named."""
        s, p, ledger = self.params, self.pressure, self.ledger
        named, seniors, listed = self.gov_pool.release(taken, self.day, mode, oath)
        size = count(taken)
        ledger.government_today += size
        p.domestic += gov_rules.opposition_from_seniors(seniors, s.government)
        returning = self.gov_pool.expected_returns(taken, s.conflict)
        self.fighting.leaving += returning * (s.conflict.oath_factor if oath else 1.0)
        ledger.listed += listed
        if mode is ReleaseMode.DEAL:
            ledger.deal += size
        else:
            ledger.unilateral += size
        p.mediator = max(0.0, p.mediator - med_rules.release_relief(s.mediator, size))
        self.talks.trust = min(1.0, self.talks.trust + ins_rules.trust_gain(s.insurgent, size))
        self._extend_truce(Side.GOVERNMENT, size)
        return named

    def _free_insurgent(self: ParleyModel, taken: list[Taken], reciprocal: int) -> None:
        """Free the insurgent's rows taken: the first ``reciprocal`` repay agreed rounds."""
        paid, rest = [], []
        left = reciprocal
        for t in taken:  # split the takes at the point where repayment ends
            cut = t.start + max(0, min(left, t.end - t.start))
            paid.append(Taken(t.order, t.start, cut, t.rows[:cut - t.start]))
            rest.append(Taken(t.order, cut, t.end, t.rows[cut - t.start:]))
            left -= cut - t.start
        self.ins_pool.release(paid, self.day, ReleaseMode.DEAL, oath=False)
        self.ins_pool.release(rest, self.day, ReleaseMode.GOODWILL, oath=False)
        size = count(taken)
        self.ledger.insurgent_today += size
        self._extend_truce(Side.INSURGENT, size)

    def _extend_truce(self: ParleyModel, side: Side, freed: int) -> None:
        t = self.fighting.truce
        if t is not None and t.tied_to is side and freed:
            t.days_left += truce.days_earned(t, freed)
            t.credited += freed


class OverRuns:
    """What follows a release, for every stage that frees prisoners.

    A government release moves the government's pressures, the insurgent's trust and the fighters
    who may return; either side's release may extend a truce tied to it.
    over a block's runs, a value per run.
    """

    def _free_government(self: Block, taken: TakenOverRuns, unilateral: bool, oath) -> np.ndarray:
        s, p, ledger = self.params, self.pressure, self.ledger
        returning = self.gov.expected_returns(taken, s.conflict)
        named, seniors, listed = self.gov.release(taken)
        size = taken.size
        ledger.government_today = ledger.government_today + size
        p.domestic = p.domestic + gov_rules.opposition_from_seniors(seniors, s.government)
        self.fighting.leaving = self.fighting.leaving + returning * np.where(
            oath, s.conflict.oath_factor, 1.0)
        ledger.listed = ledger.listed + listed
        if unilateral:
            ledger.unilateral = ledger.unilateral + size
        else:
            ledger.deal = ledger.deal + size
        freed = size > 0
        p.mediator = np.where(freed, np.maximum(
            0.0, p.mediator - med_rules.release_relief(s.mediator, size)), p.mediator)
        self.talks.trust = np.where(freed, np.minimum(
            1.0, self.talks.trust + ins_rules.trust_gain(s.insurgent, size)), self.talks.trust)
        self._extend_truce(Side.GOVERNMENT, size)
        t = self.tally
        t.first_gov = np.where(freed & (t.first_gov < 0), self.day, t.first_gov)
        return named

    def _free_insurgent(self: Block, taken: TakenOverRuns, reciprocal) -> None:
        self.ins.release(taken)
        size = taken.size
        self.ledger.insurgent_today = self.ledger.insurgent_today + size
        self._extend_truce(Side.INSURGENT, size)
        t = self.tally
        t.first_ins = np.where((size > 0) & (t.first_ins < 0), self.day, t.first_ins)

    def _extend_truce(self: Block, side: Side, freed: np.ndarray) -> None:
        t = self.fighting.truce
        if t is None or t.tied_to is not side:
            return
        on = t.active & (freed > 0)
        t.days_left = np.where(on, t.days_left + truce.days_earned(t, freed), t.days_left)
        t.credited = np.where(on, t.credited + freed, t.credited)
