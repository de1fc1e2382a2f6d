"""Experiments: designs over parameters, run with replications, kept on disk as they finish.

A design file names a scenario, a sampling method (full factorial, Latin
hypercube, Sobol or Morris), the parameters to vary with their ranges, the
sample size, replications, master seed and horizon. Each design point starts
the scenario's organisation from those parameter values. Replication r of
every point draws from the stream spawned as (seed, r), so points are compared
on common random numbers.

Every finished run is written at once to its own Parquet file (written beside
and moved into place), so a sweep that is interrupted, even killed, resumes
where it stopped: finished runs are kept and never run again.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from .analysis import payback_week
from .chain import WARM_UP_WEEKS
from .parameters import BY_NAME, InputError
from .scenario import (
    MAX_WEEKS,
    Intervention,
    Scenario,
    load_scenario,
    parse_intervention,
    parse_scenario,
    read_file,
    read_yaml,
    scenario_names,
    top_level,
    whole_number,
)
from .simulate import MAX_REPS, VERSION, atomic_file, replications, write_table

METHODS = {
    "factorial": "every combination of `samples` evenly spaced levels per parameter",
    "lhs": "a Latin hypercube of `samples` points",
    "sobol": "Saltelli's scheme for Sobol indices: `samples` (a power of 2) x (parameters + 2)",
    "morris": "`samples` Morris trajectories of (parameters + 1) points on 4 levels",
}
FIELDS = (
    "title",
    "scenario",
    "method",
    "parameters",
    "samples",
    "reps",
    "seed",
    "weeks",
    "intervention",
)
MAX_RUNS = 1_000_000
MORRIS_LEVELS = 4
OUTCOMES = {
    "cumulative_profit": "cumulative profit over the run (currency)",
    "turnover": "front-line quits over the run per employee and year (share/year)",
    "customer_retention": "customer retention over the last 13 weeks (share/year)",
    "employee_satisfaction": "employee satisfaction over the last 13 weeks (0-100)",
    "customer_satisfaction": "customer satisfaction over the last 13 weeks (0-100)",
    "profit_difference": "cumulative profit with the intervention minus without (currency)",
}
"""What each run is summarised by for sensitivity analysis."""


@dataclass(frozen=True)
class Design:
    """A checked design: what to vary, how to sample it and how often to run it."""

    title: str
    scenario: Scenario
    method: str
    ranges: dict[str, tuple[float, float]]
    samples: int
    reps: int = 1
    seed: int = 0
    weeks: int = 156
    intervention: Intervention | None = None

    def problem(self) -> dict:
        """The design as SALib's problem definition."""
        return {
            "num_vars": len(self.ranges),
            "names": list(self.ranges),
            "bounds": [list(bounds) for bounds in self.ranges.values()],
        }

    def points(self) -> pd.DataFrame:
        """The design points, one row per point (integers rounded), in a fixed order."""
        names = list(self.ranges)
        if self.method == "factorial":
            levels = [np.linspace(*self.ranges[name], self.samples) for name in names]
            matrix = np.array(list(itertools.product(*levels)))
        elif self.method == "lhs":
            matrix = latin.sample(self.problem(), self.samples, seed=self.seed)
        elif self.method == "sobol":
            matrix = sobol_sample.sample(
                self.problem(), self.samples, calc_second_order=False, seed=self.seed
            )
        else:
            matrix = morris_sample.sample(
                self.problem(), self.samples, num_levels=MORRIS_LEVELS, seed=self.seed
            )
        points = pd.DataFrame(matrix, columns=names)
        for name in names:
            if BY_NAME[name].integer:
                points[name] = points[name].round().astype(int)
        points.index.name = "point"
        return points

    def runs(self) -> int:
        """Runs the design asks for: points times replications."""
        return _point_count(self) * self.reps

    def to_dict(self) -> dict:
        """Plain data that `parse_design` reads back to an equal design."""
        return {
            "title": self.title,
            "scenario": self.scenario.to_dict(),
            "method": self.method,
            "parameters": {name: list(bounds) for name, bounds in self.ranges.items()},
            "samples": self.samples,
            "reps": self.reps,
            "seed": self.seed,
            "weeks": self.weeks,
        } | ({"intervention": self.intervention.to_dict()} if self.intervention else {})

    def outcomes(self) -> list[str]:
        """The `OUTCOMES` its runs have (the profit difference needs an intervention)."""
        return [o for o in OUTCOMES if o != "profit_difference" or self.intervention]


def _point_count(design: Design) -> int:
    k, n = len(design.ranges), design.samples
    return {"factorial": n**k, "lhs": n, "sobol": n * (k + 2), "morris": n * (k + 1)}[design.method]


def _ranges(data: object) -> dict[str, tuple[float, float]]:
    if not isinstance(data, dict) or not data:
        raise InputError(
            f"parameters: {data!r} is not usable; allowed: NAME: [LOW, HIGH] lines, at least one"
        )
    ranges = {}
    for name, bounds in data.items():
        where = f"parameters.{name}"
        declared = BY_NAME.get(name) if isinstance(name, str) else None
        if declared is None:
            raise InputError(f"{where}: unknown parameter; see `python -m model params`")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise InputError(
                f"{where}: {bounds!r} is not a range; allowed: [LOW, HIGH] within "
                f"{declared.allowed()}"
            )
        low, high = (declared.validate(value, where) for value in bounds)
        if not low < high:
            raise InputError(
                f"{where}: [{low:g}, {high:g}] is an empty range; allowed: LOW below HIGH"
            )
        ranges[name] = (float(low), float(high))
    return ranges


