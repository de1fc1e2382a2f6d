"""Fitting the baseline to a company's figures: a round trip, and figures refused in one line."""

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from model import InputError, Scenario, load_scenario, simulate
from model.cli import main
from model.engine.organisation import HABIT_PERSON
from model.engine.parameters import BY_NAME
from model.experiments.fit import (
    BY_FIGURE,
    FIT_WEEKS,
    Company,
    _first_unit_table,
    _margin_solved,
    _unit_figures_of,
    check_company,
    check_figures,
    fit,
    measure,
    read_company,
    targets,
    units_compared,
)
from model.paths import FIGURES

SHOP = {"customers_per_unit": 400, "visits_per_customer": 25, "spend_per_visit": 100}
PAY = {"staff_per_unit": 12, "weekly_wage": 600, "gross_margin": 0.4}

TRUTH = {  # the company the figures are taken from
    "labour_market_tightness": 60,
    "onboarding_quality": 55,
    "internal_policy_friction": 50,
    "customer_expectation": 58,
    "unit_fixed_costs": 5000,
    "demand_level": 1.0,
}
GIVEN = [  # the figures the company gives, two of them on one parameter (customers' expectations)
    "annual_turnover",
    "early_exit_share",
    "engaged_share",
    "customer_retention",
    "nps",
    "visits_per_customer",
    "operating_margin",
]


@pytest.mark.parametrize(
    ("figures", "names"),
    [
        ({"turnover": 0.6}, "turnover: not a figure the fit reads"),
        ({"annual_turnover": 4.0}, "annual_turnover: 4.0 is beyond what the model represents"),
        ({"annual_turnover": "high"}, "annual_turnover: 'high' is not a number"),
        ({"units": 0}, "units: 0 is beyond what the model represents"),
        (
            {"gross_margin": 0.3, "operating_margin": 0.3},
            "operating_margin: 0.3 is not below gross_margin 0.3",
        ),
        ({}, "figures: none given"),
        ({"engagement_score": 3.8}, "engagement_score: given without its scale"),
        (
            {"engagement_score": 3, "engagement_scale_low": 5, "engagement_scale_high": 1},
            "engagement_scale_high: 1 is not above engagement_scale_low 5",
        ),
        (
            {"customer_score": 9, "customer_scale_low": 1, "customer_scale_high": 5},
            "customer_score: 9 is off its scale; allowed: 1 to 5",
        ),
        (
            {"engagement_score": 2, "engagement_scale_low": 1, "engagement_scale_high": 5},
            "engagement_score: 2 on 1-5 is 25 of 100, beyond what the model represents; "
            "allowed: 3.4 to 3.96 on 1-5",
        ),
        ({"nps": 20}, "nps: 20 is beyond what the model represents"),
        (
            {"annual_turnover": 0.5, "early_exits_a_year": 0.6},
            "early_exits_a_year: 0.6 is above annual_turnover 0.5",
        ),
        (
            SHOP | {"sales_per_unit": 500_000},
            "sales_per_unit: 500,000 a year is not what 400 customers making 25 visits at 100 "
            "buy; allowed: ",
        ),
        (
            SHOP | PAY | {"operating_margin": 0.2},
            "operating_margin: 0.2 is more than the gross margin leaves once front-line pay "
            "(0.25 of sales) is paid; allowed: at most 0.1",
        ),
    ],
)
def test_figures_that_cannot_be_used_are_refused_in_one_line(figures, names):
    with pytest.raises(InputError) as refused:
        check_figures(figures)
    assert str(refused.value).startswith(names) and "\n" not in str(refused.value)


def test_figures_that_agree_pass_the_checks_that_refuse_their_contradiction():
    agreeing = SHOP | PAY | {"sales_per_unit": 1.2e6, "operating_margin": 0.05}
    agreeing |= {"annual_turnover": 0.5, "early_exits_a_year": 0.2}
    assert check_figures(agreeing) == agreeing


def test_scores_are_taken_on_the_model_s_scale():
    figures = {"engagement_score": 3.8, "engagement_scale_low": 1, "engagement_scale_high": 5}
    assert targets(check_figures(figures)) == {"engagement_score": 70.0}


UNITS_CSV = "unit,engaged_share,sales_per_unit\nNorth,0.3,900000\nSouth,0.5,1100000\n"


