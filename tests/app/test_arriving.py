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
    while pool.held:  # each released job lets the dispatcher hand out the next
        pool.release(len(pool.held))
    table, base_table, whole = runs.arriving_pair(scenario, baseline, 0, REPS, pool)
    assert whole
    pd.testing.assert_frame_equal(table, simulate(scenario, seed=0, reps=REPS))
    pd.testing.assert_frame_equal(base_table, simulate(baseline, seed=0, reps=REPS))
    again = runs.arriving_pair(scenario, baseline, 0, REPS, Gated(0))  # whole: from the cache
    assert again[2] and again[0].rep.nunique() == REPS


class Held(Executor):
    """Holds every job until `finish`; records what was started, in order."""

    def __init__(self):
        self.held, self.started = [], []

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        self.held.append((future, fn, args))
        self.started.append(args)
        return future

    def finish(self) -> None:
        future, fn, args = self.held.pop(0)
        try:
            future.set_result(fn(*args))
        except ValueError as error:
            future.set_exception(error)


def replicate(run: str, rep: int) -> str:
    if run == "broken":
        raise ValueError("a replication that fails")
    return f"{run} {rep}"


def test_every_run_under_way_gets_its_first_replications_before_any_gets_more():
    pool = Held()
    dispatcher = runs._Dispatcher(pool, slots=1)
    proxies = {}
    for run in ("mine", "broken", "yours"):  # three sessions' runs, started one after another
        jobs = []
        for rep in range(runs.FIRST_REPS + 2):
            proxies[run, rep] = Future()
            jobs.append((rep, (proxies[run, rep], replicate, (run, rep), {})))
        dispatcher.add(jobs)
    while pool.held:
        pool.finish()
    first = [(run, rep) for rep in range(runs.FIRST_REPS) for run in ("mine", "broken", "yours")]
    later = range(runs.FIRST_REPS, runs.FIRST_REPS + 2)
    rest = [(run, rep) for run in ("mine", "broken", "yours") for rep in later]  # as asked
    assert pool.started == first + rest
    assert proxies["yours", 3].result() == "yours 3"
    assert str(proxies["broken", 0].exception()) == "a replication that fails"


class Broken(Executor):
    def submit(self, fn, /, *args, **kwargs):
        raise RuntimeError("the pool is broken")


def test_a_broken_pool_fails_each_replication_and_leaves_nothing_waiting():
    dispatcher = runs._Dispatcher(Broken(), slots=1)
    proxies = [Future() for _ in range(3)]
    dispatcher.add([(rep, (p, replicate, ("mine", rep), {})) for rep, p in enumerate(proxies)])
    assert [str(p.exception()) for p in proxies] == ["the pool is broken"] * 3
    assert dispatcher.running == 0 and not dispatcher.waiting
