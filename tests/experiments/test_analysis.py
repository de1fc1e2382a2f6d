"""Reading results: bands, the recent quarter and the business case."""

import numpy as np
import pandas as pd
import pytest

from model.analysis import (
    REVENUE_STEPS,
    bands,
    business_case,
    change,
    paired_changes,
    payback_week,
    per_replication,
    profit_bridge,
    recent,
    story,
    unit_changes,
)
from model.engine.observe import COST_LINES
from model.experiments.sensitivity import main_effects, prim_trajectory, where_it_pays
from model.report import charts


def table(profit, costs, cost_of_goods, reps=2):
    rows = []
    for rep in range(reps):
        for step, (p, c, g) in enumerate(zip(profit, costs, cost_of_goods, strict=True), 1):
            rows.append(
                {
                    "rep": rep,
                    "step": step,
                    "profit": p + rep,
                    "costs": c,
                    "cost_of_goods": g,
                    "turnover_rate": 0.5 + 0.1 * rep,
                }
            )
    return pd.DataFrame(rows)


def test_payback_is_the_week_from_which_the_change_stays_ahead():
    assert payback_week(pd.Series([-5, -3, 1, 4], index=[1, 2, 3, 4])) == 3
    assert payback_week(pd.Series([-5, 2, -1, 4], index=[1, 2, 3, 4])) == 4
    assert payback_week(pd.Series([-5, -3, -1, -1], index=[1, 2, 3, 4])) is None
    assert payback_week(pd.Series([1, 2], index=[1, 2])) is None
    assert payback_week(pd.Series([0, 0, 3], index=[1, 2, 3])) is None


def test_business_case_of_an_investment_that_pays_back():
    base = table([10, 10, 10, 10], [90, 90, 90, 90], [50, 50, 50, 50])
    scenario = table([4, 8, 16, 20], [96, 92, 94, 96], [50, 50, 60, 66])
    case = business_case(scenario, base)
    # operating costs (costs less cost of goods): +6 +2 -6 -10 = -8 per replication
    assert case["investment"] == pytest.approx(-8)
    assert case["profit_difference"][0] == pytest.approx(8)
    assert case["payback_week"] == 4
    assert case["weeks"] == 4


def test_bands_and_smoothing():
    t = table([0, 10, 0, 10], [0] * 4, [0] * 4)
    b = bands(t, "profit")
    assert list(b["mean"]) == [0.5, 10.5, 0.5, 10.5]
    assert (b.low <= b["mean"]).all() and (b["mean"] <= b.high).all()
    smooth = bands(t, "profit", smooth=2)
    assert list(smooth["mean"]) == [0.5, 5.5, 5.5, 5.5]


def test_recent_is_the_last_quarter_and_cumulative_profit_the_level():
    t = pd.DataFrame(
        {
            "rep": 0,
            "step": range(1, 27),
            "turnover_rate": [1.0] * 13 + [0.0] * 13,
            "cumulative_profit": range(26),
        }
    )
    assert recent(t, "turnover_rate", 26) == 0.0
    assert recent(t, "turnover_rate", 13) == 1.0
    assert recent(t, "cumulative_profit", 26) == 25


def uniform_runs(n=400, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "demand_level": rng.uniform(0.8, 1.2, n),
            "labour_market_tightness": rng.uniform(0, 100, n),
            "leader_care": rng.uniform(0, 100, n),
        }
    )


def test_main_effects_give_the_move_from_the_bottom_to_the_top_of_each_range():
    runs = uniform_runs()
    rng = np.random.default_rng(2)
    peak = -((runs.leader_care - 50) ** 2) / 100  # best in the middle of the range
    runs["profit"] = 1e6 * runs.demand_level + 1e3 * peak + rng.normal(0, 1e3, len(runs))
    ranges = {"demand_level": (0.8, 1.2), "leader_care": (0, 100)}
    effects = main_effects(runs, ranges, "profit").set_index("parameter")
    # linear: the quarters' centres, 0.85 and 1.15, are 0.3 apart
    assert effects.loc["demand_level", "effect"] == pytest.approx(0.3e6, rel=0.1)
    assert effects.loc["demand_level", "effect_ci"] < 0.05e6
    # a peak inside the range: both ends are low, so the ends differ by little
    assert abs(effects.loc["leader_care", "effect"]) <= 2 * effects.loc["leader_care", "effect_ci"]
    assert effects.index[0] == "demand_level"


