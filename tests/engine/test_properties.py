"""Property-based: anywhere in the parameter ranges, with random timelines, the
measures stay finite and within their scales, and a seed fixes the result."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import PARAMETERS, Scenario, simulate
from model.engine.observe import COST_LINES

SMALL = {  # the organisation's size, kept small so that many examples run
    "n_units": st.integers(1, 4),
    "staff_per_unit": st.integers(2, 10),
    "customers_per_unit": st.integers(10, 120),
}


def value(parameter):
    if parameter.integer:
        return st.integers(int(parameter.low), int(parameter.high))
    return st.floats(parameter.low, parameter.high, allow_nan=False)


LEVERS = [p for p in PARAMETERS if p.may_change_during_run]
STRUCTURE = [p for p in PARAMETERS if not p.may_change_during_run and p.name not in SMALL]

start = st.fixed_dictionaries(SMALL, optional={p.name: value(p) for p in LEVERS + STRUCTURE})
changes = st.fixed_dictionaries({}, optional={p.name: value(p) for p in LEVERS})
timeline = st.dictionaries(st.integers(1, 12), changes, max_size=3)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=start, timeline=timeline, seed=st.integers(0, 2**32))
def test_any_settings_give_finite_bounded_reproducible_results(start, timeline, seed):
    scenario = Scenario("random").with_parameters(start)
    for week, change in timeline.items():
        if change:
            scenario = scenario.with_change(week, change)
    table = simulate(scenario, steps=12, seed=seed)
    numbers = table.select_dtypes("number").to_numpy(dtype=float)
    assert np.isfinite(numbers).all()
    for share in ("engaged_share", "customer_retention", "service_standard"):
        assert table[share].between(0, 1).all()
    for score in (
        "employee_satisfaction",
        "internal_service_quality",
        "service_quality",
        "customer_satisfaction",
        "skill",
        "leader_behaviour",
    ):
        assert table[score].between(0, 100).all()
    for count in ("headcount", "vacancies", "active_customers", "quits", "hires", "visits"):
        assert (table[count] >= 0).all()
    assert table.nps.between(-100, 100).all()
    lines = table[list(COST_LINES)]
    assert (lines >= 0).all().all()
    assert np.allclose(lines.sum(axis=1), table.costs, rtol=1e-9)  # the books balance
    assert np.allclose(table.revenue - table.costs, table.profit, rtol=1e-9, atol=1e-6)
    assert simulate(scenario, steps=12, seed=seed).equals(table)