@pytest.mark.parametrize(
    ("units", "figures", "names"),
    [
        ({"engaged_share": [0.3]}, {}, "units: 1 row; allowed: two or more"),
        ({"engaged_share": [0.3, 0.4]}, {"units": 3}, "units: 3 but 2 unit rows"),
        ({"headcount": [12, 14]}, {}, "units.headcount: not a figure given unit by unit"),
        (
            {"sales_per_unit": [9e5, -5]},
            {},
            "units row 2: sales_per_unit: -5 is not a unit's figure; allowed: 1 to 1e+09",
        ),
        (
            {"sales_per_unit": [1e5, 3e6, 2e6]},
            {},
            "units row 1: sales_per_unit: 100,000 is 0.059 times the units' mean; allowed: "
            "0.3 to 3 times it",
        ),
        (
            {"staff_per_unit": [12, 14]},
            {"staff_per_unit": 20},
            "units: staff_per_unit rows average 13 but staff_per_unit is 20",
        ),
        (
            {"engaged_share": [0.3, 0.4], "sales_per_unit": [9e5, 1e6, 1.1e6]},
            {},
            "units.sales_per_unit: 3 rows but 2 of engaged_share; allowed: a value per unit",
        ),
        (
            {"engaged_share": [0.3, 1.4]},
            {},
            "units row 2: engaged_share: 1.4 is not a unit's figure; allowed: 0 to 1",
        ),
        ({"customer_score": [4, 4.5]}, {}, "units row 1: customer_score: given without its scale"),
        (
            {"customer_score": [4, 7]},
            {"customer_scale_low": 1, "customer_scale_high": 5},
            "units row 2: customer_score: 7 is off its scale",
        ),
    ],
)
def test_unit_rows_that_cannot_be_used_are_refused_in_one_line(units, figures, names):
    with pytest.raises(InputError) as refused:
        check_company(figures, units)
    assert str(refused.value).startswith(names) and "\n" not in str(refused.value)


def test_unit_rows_give_the_units_and_the_means_the_company_did_not_give():
    company = read_company(UNITS_CSV, "units.csv").combined(Company({"sales_per_unit": 1e6}))
    assert company.units == {"engaged_share": (0.3, 0.5), "sales_per_unit": (9e5, 1.1e6)}
    assert company.whole() == pytest.approx(
        {"units": 2, "engaged_share": 0.4, "sales_per_unit": 1e6}
    )
    with pytest.raises(InputError, match="^sales_per_unit: given twice"):
        company.combined(Company({"sales_per_unit": 2e6}))
    with pytest.raises(InputError, match="units row 2: engaged_share missing"):
        read_company("unit,engaged_share\nNorth,0.3\nSouth,\n")


def workbook(figures: list[list], units: list[list] | None = None) -> bytes:
    book = openpyxl.Workbook()
    for row in figures:
        book.active.append(row)
    if units:
        sheet = book.create_sheet("units")
        for row in units:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_company_is_read_from_excel_csv_or_yaml_alike():
    csv = "figure,value\nunits,2\nannual_turnover,0.7\n"
    yaml = (
        "units: 2\nannual_turnover: 0.7\nunit_rows:\n"
        "  - {unit: North, engaged_share: 0.3, sales_per_unit: 900000}\n"
        "  - {unit: South, engaged_share: 0.5, sales_per_unit: 1100000}\n"
    )
    excel = workbook(
        [["figure", "value"], ["units", 2], ["annual_turnover", 0.7]],
        [["unit", "engaged_share", "sales_per_unit"], ["North", 0.3, 9e5], ["South", 0.5, 1.1e6]],
    )
    from_csv = read_company(csv).combined(read_company(UNITS_CSV))
    assert read_company(excel) == read_company(yaml) == from_csv
    with pytest.raises(InputError, match="a row without two columns"):
        read_company("figure,value\nunits,30,4\n")


@pytest.mark.parametrize(
    ("data", "names"),
    [
        (b"PK\x03\x04 not really a workbook", "figures: not a readable Excel workbook"),
        (workbook([["name", "number"], ["units", 3]]), "figures: the first sheet does not start"),
        (workbook([["figure", "value"], ["units", "many"]]), "units: 'many' is not a number"),
        (workbook([["figure", "value"], ["units", 3, 4]]), "figures: a row without two columns"),
        (b"", "figures: an empty file; allowed: a CSV headed 'figure,value'"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "figures: not a text file; allowed: a CSV"),
        (b"foo,bar\n1,2\n", "figures: no figures found; allowed: a CSV headed 'figure,value'"),
    ],
)
def test_a_workbook_that_cannot_be_used_is_refused_in_one_line(data, names):
    with pytest.raises(InputError) as refused:
        read_company(data)
    assert str(refused.value).startswith(names) and "\n" not in str(refused.value)


