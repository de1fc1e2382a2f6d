"""Simulator: the chain, KPIs and time series against the baseline, why profit moved."""

import time

import pandas as pd
import streamlit as st

from model.analysis import (
    RECENT_WEEKS,
    business_case,
    paired_changes,
    profit_bridge,
    recent,
    recent_values,
    story,
)
from model.engine.observe import CHAIN, MEASURES
from model.report import charts
from ui import runs, state
from ui.downloads import download

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
SERIES_KEY, SMOOTH_KEY = "series", "smooth"


def _set_playing(playing: bool) -> None:
    """Play from the week shown, or from week 1 when the whole run is shown (callback).

    Pausing drops the frame a playing run has already asked for, so the page
    stays on the week it showed when Pause was clicked.
    """
    st.session_state.playing = playing
    if not playing:
        st.session_state.pop("next_week", None)
    weeks = st.session_state.base.weeks
    if playing and (st.session_state.week_shown or weeks) >= weeks:
        state.go_to(1)


def controls(week: int, weeks: int) -> None:
    """The week buttons, and Play or Pause."""
    buttons = [
        ("Week 1", ":material/first_page:", 1),
        ("+1 week", ":material/skip_next:", week + 1),
        ("+1 quarter", ":material/fast_forward:", week + 13),
        ("Run to end", ":material/last_page:", weeks),
    ]
    columns = st.columns(len(buttons) + 1)
    for column, (label, icon, target) in zip(columns, buttons, strict=False):
        column.button(label, icon=icon, on_click=state.go_to, args=(target,), width="stretch")
    playing = st.session_state.get("playing")
    columns[-1].button(  # one widget whose label changes, so no stale Play stays under Pause
        key="play_pause",
        label="Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        on_click=_set_playing,
        args=(not playing,),
        width="stretch",
        type="primary",
        help=f"Advance {PLAY_STEP} weeks at a time until paused.",
    )


def series_row(measures: list[str], context: dict) -> None:
    """Up to two time-series charts side by side."""
    for column, measure in zip(st.columns(2), measures, strict=False):
        column.vega_lite_chart(charts.band_chart(measure=measure, **context), width="stretch")


scenario, baseline = state.scenario(), state.baseline()
seed, reps = int(st.session_state.seed), int(st.session_state.reps)
weeks = scenario.weeks

st.title(scenario.title)
employees = scenario.values()["n_units"] * scenario.values()["staff_per_unit"]
if employees * reps > LARGE_RUN and not st.session_state.get("large_run_ok"):
    st.warning(
        f"This organisation has about {employees:,.0f} employees; {reps} replications of it "
        "on both sides may take minutes. Reduce the size or the replications in the sidebar, "
        "or run it anyway."
    )
    st.button("Run it anyway", on_click=lambda: st.session_state.update(large_run_ok=True))
    st.stop()
table, base_table, whole = runs.arriving_pair(scenario, baseline, seed, reps)
shown_reps = table.rep.nunique()  # the first ones at once; the bands fill in as the rest arrive
replications = (
    f"{reps} replication(s)"
    if whole
    else f"{shown_reps} of {reps} replications so far (changes judged once all are in)"
)
week = st.session_state.week_shown or weeks
if week >= weeks:
    st.session_state.playing = False  # the last frame shows Play again

controls(week, weeks)
left, right = st.columns([3, 2], vertical_alignment="center")
left.markdown(
    f"**Week {week} of {weeks}** · seed {seed} · {replications} · "
    f"changes act from week {st.session_state.from_week}"
)
with right.popover("What to notice in this scenario", width="stretch"):
    st.markdown(scenario.description or "No description.")

values = recent_values(table, week)
changes = paired_changes(table, base_table, list(values), week, judged=whole)
base_profit = recent(base_table, "cumulative_profit", week)
acted = state.changed_levers(scenario, baseline, by_week=week)  # what has acted by the week shown
if not acted and scenario.timeline:
    headline = (
        f"Nothing differs from the baseline by week {week}: the changes act from week "
        f"{min(step.week for step in scenario.timeline)}."
    )
else:
    headline = story(
        acted,
        changes["employee_satisfaction"],
        changes["customer_satisfaction"],
        changes["cumulative_profit"],
        base_profit,
        week,
    )
st.markdown(f"**{headline}**")
st.vega_lite_chart(charts.chain_chart(values, changes), width="stretch")
st.caption(
    f"The chain inside-out, last {RECENT_WEEKS} weeks, mean of {replications}; below "
    "each stage its change against the baseline on the same seeds, coloured when clear of the "
    "noise. Charts: :blue[**scenario**] and :gray[**baseline**], mean and 10-90% band.",
    help="A change is clear when the 10-90% band of the paired differences (scenario minus "
    "baseline, replication by replication) excludes zero. Dashed lines mark changes on the "
    "timeline.",
)

