"""Theory beside the runs: each closed form of sim.theory against runs set to its assumptions.

Deterministic results (the agreement day, the releases before reciprocation) must match
exactly; the walkout's waiting time must lie within the Dvoretzky–Kiefer–Wolfowitz bound of
its closed-form distribution (a correct model leaves it with chance 0.001) and its mean within
four standard errors. Each has a twin test that changes one rule the closed form rests on and
shows that the runs then leave the closed form: the tests can fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import HOME, TEACHING, cli

from sim.engine import run_block
from sim.ensemble import seed_of
from sim.model import ParleyModel
from sim.scenario import Scenario, load_scenario, with_overrides
from sim.theory import (
    Path,
    Theory,
    agreement_day,
    configuration,
    crossing_day,
    departures,
    geometric_mean,
    kydd_threshold,
    latest_day,
    meets,
    paths,
    releases_to_reciprocate,
    threshold_day,
    walkout_hazard,
    walkout_mean,
    walkout_pmf,
    walkout_survival_continuous,
)
from sim.theory_runs import (
    agreement,
    dkw_bound,
    reciprocation,
    talks_open_day,
    walkout,
    walkout_fit,
)

SEEDS = [seed_of(0, i) for i in range(40)]


@pytest.fixture(scope="module")
def home() -> Scenario:
    return load_scenario(HOME)


def configured(base: Scenario, theory: Theory, **overrides) -> Scenario:
    """The theory configuration of ``base``, then ``overrides`` (dotted paths with __)."""
    config = configuration(base, theory)
    return with_overrides(config, {k.replace("__", "."): v for k, v in overrides.items()})


# Agreement day: the crossing of linear aspiration paths (Faratin et al. 1998)


def test_crossing_day_solves_the_linear_paths_by_hand():
    gov, ins = Path(0.9, 0.3, 60), Path(1.0, 0.5, 80)
    # 1 - (0.9 - 0.01 t) = 1.0 - 0.00625 t  ->  t = 0.9 / 0.01625
    assert crossing_day(gov, ins, 1.0) == pytest.approx(0.9 / 0.01625)
    # Past the government's horizon (60) only the insurgent still concedes:
    # 1 - 0.3 = 1.0 - 0.35 t / 80  ->  t = 0.3 * 80 / 0.35
    late = Path(1.0, 0.65, 80)
    assert crossing_day(gov, late, 1.0) == pytest.approx(0.3 * 80 / 0.35)
    assert crossing_day(Path(0.9, 0.6, 60), Path(1.0, 0.5, 80), 1.0) is None  # 0.4 < 0.5 ever
    assert crossing_day(Path(0.5, 0.5, 10), Path(0.4, 0.4, 10), 1.0) == 0.0


def test_agreement_day_is_the_crossing_rounded_to_whole_prisoners():
    gov, ins = Path(0.9, 0.3, 60), Path(1.0, 0.5, 80)
    t_star = crossing_day(gov, ins, 1.0)
    for size in (7, 100, 5000):
        day = agreement_day(gov, ins, 1.0, size)
        assert math.ceil(t_star) <= day <= latest_day(gov, ins, 1.0, size)
    assert agreement_day(gov, ins, 1.0, 5000) == math.ceil(t_star)


AGREEMENT_CASES = [  # (government, insurgent, size_cost, round_size)
    ((0.9, 0.3, 60), (1.0, 0.5, 80), 1.0, 100),
    ((0.95, 0.2, 40), (1.0, 0.55, 120), 1.0, 100),      # crosses past the government's horizon
    ((0.9, 0.5, 100), (0.95, 0.3, 50), 0.6, 100),    # a cheaper round: size_cost 0.6
    ((0.9, 0.6, 60), (1.0, 0.5, 80), 1.0, 100),      # the paths never cross
]


@pytest.mark.parametrize(("gov", "ins", "cost", "size"), AGREEMENT_CASES)
def test_runs_agree_on_the_day_the_paths_cross(gov, ins, cost, size):
    base = load_scenario(TEACHING)
    config = configured(base, Theory.AGREEMENT, government__aspiration_max=gov[0],
                        government__aspiration_min=gov[1], government__horizon_days=gov[2],
                        insurgent__aspiration_max=ins[0], insurgent__aspiration_min=ins[1],
                        insurgent__horizon_days=ins[2], government__size_cost=cost,
                        agreement__round_size=size)
    assert departures(config, Theory.AGREEMENT) == []
    g, i = paths(config)
    day = agreement_day(g, i, cost, size)
    opening = talks_open_day(config)
    summaries, _ = run_block(config, SEEDS, opening + max(gov[2], ins[2]) + 5, kept=())
    got = {s["first_agreement_day"] for s in summaries}
    assert got == ({None} if day is None else {opening + day})
    # The Mesa model, run by run, says the same.
    model = ParleyModel(config, seed=SEEDS[0], days=opening + max(gov[2], ins[2]) + 5).run()
    first = next((e.day for e in model.events if e.kind == "agreement"), None)
    assert first == (None if day is None else opening + day)


@pytest.mark.parametrize("beta", [0.5, 2.0])
def test_a_curved_concession_leaves_the_linear_closed_form(beta):
    """With concession_beta != 1 the aspiration is no longer linear: the linear closed form
    must then miss the runs' day (if it still matched, the test above would prove nothing)."""
    base = load_scenario(TEACHING)
    kw = dict(government__aspiration_max=0.9, government__aspiration_min=0.3,
              government__horizon_days=60, insurgent__aspiration_max=1.0,
              insurgent__aspiration_min=0.5, insurgent__horizon_days=80,
              government__size_cost=1.0)
    linear = configured(base, Theory.AGREEMENT, **kw)
    curved = configured(base, Theory.AGREEMENT, insurgent__concession_beta=beta, **kw)
    assert departures(curved, Theory.AGREEMENT)  # it says so
    g, i = paths(linear)
    day = agreement_day(g, i, 1.0, 100)
    opening = talks_open_day(curved)
    summaries, _ = run_block(curved, SEEDS[:5], opening + 90, kept=())
    got = {s["first_agreement_day"] for s in summaries}
    assert len(got) == 1
    assert got != {opening + day}
    # Holding out (beta < 1) agrees later than the linear path, conceding early sooner.
    (only,) = got
    assert (only > opening + day) if beta < 1 else (only < opening + day)