SMALL = Scenario("small").with_parameters({"n_units": 3, "staff_per_unit": 6})


def test_the_margin_is_solved_by_arithmetic_as_a_second_run_would_find_it():
    table = simulate(SMALL, steps=FIT_WEEKS, seed=0, reps=2)
    solved, arithmetic = _margin_solved(SMALL, table, 0.05)
    again = measure(solved, seed=0, reps=2).operating_margin
    by_rep = arithmetic.groupby("rep")
    assert (by_rep.profit.sum() / by_rep.revenue.sum()).to_numpy() == pytest.approx(again)
    assert solved.values()["unit_fixed_costs"] != SMALL.values()["unit_fixed_costs"]


def test_unit_k_of_the_company_is_compared_with_unit_k_of_the_model():
    company = check_company({"units": 3}, {"engaged_share": [0.5, 0.2, 0.4]})
    scenario = SMALL.with_units({"habit_offset": [20, -20, 0]})
    table = simulate(scenario, steps=FIT_WEEKS, seed=0, reps=2, level="unit")
    compared = units_compared(company, table)
    assert list(compared["yours"]) == [0.5, 0.2, 0.4] and list(compared["unit"]) == [0, 1, 2]
    engaged = table.groupby("unit").engaged_share.mean()
    assert compared["model"].to_numpy() == pytest.approx(engaged.to_numpy())
    assert compared["model"].iloc[0] > compared["model"].iloc[2] > compared["model"].iloc[1]
    miss = (compared.model - compared.yours).abs()
    assert list(compared.within) == list(miss <= 0.08)
    assert set(compared.fitted_by) == {"habit_offset"}


def test_unit_rows_build_unit_k_of_the_model_as_unit_k_of_the_company():
    rows = {"sales_per_unit": [2e6, 1e6, 3e6], "staff_per_unit": [14, 9, 20]}
    rows |= {"engaged_share": [0.4, 0.2, 0.6]}
    company = check_company({}, rows)
    start = Scenario("x").with_parameters({"n_units": 3})
    table = _first_unit_table(company, start)
    assert table["market"] == pytest.approx([1.0, 0.5, 1.5]) and table["staff"] == [14, 9, 20]
    spread = BY_NAME["manager_habit_spread"].default * HABIT_PERSON  # as drawn managers spread
    assert table["habit_offset"] == pytest.approx([0, -spread, spread], abs=1e-9)


@pytest.mark.slow
def test_a_company_is_fitted_back_from_its_own_figures(tmp_path, capsys):
    """Figures measured on a known organisation come back to it through the command."""
    known = Scenario("known").with_parameters(TRUTH)
    measured = measure(known, seed=1, reps=4)[GIVEN].mean().to_dict()
    figures = measured | {"units": 24, "gross_margin": 0.28}
    path = tmp_path / "figures.csv"
    path.write_text("figure,value\n" + "".join(f"{k},{v}\n" for k, v in figures.items()))
    out = tmp_path / "our_company.yaml"

    assert main(["fit", str(path), "--out", str(out), "--reps", "4"]) == 0
    assert "wrote" in capsys.readouterr().out
    fitted = load_scenario(out)
    report = fitted.provenance["fit"]
    for row in report:  # each figure reproduced within its tolerance and the runs' own noise
        assert abs(row["model"] - row["target"]) <= row["tolerance"] + 2 * row["noise"], row
    for row in fitted.provenance["fitted"]:
        if row["identified"] == "well":
            declared = BY_NAME[row["name"]]
            miss = abs(row["value"] - TRUTH[row["name"]]) / (declared.high - declared.low)
            assert miss <= 0.12, row
    assert set(fitted.provenance["figures"]) == set(figures)
    assert simulate(fitted, steps=4, seed=0).notna().all().all()  # usable like any scenario
    assert set(BY_FIGURE) >= set(fitted.provenance["figures"])


KNOWN_UNITS = {  # the units the unit rows are taken from: their markets and managers
    "market": [0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 0.7, 0.9],
    "habit_offset": [-20, 5, -10, 0, 15, -5, 10, 20, 8, -12],
}
KNOWN_SIZE = {"n_units": 10, "staff_per_unit": 25, "customers_per_unit": 500}
REPS = 8
"""Replications of the known units and of the fit: a small unit's sales vary about 10% from
one replication to the next, so fewer leave its noise as large as its tolerance."""


