"""Reading results: bands, the recent quarter and the business case."""

import pandas as pd
import pytest

from model.analysis import bands, business_case, payback_week, recent


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
