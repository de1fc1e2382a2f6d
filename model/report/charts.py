"""Altair charts for a projector: titles, units on axes, tooltips, the baseline beside."""

from __future__ import annotations

import altair as alt
import pandas as pd

from model.analysis import RECENT_WEEKS, bands
from model.engine.observe import CHAIN, MEASURES
from model.engine.parameters import BY_NAME

SCENARIO_COLOUR = "#1f6fb4"
BASELINE_COLOUR = "#8c8c8c"
RUNS = alt.Scale(domain=["Scenario", "Baseline"], range=[SCENARIO_COLOUR, BASELINE_COLOUR])

FORMATS = {"score": ",.1f", "ratio": ",.2f", "count": ",.1f"}
"""How many decimals each form of measure is read with."""


def title(measure: str) -> str:
    """Human title of a measure, from its declaration."""
    return MEASURES[measure].label


def unit(measure: str) -> str:
    """Unit of a measure, from its declaration."""
    return MEASURES[measure].unit


def money(value: float) -> str:
    """An amount in M or k, with no false precision ("0" for nothing at all)."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if abs(value) >= 50:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}"


def fmt(measure: str, value: float) -> str:
    """A value as a person reads it."""
    form = MEASURES[measure].form
    if form == "money":
        return money(value)
    if form == "share":
        return f"{100 * value:.1f}%"
    if form == "count" and abs(value) >= 1000:
        return f"{value:,.0f}"
    return format(value, FORMATS[form])


def fmt_delta(measure: str, delta: float) -> str:
    """A difference with its sign, in the measure's units (points for shares)."""
    if MEASURES[measure].form == "share":
        return f"{100 * delta:+.1f} pts"
    return ("+" if delta >= 0 else "-") + fmt(measure, abs(delta))


def band_chart(
    scenario: pd.DataFrame,
    baseline: pd.DataFrame | None,
    measure: str,
    weeks: int,
    until: int | None = None,
    marks=(),
    smooth: int = 1,
) -> alt.LayerChart:
    """Mean and 10-90% band across replications, scenario beside baseline (if any)."""
    sides = {"Scenario": scenario, "Baseline": baseline}
    data = pd.concat(
        [bands(t, measure, smooth).assign(run=run) for run, t in sides.items() if t is not None]
    )
    if until is not None:
        data = data[data.step <= until]
    axis_title = f"{title(measure)} ({unit(measure)})"
    base = alt.Chart(data).encode(
        x=alt.X("step:Q", title="Week", scale=alt.Scale(domain=[1, weeks])),
        color=alt.Color(
            "run:N",
            scale=RUNS if baseline is not None else alt.Scale(range=[SCENARIO_COLOUR]),
            legend=alt.Legend(title=None, orient="top") if baseline is not None else None,
        ),
    )
    band = base.mark_area(opacity=0.22).encode(
        y=alt.Y("low:Q"),
        y2="high:Q",
        tooltip=[
            alt.Tooltip("run:N", title="Run"),
            alt.Tooltip("step:Q", title="Week"),
            alt.Tooltip("low:Q", title="10th percentile", format=",.3~f"),
            alt.Tooltip("high:Q", title="90th percentile", format=",.3~f"),
        ],
    )
    line = base.mark_line(strokeWidth=2.5).encode(
        y=alt.Y("mean:Q", title=axis_title, scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("run:N", title="Run"),
            alt.Tooltip("step:Q", title="Week"),
            alt.Tooltip("mean:Q", title="Mean", format=",.3~f"),
            alt.Tooltip("low:Q", title="10th percentile", format=",.3~f"),
            alt.Tooltip("high:Q", title="90th percentile", format=",.3~f"),
        ],
    )
    layers = [band, line]
    if len(marks):
        layers.append(
            alt.Chart(pd.DataFrame({"week": list(marks)}))
            .mark_rule(strokeDash=[4, 4], color="#444")
            .encode(x="week:Q", tooltip=[alt.Tooltip("week:Q", title="Change at week")])
        )
    return alt.layer(*layers).properties(title=title(measure), height=230)


