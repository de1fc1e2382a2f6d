"""Running scenarios for the pages: cached result tables, replications in parallel.

Results are cached by (scenario file text, seed, replications, level, model
version); models are never cached, only their tables, so nothing heavy stays
alive between reruns. Replications run in a shared pool of worker processes
and give the same numbers as in one process.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from model import Scenario, __version__, simulate
from model.scenario import read_scenario_text
from model.simulate import follow, workers


@st.cache_resource
def pool():
    """Worker processes shared by every session: replications run in parallel."""
    return workers()


@st.cache_data(max_entries=200, show_spinner=False)
def _table(scenario_yaml: str, seed: int, reps: int, level: str, version: str) -> pd.DataFrame:
    return simulate(
        read_scenario_text(scenario_yaml), seed=seed, reps=reps, level=level, executor=pool()
    )


@st.cache_data(max_entries=50, show_spinner=False)
def _story(scenario_yaml: str, seed: int, version: str) -> pd.DataFrame:
    return follow(read_scenario_text(scenario_yaml), seed=seed)


def run(scenario: Scenario, seed: int, reps: int, level: str = "org") -> pd.DataFrame:
    """All replications of `scenario` (cached)."""
    with st.spinner(f"Simulating {scenario.title}: {reps} replication(s)..."):
        return _table(scenario.to_yaml(), int(seed), int(reps), level, __version__)


def pair(
    scenario: Scenario, baseline: Scenario, seed: int, reps: int, level: str = "org"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario and baseline on the same seeds (common random numbers)."""
    return run(scenario, seed, reps, level), run(baseline, seed, reps, level)


def story(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One typical employee's and customer's weeks in replication 0."""
    return _story(scenario.to_yaml(), int(seed), __version__)
