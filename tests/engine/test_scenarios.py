"""Every shipped scenario loads, runs, and tells the story its description promises."""

import pytest
from simulated import window

from model import load_scenario, scenario_names, simulate
from model.experiments.calibration import ANCHORED, SURGE_REPLICATIONS, lasting_loss

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

NAMES = scenario_names()


@pytest.fixture(scope="module")
def results():
    """Each scenario and the baseline over three years, three replications, same seeds."""
    return {name: simulate(name, reps=3, seed=5) for name in NAMES}


def change(results, name, measure, first, last):
    return (
        window(results[name], first, last)[measure]
        - window(results["baseline"], first, last)[measure]
    )


def test_the_shipped_scenarios_cover_the_failure_modes_and_remedies():
    assert NAMES[0] == "baseline"
    assert len(NAMES) >= 8
    for name in NAMES:
        scenario = load_scenario(name)
        assert scenario.title and scenario.description.strip()
        assert "notice" in scenario.description.lower()
        if name != "baseline":
            assert scenario.parameters or scenario.timeline


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_runs(name):
    table = simulate(name, steps=5, seed=1)
    assert list(table.step) == [1, 2, 3, 4, 5]
    assert table.notna().all().all()


def test_training_without_culture_raises_skill_more_than_service(results):
    skill = change(results, "compliance_without_culture", "skill", 53, 156)
    before = window(results["compliance_without_culture"], 1, 12)
    after = window(results["compliance_without_culture"], 53, 156)
    assert after.skill - before.skill > 2.0
    assert after.employee_satisfaction - before.employee_satisfaction < 3.0
    assert (
        window(results["compliance_without_culture"], 53, 156).service_quality
        < window(results["baseline"], 53, 156).service_quality
    )
    assert skill > -5.0


def test_growth_dilutes_the_culture(results):
    grown = results["growth_dilutes_culture"]
    start, end = window(grown, 1, 12), window(grown, 130, 156)
    assert end.headcount > 1.5 * start.headcount
    assert end.employee_satisfaction < start.employee_satisfaction - 2.0
    assert end.skill < start.skill
    assert end.revenue > 1.3 * start.revenue


def test_short_term_profit_squeeze_pays_at_once_and_costs_later(results):
    # against the same large chain doing nothing new, on the same draws
    squeezed = results["short_term_profit_squeeze"]
    large = simulate(
        load_scenario("baseline").with_parameters({"n_units": 48}),
        steps=int(squeezed.step.max()),
        reps=3,
        seed=5,
    )

    def gain(measure, first, last):
        return window(squeezed, first, last)[measure] - window(large, first, last)[measure]

    assert gain("profit", 27, 52) > 0  # payroll falls at once
    assert gain("workload", 53, 78) > 0.05  # overload follows
    assert gain("profit", 157, 208) < 0  # and in the fourth year it costs more than it saves
    assert gain("revenue", 131, 156) < -0.03 * window(large, 131, 156).revenue
    assert gain("customer_satisfaction", 131, 156) < -0.5


def test_breaking_silos_lifts_internal_service_then_people(results):
    silos = results["silos"]
    before, after = window(silos, 27, 52), window(silos, 65, 104)
    assert after.internal_service_quality > before.internal_service_quality + 8.0
    assert after.employee_satisfaction > before.employee_satisfaction + 3.0
    assert after.turnover_rate < before.turnover_rate


def test_starting_at_the_top_travels_inside_out(results):
    assert change(results, "start_at_the_top", "leader_behaviour", 52, 156) > 10.0
    assert change(results, "start_at_the_top", "employee_satisfaction", 52, 156) > 4.0
    assert change(results, "start_at_the_top", "turnover_rate", 52, 156) < -0.1
    assert change(results, "start_at_the_top", "customer_satisfaction", 52, 156) > 0.3


def test_starting_at_the_top_pays_back_but_not_in_the_first_quarter(results):
    def extra_profit(week):  # replication by replication, on the same draws
        profit = {
            name: results[name][results[name].step == week].set_index("rep").cumulative_profit
            for name in ("start_at_the_top", "baseline")
        }
        return profit["start_at_the_top"] - profit["baseline"]

    assert (extra_profit(26) < 0).all()  # a quarter after the top team commits
    assert (extra_profit(156) > 0).all()


def test_an_engagement_programme_helps_less_than_leaders_do(results):
    programme = change(results, "engagement_programme", "employee_satisfaction", 52, 156)
    leaders = change(results, "start_at_the_top", "employee_satisfaction", 52, 156)
    assert 1.0 < programme < leaders


def test_letting_up_after_success_fades_slowly(results):
    table = results["letting_up_after_success"]
    peak, soon, late = window(table, 52, 77), window(table, 79, 90), window(table, 130, 156)
    assert peak.leader_behaviour - late.leader_behaviour > 3.0
    assert soon.employee_satisfaction > late.employee_satisfaction
    assert peak.employee_satisfaction - late.employee_satisfaction > 2.0


def test_a_demand_surge_brings_overtime_then_quits_and_eroded_standards(results):
    surge = change(results, "demand_surge", "workload", 52, 61)
    assert surge > 0.05
    assert change(results, "demand_surge", "fatigue", 56, 70) > 0.005
    assert change(results, "demand_surge", "service_standard", 62, 80) < -0.005


def test_anchored_standards_prevent_the_surge_s_lasting_loss():
    """Oliva and Sterman: with standards held by training, coaching and recognition, a year
    after the surge revenue is back where it would have been (the unanchored loss is a
    calibration target)."""
    (anchored,) = lasting_loss(SURGE_REPLICATIONS, ANCHORED)
    assert anchored > -2.0


def test_the_surge_brings_quits_weeks_after_it_starts():
    """Paired over 32 replications: the extra quits of one 10-week surge are a few per
    cent of a year's, too few to tell from noise in three."""
    surge, base = (
        simulate(name, steps=80, reps=32, seed=5) for name in ("demand_surge", "baseline")
    )

    def turnover(table):
        return table[table.step.between(56, 70)].groupby("rep").turnover_rate.mean()

    extra = turnover(surge) - turnover(base)
    assert extra.mean() > 3 * extra.std() / len(extra) ** 0.5