def allowed(compared: pd.DataFrame, measured_noise: pd.Series) -> np.ndarray:
    """A unit's tolerance and two standard errors of the miss: the model's and the unit rows'.

    The unit rows are themselves a run's means over replications, so their
    noise is in the miss as much as the model's is.
    """
    noise = np.hypot(compared.noise.to_numpy(), measured_noise.to_numpy())
    return compared.tolerance.to_numpy() + 2 * noise


@pytest.mark.slow
def test_a_company_is_fitted_back_unit_by_unit_from_its_own_unit_rows(tmp_path, capsys):
    """Unit rows measured on known units come back to them: unit k's figures and market.

    The units' round places the units against each other and the whole
    company's rounds set their level, so a unit's engagement is checked as it
    lies from the units' mean, and the level with the whole company's figures.
    """
    known = Scenario("known").with_parameters(KNOWN_SIZE).with_units(KNOWN_UNITS)
    whole = measure(known, seed=1, reps=REPS)[["annual_turnover", "customer_retention"]].mean()
    measured = _unit_figures_of(simulate(known, FIT_WEEKS, 1, "unit", REPS)).groupby("unit")
    units, units_noise = measured.mean(), measured.std() / np.sqrt(REPS)
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "figure,value\nunits,10\nstaff_per_unit,25\ncustomers_per_unit,500\n"
        + "".join(f"{name},{value}\n" for name, value in whole.items())
    )
    rows = tmp_path / "units.csv"
    columns = ["engaged_share", "sales_per_unit", "annual_turnover"]
    rows.write_text(units[columns].to_csv(index_label="unit"))
    out = tmp_path / "our_company.yaml"

    assert main(["fit", str(figures), str(rows), "--out", str(out), "--reps", str(REPS)]) == 0
    printed = capsys.readouterr().out
    assert "units: Employees engaged" in printed and "fitted by each unit's habit_offset" in printed
    fitted = load_scenario(out)
    for row in fitted.provenance["fit"]:
        assert abs(row["model"] - row["target"]) <= row["tolerance"] + 2 * row["noise"], row
    unit_fit = pd.DataFrame(fitted.provenance["unit_fit"])
    assert len(unit_fit) == 3 * 10 and list(unit_fit.unit[:10]) == list(range(10))
    engaged = unit_fit[unit_fit.fitted_by == "habit_offset"]
    placed = (engaged.model - engaged.model.mean()) - (engaged.yours - engaged.yours.mean())
    assert (placed.abs() <= allowed(engaged, units_noise.engaged_share)).all(), placed
    sales = unit_fit[unit_fit.fitted_by == "market"]
    missed = (sales.model - sales.yours).abs()
    assert (missed <= allowed(sales, units_noise.sales_per_unit)).all(), missed
    assert fitted.units["market"] == pytest.approx(KNOWN_UNITS["market"], abs=0.1)
    assert np.corrcoef(fitted.units["habit_offset"], KNOWN_UNITS["habit_offset"])[0, 1] > 0.7
    assert fitted.provenance["unit_figures"]["sales_per_unit"] == list(units.sales_per_unit)


def example_company() -> Company:
    """The shipped example's figures and unit rows, read from their CSV files."""
    figures = read_company((FIGURES / "example_company.csv").read_text())
    return figures.combined(read_company((FIGURES / "example_company_units.csv").read_text()))


def test_the_shipped_example_is_fitted_to_the_shipped_figures():
    example, company = load_scenario("example_company"), example_company()
    assert example.provenance["figures"] == company.figures
    assert example.values()["n_units"] == company.figures["units"] == 40
    assert {row["figure"] for row in example.provenance["fit"]} == {
        BY_FIGURE[name].label for name in company.whole() if BY_FIGURE[name].fitted_by
    }
    given = example.provenance["unit_figures"]
    assert given == {name: list(values) for name, values in company.units.items()}
    assert set(example.units) == {"market", "staff", "habit_offset"}
    assert list(example.units["staff"]) == given["staff_per_unit"]  # unit k's own headcount
    assert read_company((FIGURES / "example_company.xlsx").read_bytes()) == company


@pytest.mark.slow
def test_the_shipped_example_is_fitted_again_from_its_figures_and_seed():
    example = load_scenario("example_company")
    seed, reps = example.provenance["seed"], example.provenance["replications"]
    again = fit(example_company(), example.title, seed, reps).scenario
    assert again.parameters == example.parameters and again.units == example.units
