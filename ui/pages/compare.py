"""Compare two to four scenarios on the same seeds: bands, what differs, and outcomes."""

import altair as alt
import pandas as pd
import streamlit as st

from model import load_scenario, scenario_names
from model.analysis import RECENT_WEEKS, bands, recent_quarter
from model.report import charts
from ui import runs, state

CURRENT = "Current settings"
OUTCOMES = [
    "cumulative_profit",
    "turnover_rate",
    "customer_retention",
    "employee_satisfaction",
    "customer_satisfaction",
]

st.title("Compare scenarios")
seed, reps = int(st.session_state.seed), int(st.session_state.reps)
choices = [CURRENT, *scenario_names()]
picked = st.multiselect(
    "Scenarios (two to four)",
    choices,
    default=[CURRENT, "baseline"],
    max_selections=4,
    format_func=lambda n: n if n == CURRENT else state.preset_title(n),
)
if len(picked) < 2:
    st.info("Pick at least two scenarios.")
    st.stop()

scenarios = {name: state.scenario() if name == CURRENT else load_scenario(name) for name in picked}
labels = {
    name: s.title if name != CURRENT else f"{CURRENT}: {s.title}" for name, s in scenarios.items()
}
tables = {name: runs.run(s, seed, reps) for name, s in scenarios.items()}

measure = st.selectbox(
    "Measure",
    [m for m in tables[picked[0]].columns if m not in ("rep", "step")],
    index=0,
    format_func=charts.title,
)
data = pd.concat([bands(t, measure).assign(scenario=labels[n]) for n, t in tables.items()])
base = alt.Chart(data).encode(
    x=alt.X("step:Q", title="Week"),
    color=alt.Color("scenario:N", title=None, legend=alt.Legend(orient="top", labelLimit=400)),
)
chart = alt.layer(
    base.mark_area(opacity=0.18).encode(y="low:Q", y2="high:Q"),
    base.mark_line(strokeWidth=2.5).encode(
        y=alt.Y(
            "mean:Q",
            title=f"{charts.title(measure)} ({charts.unit(measure)})",
            scale=alt.Scale(zero=False),
        ),
        tooltip=[
            "scenario:N",
            alt.Tooltip("step:Q", title="Week"),
            alt.Tooltip("mean:Q", format=",.3~f"),
        ],
    ),
).properties(title=f"{charts.title(measure)}: mean and 10-90% band", height=360)
st.altair_chart(chart, width="stretch")

st.subheader("What differs")
values = {name: s.values() for name, s in scenarios.items()}
names = sorted(
    {k for v in values.values() for k in v if len({values[n][k] for n in scenarios}) > 1}
)
differs = pd.DataFrame({labels[n]: {k: values[n][k] for k in names} for n in scenarios})
st.markdown("**Starting parameters**")
if len(differs):
    st.dataframe(differs, width="stretch")
else:
    st.info("The same starting parameters.")
st.markdown("**Timelines**")
st.dataframe(
    pd.DataFrame(
        {
            labels[n]: [
                "; ".join(
                    f"week {i.week}: " + ", ".join(f"{k}={v:g}" for k, v in i.changes.items())
                    for i in s.timeline
                )
                or "none"
            ]
            for n, s in scenarios.items()
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader("Outcomes at the end, against the first scenario")


def at_end(table: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the last quarter's mean, and cumulative profit at the last week."""
    end = table.step.max()
    quarter = recent_quarter(table).groupby("rep").mean(numeric_only=True)
    return quarter.assign(
        cumulative_profit=table[table.step == end].set_index("rep").cumulative_profit
    )


reference = at_end(tables[picked[0]])
rows = []
for name, table in tables.items():
    last = at_end(table)
    row = {"scenario": labels[name]}
    for m in OUTCOMES:
        diff = last[m] - reference[m]
        row[charts.title(m)] = charts.fmt(m, last[m].mean())
        if name != picked[0]:
            row[f"Δ {charts.title(m)} (10-90%)"] = (
                f"{charts.fmt_delta(m, diff.mean())} ({charts.fmt_delta(m, diff.quantile(0.1))}"
                f" to {charts.fmt_delta(m, diff.quantile(0.9))})"
            )
    rows.append(row)
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption(
    f"Rates are the last {RECENT_WEEKS} weeks' means; cumulative profit is at the last week. "
    "Differences are paired replication by replication: the same seeds on every side."
)
