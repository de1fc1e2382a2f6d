"""A baseline set from a company's own figures.

Some figures give a parameter directly (units, staff, customers, pay, spend,
margins); the rest (turnover, early exits, engagement, retention, operating
margin) are outcomes of the whole chain. Those are matched by moving the
declared parameter that moves each most, all at once: trial runs of the
baseline on a Latin hypercube of those parameters (the same seed at every
trial), a quadratic response surface through them that averages out the
runs' noise, and SciPy's bounded least squares on that surface; then again
on a tighter design around the answer.
The result is an ordinary scenario whose provenance holds the figures and
the fit, figure by figure. Only aggregates are read and kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import qmc

from model.engine.parameters import BY_NAME, InputError
from model.experiments.calibration import workforce
from model.scenario import Scenario, read_yaml
from model.simulate import VERSION, simulate

FIT_WEEKS = 52
"""Weeks of the baseline each trial runs after its warm-up: a year of figures."""

ROUNDS = ((1.0, 30), (0.3, 20))
"""The fit's rounds: trial runs spread over this share of each parameter's range
(first all of it, then tighter and tighter around the answer so far), and how many."""

WELL_IDENTIFIED = 0.05
"""Largest uncertainty (share of its range) for a parameter to count as pinned by the figures."""


@dataclass(frozen=True)
class Figure:
    """A figure a company can give, and how the model takes it.

    A figure either `sets` a parameter (in that parameter's unit) or is matched by
    the fit, which moves `fitted_by` until the baseline reproduces the figure
    within `tolerance`; `low` and `high` bound what the model can represent.
    """

    name: str
    label: str
    unit: str
    sets: str = ""
    fitted_by: str = ""
    low: float = -math.inf
    high: float = math.inf
    tolerance: float = 0.0

    def bounds(self) -> tuple[float, float]:
        """What the model can represent, in the figure's unit."""
        if self.sets:
            return BY_NAME[self.sets].low, BY_NAME[self.sets].high
        return self.low, self.high


FIGURES = (
    Figure("units", "Units", "stores or branches", sets="n_units"),
    Figure("staff_per_unit", "Front-line staff per unit", "employees", sets="staff_per_unit"),
    Figure("layers", "Layers of management", "layers", sets="hierarchy_layers"),
    Figure(
        "support_staff_ratio", "Support staff per 100 front-line", "people", "support_staff_ratio"
    ),
    Figure("weekly_wage", "Front-line pay a week", "currency/week", sets="weekly_wage"),
    Figure("customers_per_unit", "Regular customers per unit", "customers", "customers_per_unit"),
    Figure("spend_per_visit", "Spend per visit", "currency", sets="spend_per_visit"),
    Figure("gross_margin", "Gross margin", "share of sales", sets="gross_margin"),
    Figure("cost_per_exit", "Cost of one leaver", "share of annual pay", "replacement_cost_share"),
    Figure(
        "annual_turnover",
        "Front-line turnover a year",
        "share of staff/year",
        fitted_by="labour_market_tightness",
        low=0.2,
        high=1.5,
        tolerance=0.05,
    ),
    Figure(
        "early_exit_share",
        "Leavers within their first 90 days",
        "share of leavers",
        fitted_by="onboarding_quality",
        low=0.2,
        high=0.7,
        tolerance=0.04,
    ),
    Figure(
        "engaged_share",
        "Employees engaged",
        "share of staff",
        fitted_by="internal_policy_friction",
        low=0.15,
        high=0.8,
        tolerance=0.04,
    ),
    Figure(
        "customer_retention",
        "Customers kept a year",
        "share/year",
        fitted_by="customer_expectation",
        low=0.5,
        high=0.95,
        tolerance=0.02,
    ),
)

MARGIN = Figure(
    "operating_margin",
    "Operating margin",
    "share of sales",
    fitted_by="unit_fixed_costs",
    low=-0.2,
    high=0.3,
    tolerance=0.005,
)
"""Solved from the books once the rest is fitted: fixed costs move profit and nothing else."""
"""Every figure the fit reads, in the order a form asks for them."""

BY_FIGURE = {figure.name: figure for figure in (*FIGURES, MARGIN)}


def check_figures(figures: dict[str, object]) -> dict[str, float]:
    """The figures as numbers, or one line naming the first that cannot be used.

    Raises:
        InputError: For an unknown name, a value that is not a number or lies outside
            what the model can represent, or figures that contradict each other.
    """
    checked = {}
    for name, value in figures.items():
        if name not in BY_FIGURE:
            raise InputError(f"{name}: not a figure the fit reads; allowed: {', '.join(BY_FIGURE)}")
        low, high = BY_FIGURE[name].bounds()
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise InputError(f"{name}: {value!r} is not a number; allowed: {low:g} to {high:g}")
        if not low <= value <= high:
            raise InputError(
                f"{name}: {value!r} is beyond what the model represents; allowed: {low:g} to "
                f"{high:g} {BY_FIGURE[name].unit}"
            )
        checked[name] = float(value)
    if checked.get("operating_margin", -math.inf) >= checked.get("gross_margin", math.inf):
        raise InputError(
            f"operating_margin: {checked['operating_margin']:g} is not below gross_margin "
            f"{checked['gross_margin']:g}; allowed: an operating margin below the gross margin"
        )
    if not checked:
        raise InputError("figures: none given; allowed: one or more of " + ", ".join(BY_FIGURE))
    return checked


def read_figures(text: str | bytes, what: str = "figures") -> dict[str, float]:
    """Figures from a YAML mapping or a two-column CSV (`figure,value`), checked."""
    text = text.decode() if isinstance(text, bytes) else text
    if text.lstrip().lower().startswith("figure,"):
        rows = [line.split(",") for line in text.strip().splitlines()[1:] if line.strip()]
        if any(len(row) != 2 for row in rows):
            raise InputError(f"{what}: a row without two columns; allowed: figure,value lines")
        data: object = {}
        for name, value in rows:
            try:
                data[name.strip()] = float(value)
            except ValueError:
                data[name.strip()] = value.strip()
    else:
        data = read_yaml(text, what)
    if not isinstance(data, dict):
        raise InputError(f"{what}: not a mapping; allowed: figure: value lines")
    return check_figures(data)


def measure(scenario: Scenario, seed: int = 0, reps: int = 2) -> pd.DataFrame:
    """The fitted figures as the scenario's baseline makes them in a year: a row a replication."""
    table = simulate(scenario, steps=FIT_WEEKS, seed=seed, reps=reps)
    people, runs = workforce(table), table.groupby("rep")
    return pd.DataFrame(
        {
            "annual_turnover": people["turnover"],
            "early_exit_share": people["early_exits"],
            "engaged_share": runs.engaged_share.mean(),
            "customer_retention": runs.customer_retention.mean(),
            "operating_margin": runs.profit.sum() / runs.revenue.sum(),
        }
    )


@dataclass(frozen=True)
class Fit:
    """A fitted organisation and how well it reproduces the figures it was fitted to."""

    scenario: Scenario
    report: pd.DataFrame
    """Figure by figure: target, model (mean of the replications), its noise (their
    standard error: a smaller company or fewer replications cannot be fitted
    closer than that), tolerance and whether the model is within it."""
    fitted: pd.DataFrame
    """Parameter by parameter: the value found, its uncertainty (share of its range) and
    whether the figures pin it well, weakly or exactly."""


TRIALS = sum(trials for _, trials in ROUNDS)
"""Trial runs a fit makes (besides solving the margin and the final check)."""


def fit(
    figures: dict[str, float],
    title: str = "Our company",
    seed: int = 0,
    reps: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> Fit:
    """The baseline that reproduces `figures` (checked with `check_figures`).

    Args:
        figures: Figure names (`FIGURES`) mapped to the company's values.
        title: The fitted scenario's title.
        seed: Seed of every trial run (common random numbers).
        reps: Replications per trial.
        progress: Called with (trials done, `TRIALS`) after each trial run.
    """
    figures = check_figures(figures)
    start = Scenario(title).with_parameters(
        {
            BY_FIGURE[name].sets: _as_value(BY_NAME[BY_FIGURE[name].sets], value)
            for name, value in figures.items()
            if BY_FIGURE[name].sets
        }
    )
    targets = [BY_FIGURE[name] for name in figures if BY_FIGURE[name].fitted_by]
    surfaced = [figure for figure in targets if figure is not MARGIN]
    fitted, uncertainty = _fit_surface(start, surfaced, figures, seed, reps, progress)
    if MARGIN in targets:
        fitted = _margin_solved(fitted, figures[MARGIN.name], seed, reps)
        uncertainty.append(0.0)  # solved exactly from the books
    found = measure(fitted, seed, reps)[[f.name for f in targets]]
    report = pd.DataFrame(
        {
            "figure": [f.label for f in targets],
            "target": [figures[f.name] for f in targets],
            "model": found.mean().to_numpy(),
            "noise": (found.std() / np.sqrt(reps)).fillna(0.0).to_numpy(),
            "tolerance": [f.tolerance for f in targets],
        }
    )
    report["within"] = (report.model - report.target).abs() <= report.tolerance
    free = [BY_NAME[f.fitted_by] for f in targets]
    pinned = pd.DataFrame(
        {
            "parameter": [p.label for p in free],
            "name": [p.name for p in free],
            "value": [fitted.values()[p.name] for p in free],
            "uncertainty": uncertainty,
        }
    )
    pinned["identified"] = np.select(
        [pinned.uncertainty == 0.0, pinned.uncertainty <= WELL_IDENTIFIED],
        ["exactly", "well"],
        "weakly",
    )
    provenance = {
        "figures": figures,
        "fit": json.loads(report.to_json(orient="records")),
        "fitted": json.loads(pinned.to_json(orient="records")),
        "seed": seed,
        "replications": reps,
        "model_version": VERSION,
    }
    scenario = replace(fitted, description=_description(title, report), provenance=provenance)
    return Fit(scenario, report, pinned)


def _fit_surface(
    start: Scenario,
    targets: list[Figure],
    figures: dict[str, float],
    seed: int,
    reps: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[Scenario, list[float]]:
    """The parameters behind `targets` fitted on response surfaces, round by round.

    Returns the fitted scenario and, per parameter, its uncertainty: how far
    (share of its range) it can move, the others moving with it, while the
    figures stay within about their tolerances.
    """
    free = [BY_NAME[figure.fitted_by] for figure in targets]
    target = np.array([figures[f.name] for f in targets])
    tolerance = np.array([f.tolerance for f in targets])

    def scenario_at(x: np.ndarray) -> Scenario:
        return start.with_parameters(
            {p.name: _unscaled(p, v) for p, v in zip(free, x, strict=True)}
        )

    if not free:
        return start, []
    x = np.array([(start.values()[p.name] - p.low) / (p.high - p.low) for p in free])
    done = 0
    for spread, trials in ROUNDS:
        low, high = np.clip(x - spread / 2, 0, 1), np.clip(x + spread / 2, 0, 1)
        design = low + (high - low) * qmc.LatinHypercube(d=len(free), seed=seed).random(trials)
        observed = []
        for point in design:
            observed.append(
                measure(scenario_at(point), seed, reps)[[f.name for f in targets]].mean()
            )
            done += 1
            if progress:
                progress(done, TRIALS)
        surface = _Surface(design, np.array(observed))
        x = least_squares(
            lambda y, surface=surface: (surface(y) - target) / tolerance,
            np.clip(x, low, high),
            bounds=(low, high),
        ).x
    slopes = surface.slopes(x) / tolerance[:, None]
    # How far each parameter can move, the others moving with it, before the figures
    # leave their tolerances: the least-squares standard error, in shares of its range.
    spread = np.sqrt(np.diag(np.linalg.pinv(slopes.T @ slopes)))
    return scenario_at(x), [float(v) for v in spread]


def _margin_solved(scenario: Scenario, margin: float, seed: int, reps: int) -> Scenario:
    """The scenario with the fixed costs per unit that give `margin` (same runs, same seed)."""
    table = simulate(scenario, steps=FIT_WEEKS, seed=seed, reps=reps)
    unit_weeks = scenario.values()["n_units"] * FIT_WEEKS * reps
    fixed = scenario.values()["unit_fixed_costs"]
    fixed += (table.profit.sum() - margin * table.revenue.sum()) / unit_weeks
    return scenario.with_parameters(
        {"unit_fixed_costs": _as_value(BY_NAME["unit_fixed_costs"], fixed)}
    )


class _Surface:
    """A quadratic response surface through trial runs: how each figure moves with the parameters.

    Fitted by least squares over the trials, it averages out the runs' noise,
    which a search stepping from one noisy run to the next cannot.
    """

    def __init__(self, design: np.ndarray, observed: np.ndarray) -> None:
        self.centre = design.mean(axis=0)
        self.coefficients = np.linalg.lstsq(self._terms(design), observed, rcond=None)[0]

    def _terms(self, x: np.ndarray) -> np.ndarray:
        d = np.atleast_2d(x) - self.centre
        return np.hstack([np.ones((len(d), 1)), d, d**2])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self._terms(x)[0] @ self.coefficients

    def slopes(self, x: np.ndarray) -> np.ndarray:
        """Figures by parameters: d figure / d parameter (share of its range) at `x`."""
        d = np.asarray(x) - self.centre
        k = len(d)
        return (self.coefficients[1 : 1 + k] + 2 * d[:, None] * self.coefficients[1 + k :]).T


def _unscaled(parameter, share: float) -> float | int:
    """The value at `share` of the parameter's range."""
    return _as_value(parameter, parameter.low + share * (parameter.high - parameter.low))


def _as_value(parameter, value: float) -> float | int:
    """A value as the parameter's type, rounded to what a scenario file keeps."""
    value = min(max(value, parameter.low), parameter.high)
    return int(round(value)) if parameter.integer else float(f"{value:.4g}")


def _description(title: str, report: pd.DataFrame) -> str:
    held = int(report.within.sum())
    return (
        f"{title}: the baseline fitted to the company's own figures ({held} of "
        f"{len(report)} fitted figures within tolerance; see the provenance).\n\n"
        "Things to notice: this is the company as it is today, with nothing changed; pull "
        "the levers to see what a policy would do here rather than in the shipped chain."
    )