def test_the_home_scenario_agreement_beside_its_runs(home):
    row = agreement(home, 20, 0)
    assert row.agrees
    assert row.departures  # the home scenario holds out (beta 0.3), names seniors, has noise
    assert np.isfinite(row.scenario_values).any()


# Reciprocation threshold: costly signals (Kydd 2000, 2005)


def test_kydd_threshold_from_the_assurance_payoffs():
    assert kydd_threshold(3, 2, 1, 0) == pytest.approx(0.5)
    # A bigger sucker's loss asks for more trust.
    assert kydd_threshold(3, 2, 1, -2) == pytest.approx(3 / 4)
    with pytest.raises(ValueError, match="assurance"):
        kydd_threshold(2, 3, 1, 0)  # a prisoners' dilemma: temptation beats cooperation


def test_releases_to_reciprocate_by_hand():
    rec = releases_to_reciprocate(0.2, 0.47, 0.05, 100, 0.6, 5.0, 20)
    assert (rec.by_trust, rec.by_batch, rec.releases, rec.released) == (6, 2, 6, 600)
    assert not rec.tie
    rec = releases_to_reciprocate(0.2, 0.3, 0.05, 100, 0.1, 5.0, 20)
    assert (rec.by_trust, rec.by_batch, rec.releases) == (2, 10, 10)
    assert releases_to_reciprocate(0.3, 0.45, 0.05, 100, 0.6, 5.0, 20).tie
    assert releases_to_reciprocate(0.3, 0.45, 0.0, 100, 0.6, 5.0, 20) is None


RECIPROCATION_CASES = [  # trust_initial, goodwill_trust, signal_gain, batch, discount, ratio, min
    (0.2, 0.47, 0.05, 100, 0.6, 5.0, 20),
    (0.1, 0.335, 0.02, 50, 0.5, 5.0, 10),
    (0.2, 0.3, 0.05, 100, 0.1, 5.0, 20),    # the smallest group binds, not trust
    (0.4, 0.35, 0.05, 100, 0.6, 5.0, 20),   # already trusting: the first release is repaid
]


