"""The dashboard's figures on a projector (1024×768): text size, legends off the data, no overlaps.

What the browser shows is checked in tests/test_browser.py; here the figures themselves, drawn
with Agg, are measured in pixels.
"""

from __future__ import annotations

import itertools

import matplotlib as mpl
import pytest
from conftest import HOME
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from sim.roleplay import Game
from sim.ui.app.projector import DPI, SMALLEST_PT, font_sizes, projected, smallest_px
from sim.ui.app.state import Dashboard, run_odds
from sim.ui.figures import DASHBOARD_WIDTH, comparison_figure, live_panels, odds_figure


@pytest.fixture(scope="module")
def figures():
    dash = Dashboard([HOME])
    dash.step(60)  # past the walkout and the first unilateral releases: every legend entry
    snap = dash.snapshot()
    game = Game(dash.scenario, "government")
    for _ in range(15):
        game.play(game.default_move())
    return {"live": projected(live_panels, snap),
            "odds": projected(odds_figure, run_odds(dash.scenario, 30), snap),
            "comparison": projected(comparison_figure, game.compare(8))}


def test_the_smallest_chart_text_is_at_least_12_px_even_when_shrunk_a_little():
    assert smallest_px() >= 12
    assert smallest_px(0.87) >= 12
    assert DASHBOARD_WIDTH * DPI == 600  # the main column beside the sidebar at 1024 px


@pytest.mark.parametrize("name", ["live", "odds", "comparison"])
def test_every_text_of_a_dashboard_figure_is_large_enough(figures, name):
    fig = figures[name]
    assert fig.get_dpi() == DPI
    assert round(fig.get_figwidth() * fig.get_dpi()) == 600
    sizes = font_sizes(fig)
    assert sizes and min(sizes) >= SMALLEST_PT


def test_a_tiny_matplotlibrc_does_not_shrink_the_dashboard():
    dash = Dashboard([HOME])
    with mpl.rc_context({"font.size": 4, "legend.fontsize": 3, "figure.dpi": 50}):
        fig = projected(live_panels, dash.snapshot())
    assert min(font_sizes(fig)) >= SMALLEST_PT and fig.get_dpi() == DPI


def _renderer(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _boxes(fig):
    """Drawn extents: each legend as one box, each other drawn text on its own."""
    renderer = _renderer(fig)
    legends = [leg for ax in fig.axes if (leg := ax.get_legend()) is not None]
    inside = {id(t) for leg in legends for t in leg.findobj(Text)}
    # Ticks outside the axes' limits exist but are not drawn.
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            inside |= {id(t) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                       if not low - 1e-9 <= tick.get_loc() <= high + 1e-9
                       for t in (tick.label1, tick.label2)}
    texts = [t for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in inside
             and (t.axes is None or t.axes.get_visible())]
    return ([(f"legend of {leg.axes.get_ylabel()!r}", leg.get_window_extent(renderer))
             for leg in legends]
            + [(repr(t.get_text()), t.get_window_extent(renderer)) for t in texts])


@pytest.mark.parametrize("name", ["live", "odds", "comparison"])
def test_legends_never_cover_data(figures, name):
    fig = figures[name]
    renderer = _renderer(fig)
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        box = legend.get_window_extent(renderer)
        for other in fig.axes:
            if other.get_visible():
                assert not box.overlaps(other.get_window_extent(renderer)), (
                    f"the legend of {ax.get_ylabel()!r} covers the axes of "
                    f"{other.get_ylabel()!r}")


@pytest.mark.parametrize("name", ["live", "odds", "comparison"])
def test_no_two_labels_overlap_and_all_are_inside_the_figure(figures, name):
    fig = figures[name]
    boxes = _boxes(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for label, box in boxes:
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, (
            f"{label} leaves the figure: {box}")
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        # Shrunk by a pixel: labels that only touch (a tick label at an axis end) are fine.
        assert not box_a.shrunk(0.99, 0.99).overlaps(box_b.shrunk(0.99, 0.99)), (
            f"{a} overlaps {b}")
