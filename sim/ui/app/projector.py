"""The dashboard's figures sized for a projector: 1024×768, every chart text at least 12 px.

At 1024×768 the sidebar leaves the page's main column about 600 px wide, and a figure's image
is shown at that width. A dashboard figure is ``DASHBOARD_WIDTH`` inches wide
(:mod:`sim.ui.figures`), so at :data:`DPI` it is exactly that many pixels and is shown at its
own size: a text of ``p`` points is ``p * DPI / 72`` pixels on screen, and the smallest,
:data:`SMALLEST_PT` points, is :func:`smallest_px` pixels. The dashboard builds its figures
inside :func:`projector`, so that a user's matplotlibrc cannot shrink them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

DPI = 100  # dashboard figures are DASHBOARD_WIDTH inches: 600 px, the main column at 1024 px
SMALLEST_PT = 10.0  # 13.9 px at DPI: 12 px still when the image is shrunk to 87%

PROJECTOR_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "font.size": SMALLEST_PT,
    "axes.titlesize": SMALLEST_PT + 2,
    "figure.titlesize": SMALLEST_PT + 2,
    "axes.labelsize": SMALLEST_PT,
    "xtick.labelsize": SMALLEST_PT,
    "ytick.labelsize": SMALLEST_PT,
    "legend.fontsize": SMALLEST_PT,
    "legend.title_fontsize": SMALLEST_PT,
    "legend.frameon": False,
}


def smallest_px(scale: float = 1.0) -> float:
    """Pixels on screen of the smallest chart text, for an image shown at ``scale``."""
    return SMALLEST_PT * DPI / 72 * scale


@contextmanager
def projector() -> Iterator[None]:
    """Build figures inside this: the projector's dpi and font sizes (see the module)."""
    with mpl.rc_context(PROJECTOR_RC):
        yield


def projected(draw: Callable[..., Figure], *args) -> Figure:
    """``draw(*args)`` built inside :func:`projector`."""
    with projector():
        return draw(*args)


def font_sizes(fig: Figure) -> list[float]:
    """The point size of every visible, non-empty text of a figure (for checks)."""
    return [t.get_fontsize() for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]