@pytest.mark.parametrize("case", RECIPROCATION_CASES)
def test_runs_reciprocate_after_the_predicted_releases(case, home):
    t0, tau, gain, batch, disc, ratio, least = case
    config = configured(home, Theory.RECIPROCATION, insurgent__trust_initial=t0,
                        insurgent__goodwill_trust=tau, insurgent__signal_gain=gain,
                        government__unilateral_batch=batch,
                        insurgent__noncompliance_discount=disc, agreement__ratio=ratio,
                        insurgent__release_min_batch=least, government__unilateral_cooldown=2)
    assert departures(config, Theory.RECIPROCATION) == []
    rec = releases_to_reciprocate(t0, tau, gain, batch, disc, ratio, least)
    lead = config.insurgent.release_lead_days
    decided = config.agreement.deadline_day + 1 + (rec.releases - 1) * 2
    summaries, kept = run_block(config, SEEDS, decided + lead + 3, kept=("gov_released",
                                                                         "trust"))
    assert {s["first_release_day_ins"] for s in summaries} == {decided + lead}
    assert set(kept["gov_released"][:, decided]) == {rec.released}
    trust = kept["trust"][:, decided]
    assert np.all(trust >= tau) and np.allclose(trust, rec.trust)


def test_eroding_trust_leaves_the_closed_form(home):
    """Trust that erodes each day (trust_decay > 0) breaks the additive signal: the runs then
    need more releases than the closed form says."""
    kw = dict(insurgent__trust_initial=0.2, insurgent__goodwill_trust=0.47,
              insurgent__signal_gain=0.05, government__unilateral_batch=100,
              insurgent__noncompliance_discount=0.6, agreement__ratio=5.0)
    config = configured(home, Theory.RECIPROCATION, insurgent__trust_decay=0.02, **kw)
    rec = releases_to_reciprocate(0.2, 0.47, 0.05, 100, 0.6, 5.0, 20)
    summaries, kept = run_block(config, SEEDS[:5], 120, kept=("gov_released",))
    lead = config.insurgent.release_lead_days
    got = {int(kept["gov_released"][i, s["first_release_day_ins"] - lead])
           for i, s in enumerate(summaries)}
    assert got and min(got) > rec.released


def test_the_home_scenario_reciprocation_is_an_exact_tie(home):
    """0.3 + 3 x 0.05 = 0.45 exactly, but the model adds floats: 0.44999999999999996 < 0.45,
    so it needs a fourth release. The closed form says so and allows it."""
    row = reciprocation(home, 10, 0)
    assert row.closed_form == 300
    assert set(row.simulated) == {400.0}
    assert row.agrees and "tie" in row.tolerance


# Walkout hazard under constant frustration growth


def test_hazard_and_waiting_time_by_hand():
    assert walkout_hazard(5, 0.3, 1.5, 10.0) == pytest.approx(0.5)  # n a = P
    pmf = walkout_pmf(0.3, 1.5, 10.0, 40)
    h = walkout_hazard(np.arange(1, 41), 0.3, 1.5, 10.0)
    assert pmf[2] == pytest.approx(h[2] * (1 - h[0]) * (1 - h[1]))
    assert pmf.sum() == pytest.approx(1.0)
    # No growth: constant hazard 1 / (1 + e^k), a geometric wait of mean 1 + e^k.
    assert walkout_mean(0.0, 3.0, 2.0) == pytest.approx(geometric_mean(2.0), rel=1e-9)
    assert walkout_survival_continuous(10.0, 0.0, 3.0, 2.0) == pytest.approx(
        math.exp(-10 / (1 + math.e ** 2)))
    # Small hazards: the closed-form continuous survival is close to the daily product.
    surv = 1 - np.cumsum(walkout_pmf(0.05, 3.0, 3.0, 60))
    assert walkout_survival_continuous(30.0, 0.05, 3.0, 3.0) == pytest.approx(surv[29], abs=0.03)
    assert threshold_day(0.3, 1.5) == 6 and threshold_day(0.0, 1.5) is None


def _waits(config: Scenario, runs: int) -> np.ndarray:
    opening = talks_open_day(config)
    seeds = [seed_of(0, i) for i in range(runs)]
    summaries, _ = run_block(config, seeds, opening + 200, kept=())
    return np.array([np.nan if s["first_walkout_day"] is None
                     else s["first_walkout_day"] - opening + 1 for s in summaries])


