"""Workshop state for the pages: the shared store, the limits, what both screens show.

The store's file is `SERVICE_PROFIT_WORKSHOPS` (default `workshops.sqlite3`
in the project folder), created on first use. Only the join code and a
team's name ride in a page's address; the facilitator's key and a team's PIN
are kept in the session (`st.session_state`) once given, so nothing secret
shows on a projected screen, and a refresh asks for them again.

Guessing and flooding are limited per session and per address (`LIMITS`): a
visitor who reaches a limit is told so in one line and waits.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from model.engine.observe import HEADLINE
from model.engine.parameters import InputError
from model.paths import PROJECT
from model.report import charts
from model.workshop import rounds
from model.workshop.rules import PREDICTED, Settings, round_outcomes
from model.workshop.store import BASELINE, Workshop, WorkshopStore, normal_code
from ui import runs
from ui.limits import NAMES, Limit, visitor

STORE_ENV = "SERVICE_PROFIT_WORKSHOPS"

JOINS, CREATED = "join attempts", "workshops created"
LIMITS = {
    (JOINS, "session"): (5, 600),
    (JOINS, "address"): (30, 600),
    (JOINS, "workshop"): (20, 600),
    (JOINS, "server"): (300, 600),
    (CREATED, "session"): (3, 3600),
    (CREATED, "address"): (10, 3600),
    (CREATED, "server"): (30, 3600),
}
"""(what, per whom): (how many, in how many seconds). Failed joins and wrong
facilitator keys count as join attempts; per workshop, only wrong PINs. An
address is unknown on this machine and shared by everyone behind one proxy,
so the whole server has a limit too."""


@st.cache_resource
def _store(path: str) -> WorkshopStore:
    return WorkshopStore(path)


def store() -> WorkshopStore:
    """The workshop store every session of this server shares."""
    return _store(os.environ.get(STORE_ENV, str(PROJECT / "workshops.sqlite3")))


@st.cache_resource
def _limits() -> dict[tuple[str, str], Limit]:
    """The limits, shared by every session of this server (a restart resets them)."""
    return {what: Limit(*allowed) for what, allowed in LIMITS.items()}


def _within(what: str, keys: dict[str, str]) -> None:
    """Raise one clear line if any of `keys` has reached its limit on `what`."""
    for per, key in keys.items():
        limit = _limits().get((what, per))
        if limit is not None and key and limit.full(f"{per}:{key}"):
            wait = limit.minutes_to_wait(f"{per}:{key}")
            raise InputError(
                f"{what}: too many for {NAMES[per]}; allowed: {limit.allowed:g} every "
                f"{limit.seconds / 60:g} minutes, so try again in {wait} minute(s)"
            )


def _count(what: str, keys: dict[str, str]) -> None:
    for per, key in keys.items():
        if (what, per) in LIMITS and key:
            _limits()[what, per].record(f"{per}:{key}")


def take_seat(code: str, name: str, pin: str) -> tuple[int, str | None]:
    """Join as a new team (no PIN) or rejoin one (its PIN), within the join limits.

    Returns:
        The team's id, and its PIN when the team is new (shown once).
    """
    rejoining = bool(pin.strip())
    # PIN guesses count against the workshop too; new teams are never held up by them.
    keys = visitor() | ({"workshop": normal_code(code)} if rejoining else {})
    _within(JOINS, keys)
    try:
        if rejoining:
            return store().rejoin(code, name, pin), None
        return store().join(code, name)
    except InputError:
        _count(JOINS, keys)
        raise


def take_control(code: str, key: str) -> Workshop:
    """The workshop for a facilitator who gives its key, within the join limits.

    Not limited per workshop: nobody can lock its facilitator out by guessing.
    """
    keys = visitor()
    _within(JOINS, keys)
    try:
        return store().facilitate(code, key)
    except InputError:
        _count(JOINS, keys)
        raise


def create(settings: Settings) -> tuple[str, str]:
    """A new workshop, priced and kept, within the creation limits: its code and key."""
    keys = visitor()
    _within(CREATED, keys)
    made = rounds.open_workshop(store(), settings)
    _count(CREATED, keys)
    return made


@st.cache_data(max_entries=20, show_spinner=False)
def _baseline_rounds(key: str, _settings: Settings) -> pd.DataFrame:
    # Streamlit hashes every argument but those named with "_": `key` is `repr(_settings)`.
    every_round = rounds.play(_settings, [{}] * _settings.rounds, runs.interactive())
    return round_outcomes(every_round, _settings).set_index("round")


def baseline_rounds(workshop: Workshop) -> pd.DataFrame:
    """The baseline company's outcomes in every round, played or not, as predictions measure them.

    The scale a team predicts against before it has results of its own. It is
    the run the rounds make of the baseline (the same seeds, shocks and weeks),
    played to the last round at once.
    """
    return _baseline_rounds(repr(workshop.settings), workshop.settings)


def predicted_text(measure: str, value: float) -> str:
    """A predicted measure in the units a team types it in (turnover as a share, with its %)."""
    if measure == "turnover_rate":
        return f"{value:.2f} ({charts.fmt(measure, value)})"
    return charts.fmt(measure, value)


def outcomes_table(workshop: Workshop, team_id: int) -> pd.DataFrame | None:
    """Per round: the team's prediction, its outcome and the baseline's, side by side."""
    table = store().results(workshop, team_id)
    if table is None:
        return None
    mine = round_outcomes(table, workshop.settings).set_index("round")
    baseline = round_outcomes(store().results(workshop, BASELINE), workshop.settings).set_index(
        "round"
    )
    decided = store().decisions(workshop)
    predicted = decided[decided.team_id == team_id].set_index("round")[list(PREDICTED)]
    rows = []
    for round_ in mine.index:
        for measure, label in PREDICTED.items():
            rows.append(
                {
                    "Round": round_,
                    "Measure": label,
                    "Predicted": charts.fmt(measure, predicted[measure].get(round_))
                    if round_ in predicted.index
                    else "none",
                    "Outcome": charts.fmt(measure, mine.loc[round_, measure]),
                    "Baseline": charts.fmt(measure, baseline.loc[round_, measure]),
                }
            )
    return pd.DataFrame(rows)


def show_progress(
    workshop: Workshop, team_ids: dict[int, str], key: str, font: int = charts.FONT
) -> None:
    """Each company's chosen headline measure by week, with the baseline, to now (`font`: size)."""
    measure = st.segmented_control(
        "Measure", HEADLINE, default=HEADLINE[0], format_func=charts.title, key=key
    )
    measure = measure or HEADLINE[0]
    lines = []
    for team_id, name in {BASELINE: "Baseline (decides nothing)", **team_ids}.items():
        table = store().results(workshop, team_id)
        if table is not None:
            mean = table.groupby("step")[measure].mean()
            lines.append(pd.DataFrame({"step": mean.index, "value": mean.values, "company": name}))
    if not lines:
        st.info("No round played yet.")
        return
    chart = charts.companies_chart(
        pd.concat(lines), measure, workshop.settings.weeks_per_round, font
    )
    st.altair_chart(chart.configure_axisX(format="d", tickMinStep=1), width="stretch")
