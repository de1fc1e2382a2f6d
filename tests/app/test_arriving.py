"""Replications drawn as they arrive: the first at once, the rest filling the bands in."""

from concurrent.futures import Executor, Future
from dataclasses import replace

import pandas as pd
import streamlit as st

from model import load_scenario, simulate
from model.simulate import submit
from ui import runs

REPS = 5


class Gated(Executor):
    """Runs the first `open_` jobs at once and holds the rest until `release`."""

    def __init__(self, open_: int):
        self.open, self.held, self.order = open_, [], []

    def map(self, fn, *iterables, **kwargs):
        return map(fn, *iterables)

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        self.order.append(args[-2])  # the replication run_once is given
        if self.open > 0:
            self.open -= 1
            future.set_result(fn(*args, **kwargs))
        else:
            self.held.append((future, fn, args, kwargs))
        return future

    def release(self, count: int) -> None:
        for future, fn, args, kwargs in self.held[:count]:
            future.set_result(fn(*args, **kwargs))
        del self.held[:count]


def small(**changes):
    scenario = load_scenario("baseline").with_parameters({"n_units": 2, **changes})
    return replace(scenario, weeks=8, timeline=())


def test_submitted_replications_are_the_simulated_ones():
    scenario = small()
    jobs = submit(scenario, Gated(REPS), seed=3, reps=REPS)
    together = pd.concat([job.result() for job in jobs], ignore_index=True)
    pd.testing.assert_frame_equal(together, simulate(scenario, seed=3, reps=REPS))


def test_the_first_replications_show_at_once_and_the_rest_fill_in():
    st.cache_data.clear()
    runs._on_the_way.clear()
    runs._whole.clear()
    scenario = small(leader_recognition=80).with_change(3, {"wage_level": 1.2})
    baseline = small(leader_recognition=80)
    pool = Gated(2 * runs.FIRST_REPS)
    table, base_table, whole = runs.arriving_pair(scenario, baseline, 0, REPS, pool)
    assert pool.order[: 2 * runs.FIRST_REPS] == [0, 0, 1, 1]  # each side's first, in turn
    assert not whole
    assert set(table.rep) == set(base_table.rep) == set(range(runs.FIRST_REPS))  # still paired
    pool.release(1)  # the scenario's third replication; the baseline's is still running
    table, base_table, whole = runs.arriving_pair(scenario, baseline, 0, REPS, pool)
    assert not whole and table.rep.nunique() == base_table.rep.nunique() == runs.FIRST_REPS
    pool.release(len(pool.held))
    table, base_table, whole = runs.arriving_pair(scenario, baseline, 0, REPS, pool)
    assert whole
    pd.testing.assert_frame_equal(table, simulate(scenario, seed=0, reps=REPS))
    pd.testing.assert_frame_equal(base_table, simulate(baseline, seed=0, reps=REPS))
    again = runs.arriving_pair(scenario, baseline, 0, REPS, Gated(0))  # whole: from the cache
    assert again[2] and again[0].rep.nunique() == REPS
