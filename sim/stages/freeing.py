"""What follows a release, for every stage that frees prisoners.

A government release moves the government's pressures, the insurgent's trust and the fighters
who may return; either side's release may extend a truce tied to it.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents import mediator as med_rules
from sim.mechanisms import truce
from sim.pools import ReleaseMode, Taken, count
from sim.scenario import Side

if TYPE_CHECKING:
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