def chain_chart(values: dict[str, float], deltas: dict[str, float]) -> alt.LayerChart:
    """The chain as linked stages with live values and their change against the baseline."""
    rows = []
    for i, (stage, measure) in enumerate(CHAIN):
        delta = deltas[measure]
        rows.append(
            {
                "x": i * 1.35,
                "x2": i * 1.35 + 1,
                "stage": stage,
                "value": fmt(measure, values[measure]),
                "delta": fmt_delta(measure, delta) + " vs baseline",
                "sign": "up" if delta > 1e-9 else "down" if delta < -1e-9 else "same",
                "measure": title(measure),
            }
        )
    data = pd.DataFrame(rows).assign(bottom=0.0, top=1.0)
    data["mid"] = (data.x + data.x2) / 2
    signs = alt.Scale(domain=["up", "down", "same"], range=["#2e7d32", "#c62828", "#555555"])
    across = alt.Scale(domain=[-0.05, 6 * 1.35 + 1.05])
    x = alt.X("x:Q", axis=None, scale=across)
    y = alt.Y("bottom:Q", axis=None, scale=alt.Scale(domain=[0, 1]))
    boxes = (
        alt.Chart(data)
        .mark_rect(cornerRadius=8, color="#eef3f8", stroke=SCENARIO_COLOUR)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="top:Q",
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:N", title="Now"),
                alt.Tooltip("delta:N", title="Change"),
            ],
        )
    )

    def text(height: float, field: str, **style) -> alt.Chart:
        return (
            alt.Chart(data.assign(bottom=height))
            .mark_text(**style)
            .encode(x=alt.X("mid:Q", scale=across), y=y, text=f"{field}:N")
        )

    delta = text(0.2, "delta", fontSize=13).encode(
        color=alt.Color("sign:N", scale=signs, legend=None)
    )
    links = pd.DataFrame({"x": data.x2[:-1].values, "x2": data.x[1:].values, "bottom": 0.5})
    arrows = (
        alt.Chart(links)
        .mark_rule(strokeWidth=3, color=SCENARIO_COLOUR)
        .encode(x=alt.X("x:Q", scale=across), x2="x2:Q", y=y)
    )
    heads = (
        alt.Chart(links)
        .mark_point(shape="triangle-right", size=120, filled=True, color=SCENARIO_COLOUR)
        .encode(x=alt.X("x2:Q", scale=across), y=y)
    )
    return alt.layer(
        boxes,
        arrows,
        heads,
        text(0.8, "stage", fontSize=15, fontWeight="bold"),
        text(0.5, "value", fontSize=22),
        delta,
    ).properties(height=130, title="The chain, inside-out (the last quarter, mean of replications)")


SHORT = {
    "employee_satisfaction": "Staff mood",
    "turnover_rate": "Turnover",
    "leader_behaviour": "Manager",
    "service_quality": "Service",
    "customer_satisfaction": "Customers",
    "profit": "Profit",
}
"""Column names short enough for the unit heatmap."""


def unit_heatmap(units: pd.DataFrame, measures: list[str]) -> alt.Chart:
    """Units by measure, coloured by how far each unit is from the chain's average."""
    long = units.melt(id_vars=["unit"], value_vars=measures, var_name="measure", value_name="value")
    stats = long.groupby("measure").value.agg(["mean", "std"])
    long = long.join(stats, on="measure")
    long["standing"] = (long.value - long["mean"]) / long["std"].where(long["std"] > 0, 1)
    long.loc[long.measure == "turnover_rate", "standing"] *= -1  # less turnover is better
    long["measure"] = long.measure.map(SHORT)
    return (
        alt.Chart(long)
        .mark_rect()
        .encode(
            x=alt.X(
                "measure:N",
                title=None,
                sort=[SHORT[m] for m in measures],
                axis=alt.Axis(labelAngle=-30, labelOverlap=False, orient="top"),
            ),
            y=alt.Y("unit:O", title="Unit", axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                "standing:Q",
                title="Better than average (sd)",
                scale=alt.Scale(scheme="redblue", domain=[-2.5, 2.5]),
            ),
            tooltip=[
                alt.Tooltip("unit:O", title="Unit"),
                alt.Tooltip("measure:N"),
                alt.Tooltip("value:Q", format=",.3~f"),
            ],
        )
        .properties(title="Who is doing well where (mean over the period)", height=alt.Step(18))
    )


