"""Your company: the baseline fitted to a company's own figures.

The figures stay in this session: nothing is written on the server; the
fitted scenario is offered as a download and can be used at once.
"""

import streamlit as st

from model import InputError, Scenario
from model.engine.parameters import BY_NAME
from model.experiments.fit import BY_FIGURE, TRIALS, fit, read_figures
from model.scenario import MAX_FILE_BYTES
from ui import runs, state

SIZE = ("n_units", "staff_per_unit")  # the figures that make a fit heavy work on a shared server

st.title("Your company")
st.markdown(
    "Type in the figures you know, or upload them (a CSV of `figure,value` lines or a YAML "
    "file), and the baseline is fitted to them: the figures that describe the organisation "
    "are set directly, and turnover, early exits, engagement, retention and margin are "
    "matched by fitting the model's own parameters. Leave a figure empty to keep the model's "
    "default. Nothing is stored on the server."
)

upload = st.file_uploader(
    f"Figures file (up to {MAX_FILE_BYTES // 1024} KB)", type=["csv", "yaml", "yml"]
)
with st.form("figures"):
    title = st.text_input("Name of the organisation", value="Our company")
    left, right = st.columns(2)
    typed = {}
    for i, (name, figure) in enumerate(BY_FIGURE.items()):
        low, high = figure.bounds()
        column = left if i % 2 == 0 else right
        typed[name] = column.number_input(
            f"{figure.label} ({figure.unit})",
            value=None,
            placeholder=f"the model's {BY_NAME[figure.sets].default:g}" if figure.sets else None,
            key=f"figure_{name}",
            help=f"From {low:g} to {high:g}."
            + (" Fitted by the model." if figure.fitted_by else " Sets the model directly."),
        )
    reps = st.select_slider("Replications per trial run", [2, 3, 4, 6, 8], value=4)
    submitted = st.form_submit_button("Fit the baseline", type="primary")

if submitted:
    try:
        figures = read_figures(upload.getvalue(), upload.name) if upload else {}
        figures |= {name: value for name, value in typed.items() if value is not None}
        bar = st.progress(0.0, text=f"Fitting: 0 of {TRIALS} trial runs")

        def advance(done: int, total: int) -> None:
            """Move the bar after each trial run: a fit takes minutes."""
            bar.progress(done / total, text=f"Fitting: {done} of {total} trial runs")

        size = Scenario("size").with_parameters(
            {BY_FIGURE[n].sets: v for n, v in figures.items() if BY_FIGURE[n].sets in SIZE}
        )
        with runs.fitting(size, reps, TRIALS):
            st.session_state.fitted = fit(
                figures, title or "Our company", reps=reps, progress=advance
            )
        bar.empty()
    except InputError as error:
        st.error(str(error))

result = st.session_state.get("fitted")
if result is not None:
    st.subheader(f"{result.scenario.title}: the fit, figure by figure")
    report = result.report.assign(
        within=result.report.within.map({True: "yes", False: "no"})
    ).rename(
        columns={
            "figure": "Figure",
            "target": "Yours",
            "model": "Model",
            "noise": "Model's noise",
            "tolerance": "Tolerance",
            "within": "Within",
        }
    )
    st.dataframe(report, hide_index=True, width="stretch")
    st.markdown("**The parameters fitted, and how well your figures pin them down**")
    st.dataframe(
        result.fitted[["parameter", "value", "identified"]].rename(
            columns={"parameter": "Parameter", "value": "Value", "identified": "Identified"}
        ),
        hide_index=True,
        width="stretch",
    )
    save, use = st.columns(2)
    save.download_button(
        "Download as a scenario file",
        result.scenario.to_yaml(),
        file_name="our_company.yaml",
        mime="application/x-yaml",
    )
    if use.button("Use it in the simulator", type="primary"):
        state.use_base(result.scenario, result.scenario.title)
        st.switch_page("ui/pages/simulator.py")
