# Your company: the baseline fitted to a company's own figures.
#
# The figures stay in this session, on this server: uploads are read in memory,
# and nothing is written but the fitted scenario, and only when the user saves it
# into the folder chosen for companies (SERVICE_PROFIT_COMPANIES). The fitted
# company is offered in every scenario picker at once, and as a download.

import streamlit as st

from model import InputError, Scenario
from model.engine.parameters import BY_NAME
from model.experiments.fit import BY_FIGURE, UNIT_BY_FIGURE, Company, fit, read_company, trials_of
from model.scenario import COMPANIES_ENV, MAX_FILE_BYTES, companies_folder, save_company
from ui import runs, state
from ui.downloads import download

SIZE = ("n_units", "staff_per_unit")  # the figures that make a fit heavy work on a shared server

st.title("Your company")
st.markdown(
    "Type in the figures you know, or upload them, and the baseline is fitted to them: the "
    "figures that describe the organisation are set directly, and turnover, early exits, "
    "engagement, customers kept, their satisfaction, visits, sales and margin are matched by "
    "fitting the model's own parameters. Leave a figure empty to keep the model's default. "
    "A file is an Excel workbook (a first sheet of `figure,value` rows, and optionally a sheet "
    "`units` with a row a unit), a CSV of `figure,value` lines, a CSV of unit rows (header "
    f"`unit,` then any of {', '.join(f'`{n}`' for n in UNIT_BY_FIGURE)}) or a YAML file. "
    "With unit rows, the model's unit k is your unit k: its market follows its sales, its "
    "staff its headcount, and its manager's habits are fitted to its engagement. "
    "A survey score comes with the lowest and highest answers of its scale. "
    "Your figures stay in this session on this server and are never written unless you save "
    "the fitted company."
)

uploads = st.file_uploader(
    f"Figures files (up to {MAX_FILE_BYTES // 1024} KB each)",
    type=["xlsx", "csv", "yaml", "yml"],
    accept_multiple_files=True,
)
with st.form("figures", enter_to_submit=False):  # many fields: Enter in one is not "fit"
    title = st.text_input("Name of the organisation", value="Our company")
    left, right = st.columns(2)
    typed = {}
    for i, (name, figure) in enumerate(BY_FIGURE.items()):
        low, high = figure.bounds()
        column = left if i % 2 == 0 else right
        if figure.scale:
            told = f"A mean score on your survey's scale: the model has {low:g}-{high:g} of 100."
        elif figure.fitted_by:
            told = f"From {low:g} to {high:g}. Fitted by the model."
        elif figure.sets:
            told = f"From {low:g} to {high:g}. Sets the model directly."
        else:
            told = "The scale of the survey score beside it."
        whole = bool(figure.sets) and BY_NAME[figure.sets].integer  # units, staff: counts
        typed[name] = column.number_input(
            f"{figure.label} ({figure.unit})",
            value=None,
            step=1 if whole else None,
            format="%d" if whole else None,
            placeholder=f"the model's {BY_NAME[figure.sets].default:g}" if figure.sets else None,
            key=f"figure_{name}",
            help=told,
        )
    reps = st.select_slider("Replications per trial run", [2, 3, 4, 6, 8], value=4)
    submitted = st.form_submit_button("Fit the baseline", type="primary")

if submitted:
    try:
        company = Company({})
        for upload in uploads or []:
            company = company.combined(read_company(upload.getvalue(), upload.name))
        typed_in = {name: value for name, value in typed.items() if value is not None}
        company = company.combined(Company(typed_in))
        total = trials_of(company)
        bar = st.progress(0.0, text=f"Fitting: 0 of {total} trial runs")

        def advance(done: int, total: int) -> None:
            """Move the bar after each trial run: a fit takes minutes."""
            bar.progress(done / total, text=f"Fitting: {done} of {total} trial runs")

        figures = company.whole()
        size = Scenario("size").with_parameters(
            {BY_FIGURE[n].sets: v for n, v in figures.items() if BY_FIGURE[n].sets in SIZE}
        )
        with runs.fitting(size, reps, total):
            result = fit(company, title or "Our company", reps=reps, progress=advance)
        st.session_state.fitted = result
        st.session_state.fitted_name = state.keep_company(result.scenario)
        bar.empty()
    except InputError as error:
        st.error(str(error))

result = st.session_state.get("fitted")
if result is not None:
    st.subheader(f"{result.scenario.title}: the fit, figure by figure")
    missed = result.report[~result.report.within]
    if not missed.empty:

        def number(value: float) -> str:
            """Sales in whole currency, shares and rates to three figures."""
            return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"

        st.warning(
            "The model misses "
            + "; ".join(
                f"{row.figure} (yours {number(row.target)}, the model's {number(row.model)})"
                for row in missed.itertuples()
            )
            + ". Results that rest on these figures differ from your company's; more "
            "replications per trial run may bring them closer.",
            icon=":material/warning:",
        )
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
    if not result.units.empty:
        units = result.units
        held = ", ".join(
            f"{figure}: {rows.within.sum()} of {len(rows)}"
            for figure, rows in units.groupby("figure", sort=False)
        )
        st.markdown(
            "**Your units beside the model's, unit by unit** (unit 0 is your first row; "
            f"within a unit's tolerance: {held})"
        )
        st.dataframe(
            units.assign(within=units.within.map({True: "yes", False: "no"})).rename(
                columns={
                    "figure": "Figure",
                    "unit": "Unit",
                    "yours": "Yours",
                    "model": "Model",
                    "noise": "Model's noise",
                    "tolerance": "Tolerance",
                    "within": "Within",
                    "fitted_by": "Fitted by",
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.caption(
        "It is offered now in every scenario picker (simulator, compare, experiments, "
        "workshops) for this session."
    )
    saving, keep, use = st.columns(3)
    download(
        saving,
        "Download as a scenario file",
        result.scenario.to_yaml(),
        file_name="our_company.yaml",
        mime="application/x-yaml",
    )
    folder = companies_folder()
    if keep.button(
        "Save on this server",
        disabled=folder is None,
        help=f"Into {folder}, for every session of this server."
        if folder
        else f"No folder is chosen for companies on this server ({COMPANIES_ENV}).",
    ):
        try:
            st.success(f"Saved as {save_company(result.scenario)!r}.")
        except InputError as error:
            st.error(str(error))
    if use.button("Use it in the simulator", type="primary"):
        st.session_state.preset = st.session_state.fitted_name
        state.choose_preset(st.session_state.fitted_name)
        st.switch_page("ui/pages/simulator.py")
