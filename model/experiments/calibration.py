"""The published figures the default chain is calibrated to, and the model's values.

Each target states the figure, its source and the band the model must land in
(`../shared/calibration.md`); `measure()` runs the model with replications on
fixed seeds and returns one row per target: the model's value, its spread
across replications and whether it holds. Nothing here adjusts outputs: when a
figure falls outside its band, the mechanism has to change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.engine import mechanisms as mech
from model.engine.chain import ServiceProfitChain
from model.engine.parameters import BY_NAME
from model.scenario import Scenario, load_scenario
from model.simulate import replication_rng, simulate

SEED = 2024
YEAR = 52


@dataclass(frozen=True)
class Target:
    """A published figure and the band the model's value must land in."""

    key: str
    figure: str
    source: str
    low: float
    high: float
    unit: str
    carried_by: tuple[str, ...]
    """Coefficients of `mechanisms` (upper case) or parameters that set this figure."""


TARGETS = (
    Target(
        "turnover",
        "Annual front-line turnover about 60%",
        "NRF; McKinsey 2022; Korn Ferry 2022 (hourly in-store 75.8%)",
        0.50,
        0.75,
        "share/year",
        ("QUIT_BASE", "QUIT_SATISFACTION_SCALE"),
    ),
    Target(
        "early_exits",
        "About 40% of exits within 90 days",
        "US retail workforce benchmarks (the calibration targets name no single study)",
        0.30,
        0.50,
        "share of exits",
        ("EARLY_QUIT_EXTRA", "EARLY_WEEKS"),
    ),
    Target(
        "turnover_cost",
        "Turnover costs about 10-13% of payroll",
        "Boushey and Glynn (2012): 16-21% of annual pay per exit",
        0.10,
        0.13,
        "share of payroll",
        ("replacement_cost_share",),
    ),
    Target(
        "ramp",
        "New front-line hires ramp faster than 28 weeks",
        "Oxford Economics (2014): 28 weeks for professional roles",
        4,
        28,
        "weeks to 90% of seasoned skill",
        ("SKILL_START", "SKILL_LEARNING", "ONBOARDING_LEARNING"),
    ),
    Target(
        "convexity",
        "The very satisfied are at least 2-3 times as likely to still be customers 18 months on",
        "Heskett et al. (1994), Xerox: 6 times",
        2.0,
        8.0,
        "ratio",
        ("DEFECTION_BACKGROUND", "DEFECTION_AT_70", "DEFECTION_SCALE", "TEMPERAMENT_SPREAD"),
    ),
    Target(
        "satisfied_defection",
        "15-40% of merely satisfied customers defect each year",
        "Heskett et al. (1994), 1996 multi-industry survey",
        0.15,
        0.40,
        "share/year",
        ("DEFECTION_BACKGROUND", "DEFECTION_AT_70", "DEFECTION_SCALE"),
    ),
    Target(
        "sears_customers",
        "+5 points of employee attitude: +0.8 to 2.0 points of customer satisfaction",
        "Rucci, Kirn and Quinn (1998), Sears",
        0.8,
        2.0,
        "points per 5 points",
        ("DISCONFIRMATION", "CUSTOMER_INERTIA"),
    ),
    Target(
        "sears_revenue",
        "+5 points of employee attitude: +0.2 to 0.8 points of the next year's revenue growth",
        "Rucci, Kirn and Quinn (1998), Sears",
        0.2,
        0.8,
        "percentage points per 5 points",
        ("LOYAL_SPEND_PREMIUM", "REFERRAL_PROBABILITY", "ACQUISITION_RATE"),
    ),
    Target(
        "outside_in",
        "Customers' satisfaction feeds back to employees, more weakly than the inside-out path",
        "Schneider, White and Paul (1998)",
        0.01,
        0.99,
        "outside-in over inside-out response, points per point",
        ("TARGET_CUSTOMERS", "TARGET_ISQ"),
    ),
    Target(
        "surge_recovery",
        "After a temporary surge, a loss lasts a year after demand returns",
        "Oliva and Sterman (2001)",
        -100.0,
        -2.0,
        "revenue a year on against no surge, in standard errors (a lasting loss: below -2)",
        (
            "STANDARD_EROSION",
            "STANDARD_RECOVERY",
            "PRODUCTIVITY_PERCEPTION_WEEKS",
            "TARGET_UTILISATION",
        ),
    ),
    Target(
        "margin",
        "The default chain's operating margin is thin, as in service retail",
        "Grocery, restaurant and service retail: 3-8% of revenue",
        0.03,
        0.08,
        "share of revenue",
        ("unit_fixed_costs", "gross_margin"),
    ),
    Target(
        "at_rest",
        "With nothing changed, every measure stays level over ten years",
        "The calibration targets (a baseline at rest, so that comparisons do not ride a drift)",
        0.0,
        3.0,
        "largest ten-year trend among the chain's measures, in standard errors",
        ("ACQUISITION_RATE", "STANDARD_RECOVERY", "TARGET_UTILISATION"),
    ),
    Target(
        "interior_optimum",
        "Profit peaks at an interior level of investment in employees",
        "Hogreve et al. (2017)",
        1,
        3,
        "index of the best of 5 programme levels (0-4)",
        ("PROGRAMME_MAX_BOOST", "PROGRAMME_SCALE"),
    ),
)
KNOWN_GAPS = {
    "convexity": "with 15-40% of the merely satisfied gone in a year, at least 46% of them are "
    "still customers 18 months on, and with 5% of customers a year moving away whatever the "
    "service (`DEFECTION_BACKGROUND`) at most 93% of the very satisfied are: the ratio cannot "
    "pass 1.99 even with no other defection among the very satisfied and the merely satisfied "
    "at the top of their band (in the US 8.4% of people moved in 2021, 3.3% to another county: "
    "Census CPS), and customers who move between the bands within 18 months dilute it further. "
    "Tried: a flat zone of indifference below 80 and a sharp drop above it (Jones and Sasser "
    "1995) reaches 1.8-2.2, but only with 40-49% of the satisfied gone in a year; a near-step "
    "at 80 gives 1.5-1.6; defection following a loyalty that builds over one to two years "
    "(Bolton 1998), 1.56-1.63",
    "sears_revenue": "across units, against each unit's own trend, next year's revenue grows "
    "about six times as much per 5 points of attitude as at Sears. Switched off one at a time, "
    "retention carries about 2.8 of the 5.1 points, visits and basket 1.1, let-down customers' "
    "warnings 0.65, referrals little; with every channel's link to satisfaction cut the figure "
    "is 0.1. Tried: visits and basket almost flat (3.7-3.9), a more saturated market (4.3), "
    "defection following a loyalty built over one or two years (3.8, 3.2), retention set "
    "mostly by how well the unit suits each customer rather than by the service (3.3-4.6), "
    "and these together (1.1-1.4, but then customer satisfaction answers 2.2-2.5 points per 5 "
    "and the merely satisfied defect at 40% a year or the margin passes 8%); measured on the "
    "baseline's own year-to-year variation across units instead of a programme, 2.9-3.5. A "
    "retention curve convex enough for the previous figure keeps the customer base this "
    "sensitive",
}
"""Figures the model does not reproduce yet, and how it misses them (tested strictly)."""

