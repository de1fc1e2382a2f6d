"""The public interface that users and the app rely on."""

from dataclasses import replace

import mesa
import numpy as np
import pytest

from model import MEASURES, InputError, Scenario, ServiceProfitChain, load_scenario, simulate
from model.engine.agents import Employee, Leader, Level
from model.engine.observe import COST_LINES
from model.engine.parameters import defaults
from model.scenario import read_scenario_text

REQUIRED = [
    "step",
    "employee_satisfaction",
    "engaged_share",
    "turnover_rate",
    "headcount",
    "vacancies",
    "internal_service_quality",
    "service_quality",
    "customer_satisfaction",
    "active_customers",
    "customer_retention",
    "nps",
    "revenue",
    "costs",
    "profit",
    "cumulative_profit",
]


@pytest.fixture(scope="module")
def org():
    return simulate("baseline", steps=30, seed=2)


@pytest.fixture(scope="module")
def units():
    return simulate("baseline", steps=30, seed=2, level="unit")


def test_org_level_has_one_row_per_week_and_the_documented_columns(org):
    assert list(org.step) == list(range(1, 31))
    assert set(REQUIRED) <= set(org.columns)
    assert set(MEASURES) <= set(org.columns)


def test_measures_stay_in_their_ranges(org):
    for share in ("engaged_share", "customer_retention"):
        assert org[share].between(0, 1).all()
    for score in (
        "employee_satisfaction",
        "internal_service_quality",
        "service_quality",
        "customer_satisfaction",
    ):
        assert org[score].between(0, 100).all()
    assert org.nps.between(-100, 100).all()
    assert (org.turnover_rate >= 0).all() and (org.vacancies >= 0).all()
    assert np.allclose(org.profit, org.revenue - org.costs)
    assert np.allclose(org.cumulative_profit, org.profit.cumsum())


def test_unit_level_adds_up_to_the_organisation(org, units):
    assert len(units) == 30 * 24 and set(REQUIRED) <= set(units.columns)
    by_week = units.groupby("step").sum(numeric_only=True)
    for money in ("revenue", "costs", "profit", "cumulative_profit"):
        assert np.allclose(by_week[money].values, org[money].values)
    assert np.allclose(by_week.active_customers.values, org.active_customers.values)
    # the organisation also counts support departments' staff
    assert (by_week.headcount.values < org.headcount.values).all()


def test_the_unit_level_is_the_same_run_seen_unit_by_unit(org, units):
    """Every flow the units record adds up, week by week, to the organisation's own run."""
    by_week = units.groupby("step").sum(numeric_only=True)
    for measure in ("visits", "new_customers", "lost_servers", *COST_LINES):
        assert np.allclose(by_week[measure].values, org[measure].values), measure
    assert np.allclose(
        units.groupby("step").customer_satisfaction.apply(
            lambda s: np.average(s, weights=units.loc[s.index, "active_customers"])
        ),
        org.customer_satisfaction,
    )


def test_scenarios_round_trip_through_yaml():
    scenario = load_scenario("letting_up_after_success").with_change(
        100, {"leader_care": 80}, note="a second push"
    )
    assert read_scenario_text(scenario.to_yaml()) == scenario


def test_a_change_at_a_week_acts_from_that_week():
    base = Scenario("plain")
    pushed = base.with_change(10, {"engagement_program": 2500})
    a = simulate(base, steps=14, seed=1)
    b = simulate(pushed, steps=14, seed=1)
    assert a[a.step < 10].equals(b[b.step < 10])
    assert b[b.step >= 10].costs.sum() > a[a.step >= 10].costs.sum()


def test_leaders_and_employees_are_mesa_agents_holding_an_index():
    model = ServiceProfitChain(seed=1, n_units=3, staff_per_unit=5)
    leaders = model.agents_by_type[Leader]
    employees = model.agents_by_type[Employee]
    assert len(leaders) == len(model.leaders) and len(employees) == len(model.staff)
    assert isinstance(leaders[0], mesa.Agent)
    top = next(leader for leader in leaders if leader.level == Level.SENIOR)
    assert top.leader is None
    manager = next(leader for leader in leaders if leader.level == Level.UNIT_MANAGER)
    assert manager.leader.level == Level.REGIONAL
    assert set(manager.behaviour) == {"recognition", "care", "presence", "coaching"}
    someone = next(e for e in employees if not e.vacant)
    assert 0 <= someone.satisfaction <= 100 and 0 <= someone.skill <= 100
    assert someone.manager.level in (Level.UNIT_MANAGER, Level.DEPARTMENT_MANAGER)
    model.step()
    assert someone.tenure_weeks >= 1 or someone.vacant


def test_the_model_steps_like_a_mesa_model():
    model = ServiceProfitChain(seed=1, n_units=3)
    for _ in range(3):
        model.step()
    assert model.steps == 3 and len(model.records) == 3