def leader_scatter(units: pd.DataFrame) -> alt.Chart:
    """Each unit's manager behaviour against its outcomes."""
    return (
        alt.Chart(units)
        .mark_circle(opacity=0.8)
        .encode(
            x=alt.X(
                "leader_behaviour:Q",
                title="Manager's shown behaviour (0-100)",
                scale=alt.Scale(zero=False),
            ),
            y=alt.Y(
                "employee_satisfaction:Q",
                title="Employee satisfaction (0-100)",
                scale=alt.Scale(zero=False),
            ),
            size=alt.Size("revenue:Q", title="Revenue (currency/week)", legend=None),
            color=alt.Color(
                "customer_satisfaction:Q",
                title="Customer satisfaction",
                scale=alt.Scale(scheme="viridis"),
            ),
            tooltip=[
                "unit:O",
                alt.Tooltip("leader_behaviour:Q", format=".1f"),
                alt.Tooltip("employee_satisfaction:Q", format=".1f"),
                alt.Tooltip("turnover_rate:Q", format=".0%"),
                alt.Tooltip("customer_satisfaction:Q", format=".1f"),
                alt.Tooltip("profit:Q", format=",.0f"),
            ],
        )
        .properties(title="Managers and their units' outcomes", height=330)
    )


def story_chart(story: pd.DataFrame) -> alt.Chart:
    """One employee's and one customer's satisfaction, week by week."""
    long = story.melt(
        id_vars=["step"],
        value_vars=["employee_satisfaction", "customer_satisfaction", "manager_behaviour"],
        var_name="who",
        value_name="value",
    ).dropna()
    long["who"] = long.who.map(
        {
            "employee_satisfaction": "Employee in the post",
            "customer_satisfaction": "Customer",
            "manager_behaviour": "Their manager's behaviour",
        }
    )
    return (
        alt.Chart(long)
        .mark_line(strokeWidth=2.5, point=False)
        .encode(
            x=alt.X("step:Q", title="Week"),
            y=alt.Y(
                "value:Q", title="Satisfaction or behaviour (0-100)", scale=alt.Scale(zero=False)
            ),
            color=alt.Color("who:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                "who:N",
                alt.Tooltip("step:Q", title="Week"),
                alt.Tooltip("value:Q", format=".1f"),
            ],
        )
        .properties(title="One typical employee post and one of its customers", height=280)
    )


