"""Compare two to four scenarios on the same seeds: bands, what differs, and outcomes.

Organisations of different size are compared per employee in post or per
unit open, counted each week (organisations grow), so a chain twice as large
does not read as twice as profitable.
"""

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from model import load_scenario
from model.analysis import (
    RECENT_WEEKS,
    bands,
    change,
    per_employee,
    per_unit,
    recent_quarter,
    size_dependent,
)
from model.engine.parameters import BY_NAME
from model.report import charts
from ui import runs, state

CURRENT = "Current settings"
TOTALS, PER_UNIT, PER_EMPLOYEE = "Totals", "Per unit", "Per employee"
OUTCOMES = [
    "cumulative_profit",
    "profit",
    "turnover_rate",
    "customer_retention",
    "employee_satisfaction",
    "customer_satisfaction",
]
ROW_HEIGHT = 35  # a table row's height in pixels, as Streamlit draws it
SIZE = ("n_units", "staff_per_unit", "growth_rate")  # how large it is or becomes


def default_picks() -> list[str]:
    """The current settings against the baseline, unless they are the baseline."""
    same = not state.changed_levers(state.scenario(), load_scenario("baseline"))
    return ["baseline", "start_at_the_top"] if same else [CURRENT, "baseline"]


def colours(picked: list[str]) -> list[str]:
    """The baseline preset always grey; the others blue, orange and purple in turn."""
    others = iter(c for c in charts.PALETTE if c != charts.BASELINE_COLOUR)
    return [charts.BASELINE_COLOUR if name == "baseline" else next(others) for name in picked]


def grows(scenario) -> bool:
    """Whether the organisation opens units at some point of the run."""
    return scenario.values()["growth_rate"] > 0 or any(
        step.changes.get("growth_rate", 0) > 0 for step in scenario.timeline
    )


def at_end(table: pd.DataFrame) -> pd.DataFrame:
    """Per replication: the last quarter's mean, and cumulative profit at the last week."""
    end = table.step.max()
    quarter = recent_quarter(table).groupby("rep").mean(numeric_only=True)
    return quarter.assign(
        cumulative_profit=table[table.step == end].set_index("rep").cumulative_profit
    )


st.title("Compare scenarios")
seed, reps = int(st.session_state.seed), int(st.session_state.reps)
picked = st.multiselect(
    "Scenarios (two to four)",
    [CURRENT, *state.scenario_choices()],
    default=default_picks(),
    max_selections=4,
    format_func=lambda n: n if n == CURRENT else state.choice_title(n),
)
if len(picked) < 2:
    st.info("Pick at least two scenarios.")
    st.stop()

scenarios = {name: state.scenario() if name == CURRENT else state.chosen(name) for name in picked}
labels = {
    name: s.title if name != CURRENT else f"{CURRENT}: {s.title}" for name, s in scenarios.items()
}
tables = {name: runs.run(s, seed, reps) for name, s in scenarios.items()}
values = {name: s.values() for name, s in scenarios.items()}
sizes_differ = any(len({values[n][k] for n in picked}) > 1 for k in SIZE) or (
    len({grows(s) for s in scenarios.values()}) > 1
)
shown_as = (
    st.segmented_control(
        "Money and counts",
        [TOTALS, PER_UNIT, PER_EMPLOYEE],
        default=PER_EMPLOYEE if sizes_differ else TOTALS,  # a new default when the picks change
        help="Per unit: divided by the units open each week; per employee: by the employees in "
        "post each week. Both follow an organisation as it grows.",
    )
    or TOTALS
)
if sizes_differ:
    st.info(
        "These organisations differ in size ("
        + "; ".join(
            f"{labels[n]}: {values[n]['n_units']:g} units of {values[n]['staff_per_unit']:g}"
            + (" at the start, growing" if grows(scenarios[n]) else "")
            for n in picked
        )
        + "). "
        + (
            "Totals are shown: a larger organisation earns more because it is larger."
            if shown_as == TOTALS
            else f"Money and counts are shown {shown_as.lower()} "
            f"({'open' if shown_as == PER_UNIT else 'in post'} that week), so size alone "
            "does not make one look better."
        ),
        icon=":material/straighten:",
    )
if shown_as == PER_EMPLOYEE:
    tables = {name: per_employee(t) for name, t in tables.items()}
elif shown_as == PER_UNIT:
    tables = {
        name: per_unit(t, runs.run(scenarios[name], seed, reps, level="unit"))
        for name, t in tables.items()
    }


def scaled_unit(measure: str) -> str:
    """The measure's unit, per employee or per unit when so shown."""
    unit = charts.unit(measure)
    if shown_as == TOTALS or not size_dependent(measure):
        return unit
    return f"{unit} {shown_as.lower()}"


