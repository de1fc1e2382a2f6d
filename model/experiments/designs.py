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

import itertools
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from model.analysis import RECENT_WEEKS
from model.engine.parameters import BY_NAME, InputError
from model.scenario import (
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
from model.simulate import MAX_REPS

METHODS = {
    "factorial": "every combination of {samples} evenly spaced levels per parameter",
    "lhs": "a Latin hypercube of {samples} points",
    "sobol": "Saltelli's scheme for Sobol indices: {samples} (a power of 2) x (parameters + 2)",
    "morris": "{samples} Morris trajectories of (parameters + 1) points on 4 levels",
}
"""Each method in words; `{samples}` is filled with the design's number of samples."""
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
    "customer_retention": f"customer retention over the last {RECENT_WEEKS} weeks (share/year)",
    "employee_satisfaction": f"employee satisfaction over the last {RECENT_WEEKS} weeks (0-100)",
    "customer_satisfaction": f"customer satisfaction over the last {RECENT_WEEKS} weeks (0-100)",
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
        return point_count(self) * self.reps

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


def point_count(design: Design) -> int:
    """Design points the method makes from `samples` for this many parameters."""
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
            raise InputError(
                f"{where}: unknown parameter; allowed: one of the names `python -m model params` "
                "lists"
            )
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
            f"samples: {design.runs():,} runs ({point_count(design):,} points x {design.reps} "
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