st.session_state.setdefault(SERIES_KEY, [m for _, m in CHAIN[2:5]] + ["cumulative_profit"])
st.session_state.setdefault(SMOOTH_KEY, True)
context = {
    "scenario": table,
    "baseline": base_table,
    "weeks": weeks,
    "until": week,
    "marks": sorted({step.week for step in scenario.timeline}),
    "smooth": RECENT_WEEKS if st.session_state[SMOOTH_KEY] else 1,
}
chosen = st.session_state[SERIES_KEY]
series_row(chosen[:2], context)

for column, measure in zip(st.columns(len(KPIS)), KPIS, strict=True):
    moved = changes[measure]
    column.metric(
        charts.title(measure),
        charts.fmt(measure, values[measure]),
        charts.fmt_delta(measure, moved["mean"]) if charts.shown(measure, moved) else None,
        delta_color={1: "normal", -1: "inverse", 0: "off"}[MEASURES[measure].better],
        help=f"Mean over the {RECENT_WEEKS} weeks to week {week} and {replications} "
        "(cumulative profit: at that week). The change against the baseline is shown when "
        "it is clear of the spread across replications.",
    )

case = business_case(table[table.step <= week], base_table[base_table.step <= week])
mean, low, high = case["profit_difference"]
outlay = case["investment"]
st.subheader(f"The business case, weeks 1 to {week}")
left, middle, right = st.columns(3)
if abs(outlay) < 1:
    cost_label, cost_value = "Extra operating costs", "none"
elif outlay > 0:
    cost_label, cost_value = "Extra operating costs", charts.money(outlay)
else:
    cost_label, cost_value = "Operating costs saved", charts.money(-outlay)
left.metric(
    cost_label,
    cost_value,
    help="Costs other than the cost of goods, against the baseline, over the weeks shown.",
)
if abs(outlay) < 1 and abs(mean) < 1:
    payback = "no change"
elif outlay <= 0:
    payback = "nothing to pay back"
else:
    payback = case["payback_week"] or f"not by week {week}"
middle.metric(
    "Payback week",
    payback,
    help="First week from which the cumulative profit difference stays positive; a saving "
    "has no outlay to pay back.",
)
right.metric(
    "Cumulative profit difference",
    charts.fmt_delta("profit", mean),
    help=f"10th-90th percentile across replications: {charts.fmt_delta('profit', low)} "
    f"to {charts.fmt_delta('profit', high)} (same seeds on both sides).",
)
st.vega_lite_chart(
    charts.bridge_chart(profit_bridge(table, base_table, week, judged=whole), base_profit, week),
    width="stretch",
)
st.caption(
    "From the baseline's cumulative profit (grey) to the scenario's (blue): green steps add "
    "to profit and red ones take from it, clear of the noise; pale grey steps are "
    + ("within the spread across replications" if whole else "not yet judged")
    + ". Revenue's difference is split into customers "
    "(customer-weeks), visits per customer and spend per visit, one factor at a time in that "
    "order; each cost line then counts by its own difference. The steps add up exactly to "
    "the difference in cumulative profit."
)

st.subheader("Over time")
st.multiselect(
    "Measures",
    [m for m in table.columns if m not in ("rep", "step")],
    key=SERIES_KEY,
    format_func=charts.title,
)
st.toggle(
    f"Smooth weekly flows over {RECENT_WEEKS} weeks",
    key=SMOOTH_KEY,
    help="Quits, visits and money are counted weekly; a quarter's average reads "
    "better on a projector.",
)
for i in range(2, len(chosen), 2):
    series_row(chosen[i : i + 2], context)

st.subheader("Timeline of this run")
rows = [
    {"Week": step.week, "Changes": state.changes_text(step.changes), "Note": step.note}
    for step in scenario.timeline
]
if rows:
    st.table(pd.DataFrame(rows).set_index("Week"), hide_index=False)  # wraps long changes
else:
    st.markdown("No interventions: the baseline organisation doing nothing new.")

both = pd.concat([table.assign(run="scenario"), base_table.assign(run="baseline")])
formats = {
    "CSV": (lambda: both.to_csv(index=False), "run.csv", "text/csv"),
    "Parquet": (lambda: both.to_parquet(index=False), "run.parquet", "application/octet-stream"),
}  # each file made when asked for, not on every redraw
for column, (kind, (made, file_name, mime)) in zip(st.columns(2), formats.items(), strict=True):
    download(column, f"Download data ({kind})", made, file_name, mime)

if not whole:  # draw again once the rest have arrived, or those that have in a while
    runs.wait_for_more([scenario, baseline], seed, reps)
    st.rerun()
if st.session_state.playing:
    time.sleep(PLAY_PAUSE)
    st.session_state.next_week = week + PLAY_STEP  # set before the widgets, next run
    st.rerun()
