"""Workshop pages, headless: a facilitator sets up and plays rounds, teams join and decide.

Each `AppTest` is its own session, as a device in the room is.
"""

import json
import re

import pandas as pd
import pyarrow as pa
import pytest
import streamlit as st
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from model.paths import PROJECT
from model.report import charts
from model.workshop.rules import DEBRIEF, MISSES, cost, round_outcomes
from model.workshop.store import BASELINE
from ui import workshops

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

TIMEOUT = 300
GUESS = {"profit": 5e6, "turnover_rate": 0.5, "customer_satisfaction": 80}


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv(workshops.STORE_ENV, str(tmp_path / "workshops.sqlite3"))
    st.cache_data.clear()
    workshops._limits.clear()


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
    code = facilitator.query_params["code"]
    return facilitator, code, facilitator.session_state["f_keys"][code]


def join(code, name, pin="", team=None):
    team = team or page("workshop")
    team.text_input[0].input(code)
    team.text_input[1].input(name)
    team.text_input[2].input(pin)
    team.get("form_submit_button")[0].click().run()
    return team


def pin_of(team):
    return team.session_state["w_seat"][2]


def button(at, starts):
    return next(b for b in at.button if b.label.startswith(starts))


def predict_and_submit(team, round_=1, **guess):
    for measure, value in (GUESS | guess).items():
        team.number_input(key=f"w_{round_}_predict_{measure}").set_value(value)
    button(team, "Submit").click().run()


def everything_shown(at):
    """Every text on the page, as a projector would show it."""
    texts = [
        e.value
        for kind in ("markdown", "caption", "code", "title", "success")
        for e in getattr(at, kind)
    ]
    return " ".join(str(t) for t in texts) + " " + " ".join(at.query_params.values())


def test_a_round_from_set_up_to_results_on_both_screens():
    facilitator, code, key = create_workshop()
    assert code in facilitator.markdown[0].value  # the join code, large
    style = " ".join(h.value for h in facilitator.html)
    assert re.search(r"\.join-code \{ font-size: [3-9][.\d]*rem", style)  # in the console too
    assert dict(facilitator.query_params) == {"code": code}  # the key is not in the address
    assert key not in everything_shown(facilitator)
    team = join(code, "Alpha")
    assert not team.exception
    assert team.title[0].value == "Alpha · Service-profit chain workshop"
    assert f"Your team PIN is **{pin_of(team)}**" in team.success[0].value  # shown once
    assert dict(team.query_params) == {"code": code, "team": "Alpha"}
    assert not team.sidebar.slider  # a phone gets no lever panel
    team.slider(key="w_1_engagement_program").set_value(1000).run()
    assert not team.success  # the PIN is not shown again unasked
    spend = team.metric[0]
    workshop = workshops.store().workshop(code)  # the price measured on the books at set-up
    price = cost({"engagement_program": 1000}, workshop.start_values, workshop.prices)
    assert 50e3 < price < 200e3  # 1,000 a year for a quarter, for some 400 people
    assert spend.value == charts.fmt("costs", price)
    assert f"{charts.fmt('costs', 200e3 - price)} left of 200.0k" in spend.delta
    assert spend.proto.color == Metric.MetricColor.GREEN  # within budget
    predict_and_submit(team)
    assert "Submitted for round 1" in team.success[0].value

    facilitator.run()
    status = facilitator.dataframe[0].value
    assert list(status.columns) == ["Team", "Round 1"]
    assert status.iloc[0].tolist() == ["Alpha", "decided"]
    button(facilitator, "Lock decisions and play round 1").click().run()
    assert not facilitator.exception
    assert any(c.value.startswith("Round 2 of 2") for c in facilitator.caption)

    chart = json.loads(facilitator.get("vega_lite_chart")[0].proto.spec)
    assert chart["config"]["axisX"] == {"format": "d", "tickMinStep": 1}  # whole weeks
    colours = next(layer["encoding"]["color"]["scale"] for layer in chart["layer"][1:])
    assert colours["domain"][0] == "Baseline (decides nothing)"
    assert colours["range"][:2] == [charts.BASELINE_COLOUR, charts.SCENARIO_COLOUR]  # as ever
    team.run()
    outcomes = team.table[0].value  # a table that wraps on a phone, not a grid cut to two columns
    assert list(outcomes.columns) == ["Measure", "Predicted", "Outcome", "Baseline"]
    assert list(outcomes.index.unique()) == [1]
    assert outcomes.iloc[0].Predicted == "5.00M" and outcomes.iloc[0].Outcome.endswith("M")
    assert team.slider(key="w_2_engagement_program").value == 1000  # the settings carry on


