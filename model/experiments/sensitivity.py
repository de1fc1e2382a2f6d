"""What moves an outcome across a sweep: main effects, Sobol and Morris indices, PRIM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from scipy.stats import binom

from model.engine.parameters import BY_NAME, InputError
from model.experiments.designs import MORRIS_LEVELS, Design, load_design
from model.experiments.sweeps import pending, results, summarise

EDGE = 0.25
"""Share of a parameter's range at each end that counts as "low" or "high" in main effects."""


def main_effects(runs: pd.DataFrame, ranges: dict[str, tuple[float, float]], outcome: str):
    """How far `outcome` moves from the low to the high end of each parameter's range.

    For each parameter: the mean outcome over runs with it in the bottom
    quarter of its range, and over runs with it in the top quarter, the
    others varying as the design varies them. No model of the response is
    fitted, so a peak inside the range shows as a small effect, not a false
    slope. The interval is 1.96 standard errors of the difference.

    A parameter with no runs yet at one end (a sweep stopped early) is left
    out: there is nothing to compare.

    Returns:
        One row per parameter, largest effect first: `parameter`, `low`,
        `high` (the range), `at_low`, `at_high`, `effect` (= at_high - at_low),
        `effect_ci` (NaN with a single run at an end).
    """
    rows = []
    for name, (low, high) in ranges.items():
        edge = EDGE * (high - low)
        bottom = runs.loc[runs[name] <= low + edge, outcome]
        top = runs.loc[runs[name] >= high - edge, outcome]
        if bottom.empty or top.empty:
            continue
        spread = np.sqrt(bottom.var() / len(bottom) + top.var() / len(top))
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                "at_low": bottom.mean(),
                "at_high": top.mean(),
                "effect": top.mean() - bottom.mean(),
                "effect_ci": 1.96 * spread,
            }
        )
    columns = ["parameter", "low", "high", "at_low", "at_high", "effect", "effect_ci"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("effect", key=abs, ascending=False, ignore_index=True)


PEEL = 0.05
"""Share of the runs in the box that PRIM peels off at each step."""


def prim_trajectory(x: pd.DataFrame, y: np.ndarray, min_runs: int) -> list[dict]:
    """PRIM peeling (Friedman and Fisher, 1999): smaller boxes where `y` holds more often.

    Each step removes the slice of about `PEEL` of the runs, at the low or
    high end of one parameter, whose removal leaves the highest share of
    true `y`, until fewer than `min_runs` would remain.

    Returns:
        The boxes in peeling order: `bounds` ({name: (low, high)}), `share`
        (of runs in the box where y holds), `runs` (in the box) and
        `coverage` (share of all true runs that are in the box).
    """
    y = np.asarray(y, dtype=bool)
    inside = np.ones(len(y), dtype=bool)
    bounds = {name: (float(x[name].min()), float(x[name].max())) for name in x}

    def box() -> dict:
        return {
            "bounds": dict(bounds),
            "share": float(y[inside].mean()),
            "runs": int(inside.sum()),
            "coverage": float(y[inside].sum() / max(y.sum(), 1)),
        }

    trajectory = [box()]
    while True:
        best = None
        for name in x:
            values = x[name].to_numpy(dtype=float)
            here = values[inside]
            for side in ("low", "high"):
                cut = np.quantile(here, PEEL if side == "low" else 1 - PEEL)
                if side == "low":
                    keep = values > cut if cut == here.min() else values >= cut
                else:
                    keep = values < cut if cut == here.max() else values <= cut
                kept = inside & keep
                if kept.sum() < min_runs or kept.sum() == inside.sum():
                    continue
                share = y[kept].mean()
                if best is None or share > best[0]:
                    best = (share, name, kept)
        if best is None:
            return trajectory
        _, name, inside = best
        bounds[name] = (float(x.loc[inside, name].min()), float(x.loc[inside, name].max()))
        trajectory.append(box())


SIGNIFICANCE = 0.05
NEGLIGIBLE_TRIM = 0.1
"""A bound that trims less than this share of a range is not worth saying."""


def _in_box(x: pd.DataFrame, bounds: dict) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for name, (low, high) in bounds.items():
        inside &= x[name].between(low, high).to_numpy()
    return inside


def significant_bounds(x: pd.DataFrame, y: np.ndarray, bounds: dict, full: dict) -> dict:
    """The restrictions of a PRIM box that matter.

    A box narrows some parameters; peeling also trims slivers that only fit
    the noise. Each restriction is tested by how likely the box's share of
    true `y` would be if the box did not have it (a binomial quasi-p-value,
    as in the EMA Workbench); the least likely to matter is dropped while
    that chance is above `SIGNIFICANCE`.
    """
    y = np.asarray(y, dtype=bool)
    narrowed = {name: b for name, b in bounds.items() if b != full[name]}
    while narrowed:
        inside = _in_box(x, narrowed)
        hits, size = int(y[inside].sum()), int(inside.sum())
        chance = {}
        for name in narrowed:
            wider = _in_box(x, {k: v for k, v in narrowed.items() if k != name})
            chance[name] = float(binom.sf(hits - 1, size, y[wider].mean()))
        weakest = max(chance, key=chance.get)
        if chance[weakest] <= SIGNIFICANCE:
            return narrowed
        del narrowed[weakest]
    return narrowed


def where_it_pays(runs: pd.DataFrame, parameters: list[str], weeks: int) -> dict:
    """The conditions under which an intervention pays back within `weeks`, in plain words.

    A run pays back when its cumulative profit with the intervention is above
    that without it at the last week. Of the boxes PRIM finds, the one that
    best trades how often runs in it pay back against how many of the runs
    that pay back it takes in (the largest product of the two), keeping
    only the restrictions that matter (`significant_bounds`).
    """
    pays = runs.profit_difference.to_numpy() > 0
    overall = float(pays.mean())
    horizon = f"within {weeks} weeks"
    if overall in (0.0, 1.0):
        statement = (
            f"It paid back {horizon} in every run."
            if overall
            else f"It did not pay back {horizon} in any run."
        )
        return {"statement": statement, "share": overall, "bounds": {}}
    x = runs[parameters]
    trajectory = prim_trajectory(x, pays, min_runs=max(int(0.1 * len(runs)), 5))
    chosen = max(trajectory, key=lambda b: b["share"] * b["coverage"])
    full = trajectory[0]["bounds"]
    narrowed = significant_bounds(x, pays, chosen["bounds"], full)
    if not narrowed:
        return {
            "statement": f"It paid back {horizon} in {overall:.0%} of runs, with no range of "
            "the parameters studied where it clearly does better.",
            "share": overall,
            "bounds": {},
        }
    inside = _in_box(x, narrowed)
    share, runs_in = float(pays[inside].mean()), int(inside.sum())
    coverage = float(pays[inside].sum() / pays.sum())
    conditions = []
    for name, (low, high) in narrowed.items():
        p = BY_NAME[name]
        full_low, full_high = full[name]
        margin = NEGLIGIBLE_TRIM * (full_high - full_low)
        raised, lowered = low > full_low + margin, high < full_high - margin
        if raised and not lowered:
            where = f"is at least {low:.3g}"
        elif lowered and not raised:
            where = f"is at most {high:.3g}"
        else:
            where = f"is between {low:.3g} and {high:.3g}"
        conditions.append(f"{p.label.lower()} {where} ({p.unit})")
    statement = (
        f"It paid back {horizon} in {share:.0%} of runs where {' and '.join(conditions)}, "
        f"against {overall:.0%} of all runs. These conditions held in {runs_in / len(runs):.0%} "
        f"of runs and take in {coverage:.0%} of the runs where it paid back."
    )
    return {"statement": statement, "share": share, "bounds": narrowed}


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
