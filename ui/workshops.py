"""Workshop state for the pages: the shared store, and what teams and facilitators both see.

The store's file is `SERVICE_PROFIT_WORKSHOPS` (default `workshops.sqlite3`
in the project folder), created on first use. The join code (and, for the
facilitator, the key) ride in the page's address, so a refresh keeps them.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from model.analysis import RECENT_WEEKS
from model.engine.observe import HEADLINE
from model.paths import PROJECT
from model.report import charts
from model.workshop.rules import PREDICTED, round_outcomes
from model.workshop.store import BASELINE, Workshop, WorkshopStore

STORE_ENV = "SERVICE_PROFIT_WORKSHOPS"


@st.cache_resource
def _store(path: str) -> WorkshopStore:
    return WorkshopStore(path)


def store() -> WorkshopStore:
    """The workshop store every session of this server shares."""
    return _store(os.environ.get(STORE_ENV, str(PROJECT / "workshops.sqlite3")))


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
                    "round": round_,
                    "measure": label,
                    "predicted": charts.fmt(measure, predicted[measure].get(round_))
                    if round_ in predicted.index
                    else "none",
                    "outcome": charts.fmt(measure, mine.loc[round_, measure]),
                    "baseline": charts.fmt(measure, baseline.loc[round_, measure]),
                }
            )
    return pd.DataFrame(rows)


def show_progress(workshop: Workshop, team_ids: dict[int, str], key: str) -> None:
    """Each company's chosen headline measure by week, with the baseline, to now."""
    measure = st.segmented_control(
        "Measure", HEADLINE, default=HEADLINE[0], format_func=charts.title, key=key
    )
    measure = measure or HEADLINE[0]
    lines = []
    for team_id, name in {BASELINE: "Baseline (decides nothing)", **team_ids}.items():
        table = store().results(workshop, team_id)
        if table is not None:
            mean = table.groupby("step")[measure].mean().rolling(RECENT_WEEKS, min_periods=1).mean()
            lines.append(pd.DataFrame({"step": mean.index, "value": mean.values, "company": name}))
    if not lines:
        st.info("No round played yet.")
        return
    chart = charts.companies_chart(pd.concat(lines), measure, workshop.settings.weeks_per_round)
    st.altair_chart(chart, width="stretch")
