"""Running scenarios for the pages: cached result tables, one replication at a time.

Results are cached by (scenario file text, seed, replication, level, model
version); models are never cached, only their tables, so nothing heavy stays
alive between reruns.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from model import Scenario, __version__
from model.scenario import read_scenario_text
from model.simulate import follow, run_once


@st.cache_data(max_entries=2000, show_spinner=False)
def _replication(scenario_yaml: str, seed: int, rep: int, level: str, version: str) -> pd.DataFrame:
    scenario = read_scenario_text(scenario_yaml)
    return run_once(scenario, scenario.weeks, seed, rep, level)


@st.cache_data(max_entries=50, show_spinner=False)
def _story(scenario_yaml: str, seed: int, version: str) -> pd.DataFrame:
    return follow(read_scenario_text(scenario_yaml), seed=seed)


def run(
    scenario: Scenario, seed: int, reps: int, level: str = "org", progress=None
) -> pd.DataFrame:
    """All replications of `scenario`, showing progress on `progress` if given."""
    text = scenario.to_yaml()
    tables = []
    for rep in range(reps):
        tables.append(_replication(text, int(seed), rep, level, __version__))
        if progress is not None:
            progress.progress(
                (rep + 1) / reps, text=f"{scenario.title}: replication {rep + 1} of {reps}"
            )
    return pd.concat(tables, ignore_index=True)


def pair(
    scenario: Scenario, baseline: Scenario, seed: int, reps: int, level: str = "org"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario and baseline on the same seeds, with one progress bar for both."""
    bar = st.progress(0.0, text="Simulating...")
    try:
        return (run(scenario, seed, reps, level, bar), run(baseline, seed, reps, level, bar))
    finally:
        bar.empty()


def story(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One typical employee's and customer's weeks in replication 0."""
    return _story(scenario.to_yaml(), int(seed), __version__)
