"""Each plot function on tiny data, checked by its artists (lines, labels, legends), not pixels."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import HOME, ROOT, TEACHING, teaching_dict

from sim.ensemble import Ensemble
from sim.report import Reported
from sim.runner import run
from sim.scenario import Scenario, load_scenario
from sim.ui import figures
from sim.ui.cli_plot import PLOT_KINDS


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_timeline_has_four_panels_with_markers_phases_and_thresholds():
    scenario = load_scenario(HOME)
    result = run(scenario, seed=0, days=50)
    assert result.summary["first_walkout_day"] is not None  # the figure must show one
    fig = figures.timeline(result)
    top, mid, moods, press = fig.axes
    labels = _legend(top)
    assert "freed by Afghan government" in labels and "freed by Taliban" in labels
    assert {"walkout", "unilateral release", "in session", "suspended"} <= set(labels)
    walkout_lines = [ln for ln in top.lines if ln.get_linestyle() == ":" and
                     list(ln.get_xdata()) == [result.summary["first_walkout_day"]] * 2]
    assert walkout_lines
    markers = [ln for ln in top.lines if ln.get_marker() == "v" and len(ln.get_xdata())]
    assert len(markers) == result.summary["unilateral_releases"]
    assert len(mid.patches) == 50  # one bar a day
    assert _legend(moods)[:2] == ["Taliban trust", "Taliban frustration"]
    assert _legend(press)[0] == "pressure felt by Afghan government"
    assert fig.get_suptitle() == "afghanistan_2020, seed 0"


def _threshold(ax, starts: str):
    (line,) = [ln for ln, t in zip(ax.get_legend().legend_handles, _legend(ax), strict=True)
               if t.startswith(starts)]
    return next(ln for ln in ax.lines if ln.get_label() == line.get_label())


def test_timeline_draws_patience_and_goodwill_threshold_as_the_shocks_set_them():
    data = teaching_dict()
    data["timeline"] = [*data.get("timeline", []),
                        {"day": 12, "kind": "decree", "set": {
                            "government.goodwill_threshold": 0.25, "insurgent.patience": 4.5}}]
    scenario = Scenario.model_validate(data)
    before = (scenario.government.goodwill_threshold, scenario.insurgent.patience)
    assert before != (0.25, 4.5)  # the shock must change both
    fig = figures.timeline(run(scenario, seed=3, days=20))
    _, _, moods, press = fig.axes
    patience = _threshold(moods, "patience")
    goodwill = _threshold(press, "goodwill threshold")
    np.testing.assert_array_equal(patience.get_xdata(), np.arange(21))
    assert list(patience.get_ydata()) == [before[1]] * 12 + [4.5] * 9
    assert list(goodwill.get_ydata()) == [before[0]] * 12 + [0.25] * 9
    assert patience.get_drawstyle() == goodwill.get_drawstyle() == "steps-post"
    # What a negative felt pressure means is said beside the panel, with the zero line.
    assert any("below 0: domestic opposition outweighs" in t for t in _legend(press))
    assert any(list(ln.get_ydata()) == [0, 0] for ln in press.lines)
    for ax in fig.axes:
        assert ax.get_ylabel().endswith(")")  # a unit in brackets


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


PATIENCE, PUSH = "insurgent.patience", "mediator.walkout_pressure"
TRUST = "insurgent.goodwill_trust"


def _runs(trust: tuple[float, ...] = (0.4,)) -> pd.DataFrame:
    rows = []
    for a in (1.0, 2.0):
        for b in (0.0, 0.5):
            for c in trust:
                for rep in range(3):
                    rows.append({f"param:{PATIENCE}": a, f"param:{PUSH}": b,
                                 f"param:{TRUST}": c, "replicate": rep, "days": 30,
                                 "pattern": bool(a > 1 and rep < 2 + b),
                                 "gov_released": a * 100 + b * 10 + rep,
                                 "completion_day": np.nan if b == 0 else 10.0 * a + rep})
    return pd.DataFrame(rows)


def _title(ax) -> str:
    return ax.get_title(loc="left")


def _line(ax, gid: str):
    return next(ln for ln in ax.lines if ln.get_gid() == gid)


def test_outcome_vs_parameter_median_per_value_one_line_per_other_parameter():
    ax = figures.outcome_vs_parameter(_runs(), PATIENCE, "gov_released")
    for b, gid in ((0.0, f"{PUSH} = 0"), (0.5, f"{PUSH} = 0.5")):
        median = _line(ax, gid)
        assert list(median.get_xdata()) == [1.0, 2.0]
        assert list(median.get_ydata()) == [101 + 10 * b, 201 + 10 * b]
    assert ax.get_xlabel() == "insurgent.patience (frustration)"
    assert ax.get_ylabel() == "prisoners the government has freed (prisoners)"
    assert "n = 12 runs, 3 a point" in _title(ax) and "pooled" not in _title(ax)


def test_a_flag_is_a_share_with_a_wilson_interval_that_contains_it():
    from scipy.stats import binomtest

    runs = _runs()
    ax = figures.outcome_vs_parameter(runs, PATIENCE, "pattern")
    assert ax.get_ylabel().startswith("share of runs with pattern")
    assert "Wilson 95% interval" in _title(ax) and "n = 12 runs" in _title(ax)
    for b in (0.0, 0.5):
        name = f"{PUSH} = {b:g}"
        share, low, high = (_line(ax, g).get_ydata() for g in (name, f"low {name}",
                                                                f"high {name}"))
        for i, a in enumerate((1.0, 2.0)):
            cell = runs[(runs[f"param:{PATIENCE}"] == a) & (runs[f"param:{PUSH}"] == b)]
            k = int(cell["pattern"].sum())
            assert share[i] == k / len(cell)
            ci = binomtest(k, len(cell)).proportion_ci(0.95, method="wilson")
            assert low[i] == pytest.approx(ci.low) and high[i] == pytest.approx(ci.high)
            assert 0 <= low[i] <= share[i] <= high[i] <= 1
    assert ax.get_ylim()[0] >= -0.05 and ax.get_ylim()[1] <= 1.05


def test_a_picture_that_pools_over_a_parameter_says_so():
    runs = _runs(trust=(0.3, 0.5, 0.6))
    ax = figures.outcome_vs_parameter(runs, PATIENCE, "gov_released")
    assert f"pooled over {PUSH} (2 values), {TRUST} (3 values)" in _title(ax)
    plt.close("all")
    ax = figures.outcome_vs_parameter(runs, PATIENCE, "gov_released", by=TRUST)
    assert f"pooled over {PUSH} (2 values)" in _title(ax)
    assert _legend(ax) == ["0.3", "0.5", "0.6"] and ax.get_legend().get_title().get_text() == TRUST
    plt.close("all")
    ax = figures.phase_diagram(runs, PATIENCE, PUSH, "pattern")
    assert f"pooled over {TRUST} (3 values)" in _title(ax)
    plt.close("all")
    fig = figures.survival_by(runs, PATIENCE, "completion_day", 30)
    assert f"pooled over {PUSH} (2 values), {TRUST} (3 values)" in fig.get_suptitle()
    plt.close("all")
    fig = figures.survival_by(runs, PATIENCE, "completion_day", 30, by=PUSH)
    assert len(fig.axes) == 2 and f"pooled over {TRUST} (3 values)" in fig.get_suptitle()
    assert [ax.get_title() for ax in fig.axes] == [f"{PUSH} = 0 (n = 18 runs)",
                                                   f"{PUSH} = 0.5 (n = 18 runs)"]


def test_many_values_of_a_parameter_are_binned_and_the_title_says_so():
    rng = np.random.default_rng(5)
    runs = pd.DataFrame({f"param:{PATIENCE}": rng.uniform(1, 3, 80),
                         "gov_released": rng.integers(0, 500, 80)})
    ax = figures.outcome_vs_parameter(runs, PATIENCE, "gov_released")
    assert len(_line(ax, "all runs").get_xdata()) == 8
    assert "in 8 bins of equal runs" in _title(ax)


def test_phase_diagram_grid_and_annotations():
    ax = figures.phase_diagram(_runs(), PATIENCE, PUSH, "pattern")
    image = ax.images[0].get_array()
    assert image.shape == (2, 2)
    np.testing.assert_allclose(image, [[0, 2 / 3], [0, 1]])
    assert sorted(t.get_text() for t in ax.texts) == ["0.00", "0.00", "0.67", "1.00"]
    assert ax.figure.axes[-1].get_ylabel() == "share of runs with pattern"
    assert "n = 12 runs, 3 a cell" in _title(ax)


def test_distribution_counts_missing_runs():
    ax = figures.distribution([1, 2, 2, np.nan], "first_walkout_day", bins=4)
    assert len(ax.patches) == 4
    assert "n = 4 runs: 3 of 4 runs (1 without)" in _title(ax)
    assert ax.get_xlabel() == "day of the first walkout (day)"


# Survival: Kaplan-Meier with runs censored at their last day


def test_kaplan_meier_matches_a_hand_computation_with_censored_runs():
    from sim.outcomes import kaplan_meier

    # Five runs: events on days 2 and 4; two runs end on day 3 and one on day 6 without it.
    km = kaplan_meier([2, np.nan, 4, np.nan, np.nan], [6, 3, 6, 3, 6], 6)
    # At risk on day 2: 5, one event: 4/5. On day 4: 2 left (two censored on day 3): 1/2.
    np.testing.assert_allclose(km.share, [1, 1, 4 / 5, 4 / 5, 2 / 5, 2 / 5, 2 / 5])
    assert (km.n, km.events) == (5, 2)
    assert np.all(km.low <= km.share) and np.all(km.share <= km.high)
    assert np.all(km.low[2:] < km.share[2:]) and km.low[0] == km.high[0] == 1
    # Ignoring the censoring gives other curves: counting runs without the event as never
    # having it (3/5 waiting after day 4), or keeping only runs with it (none left after day 4).
    never = (np.nan_to_num([2, np.nan, 4, np.nan, np.nan], nan=np.inf)[None, :]
             > np.arange(7)[:, None]).mean(axis=1)
    assert never[4] == 3 / 5 and km.share[4] != never[4]
    from scipy.stats import ecdf

    naive = ecdf([2.0, 4.0]).sf.evaluate(np.arange(7))
    assert naive[4] == 0 and km.share[4] == pytest.approx(0.4)


def test_kaplan_meier_band_is_scipys_log_log_interval():
    from scipy import stats

    from sim.outcomes import kaplan_meier

    when = np.array([3, 5, 5, np.nan, 8, np.nan, 2, np.nan])
    ends = np.array([10, 10, 10, 6, 10, 10, 10, 4])
    km = kaplan_meier(when, ends, 10)
    seen = np.isfinite(when)
    res = stats.ecdf(stats.CensoredData.right_censored(np.where(seen, when, ends), ~seen)).sf
    ci = res.confidence_interval(0.95, method="log-log")
    np.testing.assert_allclose(km.share, res.evaluate(np.arange(11)))
    np.testing.assert_allclose(km.low[2:], ci.low.evaluate(np.arange(2, 11)))
    np.testing.assert_allclose(km.high[2:], ci.high.evaluate(np.arange(2, 11)))


def test_survival_draws_the_kaplan_meier_curve_with_a_band_and_counts():
    ax = figures.survival({"a": np.array([1.0, 3.0, np.nan, np.nan]), "b": np.array([2.0])}, 4,
                          "completion_day")
    a, b = ax.lines
    assert list(a.get_ydata()) == [1.0, 0.75, 0.75, 0.5, 0.5]
    assert list(b.get_ydata()) == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert _legend(ax) == ["a (2 of 4 runs with it)", "b (1 of 1 runs with it)"]
    assert a.get_linestyle() != b.get_linestyle()
    assert len(ax.collections) == 2  # a band each
    assert "n = 5 runs" in _title(ax) and "censored" in _title(ax)
    # Runs of different lengths: given as (event days, last days).
    plt.close("all")
    ax = figures.survival({"a": (np.array([2, np.nan, 4, np.nan, np.nan]),
                                 np.array([6, 3, 6, 3, 6]))}, 6)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 1, .8, .8, .4, .4, .4])


def test_survival_of_a_sweep_censors_each_run_at_its_own_last_day():
    runs = _runs()
    first = runs["replicate"] == 0
    runs.loc[first, "days"] = 11  # these runs ended on day 11, before completing
    runs.loc[first, "completion_day"] = np.nan
    fig = figures.survival_by(runs, PUSH, "completion_day", 30, by=PATIENCE)
    ax = fig.axes[1]  # patience 2, push 0.5: completion on days 21 and 22, one run cut short
    curve = next(ln for ln in ax.lines if ln.get_label().startswith("0.5"))
    assert curve.get_label() == "0.5 (2 of 3 runs with it)"
    # Two runs at risk on day 21, one event: 1/2 (counting the short run as never: 2/3).
    assert list(curve.get_ydata()[20:23]) == [1.0, 0.5, 0.0]


# Titles, labels and units


def test_sensitivity_bars_with_intervals():
    sobol = {"method": "sobol", "output": "gov_released", "indices": [
        {"parameter": "p", "S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1},
        {"parameter": "q", "S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.1}]}
    ax = figures.sensitivity(sobol, n=96)
    assert len(ax.patches) == 4
    assert _legend(ax) == ["first order S1", "total ST"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["p", "q"]
    assert "n = 96 runs" in _title(ax)
    plt.close("all")
    morris = {"method": "morris", "output": "walkouts", "indices": [
        {"parameter": "p", "mu_star": 1.0, "mu_star_conf": 0.2, "mu": 1.0, "sigma": 0.1}]}
    ax = figures.sensitivity(morris)
    assert len(ax.patches) == 1 and ax.get_xlabel().startswith("Morris")
    assert "(walkouts)" in ax.get_xlabel()


def _every_kind() -> dict:
    result = run(load_scenario(TEACHING), seed=1, days=20)
    reference = [Reported(2, "", "gov_released", 10, "reported_high", "")]
    runs = _runs()
    sobol = {"method": "sobol", "output": "gov_released", "indices": [
        {"parameter": PATIENCE, "S1": 0.5, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1}]}
    return {
        "timeline": lambda: figures.timeline(result),
        "history": lambda: figures.history(_ensemble(), reference).figure,
        "compare": lambda: figures.compare({"home": _ensemble_of(4, 1), "b": _ensemble_of(4, 2)}),
        "survival": lambda: figures.survival_by(runs, PATIENCE, "completion_day", 30),
        "sweep": lambda: figures.outcome_vs_parameter(runs, PATIENCE, "pattern").figure,
        "phase": lambda: figures.phase_diagram(runs, PATIENCE, PUSH).figure,
        "sensitivity": lambda: figures.sensitivity(sobol, n=12).figure,
        "distribution": lambda: figures.distribution([3, 4, np.nan], "first_walkout_day").figure,
    }


UNIT = re.compile(r"\((?:[^()]*\b(?:day|prisoners|attacks/day|pressure|frustration|level|"
                  r"share of the output's variance|prisoners, cumulative)\b[^()]*)\)")


@pytest.mark.parametrize("kind", [*PLOT_KINDS, "distribution"])
def test_every_kind_has_a_title_labelled_axes_with_units_and_n(kind):
    fig = _every_kind()[kind]()
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    titles = [fig.get_suptitle(), *(ax.get_title(loc=w) for ax in axes
                                    for w in ("left", "center"))]
    assert any(titles)
    if kind != "timeline":  # one run: nothing to count
        assert any(re.search(r"n = \d+ runs?", t) for t in titles), titles
    for ax in axes:
        if ax.get_xlabel():
            assert kind in ("sweep", "phase", "survival", "compare") or UNIT.search(
                ax.get_xlabel()) or ax.get_xlabel().startswith("day"), ax.get_xlabel()
    xlabels = [ax.get_xlabel() for ax in axes if ax.get_xlabel()]
    ylabels = [ax.get_ylabel() for ax in axes if ax.get_ylabel()]
    assert ylabels and (xlabels or kind == "compare")
    # Every quantity carries its unit: in the label, or as the label (compare's panels).
    units = [*xlabels, *ylabels]
    assert any(UNIT.search(u) or u in ("day", "prisoners") for u in units), units


# Compare: notes that do not overlap


def _boxes(fig):
    renderer = fig.canvas.get_renderer()
    texts = [t for ax in fig.axes for t in (*ax.get_xticklabels(), *ax.texts, ax.title)
             if t.get_text()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


@pytest.mark.parametrize("names", [("home", "variant"),
                                   ("afghanistan_2020", "afghanistan_2020_no_pressure",
                                    "afghanistan_2020_patient_insurgent")])
def test_compare_counts_runs_under_boxes_and_no_two_texts_overlap(names):
    many = _ensemble_of(100, without=99)
    fig = figures.compare({name: many for name in names})
    fig.canvas.draw()
    boxes = _boxes(fig)
    for i, (text, box) in enumerate(boxes):
        for other, box2 in boxes[i + 1:]:
            assert not box.overlaps(box2), (text, other)
    first = fig.axes[0]
    assert [t.get_text().rsplit("\n", 1)[-1] for t in first.get_xticklabels()] == [
        "n = 1 of 100"] * len(names)
    assert first.get_ylabel() == "day" and fig.axes[2].get_ylabel() == "prisoners"
    assert "n = 100 runs each" in fig.get_suptitle()


def _ensemble_of(n: int, without: int) -> Ensemble:
    scenario = load_scenario(TEACHING)
    gov = np.tile(np.arange(5, dtype=float), (n, 1))
    summaries = [{"first_walkout_day": None if i < without else 3, "gov_released": 4,
                  "ins_released": 2, "first_release_day_gov": 1} for i in range(n)]
    return Ensemble(scenario, 0, list(range(n)), summaries,
                    {"gov_released": gov, "ins_released": gov / 2})


def test_compare_one_panel_per_outcome_with_a_box_per_scenario():
    fig = figures.compare({"home": _ensemble(), "variant": _ensemble()},
                          ("first_walkout_day", "gov_released"))
    assert len(fig.axes) == 2
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_xticklabels()] == ["home\nn = 2 of 3",
                                                              "variant\nn = 2 of 3"]
    assert len(left.patches) == 2


# The gallery


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_the_gallery_shows_every_kind_in_a_small_png(kind):
    picture = ROOT / "docs" / "gallery" / f"{kind}.png"
    assert picture.stat().st_size < 150_000
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"![{kind}]({kind}.png)" in (ROOT / "docs" / "gallery" / "README.md").read_text(
        encoding="utf-8")


# parley plot on a sweep, end to end


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    pytest.importorskip("pyarrow")
    from sim import sweep

    folder = tmp_path_factory.mktemp("sweep")
    spec = folder / "tiny.yaml"
    spec.write_text(f"""\
