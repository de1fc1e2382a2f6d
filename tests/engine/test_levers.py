"""Every parameter has an effect, in the right direction and of a sensible size.

Each case pulls one lever at week 1 of the baseline and compares a window of
weeks with the baseline run on the same seeds (common random numbers), so the
difference is the lever's, not noise.
"""

import pytest
from simulated import run, window

from model import PARAMETERS

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

# (parameter, value, measure, first week, last week, smallest change, largest change)
# Changes are absolute for 0-100 and 0-1 measures and relative (share of the
# baseline) for counts and money, marked by `rel`.
CASES = [
    ("leader_recognition", 80, "employee_satisfaction", 53, 78, 0.8, 6.0),
    ("leader_care", 85, "employee_satisfaction", 53, 78, 0.8, 6.0),
    ("leader_presence", 80, "employee_satisfaction", 53, 78, 0.8, 6.0),
    ("leader_coaching", 80, "skill", 53, 78, 0.5, 8.0),
    ("frontline_training_hours", 120, "skill", 53, 78, 1.5, 10.0),
    ("onboarding_quality", 95, "early_quits rel", 27, 78, -0.7, -0.1),
    ("customer_policy_friction", 85, "service_quality", 27, 78, -8.0, -1.5),
    ("internal_policy_friction", 85, "internal_service_quality", 27, 78, -15.0, -4.0),
    ("hierarchy_layers", 7, "internal_service_quality", 27, 78, -15.0, -4.0),
    ("automation_level", 0.5, "workload rel", 2, 13, -0.6, -0.25),
    ("engagement_program", 1500, "internal_service_quality", 27, 78, 5.0, 14.0),
    ("champions_program", 0.15, "employee_satisfaction", 27, 78, 0.5, 5.0),
    ("hiring_selectivity", 95, "early_quits rel", 27, 78, -0.7, -0.15),
    (
        "staffing_level",
        0.8,
        "headcount rel",
        40,
        78,
        -0.26,
        -0.12,
    ),  # the plan reads cut corners too
    ("staffing_level", 0.8, "workload rel", 14, 26, 0.03, 0.3),
    ("wage_level", 1.3, "turnover_rate", 27, 78, -0.5, -0.1),
    ("cross_department_cooperation", 90, "internal_service_quality", 27, 78, 1.5, 8.0),
    # new units open with few customers and are staffed to what they serve
    ("growth_rate", 0.5, "headcount rel", 53, 78, 0.2, 1.0),
    ("demand_level", 1.3, "workload rel", 2, 8, 0.05, 0.35),
    ("labour_market_tightness", 90, "turnover_rate", 27, 78, 0.1, 1.0),
    ("customer_expectation", 80, "customer_satisfaction", 53, 78, -4.0, -0.3),
    ("spend_per_visit", 324, "revenue rel", 27, 78, 0.1, 0.3),
    ("gross_margin", 0.35, "profit rel", 27, 78, 0.5, 5.0),
    ("weekly_wage", 672, "payroll rel", 27, 78, 0.17, 0.23),
    ("replacement_cost_share", 0.3, "turnover_cost rel", 27, 78, 0.45, 0.7),
    ("unit_fixed_costs", 9000, "profit", 27, 78, -61000, -59000),  # 2,500 x 24 units
    # costs that change nothing but the books: their effect on profit is exact
    ("trainer_cost_per_hour", 45, "profit", 27, 78, -6500, -4000),
    ("cost_per_new_customer", 600, "profit", 27, 78, -15000, -13000),  # 300 x about 47 a week
    ("leader_training_day_cost", 1800, "profit", 27, 78, -1300, -900),
    ("onboarding_cost", 1200, "profit", 27, 78, -2500, -500),
    ("automation_cost", 12000, "profit", 27, 78, -14500, -14300),
    ("senior_time_cost", 16000, "profit", 27, 78, -2401, -2399),
]

# Leadership levers that work by pulling leaders toward a raised standard.
RAISED_STANDARD = {
    "leader_recognition": 70,
    "leader_care": 70,
    "leader_presence": 70,
    "leader_coaching": 70,
}
PULL_CASES = [("senior_involvement", 90, 1.5, 8.0), ("leadership_training", 10, 0.8, 6.0)]

