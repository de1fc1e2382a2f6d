"""The app, headless (Streamlit's AppTest): set widgets, run, check what is shown."""

import json
import runpy

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import PARAMETERS, load_scenario, simulate
from model.paths import PROJECT
from model.report import charts
from model.scenario import read_scenario_text

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

TIMEOUT = 180


@pytest.fixture
def app():
    st.cache_data.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["reps"] = 3
    return at.run()


def metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_the_simulator_opens_on_the_baseline(app):
    assert not app.exception
    assert app.title[0].value == "Baseline retail chain"
    assert not metric(app, "Employee satisfaction").delta  # nothing changed yet
    assert "3 replication(s)" in " ".join(m.value for m in app.markdown)
    assert float(metric(app, "Employee satisfaction").value) > 40
    assert metric(app, "Payback week").value == "no change"
    assert metric(app, "Extra operating costs").value == "none"  # not "0.0k"
    assert "Nothing differs from the baseline yet" in " ".join(m.value for m in app.markdown)


def test_a_lever_moves_the_kpis_against_the_baseline(app):
    app.slider(key="lever_engagement_program").set_value(1500).run()
    assert not app.exception
    delta = metric(app, "Employee satisfaction").delta
    assert delta.startswith("+") and float(delta) > 1.0
    assert metric(app, "Staff turnover").delta.startswith("-")
    changes = app.table[-1].value
    shown = "Engagement and recognition programme 1500 (currency/employee/year)"
    assert changes.Changes.iloc[0] == shown  # labels and units, not internal names
    assert app.sidebar.info[0].value == f"Changed: {shown}"
    sentence = " ".join(m.value for m in app.markdown)
    assert "Engagement and recognition programme raised employee satisfaction by" in sentence
    assert "clear of the noise" in sentence


def test_a_change_from_a_later_week_is_recorded_in_the_timeline(app):
    app.number_input(key="from_week").set_value(60).run()
    app.slider(key="lever_senior_involvement").set_value(90).run()
    timeline = app.table[-1].value
    assert list(timeline.index) == [60]
    add = next(b for b in app.button if b.label == "Add to timeline")
    add.click().run()
    assert app.session_state["recorded"][0].week == 60
    assert app.slider(key="lever_senior_involvement").value == 90  # now the value in effect
    assert not any("senior_involvement" in i.value for i in app.sidebar.info)
    app.number_input(key="from_week").set_value(100).run()
    app.slider(key="lever_senior_involvement").set_value(20).run()
    timeline = app.table[-1].value
    assert list(timeline.index) == [60, 100]


def test_play_week_by_week(app):
    week_one = next(b for b in app.button if b.label == "Week 1")
    week_one.click().run()
    assert "**Week 1 of 156**" in app.markdown[1].value or any(
        "Week 1 of 156" in m.value for m in app.markdown
    )
    next(b for b in app.button if b.label == "+1 quarter").click().run()
    assert any("Week 14 of 156" in m.value for m in app.markdown)
    assert app.session_state["from_week"] == 15  # a change now acts from the next week
    assert "The business case, weeks 1 to 14" in [h.value for h in app.subheader]


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_a_change_that_has_not_acted_yet_is_not_credited_with_the_chain_s_response(app):
    button(app, "Week 1").click().run()
    app.slider(key="lever_leader_recognition").set_value(80).run()  # acts from week 2
    said = " ".join(m.value for m in app.markdown)
    assert "Nothing differs from the baseline by week 1: the changes act from week 2." in said
    button(app, "+1 quarter").click().run()  # week 14: it has acted
    said = " ".join(m.value for m in app.markdown)
    assert "Recognition" in said and "by week 14" in said


def test_play_from_week_one_runs_to_the_end(app):
    button(app, "Week 1").click().run()
    button(app, "+1 week").click().run()
    button(app, "Play").click().run()  # frame after frame until the last week
    assert not app.exception
    assert app.session_state["week_shown"] == 156 and not app.session_state["playing"]
    assert any("Week 156 of 156" in m.value for m in app.markdown)
    assert any(b.label == "Play" for b in app.button)


def test_play_on_a_fresh_page_starts_from_week_one(app):
    assert app.session_state["week_shown"] is None  # the whole run is shown
    button(app, "Play").click().run()
    assert not app.exception
    assert app.session_state["week_shown"] == 156 and not app.session_state["playing"]


def test_presets_load_with_their_timeline(app):
    app.selectbox(key="preset").set_value("start_at_the_top").run()
    assert not app.exception
    assert app.title[0].value == load_scenario("start_at_the_top").title
    timeline = app.table[-1].value
    assert list(timeline.index) == [13, 26]
    assert metric(app, "Employee satisfaction").delta.startswith("+")