def test_main_effects_of_a_stopped_sweep_leave_out_what_has_no_runs_at_an_end():
    runs = uniform_runs(40)
    runs["profit"] = 1e6 * runs.demand_level
    ranges = {"demand_level": (0.8, 1.2), "leader_care": (0, 100)}
    early = runs[runs.leader_care < 60]  # no run yet with leader care in its top quarter
    effects = main_effects(early, ranges, "profit")
    assert list(effects.parameter) == ["demand_level"]
    assert effects.effect.iloc[0] > 0
    one = main_effects(runs.iloc[:1], ranges, "profit")  # one run cannot be both ends
    assert one.empty and "effect" in one


def test_prim_finds_the_box_where_an_intervention_pays():
    runs = uniform_runs()
    rng = np.random.default_rng(3)
    pays = (runs.demand_level > 1.0) & (runs.labour_market_tightness < 60)
    pays ^= rng.random(len(runs)) < 0.05  # a few runs the other way: noise
    runs["profit_difference"] = np.where(pays, 1.0, -1.0)
    found = where_it_pays(runs, ["demand_level", "labour_market_tightness", "leader_care"], 104)
    assert set(found["bounds"]) == {"demand_level", "labour_market_tightness"}
    assert found["bounds"]["demand_level"][0] == pytest.approx(1.0, abs=0.03)
    assert found["bounds"]["labour_market_tightness"][1] == pytest.approx(60, abs=5)
    assert found["share"] > 0.85
    assert "It paid back within 104 weeks in" in found["statement"]
    assert "demand is at least 1" in found["statement"]


def test_prim_boxes_shrink_and_get_purer_as_it_peels():
    runs = uniform_runs()
    y = (runs.leader_care > 70).to_numpy()
    trajectory = prim_trajectory(runs, y, min_runs=20)
    sizes = [box["runs"] for box in trajectory]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] >= 20
    assert trajectory[0]["share"] == pytest.approx(y.mean())
    assert max(box["share"] for box in trajectory) == 1.0


@pytest.mark.parametrize(("difference", "words"), [(1.0, "in every run"), (-1.0, "in any run")])
def test_an_intervention_that_always_or_never_pays_is_said_plainly(difference, words):
    runs = uniform_runs(50).assign(profit_difference=difference)
    assert words in where_it_pays(runs, ["leader_care"], 52)["statement"]


def books(seed, reps=4, weeks=20, spend=1.0, customers=1.0):
    """Weekly books whose profit is revenue less the cost lines, as the model's are."""
    rng = np.random.default_rng(seed)
    n = reps * weeks
    table = pd.DataFrame(
        {
            "rep": np.repeat(np.arange(reps), weeks),
            "step": np.tile(np.arange(1, weeks + 1), reps),
            "active_customers": customers * rng.uniform(900, 1100, n),
        }
    )
    table["visits"] = table.active_customers * rng.uniform(0.3, 0.5, n)
    table["revenue"] = table.visits * spend * rng.uniform(20, 30, n)
    for line in COST_LINES:
        table[line] = rng.uniform(100, 2000, n)
    table["costs"] = table[list(COST_LINES)].sum(axis=1)
    table["profit"] = table.revenue - table.costs
    return table


@pytest.mark.parametrize("seeds", [(1, 2), (3, 4), (5, 5)])
@pytest.mark.parametrize("week", [1, 7, 20])
def test_the_profit_bridge_adds_up_exactly_to_the_profit_difference(seeds, week):
    scenario, baseline = books(seeds[0], customers=1.1), books(seeds[1], spend=0.9)
    bridge = profit_bridge(scenario, baseline, week)
    assert list(bridge.step) == [*REVENUE_STEPS, *COST_LINES]
    shown = lambda t: t[t.step <= week].groupby("rep").profit.sum()  # noqa: E731
    assert bridge["mean"].sum() == pytest.approx((shown(scenario) - shown(baseline)).mean())


def test_the_bridge_puts_a_change_where_it_happened():
    baseline = books(1)
    dearer = baseline.assign(revenue=baseline.revenue * 1.1)
    dearer["profit"] = dearer.revenue - dearer.costs
    bridge = profit_bridge(dearer, baseline, 20).set_index("step")
    assert bridge.loc["spend per visit", "mean"] > 0 and bridge.loc["spend per visit", "clear"]
    assert (bridge.drop("spend per visit")["mean"].abs() < 1e-6).all()
    assert not bridge.drop("spend per visit").clear.any()  # no change is never "clear"
    arriving = profit_bridge(dearer, baseline, 20, judged=False).set_index("step")
    assert arriving["mean"].equals(bridge["mean"]) and not arriving.clear.any()
    paid = baseline.assign(payroll=baseline.payroll + 50.0)
    bridge = profit_bridge(paid, baseline, 10).set_index("step")
    assert bridge.loc["payroll", "mean"] == pytest.approx(-500.0)


