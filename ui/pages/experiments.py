"""Experiments: design a sweep, run it with progress and a stop, read what matters, export it."""

import os
import shutil
import time

import pandas as pd
import streamlit as st
import yaml

from model import PARAMETERS, InputError
from model.engine.parameters import BY_NAME
from model.experiments.designs import METHODS, OUTCOMES, load_design, parse_design
from model.experiments.sensitivity import indices, main_effects, where_it_pays
from model.experiments.sweeps import duration, sweep
from model.io import table_bytes
from model.report import charts
from model.scenario import MAX_FILE_BYTES, read_yaml
from model.simulate import VERSION
from ui import runs, state, sweeps
from ui.downloads import download
from ui.sidebar import for_the_web, slider_format, slider_step
from ui.state import changes_text

SHIPPED, UPLOAD, BUILD = "A shipped design", "Upload a design file", "Build one here"
PROGRESS_EVERY = 0.5  # seconds between progress-bar updates
INDEX_LABELS = {
    "first_order": "First-order index",
    "first_order_ci": "± (95%)",
    "total": "Total index",
    "total_ci": "± (95%) ",
    "mu_star": "Mean absolute effect (mu*)",
    "mu_star_ci": "± (95%)",
    "sigma": "Spread of effects (sigma)",
}


def built_design() -> dict:
    """A design from widgets: method, parameters with ranges, sizes, an optional intervention."""
    left, right = st.columns(2)
    scenario = left.selectbox(
        "Scenario", state.scenario_choices(), key="x_scenario", format_func=state.choice_title
    )
    method = right.selectbox(
        "Method",
        list(METHODS),
        key="x_method",
        help="; ".join(f"{k}: {v.format(samples='N')}" for k, v in METHODS.items()),
    )
    names = st.multiselect(
        "Parameters to vary",
        [p.name for p in PARAMETERS],
        default=["leader_care", "engagement_program"],
        key="x_parameters",
        format_func=lambda n: f"{BY_NAME[n].label} ({BY_NAME[n].role})",
    )
    ranges = {}
    for name in names:
        p = BY_NAME[name]
        low, high = (int(p.low), int(p.high)) if p.integer else (float(p.low), float(p.high))
        chosen = st.slider(
            f"{p.label} ({p.unit})",
            low,
            high,
            (low, high),
            step=slider_step(p),
            format=slider_format(p),
            key=f"x_range_{name}",
        )
        ranges[name] = list(chosen)
    columns = st.columns(4)
    design = {
        "scenario": state.written_out(scenario) or scenario,
        "method": method,
        "parameters": ranges,
        "samples": columns[0].number_input("Samples", 2, 100_000, 8, key="x_samples"),
        "reps": columns[1].number_input("Replications", 1, 1000, 1, key="x_reps"),
        "weeks": columns[2].number_input("Weeks", 1, 520, 156, key="x_weeks"),
        "seed": columns[3].number_input("Seed", 0, 2**31 - 1, 0, key="x_seed"),
    }
    if st.toggle("Measure an intervention's payback", key="x_intervene"):
        levers = [p.name for p in PARAMETERS if p.may_change_during_run and p.name not in ranges]
        left, middle, right = st.columns(3)
        lever = left.selectbox(
            "Intervention", levers, key="x_lever", format_func=lambda n: BY_NAME[n].label
        )
        p = BY_NAME[lever]
        value = middle.number_input(
            f"set to ({p.unit})", float(p.low), float(p.high), float(p.default), key="x_value"
        )
        week = right.number_input("from week", 1, 520, 1, key="x_week")
        design["intervention"] = {"week": week, "set": {lever: value}}
    return design


def chosen_design():
    """The design the user picked, uploaded or built, checked; None (with a message) if bad."""
    source = st.segmented_control(
        "Start from", [SHIPPED, UPLOAD, BUILD], default=SHIPPED, key="x_source"
    )
    try:
        if source == UPLOAD:
            upload = st.file_uploader(
                "Design file (YAML)",
                type=["yaml", "yml"],
                help=f"At most {MAX_FILE_BYTES // 1024} KB.",
            )
            if upload is None:
                return None
            return parse_design(read_yaml(upload.getvalue(), "design"))
        if source == BUILD:
            return parse_design(built_design())
        designs = sweeps.shipped()
        title = st.selectbox("Design", list(designs), key="x_shipped")
        return load_design(designs[title])
    except InputError as error:
        st.error(f"This design cannot run: {for_the_web(error)}")
        return None