def test_same_seed_same_numbers_other_seed_other_numbers(app):
    first = metric(app, "Profit").value
    app.number_input(key="seed").set_value(1).run()
    other = metric(app, "Profit").value
    app.number_input(key="seed").set_value(0).run()
    assert metric(app, "Profit").value == first
    assert other != first


def test_the_settings_file_loads_back_to_the_same_run(app):
    app.slider(key="lever_wage_level").set_value(1.2).run()
    shown = metric(app, "Cumulative profit").value
    saved = app.session_state["base"].with_change(1, {"wage_level": 1.2}).to_yaml()
    assert "wage_level: 1.2" in saved
    again = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    again.session_state["reps"] = 3
    again.session_state["base"] = read_scenario_text(saved)
    again.run()
    assert not again.exception
    assert metric(again, "Cumulative profit").value == shown


def test_compare_page(app):
    app.switch_page("ui/pages/compare.py").run()
    assert not app.exception
    assert app.title[0].value == "Compare scenarios"
    assert app.multiselect[0].value == ["baseline", "start_at_the_top"]  # not two identical
    assert app.segmented_control[0].value == "Totals"  # the same size
    outcomes = app.dataframe[0].value
    assert len(outcomes) == 2 * 6 and set(outcomes[outcomes.Difference == ""].Scenario) == {
        "Baseline retail chain"
    }
    app.multiselect[0].set_value(["baseline", "silos", "start_at_the_top"]).run()
    outcomes = app.dataframe[0].value
    assert outcomes.Scenario.nunique() == 3
    timelines = app.table[-1].value  # a table that wraps: long timelines are read whole
    assert "Senior leadership involvement" in " ".join(timelines.Changes)
    app.multiselect[0].set_value(["silos", "baseline"]).run()
    outcomes = app.dataframe[0].value  # differences against the baseline, wherever it is picked
    assert set(outcomes[outcomes.Difference == ""].Scenario) == {"Baseline retail chain"}


def test_compare_puts_organisations_of_different_size_per_employee(app):
    app.switch_page("ui/pages/compare.py").run()
    app.multiselect[0].set_value(["baseline", "short_term_profit_squeeze"]).run()
    assert not app.exception
    assert app.segmented_control[0].value == "Per employee"
    assert "48 units" in app.info[0].value and "per employee" in app.info[0].value
    outcomes = app.dataframe[0].value.set_index(["Scenario", "Outcome"])
    row = outcomes.loc[("Short-term profit squeeze", "Cumulative profit (currency per employee)")]
    assert not row.Difference.endswith("M")  # per employee, not the 48 units' total
    app.segmented_control[0].set_value("Totals").run()
    outcomes = app.dataframe[0].value.set_index(["Scenario", "Outcome"])
    squeezed = outcomes.loc[("Short-term profit squeeze", "Cumulative profit (currency)")]
    assert squeezed.Difference[-1] == "M"
    assert any("208 weeks" in info.value and "at week 156" in info.value for info in app.info)
    squeeze = simulate(load_scenario("short_term_profit_squeeze"), reps=3)  # 208 weeks
    at_156 = squeeze[squeeze.step == 156].cumulative_profit.mean()
    assert squeezed.Value == charts.fmt("cumulative_profit", at_156)  # where both have run
    assert "Weeks run" in app.dataframe[2].value.index
    own = app.dataframe[1].value.set_index("Scenario")
    assert own.loc["Baseline retail chain"].iloc[0] == "no timeline"
    assert own.loc["Short-term profit squeeze", "Clear of the noise"] in {"yes", "no"}


def test_compare_per_unit_counts_the_units_open_each_week(app):
    app.switch_page("ui/pages/compare.py").run()
    app.multiselect[0].set_value(["baseline", "growth_dilutes_culture"]).run()
    app.segmented_control[0].set_value("Per unit").run()
    assert not app.exception
    assert "8 units of 20 at the start, growing" in app.info[0].value
    assert "per unit (open that week)" in app.info[0].value
    outcomes = app.dataframe[0].value.set_index(["Scenario", "Outcome"])
    shown = outcomes.loc[("Fast growth dilutes the culture", "Profit (currency/week per unit)")]
    growth = load_scenario("growth_dilutes_culture")
    weekly = simulate(growth, reps=3)
    units = simulate(growth, reps=3, level="unit").groupby(["rep", "step"]).unit.nunique()
    last = weekly[weekly.step > 143].set_index(["rep", "step"])
    assert units.loc[(0, 156)] > 3 * units.loc[(0, 1)]  # it grows
    per_week = (last.profit / units.reindex(last.index)).mean()
    at_start = (last.profit / units.loc[(0, 1)]).mean()
    assert shown.Value == charts.fmt("profit", per_week)  # each week's units, not the first's
    assert shown.Value != charts.fmt("profit", at_start)


