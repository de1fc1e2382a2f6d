"""Charts for a projector: titles, units on axes, tooltips, the baseline beside.

The simulator's charts (chain, bands, profit bridge) are Vega-Lite specs
written directly, because it draws them on every redraw and Altair's building
and validation took two thirds of a cached one; the rest are Altair charts.
"""

from __future__ import annotations

import itertools

import altair as alt
import pandas as pd

from model.analysis import RECENT_WEEKS, bands
from model.engine.observe import CHAIN, FLOWS, MEASURES
from model.engine.parameters import BY_NAME

SCENARIO_COLOUR = "#1f6fb4"
BASELINE_COLOUR = "#6b6b6b"
PALETTE = (SCENARIO_COLOUR, BASELINE_COLOUR, "#d95f02", "#7b3294")
"""Series colours: the scenario always blue, the baseline always grey, then orange and purple."""
TEAM_COLOURS = (SCENARIO_COLOUR, "#d95f02", "#7b3294", "#1b9e77", "#e7298a", "#a6761d", "#66a61e")
"""Workshop companies after the grey baseline: blue, orange, purple, then on around the wheel."""
RUNS = {"domain": ["Scenario", "Baseline"], "range": list(PALETTE[:2])}
"""The colour scale of a scenario beside its baseline."""
GAIN, LOSS, NOISE = "#2e7d32", "#c62828", "#757575"
"""A clear change for the better, a clear change for the worse, and a change within the noise."""
FONT = 15
"""Axis and legend text size, read from the back of a room."""


def projector_config(font: int = FONT) -> dict[str, dict]:
    """Vega-Lite config: larger axis, legend and title text (`font`: the axis titles' size)."""
    return {
        "axis": {
            "labelFontSize": font - 1,
            "titleFontSize": font,
            "titlePadding": 4,
            "labelPadding": 2,
        },
        "legend": {"labelFontSize": font, "symbolStrokeWidth": 4, "labelLimit": 500},
        "title": {"fontSize": font + 2, "anchor": "start", "offset": 2},
        "view": {"strokeWidth": 0},
    }


