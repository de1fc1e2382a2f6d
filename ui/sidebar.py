"""The shared sidebar: scenario, seed, replications, and every lever.

The lever widgets are generated from the parameter declarations: group, label,
unit, range and help all come from `model.parameters`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from model import PARAMETERS, InputError
from model.engine.parameters import GROUPS, ORGANISATION, Parameter
from model.scenario import MAX_FILE_BYTES, read_scenario_text

from . import state
from .downloads import download

UPLOAD_KEY = "upload"


def slider_step(p: Parameter) -> float:
    """A slider step that lands on round values across the range."""
    if p.integer:
        return 1
    span = p.high - p.low
    for step in (0.01, 0.05, 0.1, 1.0, 5.0, 10.0, 50.0, 100.0, 500.0, 1000.0):
        if span / step <= 200:
            return step
    return span / 100


COMMAND_LINE_HINT = "one of the names `python -m model params` lists"
WEB_HINT = "one of the names in the Parameters tab of About the model"


def for_the_web(error: Exception) -> str:
    """An input error as the app's user can act on it (the names are listed in the app too)."""
    return str(error).replace(COMMAND_LINE_HINT, WEB_HINT)


def _on_preset() -> None:
    state.choose_preset(st.session_state.preset)


def _on_upload() -> None:
    """Load an uploaded scenario; on any problem say so and keep everything as it was."""
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        scenario = read_scenario_text(upload.getvalue())
    except InputError as error:
        st.session_state.upload_error = f"{upload.name}: {for_the_web(error)}"
        return
    st.session_state.upload_error = None
    state.use_base(scenario, upload.name)


def slider_format(p: Parameter) -> str:
    """Decimals a slider shows: none on whole steps, as few as its step needs otherwise."""
    step = slider_step(p)
    if p.integer or step >= 1:
        return "%d" if p.integer else "%.0f"
    return "%.1f" if step >= 0.1 else "%.2f"


def lever(p: Parameter, key: str | None = None, value: float | None = None) -> float:
    """One parameter's slider, from its declaration (by default, the sidebar's lever)."""
    step = slider_step(p)
    low, high = (int(p.low), int(p.high)) if p.integer else (float(p.low), float(p.high))
    return st.slider(
        f"{p.label} ({p.unit})",
        low,
        high,
        value=None if value is None else int(value) if p.integer else float(value),
        step=step,
        format=slider_format(p),
        key=key or state.lever_key(p.name),
        help=p.help if p.role == "lever" else f"{p.help} ({p.role})",
    )


def render() -> None:
    """Draw the sidebar; its values live in `st.session_state`."""
    state.init(sidebar_drawn=True)
    sidebar = st.sidebar
    sidebar.header("Scenario")
    sidebar.selectbox(
        "Preset",
        state.scenario_choices(),
        key="preset",
        on_change=_on_preset,
        format_func=state.choice_title,
    )
    sidebar.file_uploader(
        "...or a scenario file (YAML)",
        type=["yaml", "yml"],
        help=f"A scenario file of at most {MAX_FILE_BYTES // 1024} KB, such as one downloaded "
        "below.",
        key=UPLOAD_KEY,
        on_change=_on_upload,
    )
    if st.session_state.get("upload_error"):
        sidebar.error(st.session_state.upload_error)
    base = st.session_state.base
    sidebar.caption(f"Using: **{base.title}** ({st.session_state.base_label})")
    left, right = sidebar.columns(2)
    left.number_input(
        "Seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key="seed",
        help="Same scenario, seed and version: the same numbers, every time.",
    )
    right.number_input(
        "Replications",
        min_value=1,
        max_value=50,
        step=1,
        key="reps",
        help="Runs with independent random draws; bands show their spread.",
    )

    sidebar.header("Levers")
    sidebar.number_input(
        "Changes take effect from week",
        min_value=1,
        max_value=base.weeks,
        step=1,
        key="from_week",
        help="Moved levers act from this week; organisation size acts from the start.",
    )
    for group in GROUPS:
        members = [p for p in PARAMETERS if p.group == group]
        with sidebar.expander(group, expanded=group == GROUPS[0]):
            if group == ORGANISATION:
                st.caption("The organisation's shape: changes rebuild both sides.")
            for p in members:
                lever(p)
    moved = state.moved_levers()
    if moved:
        sidebar.info("Changed: " + state.changes_text(moved))
    sidebar.button(
        "Add to timeline",
        icon=":material/playlist_add:",
        on_click=state.record_moved_levers,
        disabled=not moved,
        help="Keep this change at its week and start another.",
        width="stretch",
    )
    sidebar.button(
        "Undo my changes",
        icon=":material/undo:",
        on_click=state.clear_recorded,
        disabled=not (moved or st.session_state.recorded),
        width="stretch",
    )
    current = state.scenario()
    if moved or st.session_state.recorded:
        current = replace(current, title=f"{current.title}, with my changes")
    download(
        sidebar,
        "Download these settings (YAML)",
        current.to_yaml(),
        file_name="scenario.yaml",
        mime="application/x-yaml",
        help="A scenario file that loads back to this run.",
    )
