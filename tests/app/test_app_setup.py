"""The set-up page, headless: figures typed in, refused in one line, fitted, used at once."""

import pytest
from streamlit.testing.v1 import AppTest

from model.paths import PROJECT

TINY = {"units": 3, "staff_per_unit": 6, "customers_per_unit": 120}


@pytest.fixture
def page():
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=600)
    at.run()
    return at.switch_page("ui/pages/setup.py").run()


def test_a_figure_the_model_cannot_represent_is_refused_and_nothing_is_fitted(page):
    page.number_input(key="figure_annual_turnover").set_value(4.0)
    page.button[0].click().run()  # the form's submit button
    assert not page.exception
    assert [e.value for e in page.error] == [
        "annual_turnover: 4.0 is beyond what the model represents; allowed: 0.2 to 1.5 "
        "share of staff/year"
    ]
    assert "fitted" not in page.session_state


@pytest.mark.slow
def test_typed_figures_are_fitted_and_the_company_is_used_in_the_simulator(page):
    for name, value in TINY.items():
        page.number_input(key=f"figure_{name}").set_value(value)
    page.number_input(key="figure_annual_turnover").set_value(0.8)
    page.text_input[0].set_value("Tiny Ltd")
    page.select_slider[0].set_value(2)
    page.button[0].click().run()
    assert not page.exception and not page.error
    assert page.session_state["fitted"].scenario.values()["n_units"] == 3
    shown = page.dataframe[0].value
    assert list(shown["Figure"]) == ["Front-line turnover a year"]
    next(b for b in page.button if b.label == "Use it in the simulator").click().run()
    assert not page.exception
    assert page.title[0].value == "Tiny Ltd"