def readable(chart: alt.TopLevelMixin, font: int = FONT) -> alt.TopLevelMixin:
    """An Altair chart configured for a projector (`projector_config`)."""
    config = projector_config(font)
    return (
        chart.configure_axis(**config["axis"])
        .configure_legend(**config["legend"])
        .configure_title(**config["title"])
        .configure_view(**config["view"])
    )


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
    if abs(value) >= 1e4:
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
    height: int = 270,
) -> dict:
    """Mean and 10-90% band across replications, scenario (blue) beside baseline (grey, if any).

    A Vega-Lite spec (see the module's docstring). `height` is the whole
    chart's, as Streamlit fits it: title and axes included.

    The axes span the whole run of both sides, so stepping through the weeks
    (`until`) reveals the lines without rescaling them.
    """
    sides = {"Scenario": scenario, "Baseline": baseline}
    drawn = {run: bands(t, measure, smooth) for run, t in sides.items() if t is not None}
    low = min(float(b.low.min()) for b in drawn.values())
    high = max(float(b.high.max()) for b in drawn.values())
    pad = 0.05 * (high - low) or max(abs(high) * 0.05, 1.0)
    y_scale = {"domain": [low - pad, high + pad], "nice": False, "zero": False}
    last = weeks if until is None else until
    values = [
        {"step": step, "mean": mean, "low": bottom, "high": top, "run": run}
        for run, b in drawn.items()
        for step, mean, bottom, top in zip(*(b[c].tolist() for c in b.columns), strict=True)
        if step <= last
    ]
    number = ",.0%" if MEASURES[measure].form == "share" else "~s"
    runs = RUNS if baseline is not None else {"range": [SCENARIO_COLOUR]}
    shared = {
        "x": {
            "field": "step",
            "type": "quantitative",
            "title": "Week",
            "scale": {"domain": [1, weeks], "nice": False},
        },
        "color": {"field": "run", "type": "nominal", "scale": runs, "legend": None},
    }
    tooltip = [
        {"field": "run", "type": "nominal", "title": "Run"},
        {"field": "step", "type": "quantitative", "title": "Week"},
        {"field": "mean", "type": "quantitative", "title": "Mean", "format": ",.3~f"},
        {"field": "low", "type": "quantitative", "title": "10th percentile", "format": ",.3~f"},
        {"field": "high", "type": "quantitative", "title": "90th percentile", "format": ",.3~f"},
    ]
    layers = [
        {
            "mark": {"type": "area", "opacity": 0.2},
            "encoding": shared
            | {
                "y": {"field": "low", "type": "quantitative", "scale": y_scale},
                "y2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "line", "strokeWidth": 3},
            "encoding": shared
            | {
                "y": {
                    "field": "mean",
                    "type": "quantitative",
                    "title": None,
                    "scale": y_scale,
                    "axis": {"format": number, "tickCount": 4},
                },
                "tooltip": tooltip,
            },
        },
    ]
    if len(marks):
        layers.append(
            {
                "data": {"values": [{"week": int(week)} for week in marks]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#444"},
                "encoding": {
                    "x": {"field": "week", "type": "quantitative"},
                    "tooltip": [
                        {"field": "week", "type": "quantitative", "title": "Change at week"}
                    ],
                },
            }
        )
    return {
        "data": {"values": values},
        "layer": layers,
        "title": f"{title(measure)} ({unit(measure)})",
        "height": height,
        "config": projector_config(),
    }


def shown(measure: str, change: dict) -> bool:
    """Whether a change is shown: clear of the spread and not zero at the precision it is read."""
    return change["clear"] and fmt(measure, abs(change["mean"])) != fmt(measure, 0.0)


def verdict(measure: str, change: dict) -> str:
    """Better, worse or noise: a change counts only when it is shown (`shown`)."""
    if not shown(measure, change) or MEASURES[measure].better == 0:
        return "noise"
    return "better" if change["mean"] * MEASURES[measure].better > 0 else "worse"


VERDICTS = {"domain": ["better", "worse", "noise"], "range": [GAIN, LOSS, NOISE]}
"""The colour scale of a change: better, worse, within the noise."""


def change_text(measure: str, change: dict) -> str:
    """A change as the chain panel prints it: signed when shown, "within noise" when not.

    While replications are still arriving nothing is judged, and it says so.
    """
    if not change["judged"]:
        return "not yet judged"
    if not shown(measure, change):
        return "within noise"
    return fmt_delta(measure, change["mean"])


def chain_chart(
    values: dict[str, float], changes: dict[str, dict | float], scale: float = 1.0
) -> dict:
    """The chain as linked stages with live values and their change against the baseline.

    A Vega-Lite spec, as `band_chart`. `scale` enlarges its text and height
    together, for a room (presenter view).

    A change is coloured (better green, worse red) only when it is clear of
    the replication spread (`model.analysis.change`); otherwise it reads
    "within noise" in grey. A bare number is a change of unknown spread,
    shown as it is unless it is zero.
    """
    changes = {
        m: c
        if isinstance(c, dict)
        else {"mean": c, "low": c, "high": c, "clear": abs(c) > 1e-9, "judged": True}
        for m, c in changes.items()
    }
    stages = [
        {
            "x": i * 1.2,
            "x2": i * 1.2 + 1,
            "mid": i * 1.2 + 0.5,
            "stage": stage,
            "value": fmt(measure, values[measure]),
            "delta": change_text(measure, changes[measure]),
            "verdict": verdict(measure, changes[measure]),
            "measure": title(measure),
            "spread": f"{fmt_delta(measure, changes[measure]['low'])} to "
            f"{fmt_delta(measure, changes[measure]['high'])}",
        }
        for i, (stage, measure) in enumerate(CHAIN)
    ]
    across = {"domain": [-0.03, (len(CHAIN) - 1) * 1.2 + 1.03]}

    def at(field: str) -> dict:
        return {"field": field, "type": "quantitative", "scale": across, "axis": None}

    def height(level: float) -> dict:
        return {"datum": level, "type": "quantitative", "scale": {"domain": [0, 1]}, "axis": None}

    def text(level: float, field: str, **style) -> dict:
        return {
            "mark": {"type": "text", "limit": 0, **style},
            "encoding": {
                "x": at("mid"),
                "y": height(level),
                "text": {"field": field, "type": "nominal"},
            },
        }

    boxes = {
        "mark": {
            "type": "rect",
            "cornerRadius": 8,
            "color": "#eef3f8",
            "stroke": SCENARIO_COLOUR,
            "strokeWidth": 1.5,
        },
        "encoding": {
            "x": at("x"),
            "x2": {"field": "x2"},
            "y": height(0.0),
            "y2": {"datum": 1.0},
            "tooltip": [
                {"field": "measure", "type": "nominal", "title": "Measure"},
                {"field": "value", "type": "nominal", "title": "Now"},
                {"field": "delta", "type": "nominal", "title": "Against the baseline"},
                {"field": "spread", "type": "nominal", "title": "10-90% across replications"},
            ],
        },
    }
    links = {"values": [{"x": a["x2"], "x2": b["x"]} for a, b in itertools.pairwise(stages)]}
    arrows = {
        "data": links,
        "mark": {"type": "rule", "strokeWidth": 3, "color": SCENARIO_COLOUR},
        "encoding": {"x": at("x"), "x2": {"field": "x2"}, "y": height(0.5)},
    }
    heads = {
        "data": links,
        "mark": {
            "type": "point",
            "shape": "triangle-right",
            "size": 90,
            "filled": True,
            "color": SCENARIO_COLOUR,
        },
        "encoding": {"x": at("x2"), "y": height(0.5)},
    }
    delta = text(0.17, "delta", fontSize=13 * scale, fontWeight="bold")
    delta["encoding"]["color"] = {
        "field": "verdict",
        "type": "nominal",
        "scale": VERDICTS,
        "legend": None,
    }
    return {
        "data": {"values": stages},
        "layer": [
            boxes,
            arrows,
            heads,
            text(0.82, "stage", fontSize=13 * scale, fontWeight="bold"),
            text(0.5, "value", fontSize=22 * scale),
            delta,
        ],
        "height": 105 * scale,
    }


BRIDGE_LABELS = {
    "customers": "Customers won and lost",
    "visits per customer": "Visits per customer",
    "spend per visit": "Spend per visit",
    "cost_of_goods": "Cost of goods",
    "payroll": "Wages and overtime",
    "training_cost": "Training",
    "programme_cost": "Programmes",
    "turnover_cost": "Turnover costs",
    "acquisition_cost": "Winning customers",
    "other_costs": "Other costs",
}
"""The profit bridge's steps as a reader names them (every step of `profit_bridge`)."""


def bridge_chart(bridge: pd.DataFrame, baseline_profit: float, until: int) -> dict:
    """A waterfall from the baseline's profit to the scenario's over weeks 1 to `until`.

    A Vega-Lite spec, as `band_chart`. Each step is a bar from the running
    total; steps within the replication spread are grey, clear gains green
    and clear losses red.
    """
    means = bridge["mean"].tolist()
    ends = list(itertools.accumulate(means, initial=baseline_profit))
    steps = zip(bridge.step, means, bridge.low, bridge.high, bridge.clear, ends[1:], strict=True)
    rows = [
        {
            "label": "Baseline profit",
            "start": 0.0,
            "end": baseline_profit,
            "kind": "baseline",
            "amount": money(baseline_profit),
            "spread": "",
        }
    ]
    rows += [
        {
            "label": BRIDGE_LABELS[step],
            "start": end - mean,
            "end": end,
            "kind": "noise" if not clear else "better" if mean > 0 else "worse",
            "amount": fmt_delta("profit", mean) if abs(mean) >= 0.5 else "0",
            "spread": f"{fmt_delta('profit', low)} to {fmt_delta('profit', high)}",
        }
        for step, mean, low, high, clear, end in steps
    ]
    rows.append(
        {
            "label": "Scenario profit",
            "start": 0.0,
            "end": ends[-1],
            "kind": "scenario",
            "amount": money(ends[-1]),
            "spread": "",
        }
    )
    for row in rows:
        row["right"] = max(row["start"], row["end"])
    low = min(0.0, *(min(row["start"], row["end"]) for row in rows))
    high = max(0.0, *(row["right"] for row in rows))
    pad = 0.12 * (high - low or 1.0)
    kinds = {
        "domain": ["baseline", "scenario", "better", "worse", "noise"],
        "range": [BASELINE_COLOUR, SCENARIO_COLOUR, GAIN, LOSS, "#bdbdbd"],
    }
    y = {
        "field": "label",
        "type": "nominal",
        "sort": [row["label"] for row in rows],
        "title": None,
        "axis": {"labelLimit": 300},
    }
    x_scale = {"domain": [low - pad / 4, high + pad], "nice": False}
    bars = {
        "mark": {"type": "bar", "size": 22},
        "encoding": {
            "y": y,
            "x": {
                "field": "start",
                "type": "quantitative",
                "title": "Cumulative profit (currency)",
                "scale": x_scale,
                "axis": {"format": "~s"},
            },
            "x2": {"field": "end"},
            "color": {"field": "kind", "type": "nominal", "scale": kinds, "legend": None},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Step"},
                {"field": "amount", "type": "nominal", "title": "Profit"},
                {"field": "spread", "type": "nominal", "title": "10-90% across replications"},
            ],
        },
    }
    labels = {
        "mark": {"type": "text", "align": "left", "dx": 5, "fontSize": 14},
        "encoding": {
            "y": y,
            "x": {"field": "right", "type": "quantitative", "scale": x_scale},
            "text": {"field": "amount", "type": "nominal"},
        },
    }
    zero = {
        "data": {"values": [{"x": 0.0}]},
        "mark": {"type": "rule", "color": "#444"},
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
    return {
        "data": {"values": rows},
        "layer": [bars, labels, zero],
        "title": f"Why profit moved, weeks 1 to {until}",
        "height": {"step": 30},
        "config": projector_config(),
    }


SHORT = {
    "employee_satisfaction": "Staff mood",
    "turnover_rate": "Turnover",
    "leader_behaviour": "Manager",
    "service_quality": "Service",
    "customer_satisfaction": "Customers",
    "profit": "Profit",
}
"""Column names short enough for the unit heatmap."""


def unit_heatmap(
    units: pd.DataFrame, measures: list[str], changes: pd.DataFrame | None = None
) -> alt.Chart:
    """Units by measure on a diverging scale: each unit against its baseline, or the average.

    With `changes` (`model.analysis.unit_changes`: each unit against itself
    doing nothing new, paired on the same seeds), a cell is the unit's change,
    white when it is within the replication spread; without, the unit's
    distance from the average unit. Both are in standard deviations of the
    units' spread, so a shade means the same on every measure, and white is
    no difference. Turnover is turned round: less of it is better.
    """
    long = units.melt(id_vars=["unit"], value_vars=measures, var_name="measure", value_name="value")
    spread = long.groupby("measure").value.std()
    if changes is None:
        long["difference"] = long.value - long.measure.map(long.groupby("measure").value.mean())
        long["clear"] = True
    else:
        long = long.merge(changes, on=["unit", "measure"], how="left")
        long["clear"] = long.clear.fillna(False).astype(bool)
    scale = long.measure.map(spread.where(spread > 0, 1.0))
    better = long.measure.map(lambda m: MEASURES[m].better or 1)
    standing = (long.difference / scale * better).clip(-2.5, 2.5)
    long["standing"] = standing.where(long.clear, 0.0)  # noise drawn white
    long["shown"] = [fmt(m, v) for m, v in zip(long.measure, long.value, strict=True)]
    long["against"] = [
        "no baseline (new unit)"
        if pd.isna(d)
        else fmt_delta(m, d) + ("" if clear else ", within noise")
        for m, d, clear in zip(long.measure, long.difference, long.clear, strict=True)
    ]
    long["measure"] = long.measure.map(SHORT)
    against = "the baseline" if changes is not None else "the average unit"
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
                title=f"Better than {against} (sd)",
                scale=alt.Scale(scheme="redblue", domain=[-2.5, 2.5], domainMid=0),
                legend=alt.Legend(orient="bottom", gradientLength=220, titleLimit=400),
            ),
            tooltip=[
                alt.Tooltip("unit:O", title="Unit"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("shown:N", title="Value"),
                alt.Tooltip("against:N", title=f"Against {against}"),
            ],
        )
        .properties(title=f"Each unit against {against}", height=alt.Step(18))
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


def story_chart(story: pd.DataFrame, marks=()) -> alt.LayerChart:
    """One employee's and one customer's satisfaction, week by week, changes marked."""
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
    lines = (
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
    )
    rules = (
        alt.Chart(pd.DataFrame({"week": list(marks)}))
        .mark_rule(strokeDash=[4, 4], color="#444")
        .encode(x="week:Q", tooltip=[alt.Tooltip("week:Q", title="Change at week")])
    )
    return readable(lines + rules).properties(
        title="One typical employee post and one of its customers (dashed: changes)",
        height=300,
    )


def sweep_chart(sweep: pd.DataFrame, lever: str) -> alt.LayerChart:
    """3-year profit across levels of one lever, with its spread across replications."""
    declared = BY_NAME[lever]
    x = alt.X(f"{lever}:Q", title=f"{declared.label} ({declared.unit})")
    y_title = "3-year cumulative profit (currency)"
    band = (
        alt.Chart(sweep)
        .mark_area(opacity=0.25, color=SCENARIO_COLOUR)
        .encode(x=x, y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=False)), y2="high:Q")
    )
    line = (
        alt.Chart(sweep)
        .mark_line(point=alt.OverlayMarkDef(size=80), color=SCENARIO_COLOUR)
        .encode(
            x=x,
            y=alt.Y(
                "profit:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format="~s")
            ),
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
    y = alt.Y("name:N", title=None, sort=list(names.values()), axis=alt.Axis(labelLimit=420))
    bars = (
        alt.Chart(ends)
        .mark_bar(size=20)
        .encode(
            y=y,
            yOffset=alt.YOffset("end:N"),  # both ends visible even on the same side
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
    return readable(bars + rule).properties(
        title=f"Which parameters move {label.split(' (')[0].lower()} most",
        height=alt.Step(52),
    )


def companies_chart(
    lines: pd.DataFrame, measure: str, weeks_per_round: int, font: int = FONT
) -> alt.LayerChart:
    """Each workshop company's `measure` by week, rounds marked.

    Flows are drawn as their trailing `RECENT_WEEKS`-week mean (a week's quits
    or profit are noisy); levels and stocks, a cumulative profit say, as they are.
    `font` is its axis titles' size: larger in presenter view, and the chart taller with it.
    """
    smoothed = measure in FLOWS
    if smoothed:
        by_company = lines.groupby("company", sort=False).value
        rolling = by_company.transform(lambda v: v.rolling(RECENT_WEEKS, min_periods=1).mean())
        lines = lines.assign(value=rolling)
    rounds = pd.DataFrame(
        {"week": range(weeks_per_round, int(lines.step.max()) + 1, weeks_per_round)}
    )
    companies = list(dict.fromkeys(lines.company))  # the baseline first: always grey
    chart = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("step:Q", title="Week"),
            y=alt.Y(
                "value:Q",
                title=f"{title(measure)} ({unit(measure)})",
                scale=alt.Scale(zero=False),
                axis=alt.Axis(format="~s" if MEASURES[measure].form == "money" else ",.3~f"),
            ),
            color=alt.Color(
                "company:N",
                title=None,
                scale=alt.Scale(domain=companies, range=[BASELINE_COLOUR, *TEAM_COLOURS]),
                legend=alt.Legend(orient="top"),
            ),
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
    return readable(
        (ends + chart).properties(
            title=f"{title(measure)}, {RECENT_WEEKS}-week mean" if smoothed else title(measure),
            height=20 * font,
        ),
        font,
    )
