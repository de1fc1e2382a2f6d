"""Simulator: the chain, KPIs and time series against the baseline, the business case."""

import time

import pandas as pd
import streamlit as st

from model.analysis import RECENT_WEEKS, business_case, recent
from model.engine.observe import MEASURES
from model.report import charts
from ui import runs, state

KPIS = [
    "employee_satisfaction",
    "turnover_rate",
    "customer_satisfaction",
    "customer_retention",
    "nps",
    "profit",
    "cumulative_profit",
]
LARGE_RUN = 50_000  # employees times replications above which the page asks first
PLAY_STEP = 4  # weeks advanced per frame when playing
PLAY_PAUSE = 0.5  # seconds a frame stays before the next
DEFAULT_SERIES = [
    "employee_satisfaction",
    "turnover_rate",
    "customer_satisfaction",
    "cumulative_profit",
]


def _set_playing(playing: bool) -> None:
    """Play from the week shown, or from week 1 when the whole run is shown (callback)."""
    st.session_state.playing = playing
    weeks = st.session_state.base.weeks
    if playing and (st.session_state.week_shown or weeks) >= weeks:
        state.go_to(1)


scenario, baseline = state.scenario(), state.baseline()
seed, reps = int(st.session_state.seed), int(st.session_state.reps)
weeks = scenario.weeks

st.title(scenario.title)
with st.expander("What to notice in this scenario", expanded=False):
    st.markdown(scenario.description or "No description.")

employees = scenario.values()["n_units"] * scenario.values()["staff_per_unit"]
if employees * reps > LARGE_RUN and not st.session_state.get("large_run_ok"):
    st.warning(
        f"This organisation has about {employees:,.0f} employees; {reps} replications of it "
        "on both sides may take minutes. Reduce the size or the replications in the sidebar, "
        "or run it anyway."
    )
    st.button("Run it anyway", on_click=lambda: st.session_state.update(large_run_ok=True))
    st.stop()
table, base_table = runs.pair(scenario, baseline, seed, reps)
week = st.session_state.week_shown or weeks
if week >= weeks:
    st.session_state.playing = False  # the last frame shows Play again

play = st.columns([1, 1, 1, 1, 1, 3])
play[0].button("Week 1", icon=":material/first_page:", on_click=state.go_to, args=(1,), width="stretch")
play[1].button(
    "+1 week", icon=":material/skip_next:", on_click=state.go_to, args=(week + 1,), width="stretch"
)
play[2].button(
    "+1 quarter",
    icon=":material/fast_forward:",
    on_click=state.go_to,
    args=(week + 13,),
    width="stretch",
)
play[3].button(
    "Run to end", icon=":material/last_page:", on_click=state.go_to, args=(weeks,), width="stretch"
)
if st.session_state.get("playing"):
    play[4].button(
        "Pause", icon=":material/pause:", on_click=_set_playing, args=(False,), width="stretch"
    )
else:
    play[4].button(
        "Play",
        icon=":material/play_arrow:",
        on_click=_set_playing,
        args=(True,),
        width="stretch",
        help=f"Advance {PLAY_STEP} weeks at a time until paused.",
    )
play[5].markdown(
    f"**Week {week} of {weeks}** · seed {seed} · {reps} replication(s) · "
    f"changes act from week {st.session_state.from_week}"
)

values = {m: recent(table, m, week) for m in table.columns if m not in ("rep", "step")}
base_values = {m: recent(base_table, m, week) for m in values}
deltas = {m: values[m] - base_values[m] for m in values}
st.altair_chart(charts.chain_chart(values, deltas), width="stretch")

for column, measure in zip(st.columns(len(KPIS)), KPIS, strict=True):
    column.metric(
        f"{charts.title(measure)}",
        charts.fmt(measure, values[measure]),
        charts.fmt_delta(measure, deltas[measure]) if abs(deltas[measure]) > 1e-9 else None,
        delta_color={1: "normal", -1: "inverse", 0: "off"}[MEASURES[measure].better],
        help=f"Mean over the {RECENT_WEEKS} weeks to week {week} and {reps} replication(s); "
        "change against the baseline.",
    )

case = business_case(table[table.step <= week], base_table[base_table.step <= week])
mean, low, high = case["profit_difference"]
st.subheader(f"The business case, weeks 1 to {week}")
left, middle, right = st.columns(3)
left.metric(
    "Cost of the change (operating costs)",
    charts.fmt("costs", case["investment"]),
    help="Extra costs other than the cost of goods, against the baseline.",
)
middle.metric(
    "Payback week",
    case["payback_week"] or "none",
    help="First week from which the cumulative profit difference stays positive.",
)
right.metric(
    "Cumulative profit difference",
    charts.fmt("profit", mean),
    help=f"10th-90th percentile across replications: {charts.fmt('profit', low)} "
    f"to {charts.fmt('profit', high)} (same seeds on both sides).",
)

st.subheader("Over time")
options = [m for m in table.columns if m not in ("rep", "step")]
chosen = st.multiselect("Measures", options, default=DEFAULT_SERIES, format_func=charts.title)
smooth = st.toggle(
    f"Smooth weekly flows over {RECENT_WEEKS} weeks",
    value=True,
    help="Quits, visits and money are counted weekly; a quarter's average reads "
    "better on a projector.",
)
marks = sorted({step.week for step in scenario.timeline})
for pair in [chosen[i : i + 2] for i in range(0, len(chosen), 2)]:
    for column, measure in zip(st.columns(2), pair, strict=False):
        column.altair_chart(
            charts.band_chart(
                table, base_table, measure, weeks, week, marks, RECENT_WEEKS if smooth else 1
            ),
            width="stretch",
        )

st.subheader("Timeline of this run")
rows = [
    {
        "week": step.week,
        "changes": ", ".join(f"{k} = {v:g}" for k, v in step.changes.items()),
        "note": step.note,
    }
    for step in scenario.timeline
]
st.dataframe(
    pd.DataFrame(rows or [{"week": None, "changes": "no interventions", "note": ""}]),
    hide_index=True,
    width="stretch",
)

both = pd.concat([table.assign(run="scenario"), base_table.assign(run="baseline")])
left, right = st.columns(2)  # the files are made when asked for, not on every redraw
left.download_button("Download data (CSV)", lambda: both.to_csv(index=False), "run.csv", "text/csv")
right.download_button(
    "Download data (Parquet)",
    lambda: both.to_parquet(index=False),
    "run.parquet",
    "application/octet-stream",
)

if st.session_state.playing:
    time.sleep(PLAY_PAUSE)
    st.session_state.next_week = week + PLAY_STEP  # set before the widgets, next run
    st.rerun()