def test_a_change_is_clear_only_when_its_paired_band_excludes_zero():
    baseline = books(1)
    up = baseline.assign(active_customers=baseline.active_customers + 5)
    assert change(up, baseline, "active_customers", 20) == pytest.approx(
        {"mean": 5.0, "low": 5.0, "high": 5.0, "clear": True, "judged": True}
    )
    arriving = paired_changes(up, baseline, ["active_customers"], 20, judged=False)
    assert arriving["active_customers"] == pytest.approx(
        {"mean": 5.0, "low": 5.0, "high": 5.0, "clear": False, "judged": False}
    )  # the first replications of a run: told, never called clear
    noisy = baseline.assign(
        active_customers=baseline.active_customers + np.repeat([-3.0, 4.0, -2.0, 3.0], 20)
    )
    assert not change(noisy, baseline, "active_customers", 20)["clear"]
    one = baseline[baseline.rep == 0]
    assert not change(
        one.assign(active_customers=one.active_customers + 5), one, "active_customers", 20
    )["clear"]  # one replication: spread unknown


def moved(mean, clear=True, judged=True):
    return {"mean": mean, "low": mean, "high": mean, "clear": clear, "judged": judged}


def test_the_story_says_what_moved_and_whether_it_is_clear_of_the_noise():
    said = story(["recognition"], moved(4.2), moved(1.1), moved(0.6e6), 20e6, 156)
    assert said == (
        "Recognition raised employee satisfaction by 4.2 points; customers followed by 1.1 "
        "points; cumulative profit is 600k (3%) higher by week 156, clear of the noise."
    )
    said = story(
        ["wage level", "staffing"],
        moved(-0.2, False),
        moved(0.1, False),
        moved(-1.5e6, False),
        20e6,
        52,
    )
    assert said.startswith("Wage level and staffing left employee satisfaction within the noise")
    assert said.endswith("1.5M (8%) lower by week 52, within the noise.")
    said = story(["friction"], moved(0.6), moved(-3.7), moved(-13.5e6), 26e6, 156)
    assert said.startswith(
        "Friction raised employee satisfaction by 0.6 points; customer satisfaction fell by "
        "3.7 points;"
    )  # a fall in words, not "moved by -3.7"
    said = story(["friction"], moved(0.6), moved(-0.04), moved(-13.5e6), 26e6, 156)
    assert "customer satisfaction stayed within the noise" in said  # clear, but 0.0 as printed
    said = story(["friction"], moved(0.1, False), moved(0.0, False), moved(-312.4, False), 1e6, 1)
    assert "cumulative profit is 312 lower by week 1" in said  # not "0k"
    assert story([], moved(0, False), moved(0, False), moved(0, False), 1e6, 10).startswith(
        "Nothing differs from the baseline yet"
    )


def test_each_unit_s_change_is_paired_and_clear_only_beyond_the_replications_spread():
    rows = [
        {"rep": rep, "step": step, "unit": unit, "employee_satisfaction": 50.0}
        for rep in range(3)
        for step in (1, 2)
        for unit in (1, 2)
    ]
    baseline = pd.DataFrame(rows)
    scenario = baseline.copy()
    scenario.loc[scenario.unit == 1, "employee_satisfaction"] += 1.0  # every replication
    wobble = scenario.unit == 2
    scenario.loc[wobble, "employee_satisfaction"] += scenario.loc[wobble, "rep"] - 1.0  # -1, 0, 1
    found = unit_changes(scenario, baseline, ["employee_satisfaction"], 1, 2).set_index("unit")
    assert found.loc[1, "difference"] == 1.0 and found.loc[1, "clear"]
    assert found.loc[2, "difference"] == 0.0 and not found.loc[2, "clear"]
    alone = unit_changes(scenario[scenario.rep == 0], baseline, ["employee_satisfaction"], 1, 2)
    assert not alone.clear.any()  # one replication: spread unknown


