"""Units built from a scenario's unit table: unit k of the model is unit k of the table."""

import numpy as np
import pytest

from model import InputError, Scenario, simulate
from model.engine import chain
from model.engine.chain import ServiceProfitChain
from model.scenario import read_scenario_text
from model.simulate import replication_rng

SMALL = {"n_units": 4, "staff_per_unit": 8, "customers_per_unit": 150}
TABLE = {"market": [0.5, 1.0, 1.5, 2.0], "staff": [5, 8, 12, 16], "habit_offset": [-20, 0, 10, 30]}
PLAIN = Scenario("plain").with_parameters(SMALL)


def test_each_unit_takes_its_market_staff_and_manager_from_the_table(monkeypatch):
    monkeypatch.setattr(chain, "WARM_UP_WEEKS", 0)  # the organisation as built
    model = ServiceProfitChain(units=TABLE, seed=3, **SMALL)
    units = model.units
    assert units.market == pytest.approx(TABLE["market"])
    assert units.pool / units.pool[1] == pytest.approx(TABLE["market"])  # customers it can win
    assert units.staff_plan == pytest.approx(TABLE["staff"])
    posts = model.authorised[model.n_departments :]
    assert list(posts) == [round(s * model.p["staffing_level"]) for s in TABLE["staff"]]
    habits = model.leaders.habit[units.manager]
    offsets = np.array(TABLE["habit_offset"], float)[:, None]
    assert np.allclose(habits - model._standard(), offsets)


def test_a_table_of_the_drawn_markets_gives_the_same_run_as_none():
    """The draws a table replaces are still made, so everything else draws alike."""
    drawn = ServiceProfitChain(rng=replication_rng(5, 0), **SMALL).units.market
    tabled = PLAIN.with_units({"market": list(drawn)})
    assert simulate(tabled, steps=8, seed=5).equals(simulate(PLAIN, steps=8, seed=5))
    other = PLAIN.with_units({"market": list(drawn[::-1])})
    assert not simulate(other, steps=8, seed=5).equals(simulate(PLAIN, steps=8, seed=5))


def test_a_unit_s_engagement_follows_its_own_manager():
    """Units of 20, after a quarter; seeds 0-3 gave the poorest managers' units 0.06-0.22
    engaged, the middle one 0.34-0.58 and the best one 0.58-0.71."""
    offsets = [-30, 0, 30, -30]  # the first and last units have the poorest managers
    size = SMALL | {"staff_per_unit": 20, "customers_per_unit": 300}
    table = simulate(
        Scenario("plain").with_parameters(size).with_units({"habit_offset": offsets}),
        steps=39,
        seed=0,
        reps=4,
        level="unit",
    )
    engaged = table[table.step > 13].groupby("unit").engaged_share.mean().to_numpy()
    assert max(engaged[0], engaged[3]) < engaged[1] - 0.1 and engaged[1] < engaged[2]


def test_a_unit_table_is_kept_in_the_scenario_file_and_read_back():
    scenario = PLAIN.with_units(TABLE)
    again = read_scenario_text(scenario.to_yaml())
    assert again == scenario and again.units["staff"] == (5, 8, 12, 16)
    assert simulate(again, steps=4, seed=1).equals(simulate(scenario, steps=4, seed=1))


@pytest.mark.parametrize(
    ("table", "names"),
    [
        ({"size": [1, 1, 1, 1]}, "units.size: unknown unit column; allowed: market, staff"),
        ({"market": [1, 1, 1]}, "units.market: 3 values for 4 units"),
        ({"market": 1.2}, "units.market: 1.2 is not a list"),
        (
            {"market": [1, 1, 5, 1]},
            "units.market[2]: 5 is out of range; allowed: a number from 0.3",
        ),
        ({"staff": [5, 8, 7.5, 6]}, "units.staff[2]: 7.5 is not a whole number"),
        ({"habit_offset": [0, "high", 0, 0]}, "units.habit_offset[1]: 'high' is not a number"),
    ],
)
def test_a_unit_table_that_cannot_be_used_is_refused_in_one_line(table, names):
    text = PLAIN.to_yaml() + "units: " + repr(table).replace("'", '"') + "\n"
    with pytest.raises(InputError) as refused:
        read_scenario_text(text)
    assert str(refused.value).startswith(names) and "\n" not in str(refused.value)


def test_another_number_of_units_draws_the_units_again():
    tabled = PLAIN.with_units({"market": [1, 1, 1, 1]})
    assert tabled.with_parameters({"staff_per_unit": 9}).units == tabled.units
    assert tabled.with_parameters({"n_units": 6}).units == {}
    with pytest.raises(InputError, match=r"^units.market: 4 values for 6 units"):
        Scenario("x").with_parameters({"n_units": 6}).with_units({"market": [1, 1, 1, 1]})