def describe(design) -> None:
    """What the design varies and what it will cost."""
    st.subheader(design.title)
    table = pd.DataFrame(
        [
            {
                "Parameter": BY_NAME[name].label,
                "From": low,
                "To": high,
                "Unit": BY_NAME[name].unit,
                "Role": BY_NAME[name].role,
                "Name in design files": name,
            }
            for name, (low, high) in design.ranges.items()
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    points = design.runs() // design.reps
    per_run = sweeps.seconds_per_run(yaml.safe_dump(design.to_dict()))
    slots = os.cpu_count() or 1
    change = design.intervention
    method = METHODS[design.method].format(samples=design.samples)
    st.markdown(
        f"**{design.method}** ({method}) on *{design.scenario.title}*: "
        f"{points:,} points x {design.reps} replication(s) = **{design.runs():,} runs** of "
        f"{design.weeks} weeks, seed {design.seed}. About "
        f"**{duration(per_run * design.runs() / slots)}** on this server's "
        f"{slots} worker(s) ({per_run:.2f} s a run, from a short trial)."
        + (
            f" Each run also runs without the intervention (week {change.week}: "
            + changes_text(change.changes)
            + ") on the same draws."
            if change
            else ""
        )
    )


def run_controls(design, where) -> int:
    """Run, resume, stop or start again; returns the runs finished."""
    total = design.runs()
    done = sweeps.finished_count(design, where)
    left, middle, right, _ = st.columns([1, 1, 1, 3])
    start = left.button(
        "Resume" if 0 < done < total else "Run",
        type="primary",
        icon=":material/play_arrow:",
        disabled=done == total,
        width="stretch",
    )
    middle.button(
        "Stop",
        icon=":material/stop:",
        width="stretch",
        disabled=not start,  # only while this run of the page is running the sweep
        on_click=lambda: st.session_state.update(x_stopped=True),
        help="Stops after the runs under way; finished runs are kept and Resume goes on.",
    )
    if right.button("Start again", icon=":material/delete:", disabled=done == 0, width="stretch"):
        shutil.rmtree(where, ignore_errors=True)
        st.rerun()
    if start:
        st.session_state.x_stopped = False
        bar = st.progress(done / total, text=f"{done:,} of {total:,} runs")
        began, first, shown = time.monotonic(), done, [0.0]

        def progress(finished: int, total: int) -> None:
            now = time.monotonic()
            if now - shown[0] < PROGRESS_EVERY and finished < total:
                return
            shown[0] = now
            rate = (finished - first) / max(now - began, 1e-9)
            left_text = f" · about {duration((total - finished) / rate)} left" if rate else ""
            bar.progress(finished / total, text=f"{finished:,} of {total:,} runs{left_text}")

        slots = os.cpu_count() or 1
        sweep(design, where, runs.pool(), in_flight=2 * slots, on_progress=progress)
        st.rerun()  # redrawn as finished: results shown, Run disabled
    if st.session_state.get("x_stopped") and 0 < done < total:
        st.warning(f"Stopped: {done:,} of {total:,} runs are kept. Resume goes on from there.")
    elif done:
        st.progress(done / total, text=f"{done:,} of {total:,} runs finished")
    return done


def outcome_label(outcome: str) -> str:
    """A sweep outcome's description as a label (capitalised)."""
    return OUTCOMES[outcome][0].upper() + OUTCOMES[outcome][1:]


def show_results(design, where, done: int) -> None:
    """The tornado, indices, where the intervention pays, and the exports."""
    weekly, table = sweeps.results(str(where), done)
    complete = done == design.runs()
    if not complete:
        st.caption(f"From the {done:,} runs finished so far; indices need the whole design.")
    outcome = st.selectbox("Outcome", design.outcomes(), format_func=outcome_label, key="x_outcome")
    label = outcome_label(outcome)
    if design.intervention:
        found = where_it_pays(table, list(design.ranges), design.weeks)
        st.info(f"**Where does it pay off?** {found['statement']}", icon=":material/payments:")
    effects = main_effects(table, design.ranges, outcome)
    if effects.empty:
        st.info("No parameter has finished runs at both ends of its range yet.")
    else:
        centre = table[outcome].mean()
        st.altair_chart(charts.tornado(effects, outcome, label, centre), width="stretch")
    st.caption(
        "Each bar runs from the mean over all runs to the mean over the runs with that "
        "parameter in the bottom (grey) or top (blue) quarter of its range, the others "
        "varying as the design varies them."
    )
    if complete and design.method in ("sobol", "morris"):
        st.markdown(f"**{design.method.capitalize()} indices** (95% confidence intervals)")
        found = indices(design, table, outcome)
        found["parameter"] = found.parameter.map(lambda n: BY_NAME[n].label)
        shown = found.set_index("parameter").map(
            lambda v: f"{v:.2f}" if design.method == "sobol" else charts.outcome_text(outcome, v)
        )
        shown.columns = [INDEX_LABELS[c] for c in shown.columns]
        st.dataframe(shown, width="stretch")
    left, middle, right = st.columns(3)
    meta = {"model_version": VERSION, "design": design.to_dict(), "runs_finished": done}
    download(
        left,
        "Runs (CSV)",
        lambda: table_bytes(table, meta, ".csv"),
        "runs.csv",
        "text/csv",
        width="stretch",
        help="One row per run; the design and model version in the # lines at the top.",
    )
    download(
        middle,
        "Weekly data (Parquet)",
        lambda: table_bytes(weekly, meta, ".parquet"),
        "weekly.parquet",
        "application/octet-stream",
        width="stretch",
    )
    download(
        right,
        "Design (YAML)",
        yaml.safe_dump(design.to_dict(), sort_keys=False),
        "design.yaml",
        "application/x-yaml",
        width="stretch",
        help=f"Resume or rerun it from the command line: python -m model sweep design.yaml "
        f"--out {where}",
    )


st.title("Experiments")
st.markdown(
    "Vary parameters over ranges, with replications on common random numbers, and see "
    "which ones matter. Finished runs are kept on the server, so a stopped sweep resumes."
)
design = chosen_design()
if design is None:
    st.stop()
describe(design)
where = sweeps.folder(design)
done = run_controls(design, where)
if done:
    show_results(design, where, done)
