"""The Experiments page, headless: build a design, run it, read it, resume it, refuse bad ones."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model.experiments.designs import parse_design
from model.paths import PROJECT
from ui import sweeps

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

TIMEOUT = 300


@pytest.fixture
def page(tmp_path, monkeypatch):
    monkeypatch.setenv(sweeps.SWEEPS_ENV, str(tmp_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("ui/pages/experiments.py").run()
    return at


def build(at, **values):
    at.segmented_control(key="x_source").set_value("Build one here").run()
    for key, value in values.items():
        widget = at.selectbox(key=key) if key == "x_method" else at.number_input(key=key)
        widget.set_value(value).run()
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_page_opens_on_a_shipped_design_with_its_cost(page):
    assert not page.exception
    assert page.title[0].value == "Experiments"
    summary = " ".join(m.value for m in page.markdown)
    assert "= **200 runs** of 104 weeks" in summary
    assert "s a run, from a short trial" in summary
    design = page.dataframe[0].value
    assert list(design.columns)[0] == "Parameter" and "Demand" in set(design.Parameter)  # labels
    assert set(design.Role) == {"uncertainty"}
    assert button(page, "Run").disabled is False


def test_a_built_design_runs_and_shows_what_matters(page, tmp_path):
    build(page, x_samples=2, x_weeks=8)  # leader care x engagement programme: 4 runs
    assert "= **4 runs** of 8 weeks" in " ".join(m.value for m in page.markdown)
    button(page, "Run").click().run()
    assert not page.exception
    assert "4 of 4 runs finished" in page.get("progress")[0].proto.text
    assert len(list(tmp_path.glob("*/runs/point*.parquet"))) == 4
    labels = {b.label for b in page.get("download_button")}
    assert {"Runs (CSV)", "Weekly data (Parquet)", "Design (YAML)"} <= labels
    spec = page.get("vega_lite_chart")[0].proto.spec
    assert "Which parameters move cumulative profit over the run most" in spec
    assert (
        "Care and respect (0 to 100)" in spec
        and "Engagement and recognition programme (0 to 3000)" in spec
    )
    assert button(page, "Run").disabled  # nothing left to run
    page.selectbox(key="x_outcome").set_value("employee_satisfaction").run()
    assert not page.exception
    spec = page.get("vega_lite_chart")[0].proto.spec
    assert "Which parameters move employee satisfaction over the last 13 weeks most" in spec


def test_a_partly_run_design_resumes_where_it_stopped(page, tmp_path):
    build(page, x_samples=2, x_weeks=8)
    button(page, "Run").click().run()
    files = sorted(tmp_path.glob("*/runs/point*.parquet"))
    kept = {f: f.stat().st_mtime_ns for f in files[:3]}
    files[3].unlink()  # as if stopped before the last run
    page.run()
    assert "3 of 4 runs finished" in page.get("progress")[0].proto.text
    assert any("From the 3 runs finished so far" in c.value for c in page.caption)
    button(page, "Resume").click().run()
    assert "4 of 4" in page.get("progress")[0].proto.text
    assert {f: f.stat().st_mtime_ns for f in files[:3]} == kept  # not run again
    button(page, "Start again").click().run()
    assert not list(tmp_path.glob("*/runs/point*.parquet"))
    assert button(page, "Run").disabled is False


def test_a_sweep_stopped_early_shows_what_its_finished_runs_can_say(page, tmp_path):
    build(page, x_samples=2, x_weeks=8)
    button(page, "Run").click().run()
    files = sorted(tmp_path.glob("*/runs/point*.parquet"))
    for file in files[2:]:
        file.unlink()  # two points left: one parameter has runs at one end of its range only
    page.run()
    assert not page.exception
    assert any("From the 2 runs finished so far" in c.value for c in page.caption)
    spec = page.get("vega_lite_chart")[0].proto.spec
    assert spec.count("(0 to 100)") + spec.count("(0 to 3000)") == 1  # the one with both ends


def test_an_intervention_gets_a_plain_statement_of_where_it_pays(page):
    build(page, x_samples=2, x_weeks=13)
    page.toggle(key="x_intervene").set_value(True).run()
    page.selectbox(key="x_lever").set_value("wage_level").run()
    page.number_input(key="x_value").set_value(1.3).run()
    button(page, "Run").click().run()
    assert not page.exception
    statement = page.info[0].value
    assert statement.startswith("**Where does it pay off?** It did not pay back within 13 weeks")
    assert page.selectbox(key="x_outcome").options[-1] == OUTCOME_LABEL


OUTCOME_LABEL = "Cumulative profit with the intervention minus without (currency)"


def test_a_design_the_method_cannot_use_gets_a_clear_error_and_runs_nothing(page, tmp_path):
    build(page, x_method="sobol", x_samples=10)
    assert not page.exception
    assert "This design cannot run: samples: 10 does not suit Sobol sampling" in page.error[0].value
    assert not any(b.label == "Run" for b in page.button)
    assert not list(tmp_path.iterdir())


def test_the_folder_is_named_by_the_design_so_any_session_resumes_it(tmp_path, monkeypatch):
    monkeypatch.setenv(sweeps.SWEEPS_ENV, str(tmp_path))
    data = {"method": "lhs", "parameters": {"leader_care": [0, 100]}, "samples": 4, "weeks": 4}
    assert sweeps.folder(parse_design(data)) == sweeps.folder(parse_design(dict(data)))
    assert sweeps.folder(parse_design(data)) != sweeps.folder(parse_design(data | {"seed": 1}))
    assert sweeps.folder(parse_design(data)).parent == tmp_path
