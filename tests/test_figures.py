"""Each plot function on tiny data, checked by its artists (lines, labels, legends), not pixels."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import HOME, TEACHING

from sim.ensemble import Ensemble
from sim.report import Reported
from sim.runner import run
from sim.scenario import load_scenario
from sim.ui import figures


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_timeline_has_three_panels_with_markers_and_phases():
    scenario = load_scenario(HOME)
    result = run(scenario, seed=0, days=50)
    assert result.summary["first_walkout_day"] is not None  # the figure must show one
    fig = figures.timeline(result)
    top, mid, bottom = fig.axes
    labels = _legend(top)
    assert "freed by Afghan government" in labels and "freed by Taliban" in labels
    assert {"walkout", "unilateral release", "in session", "suspended"} <= set(labels)
    walkout_lines = [ln for ln in top.lines if ln.get_linestyle() == ":" and
                     list(ln.get_xdata()) == [result.summary["first_walkout_day"]] * 2]
    assert walkout_lines
    markers = [ln for ln in top.lines if ln.get_marker() == "v" and len(ln.get_xdata())]
    assert len(markers) == result.summary["unilateral_releases"]
    assert len(mid.patches) == 50  # one bar a day
    assert [t.get_text() for t in bottom.get_legend().get_texts()] == [
        "pressure felt by Afghan government", "Taliban trust", "Taliban frustration"]
    assert fig._suptitle.get_text() == "afghanistan_2020, seed 0"


def _ensemble() -> Ensemble:
    scenario = load_scenario(TEACHING)
    gov = np.array([[0, 0, 10, 20, 20], [0, 10, 10, 20, 30], [0, 0, 0, 10, 20]], dtype=float)
    summaries = [{"first_walkout_day": d, "gov_released": g, "pattern": p}
                 for d, g, p in ((3, 20, True), (None, 30, False), (4, 20, True))]
    return Ensemble(scenario, 0, [0, 1, 2], summaries,
                    {"gov_released": gov, "ins_released": gov / 2})


def test_history_band_median_and_reports_by_confidence():
    reference = [Reported(2, "", "gov_released", 10, "reported_high", ""),
                 Reported(3, "", "gov_released", 15, "reported_high", ""),
                 Reported(4, "", "gov_released", 25, "reported_low (doubtful)", ""),
                 Reported(4, "", "ins_released", 5, "reported_high", ""),
                 Reported(9, "", "gov_released", 99, "reported_high", "")]
    ax = figures.history(_ensemble(), reference, "gov_released")
    median = next(ln for ln in ax.lines if ln.get_label() == "simulated median")
    assert list(median.get_ydata()) == [0, 0, 10, 20, 20]
    points = [ln for ln in ax.lines if ln.get_marker() in ("o", "^")]
    assert len(points) == 3  # other measure and days beyond the runs are left out
    assert _legend(ax) == ["simulated 10-90%", "simulated median",
                           "reported (high confidence)", "reported (low)"]


def _runs() -> pd.DataFrame:
    rows = []
    for a in (1.0, 2.0):
        for b in (0.0, 0.5):
            for rep in range(3):
                rows.append({"param:x.a": a, "param:y.b": b, "replicate": rep,
                             "pattern": bool(a > 1 and rep < 2),
                             "gov_released": a * 100 + b * 10 + rep,
                             "completion_day": np.nan if b == 0 else 10.0 * a + rep})
    return pd.DataFrame(rows)


def test_outcome_vs_parameter_median_per_value():
    ax = figures.outcome_vs_parameter(_runs(), "x.a", "gov_released")
    median = next(ln for ln in ax.lines if ln.get_label() == "median")
    assert list(median.get_xdata()) == [1.0, 2.0]
    assert list(median.get_ydata()) == [103.5, 203.5]
    assert ax.get_xlabel() == "x.a" and ax.get_ylabel() == "gov released"


def test_phase_diagram_grid_and_annotations():
    ax = figures.phase_diagram(_runs(), "x.a", "y.b", "pattern")
    image = ax.images[0].get_array()
    assert image.shape == (2, 2)
    np.testing.assert_allclose(image, [[0, 2 / 3], [0, 2 / 3]])
    assert sorted(t.get_text() for t in ax.texts) == ["0.00", "0.00", "0.67", "0.67"]
    assert ax.figure.axes[-1].get_ylabel() == "P(pattern)"


def test_distribution_counts_missing_runs():
    ax = figures.distribution([1, 2, 2, np.nan], "walkout_day", bins=4)
    assert len(ax.patches) == 4
    assert "3 of 4 runs (1 without)" in ax.get_title()


def test_survival_curves_fall_when_events_happen():
    ax = figures.survival({"a": np.array([1.0, 3.0, np.nan, np.nan]), "b": np.array([2.0])}, 4)
    a, b = ax.lines
    assert list(a.get_ydata()) == [1.0, 0.75, 0.75, 0.5, 0.5]
    assert list(b.get_ydata()) == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert _legend(ax) == ["a", "b"] and a.get_linestyle() != b.get_linestyle()


def test_sensitivity_bars_with_intervals():
    sobol = {"method": "sobol", "output": "gov_released", "indices": [
        {"parameter": "p", "S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1},
        {"parameter": "q", "S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.1}]}
    ax = figures.sensitivity(sobol)
    assert len(ax.patches) == 4
    assert _legend(ax) == ["first order S1", "total ST"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "q"]
    plt.close("all")
    morris = {"method": "morris", "output": "walkouts", "indices": [
        {"parameter": "p", "mu_star": 1.0, "mu_star_conf": 0.2, "mu": 1.0, "sigma": 0.1}]}
    ax = figures.sensitivity(morris)
    assert len(ax.patches) == 1 and ax.get_xlabel().startswith("Morris")


def test_compare_one_panel_per_outcome_with_a_box_per_scenario():
    fig = figures.compare({"home": _ensemble(), "variant": _ensemble()},
                        ("first_walkout_day", "gov_released"))
    assert len(fig.axes) == 2
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["home", "variant"]
    assert len(left.patches) == 2
    assert any("1 runs without" in t.get_text() for t in left.texts)