LEVEL_MEASURES = (
    "internal_service_quality",
    "employee_satisfaction",
    "service_standard",
    "workload",
    "headcount",
    "customer_satisfaction",
    "active_customers",
    "revenue",
    "profit",
)
"""The measures, stage by stage of the chain, that must stay level at rest."""

ENGAGEMENT_LEVELS = (0, 750, 1500, 2250, 3000)
"""Engagement programme spend swept for the interior optimum (currency/employee/year)."""


def _org(scenario: Scenario, reps: int, weeks: int = 156) -> pd.DataFrame:
    return simulate(scenario, steps=weeks, seed=SEED, reps=reps)


def _by_rep(table: pd.DataFrame, first: int, last: int, measure: str) -> pd.Series:
    window = table[(table.step >= first) & (table.step <= last)]
    return window.groupby("rep")[measure].mean()


def workforce(base: pd.DataFrame) -> dict[str, pd.Series]:
    """Per replication: annual turnover, the share of exits within 13 weeks, turnover cost."""
    reps = base.groupby("rep")
    years = base.step.max() / YEAR
    return {
        "turnover": reps.quits.sum() / reps.headcount.mean() / years,
        "early_exits": reps.early_quits.sum() / reps.quits.sum(),
        "turnover_cost": reps.turnover_cost.sum() / reps.payroll.sum(),
    }


