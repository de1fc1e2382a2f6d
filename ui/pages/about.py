"""About the model: the Info tab for the workshop, the ODD protocol for researchers."""

import streamlit as st

from model import __version__
from model.experiments.calibration import (
    customers_then_employees,
    engagement_sweep,
    measure,
    unit_cross_section,
)
from model.report import charts, docs

EVIDENCE_REPS = 4


@st.cache_data(show_spinner=False)
def evidence(version: str):
    """The calibration checks, the sweep and the units, run when the page is first built."""
    return (
        measure(EVIDENCE_REPS),
        engagement_sweep(EVIDENCE_REPS),
        unit_cross_section(EVIDENCE_REPS),
        customers_then_employees(EVIDENCE_REPS),
    )


UNIT_COLUMNS = {
    "revenue": "Sales a year",
    "profit": "Profit a year",
    "margin": "Margin",
    "units": "Units",
}


def readable(measure: str, value: float) -> str:
    """A unit table's value as a reader wants it (margin as a share, counts whole)."""
    if measure == "margin":
        return f"{100 * value:.1f}%"
    if measure == "units":
        return f"{value:.0f}"
    return charts.fmt(measure, value)


st.title("About the model")
info, odd, table, proof = st.tabs(
    ["For the workshop", "ODD protocol", "Parameters", "Evidence"],
    key="about_tab",
    on_change="rerun",  # the calibration runs only when its tab is opened
)
with info:
    for heading, text in docs.info_sections().items():
        st.subheader(heading)
        st.markdown(text)
with odd:
    for heading, text in docs.odd_sections().items():
        with st.expander(heading, expanded=heading == "Purpose and patterns"):
            st.markdown(text)
with table:
    st.markdown(
        "Every parameter by group: what it means, its unit, default and range, and its source. "
        "The name is what `--set` and scenario files use."
    )
    parameters = docs.parameter_table()
    for position, (group, rows) in enumerate(parameters.groupby("group", sort=False)):
        with st.expander(f"{group} ({len(rows)})", expanded=position == 0):
            shown = rows.drop(columns=["group"]).assign(default=rows.default.map("{:g}".format))
            st.table(  # a table that wraps: every meaning and source read whole
                shown.set_index("label").rename_axis("Parameter").rename(columns=str.capitalize)
            )
    coefficients = docs.coefficient_table()
    with st.expander(f"Coefficients of the mechanisms ({len(coefficients)})"):
        st.markdown(
            "Fixed in the model, not levers: each with why it is there, and the published "
            "figure it was set to where it was calibrated (the others are assumed)."
        )
        shown = coefficients.assign(value=coefficients.value.map("{:g}".format))
        st.table(shown.set_index("coefficient").rename(columns=str.capitalize))
with proof:
    if not proof.open:
        st.stop()
    st.markdown(
        "Each published figure the default chain is calibrated to, its source, and the "
        f"model's value now (mean and 10th-90th percentile over {EVIDENCE_REPS} "
        "replications, computed for this version of the model)."
    )
    with st.spinner("Running the calibration checks..."):
        report, sweep, units, outside_in = evidence(__version__)
    shown = report.assign(
        model=report.model.map("{:.3g}".format),
        spread=[
            f"{low:.3g} to {high:.3g}" for low, high in zip(report.low, report.high, strict=True)
        ],
        holds=report.holds.map({True: "yes", False: "not yet"}),
    )[["holds", "figure", "model", "spread", "band", "source"]]
    st.table(  # a table that wraps: every figure and source read whole
        shown.rename(
            columns={
                "holds": "Holds",
                "figure": "Published figure",
                "model": "Model",
                "spread": "10-90%",
                "band": "Target band",
                "source": "Source",
            }
        ).set_index("Holds")
    )
    st.subheader("Investing in employees pays up to a point")
    st.markdown(
        "3-year cumulative profit of the baseline chain at five levels of the engagement "
        "programme (same seeds at every level). Every link of the chain is real, but once "
        "its cost counts, more is not always better (Hogreve et al. 2017)."
    )
    st.altair_chart(charts.sweep_chart(sweep, "engagement_program"), width="stretch")
    st.subheader("Coefficients set to the published figures")
    st.dataframe(docs.calibrated_coefficients(), hide_index=True, width="stretch")
    st.subheader("Units side by side")
    st.markdown(
        "The baseline's units over two years, grouped as unit-level studies of the chain "
        "group them (Harter et al. 2002): engagement, customer satisfaction, a year's sales "
        "and profit, margin and turnover, as they come out of the model."
    )
    for title, grouped in units.items():
        st.markdown(f"**{title.capitalize()}**")
        shown = grouped.apply(lambda column: column.map(lambda v: readable(column.name, v)))
        shown.columns = [
            UNIT_COLUMNS[c] if c in UNIT_COLUMNS else charts.title(c) for c in shown.columns
        ]
        st.dataframe(shown, width="stretch")
    st.markdown(
        "Within units, this quarter's customer satisfaction against next quarter's change "
        "in employee satisfaction, this quarter's employee satisfaction held fixed "
        f"(outside-in, Schneider, White and Paul 1998): correlation {outside_in:.2f}."
    )
