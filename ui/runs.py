"""Running scenarios for the pages: cached result tables, replications in parallel, fair use.

Results are cached by (scenario, seed, replications, level, model version),
the scenario keyed by `Scenario.key()`; models are never cached, only their
tables, so nothing heavy stays alive between reruns. Replications run in
shared pools of worker processes and give the same numbers as in one process.

Two pools, so that no session stalls the others: `interactive()` for redraws
and workshop rounds, and `background()`, at the lowest CPU priority, for heavy
work (runs over `HEAVY` employee-replications, one person's story in such an
organisation, sweeps through `pool()` and their trial runs).
Heavy work is charged to the session's and the address's `BUDGETS` of worker
time; a visitor who has used one is told so in one line, and smaller runs go
on as before.

A redraw need not wait for every replication: `arriving` gives the first
ones at once while the rest run on in the interactive pool, and the page
draws again once they have arrived (or some, after `REFILL_SECONDS`) until
the table is whole (then cached as any). The first replications of every run
under way go to the pool before the later ones of any (`_Dispatcher`), so
that each of many sessions sees its first ones soon.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import multiprocessing
import os
import threading
import time
import weakref
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait

import pandas as pd
import streamlit as st
from cachetools import LRUCache

from model import Scenario, __version__, simulate
from model.simulate import follow, submit, workers
from ui.limits import NAMES, Limit, visitor

HEAVY = 50_000
"""Employees times replications above which a run is heavy (the simulator asks first)."""
LARGEST = 1_000_000
"""Employees times replications this server runs at most: 100,000 employees, 10 times."""
BUDGETS = {"session": (600, 3600), "address": (1800, 3600)}
"""Seconds of heavy work in any hour, per session and per address (when it is known)."""
FIRST_REPS = 2
"""Replications a redraw waits for before it shows anything: the rest fill the bands in."""
REFILL_SECONDS = 5.0
"""Longest a page waits for the rest of its replications before drawing those that came."""
RUNS_ON_THE_WAY = 64
"""Runs whose replications are kept while they arrive, across sessions."""
BACKGROUND_NICE = 19
"""The background workers' CPU priority: the lowest, so redraws and rounds come first."""


@st.cache_resource
def interactive() -> ProcessPoolExecutor:
    """Worker processes shared by every session for redraws and workshop rounds."""
    return workers()


@st.cache_resource
def background() -> ProcessPoolExecutor:
    """Worker processes for heavy work, at the lowest priority: their own queue."""
    return ProcessPoolExecutor(
        os.cpu_count(),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=os.nice,
        initargs=(BACKGROUND_NICE,),
    )


@st.cache_resource
def _budgets() -> dict[str, Limit]:
    """Every session's and address's heavy work in the last hour (a restart resets them)."""
    return {per: Limit(*allowed) for per, allowed in BUDGETS.items()}


def _within_budget() -> dict[str, str]:
    """This visitor's keys, if they have heavy work left; else say so in one line and stop."""
    who = {per: key for per, key in visitor().items() if per in BUDGETS and key}
    for per, key in who.items():
        budget = _budgets()[per]
        if budget.full(key):
            st.warning(
                f"Fair use: {NAMES[per]} has used its {budget.allowed / 60:g} minutes of heavy "
                f"work (large organisations, sweeps) this hour; heavy work again in "
                f"{budget.minutes_to_wait(key)} minute(s), smaller runs now.",
                icon=":material/hourglass:",
            )
            st.stop()
    return who


def _charge(who: dict[str, str], seconds: float, budgets: dict[str, Limit]) -> None:
    for per, key in who.items():
        budgets[per].record(key, seconds)


class Metered(Executor):
    """The background workers for one session's sweep, its time there charged to its budget.

    The charge is the wall time during which the session has work there;
    once the budget is used, the next submission stops the page with one line
    (runs already finished are kept, and a sweep resumes later).
    """

    def __init__(self):
        self.who, self._running, self._since = _within_budget(), set(), 0.0
        self._budgets = _budgets()  # charged from the pool's own thread, outside the page's
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        """Queue `fn` in the background, if the visitor's budget allows."""
        _within_budget()
        with self._lock:
            if not self._running:
                self._since = time.monotonic()
            future = background().submit(fn, *args, **kwargs)
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future) -> None:
        with self._lock:
            now = time.monotonic()
            _charge(self.who, now - self._since, self._budgets)
            self._since = now
            self._running.discard(future)


def pool() -> Metered:
    """Where this session's sweeps run: the background workers, within its budget."""
    return Metered()


