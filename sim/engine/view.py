"""What a block's runs show, and whom each side frees next.

The Mesa model's live view (:class:`sim.state.LiveView`) over arrays with a value per run,
and :meth:`sim.releases.Releases.turn` and ``_take`` for every run at once.
"""

from __future__ import annotations

import numpy as np

from sim.agents import government, insurgent
from sim.engine.custody import Taken
from sim.events import Actor, EventKind
from sim.mechanisms import conditions, exchange
from sim.prisoners import GROUPS
from sim.scenario import Side

NAMED = GROUPS.index("named")


class BlockView:
    """The view's quantities, each an array with a value per run."""

    @property
    def terms(self):
        """The agreement in effect."""
        return self.params.agreement

    def talks_day(self) -> np.ndarray:
        """Days since talks first opened (0 before)."""
        opened = self.talks.opened
        return np.where(opened >= 0, self.day - opened, 0)

    def days_past_deadline(self) -> np.ndarray:
        """Days since the agreed start of talks (0 before it)."""
        return np.maximum(0, self.day - self.terms.deadline_day) + np.zeros(self.n, np.int64)

    def government_remaining(self) -> np.ndarray:
        """Listed prisoners the government has yet to free to meet its commitment."""
        return np.maximum(0, self.terms.government_commitment - self.ledger.listed)

    def insurgent_remaining(self) -> np.ndarray:
        """Prisoners the insurgent has yet to free to meet its commitment."""
        return np.maximum(0, self.terms.insurgent_commitment - self.ins.n_released)

    def allowed(self, side: Side, agreed: bool = False) -> np.ndarray:
        """:meth:`sim.releases.Releases.allowed` (the same for every run of a block)."""
        custody = self.gov if side is Side.GOVERNMENT else self.ins
        wanted = getattr(self.terms, f"{side.value}_categories") if agreed else ()
        return exchange.allowed(custody.prisoners.category_names,
                                getattr(self.params, side.value).barred, wanted)

    def named_available(self) -> np.ndarray:
        """Named prisoners still held whom the government has not barred."""
        out = np.zeros(self.n, np.int64)
        for c in np.flatnonzero(self.allowed(Side.GOVERNMENT)):
            out += self.gov.left(NAMED, c)
        return out

    def halted(self, side: Side) -> np.ndarray:
        """Runs in which a condition of ``side`` holds its releases."""
        out = np.zeros(self.n, bool)
        for c in self.talks.conditions:
            if c.holder is side:
                out |= c.active
        return out

    def still_needed(self, condition) -> np.ndarray:
        """What the other side must still free to meet a condition, in each run."""
        other = self.ins if condition.holder is Side.GOVERNMENT else self.gov
        return conditions.still_needed_over_runs(condition, other.released_by_category)

    def condition_on_government(self) -> np.ndarray:
        """Prisoners the insurgent must still free to lift the government's conditions."""
        out = np.zeros(self.n, np.int64)
        for c in self.talks.conditions:
            if c.holder is Side.GOVERNMENT:
                out += np.where(c.active, self.still_needed(c), 0)
        return out

    def programme_left(self) -> np.ndarray:
        """:attr:`sim.state.LiveView.programme_left`."""
        programme = self.params.government.programme
        left = np.maximum(programme - self.ledger.unilateral, 0)
        return np.where(np.asarray(programme) >= 2**62, self.gov.prisoners.size
                        - self.gov.n_released, left)

    def insurgent_room(self) -> np.ndarray:
        """:attr:`sim.state.LiveView.insurgent_room_today`."""
        lead = self.params.insurgent.release_lead_days + np.zeros(self.n, np.int64)
        due = self.day + lead
        pending = self.ledger.due_r[due, self.runs] + self.ledger.due_g[due, self.runs]
        return self.terms.batch_cap - np.where(lead == 0, self.ledger.insurgent_today, pending)

    def felt_pressure(self) -> np.ndarray:
        """The government's net pressure to release."""
        return government.felt_pressure_over_runs(self.pressure, self.params.government)

    def aspirations(self) -> tuple[np.ndarray, np.ndarray]:
        """Utility each side holds out for today: ``(government, insurgent)``."""
        t = self.talks_day()
        return (government.aspiration_over_runs(t, self.pressure, self.params.government),
                insurgent.aspiration_over_runs(t, self.pressure, self.params.insurgent))

    def turn(self, side: Side, allowed: np.ndarray) -> np.ndarray:
        """:meth:`sim.releases.Releases.turn` in each run: a row of category codes, -1 after."""
        custody = self.gov if side is Side.GOVERNMENT else self.ins
        names = custody.prisoners.category_names
        conditions = [c for c in self.talks.conditions if c.holder is side.other]
        # Runs differ only in which conditions are in force: one order per set of them.
        which = np.zeros(self.n, np.int64)
        for bit, c in enumerate(conditions):
            which |= c.active.astype(np.int64) << bit
        found, index = np.unique(which, return_inverse=True)
        table = np.full((found.size, len(names)), -1)
        for row, key in enumerate(found.tolist()):
            first = [name for bit, c in enumerate(conditions) if key >> bit & 1
                     for name in c.names]
            first += getattr(self.params, side.value).frees_first
            codes = [names.index(name) for name in first if name in names]
            codes += range(len(names))
            codes = [c for c in dict.fromkeys(codes) if allowed[c]]
            table[row, :len(codes)] = codes
        return table[index]

    def take(self, side: Side, groups: tuple[str, ...], k: np.ndarray,
             agreed: bool = False) -> Taken:
        """:meth:`sim.releases.Releases._take` in each run (shortfalls are counted and told)."""
        custody = self.gov if side is Side.GOVERNMENT else self.ins
        k = np.maximum(k, 0)
        taken = custody.take(groups, k, self.turn(side, self.allowed(side, agreed)))
        if taken.short.any():
            self.tally.shortfalls += taken.short
            holder = getattr(self.params, side.value)
            names = getattr(self.terms, f"{side.value}_categories") or ("prisoners",)
            barred = f" (barred: {', '.join(holder.barred)})" if holder.barred else ""
            self._event(Actor(side.value), EventKind.SHORTFALL, taken.short, side=str(side),
                        wanted=k, short=k - taken.size,
                        categories=", ".join(names).replace("_", " ") + barred)
        return taken