def sweep_chart(sweep: pd.DataFrame, lever: str) -> alt.LayerChart:
    """3-year profit across levels of one lever, with its spread across replications."""
    declared = BY_NAME[lever]
    x = alt.X(f"{lever}:Q", title=f"{declared.label} ({declared.unit})")
    y_title = "3-year cumulative profit (currency)"
    band = (
        alt.Chart(sweep)
        .mark_area(opacity=0.25, color=SCENARIO_COLOUR)
        .encode(x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q")
    )
    line = (
        alt.Chart(sweep)
        .mark_line(point=alt.OverlayMarkDef(size=80), color=SCENARIO_COLOUR)
        .encode(
            x=x,
            y=alt.Y("profit:Q", title=y_title),
            tooltip=[
                alt.Tooltip(f"{lever}:Q", title=declared.label),
                alt.Tooltip("profit:Q", title="Mean", format=",.0f"),
                alt.Tooltip("low:Q", title="10th percentile", format=",.0f"),
                alt.Tooltip("high:Q", title="90th percentile", format=",.0f"),
            ],
        )
    )
    return (band + line).properties(
        title=f"Profit against {declared.label.lower()}: the best level is inside the range",
        height=320,
    )


OUTCOME_FORMATS = {
    "cumulative_profit": ",.3~s",
    "profit_difference": ",.3~s",
    "turnover": ".0%",
    "customer_retention": ".0%",
}
"""Axis formats of sweep outcomes (others: satisfaction points)."""


def outcome_text(outcome: str, value: float) -> str:
    """A sweep outcome's value as a person reads it (money in M or k, shares in %)."""
    if outcome in ("cumulative_profit", "profit_difference"):
        return money(value)
    if OUTCOME_FORMATS.get(outcome) == ".0%":
        return f"{100 * value:.1f}%"
    return f"{value:,.1f}"


def tornado(effects: pd.DataFrame, outcome: str, label: str, centre: float) -> alt.LayerChart:
    """Which parameters move an outcome most, in its own units.

    One bar per parameter, widest first: from the mean outcome of all runs
    to the mean of runs with the parameter in the bottom quarter of its
    range, and to the top quarter's.
    """
    names = {
        row.parameter: f"{BY_NAME[row.parameter].label} ({row.low:g} to {row.high:g})"
        for row in effects.itertuples()
    }
    ends = pd.concat(
        [
            effects.assign(end="Bottom quarter of its range", value=effects.at_low),
            effects.assign(end="Top quarter of its range", value=effects.at_high),
        ]
    ).assign(name=lambda t: t.parameter.map(names), centre=centre)
    number = OUTCOME_FORMATS.get(outcome, ",.1f")
    y = alt.Y("name:N", title=None, sort=list(names.values()), axis=alt.Axis(labelLimit=360))
    bars = (
        alt.Chart(ends)
        .mark_bar(size=22)
        .encode(
            y=y,
            x=alt.X(
                "value:Q", title=label, axis=alt.Axis(format=number), scale=alt.Scale(zero=False)
            ),
            x2="centre:Q",
            color=alt.Color(
                "end:N",
                title=None,
                scale=alt.Scale(range=[BASELINE_COLOUR, SCENARIO_COLOUR]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Parameter"),
                alt.Tooltip("end:N", title="Runs with it in the"),
                alt.Tooltip("value:Q", title="Mean outcome", format=number),
                alt.Tooltip("effect:Q", title="Bottom to top", format=number),
                alt.Tooltip("effect_ci:Q", title="± (95%)", format=number),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"centre": [centre]})).mark_rule(color="black").encode(x="centre:Q")
    )
    return (bars + rule).properties(
        title=f"Which parameters move {label.split(' (')[0].lower()} most",
        height=max(160, 44 * len(names)),
    )


def companies_chart(lines: pd.DataFrame, measure: str, weeks_per_round: int) -> alt.LayerChart:
    """Each workshop company's `measure` by week (`RECENT_WEEKS`-week mean), rounds marked."""
    rounds = pd.DataFrame(
        {"week": range(weeks_per_round, int(lines.step.max()) + 1, weeks_per_round)}
    )
    chart = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("step:Q", title="Week"),
            y=alt.Y(
                "value:Q", title=f"{title(measure)} ({unit(measure)})", scale=alt.Scale(zero=False)
            ),
            color=alt.Color("company:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.condition(
                alt.datum.company == "Baseline (decides nothing)",
                alt.value([6, 4]),
                alt.value([1, 0]),
            ),
            tooltip=[
                alt.Tooltip("company:N", title="Company"),
                alt.Tooltip("step:Q", title="Week"),
                alt.Tooltip("value:Q", title=title(measure), format=",.3~f"),
            ],
        )
    )
    ends = alt.Chart(rounds).mark_rule(color="#bbbbbb").encode(x="week:Q")
    return (ends + chart).properties(
        title=f"{title(measure)}, {RECENT_WEEKS}-week mean", height=300
    )
