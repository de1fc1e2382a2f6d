"""Workshop pages, headless: a facilitator sets up and plays rounds, a team joins and decides."""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model.paths import PROJECT
from model.report import charts
from model.workshop.rules import cost
from ui import workshops

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

TIMEOUT = 300


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv(workshops.STORE_ENV, str(tmp_path / "workshops.sqlite3"))
    st.cache_data.clear()


def page(name, **query):
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.switch_page(f"ui/pages/{name}.py")
    return at.run()


def create_workshop(**values):
    facilitator = page("facilitator")
    facilitator.number_input[0].set_value(values.get("rounds", 2))
    facilitator.get("form_submit_button")[0].click().run()
    assert not facilitator.exception
    return facilitator, facilitator.query_params["code"]


def join(code, name):
    team = page("workshop")
    team.text_input[0].input(code)
    team.text_input[1].input(name)
    team.get("form_submit_button")[0].click().run()
    return team


def button(at, starts):
    return next(b for b in at.button if b.label.startswith(starts))


def test_a_round_from_set_up_to_results_on_both_screens():
    facilitator, code = create_workshop()
    assert code in facilitator.markdown[0].value  # the join code, large
    team = join(code, "Alpha")
    assert not team.exception
    assert team.title[0].value == "Alpha · Service-profit chain workshop"
    assert not team.sidebar.slider  # a phone gets no lever panel
    team.slider(key="w_1_engagement_program").set_value(1000).run()
    spend = team.metric[0]
    workshop = workshops.store().workshop(code)  # the price measured on the books at set-up
    price = cost({"engagement_program": 1000}, workshop.start_values, workshop.prices)
    assert 50e3 < price < 200e3  # 1,000 a year for a quarter, for some 400 people
    assert spend.value == charts.fmt("costs", price)
    assert f"{charts.fmt('costs', 200e3 - price)} left of 200.0k" in spend.delta
    for measure, value in [("profit", 5e6), ("turnover_rate", 0.5), ("customer_satisfaction", 80)]:
        team.number_input(key=f"w_1_predict_{measure}").set_value(value)
    button(team, "Submit").click().run()
    assert "Submitted for round 1" in team.success[0].value

    facilitator.run()
    assert facilitator.dataframe[0].value.iloc[0].tolist() == ["Alpha", "decided"]
    button(facilitator, "Lock decisions and play round 1").click().run()
    assert not facilitator.exception
    assert any(c.value.startswith("Round 2 of 2") for c in facilitator.caption)

    team.run()
    outcomes = team.dataframe[0].value
    assert list(outcomes["round"].unique()) == [1]
    assert outcomes.iloc[0].predicted == "5.00M" and outcomes.iloc[0].outcome.endswith("M")
    assert team.slider(key="w_2_engagement_program").value == 1000  # the settings carry on


def test_a_bad_code_and_an_unaffordable_decision_get_clear_messages_and_lose_nothing():
    facilitator, code = create_workshop()
    team = join("XXXXXX", "Alpha")
    assert "join code: 'XXXXXX' is not a workshop here" in team.error[0].value
    team = join(code, "Alpha")
    team.slider(key="w_1_wage_level").set_value(1.5).run()
    assert team.metric[0].delta.startswith("-")
    for measure in ("profit", "turnover_rate", "customer_satisfaction"):
        team.number_input(key=f"w_1_predict_{measure}").set_value(1.0)
    button(team, "Submit").click().run()
    assert (
        "these settings cost" in team.error[0].value and "budget of 200,000" in team.error[0].value
    )
    facilitator.run()
    assert facilitator.dataframe[0].value.iloc[0].tolist() == ["Alpha", "deciding"]
    assert team.slider(key="w_1_wage_level").value == 1.5  # the team's choices are still there


def test_a_prediction_is_required_before_the_first_round():
    _, code = create_workshop()
    team = join(code, "Alpha")
    button(team, "Submit").click().run()
    assert "prediction.profit: None is not a number" in team.error[0].value


def test_the_presenter_view_hides_the_controls_and_the_debrief_follows_the_rounds():
    facilitator, code = create_workshop(rounds=1)
    join(code, "Alpha")
    button(facilitator, "Lock decisions").click().run()
    assert "All rounds played" in facilitator.success[0].value
    facilitator.toggle(key="f_presenter").set_value(True).run()
    assert not [b for b in facilitator.button if b.label.startswith("Lock")]
    assert any("join-code" in m.value for m in facilitator.markdown)
    debrief = facilitator.dataframe[0].value
    assert list(debrief.team) == ["Alpha"] and debrief.worse_before_better.iloc[0] == "no"
    impact = facilitator.dataframe[1].value
    assert list(impact.stage)[:3] == ["Leaders", "Internal service", "Employees"]
    labels = [b.label for b in facilitator.get("download_button")]
    assert labels == []  # research export was not opted in


def test_the_facilitator_key_is_required():
    _, code = create_workshop()
    stranger = page("facilitator", code=code, key="guess")
    assert "facilitator key: not this workshop's" in stranger.error[0].value
