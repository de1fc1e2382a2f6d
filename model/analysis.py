"""Reading results: bands across replications and the business case of a change.

Scenario and baseline tables come from `simulate` with the same seed, so
replication r of each shares its random draws (common random numbers) and
their difference is the policy's, not noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.engine.observe import COST_LINES, FLOWS, MEASURES

BAND = (0.1, 0.9)
"""Quantiles drawn as the band across replications."""


def _grid(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weeks, the replications, and the order of rows replication by replication, week by week.

    Refuses a table without exactly one row per replication and week (a
    unit-level table, or a week missing or twice), which reshaping would
    silently turn into wrong numbers.
    """
    step, rep = table.step.to_numpy(), table.rep.to_numpy()
    weeks, reps = np.unique(step), np.unique(rep)
    order = np.lexsort((step, rep))
    grid = (len(reps), len(weeks))
    if len(table) != grid[0] * grid[1] or (step[order].reshape(grid) != weeks).any():
        raise ValueError("expected one row per replication and week (an organisation's table)")
    return weeks, reps, order


def by_week(table: pd.DataFrame, measure: str) -> tuple[np.ndarray, np.ndarray]:
    """The weeks of `table`, and `measure` in them: a row a week, a column a replication.

    numpy on this array reads a page's bands and differences several times
    quicker than grouping the table by week.
    """
    weeks, reps, order = _grid(table)
    values = table[measure].to_numpy(np.float64)[order]
    return weeks, values.reshape(len(reps), len(weeks)).T