@st.cache_data(max_entries=200, show_spinner=False)
def _table(
    key: str,
    seed: int,
    reps: int,
    level: str,
    version: str,
    _scenario: Scenario,
    _heavy: bool,
    _arrived: list[pd.DataFrame] | None = None,
) -> pd.DataFrame:
    # Streamlit hashes every argument but those named with "_": `key` is `_scenario.key()`;
    # `_arrived` are the replications `arriving` has gathered, when it finishes a table.
    if _arrived is not None:
        return pd.concat(_arrived, ignore_index=True)
    if _heavy:  # all of it in one background worker: nothing heavy in this server's process
        job = background().submit(simulate, _scenario, seed=seed, reps=reps, level=level)
        return job.result()
    return simulate(_scenario, seed=seed, reps=reps, level=level, executor=interactive())


@st.cache_data(max_entries=50, show_spinner=False)
def _story(key: str, seed: int, version: str, _scenario: Scenario, _heavy: bool) -> pd.DataFrame:
    # As `_table`: `key` is `_scenario.key()`.
    if _heavy:
        return background().submit(follow, _scenario, seed=seed).result()
    return follow(_scenario, seed=seed)


def size(scenario: Scenario, reps: int) -> int:
    """Employees times replications: what a run costs, near enough."""
    values = scenario.values()
    return int(values["n_units"] * values["staff_per_unit"] * reps)


def _guarded(work: int) -> dict[str, str] | None:
    """Refuse `work` (employee-replications) too large for the server; if heavy, within budget."""
    if work > LARGEST:
        st.error(
            f"organisation: {work:,} employees x replications is more than this server runs; "
            f"allowed: up to {LARGEST:,} (say 100,000 employees with 10 replications)"
        )
        st.stop()
    return _within_budget() if work > HEAVY else None


@contextlib.contextmanager
def _charged(who: dict[str, str] | None):
    """Charge the time inside to the visitor `who` (None: light work, free)."""
    started = time.monotonic()
    try:
        yield
    finally:
        if who is not None:
            _charge(who, time.monotonic() - started, _budgets())


def run(scenario: Scenario, seed: int, reps: int, level: str = "org") -> pd.DataFrame:
    """All replications of `scenario` (cached); heavy ones in the background, within budget."""
    who = _guarded(size(scenario, reps))
    with _charged(who), st.spinner(f"Simulating {scenario.title}: {reps} replication(s)..."):
        key = scenario.key()
        return _table(key, int(seed), int(reps), level, __version__, scenario, who is not None)


