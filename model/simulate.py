"""Running scenarios and writing the results with their provenance."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import platform
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from cachetools import LRUCache

from model.engine.chain import ServiceProfitChain
from model.engine.parameters import InputError
from model.scenario import MAX_WEEKS, Scenario, load_scenario

VERSION = "0.1.0"
LEVELS = ("org", "unit")
MAX_REPS = 1000
WARM_UP_CACHE_BYTES = 512 * 2**20  # about 1,200 default organisations


def replication_rng(seed: int, rep: int) -> np.random.Generator:
    """Independent stream for replication `rep` of `seed` (numpy SeedSequence spawn keys)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep,)))


def _checked(scenario, steps, seed, level, reps) -> tuple[Scenario, int]:
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    steps = scenario.weeks if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_WEEKS:
        raise InputError(
            f"steps: {steps!r} is not usable; allowed: a whole number from 1 to {MAX_WEEKS}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed: {seed!r} is not usable; allowed: a whole number of 0 or more")
    if level not in LEVELS:
        raise InputError(f"level: {level!r} is not a level; allowed: {', '.join(LEVELS)}")
    if isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= MAX_REPS:
        raise InputError(
            f"reps: {reps!r} is not usable; allowed: a whole number from 1 to {MAX_REPS}"
        )
    return scenario, steps


def _warm_up(parameters: tuple, units: tuple, seed: int, rep: int) -> bytes:
    """The organisation after its warm-up, pickled."""
    model = ServiceProfitChain(
        units=dict(units), rng=replication_rng(seed, rep), **dict(parameters)
    )
    return pickle.dumps(model)


def _start_key(scenario: Scenario) -> tuple[tuple, tuple]:
    """What a warm-up depends on: the starting parameters and the unit table."""
    return tuple(sorted(scenario.parameters.items())), tuple(sorted(scenario.units.items()))


_STARTS = LRUCache(maxsize=WARM_UP_CACHE_BYTES, getsizeof=len)
_STARTS_LOCK = threading.Lock()


def _starts(scenario: Scenario, seed: int, reps: int, executor: Executor | None) -> list[bytes]:
    """Warmed-up organisations for replications 0..reps-1, each built once.

    Runs that share their starting parameters, seed and replication share
    their warm-up (a scenario and its baseline, a lever moved at a later
    week); restoring it gives exactly the state that building it again would.
    They are kept in the process that asks (bounded by size), not in the
    workers, so any worker can run any replication without building it again.
    """
    keys = [(*_start_key(scenario), seed, rep) for rep in range(reps)]
    with _STARTS_LOCK:
        found = {key: _STARTS[key] for key in keys if key in _STARTS}
    missing = [key for key in keys if key not in found]
    if missing:
        build = executor.map if executor is not None and len(missing) > 1 else map
        columns = zip(*missing, strict=True)  # parameters, unit tables, seeds, replications
        built = dict(zip(missing, build(_warm_up, *columns), strict=True))
        with _STARTS_LOCK:
            for key, start in built.items():
                if len(start) <= _STARTS.maxsize:
                    _STARTS[key] = start
        found |= built
    return [found[key] for key in keys]


def _restored(start: bytes, scenario: Scenario) -> ServiceProfitChain:
    """A fresh copy of a warmed-up organisation, with the scenario's timeline."""
    model = pickle.loads(start)
    model.timeline = list(scenario.timeline)
    return model


def run_once(start: bytes, scenario: Scenario, steps: int, rep: int, level: str) -> pd.DataFrame:
    """One replication: restore its warmed-up organisation, step it, return its table."""
    model = _restored(start, scenario)
    model.record_units = level == "unit"
    for _ in range(steps):
        model.step()
    if level == "unit":
        table = pd.concat([pd.DataFrame(rows) for rows in model.unit_records], ignore_index=True)
    else:
        table = pd.DataFrame(model.records)
    table.insert(0, "rep", rep)
    return table