def test_a_new_manager_takes_over_one_unit_at_the_week_given():
    plain = Scenario("plain")
    one = plain.with_change(10, {}, "a new manager", new_manager=[0])
    every = plain.with_change(10, {}, "new managers everywhere", new_manager=list(range(24)))
    assert read_scenario_text(one.to_yaml()) == one
    before, after, all_new = (
        simulate(s, steps=30, reps=2, level="unit") for s in (plain, one, every)
    )
    assert before[before.step < 10].equals(after[after.step < 10])

    def behaviour(table, units):
        rows = table[table.unit.isin(units) & table.step.between(10, 20)]
        return rows.leader_behaviour.mean()

    others = [abs(behaviour(after, [unit]) - behaviour(before, [unit])) for unit in range(1, 24)]
    assert max(others) < 0.05  # the others keep their managers
    assert abs(behaviour(after, [0]) - behaviour(before, [0])) > 20 * max(others)
    # hired in a hurry: on average their habits start 10 points below the standard
    assert behaviour(all_new, range(24)) < behaviour(before, range(24)) - 3


@pytest.mark.parametrize("units", [[24], [-1], "0", [True]])
def test_a_new_manager_for_a_unit_that_does_not_exist_is_refused(units):
    text = f"title: x\ntimeline:\n  - week: 3\n    new_manager: {units!r}\n"
    with pytest.raises(InputError, match="timeline\\[0\\].new_manager: .* is not a list of units"):
        read_scenario_text(text)


def test_the_values_at_a_week_are_the_start_and_every_change_up_to_it():
    scenario = (
        Scenario("steps", parameters={"wage_level": 1.1})
        .with_change(20, {"leader_care": 80})
        .with_change(10, {"leader_care": 60, "wage_level": 1.2})
        .with_change(20, {"leader_care": 70}, note="of two changes in a week, the later acts")
    )
    start = defaults() | {"wage_level": 1.1}
    from_10 = start | {"leader_care": 60, "wage_level": 1.2}
    from_20 = from_10 | {"leader_care": 70}
    assert scenario.values_at(1) == scenario.values_at(9) == start
    assert scenario.values_at(10) == scenario.values_at(19) == from_10
    assert scenario.values_at(20) == scenario.values_at(scenario.weeks) == from_20
    assert scenario.values() == start  # the starting values stay as they were


def test_a_scenario_key_is_the_same_for_equal_scenarios_only():
    scenario = load_scenario("letting_up_after_success")
    assert read_scenario_text(scenario.to_yaml()).key() == scenario.key()
    step = scenario.timeline[0]
    reordered = replace(step, changes=dict(reversed(step.changes.items())))
    assert replace(scenario, timeline=(reordered, *scenario.timeline[1:])).key() == scenario.key()
    assert scenario.with_change(100, {"leader_care": 80}).key() != scenario.key()
    assert replace(scenario, title="Another").key() != scenario.key()


def test_every_measure_is_declared_once_with_what_a_reader_needs():
    from model.engine.observe import CHAIN, COST_LINES, FLOWS

    forms = {"score", "share", "money", "count", "ratio"}
    for name, measure in MEASURES.items():
        assert measure.label and measure.meaning and measure.unit, name
        assert measure.form in forms and measure.better in (-1, 0, 1), name
    assert len({m.label for m in MEASURES.values()}) == len(MEASURES)  # no two read alike
    assert [stage for stage, _ in CHAIN] == [
        "Leaders",
        "Internal service",
        "Employees",
        "Service",
        "Customers",
        "Loyalty",
        "Profit",
    ]
    assert set(COST_LINES) <= FLOWS and {"revenue", "profit", "quits"} <= FLOWS
    assert not {"employee_satisfaction", "active_customers", "cumulative_profit"} & FLOWS


def test_the_documentation_describes_every_mechanism_once():
    import inspect

    from model.engine import mechanisms
    from model.report.docs import SUBMODELS

    listed = [name for names in SUBMODELS.values() for name in names]
    mechanism_functions = {
        name
        for name, function in inspect.getmembers(mechanisms, inspect.isfunction)
        if function.__module__ == mechanisms.__name__ and name != "power_mean"  # arithmetic
    }
    assert len(listed) == len(set(listed))
    assert set(listed) == mechanism_functions


def test_every_coefficient_of_the_mechanisms_is_documented_with_why_it_is_there():
    from model.engine import mechanisms
    from model.experiments.calibration import TARGETS
    from model.report.docs import coefficient_table

    table = coefficient_table()
    numeric = {
        name
        for name, value in vars(mechanisms).items()
        if name.isupper() and isinstance(value, int | float)
    }
    assert set(table.coefficient) == numeric  # each read from its one declaration
    assert (table.why.str.len() > 10).all()
    calibrated = {name for t in TARGETS for name in t.carried_by if name in numeric}
    assert (table.set_index("coefficient").loc[sorted(calibrated), "set to"] != "assumed").all()
