"""Fitting the baseline to a company's figures: a round trip, and figures refused in one line."""

import pytest

from model import InputError, Scenario, load_scenario, simulate
from model.cli import main
from model.engine.parameters import BY_NAME
from model.experiments.fit import BY_FIGURE, check_figures, measure, read_figures
from model.paths import FIGURES

TRUTH = {  # the company the figures are taken from
    "labour_market_tightness": 60,
    "onboarding_quality": 55,
    "internal_policy_friction": 50,
    "customer_expectation": 58,
    "unit_fixed_costs": 5000,
}


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
    ],
)
def test_figures_that_cannot_be_used_are_refused_in_one_line(figures, names):
    with pytest.raises(InputError) as refused:
        check_figures(figures)
    assert str(refused.value).startswith(names) and "\n" not in str(refused.value)


def test_figures_are_read_from_csv_or_yaml_alike():
    csv = "figure,value\nunits,30\nannual_turnover,0.7\n"
    assert read_figures(csv) == read_figures("units: 30\nannual_turnover: 0.7\n")
    with pytest.raises(InputError, match="a row without two columns"):
        read_figures("figure,value\nunits,30,4\n")


@pytest.mark.slow
def test_a_company_is_fitted_back_from_its_own_figures(tmp_path, capsys):
    """Figures measured on a known organisation come back to it through the command."""
    known = Scenario("known").with_parameters(TRUTH)
    figures = measure(known, seed=1, reps=4).mean().to_dict() | {"units": 24, "gross_margin": 0.28}
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


def test_the_shipped_example_is_fitted_to_the_shipped_figures():
    example = load_scenario("example_company")
    figures = read_figures((FIGURES / "example_company.csv").read_text())
    assert example.provenance["figures"] == figures
    assert example.values()["n_units"] == figures["units"]
    assert {row["figure"] for row in example.provenance["fit"]} == {
        BY_FIGURE[name].label for name in figures if BY_FIGURE[name].fitted_by
    }
