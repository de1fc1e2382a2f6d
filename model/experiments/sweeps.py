"""Sweeps: every run of a design, kept on disk as it finishes, resumable after a kill.

Every finished run is written at once to its own Parquet file (written beside
and moved into place), so a sweep that is interrupted, even killed, resumes
where it stopped: finished runs are kept and never run again.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import yaml

from model.analysis import payback_week, recent_quarter
from model.engine.chain import WARM_UP_WEEKS
from model.engine.parameters import BY_NAME, InputError
from model.experiments.designs import Design, load_design, point_count
from model.io import atomic_file, write_table
from model.simulate import VERSION, replications

# ------------------------------------------------------------ running


def _run_file(out: Path, point: int, rep: int) -> Path:
    return out / "runs" / f"point{point:07d}-rep{rep:04d}.parquet"


def prepare(design: Design, out: Path) -> None:
    """Create the sweep folder, or check that it holds this same design."""
    saved = out / "design.yaml"
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
        for leftover in (out / "runs").glob(".*.tmp"):  # a write cut short by a kill
            leftover.unlink()
        same = not saved.exists() or yaml.safe_load(saved.read_text()) == design.to_dict()
    except OSError as error:
        raise InputError(
            f"--out: {str(out)!r} cannot be written ({error.strerror}); allowed: a writable folder"
        ) from None
    if not same:
        raise InputError(
            f"--out: {str(out)!r} holds a different design; allowed: the same design "
            "(to resume) or a new folder"
        )
    if not saved.exists():
        with atomic_file(saved, "--out") as file:
            file.write(yaml.safe_dump(design.to_dict(), sort_keys=False).encode())


def pending(design: Design, out: Path) -> list[tuple[int, int]]:
    """(point, replication) pairs not yet on disk, in order."""
    return [
        (point, rep)
        for point in range(point_count(design))
        for rep in range(design.reps)
        if not _run_file(out, point, rep).exists()
    ]


def run_point(design: Design, values: dict, rep: int) -> pd.DataFrame:
    """One replication of one design point: its weekly table.

    With an intervention, the point also runs without it on the same draws,
    and the table carries that run's cumulative profit beside its own.
    """
    scenario = replace(design.scenario.with_parameters(values), weeks=design.weeks)
    if design.intervention is None:
        return replications([scenario], design.weeks, design.seed, rep)[0]
    change = design.intervention
    treated = scenario.with_change(change.week, change.changes, change.note, change.new_manager)
    without, table = replications([scenario, treated], design.weeks, design.seed, rep)
    return table.assign(counterfactual_cumulative_profit=without.cumulative_profit.to_numpy())


TRIAL_WEEKS = 13


def duration(seconds: float) -> str:
    """A time as a person reads it."""
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def seconds_per_run(design: Design) -> float:
    """One run's time on this machine, from a short trial of the design's first point.

    A run's time grows with the weeks it steps, warm-up included, so the
    trial's time is scaled up to the design's horizon (twice over with an
    intervention, which also runs without it).
    """
    trial = replace(design, weeks=min(TRIAL_WEEKS, design.weeks), intervention=None)
    values = {name: float(value) for name, value in design.points().iloc[0].items()}
    started = time.perf_counter()
    run_point(trial, values, 0)
    took = time.perf_counter() - started
    weeks = design.weeks * (2 if design.intervention else 1)
    return took * (WARM_UP_WEEKS + weeks) / (WARM_UP_WEEKS + trial.weeks)


def sweep(
    design: Design,
    out: str | Path,
    executor: cf.Executor | None = None,
    in_flight: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Run every pending run of `design`, writing each to `out` as it finishes.

    Args:
        design: The checked design.
        out: The sweep's folder (created; resuming needs the same design).
        executor: Where runs go (a process pool, or a Dask client's executor);
            None runs them here, one after another.
        in_flight: Runs submitted ahead of those finished (bounds memory).
        on_progress: Called with (finished, total) after each run.

    Returns:
        The number of runs finished by this call.
    """
    out = Path(out)
    prepare(design, out)
    points = design.points()
    todo = pending(design, out)
    total = design.runs()
    if on_progress:
        on_progress(total - len(todo), total)

    def job(point: int, rep: int):
        values = {name: float(value) for name, value in points.loc[point].items()}
        args = (design, values, rep)
        if executor is None:
            done = cf.Future()
            done.set_result(run_point(*args))
            return done
        return executor.submit(run_point, *args)

    queue, running, done_here = iter(todo), {}, 0
    try:
        while True:
            while len(running) < max(in_flight, 1) and (pair := next(queue, None)) is not None:
                running[job(*pair)] = pair
            if not running:
                return done_here
            finished_now, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in finished_now:
                point, rep = running.pop(future)
                table = future.result()
                table.insert(0, "point", point)
                write_table(
                    table,
                    _run_file(out, point, rep),
                    {"design": design.title, "point": point, "rep": rep, "model_version": VERSION},
                )
                done_here += 1
                if on_progress:
                    on_progress(total - len(todo) + done_here, total)
    finally:  # stopped (an error, Ctrl-C, a page's stop): queued runs are dropped, not left queued
        for future in running:
            future.cancel()


# ------------------------------------------------------------ results


def results(out: str | Path) -> pd.DataFrame:
    """Every finished run's weekly rows, with the design point's parameter values."""
    out = Path(out)
    design = load_design(out / "design.yaml")
    files = sorted((out / "runs").glob("point*.parquet"))
    if not files:
        raise InputError(f"--out: {str(out)!r} holds no finished runs yet")
    weekly = pd.concat([pd.read_parquet(file) for file in files], ignore_index=True)
    return weekly.join(design.points(), on="point")


def summarise(weekly: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the design point, replication and the `OUTCOMES`."""
    parameters = [c for c in weekly.columns if c in BY_NAME]
    rows = []
    for (point, rep), run in weekly.groupby(["point", "rep"], sort=True):
        last = recent_quarter(run)
        years = run.step.max() / 52
        row = (
            {"point": point, "rep": rep}
            | run.iloc[0][parameters].to_dict()
            | {
                "cumulative_profit": run.cumulative_profit.iloc[-1],
                "turnover": run.quits.sum() / run.headcount.mean() / years,
                "customer_retention": last.customer_retention.mean(),
                "employee_satisfaction": last.employee_satisfaction.mean(),
                "customer_satisfaction": last.customer_satisfaction.mean(),
            }
        )
        if "counterfactual_cumulative_profit" in run:
            gained = (run.cumulative_profit - run.counterfactual_cumulative_profit).set_axis(
                run.step
            )
            row |= {"profit_difference": gained.iloc[-1], "payback_week": payback_week(gained)}
        rows.append(row)
    return pd.DataFrame(rows)