def parse_design(data: object, folder: Path | None = None) -> Design:
    """Check plain data (as read from YAML) and build a Design.

    `scenario` is a shipped scenario's name, a scenario written out in the
    design itself, or, for a design read from a `folder`, a scenario file
    (relative to it). Designs from elsewhere (an upload) may not name files.

    Raises:
        InputError: Naming the first field that is wrong, its value and what is allowed.
    """
    data = top_level(data, "design", FIELDS)
    method = data.get("method")
    if not isinstance(method, str) or method not in METHODS:
        raise InputError(f"method: {method!r} is not a method; allowed: {', '.join(METHODS)}")
    source = data.get("scenario", "baseline")
    if isinstance(source, dict):
        scenario = parse_scenario(source)
    elif isinstance(source, str) and source in scenario_names():
        scenario = load_scenario(source)
    elif isinstance(source, str) and source and folder is not None:
        scenario = load_scenario(folder / source)
    else:
        raise InputError(
            f"scenario: {source!r} is not usable; allowed: one of {', '.join(scenario_names())}, "
            "a scenario mapping, or a file beside a design file"
        )
    design = Design(
        title=str(data.get("title") or f"{method} sweep of {scenario.title}"),
        scenario=scenario,
        method=method,
        ranges=_ranges(data.get("parameters")),
        samples=whole_number(data.get("samples"), "samples", 2, MAX_RUNS),
        reps=whole_number(data.get("reps", 1), "reps", 1, MAX_REPS),
        seed=whole_number(data.get("seed", 0), "seed", 0, 2**63 - 1),
        weeks=whole_number(data.get("weeks", scenario.weeks), "weeks", 1, MAX_WEEKS),
    )
    if data.get("intervention") is not None:
        design = replace(design, intervention=_intervention(data["intervention"], design))
    if method == "sobol" and design.samples & (design.samples - 1):
        raise InputError(
            f"samples: {design.samples} does not suit Sobol sampling; allowed: a power of 2 "
            "(e.g. 64, 128, 256)"
        )
    if method == "factorial" and any(
        BY_NAME[name].integer and high - low + 1 < design.samples
        for name, (low, high) in design.ranges.items()
    ):
        raise InputError(
            f"samples: {design.samples} levels do not fit a whole-number range; allowed: "
            "at most as many levels as whole numbers in each range"
        )
    if design.runs() > MAX_RUNS:
        raise InputError(
            f"samples: {design.runs():,} runs ({_point_count(design):,} points x {design.reps} "
            f"replications); allowed: at most {MAX_RUNS:,}"
        )
    return design


def _intervention(data: object, design: Design) -> Intervention:
    """The change whose payback the sweep measures, run beside its absence."""
    intervention = parse_intervention(
        data, "intervention", design.weeks, design.scenario.values()["n_units"]
    )
    if not intervention.changes and not intervention.new_manager:
        raise InputError(
            "intervention.set: nothing is changed; allowed: at least one NAME: VALUE line"
        )
    varied = [name for name in intervention.changes if name in design.ranges]
    if varied:
        raise InputError(
            f"intervention.set.{varied[0]}: also varied in parameters; allowed: parameters "
            "the design does not vary"
        )
    return intervention


def load_design(path: str | Path) -> Design:
    """Read a design file (safe YAML only).

    Raises:
        InputError: When the file is missing, unreadable or not a valid design.
    """
    path = Path(path)
    return parse_design(read_yaml(read_file(path, "design"), "design"), folder=path.parent)


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
        for point in range(_point_count(design))
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
        last = run[run.step > run.step.max() - 13]
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


def check_outcome(design: Design, outcome: str) -> str:
    """`outcome` if the design's runs have it; else one error naming those they have."""
    if outcome not in design.outcomes():
        raise InputError(
            f"--outcome: {outcome!r} is not an outcome of this design; allowed: "
            f"{', '.join(design.outcomes())}"
        )
    return outcome


def finished(out: str | Path) -> tuple[Design, pd.DataFrame]:
    """A finished sweep's design and its runs, one row each (`summarise`).

    Raises:
        InputError: When some runs of the design have not finished.
    """
    out = Path(out)
    design = load_design(out / "design.yaml")
    missing = len(pending(design, out))
    if missing:
        raise InputError(
            f"--out: {missing:,} of {design.runs():,} runs have not finished; allowed: a "
            "finished sweep (run it again to resume)"
        )
    return design, summarise(results(out))


def indices(design: Design, runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Sobol or Morris indices of `outcome`, with 95% confidence intervals.

    Uses the mean over replications at each design point, so `runs` must be
    the whole design's.
    """
    check_outcome(design, outcome)
    if design.method not in ("sobol", "morris"):
        raise InputError(
            f"method: {design.method!r} gives no sensitivity indices; allowed: sobol or morris"
        )
    y = runs.groupby("point")[outcome].mean().to_numpy()
    problem = design.problem()
    if design.method == "sobol":
        found = sobol_analysis.analyze(problem, y, calc_second_order=False, seed=design.seed)
        columns = {
            "S1": "first_order",
            "S1_conf": "first_order_ci",
            "ST": "total",
            "ST_conf": "total_ci",
        }
    else:
        x = design.points().to_numpy(dtype=float)
        found = morris_analysis.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=design.seed)
        columns = {"mu_star": "mu_star", "mu_star_conf": "mu_star_ci", "sigma": "sigma"}
    table = pd.DataFrame({new: np.asarray(found[old]) for old, new in columns.items()})
    table.insert(0, "parameter", problem["names"])
    return table.sort_values(table.columns[1], ascending=False, key=abs, ignore_index=True)


def sensitivity(out: str | Path, outcome: str = "cumulative_profit") -> pd.DataFrame:
    """Sobol or Morris indices of `outcome` for the finished sweep in `out`."""
    return indices(*finished(out), outcome)
