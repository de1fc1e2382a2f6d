"""Organisation: how outcomes vary across units and leaders, and one person's story."""

import pandas as pd
import streamlit as st

from model.analysis import unit_changes
from model.report import charts
from ui import runs, state

HEAT = [
    "employee_satisfaction",
    "turnover_rate",
    "leader_behaviour",
    "service_quality",
    "customer_satisfaction",
    "profit",
]

scenario, baseline = state.scenario(), state.baseline()
seed = int(st.session_state.seed)
weeks = scenario.weeks
st.title("The organisation")
st.caption(f"{scenario.title} · replication 1 of seed {seed} · one row per unit (store)")

last = st.session_state.week_shown or weeks
first, last = st.slider("Weeks", 1, weeks, (max(1, last - 12), last))


def over_period(units: pd.DataFrame) -> pd.DataFrame:
    """Each unit's mean over the weeks chosen, units numbered as people count them, from 1."""
    return (
        units[(units.step >= first) & (units.step <= last)]
        .groupby("unit")
        .mean(numeric_only=True)
        .reset_index()
        .assign(unit=lambda t: t.unit + 1)
    )


period = over_period(runs.run(scenario, seed, 1, level="unit"))
differs = bool(state.changed_levers(scenario, baseline))
against = st.segmented_control(
    "Colour each unit against",
    ["its baseline", "the average unit"],
    default="its baseline" if differs else "the average unit",
    key="org_against",
    help="Its baseline: the same unit doing nothing new, on the same seeds, so the colour is "
    "what the changes did there. The average unit: who is doing well where.",
)
changes = None
if against == "its baseline":
    reps = int(st.session_state.reps)
    changes = unit_changes(
        runs.run(scenario, seed, reps, level="unit").assign(unit=lambda t: t.unit + 1),
        runs.run(baseline, seed, reps, level="unit").assign(unit=lambda t: t.unit + 1),
        HEAT,
        first,
        last,
    )
    st.caption(
        f"Each unit against itself doing nothing new, over {reps} replication(s) on the same "
        "seeds; white where the change is within the spread across them."
    )

left, right = st.columns([2, 3])
left.altair_chart(charts.unit_heatmap(period, HEAT, changes), width="stretch")
right.altair_chart(charts.leader_scatter(period), width="stretch")
right.caption("Each circle is a unit; its size is the unit's weekly revenue.")
spread = period[HEAT].agg(["min", "median", "max"]).T
right.markdown("**Spread across units**")
right.dataframe(
    spread.apply(lambda row: row.map(lambda v: charts.fmt(row.name, v)), axis=1)
    .set_axis([f"{charts.title(m)} ({charts.unit(m)})" for m in spread.index])
    .set_axis(["Lowest", "Median", "Highest"], axis=1),
    width="stretch",
)

st.subheader("A story")
story = runs.story(scenario, seed)
marks = sorted({step.week for step in scenario.timeline})
st.altair_chart(charts.story_chart(story, marks), width="stretch")
changes = story[story.employee_holder.diff().fillna(0) > 0]
gone = story[~story.customer_active]
holders = int(story.employee_holder.iloc[-1] - story.employee_holder.iloc[0] + 1)
facts = [f"The post was held by {holders} person(s) over {weeks} weeks."]
if len(changes):
    facts.append("A new person started in weeks " + ", ".join(str(w) for w in changes.step) + ".")
facts.append(
    f"The customer left for good in week {int(gone.step.iloc[0])}."
    if len(gone)
    else "The customer stayed throughout."
)
st.markdown(" ".join(facts))
