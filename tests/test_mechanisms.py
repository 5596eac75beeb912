"""The mechanisms for several exchanges, each alone: truces, conditions, changing terms,
sequencing, categories and bars, recognition, programmes, and the pool's takes under them."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import STALLED, make_view, stalled, teaching

from sim.agents import insurgent as ins
from sim.errors import ScenarioError
from sim.events import EventKind
from sim.mechanisms import conditions, exchange, truce
from sim.model import ParleyModel
from sim.pools import Pool, ReleaseMode
from sim.prisoners import Prisoners
from sim.runner import run
from sim.scenario import ConditionSpec, Insurgent, PoolSpec, Scenario, Side, TruceSpec
from sim.state import Round


def kinds(result) -> list[str]:
    return [e.kind for e in result.events]


def days_of(result, kind: EventKind) -> list[int]:
    return [e.day for e in result.events if e.kind is kind]


# Truces


def test_a_truce_scales_violence_and_earns_days_from_the_tied_sides_releases():
    t = truce.begin(TruceSpec(days=3, violence=0.25, tied_to=Side.INSURGENT, per_prisoners=5))
    assert truce.violence_scale(None) == 1.0 and truce.violence_scale(t) == 0.25
    assert truce.days_earned(t, 4) == 0
    t.credited = 4
    assert truce.days_earned(t, 1) == 1  # the fifth prisoner earns the day
    assert truce.days_earned(t, 11) == 3


def test_a_fixed_truce_stops_violence_for_its_days_then_lapses():
    shock = {"day": 10, "kind": "ceasefire", "truce": {"days": 4, "violence": 0.0}}
    result = run(teaching(timeline=[shock], run={"days": 30}), seed=3)
    attacks = result.series["attacks"]
    assert attacks[10:14].sum() == 0 and result.series["truce"][10:14].all()
    assert not result.series["truce"][14:].any()
    assert days_of(result, EventKind.TRUCE) == [10] and days_of(result, EventKind.LAPSE) == [13]
    assert attacks[1:10].sum() > 0 and attacks[14:].sum() > 0  # violence before and after


@pytest.mark.parametrize(("per", "lapses_early"), [(3, False), (20, True)])
def test_a_truce_tied_to_releases_holds_while_they_flow(per, lapses_early):
    shock = {"day": 5, "kind": "ceasefire",
             "truce": {"days": 5, "violence": 0.0, "tied_to": "insurgent", "per_prisoners": per}}
    result = run(teaching(timeline=[shock], run={"days": 60}), seed=1)
    lapse = days_of(result, EventKind.LAPSE)
    completed = result.summary["completion_day"]
    assert completed is not None and len(lapse) == 1
    # Generous enough, it outlasts the releases; too stingy, it lapses well before the end.
    assert (lapse[0] < completed) is lapses_early


# Conditions


def _pool(categories: list[int]) -> Pool:
    n = len(categories)
    return Pool(Prisoners(np.zeros(n, np.int8), np.full(n, 30.0, np.float32),
                          np.ones(n, np.float32), np.ones(n, np.float32), np.ones(n, bool),
                          np.zeros(n, bool), np.array(categories, np.int8), ("a", "b")))


def test_a_condition_counts_the_other_sides_releases_of_its_categories():
    other = _pool([0, 0, 1, 1, 1])

    def free(category: int, k: int, day: int) -> None:
        other.release([other.take(("listed", category), k)], day, ReleaseMode.DEAL, oath=False)

    free(1, 1, day=1)
    from_now = conditions.set_condition(ConditionSpec(frees=2, categories=["b"]), other)
    in_total = conditions.set_condition(ConditionSpec(frees=2, categories=["b"],
                                                      counting="in_total"), other)
    assert conditions.still_needed(from_now, other.released_by_category) == 2
    assert conditions.still_needed(in_total, other.released_by_category) == 1
    free(0, 1, day=2)  # an "a" does not count
    free(1, 1, day=2)
    assert conditions.still_needed(from_now, other.released_by_category) == 1
    assert conditions.still_needed(in_total, other.released_by_category) == 0


CATEGORIES = {"pools": {"insurgent_holds": {"size": 100, "listed": 100, "categories": [
    {"name": "soldiers", "count": 30}, {"name": "civilians"}]}}}


def halted(**extra) -> Scenario:
    halt = {"day": 12, "kind": "condition", "condition": {
        "holder": "government", "frees": 20, "categories": ["soldiers"], "counting": "from_now"}}
    # An insurgent that trusts the government enough to pay the price the condition asks.
    return teaching(**CATEGORIES, timeline=[halt, *extra.pop("timeline", [])],
                    insurgent={"frees_first": ["civilians"], "goodwill_trust": 0.3},
                    run={"days": 80}, **extra)


def test_a_condition_holds_the_government_until_met_and_the_insurgent_pays_its_price():
    result = run(halted(), seed=2)
    [set_day] = [e.day for e in result.events if e.kind is EventKind.CONDITION]
    [met_day] = days_of(result, EventKind.CONDITION_MET)
    gov = result.series["gov_released"]
    assert set_day == 12 and met_day > set_day
    assert gov[met_day] == gov[set_day]  # nothing freed while it held
    assert gov[-1] > gov[met_day] and result.series["government_halted"][set_day:met_day].all()


def test_the_insurgent_frees_what_a_condition_asks_for_before_what_it_prefers():
    model = ParleyModel(halted(), seed=2)
    model.run()
    pool = model.ins_pool
    soldiers = pool.category == pool.category_names.index("soldiers")
    met = next(e.day for e in model.events if e.kind is EventKind.CONDITION_MET)
    freed_by_met = (pool.release_day >= 0) & (pool.release_day <= met)
    assert int((freed_by_met & soldiers).sum()) >= 20
    # Left to its own preference it frees civilians first: no soldier before the 70 civilians.
    free = ParleyModel(teaching(**CATEGORIES, insurgent={"frees_first": ["civilians"]},
                                run={"days": 80}), seed=2).run().ins_pool
    soldier_days = free.release_day[(free.category == 0) & ~free.held]
    civilian_days = free.release_day[(free.category == 1) & ~free.held]
    assert soldier_days.size and civilian_days.size == 70
    assert soldier_days.min() >= civilian_days.max()


def test_a_shock_waives_a_condition():
    waive = {"day": 13, "kind": "other", "waive": "government"}
    result = run(halted(timeline=[waive]), seed=2)
    assert days_of(result, EventKind.WAIVER) == [13]
    assert not result.series["government_halted"][13:].any()


def test_a_condition_names_only_categories_of_the_other_sides_pool():
    with pytest.raises(ValueError, match=r"not categories of pools\.insurgent_holds"):
        halted(timeline=[{"day": 3, "condition": {"frees": 1, "categories": ["generals"]}}])


# Changing terms


def test_a_pledge_that_raises_the_daily_cap_raises_the_pace():
    pace = {"day": 20, "kind": "pledge", "set": {"agreement.batch_cap": 20,
                                                 "agreement.round_size": 20}}
    slow = run(teaching(run={"days": 40}), seed=4).series["gov_released"]
    fast = run(teaching(timeline=[pace], run={"days": 40}), seed=4).series["gov_released"]
    assert np.diff(slow).max() <= 10
    assert np.diff(fast[20:]).max() == 20 and fast[30] > slow[30]


def test_changed_terms_are_validated_with_everything_else():
    bad = {"day": 20, "kind": "pledge", "set": {"agreement.batch_cap": 5}}  # below the batch
    with pytest.raises(ScenarioError, match="unilateral_batch"):
        teaching(timeline=[bad]).regimes  # noqa: B018


# Sequencing


def sequenced(order: str, **extra) -> Scenario:
    return teaching(agreement={"sequence": order, **extra}, run={"days": 60})


def _release_days(result, actor: str) -> list[int]:
    return [e.day for e in result.events if e.kind is EventKind.RELEASE and e.actor == actor]


def test_a_simultaneous_swap_frees_both_sides_on_the_same_days_in_equal_stages():
    result = run(sequenced("simultaneous", round_size=30, stages=3, batch_cap=30), seed=5)
    gov, rebels = _release_days(result, "government"), _release_days(result, "insurgent")
    assert gov and gov == rebels
    assert np.array_equal(result.series["gov_released"], result.series["ins_released"])
    agreed = next(e for e in result.events if e.kind is EventKind.AGREEMENT).details["size"]
    first = next(e for e in result.events if e.kind is EventKind.RELEASE)
    assert first.details["size"] == -(-agreed // 3)  # the round in three stages


def test_insurgent_first_frees_its_share_before_the_government_frees_the_round():
    result = run(sequenced("insurgent_first"), seed=5)
    gov, rebels = _release_days(result, "government"), _release_days(result, "insurgent")
    assert rebels[0] < gov[0]
    assert result.summary["completion_day"] is not None


def test_government_first_is_the_reciprocity_of_the_first_lesson():
    result = run(sequenced("government_first"), seed=5)
    assert _release_days(result, "government")[0] <= _release_days(result, "insurgent")[0]


# Categories, bars and shortfalls


def test_categories_cover_the_pool_and_refuse_what_does_not_add_up():
    spec = PoolSpec(size=10, listed=10, categories=[{"name": "a", "count": 3},
                                                    {"name": "b", "share": 0.5},
                                                    {"name": "c"}])
    assert spec.category_counts() == {"a": 3, "b": 5, "c": 2}
    with pytest.raises(ValueError, match="add up"):
        PoolSpec(size=10, listed=10, categories=[{"name": "a", "count": 3}])
    with pytest.raises(ValueError, match="exceed"):
        PoolSpec(size=10, listed=10, categories=[{"name": "a", "count": 11}, {"name": "b"}])


POOLED = {"government_holds": {"size": 100, "listed": 100, "categories": [
    {"name": "hard_core", "count": 20}, {"name": "general"}]}}
# An insurgent that never walks out (its walkout odds rise so sharply around its patience
# that they are nil below it), so that only the bar decides what is freed.
STEADY = {"walkout_sharpness": 100.0}
BARRED = {"pools": POOLED, "government": {"barred": ["hard_core"]}, "insurgent": STEADY}


def test_a_barred_category_is_never_freed_until_a_decision_lifts_the_bar():
    model = ParleyModel(teaching(**BARRED, run={"days": 100}), seed=6).run()
    hard = model.gov_pool.category == model.gov_pool.category_names.index("hard_core")
    assert not (~model.gov_pool.held & hard).any()
    assert model.gov_pool.n_released == 80  # all the others
    assert model.talks.phase != "completed"
    lift = {"day": 50, "kind": "approval", "set": {"government.barred": []}}
    model = ParleyModel(teaching(**BARRED, timeline=[lift], run={"days": 100}), seed=6).run()
    freed_hard = ~model.gov_pool.held & hard
    assert freed_hard.any() and model.gov_pool.release_day[freed_hard].min() >= 50


def test_a_side_that_runs_out_of_what_it_agreed_to_release_says_so():
    result = run(teaching(pools=POOLED, agreement={"government_categories": ["general"]},
                          insurgent=STEADY, run={"days": 100}), seed=6)
    assert EventKind.SHORTFALL in kinds(result)
    short = next(e for e in result.events if e.kind is EventKind.SHORTFALL)
    assert short.actor == "government" and "general" in short.sentence
    # The margin of contested cases lets an exchange short of a handful still complete.
    assert result.summary["completion_day"] is None
    lenient = run(teaching(pools=POOLED, agreement={"government_categories": ["general"],
                                                    "completion_margin": 20},
                           insurgent=STEADY, run={"days": 100}), seed=6)
    assert lenient.summary["completion_day"] is not None


# Recognition


def test_verification_moves_releases_from_discounted_to_compliant_a_rate_a_day():
    params = Insurgent(verification_rate=2.5)
    assert ins.verified_today(10, 0.0, params) == (2, 0.5)
    assert ins.verified_today(10, 0.5, params) == (3, 0.0)
    assert ins.verified_today(1, 0.5, params) == (1, 0.0)  # nothing carries past the backlog
    assert ins.verified_today(0, 0.0, Insurgent()) == (0, 0.0)


def test_goodwill_freed_ahead_of_recognition_counts_towards_the_rounds_owed():
    # 100 unilateral releases verified: it owes 20 at 5:1; 8 freed earlier as goodwill count.
    view = make_view(ratio=5.0, compliant_credit=100, discounted_value=0.0, goodwill_released=8)
    assert ins.owed(view) == (12, 0)


# The stalled scenario of conftest: talks never succeed and the government frees prisoners on
# its own; here the insurgent gives such releases no value and never pays goodwill.
UNMOVED = {"insurgent": {"noncompliance_discount": 0.0}, "run": {"days": 40}}
TEAM = {"day": 15, "kind": "verification", "set": {"insurgent.verification_rate": 10.0}}


def test_an_exchange_that_began_unilaterally_goes_on_once_its_releases_are_recognised():
    never = run(stalled(**UNMOVED), seed=7)
    assert never.summary["gov_unilateral_released"] > 0
    assert never.summary["ins_released"] == 0  # outside the mechanism they count for nothing
    seen = run(stalled(**UNMOVED, timeline=[*STALLED["timeline"], TEAM]), seed=7)
    assert days_of(seen, EventKind.RECOGNITION)[0] == 15
    assert seen.summary["ins_released"] > 0
    assert seen.summary["ins_released"] <= seen.summary["gov_released"] // 3  # at the ratio


# Programmes


def test_a_programme_limits_what_the_government_frees_on_its_own():
    free = run(stalled(**UNMOVED), seed=7).summary["gov_unilateral_released"]
    capped = run(stalled(**UNMOVED, government={"programme": 30}), seed=7)
    assert free > 30 and capped.summary["gov_unilateral_released"] == 30


def test_a_round_is_split_into_its_stages():
    r = Round(size=1000, named=0, verify_day=0)
    assert exchange.due_today(r, 500, 3) == (334, 0)
    assert exchange.due_today(r, 100, 3) == (100, 0)
    assert exchange.due_today(r, 500, 0) == (500, 0)
    r.released = 668
    assert exchange.due_today(r, 500, 3) == (332, 0)
