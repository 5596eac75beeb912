"""Stage 5 of a day: the government's release on its own, and the insurgent's verdict.

Stalled talks and pressure past its threshold move the government to free prisoners outside
the agreed mechanism; the insurgent judges whether the release counts.

The stage is written twice, side by side, calling the same rules: :class:`OneRun` for one run
(a part of :class:`sim.model.ParleyModel`) and :class:`OverRuns` for a block of runs, a value
per run (a part of :class:`sim.engine.block.Block`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.agents import government as gov_rules
from sim.agents import insurgent as ins_rules
from sim.agents.base import OVER
from sim.events import Actor, EventKind
from sim.pools import ReleaseMode, count
from sim.scenario import Side

if TYPE_CHECKING:
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
