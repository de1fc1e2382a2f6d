"""Reading results: bands across replications and the business case of a change.

Scenario and baseline tables come from `simulate` with the same seed, so
replication r of each shares its random draws (common random numbers) and
their difference is the policy's, not noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.engine.observe import FLOWS

BAND = (0.1, 0.9)
"""Quantiles drawn as the band across replications."""


def bands(table: pd.DataFrame, measure: str, smooth: int = 1) -> pd.DataFrame:
    """Per week: mean, and the 10th and 90th percentiles across replications.

    With `smooth` > 1, flows and rates are first averaged over the trailing
    `smooth` weeks within each replication (levels are left as they are).
    """
    if smooth > 1 and measure in FLOWS:
        rolled = table.groupby("rep")[measure].transform(
            lambda s: s.rolling(smooth, min_periods=1).mean()
        )
        table = table.assign(**{measure: rolled})
    grouped = table.groupby("step")[measure]
    return pd.DataFrame(
        {
            "step": grouped.mean().index,
            "mean": grouped.mean().values,
            "low": grouped.quantile(BAND[0]).values,
            "high": grouped.quantile(BAND[1]).values,
        }
    )


def paired_difference(scenario: pd.DataFrame, baseline: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Scenario minus baseline, replication by replication, week by week."""
    keys = ["rep", "step"]
    merged = scenario[keys + [measure]].merge(
        baseline[keys + [measure]], on=keys, suffixes=("", "_baseline")
    )
    merged["difference"] = merged[measure] - merged[f"{measure}_baseline"]
    return merged[keys + ["difference"]]


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


def recent(table: pd.DataFrame, measure: str, week: int) -> float:
    """Mean of `measure` over the quarter up to `week` (stocks: at `week`), across replications."""
    if measure == "cumulative_profit":
        return float(table.loc[table.step == week, measure].mean())
    return float(recent_quarter(table, week)[measure].mean())


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
    operating = paired_difference(
        scenario.assign(opex=scenario.costs - scenario.cost_of_goods),
        baseline.assign(opex=baseline.costs - baseline.cost_of_goods),
        "opex",
    )
    investment = operating.groupby("rep").difference.sum().mean()
    profit = paired_difference(scenario, baseline, "profit")
    cumulative = profit.sort_values("step").groupby("rep").difference.cumsum()
    profit = profit.assign(cumulative=cumulative)
    last = profit[profit.step == profit.step.max()].cumulative
    mean_path = profit.groupby("step").cumulative.mean()
    return {
        "investment": float(investment),
        "profit_difference": (
            float(last.mean()),
            float(last.quantile(BAND[0])),
            float(last.quantile(BAND[1])),
        ),
        "payback_week": payback_week(mean_path),
        "weeks": int(profit.step.max()),
    }