STRUCTURE_CASES = [
    ("n_units", 48, "headcount rel", 0.8, 1.2),
    ("staff_per_unit", 30, "headcount rel", 0.35, 0.6),
    ("customers_per_unit", 1000, "active_customers rel", 0.6, 1.4),
    # more, smaller departments: a weaker weakest link, worse service, fewer customers to staff for
    ("support_departments", 6, "headcount rel", -0.1, 0.08),
    ("support_staff_ratio", 20, "headcount rel", 0.05, 0.2),
    # a bigger market: more customers at rest, and staff planned for them
    ("market_potential", 3.0, "active_customers rel", 0.1, 0.5),
    ("champion_share", 0.3, "employee_satisfaction", 1.0, 6.0),
]


def _change(table, base, measure, first, last):
    name, _, kind = measure.partition(" ")
    new, old = window(table, first, last)[name], window(base, first, last)[name]
    return (new - old) / abs(old) if kind == "rel" else new - old


@pytest.mark.parametrize(("name", "value", "measure", "first", "last", "low", "high"), CASES)
def test_lever_moves_its_outcome(baseline, name, value, measure, first, last, low, high):
    change = _change(run(**{name: value}), baseline, measure, first, last)
    assert low <= change <= high, f"{name}={value}: {measure} changed by {change:.3f}"


@pytest.mark.parametrize(("name", "value", "low", "high"), PULL_CASES)
def test_start_at_the_top_pulls_leaders_to_a_raised_standard(name, value, low, high):
    without = run(**RAISED_STANDARD)
    with_pull = run(**RAISED_STANDARD, **{name: value})
    change = _change(with_pull, without, "leader_behaviour", 27, 78)
    assert low <= change <= high


@pytest.mark.parametrize(("name", "value", "measure", "low", "high"), STRUCTURE_CASES)
def test_organisation_size_parameters(baseline, name, value, measure, low, high):
    change = _change(run(start={name: value}), baseline, measure, 1, 78)
    assert low <= change <= high, f"{name}={value}: {measure} changed by {change:.3f}"


def test_habits_and_markets_make_units_differ():
    from model import simulate
    from model.scenario import Scenario

    alike = Scenario("alike").with_parameters({"manager_habit_spread": 0, "market_spread": 0})
    spread = simulate(Scenario("baseline"), steps=52, level="unit", seed=3, reps=4)
    same = simulate(alike, steps=52, level="unit", seed=3, reps=4)
    by_unit = spread.groupby(["rep", "unit"]).mean(numeric_only=True)  # 96 unit-years
    by_unit_same = same.groupby(["rep", "unit"]).mean(numeric_only=True)
    assert by_unit.leader_behaviour.std() > 3 * by_unit_same.leader_behaviour.std()
    variation = by_unit.revenue.std() / by_unit.revenue.mean()
    assert variation > 0.1
    assert variation > 1.5 * by_unit_same.revenue.std() / by_unit_same.revenue.mean()
    # people work for their manager: better-led units have happier staff
    assert by_unit.leader_behaviour.corr(by_unit.employee_satisfaction) > 0.4
    # and units with happier staff have happier customers (Schneider et al. 1998)
    assert by_unit.employee_satisfaction.corr(by_unit.customer_satisfaction) > 0.3


def test_champions_cost_what_the_programme_pays():
    programme = run(champions_program=0.1)
    dearer = run(champions_program=0.1, champion_cost=3000)
    change = _change(dearer, programme, "profit", 27, 78)
    headcount = window(programme, 27, 78).headcount
    assert change == pytest.approx(-0.1 * headcount * 1500 / 52, rel=0.02)


def test_regions_follow_the_span_of_control():
    from model import simulate
    from model.scenario import Scenario

    narrow = Scenario("narrow").with_parameters({"units_per_region": 2})
    units = simulate(narrow, steps=1, level="unit")
    assert units.region.nunique() == 12
    assert units.groupby("region").unit.count().max() == 2


def test_every_parameter_is_exercised():
    tested = {case[0] for case in CASES + PULL_CASES + STRUCTURE_CASES}
    tested |= {"manager_habit_spread", "market_spread", "units_per_region", "champion_cost"}
    assert {p.name for p in PARAMETERS} - tested == set()