SURGE_REPLICATIONS = 32
"""A year on, a surge's loss is small beside the spread across replications (under 1% of
revenue): with 16, one seed's anchored chain showed a loss of -2.5 s.e. that 32 put at -0.9."""


ANCHORED = {"frontline_training_hours": 120, "leader_coaching": 90, "leader_recognition": 90}
"""Standards held by training, coaching and recognition: what should prevent a surge's loss."""


def lasting_loss(reps: int, start: dict | None = None) -> list[float]:
    """Revenue a year after the surge against the chain without it, in standard errors.

    The surge is the shipped scenario's (20% more demand in weeks 52-61), on
    the baseline or on the baseline with `start` set from week 1 (e.g.
    `ANCHORED`). Weeks 105-130, paired on the same draws: each replication's
    relative change, their mean over its standard error (one value for all).
    """
    plain = Scenario("calibration baseline")
    if start:
        plain = plain.with_change(1, start)
    surged = plain
    for step in load_scenario("demand_surge").timeline:
        surged = surged.with_change(step.week, step.changes)
    with_surge, without = _org(surged, reps), _org(plain, reps)
    change = _by_rep(with_surge, 105, 130, "revenue") / _by_rep(without, 105, 130, "revenue") - 1
    return [float(change.mean() / (change.std(ddof=1) / np.sqrt(len(change))))]


