"""Running scenarios and writing the results with their provenance."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import pickle
import platform
import tempfile
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from cachetools import LRUCache

from .chain import ServiceProfitChain
from .parameters import InputError
from .scenario import MAX_WEEKS, Scenario, load_scenario

VERSION = "0.1.0"
LEVELS = ("org", "unit")
PROVENANCE_KEY = "service_profit_chain"
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


def _warm_up(parameters: tuple, seed: int, rep: int) -> bytes:
    """The organisation after its warm-up, pickled."""
    return pickle.dumps(ServiceProfitChain(rng=replication_rng(seed, rep), **dict(parameters)))


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
    parameters = tuple(sorted(scenario.parameters.items()))
    keys = [(parameters, seed, rep) for rep in range(reps)]
    with _STARTS_LOCK:
        found = {key: _STARTS[key] for key in keys if key in _STARTS}
    missing = [key for key in keys if key not in found]
    if missing:
        build = executor.map if executor is not None and len(missing) > 1 else map
        columns = zip(*missing, strict=True)  # parameters, seeds, replications
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
    """Replication `rep` of `seed` of scenarios that start alike (same parameters).

    They share one warm-up, so they differ only by their timelines (common
    random numbers). The warm-up is not kept: sweeps rarely meet it again.
    """
    if any(s.parameters != scenarios[0].parameters for s in scenarios):
        raise ValueError("scenarios that share a warm-up must share their parameters")
    start = _warm_up(tuple(sorted(scenarios[0].parameters.items())), seed, rep)
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
    scenario, steps = _checked(scenario, steps, seed, level, reps)
    starts = _starts(scenario, seed, reps, executor)
    if executor is None or reps == 1:
        tables = [run_once(start, scenario, steps, rep, level) for rep, start in enumerate(starts)]
    else:
        jobs = [
            executor.submit(run_once, start, scenario, steps, rep, level)
            for rep, start in enumerate(starts)
        ]
        tables = [job.result() for job in jobs]
    return pd.concat(tables, ignore_index=True)


def workers(processes: int | None = None) -> ProcessPoolExecutor:
    """A pool of fresh worker processes for `simulate(..., executor=...)`."""
    return ProcessPoolExecutor(
        processes or os.cpu_count(), mp_context=multiprocessing.get_context("spawn")
    )


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


@contextlib.contextmanager
def atomic_file(path: Path, what: str):
    """A binary file that appears at `path` only when complete.

    It is written beside its destination and moved into place at the end, so
    a failure or a kill never leaves a half-written file or clobbers an old one.

    Raises:
        InputError: Naming `what` (the option or field) when the folder cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise InputError(
            f"{what}: {str(path)!r} cannot be written ({error.strerror}); allowed: "
            "a file in an existing, writable folder"
        ) from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise InputError(
            f"{what}: {str(path)!r} cannot be written ({error.strerror}); allowed: "
            "a file in a writable folder with space"
        ) from None
    except BaseException:
        os.unlink(temporary)
        raise


def table_bytes(table: pd.DataFrame, meta: dict, suffix: str) -> bytes:
    """`table` as Parquet (`meta` in its schema) or CSV (`meta` in `# key: value` lines)."""
    if suffix == ".parquet":
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata(
            (arrow.schema.metadata or {}) | {PROVENANCE_KEY: json.dumps(meta)}
        )
        buffer = pa.BufferOutputStream()
        pq.write_table(arrow, buffer)
        return buffer.getvalue().to_pybytes()
    header = "".join(f"# {key}: {json.dumps(value)}\n" for key, value in meta.items())
    return (header + table.to_csv(index=False)).encode()


def write_table(table: pd.DataFrame, path: str | Path, meta: dict) -> Path:
    """Write `table` to Parquet or CSV with `meta` inside, all or nothing (`atomic_file`).

    Raises:
        InputError: For an unknown format or a folder that cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            f"--out: {str(path)!r} has an unknown format; allowed: a .parquet or .csv file"
        )
    with atomic_file(path, "--out") as file:
        file.write(table_bytes(table, meta, suffix))
    return path


def read_table(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read a table written by `write_table` and its provenance."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        arrow = pq.read_table(path)
        meta = json.loads(arrow.schema.metadata[PROVENANCE_KEY.encode()])
        return arrow.to_pandas(), meta
    meta = {}
    with open(path) as file:
        for line in file:
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(": ")
            meta[key] = json.loads(value)
    return pd.read_csv(path, comment="#"), meta