WALKOUT_CASES = [  # frustration_rate (growth a day), patience, sharpness
    (0.3, 1.5, 10.0),
    (0.2, 3.0, 4.0),
    (0.0, 3.0, 2.0),   # no growth: a constant hazard, a geometric wait (mean 1 + e^2)
]


@pytest.mark.parametrize(("growth", "patience", "sharpness"), WALKOUT_CASES)
def test_walkout_waits_follow_the_hazard(growth, patience, sharpness, home):
    config = configured(home, Theory.WALKOUT, insurgent__frustration_rate=growth,
                        insurgent__patience=patience, insurgent__walkout_sharpness=sharpness)
    assert departures(config, Theory.WALKOUT) == []
    runs = 1500
    pmf = walkout_pmf(growth, patience, sharpness, 200)
    ks, mean_runs, mean, se = walkout_fit(_waits(config, runs), pmf)
    assert ks <= dkw_bound(runs)
    assert abs(mean_runs - mean) <= 4 * se


def test_a_sharp_threshold_walks_out_on_the_crossing_day(home):
    config = configured(home, Theory.WALKOUT, insurgent__frustration_rate=0.3,
                        insurgent__patience=1.45, insurgent__walkout_sharpness=1000.0)
    assert set(_waits(config, 20)) == {threshold_day(0.3, 1.45)}


@pytest.mark.parametrize("change", [{"insurgent.frustration_decay": 0.1},
                                    {"insurgent.frustration_noise": 1.0}])
def test_fading_or_noisy_frustration_leaves_the_hazard(change, home):
    """Frustration that fades, or grows by noisy steps, is not the constant growth the closed
    form assumes; at the same sample size the runs fall outside its bound."""
    config = with_overrides(configured(home, Theory.WALKOUT, insurgent__frustration_rate=0.2,
                                       insurgent__patience=3.0, insurgent__walkout_sharpness=4.0),
                            change)
    runs = 1500
    ks, *_ = walkout_fit(_waits(config, runs), walkout_pmf(0.2, 3.0, 4.0, 200))
    assert ks > dkw_bound(runs)


def test_the_home_scenario_walkout_beside_its_runs(home):
    row = walkout(home, 300, 0)
    assert row.agrees
    assert row.pmf is not None and row.pmf.sum() == pytest.approx(1.0)


# Assumptions and configurations


@pytest.mark.parametrize("theory", list(Theory))
def test_a_configuration_meets_its_assumptions(theory, home):
    assert departures(home, theory) and not meets(home, theory)
    config = configuration(home, theory)
    assert departures(config, theory) == [] and meets(config, theory)
    assert [s.kind for s in config.timeline] == ["talks_open"]  # only the opening stays
    assert talks_open_day(config) == talks_open_day(home) == 31


def test_report_prints_the_theory_and_draws_it(tmp_path):
    image = tmp_path / "theory.png"
    proc = cli("report", TEACHING, "--seeds", "20", "--theory", "--theory-plot", image,
               "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr
    for name in ("agreement", "reciprocation", "walkout", "closed form"):
        assert name in proc.stdout
    assert image.stat().st_size > 0
    import json

    rows = json.loads((tmp_path / "r.json").read_text())["theory"]
    assert [r["theory"] for r in rows] == ["agreement", "reciprocation", "walkout"]
    assert all(r["agrees"] for r in rows)


def test_report_refuses_a_bad_theory_plot(tmp_path):
    proc = cli("report", TEACHING, "--seeds", "2", "--theory", "--theory-plot",
               tmp_path / "t.bmp")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--theory-plot" in proc.stderr


def test_the_figure_marks_each_closed_form(home):
    import matplotlib

    matplotlib.use("Agg")
    from sim.ui.theory_figures import theory_figure

    rows = [agreement(home, 5, 0), reciprocation(home, 5, 0), walkout(home, 50, 0)]
    fig = theory_figure(rows)
    for ax, row in zip(fig.axes, rows, strict=True):
        lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert [line.get_xdata()[0] for line in lines] == [row.closed_form]
