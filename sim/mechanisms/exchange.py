"""The agreed exchange: rounds through verification, and when the exchange is complete."""

from __future__ import annotations

from sim.agents.base import View
from sim.state import Round


def due_today(round_: Round, batch_cap: int) -> tuple[int, int]:
    """How many of a verified round to free today, and how many of those should be named.

    Up to the daily cap, named prisoners first.
    """
    want = min(batch_cap, round_.size - round_.released)
    return want, min(want, round_.named - round_.named_released)


def is_complete(view: View) -> bool:
    """Both sides have met their commitments: the next phase of talks can begin."""
    return view.government_remaining == 0 and view.insurgent_remaining == 0