name: tiny
base: {TEACHING.as_posix()}
parameters:
  - {{path: {PATIENCE}, values: [1.0, 3.0]}}
  - {{path: {PUSH}, kind: lever, values: [0.0, 0.7]}}
  - {{path: {TRUST}, values: [0.3, 0.6]}}
design: {{method: full_factorial}}
replicates: 2
master_seed: 3
days: 25
keep: summary
""", encoding="utf-8")
    sweep.run(spec, folder / "out", workers=1)
    return folder / "out"


@pytest.mark.parametrize(("kind", "options", "says"), [
    ("sweep", ["--x", PATIENCE, "--y", PUSH, "--output", "pattern"],
     f"pooled over {TRUST} (2 values)"),
    ("survival", ["--x", PATIENCE, "--y", TRUST, "--output", "first_walkout_day"],
     f"pooled over {PUSH} (2 values)"),
    ("phase", ["--output", "pattern"], f"pooled over {TRUST} (2 values)"),
])
def test_parley_plot_of_a_sweep_names_what_it_pools(tiny_sweep, tmp_path, monkeypatch, kind,
                                                    options, says):
    from typer.testing import CliRunner

    from sim.ui import cli_plot
    from sim.ui.cli import app

    drawn = {}
    real = cli_plot.save_figure
    monkeypatch.setattr(cli_plot, "save_figure",
                        lambda fig, path: (drawn.setdefault("fig", fig), real(fig, path)))
    out = tmp_path / f"{kind}.png"
    done = CliRunner().invoke(app, ["plot", str(tiny_sweep), "--kind", kind, *options,
                                    "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 0
    fig = drawn["fig"]
    texts = [fig.get_suptitle(), *(_title(ax) for ax in fig.axes)]
    assert any(says in t for t in texts), texts
    assert any("n = 16 runs" in t for t in texts), texts