def chart_data(chart) -> pd.DataFrame:
    """Every row a chart was given: its Arrow datasets, top-level data and layers' own values."""
    arrow = [d.data.data for d in chart.proto.datasets] + [chart.proto.data.data]
    layers = json.loads(chart.proto.spec).get("layer", [])
    return pd.concat(
        [pa.ipc.open_stream(data).read_pandas() for data in arrow if data]
        + [pd.DataFrame(layer["data"]["values"]) for layer in layers if "data" in layer],
        ignore_index=True,
    )


def in_order(block):
    """The kinds of element on a page, top to bottom."""
    for child in block.children.values():
        yield child.type
        if hasattr(child, "children"):
            yield from in_order(child)


def test_predictions_are_made_against_the_baseline_s_figure_for_the_round():
    facilitator, code, _ = create_workshop()
    team = join(code, "Alpha")
    kinds = list(in_order(team.main))
    assert kinds.index("metric") < kinds.index("slider")  # the budget above what it sums up
    scales = [c.value for c in team.caption if c.value.startswith("The baseline company")]
    assert len(scales) == 3  # one beside each prediction
    predict_and_submit(team)
    button(facilitator, "Lock decisions and play round 1").click().run()
    workshop = workshops.store().workshop(code)
    played = round_outcomes(workshops.store().results(workshop, BASELINE), workshop.settings)
    first = played.iloc[0]
    assert scales == [
        f"The baseline company, this round: **{charts.fmt('profit', first.profit)}**",
        f"The baseline company, this round: **{first.turnover_rate:.2f} "
        f"({charts.fmt('turnover_rate', first.turnover_rate)})**",
        f"The baseline company, this round: "
        f"**{charts.fmt('customer_satisfaction', first.customer_satisfaction)}**",
    ]  # what round 1 then gave the baseline, in the units the debrief scores
    team.run()
    for measure in GUESS:  # no raw float carried over: empty, with the scales beside
        assert team.number_input(key=f"w_2_predict_{measure}").value is None
    later = [c.value for c in team.caption if c.value.startswith("The baseline company")]
    assert all(" · yours last round: " in c for c in later)
    assert not any(re.search(r"\d{5,}\.\d", c) for c in later)


def test_a_bad_code_and_an_unaffordable_decision_get_clear_messages_and_lose_nothing():
    facilitator, code, _ = create_workshop()
    team = join("XXXXXXXX", "Alpha")
    assert "join code: 'XXXXXXXX' is not a workshop here" in team.error[0].value
    team = join(code, "Alpha")
    team.slider(key="w_1_wage_level").set_value(1.5).run()
    spend = team.metric[0]
    assert spend.delta.startswith("-") and spend.proto.color == Metric.MetricColor.RED
    predict_and_submit(team, profit=1.0, turnover_rate=1.0, customer_satisfaction=1.0)
    assert (
        "these settings cost" in team.error[0].value and "budget of 200,000" in team.error[0].value
    )
    facilitator.run()
    assert facilitator.dataframe[0].value.iloc[0].tolist() == ["Alpha", "deciding"]
    assert team.slider(key="w_1_wage_level").value == 1.5  # the team's choices are still there


def test_a_prediction_is_required_before_the_first_round():
    _, code, _ = create_workshop()
    team = join(code, "Alpha")
    button(team, "Submit").click().run()
    assert [e.value for e in team.error] == [
        "prediction: Profit in the round (currency) is empty; allowed: a number, your "
        "team's best guess"
    ]


