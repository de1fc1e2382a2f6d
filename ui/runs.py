"""Running scenarios for the pages: cached result tables, replications in parallel.

Results are cached by (scenario, seed, replications, level, model version),
the scenario keyed by `Scenario.key()`; models are never cached, only their
tables, so nothing heavy stays alive between reruns. Replications run in a
shared pool of worker processes and give the same numbers as in one process.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from model import Scenario, __version__, simulate
from model.simulate import follow, workers


@st.cache_resource
def pool():
    """Worker processes shared by every session: replications run in parallel."""
    return workers()


@st.cache_data(max_entries=200, show_spinner=False)
def _table(
    key: str, seed: int, reps: int, level: str, version: str, _scenario: Scenario
) -> pd.DataFrame:
    # Streamlit hashes every argument but `_scenario` (named with "_"): `key` is its key().
    return simulate(_scenario, seed=seed, reps=reps, level=level, executor=pool())


@st.cache_data(max_entries=50, show_spinner=False)
def _story(key: str, seed: int, version: str, _scenario: Scenario) -> pd.DataFrame:
    # As `_table`: `key` is `_scenario.key()`.
    return follow(_scenario, seed=seed)


def run(scenario: Scenario, seed: int, reps: int, level: str = "org") -> pd.DataFrame:
    """All replications of `scenario` (cached)."""
    with st.spinner(f"Simulating {scenario.title}: {reps} replication(s)..."):
        return _table(scenario.key(), int(seed), int(reps), level, __version__, scenario)


def pair(
    scenario: Scenario, baseline: Scenario, seed: int, reps: int, level: str = "org"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario and baseline on the same seeds (common random numbers)."""
    return run(scenario, seed, reps, level), run(baseline, seed, reps, level)


def story(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One typical employee's and customer's weeks in replication 0."""
    return _story(scenario.key(), int(seed), __version__, scenario)