measure = st.selectbox(
    "Measure",
    [m for m in tables[picked[0]].columns if m not in ("rep", "step")],
    index=0,
    format_func=charts.title,
)
data = pd.concat([bands(t, measure).assign(scenario=labels[n]) for n, t in tables.items()])
order = [labels[n] for n in picked]
base = alt.Chart(data).encode(
    x=alt.X("step:Q", title="Week", scale=alt.Scale(nice=False)),
    color=alt.Color(
        "scenario:N",
        title=None,
        scale=alt.Scale(domain=order, range=colours(picked)),
        legend=alt.Legend(
            orient="top", direction="horizontal", labelLimit=600, symbolOpacity=1, columns=2
        ),
    ),
)
chart = alt.layer(
    base.mark_area(opacity=0.15).encode(y="low:Q", y2="high:Q"),
    base.mark_line(strokeWidth=3.5).encode(
        y=alt.Y("mean:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[
            "scenario:N",
            alt.Tooltip("step:Q", title="Week"),
            alt.Tooltip("mean:Q", format=",.3~f"),
        ],
    ),
).properties(
    title=f"{charts.title(measure)} ({scaled_unit(measure)}): mean and 10-90% band", height=380
)
st.altair_chart(charts.readable(chart), width="stretch")

against = "baseline" if "baseline" in picked else picked[0]  # the baseline when it is there
horizons = {name: s.weeks for name, s in scenarios.items()}
lengths_differ = len(set(horizons.values())) > 1
end = min(horizons.values())  # runs of different length are compared where all have run
st.subheader(f"Outcomes at week {end}, against {labels[against]}")
if lengths_differ:
    st.info(
        "These runs differ in length ("
        + "; ".join(f"{labels[n]}: {weeks} weeks" for n, weeks in horizons.items())
        + f"): their outcomes are compared at week {end}, which all of them reach.",
        icon=":material/date_range:",
    )
reference = at_end(tables[against][tables[against].step <= end])
rows = []
for name, table in tables.items():
    last = at_end(table[table.step <= end])
    for m in OUTCOMES:
        diff = last[m] - reference[m]
        rows.append(
            {
                "Scenario": labels[name],
                "Outcome": f"{charts.title(m)} ({scaled_unit(m)})",
                "Value": charts.fmt(m, last[m].mean()),
                "Difference": "" if name == against else charts.fmt_delta(m, diff.mean()),
                "10-90% of the difference": ""
                if name == against
                else f"{charts.fmt_delta(m, diff.quantile(0.1))} to "
                f"{charts.fmt_delta(m, diff.quantile(0.9))}",
            }
        )
st.dataframe(
    pd.DataFrame(rows), hide_index=True, width="stretch", height=ROW_HEIGHT * (len(rows) + 1) + 3
)  # every row at once, not a scroll box inside the page
st.caption(
    f"Rates and weekly profit are the means of the {RECENT_WEEKS} weeks to week {end}; "
    f"cumulative profit is at week {end}. Differences are paired replication by "
    "replication: the same seeds on every side."
)

st.subheader("Each against its own baseline")
st.markdown(
    "The fairest reference for a scenario is the same organisation doing nothing new, on the "
    "same seeds: its difference does not depend on size or starting point."
)
own = []
for name, s in scenarios.items():
    table = runs.run(s, seed, reps)
    alone = runs.run(replace(s, title=f"{s.title} (baseline)", timeline=()), seed, reps)
    found = change(table, alone, "cumulative_profit", s.weeks)
    own.append(
        {
            "Scenario": labels[name],
            "Cumulative profit against its own baseline": "no timeline"
            if not s.timeline
            else charts.fmt_delta("profit", found["mean"]),
            "10-90%": ""
            if not s.timeline
            else f"{charts.fmt_delta('profit', found['low'])} to "
            f"{charts.fmt_delta('profit', found['high'])}",
            "Clear of the noise": "" if not s.timeline else "yes" if found["clear"] else "no",
        }
    )
st.dataframe(pd.DataFrame(own), hide_index=True, width="stretch")

st.subheader("What differs")
names = sorted({k for k in values[picked[0]] if len({values[n][k] for n in picked}) > 1})
length = {"Weeks run": horizons} if lengths_differ else {}
if names or length:
    differs = pd.DataFrame(
        {
            labels[n]: {
                **{row: f"{weeks[n]:g}" for row, weeks in length.items()},
                **{BY_NAME[k].label: f"{values[n][k]:g}" for k in names},
            }
            for n in picked
        }
    )
    differs.insert(0, "Unit", ["weeks"] * len(length) + [BY_NAME[k].unit for k in names])
    st.markdown("**Starting parameters**")
    st.dataframe(differs, width="stretch")
else:
    st.info("The same starting parameters.")
st.markdown("**Timelines**")
st.table(  # long timelines wrap instead of running off the edge
    pd.DataFrame(
        {
            "Scenario": [labels[n] for n in picked],
            "Changes": [
                "; ".join(f"week {i.week}: {state.changes_text(i.changes)}" for i in s.timeline)
                or "none"
                for s in scenarios.values()
            ],
        }
    ).set_index("Scenario")
)