def test_another_device_with_the_name_but_not_the_pin_is_refused_and_changes_nothing():
    _, code, _ = create_workshop()
    alpha = join(code, "Alpha")
    predict_and_submit(alpha, profit=4e6)
    pin = pin_of(alpha)
    for typed in ("", "000000" if pin != "000000" else "111111"):
        stranger = join(code, "alpha", typed)
        assert len(stranger.error) == 1 and "w_seat" not in stranger.session_state
        assert stranger.error[0].value.startswith(
            "team name: 'alpha' has joined already" if not typed else "team PIN: not Alpha's"
        )
    decided = workshops.store().decisions(workshops.store().workshop(code))
    assert decided.profit.tolist() == [4e6]  # Alpha's saved prediction is unchanged
    second_phone = join(code, "Alpha", pin)  # the team's own second device
    assert second_phone.title[0].value.startswith("Alpha · ")


def test_a_reset_pin_ends_the_other_devices_seat():
    facilitator, code, _ = create_workshop()
    alpha = join(code, "Alpha")
    old = pin_of(alpha)
    facilitator.run()
    facilitator.selectbox(key="f_pin_team").set_value("Alpha")
    button(facilitator, "Give this team a new PIN").click().run()
    new = facilitator.success[0].value.split("**")[1]
    assert "Alpha's new PIN is" in facilitator.success[0].value and new.isdigit()
    alpha.run()
    if new != old:
        assert "team PIN: not Alpha's" in alpha.error[0].value  # back to the join form
        assert alpha.get("form_submit_button")
    assert join(code, "Alpha", new).title[0].value.startswith("Alpha · ")


def test_the_n_plus_first_join_attempt_of_a_session_is_refused_in_one_line():
    _, code, _ = create_workshop()
    allowed = workshops.LIMITS[workshops.JOINS, "session"][0]
    guesser = page("workshop")
    for i in range(allowed):
        join(f"WRONG{i:03d}", "Gamma", team=guesser)
        assert "is not a workshop here" in guesser.error[0].value
    join(code, "Gamma", team=guesser)  # even the right code, now
    assert [e.value for e in guesser.error] == [
        f"join attempts: too many for this browser tab; allowed: {allowed} every 10 minutes, "
        "so try again in 10 minute(s)"
    ]
    assert "w_seat" not in guesser.session_state
    assert join(code, "Gamma").title[0].value.startswith("Gamma · ")  # others join as usual


def test_wrong_pins_for_one_workshop_are_limited_across_devices(monkeypatch):
    monkeypatch.setitem(workshops.LIMITS, (workshops.JOINS, "workshop"), (2, 600))
    _, code, _ = create_workshop()
    pin = pin_of(join(code, "Alpha"))
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(2):  # two strangers' devices, one guess each
        assert "team PIN: not Alpha's" in join(code, "Alpha", wrong).error[0].value
    refused = join(code, "Alpha", pin)  # a third device, the right PIN: the code is on hold
    assert refused.error[0].value.startswith("join attempts: too many for this workshop")
    assert join(code, "Beta").title[0].value.startswith("Beta · ")  # new teams still join


def test_workshop_creation_is_limited_per_session(monkeypatch):
    monkeypatch.setitem(workshops.LIMITS, (workshops.CREATED, "session"), (1, 3600))
    facilitator, code, _ = create_workshop()
    facilitator.query_params.clear()
    facilitator.session_state["f_keys"] = {}
    facilitator.run()
    facilitator.get("form_submit_button")[0].click().run()
    assert [e.value for e in facilitator.error] == [
        "workshops created: too many for this browser tab; allowed: 1 every 60 minutes, so try "
        "again in 60 minute(s)"
    ]
    assert len(workshops.store().teams(workshops.store().workshop(code))) == 0


def test_the_key_in_a_facilitator_link_leaves_the_address_and_a_refresh_asks_for_it():
    first, code, key = create_workshop()
    first.toggle(key="f_link").set_value(True).run()
    link = first.code[0].value
    assert link.endswith(f"?code={code}&key={key}")  # on request, for the facilitator's device
    assert first.get("image")  # and as a QR code to scan
    first.toggle(key="f_link").set_value(False).run()
    assert key not in everything_shown(first) and not first.get("image")
    first.query_params.clear()  # back from another page: the address has no code
    first.run()
    button(first, f"Back to workshop {code}").click().run()
    assert button(first, "Lock decisions and play round 1")  # still in control
    own_device = page("facilitator", code=code, key=key)
    assert dict(own_device.query_params) == {"code": code}  # the key left the address
    assert button(own_device, "Lock decisions and play round 1")  # and the console is there
    refreshed = page("facilitator", code=code)  # a new session: control needs the key again
    assert not [b for b in refreshed.button if b.label.startswith("Lock")]
    refreshed.text_input[1].input("not the key")
    refreshed.get("form_submit_button")[0].click().run()
    assert "facilitator key: not this workshop's" in refreshed.error[0].value
    refreshed.text_input[1].input(key)
    refreshed.get("form_submit_button")[0].click().run()
    assert button(refreshed, "Lock decisions and play round 1")
    assert key not in everything_shown(refreshed)