def pair(
    scenario: Scenario, baseline: Scenario, seed: int, reps: int, level: str = "org"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scenario and baseline on the same seeds (common random numbers)."""
    return run(scenario, seed, reps, level), run(baseline, seed, reps, level)


@st.cache_resource
def _on_the_way() -> LRUCache:
    """Replications under way, by run, shared by the sessions that ask for the same run.

    Bounded: runs left behind when a lever moved on are forgotten in time (one
    asked for again after that is simply run whole).
    """
    return LRUCache(maxsize=RUNS_ON_THE_WAY)


@st.cache_resource
def _whole() -> set[tuple]:
    """Runs whose every replication has arrived and is in `_table`'s cache."""
    return set()


@st.cache_resource
def _starting() -> threading.Lock:
    """Held while runs are started, so two sessions never start the same one twice."""
    return threading.Lock()


def _run_key(scenario: Scenario, seed: int, reps: int) -> tuple:
    return scenario.key(), int(seed), int(reps), __version__


class _Queue(Executor):
    """Takes a run's replications for `_Dispatcher` to hand out later.

    Warm-ups (`map`) go to the pool at once: every replication needs its own.
    """

    def __init__(self, pool: Executor):
        self.pool, self.waiting = pool, []

    def map(self, fn, *iterables, **kwargs):
        """Run `fn` over `iterables` in the pool, now."""
        return self.pool.map(fn, *iterables, **kwargs)

    def submit(self, fn, /, *args, **kwargs):
        """A future for `fn`, run once the dispatcher hands it to the pool."""
        proxy = Future()
        self.waiting.append((proxy, fn, args, kwargs))
        return proxy


class _Dispatcher:
    """Hands a pool the replications of every run under way, one per free worker.

    The pool's own queue would serve runs whole, in the order they came: with
    ten people moving levers at once, the last would see nothing until the
    nine before had every replication. The first `FIRST_REPS` replications of
    every run go before the later ones of any, which follow in the order
    asked, so each person sees a first answer once everyone's first ones have
    run, and the runs still finish one after another.
    """

    def __init__(self, pool: Executor, slots: int):
        self.pool, self.slots, self.running = pool, slots, 0
        self.waiting: list[tuple[int, int, tuple]] = []  # a heap: (rank, order, job)
        self.order = itertools.count()
        self.lock = threading.Lock()

    def add(self, jobs: list[tuple[int, tuple]]) -> None:
        """Queue `jobs` (replication, job), then start as many as there are free workers."""
        with self.lock:
            for rep, job in jobs:
                heapq.heappush(self.waiting, (min(rep, FIRST_REPS), next(self.order), job))
        self._fill()

    def _fill(self) -> None:
        while True:
            with self.lock:
                if self.running >= self.slots or not self.waiting:
                    return
                self.running += 1
                proxy, fn, args, kwargs = heapq.heappop(self.waiting)[2]
            try:
                job = self.pool.submit(fn, *args, **kwargs)
            except Exception as error:  # a broken pool: the page shows it, the next run retries
                with self.lock:
                    self.running -= 1
                proxy.set_exception(error)
                continue
            job.add_done_callback(functools.partial(self._landed, proxy))

    def _landed(self, proxy: Future, job: Future) -> None:
        with self.lock:
            self.running -= 1
        if job.exception() is not None:
            proxy.set_exception(job.exception())
        else:
            proxy.set_result(job.result())
        self._fill()


@st.cache_resource
def _dispatchers() -> weakref.WeakKeyDictionary:
    """Each pool's dispatcher, shared by every session that runs there."""
    return weakref.WeakKeyDictionary()


def _start(scenarios: list[Scenario], seed: int, reps: int, pool: Executor) -> None:
    """Start every replication of the `scenarios` not under way: replication 0 of each first."""
    with _starting():
        jobs = []
        for scenario in scenarios:
            key = _run_key(scenario, seed, reps)
            if key not in _whole() and key not in _on_the_way():
                queue = _Queue(pool)
                _on_the_way()[key] = submit(scenario, queue, seed=int(seed), reps=int(reps))
                jobs += enumerate(queue.waiting)
        if pool not in _dispatchers():
            _dispatchers()[pool] = _Dispatcher(pool, os.cpu_count() or 1)
        _dispatchers()[pool].add(jobs)


def _arrived(scenario: Scenario, seed: int, reps: int) -> tuple[pd.DataFrame, bool]:
    """The replications of a started run that have arrived, from the first; whether that is all."""
    key = _run_key(scenario, seed, reps)
    jobs = _on_the_way().get(key)
    if jobs is None:  # whole already
        return run(scenario, seed, reps), True
    wait(jobs[:FIRST_REPS])
    done = list(itertools.takewhile(Future.done, jobs))
    try:
        arrived = [job.result() for job in done]
    except Exception:
        _on_the_way().pop(key, None)  # the next redraw starts it again
        raise
    if len(arrived) < reps:
        return pd.concat(arrived, ignore_index=True), False
    table = _table(*key[:3], "org", __version__, scenario, False, arrived)
    _whole().add(key)
    _on_the_way().pop(key, None)
    return table, True


def arriving_pair(
    scenario: Scenario, baseline: Scenario, seed: int, reps: int, pool: Executor | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """As `pair`, without waiting for every replication: the tables so far, and whether whole.

    The first time a run is asked for, its replications start in `pool` (the
    interactive workers), in turn with the other side's; this waits for the
    first `FIRST_REPS` of each, and later calls give whatever has arrived
    since. Both sides keep the same replications, so they stay paired.
    Small, heavy and cached runs come whole, as from `pair`.
    """
    light = max(size(scenario, reps), size(baseline, reps)) <= HEAVY
    if reps <= FIRST_REPS or not light:
        return *pair(scenario, baseline, seed, reps), True
    _start([scenario, baseline], seed, reps, pool or interactive())
    (table, whole), (base_table, base_whole) = (
        _arrived(scenario, seed, reps),
        _arrived(baseline, seed, reps),
    )
    if whole and base_whole:
        return table, base_table, True
    shown = min(table.rep.nunique(), base_table.rep.nunique())
    return table[table.rep < shown], base_table[base_table.rep < shown], False


def wait_for_more(scenarios: list[Scenario], seed: int, reps: int) -> None:
    """Until the rest of `scenarios`' replications under way have arrived, or some have.

    Waits up to `REFILL_SECONDS` for all of them, and then for at least one
    more: every redraw costs the server's one process its time, so a page
    waits to gather what arrives in the meantime instead of drawing again
    for each.
    """
    pending = [
        job
        for scenario in scenarios
        for job in _on_the_way().get(_run_key(scenario, seed, reps), [])
        if not job.done()
    ]
    if pending:
        wait(pending, timeout=REFILL_SECONDS)
        wait(pending, return_when=FIRST_COMPLETED)


def story(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One typical employee's and customer's weeks in replication 0 (as `run` for heavy ones)."""
    who = _guarded(size(scenario, 1))
    with _charged(who):
        return _story(scenario.key(), int(seed), __version__, scenario, who is not None)


def fitting(scenario: Scenario, reps: int, trials: int):
    """The session's fit of `scenario` as work on this server: refused if too large, charged.

    A fit is `trials` runs in this session's own thread, so it counts as heavy
    work once their employee-replications together pass `HEAVY`.
    """
    return _charged(_guarded(size(scenario, reps) * trials))
