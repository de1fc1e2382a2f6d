"""What the user has chosen, kept in `st.session_state`, and the scenarios it makes.

The *base* is the chosen preset or uploaded file. The user's own changes are
interventions recorded on top of it, plus the moved levers: the lever widgets'
values that differ from those in effect and are not on the timeline yet,
applied from a chosen week. The *baseline* is the
base's starting organisation with no interventions at all: the same
organisation doing nothing new, run on the same seeds.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import streamlit as st

from model import PARAMETERS, Scenario, load_scenario, scenario_names
from model.engine.parameters import BY_NAME
from model.scenario import Intervention

DEFAULT_REPS = 5
SIDEBAR = ("seed", "reps", "from_week", "preset")
"""The sidebar's own widgets besides the levers."""
KEPT = (*SIDEBAR, "series", "smooth")
"""Widget values the session keeps while a page without those widgets is shown."""


def lever_key(name: str) -> str:
    """Session-state key holding a parameter's value as the user set it."""
    return f"lever_{name}"


def init(sidebar_drawn: bool = False) -> None:
    """Fill in whatever the session does not have yet: the baseline preset, seed 0.

    Values of widgets the page does not draw are kept by setting them again.
    Those it draws (`sidebar_drawn`: the levers and the sidebar's own) are
    left alone: setting one would send the browser back the value it had at
    the start of this run, undoing a key pressed while the run was drawing.
    """
    defaults = {
        "seed": 0,
        "reps": DEFAULT_REPS,
        "from_week": 1,
        "week_shown": None,
        "recorded": [],
        "preset": "baseline",
        "playing": False,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    levers = [lever_key(p.name) for p in PARAMETERS]
    drawn = {*SIDEBAR, *levers} if sidebar_drawn else set()
    for key in [*KEPT, *levers]:
        if key in st.session_state and key not in drawn:
            st.session_state[key] = st.session_state[key]
    if st.session_state.get("next_week") is not None:  # a frame of Play asked for it
        go_to(st.session_state.pop("next_week"))
    if "base" not in st.session_state:
        choose_preset(st.session_state.preset)
    st.session_state.setdefault("base_label", st.session_state.base.title)
    for name, value in in_effect().items():
        st.session_state.setdefault(lever_key(name), value)


def go_to(week: int) -> None:
    """Show results up to `week`; changes made now act from the next week.

    Levers moved before stepping keep the week they were to act from: they go
    on the timeline first. Sets widgets, so it runs as a widget callback or,
    for Play's next frame, from `init` before the widgets are drawn (`next_week`).
    A week chosen while playing replaces the frame Play had already asked for.
    """
    st.session_state.pop("next_week", None)
    record_moved_levers()
    weeks = st.session_state.base.weeks
    st.session_state.week_shown = max(1, min(int(week), weeks))
    st.session_state.from_week = min(st.session_state.week_shown + 1, weeks)


FITTED_HERE = "fitted here: "
"""How a company fitted in this session is named among the scenarios (no file has such a name)."""


def scenario_choices() -> list[str]:
    """What every scenario picker offers.

    The shipped scenarios, the companies saved in the chosen folder, then those
    fitted in this session (kept in it, never written).
    """
    return [*scenario_names(), *st.session_state.get("companies", {})]


def keep_company(scenario: Scenario) -> str:
    """Offer a company fitted in this session in every picker; returns its name there."""
    name = FITTED_HERE + scenario.title
    st.session_state.companies = st.session_state.get("companies", {}) | {name: scenario}
    return name


def chosen(name: str) -> Scenario:
    """The scenario a picker's `name` stands for."""
    if name.startswith(FITTED_HERE):
        return st.session_state.companies[name]
    return load_scenario(name)


def written_out(name: str) -> dict | None:
    """The scenario as plain data when it lives only in this session (a name will not find it)."""
    return chosen(name).to_dict() if name.startswith(FITTED_HERE) else None


def choice_title(name: str) -> str:
    """How a picker shows `name`: the scenario's title."""
    if name.startswith(FITTED_HERE):
        return f"{name.removeprefix(FITTED_HERE)} (fitted here)"
    return preset_title(name)


def choose_preset(name: str) -> None:
    """Start again from a scenario a picker offers."""
    use_base(chosen(name), name)


def use_base(scenario: Scenario, label: str) -> None:
    """Start again from `scenario`: forget recorded changes, reset the levers."""
    st.session_state.base = scenario
    st.session_state.base_label = label
    st.session_state.recorded = []
    st.session_state.week_shown = None
    reset_levers()


def in_effect() -> dict[str, float]:
    """Each parameter's value once the base's and the recorded interventions have acted."""
    base: Scenario = st.session_state.base
    recorded = replace(base, timeline=(*base.timeline, *st.session_state.recorded))
    return recorded.values_at(base.weeks)


def reset_levers() -> None:
    """Put every lever widget at the value in effect."""
    for name, value in in_effect().items():
        st.session_state[lever_key(name)] = value


def moved_levers() -> dict[str, float]:
    """Levers the user has moved away from the value in effect (not on the timeline yet)."""
    effect = in_effect()
    moved = {}
    for p in PARAMETERS:
        value = st.session_state.get(lever_key(p.name), effect[p.name])
        if value != effect[p.name]:
            moved[p.name] = int(value) if p.integer else float(value)
    return moved


def record_moved_levers() -> None:
    """Add the moved levers to the recorded timeline, at the chosen week (widget callback)."""
    changes = {k: v for k, v in moved_levers().items() if BY_NAME[k].may_change_during_run}
    if changes:
        week = int(st.session_state.from_week)
        st.session_state.recorded = [*st.session_state.recorded, Intervention(week, changes)]
    reset_levers()


def clear_recorded() -> None:
    """Forget the user's recorded changes (widget callback)."""
    st.session_state.recorded = []
    reset_levers()


def baseline() -> Scenario:
    """The base's organisation, with structure changes, doing nothing new."""
    base: Scenario = st.session_state.base
    structure = {k: v for k, v in moved_levers().items() if not BY_NAME[k].may_change_during_run}
    return replace(base.with_parameters(structure), title=f"{base.title} (baseline)", timeline=())


def scenario() -> Scenario:
    """The base, its timeline, the recorded changes and the moved levers."""
    base: Scenario = st.session_state.base
    moved = moved_levers()
    structure = {k: v for k, v in moved.items() if not BY_NAME[k].may_change_during_run}
    levers = {k: v for k, v in moved.items() if BY_NAME[k].may_change_during_run}
    result = base.with_parameters(structure)
    for step in st.session_state.recorded:
        result = result.with_change(step.week, step.changes, step.note)
    if levers:
        result = result.with_change(int(st.session_state.from_week), levers)
    return result


def changes_text(changes: dict[str, float]) -> str:
    """Changes as a reader names them: "Recognition 85 (0-100), Wage level 1.2 (x market)"."""
    return ", ".join(f"{BY_NAME[k].label} {v:g} ({BY_NAME[k].unit})" for k, v in changes.items())


def changed_levers(scenario: Scenario, baseline: Scenario, by_week: int | None = None) -> list[str]:
    """Labels of what `scenario` sets differently from `baseline` by `by_week` (or at any week)."""
    names = {k for k, v in scenario.values().items() if v != baseline.values()[k]}
    acted = [step for step in scenario.timeline if by_week is None or step.week <= by_week]
    names |= {k for step in acted for k in step.changes}
    return [p.label.lower() for p in PARAMETERS if p.name in names]


@functools.cache
def preset_title(name: str) -> str:
    """A shipped or saved scenario's title (kept: a saved company is rewritten under its title)."""
    return load_scenario(name).title