def test_a_wrong_key_in_the_address_is_refused_and_removed():
    _, code, _ = create_workshop()
    stranger = page("facilitator", code=code, key="guess")
    assert "facilitator key: not this workshop's" in stranger.error[0].value
    assert dict(stranger.query_params) == {"code": code}
    assert not [b for b in stranger.button if b.label.startswith("Lock")]


def test_the_presenter_view_hides_the_controls_and_the_debrief_reads_well():
    facilitator, code, key = create_workshop(rounds=1)
    alpha = join(code, "Alpha")
    alpha.slider(key="w_1_engagement_program").set_value(1000).run()
    predict_and_submit(alpha)
    button(facilitator, "Lock decisions").click().run()
    assert "All rounds played" in facilitator.success[0].value
    charts_shown = facilitator.get("vega_lite_chart")
    console = [json.loads(c.proto.spec) for c in charts_shown]
    impact = next(d.value for d in facilitator.dataframe if "Stage" in d.value.columns)
    assert list(impact.columns) == [
        "Stage",
        "Measure",
        "First clear move",
        "Against the baseline now",
    ]  # when it first moved and where it is now: two things, named apart
    assert list(impact.Stage)[:3] == ["Leaders", "Internal service", "Employees"]
    assert impact.Measure.iloc[2] == f"{charts.title('employee_satisfaction')} (0-100)"
    assert impact["First clear move"].str.fullmatch(r"(up|down) in week \d+|none yet").all()
    assert impact["Against the baseline now"].str.match(r"^[+-]").all()
    chain = next(
        c for c, spec in zip(charts_shown, console, strict=True) if spec.get("height") == 105
    )
    spreads = set(chart_data(chain).spread.dropna())
    same = [s for s in spreads if re.fullmatch(r"(\S+) to \1", s)]  # no spread: a bare difference
    assert len(same) < len(spreads) / 2  # each stage's spread across paired replications

    facilitator.toggle(key="f_presenter").set_value(True).run()
    assert not [b for b in facilitator.button if b.label.startswith(("Lock", "Give"))]
    assert not [t for t in facilitator.toggle if t.key == "f_link"]
    assert key not in everything_shown(facilitator)
    assert any("join-code" in m.value for m in facilitator.markdown)
    style = " ".join(h.value for h in facilitator.html)
    assert '[data-testid="stSidebar"]' in style and "display: none" in style  # no navigation
    assert "table td" in style  # tables in large type: HTML tables, not a canvas grid
    assert "h1 { font-size: 3.2rem !important" in style  # over the app's own heading size
    assert not facilitator.dataframe
    debrief = facilitator.table[0].value
    assert list(debrief.columns) == list(DEBRIEF.values())[1:]  # the team names the rows
    assert list(debrief.index) == ["Alpha"]
    row = debrief.iloc[0]
    assert row["Worse before better"] in ("yes", "no")
    assert re.fullmatch(r"[+-][\d,.]+[Mk]?", row["Profit vs baseline"])  # an amount, signed
    misses = facilitator.table[1].value
    assert list(misses.columns) == list(MISSES.values())[1:]
    assert re.fullmatch(r"-?[\d,.]+[Mk]?", misses.iloc[0]["Profit in the round (currency)"])
    assert misses.iloc[0]["Turnover, annualised (share/year)"].endswith(" pts")
    presented = [json.loads(c.proto.spec) for c in facilitator.get("vega_lite_chart")]
    assert (
        presented[0]["config"]["axis"]["titleFontSize"]
        > console[0]["config"]["axis"]["titleFontSize"]
    )  # the progress chart
    assert max(c.get("height", 0) for c in presented if "layer" in c) > 105  # the chain panel
    labels = [b.label for b in facilitator.get("download_button")]
    assert labels == []  # research export was not opted in