def test_a_change_that_rounds_to_zero_is_shown_as_noise_not_as_a_signed_zero():
    tiny = moved(-0.04)  # clear of the spread, but "-0.0" points as read
    assert not charts.shown("customer_satisfaction", tiny)
    assert charts.verdict("customer_satisfaction", tiny) == "noise"
    assert charts.change_text("customer_satisfaction", tiny) == "within noise"
    assert charts.shown("customer_satisfaction", moved(-0.06))
    assert charts.change_text("customer_satisfaction", moved(-0.06)) == "-0.1"


def test_changes_not_yet_judged_are_told_as_they_stand_with_no_verdict():
    said = story(
        ["recognition"],
        moved(8.04, False, False),
        moved(-0.4, False, False),
        moved(1.2e6, False, False),
        20e6,
        156,
    )
    assert said == (
        "Recognition: in the replications so far, employee satisfaction moved by +8.0 points "
        "and customer satisfaction by -0.4; cumulative profit is 1.2M (6%) higher by week 156. "
        "Changes are judged once all replications are in."
    )
    assert "noise" not in said
    said = story(["recognition"], *[moved(-0.04, False, False)] * 3, 20e6, 156)
    assert "moved by +0.0 points and customer satisfaction by +0.0;" in said
    assert charts.change_text("employee_satisfaction", moved(8.0, False, False)) == (
        "not yet judged"
    )
    assert charts.verdict("employee_satisfaction", moved(8.0, False, False)) == "noise"


def test_the_replications_so_far_are_paired_with_the_same_ones_of_the_baseline():
    baseline = books(1)
    extra = 50.0 * (1 + baseline.rep)  # a week: 50 in replication 0, 150 in replication 2
    dearer = baseline.assign(payroll=baseline.payroll + extra, costs=baseline.costs + extra)
    dearer["profit"] = dearer.revenue - dearer.costs
    arrived = dearer[dearer.rep.isin([0, 2])]  # two of four, not the first two
    bridge = profit_bridge(arrived, baseline, 10, judged=False).set_index("step")
    assert bridge.loc["payroll", "mean"] == pytest.approx(-50.0 * (1 + 3) / 2 * 10)
    case = business_case(arrived, baseline)
    assert case["investment"] == pytest.approx(50.0 * (1 + 3) / 2 * 20)
    assert case["profit_difference"][0] == pytest.approx(-50.0 * (1 + 3) / 2 * 20)


def test_a_table_of_units_is_refused_where_one_row_a_week_is_read():
    org = books(1)
    units = pd.concat([org.assign(unit=0), org.assign(unit=1)])
    for read in (
        lambda table: bands(table, "profit"),
        lambda table: per_replication(table, ["profit"], 20),
        lambda table: profit_bridge(table, org, 20),
    ):
        with pytest.raises(ValueError, match="one row per replication and week"):
            read(units)


def test_a_week_twice_in_one_replication_and_missing_in_another_is_refused():
    org = books(1, reps=2, weeks=2)
    offsetting = pd.concat([org, org[(org.rep == 0) & (org.step == 2)]])
    offsetting = offsetting[~((offsetting.rep == 1) & (offsetting.step == 2))]
    assert len(offsetting) == len(org)  # as many rows as a whole table
    with pytest.raises(ValueError, match="one row per replication and week"):
        bands(offsetting, "profit")


def test_an_empty_table_has_no_bands():
    assert bands(books(1).iloc[:0], "profit").empty


def test_a_workshop_chart_smooths_weekly_flows_but_draws_a_cumulative_profit_as_it_is():
    weeks = np.arange(1, 27)
    lines = pd.DataFrame(
        {"step": np.tile(weeks, 2), "company": np.repeat(["Baseline", "Team"], 26)}
    )
    lines["value"] = np.where(lines.company == "Team", 2.0, 1.0) * lines.step * 1000.0

    def drawn(measure):
        chart = charts.companies_chart(lines, measure, weeks_per_round=13).to_dict()
        rows = next(rows for rows in chart["datasets"].values() if rows and "company" in rows[0])
        return chart["title"], pd.DataFrame(rows).set_index(["company", "step"]).value

    title, stock = drawn("cumulative_profit")
    assert stock[("Team", 26)] == 52_000.0  # the total at the round's end, not a running mean
    assert "mean" not in title
    title, flow = drawn("profit")
    assert flow[("Team", 26)] == pytest.approx(2000.0 * np.arange(14, 27).mean())
    assert flow[("Baseline", 1)] == 1000.0  # each company's own weeks
    assert "13-week mean" in title
