"""A team in a workshop: join with the code, set levers within budget, predict, see the result."""

import streamlit as st

from model import InputError
from model.engine.parameters import BY_NAME, GROUPS
from model.report import charts
from model.workshop.rules import PREDICTED, SHOCKS, SPENDING, cost, round_outcomes
from model.workshop.store import PIN_DIGITS, normal_code
from ui import workshops
from ui.sidebar import lever

WAITING_POLL = "4s"


def join_form() -> None:
    """Join with the code on the facilitator's screen; rejoining a team needs its PIN."""
    st.title("Join a workshop")
    with st.form("join"):
        code = st.text_input(
            "Join code", st.query_params.get("code", ""), max_chars=12, placeholder="ABCD2345"
        )
        name = st.text_input("Team name", st.query_params.get("team", ""), max_chars=40)
        pin = st.text_input(
            "Team PIN",
            type="password",
            max_chars=PIN_DIGITS,
            help="Empty to join as a new team; the team's PIN to rejoin it from this device.",
        )
        joined = st.form_submit_button("Join", type="primary")
    if joined:
        try:
            _, new_pin = workshops.take_seat(code, name, pin)
        except InputError as error:
            st.error(str(error))
            return
        name = " ".join(name.split())
        st.session_state.w_seat = (normal_code(code), name, new_pin or pin.strip())
        st.session_state.w_new_pin = new_pin
        st.query_params.from_dict({"code": normal_code(code), "team": name})
        st.rerun()


def seat() -> int | None:
    """This device's team, checked against its PIN on every redraw (a reset PIN ends it)."""
    if "w_seat" not in st.session_state:
        return None
    try:
        return workshops.store().rejoin(*st.session_state.w_seat)
    except InputError as error:
        del st.session_state.w_seat
        st.error(str(error))
        return None


def show_pin(team: str) -> None:
    """The team's PIN: once, large, when the team is new; afterwards only on request."""
    pin = st.session_state.w_seat[2]
    if st.session_state.pop("w_new_pin", None):
        st.success(
            f"Your team PIN is **{pin}**. Note it: another device joins as {team} only "
            "with it, and nobody else can take your team's seat."
        )
    elif st.toggle("Show our team PIN", key="w_show_pin"):
        st.caption(f"Team PIN: **{pin}**")


@st.fragment(run_every=WAITING_POLL)
def wait_for(round_played: int, code: str) -> None:
    """Redraw the page when the facilitator plays the next round."""
    if workshops.store().workshop(code).played_round != round_played:
        st.rerun(scope="app")


# How each prediction is typed: whole currency, a share of two decimals, points of one.
PREDICTION_INPUT = {
    "profit": {"format": "%.0f", "step": 10_000.0},
    "turnover_rate": {"format": "%.2f", "step": 0.01},
    "customer_satisfaction": {"format": "%.1f", "step": 0.5},
}


def decide(workshop, team_id: int, round_: int) -> None:
    """The lever settings, their cost against the budget above them, and the prediction."""
    store = workshops.store()
    budget = workshop.settings.budget_in(round_)
    current = store.settings_for(workshop, team_id, round_)
    start = workshop.start_values
    st.subheader(f"Your decisions for round {round_}")
    summary = st.container()  # filled once the sliders below have been read
    choices = {}
    for title, names in [
        ("Investments (they use the budget)", [n for n in workshop.prices if n in SPENDING]),
        (
            "Standards and policies (outside the budget; slow to take hold)",
            [n for n in workshop.prices if n not in SPENDING],
        ),
    ]:
        with st.expander(title, expanded=True):
            for name in sorted(names, key=lambda n: GROUPS.index(BY_NAME[n].group)):
                choices[name] = lever(BY_NAME[name], f"w_{round_}_{name}", current[name])
    spend = cost(choices, start, workshop.prices)
    summary.metric(
        "These settings cost, each round",
        charts.fmt("costs", spend),
        f"{charts.fmt('costs', budget - spend)} left of {charts.fmt('costs', budget)}",
        delta_color="normal",  # what is left: green while it is positive, red when over
        help="Extra spending against the starting organisation, from the model's books.",
    )
    prediction = predict(workshop, team_id, round_)
    if st.button("Submit decisions and prediction", type="primary"):
        try:
            store.submit(workshop.code, team_id, choices, prediction)
        except InputError as error:
            st.error(str(error))
        else:
            st.success(
                f"Submitted for round {round_}. You can change it until the facilitator "
                "plays the round."
            )
    decided = store.decisions(workshop)
    mine = decided[(decided.team_id == team_id) & (decided["round"] == round_)]
    if len(mine):
        st.caption(f"Last submitted {mine.submitted.iloc[0]} (UTC).")


def predict(workshop, team_id: int, round_: int) -> dict[str, float | None]:
    """The team's prediction, typed beside the baseline's figure for the round as a scale."""
    last = workshops.store().results(workshop, team_id)
    previous = round_outcomes(last, workshop.settings).iloc[-1] if last is not None else None
    reference = workshops.baseline_rounds(workshop).loc[round_]
    st.markdown("**Before you see it: what will happen in this round?**")
    prediction = {}
    for column, (measure, label) in zip(st.columns(3), PREDICTED.items(), strict=True):
        prediction[measure] = column.number_input(
            label, value=None, key=f"w_{round_}_predict_{measure}", **PREDICTION_INPUT[measure]
        )
        figure = workshops.predicted_text(measure, reference[measure])
        scale = f"The baseline company, this round: **{figure}**"
        if previous is not None:
            scale += f" · yours last round: {workshops.predicted_text(measure, previous[measure])}"
        column.caption(scale)
    return prediction


team_id = seat()
if team_id is None:
    join_form()
    st.stop()
workshop = workshops.store().workshop(st.session_state.w_seat[0])
team = workshops.store().teams(workshop)[team_id]  # as it joined, whatever the case typed

settings = workshop.settings
st.title(f"{team} · {settings.title}")
st.caption(
    f"Join code {workshop.code} · {settings.rounds} rounds of {settings.weeks_per_round} "
    f"weeks · {workshop.played_round} played"
)
show_pin(team)
shocks = {at: s for at, s in settings.shocks.items() if at <= (workshop.open_round or 0)}
for at, shock in sorted(shocks.items()):
    st.warning(f"Round {at}: {SHOCKS[shock].label}", icon=":material/bolt:")

if workshop.played_round:
    st.subheader(f"Your company after round {workshop.played_round}")
    workshops.show_progress(workshop, {team_id: team}, "w_measure")
    outcomes = workshops.outcomes_table(workshop, team_id).set_index("Round")
    st.table(outcomes, hide_index=False)  # a table wraps on a phone

if workshop.open_round is not None:
    decide(workshop, team_id, workshop.open_round)
    wait_for(workshop.played_round, workshop.code)
elif workshop.played_round >= settings.rounds:
    st.success("The workshop is over: the facilitator has the debrief on the projector.")
else:
    st.info("The facilitator is playing the round...")
    wait_for(workshop.played_round, workshop.code)
