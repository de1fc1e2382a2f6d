"""Fair use of a shared server: limits over a window, heavy work in its own pool and budget."""

import os
import sys
import time
import types

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import simulate
from ui import runs
from ui.limits import Limit


def test_a_limit_counts_within_its_window_and_says_how_long_to_wait():
    limit = Limit(3, 600)
    for at in (0, 100, 200):
        assert not limit.full("a", now=at)
        limit.record("a", now=at)
    assert limit.full("a", now=300) and not limit.full("b", now=300)  # each key its own
    assert limit.minutes_to_wait("a", now=300) == 5  # the first expires at 600
    assert not limit.full("a", now=600)  # ...and then one more is allowed
    seconds = Limit(60, 3600)  # amounts: seconds of work
    seconds.record("s", 45, now=0)
    assert seconds.used("s", now=10) == 45 and not seconds.full("s", now=10)
    seconds.record("s", 30, now=20)
    assert seconds.full("s", now=30) and seconds.minutes_to_wait("s", now=30) == 60
    assert seconds.used("s", now=3620) == 0 and not seconds._used  # forgotten, not piled up


def _run_page():
    """A page that runs the baseline at the size in `st.session_state.size`."""
    from dataclasses import replace

    import streamlit as st

    from model import load_scenario
    from ui import runs

    units, staff, reps = st.session_state.get("size", (100, 20, 30))
    base = load_scenario("baseline")
    scenario = replace(
        base, parameters={**base.parameters, "n_units": units, "staff_per_unit": staff}
    )
    st.write(f"rows {len(runs.run(scenario, seed=0, reps=reps))}")


def _story_page():
    """A page that follows one person in a large organisation."""
    from dataclasses import replace

    import streamlit as st

    from model import load_scenario
    from ui import runs

    base = load_scenario("baseline")
    scenario = replace(base, parameters={**base.parameters, "n_units": 5000})
    st.write(f"weeks {len(runs.story(scenario, seed=0))}")


def _sweep_page():
    """A page that queues `st.session_state.jobs` short jobs, as a sweep does."""
    import streamlit as st

    from ui import runs

    where = runs.pool()
    done = [where.submit(sum, [i, 1]).result() for i in range(st.session_state.jobs)]
    st.write(f"done {len(done)}")


@pytest.fixture
def page(monkeypatch):
    """An AppTest of a page in a session of its own, with nothing run before."""
    st.cache_data.clear()
    runs._budgets.clear()
    started(runs.background())  # before any script runs: workers started there would run it
    started(runs.interactive())
    calls = []

    def table(key, seed, reps, level, version, scenario, heavy):
        calls.append(heavy)
        return pd.DataFrame({"step": [1]})

    monkeypatch.setattr(runs, "_table", table)

    def make(script, visitor):
        at = AppTest.from_function(script, default_timeout=120)
        at.session_state["visitor"] = visitor
        return at, calls

    return make


def test_a_session_over_its_heavy_work_budget_is_told_so_in_one_line(page):
    at, calls = page(_run_page, "spent")
    runs._budgets()["session"].record("spent", 600)  # this session has used its budget
    at.run()
    assert [w.value for w in at.warning] == [
        "Fair use: this browser tab has used its 10 minutes of heavy work (large organisations, "
        "sweeps) this hour; heavy work again in 60 minute(s), smaller runs now."
    ]
    assert not at.markdown and calls == []  # nothing ran
    at.session_state["size"] = (24, 20, 3)  # a small run goes on as before
    at.run()
    assert not at.warning and at.markdown[0].value == "rows 1" and calls == [False]
    other, _ = page(_run_page, "fresh")  # another session has its own budget
    other.run()
    assert not other.warning and calls == [False, True]


def test_a_story_in_a_large_organisation_is_heavy_work_too(page, monkeypatch):
    at, _ = page(_story_page, "reader")
    followed = []
    monkeypatch.setattr(runs, "_story", lambda *a: followed.append(a[-1]) or pd.DataFrame([1]))
    at.run()
    assert at.markdown[0].value == "weeks 1" and followed == [True]
    runs._budgets()["session"].record("reader", 600)
    at.run()
    assert at.warning[0].value.startswith("Fair use:") and followed == [True]


def test_sessions_from_one_address_share_its_budget(page, monkeypatch):
    monkeypatch.setitem(runs.BUDGETS, "address", (120, 3600))  # two minutes an hour
    runs._budgets.clear()
    monkeypatch.setattr(runs, "visitor", lambda: {"session": "one", "address": "198.51.100.7"})
    first, calls = page(_run_page, "one")
    first.run()
    runs._budgets()["address"].record("198.51.100.7", 120)
    monkeypatch.setattr(runs, "visitor", lambda: {"session": "two", "address": "198.51.100.7"})
    second, _ = page(_run_page, "two")  # a new tab from the same place: the same address
    second.run()
    assert second.warning[0].value.startswith("Fair use: this address has used its 2 minutes")
    assert calls == [True]


def test_a_run_larger_than_the_server_runs_is_refused_in_one_line(page):
    at, calls = page(_run_page, "big")
    at.session_state["size"] = (10_000, 200, 50)  # the sidebar's largest
    at.run()
    assert [e.value for e in at.error] == [
        "organisation: 100,000,000 employees x replications is more than this server runs; "
        "allowed: up to 1,000,000 (say 100,000 employees with 10 replications)"
    ]
    assert calls == []


def test_heavy_runs_are_charged_to_the_session_and_go_to_the_background(page):
    at, calls = page(_run_page, "me")
    at.run()
    assert calls == [True]  # 100 units x 20 staff x 30 replications is heavy
    assert 0 < runs._budgets()["session"].used("me") < 60


def started(pool):
    """`pool` with its workers started outside any test script (they would run it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
        list(pool.map(time.sleep, [0.5] * (os.cpu_count() or 1)))
    return pool


def test_a_sweep_runs_in_the_background_and_stops_when_the_budget_is_used(page):
    started(runs.background())
    at, _ = page(_sweep_page, "sweeper")
    at.session_state["jobs"] = 3
    at.run()
    assert at.markdown[0].value == "done 3" and runs._budgets()["session"].used("sweeper") > 0
    runs._budgets()["session"].record("sweeper", 600)
    at.run()
    assert at.warning[0].value.startswith("Fair use: this browser tab has used its 10 minutes")
    assert not at.markdown


def test_the_background_workers_run_at_the_lowest_priority_with_the_same_numbers():
    assert started(runs.background()).submit(os.nice, 0).result() == runs.BACKGROUND_NICE
    assert started(runs.interactive()).submit(os.nice, 0).result() == os.nice(0)
    there = runs.background().submit(simulate, "baseline", steps=2, seed=3, reps=2).result()
    pd.testing.assert_frame_equal(there, simulate("baseline", steps=2, seed=3, reps=2))
