"""Fields of the page's own counts: days per step, runs, days with a decision.

They are refused at the field like the scenario's parameters: a count out of range is told in
plain words beside the field, which goes back to the count in use (never clamped in silence).
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from sim.ui.app.fields import count_refusal


@solara.component
def FieldError(message: str | None):
    """Why a value typed in the field above was refused, in plain words."""
    if message:
        solara.Error(message, dense=True, classes=["parley-field-error"])


@solara.component
def CountField(label: str, value: int, low: int, high: int, on_value: Callable[[int], None],
               width: str = "140px", classes: list[str] | None = None):
    """A whole-number field taken when it loses focus or on Enter, within ``low``-``high``."""
    shown = solara.use_reactive(value)
    error, set_error = solara.use_state("")

    def typed(typed_value) -> None:
        if typed_value == value:  # the count in use (the field going back to it): nothing to do
            return
        message = count_refusal(label, typed_value, low, high, value)
        set_error(message or "")
        if message is None:
            on_value(int(typed_value))
        else:
            shown.set(value)

    with solara.Column(gap="0px"):
        solara.InputInt(label, value=shown, on_value=typed, continuous_update=False, dense=True,
                        style={"max-width": width}, classes=classes or [])
        FieldError(error)