def _by_replication(rows: pd.DataFrame, measures: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The replications of `rows`, and `measures` in them: replications x weeks x measures."""
    weeks, reps, order = _grid(rows)
    values = rows[measures].to_numpy(np.float64)[order]
    return reps, values.reshape(len(reps), len(weeks), len(measures))


def bands(table: pd.DataFrame, measure: str, smooth: int = 1) -> pd.DataFrame:
    """Per week: mean, and the 10th and 90th percentiles across replications.

    With `smooth` > 1, flows and rates are first averaged over the trailing
    `smooth` weeks within each replication (levels are left as they are).
    """
    weeks, values = by_week(table, measure)
    if smooth > 1 and measure in FLOWS:
        values = pd.DataFrame(values).rolling(smooth, min_periods=1).mean().to_numpy()
    if not values.size:  # no weeks to read
        return pd.DataFrame({name: [] for name in ("step", "mean", "low", "high")})
    low, high = np.quantile(values, BAND, axis=1)
    return pd.DataFrame({"step": weeks, "mean": values.mean(axis=1), "low": low, "high": high})


def paired_difference(
    scenario: pd.DataFrame, baseline: pd.DataFrame, measure: str
) -> tuple[np.ndarray, np.ndarray]:
    """Scenario minus baseline, replication by replication (columns), week by week (rows).

    Only the replications and weeks both have: while a run's replications
    arrive, the scenario may have fewer than its baseline.
    """
    reps = np.intersect1d(scenario.rep.unique(), baseline.rep.unique())
    weeks = np.intersect1d(scenario.step.unique(), baseline.step.unique())

    def common(table: pd.DataFrame) -> np.ndarray:
        return by_week(table[table.rep.isin(reps) & table.step.isin(weeks)], measure)[1]

    return weeks, common(scenario) - common(baseline)


RECENT_WEEKS = 13
"""Weekly flows are noisy (a few quits a week); "now" means the last quarter."""


def recent_quarter(table: pd.DataFrame, week: int | None = None) -> pd.DataFrame:
    """The rows of the `RECENT_WEEKS` weeks up to `week`, every replication's.

    Args:
        table: Weekly rows with a `step` column.
        week: The quarter's last week; None for the table's last.
    """
    if week is None:
        week = table.step.max()
    return table[(table.step > week - RECENT_WEEKS) & (table.step <= week)]


def recent_values(table: pd.DataFrame, week: int) -> dict[str, float]:
    """`recent` of every measure in `table`."""
    measures = [m for m in table.columns if m not in ("rep", "step")]
    return {m: float(v) for m, v in per_replication(table, measures, week).mean().items()}


def recent(table: pd.DataFrame, measure: str, week: int) -> float:
    """Mean of `measure` over the quarter up to `week` (stocks: at `week`), across replications."""
    return float(per_replication(table, [measure], week)[measure].mean())


def payback_week(cumulative_difference: pd.Series) -> int | None:
    """First week from which the cumulative profit difference stays positive.

    None if it never gets there, or if the change never put the firm behind
    (a saving, or a change that paid from the start: there is nothing to pay back).
    """
    behind = cumulative_difference.values < 0
    if not behind.any():
        return None
    last_behind = int(np.flatnonzero(behind)[-1])
    if last_behind == len(behind) - 1:
        return None
    return int(cumulative_difference.index[last_behind + 1])


def business_case(scenario: pd.DataFrame, baseline: pd.DataFrame) -> dict:
    """What a change costs and returns, against the baseline.

    Returns:
        investment: extra operating costs (costs other than the cost of goods)
            over the run, mean across replications; negative when the change saves.
        profit_difference: mean, low and high (10th-90th percentile across
            replications) of the cumulative profit difference at the last week.
        payback_week: first week from which the mean cumulative profit
            difference stays positive, or None.
        weeks: length of the run.
    """
    weeks, operating = paired_difference(
        scenario.assign(opex=scenario.costs - scenario.cost_of_goods),
        baseline.assign(opex=baseline.costs - baseline.cost_of_goods),
        "opex",
    )
    _, profit = paired_difference(scenario, baseline, "profit")
    cumulative = profit.cumsum(axis=0)
    last = cumulative[-1]
    return {
        "investment": float(operating.sum(axis=0).mean()),
        "profit_difference": (float(last.mean()), *map(float, np.quantile(last, BAND))),
        "payback_week": payback_week(pd.Series(cumulative.mean(axis=1), index=weeks)),
        "weeks": int(weeks.max()),
    }


def per_replication(table: pd.DataFrame, measures: list[str], week: int) -> pd.DataFrame:
    """`recent` for each replication (rows) and measure (columns).

    The quarter's mean up to `week`; for the cumulative profit, a stock, the
    value at `week`. Every replication has the quarter's weeks, so the means
    are taken on an array of replications x weeks x measures.
    """
    quarter = recent_quarter(table, week)
    reps, values = _by_replication(quarter, measures)
    table = pd.DataFrame(values.mean(axis=1), index=pd.Index(reps, name="rep"), columns=measures)
    if "cumulative_profit" in measures:
        at_week = quarter[quarter.step == week]
        stock = pd.Series(at_week.cumulative_profit.to_numpy(), index=at_week.rep.to_numpy())
        table["cumulative_profit"] = stock
    return table


def paired_changes(
    scenario: pd.DataFrame,
    baseline: pd.DataFrame,
    measures: list[str],
    week: int,
    judged: bool = True,
) -> dict[str, dict]:
    """Scenario minus baseline in each of `measures` at `week`, paired replication by replication.

    Returns, per measure: mean, low and high (10th-90th percentile of the
    paired differences), clear: whether that band excludes zero, and judged.
    With a single replication the spread is unknown and nothing is called
    clear. `judged` False is for the first replications of a run shown while
    the rest arrive: from 2 of them the band calls 56% of no change clear
    (pure noise, 20,000 draws), so nothing is until all are in.
    """
    difference = per_replication(scenario, measures, week) - per_replication(
        baseline, measures, week
    )
    mean, low, high = difference.mean(), difference.quantile(BAND[0]), difference.quantile(BAND[1])
    several = len(difference) > 1
    return {
        m: {
            "mean": float(mean[m]),
            "low": float(low[m]),
            "high": float(high[m]),
            "clear": bool(judged and several and (low[m] > 0 or high[m] < 0)),
            "judged": judged,
        }
        for m in measures
    }


def change(scenario: pd.DataFrame, baseline: pd.DataFrame, measure: str, week: int) -> dict:
    """`paired_changes` in one measure."""
    return paired_changes(scenario, baseline, [measure], week)[measure]


def unit_changes(
    scenario: pd.DataFrame, baseline: pd.DataFrame, measures: list[str], first: int, last: int
) -> pd.DataFrame:
    """Each unit's change against its own baseline over weeks `first` to `last`, paired.

    Unit-level tables of the same seeds: per replication, the unit's mean over
    the weeks, scenario minus baseline. Returns one row per unit and measure
    with the mean difference, and clear: whether the 10-90% band of the paired
    differences excludes zero (never, with one replication). Units the
    baseline lacks (opened later) are left out.
    """

    def means(table: pd.DataFrame) -> pd.DataFrame:
        weeks = table[(table.step >= first) & (table.step <= last)]
        return weeks.groupby(["rep", "unit"])[measures].mean()

    paired = (means(scenario) - means(baseline)).dropna(how="all")
    long = paired.reset_index().melt(
        id_vars=["rep", "unit"], var_name="measure", value_name="difference"
    )
    by = long.groupby(["unit", "measure"]).difference
    low, high = by.quantile(BAND[0]), by.quantile(BAND[1])
    return pd.DataFrame(
        {
            "difference": by.mean(),
            "clear": (by.count() > 1) & ((low > 0) | (high < 0)),
        }
    ).reset_index()


REVENUE_STEPS = ("customers", "visits per customer", "spend per visit")
"""The revenue side of the profit bridge, in the order it is read."""


def _totals(table: pd.DataFrame, week: int) -> dict[str, np.ndarray]:
    """Per replication, weeks 1 to `week`: customer-weeks, visits, revenue and each cost line."""
    names = ["active_customers", "visits", "revenue", *COST_LINES]
    _, values = _by_replication(table[table.step <= week], names)
    return dict(zip(names, values.sum(axis=1).T, strict=True))


def profit_bridge(
    scenario: pd.DataFrame, baseline: pd.DataFrame, week: int, judged: bool = True
) -> pd.DataFrame:
    """Why profit differs over weeks 1 to `week`: the steps from the baseline's to the scenario's.

    Revenue is customers x visits per customer x spend per visit (summed over
    the weeks); its difference is split by substituting one factor at a time
    in that order, which adds up exactly. Each cost line then counts against
    profit by its own difference. Steps are computed per replication (paired
    on common seeds; the replications both have) and averaged, so they add up
    to the mean profit difference.

    Returns:
        One row per step: `step` (a name: a `REVENUE_STEPS` entry or a
        `COST_LINES` measure), `mean`, `low`, `high` (10th-90th percentile
        across replications) and `clear` (that band excludes zero; never while
        not `judged`, as in `paired_changes`).
    """
    reps = np.intersect1d(scenario.rep.unique(), baseline.rep.unique())
    ours, theirs = (_totals(t[t.rep.isin(reps)], week) for t in (scenario, baseline))
    customers = (ours["active_customers"], theirs["active_customers"])
    visits = (ours["visits"] / customers[0], theirs["visits"] / customers[1])
    spend = (ours["revenue"] / ours["visits"], theirs["revenue"] / theirs["visits"])
    steps = {
        "customers": (customers[0] - customers[1]) * visits[1] * spend[1],
        "visits per customer": customers[0] * (visits[0] - visits[1]) * spend[1],
        "spend per visit": customers[0] * visits[0] * (spend[0] - spend[1]),
    } | {line: -(ours[line] - theirs[line]) for line in COST_LINES}
    values = np.array(list(steps.values()))
    low, high = np.quantile(values, BAND, axis=1)
    several = values.shape[1] > 1
    return pd.DataFrame(
        {
            "step": list(steps),
            "mean": values.mean(axis=1),
            "low": low,
            "high": high,
            "clear": judged & several & ((low > 0) | (high < 0)),
        }
    )


def _money(value: float) -> str:
    """Millions to 0.1, thousands whole, and less than a thousand as it is (never "0k")."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    return f"{value / 1e3:,.0f}k" if abs(value) >= 999.5 else f"{value:,.0f}"


def _points(value: float) -> str:
    """Signed to 0.1, with no "-0.0" for what rounds to nothing."""
    return f"{round(value, 1) + 0.0:+.1f}"


def story(
    levers: list[str], employees: dict, customers: dict, profit: dict, base_profit: float, week: int
) -> str:
    """The chain's response in one sentence, saying what is clear of the noise and what is not.

    Changes not yet judged (`paired_changes`) are told as they stand, with no verdict.

    Args:
        levers: Labels of what the scenario changes against the baseline.
        employees: `change` of employee satisfaction (points).
        customers: `change` of customer satisfaction (points).
        profit: `change` of cumulative profit at `week`.
        base_profit: The baseline's cumulative profit at `week`.
        week: The last week shown.
    """
    if not levers:
        return "Nothing differs from the baseline yet: move a lever or pick a preset."
    what = " and ".join([", ".join(levers[:-1]), levers[-1]] if len(levers) > 1 else levers)
    what = what[0].upper() + what[1:]
    direction = "higher" if profit["mean"] > 0 else "lower"
    amount = _money(abs(profit["mean"]))
    share = abs(profit["mean"] / base_profit) if base_profit else 0.0
    if share >= 0.001:
        amount += f" ({share:.0%})" if share >= 0.01 else f" ({share:.1%})"
    if not profit["judged"]:
        return (
            f"{what}: in the replications so far, employee satisfaction moved by "
            f"{_points(employees['mean'])} points and customer satisfaction by "
            f"{_points(customers['mean'])}; cumulative profit is {amount} {direction} by week "
            f"{week}. Changes are judged once all replications are in."
        )

    def said(points: dict) -> bool:
        return points["clear"] and round(abs(points["mean"]), 1) > 0  # as printed, to 0.1

    if said(employees):
        verb = "raised" if employees["mean"] > 0 else "lowered"
        first = f"{what} {verb} employee satisfaction by {abs(employees['mean']):.1f} points"
    else:
        first = f"{what} left employee satisfaction within the noise"
    if said(customers):
        same = (customers["mean"] > 0) == (employees["mean"] > 0) and said(employees)
        if same:
            second = f"customers followed by {abs(customers['mean']):.1f} points"
        else:
            verb = "rose" if customers["mean"] > 0 else "fell"
            second = f"customer satisfaction {verb} by {abs(customers['mean']):.1f} points"
    else:
        second = "customer satisfaction stayed within the noise"
    noise = "clear of the noise" if profit["clear"] else "within the noise"
    return f"{first}; {second}; cumulative profit is {amount} {direction} by week {week}, {noise}."


def size_dependent(measure: str) -> bool:
    """Whether `measure` grows with the organisation (money and counts; headcount is the size)."""
    return MEASURES[measure].form in ("money", "count") and measure != "headcount"


def per_size(table: pd.DataFrame, size: pd.Series) -> pd.DataFrame:
    """`table` with money and counts divided by `size` (row by row), to compare organisations.

    `size` is the organisation's size each week (it grows); cumulative profit
    becomes the running sum of each week's profit per that size.
    """
    size = size.where(size > 0)
    scaled = table.assign(
        **{m: table[m] / size for m in table.columns if m in MEASURES and size_dependent(m)}
    )
    ordered = scaled.sort_values(["rep", "step"])
    return scaled.assign(cumulative_profit=ordered.groupby("rep").profit.cumsum())


def per_employee(table: pd.DataFrame) -> pd.DataFrame:
    """`table` per employee in post that week."""
    return per_size(table, table.headcount)


def per_unit(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """`table` per unit open that week, counted in the same run's unit-level table `units`."""
    counts = units.groupby(["rep", "step"]).unit.nunique()
    weekly = pd.MultiIndex.from_frame(table[["rep", "step"]])
    return per_size(table, pd.Series(counts.reindex(weekly).to_numpy(), index=table.index))