def replications(scenarios: list[Scenario], steps: int, seed: int, rep: int) -> list[pd.DataFrame]:
    """Replication `rep` of `seed` of scenarios that start alike (same parameters and units).

    They share one warm-up, so they differ only by their timelines (common
    random numbers). The warm-up is not kept: sweeps rarely meet it again.
    """
    if any(_start_key(s) != _start_key(scenarios[0]) for s in scenarios):
        raise ValueError("scenarios that share a warm-up must share their parameters and units")
    start = _warm_up(*_start_key(scenarios[0]), seed, rep)
    return [run_once(start, scenario, steps, rep, "org") for scenario in scenarios]


def follow(scenario: Scenario, steps: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The week-by-week story of one typical employee post and one typical customer.

    Uses replication 0 of `seed`, so the story belongs to the run `simulate` shows.
    """
    scenario, steps = _checked(scenario, steps, seed, "org", 1)
    model = _restored(_starts(scenario, seed, 1, None)[0], scenario)
    model.follow_typical()
    for _ in range(steps):
        model.step()
    return pd.DataFrame(model.story)


def simulate(
    scenario: Scenario | str | Path,
    steps: int | None = None,
    seed: int = 0,
    level: str = "org",
    reps: int = 1,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Run a scenario and return its weekly measures.

    Args:
        scenario: A Scenario, a scenario file, or the name of a shipped scenario.
        steps: Weeks to run (default: the scenario's horizon).
        seed: Master seed; replication r draws from the stream spawned as (seed, r),
            so a run with more replications extends, never changes, one with fewer.
        level: "org" for one row per week, "unit" for one row per unit per week.
        reps: Number of replications (a `rep` column tells them apart).
        executor: Where to run the replications in parallel (`workers()`);
            the numbers are the same as in this process.

    Returns:
        One row per replication and week (and unit), with the columns of
        `model.observe.MEASURES` after `rep`, `step` (and `unit`, `region`).

    Raises:
        InputError: For a bad scenario, parameter or argument.
    """
    if executor is not None and reps > 1:
        jobs = submit(scenario, executor, steps, seed, level, reps)
        return pd.concat([job.result() for job in jobs], ignore_index=True)
    scenario, steps = _checked(scenario, steps, seed, level, reps)
    starts = _starts(scenario, seed, reps, executor)
    tables = [run_once(start, scenario, steps, rep, level) for rep, start in enumerate(starts)]
    return pd.concat(tables, ignore_index=True)


def submit(
    scenario: Scenario | str | Path,
    executor: Executor,
    steps: int | None = None,
    seed: int = 0,
    level: str = "org",
    reps: int = 1,
) -> list[Future]:
    """Start every replication of `simulate` on `executor`: one future per replication, in order.

    `simulate` waits for them all; a page can draw the first ones while the
    rest run. Replication r is the same table either way.

    Raises:
        InputError: For a bad scenario, parameter or argument.
    """
    scenario, steps = _checked(scenario, steps, seed, level, reps)
    starts = _starts(scenario, seed, reps, executor)
    return [
        executor.submit(run_once, start, scenario, steps, rep, level)
        for rep, start in enumerate(starts)
    ]


def _ready() -> None:
    """Load the compiled links in a new worker, so its first replication need not wait for them."""
    ServiceProfitChain(seed=0, n_units=1).step()


def workers(processes: int | None = None) -> ProcessPoolExecutor:
    """A pool of worker processes for `simulate(..., executor=...)`, started and kept warm.

    Every worker starts now (not at the first run) and loads the compiled links
    once; workers then live as long as the pool, so a redraw pays neither.
    """
    processes = processes or os.cpu_count()
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"), initializer=_ready
    )
    for _ in range(processes):
        pool.submit(int)
    return pool


def provenance(scenario: Scenario, steps: int, seed: int, reps: int, level: str) -> dict:
    """Everything needed to re-run a table and know what produced it."""
    return {
        "model": "service-profit chain",
        "model_version": VERSION,
        "scenario": scenario.to_dict(),
        "parameters": scenario.values(),
        "steps": steps,
        "seed": seed,
        "reps": reps,
        "replication_seeds": f"numpy SeedSequence({seed}, spawn_key=(rep,)) for rep in "
        f"0..{reps - 1}",
        "level": level,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }
