"""The facilitator's console: set up a workshop, show the join code, advance rounds, debrief.

The address carries only the join code. The facilitator's key is kept in the
session once given (at set-up, by typing it, or from the facilitator's link,
whose key leaves the address at once), so the projected screen never shows
it; the link is shown only on request, and never in presenter view.
"""

import io

import pandas as pd
import segno
import streamlit as st

from model import InputError
from model.analysis import RECENT_WEEKS, paired_changes, recent_values
from model.report import charts
from model.workshop import rounds
from model.workshop.rules import (
    DEBRIEF,
    MISSES,
    PREDICTED,
    SHOCKS,
    Settings,
    debrief_row,
    time_to_impact,
)
from model.workshop.store import BASELINE, normal_code
from ui import runs, state, workshops
from ui.downloads import download

JOIN_CODE_CSS = """
<style>
.join-code { font-size: 3.5rem; font-weight: 700; letter-spacing: 0.2em; line-height: 1.2; }
</style>
"""
PRESENTER_CSS = """
<style>
[data-testid="stMain"] h1 { font-size: 3.2rem !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.5rem; }
[data-testid="stMain"] table th, [data-testid="stMain"] table td { font-size: 1.5rem; }
[data-testid="stMetricValue"] { font-size: 3rem; }
.join-code { font-size: 6rem; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"]
  { display: none; }
</style>
"""
NO_PREDICTION = "no prediction"  # words, not "-": a table cell reads "-" as a list's bullet
PRESENTER_FONT = 24  # the charts' axis titles in presenter view (15 otherwise)
PRESENTER_CHAIN = 1.4  # how much larger the chain panel is drawn in presenter view


def set_up() -> None:
    """The form that creates a workshop; the address then carries its code, the session its key."""
    st.title("Set up a workshop")
    with st.form("set_up", enter_to_submit=False):  # many fields: Enter in one is not "create"
        title = st.text_input("Title", "Service-profit chain workshop")
        left, middle, right = st.columns(3)
        scenario = left.selectbox(
            "Scenario", state.scenario_choices(), format_func=state.choice_title
        )
        round_count = middle.number_input("Rounds", 1, 20, 8)
        weeks = right.number_input("Weeks per round", 1, 52, 13, help="13: a quarter")
        left, middle, right = st.columns(3)
        budget = left.number_input("Budget per round (currency)", 0, 10**9, 200_000, step=10_000)
        seed = middle.number_input("Seed", 0, 2**31 - 1, 0)
        reps = right.number_input("Replications", 1, 20, 3)
        st.markdown("**Scripted shocks** (round they hit; 0 for none)")
        at = {
            key: column.number_input(shock.label.split(":")[0], 0, 20, 0, key=f"f_shock_{key}")
            for column, (key, shock) in zip(st.columns(len(SHOCKS)), SHOCKS.items(), strict=True)
        }
        research = st.checkbox(
            "Keep decisions, predictions and outcomes for research export",
            help="Off unless the group agrees.",
        )
        create = st.form_submit_button("Create the workshop", type="primary")
    if not create:
        return
    settings = Settings(
        title=title,
        scenario=scenario,
        company=state.written_out(scenario),
        rounds=int(round_count),
        weeks_per_round=int(weeks),
        budget=float(budget),
        shocks={int(r): key for key, r in at.items() if r},
        seed=int(seed),
        reps=int(reps),
        research_export=research,
    )
    try:
        with st.spinner("Pricing the levers on the model's books..."):
            code, key = workshops.create(settings)
    except InputError as error:
        st.error(str(error))
        return
    keys()[code] = key
    st.session_state.f_new = code
    st.query_params.from_dict({"code": code})
    st.rerun()


def keys() -> dict[str, str]:
    """The facilitator keys this session has been given, by join code."""
    return st.session_state.setdefault("f_keys", {})


def show_table(frame: pd.DataFrame) -> None:
    """A table: sortable on the console, as large type in presenter view (a canvas cannot grow)."""
    if st.session_state.get("f_presenter"):
        st.table(frame.set_index(frame.columns[0]), hide_index=False)
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


def font() -> int:
    """The charts' text size: larger in presenter view."""
    return PRESENTER_FONT if st.session_state.get("f_presenter") else charts.FONT


def regain(code: str) -> None:
    """Take control of a workshop by typing its key (after a refresh or on another device)."""
    st.title("Facilitate a workshop")
    with st.form("regain"):
        typed = st.text_input("Join code", code, max_chars=12)
        key = st.text_input("Facilitator key", type="password", max_chars=64)
        taken = st.form_submit_button("Take control", type="primary")
    st.caption("The key was shown on request when the workshop was made; it is never projected.")
    if taken:
        try:
            workshops.take_control(typed, key.strip())
        except InputError as error:
            st.error(str(error))
            return
        keys()[normal_code(typed)] = key.strip()
        st.query_params.from_dict({"code": normal_code(typed)})
        st.rerun()


def facilitator_link(workshop) -> None:
    """The link that gives this console to the facilitator's own device, on request."""
    if st.session_state.pop("f_new", None) == workshop.code:
        st.warning(
            "Before you project: open the facilitator link below on your own device and "
            "keep it. A refresh here asks for the key again.",
            icon=":material/key:",
        )
    if st.toggle(
        "Show the facilitator link (for your own device, not the projector)", key="f_link"
    ):
        key = keys()[workshop.code]
        link = f"{st.context.url or '/facilitator'}?code={workshop.code}&key={key}"
        picture, words = st.columns([1, 3])
        qr = io.BytesIO()
        segno.make(link, error="m").save(qr, kind="png", scale=5, border=2)
        picture.image(qr.getvalue(), caption="Scan it with your phone")
        words.code(link, language=None, wrap_lines=True)
        words.caption(f"Facilitator key: {key}. Anyone with it controls this workshop.")


def console(workshop) -> None:
    """Join code, who has decided, and the button that plays the round."""
    store = workshops.store()
    teams = store.teams(workshop)
    st.markdown(
        f"Teams join on the **Workshop** page with the code<br>"
        f"<span class='join-code'>{workshop.code}</span>",
        unsafe_allow_html=True,
    )
    round_ = workshop.open_round
    decided = store.decisions(workshop)
    done = set(decided[decided["round"] == round_].team_id) if round_ else set()
    st.dataframe(
        pd.DataFrame(
            {
                "Team": list(teams.values()),
                f"Round {round_ or '-'}": ["decided" if t in done else "deciding" for t in teams],
            }
        ),
        hide_index=True,
    )
    if round_ is None and workshop.played_round >= workshop.settings.rounds:
        st.success("All rounds played: see the debrief.")
        return
    if round_ is not None:
        st.caption(
            f"Round {round_} of {workshop.settings.rounds}: budget "
            f"{charts.fmt('costs', workshop.settings.budget_in(round_))}"
            + "".join(
                f" · shock: {SHOCKS[s].label}"
                for r, s in workshop.settings.shocks.items()
                if r == round_
            )
        )
    label = f"Lock decisions and play round {workshop.played_round + 1}"
    if st.button(label, type="primary", icon=":material/play_arrow:"):
        with st.spinner("Running every company to the end of the round..."):
            rounds.play_round(store, workshop.code, keys()[workshop.code], runs.interactive())
        st.rerun()
    reset_pin(workshop, teams)


def reset_pin(workshop, teams: dict[int, str]) -> None:
    """A new PIN for a team that lost its own or whose seat someone else took."""
    if not teams:
        return
    with st.expander("A team lost its PIN? (on your own device: the new one is shown)"):
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        name = left.selectbox("Team", list(teams.values()), key="f_pin_team")
        if right.button("Give this team a new PIN", icon=":material/lock_reset:"):
            team_id = next(t for t, n in teams.items() if n == name)
            pin = workshops.store().reset_pin(workshop.code, keys()[workshop.code], team_id)
            st.success(
                f"{name}'s new PIN is **{pin}**: tell the team. Devices with the old one "
                "must rejoin with it."
            )


def progress(workshop) -> None:
    """Every company against the baseline so far."""
    workshops.show_progress(workshop, workshops.store().teams(workshop), "f_measure", font())