def test_organisation_page(app):
    app.switch_page("ui/pages/organisation.py").run()
    assert not app.exception
    assert app.title[0].value == "The organisation"
    spread = app.dataframe[0].value
    satisfaction = spread.loc["Employee satisfaction (0-100)"]
    assert float(satisfaction["Highest"]) > float(satisfaction["Lowest"])
    assert spread.loc["Staff turnover (% a year)", "Highest"].endswith("%")  # not a fraction
    profit = spread.loc["Profit (currency/week)", "Highest"]
    assert "." not in profit or profit.endswith(("k", "M"))  # no cents
    assert any("person(s) over 156 weeks" in m.value for m in app.markdown)
    assert app.segmented_control(key="org_against").value == "the average unit"  # nothing moved


def heatmap(at) -> pd.DataFrame:
    chart = next(c for c in at.get("vega_lite_chart") if "Each unit against" in c.proto.spec)
    return pd.concat(
        [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets],
        ignore_index=True,
    )


def test_the_organisation_heatmap_shows_each_unit_against_its_baseline(app):
    app.slider(key="lever_engagement_program").set_value(1500).run()
    app.switch_page("ui/pages/organisation.py").run()
    assert not app.exception
    assert app.segmented_control(key="org_against").value == "its baseline"
    spec = next(c for c in app.get("vega_lite_chart") if "Each unit against" in c.proto.spec)
    legend = json.loads(spec.proto.spec)["encoding"]["color"]["legend"]
    assert legend["titleLimit"] >= 300  # "Better than the baseline (sd)" in full
    cells = heatmap(app).set_index("measure")
    assert cells.against.str.match(r"^[+-]").all()  # each cell's difference, signed
    staff = cells.loc["Staff mood"]
    assert (staff.standing > 0).mean() > 0.8  # the programme lifted nearly every unit
    noise = cells[cells.against.str.endswith(", within noise")]
    assert len(noise) and (noise.standing == 0).all()  # within the paired spread: drawn white
    turnover = cells.loc["Turnover"]
    moved = turnover[turnover.standing != 0]
    assert ((moved.standing > 0) == (moved.difference < 0)).all()  # less turnover is better
    app.segmented_control(key="org_against").set_value("the average unit").run()
    staff = heatmap(app).set_index("measure").loc["Staff mood"]
    assert (staff.standing > 0).mean() < 0.8  # against the average, units split both ways


def test_about_page_is_generated_from_the_model(app):
    app.switch_page("ui/pages/about.py").run()
    assert not app.exception
    headings = [h.value for h in app.subheader]
    for heading in ("What is it?", "How it works", "Things to try", "Credits and references"):
        assert heading in headings
    groups = len({p.group for p in PARAMETERS})
    table = pd.concat([t.value for t in app.table[:groups]])  # wraps: nothing cut off
    assert "STANDARD_EROSION" in app.table[groups].value.index  # the mechanisms' coefficients
    assert sorted(table.Name) == sorted(p.name for p in PARAMETERS)
    assert "Boushey and Glynn" in " ".join(table.Source)
    assert not app.dataframe  # the calibration waits until its tab is opened
    app.session_state["about_tab"] = "Evidence"
    app.run()
    assert not app.exception
    headings = [h.value for h in app.subheader]
    evidence = app.table[groups + 1].value  # after the parameters and coefficients
    assert "Rucci, Kirn and Quinn (1998), Sears" in set(evidence.Source)
    assert set(evidence.index) <= {"yes", "not yet"}
    coefficients = app.dataframe[0].value
    assert "QUIT_BASE" in set(coefficients.coefficient)
    assert "Heskett et al. (1994), Xerox: 6 times" in set(coefficients.source)
    assert "Investing in employees pays up to a point" in headings


def test_a_very_large_organisation_asks_before_running(app):
    app.slider(key="lever_n_units").set_value(2000).run()
    assert not app.exception
    assert "may take minutes" in app.warning[0].value
    assert not app.metric  # nothing was run
    app.slider(key="lever_n_units").set_value(24).run()
    assert not app.warning and app.metric


def test_a_worker_process_importing_the_entry_draws_nothing(capfd):
    """Spawned workers import the entry as `__mp_main__`: it must not run the pages there."""
    runpy.run_path(str(PROJECT / "app.py"), run_name="__mp_main__")
    assert "missing ScriptRunContext" not in capfd.readouterr().err