def largest_trend(reps: int, years: int = 10) -> float:
    """The baseline's largest trend over `years`, in standard errors across replications.

    Each replication's yearly means of each of `LEVEL_MEASURES` get a straight
    line; a measure's trend is the mean slope over its standard error. At rest,
    no measure's trend stands out of the noise.
    """
    table = _org(Scenario("calibration baseline"), reps, weeks=years * YEAR)
    yearly = table.assign(year=(table.step - 1) // YEAR).groupby(["rep", "year"])
    means = yearly[list(LEVEL_MEASURES)].mean().reset_index()

    def slopes(measure: str) -> pd.Series:
        return means.groupby("rep").apply(lambda d: np.polyfit(d.year, d[measure], 1)[0])

    def t_value(slope: pd.Series) -> float:
        return abs(slope.mean()) / (slope.std(ddof=1) / np.sqrt(len(slope)))

    return max(t_value(slopes(measure)) for measure in LEVEL_MEASURES)


def _ramp_weeks() -> float:
    """Weeks for a new hire to reach 90% of a seasoned colleague's skill, at the defaults."""
    onboarding = BY_NAME["onboarding_quality"].default
    training = BY_NAME["frontline_training_hours"].default
    coaching = np.array([BY_NAME["leader_coaching"].default])
    skill, week = np.array([mech.new_hire_skill(onboarding)]), 0
    seasoned = 0.9 * 100.0 * (1 - (1 - mech.SKILL_LEARNING) ** 104)
    while skill[0] < seasoned:
        skill = mech.skill_growth(skill, np.array([week]), onboarding, training, coaching)
        week += 1
    return float(week)


def _customer_bands(reps: int) -> dict[str, list[float]]:
    """Who is still a customer later, by satisfaction band, counted in the baseline's run.

    The customers very satisfied (80 and over) and merely satisfied (60 to 80)
    at the start are followed by id: the share of each still a customer 18
    months later (their ratio is the Xerox figure), and the share of the
    merely satisfied gone within a year.
    """
    ratios, defections = [], []
    for rep in range(reps):
        model = ServiceProfitChain(rng=replication_rng(SEED, rep))
        c = model.customers
        very = c.id[c.satisfaction >= 80]
        satisfied = c.id[(c.satisfaction >= 60) & (c.satisfaction < 80)]
        for week in range(1, 79):
            model.step()
            if week == YEAR:
                defections.append(1 - np.isin(satisfied, model.customers.id).mean())
        still = model.customers.id
        ratios.append(np.isin(very, still).mean() / np.isin(satisfied, still).mean())
    return {"convexity": ratios, "satisfied_defection": defections}


def _outside_in(engaged: pd.DataFrame, base: pd.DataFrame, reps: int) -> list[float]:
    """The outside-in path against the inside-out one, both as the whole simulation runs.

    Outside-in: employees' response per point of customer satisfaction when only
    customers change (they expect far less, so the same service pleases them
    4-5 points more; they also visit a little more). Inside-out: customers'
    response per point of employee satisfaction under the engagement programme.
    Employees' response is small beside their own week-to-week noise, so each
    replication's is taken per point of the replications' mean change in
    customers (same draws): their mean is the pooled ratio.
    """
    pleased = _org(
        Scenario("calibration baseline").with_change(1, {"customer_expectation": 25}), reps
    )

    def change(table: pd.DataFrame, measure: str) -> pd.Series:
        return _by_rep(table, 27, 78, measure) - _by_rep(base, 27, 78, measure)

    outside = (
        change(pleased, "employee_satisfaction") / change(pleased, "customer_satisfaction").mean()
    )
    inside = (
        change(engaged, "customer_satisfaction").mean()
        / change(engaged, "employee_satisfaction").mean()
    )
    return list(outside / inside)


def _sears_revenue(change: Scenario, base: Scenario, reps: int) -> list[float]:
    """Next year's revenue growth per 5 points of employee attitude, as Sears measured it.

    Across units, against each unit's own trend: a unit's growth from the
    first year to the second with the change, less the same unit's growth
    without it (same draws), on the unit's own rise in employee satisfaction
    in the first year's second half. One slope through the origin per
    replication, in percentage points.
    """
    tables = [
        simulate(s, steps=2 * YEAR, seed=SEED, reps=reps, level="unit") for s in (change, base)
    ]

    def per_unit(table: pd.DataFrame) -> pd.DataFrame:
        units = table.groupby(["rep", "unit"])
        first = table[table.step <= YEAR].groupby(["rep", "unit"]).revenue.sum()
        second = table[table.step > YEAR].groupby(["rep", "unit"]).revenue.sum()
        half = table[(table.step > YEAR // 2) & (table.step <= YEAR)]
        return pd.DataFrame(
            {
                "growth": second / first - 1,
                "attitude": half.groupby(["rep", "unit"]).employee_satisfaction.mean(),
            },
            index=units.size().index,
        )

    changed, same = (per_unit(t) for t in tables)
    difference = changed - same
    slopes = difference.groupby("rep").apply(
        lambda d: (d.growth * d.attitude).sum() / (d.attitude**2).sum()
    )
    return list(slopes * 5 * 100)


@functools.lru_cache(maxsize=4)
def engagement_sweep(reps: int = 6) -> pd.DataFrame:
    """3-year cumulative profit at each level of the engagement programme.

    One row per level (index 0-4): the spend, the mean profit across
    replications and its 10th-90th percentile; the same seeds at every level.
    """
    rows = []
    for level in ENGAGEMENT_LEVELS:
        table = _org(
            Scenario("calibration baseline").with_change(1, {"engagement_program": level}), reps
        )
        final = table[table.step == table.step.max()].cumulative_profit
        rows.append(
            {
                "engagement_program": level,
                "profit": final.mean(),
                "low": final.quantile(0.1),
                "high": final.quantile(0.9),
            }
        )
    return pd.DataFrame(rows)


def measure(reps: int = 6) -> pd.DataFrame:
    """Run the checks; one row per target with the model's value, spread and verdict."""
    plain = Scenario("calibration baseline")
    base = _org(plain, reps)
    values: dict[str, list[float]] = {key: list(series) for key, series in workforce(base).items()}
    values["ramp"] = [_ramp_weeks()]
    values |= _customer_bands(reps)

    engaged = _org(plain.with_change(1, {"engagement_program": 1000}), reps)
    employee = _by_rep(engaged, 27, 52, "employee_satisfaction") - _by_rep(
        base, 27, 52, "employee_satisfaction"
    )
    customers = _by_rep(engaged, 27, 52, "customer_satisfaction") - _by_rep(
        base, 27, 52, "customer_satisfaction"
    )
    per_five = 5.0 / employee
    values["sears_customers"] = list(customers * per_five)
    values["sears_revenue"] = _sears_revenue(
        plain.with_change(1, {"engagement_program": 1000}), plain, reps
    )

    values["outside_in"] = _outside_in(engaged, base, reps)

    values["surge_recovery"] = lasting_loss(max(reps, SURGE_REPLICATIONS))

    values["margin"] = list(base.groupby("rep").profit.sum() / base.groupby("rep").revenue.sum())
    values["at_rest"] = [largest_trend(reps)]

    sweep = engagement_sweep(reps)
    values["interior_optimum"] = [float(sweep.profit.idxmax())]

    rows = []
    for target in TARGETS:
        observed = np.array(values[target.key], dtype=float)
        mean = float(observed.mean())
        rows.append(
            {
                "key": target.key,
                "figure": target.figure,
                "source": target.source,
                "band": f"{target.low:g} to {target.high:g} {target.unit}",
                "model": mean,
                "low": float(np.quantile(observed, 0.1)),
                "high": float(np.quantile(observed, 0.9)),
                "holds": bool(target.low <= mean <= target.high),
            }
        )
    return pd.DataFrame(rows)


def unit_cross_section(reps: int = 4, weeks: int = 104) -> dict[str, pd.DataFrame]:
    """Units side by side, as unit-level studies of the chain compare them (Harter et al. 2002).

    Each unit-replication of the baseline over `weeks` is one observation:
    its engagement, customer satisfaction, sales, profit, margin and turnover.
    Returns the mean of each by engagement quartile and by turnover quintile,
    computed as they come out of the model.
    """
    table = simulate(
        Scenario("calibration baseline"), steps=weeks, seed=SEED, reps=reps, level="unit"
    )
    units = table.groupby(["rep", "unit"]).agg(
        engaged_share=("engaged_share", "mean"),
        customer_satisfaction=("customer_satisfaction", "mean"),
        revenue=("revenue", "sum"),
        profit=("profit", "sum"),
        turnover_rate=("turnover_rate", "mean"),
    )
    units["margin"] = units.profit / units.revenue
    units["revenue"] /= weeks / YEAR  # a year's sales
    units["profit"] /= weeks / YEAR
    columns = [
        "engaged_share",
        "customer_satisfaction",
        "revenue",
        "profit",
        "margin",
        "turnover_rate",
    ]

    def by(measure: str, groups: int, name: str) -> pd.DataFrame:
        band = pd.qcut(units[measure].rank(method="first"), groups, labels=range(1, groups + 1))
        summary = units.groupby(band, observed=True)[columns].mean()
        summary.index.name = name
        return summary.assign(units=units.groupby(band, observed=True).size())

    return {
        "by engagement quartile": by("engaged_share", 4, "engagement quartile (1 = least)"),
        "by turnover quintile": by("turnover_rate", 5, "turnover quintile (1 = least)"),
    }


def customers_then_employees(reps: int = 4, weeks: int = 156) -> float:
    """Within units: this quarter's customer satisfaction against next quarter's staff change.

    A partial correlation, holding this quarter's employee satisfaction fixed
    (which alone would make any high quarter look followed by a fall): positive
    when satisfied customers lift employees, the outside-in path. Each unit's
    quarters are taken against its own mean, so the relation is within units
    over time, not between good and bad units.
    """
    table = simulate(
        Scenario("calibration baseline"), steps=weeks, seed=SEED, reps=reps, level="unit"
    )
    table = table.assign(quarter=(table.step - 1) // 13)
    quarters = table.groupby(["rep", "unit", "quarter"])[
        ["customer_satisfaction", "employee_satisfaction"]
    ].mean()
    within = quarters - quarters.groupby(["rep", "unit"]).transform("mean")
    change = -within.groupby(["rep", "unit"]).employee_satisfaction.diff(-1)
    pairs = within.assign(change=change).dropna()

    def residual(column: str) -> np.ndarray:
        slope = np.polyfit(pairs.employee_satisfaction, pairs[column], 1)
        return pairs[column] - np.polyval(slope, pairs.employee_satisfaction)

    return float(np.corrcoef(residual("customer_satisfaction"), residual("change"))[0, 1])