def debrief(workshop) -> None:
    """Prediction against outcome against baseline; the chain; time to impact; all teams."""
    store = workshops.store()
    teams = store.teams(workshop)
    baseline = store.results(workshop, BASELINE)
    if baseline is None or not teams:
        st.info("The debrief needs teams and at least one round played.")
        return
    decided = store.decisions(workshop)
    rows = []
    for team_id, name in teams.items():
        predictions = decided[decided.team_id == team_id][["round", *PREDICTED]]
        rows.append(
            debrief_row(
                name, store.results(workshop, team_id), baseline, predictions, workshop.settings
            )
        )
    st.subheader("What each team learned")
    st.caption(
        "Not a league table: how far each company moved from the baseline, what it cost, "
        "and whether it got worse before it got better."
    )
    table = pd.DataFrame(rows)
    missed = {"profit_miss": "profit", "customer_satisfaction_miss": "customer_satisfaction"}
    shown = table.assign(
        extra_operating_cost=table.extra_operating_cost.map(lambda v: charts.fmt("costs", v)),
        profit_difference=table.profit_difference.map(lambda v: charts.fmt_delta("profit", v)),
        payback_week=table.payback_week.map(lambda w: "none" if pd.isna(w) else str(int(w))),
        worse_before_better=table.worse_before_better.map({True: "yes", False: "no"}),
        turnover_miss=table.turnover_miss.map(
            lambda v: NO_PREDICTION if pd.isna(v) else f"{100 * v:.1f} pts"
        ),
        **{
            column: table[column].map(
                lambda v, m=m: NO_PREDICTION if pd.isna(v) else charts.fmt(m, v)
            )
            for column, m in missed.items()
        },
    )
    show_table(shown[list(DEBRIEF)].rename(columns=DEBRIEF))
    st.markdown("**How far each team's predictions missed** (mean absolute miss per round)")
    show_table(shown[list(MISSES)].rename(columns=MISSES))

    name = st.selectbox("Team", list(teams.values()), key="f_team")
    team_id = next(t for t, n in teams.items() if n == name)
    mine = store.results(workshop, team_id)
    week = int(mine.step.max())
    values = recent_values(mine, week)
    changes = paired_changes(mine, baseline, list(values), week)  # the same seeds
    scale = PRESENTER_CHAIN if st.session_state.get("f_presenter") else 1.0
    st.vega_lite_chart(charts.chain_chart(values, changes, scale), width="stretch")
    st.caption(
        f"{name}'s chain over the last {RECENT_WEEKS} weeks; below each stage its change "
        "against the baseline, replication by replication, coloured only when clear of the noise."
    )
    st.markdown(f"**When each stage of {name}'s chain first moved, and where it is now**")
    impact = time_to_impact(mine, baseline, 1)
    show_table(
        pd.DataFrame(
            {
                "Stage": impact.stage,
                "Measure": [f"{charts.title(m)} ({charts.unit(m)})" for m in impact.measure],
                "First clear move": [
                    "none yet" if pd.isna(w) else f"{d} in week {int(w)}"
                    for w, d in zip(impact.responded_week, impact.direction, strict=True)
                ],
                "Against the baseline now": [
                    charts.fmt_delta(m, v)
                    for m, v in zip(impact.measure, impact.difference_now, strict=True)
                ],
            }
        )
    )
    st.markdown(f"**{name}: prediction, outcome and baseline, round by round**")
    show_table(workshops.outcomes_table(workshop, team_id))
    if workshop.settings.research_export:
        left, right = st.columns(2)  # the data is gathered only when downloaded
        download(
            left,
            "Research data (CSV)",
            lambda: rounds.research_data(store, workshop).to_csv(index=False),
            "workshop.csv",
            "text/csv",
        )
        download(
            right,
            "Research data (Parquet)",
            lambda: rounds.research_data(store, workshop).to_parquet(index=False),
            "workshop.parquet",
            "application/octet-stream",
        )


code, carried = st.query_params.get("code"), st.query_params.get("key")
if carried:  # the facilitator's link, opened once: its key leaves the address at once
    del st.query_params["key"]
    try:
        workshops.take_control(code or "", carried)
    except InputError as error:
        st.error(str(error))
    else:
        keys()[normal_code(code)] = carried
if not code:
    for known in keys():  # back from another page, which leaves the address without a code
        st.button(
            f"Back to workshop {known}", on_click=st.query_params.update, kwargs={"code": known}
        )
    set_up()
    st.stop()
if normal_code(code) not in keys():
    regain(code)
    st.stop()
workshop = workshops.store().facilitate(code, keys()[normal_code(code)])

presenter = st.toggle(
    "Presenter view", key="f_presenter", help="Large type, charts and tables; controls hidden."
)
st.html(JOIN_CODE_CSS)
if presenter:
    st.html(PRESENTER_CSS)
st.title(workshop.settings.title)
if not presenter:
    facilitator_link(workshop)
    st.caption(
        f"Scenario {workshop.settings.scenario}, {workshop.settings.rounds} rounds of "
        f"{workshop.settings.weeks_per_round} weeks, seed {workshop.settings.seed}, "
        f"{workshop.settings.reps} replications, the same for every team. "
        f"The chain's response is read over {RECENT_WEEKS}-week windows."
    )
live, story = st.tabs(["Rounds", "Debrief"])
with live:
    if presenter:
        st.markdown(f"<span class='join-code'>{workshop.code}</span>", unsafe_allow_html=True)
        progress(workshop)
    else:
        console(workshop)
        progress(workshop)
with story:
    debrief(workshop)
