"""What is recorded each week: aggregates for the organisation and for each unit.

Per-agent rows are never collected (they cost seconds and gigabytes at
scale); the organisation and unit views are computed from the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.engine import kernels
from model.engine import mechanisms as mech


@dataclass(frozen=True)
class Measure:
    """A recorded measure, declared once: charts, KPIs, tables and docs read it from here."""

    label: str
    meaning: str
    form: str
    """How it reads: "score" (0-100), "share" (shown in %), "money", "count" or "ratio"."""
    unit: str
    flow: bool = False
    """Counted over a week (noisy week to week) rather than a level."""
    better: int = 0
    """+1 when more is better for the organisation, -1 when less is, 0 when neither."""
    stage: str = ""
    """The stage of the chain it shows, inside-out ("" for the books' lines and staffing)."""


MEASURES = {
    "employee_satisfaction": Measure(
        "Employee satisfaction",
        "Mean employee satisfaction",
        "score",
        "0-100",
        better=1,
        stage="Employees",
    ),
    "engaged_share": Measure(
        "Engaged employees",
        f"Share of employees with satisfaction of {mech.ENGAGED_AT:g} or more",
        "share",
        "% of staff",
        better=1,
        stage="Employees",
    ),
    "turnover_rate": Measure(
        "Staff turnover",
        "Quits this week per employee, annualised",
        "share",
        "% a year",
        flow=True,
        better=-1,
        stage="Employees",
    ),
    "headcount": Measure("Headcount", "Employees in post", "count", "people"),
    "vacancies": Measure(
        "Vacancies", "Authorised posts standing empty", "count", "posts", better=-1
    ),
    "internal_service_quality": Measure(
        "Internal service",
        "Mean internal service quality employees receive",
        "score",
        "0-100",
        better=1,
        stage="Internal service",
    ),
    "service_quality": Measure(
        "Service quality",
        "Mean quality of customer visits",
        "score",
        "0-100",
        flow=True,
        better=1,
        stage="Service",
    ),
    "customer_satisfaction": Measure(
        "Customer satisfaction",
        "Mean satisfaction of the customers",
        "score",
        "0-100",
        better=1,
        stage="Customers",
    ),
    "active_customers": Measure(
        "Customers",
        "Customers who have not defected (regulars of the chain)",
        "count",
        "customers",
        better=1,
        stage="Loyalty",
    ),
    "customer_retention": Measure(
        "Customer retention",
        "Customers kept at this week's defection rate, annualised",
        "share",
        "% a year",
        flow=True,
        better=1,
        stage="Loyalty",
    ),
    "nps": Measure(
        "Net promoter score",
        "Promoters minus detractors",
        "score",
        "-100 to 100",
        better=1,
        stage="Customers",
    ),
    "revenue": Measure(
        "Revenue", "Sales this week", "money", "currency/week", flow=True, better=1, stage="Profit"
    ),
    "costs": Measure(
        "Costs",
        "All costs this week, cost of goods included",
        "money",
        "currency/week",
        flow=True,
        better=-1,
        stage="Profit",
    ),
    "cost_of_goods": Measure(
        "Cost of goods", "Cost of the goods sold this week", "money", "currency/week", flow=True
    ),
    "acquisition_cost": Measure(
        "Acquisition cost",
        "Cost of winning this week's new customers",
        "money",
        "currency/week",
        flow=True,
    ),
    "profit": Measure(
        "Profit",
        "Revenue minus costs this week",
        "money",
        "currency/week",
        flow=True,
        better=1,
        stage="Profit",
    ),
    "cumulative_profit": Measure(
        "Cumulative profit",
        "Profit summed since week 1",
        "money",
        "currency",
        better=1,
        stage="Profit",
    ),
    "leader_behaviour": Measure(
        "Leader behaviour",
        "Mean behaviour unit managers show",
        "score",
        "0-100",
        better=1,
        stage="Leaders",
    ),
    "skill": Measure("Skill", "Mean employee skill", "score", "0-100", better=1, stage="Employees"),
    "quits": Measure(
        "Quits",
        "Employees who quit this week",
        "count",
        "per week",
        flow=True,
        better=-1,
        stage="Employees",
    ),
    "early_quits": Measure(
        "Early quits",
        "Quits within 13 weeks of hire",
        "count",
        "per week",
        flow=True,
        better=-1,
        stage="Employees",
    ),
    "hires": Measure("Hires", "Vacancies filled this week", "count", "per week", flow=True),
    "visits": Measure(
        "Visits",
        "Customer visits this week",
        "count",
        "per week",
        flow=True,
        better=1,
        stage="Loyalty",
    ),
    "new_customers": Measure(
        "New customers",
        "Customers gained this week",
        "count",
        "per week",
        flow=True,
        better=1,
        stage="Loyalty",
    ),
    "turnover_cost": Measure(
        "Turnover cost",
        "Cost of this week's leavers",
        "money",
        "currency/week",
        flow=True,
        better=-1,
    ),
    "payroll": Measure(
        "Payroll",
        "Front-line and support pay this week, overtime included",
        "money",
        "currency/week",
        flow=True,
    ),
    "training_cost": Measure(
        "Training cost",
        "Front-line training hours and trainers, and leaders' training days, this week",
        "money",
        "currency/week",
        flow=True,
    ),
    "programme_cost": Measure(
        "Programme cost",
        "Engagement and champions programmes and senior leaders' time this week",
        "money",
        "currency/week",
        flow=True,
    ),
    "other_costs": Measure(
        "Other costs",
        "Leaders' pay, onboarding, automation and the units' fixed costs this week",
        "money",
        "currency/week",
        flow=True,
    ),
    "service_standard": Measure(
        "Service standard",
        "Share of the ideal time per customer units hold themselves to",
        "share",
        "% of ideal",
        better=1,
        stage="Service",
    ),
    "workload": Measure(
        "Workload",
        "Staffed visits over capacity at planned pace (1 = full)",
        "ratio",
        "x capacity",
        flow=True,
        better=-1,
        stage="Service",
    ),
    "fatigue": Measure(
        "Fatigue",
        "Mean fatigue of the teams: overload carried over the weeks (0 = rested)",
        "ratio",
        "0 = rested",
        better=-1,
        stage="Employees",
    ),
    "lost_servers": Measure(
        "Customers who lost their server",
        "Customers who came back this week to find their usual server gone",
        "count",
        "per week",
        flow=True,
        better=-1,
        stage="Service",
    ),
}
"""Every recorded measure, in column order."""

COST_LINES = (
    "cost_of_goods",
    "payroll",
    "training_cost",
    "programme_cost",
    "turnover_cost",
    "acquisition_cost",
    "other_costs",
)
"""The cost lines that add up to `costs`, in the order a profit bridge reads them."""

FLOWS = {name for name, measure in MEASURES.items() if measure.flow}
"""Measures counted over a week, as against levels: smoothed before they are drawn."""

CHAIN = [
    (MEASURES[name].stage, name)
    for name in (
        "leader_behaviour",
        "internal_service_quality",
        "employee_satisfaction",
        "service_quality",
        "customer_satisfaction",
        "customer_retention",
        "profit",
    )
]
"""The chain's stages, inside-out, and the measure that shows each best."""

HEADLINE = ("cumulative_profit", "employee_satisfaction", "customer_satisfaction", "turnover_rate")
"""The measures a run is summed up by at a glance (bundles, workshop screens)."""


def _sums(model) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per-team sums over employees and per-unit sums over customers and money."""
    s, b = model.staff, model.books
    teams = len(model.team_manager)
    filled = s.filled

    names = ("headcount", "satisfaction_sum", "engaged", "isq_sum", "skill_sum")
    if model.compiled:
        sums, vacancies, leader_behaviour = kernels.week_sums(
            s.team,
            filled,
            s.satisfaction,
            s.isq,
            s.skill,
            mech.ENGAGED_AT,
            model.authorised,
            model.shown,
            model.units.manager,
        )
    else:
        values = (
            np.ones(len(s)),
            s.satisfaction,
            s.satisfaction >= mech.ENGAGED_AT,
            s.isq,
            s.skill,
        )
        sums = [np.bincount(s.team, weights=v * filled, minlength=teams) for v in values]
        vacancies = model.vacancies()
        leader_behaviour = model.shown[model.units.manager].mean(axis=1)
    employees = dict(zip(names, sums, strict=True)) | {
        "vacancies": vacancies,
        "quits": b["quits"],
        "early_quits": b["early_quits"],
        "hires": b["hires"],
    }
    units = (
        dict(model.customer_view)
        | {
            key: b[key]
            for key in (
                "cost_of_goods",
                "acquisition_cost",
                "lost_servers",
                "visits",
                "quality_sum",
                "revenue",
                "costs",
                "profit",
                "defections",
                "customers_before",
                "arrivals",
                "turnover_cost",
                "payroll",
                "training_cost",
                "programme_cost",
                "other_costs",
            )
        }
        | {
            "cumulative_profit": model.units.cumulative_profit,
            "leader_behaviour_sum": leader_behaviour,
            "standard_sum": model.units.standard,
            "workload_sum": model.units.load,
            "fatigue_sum": model.team_fatigue[model.n_departments :],
            "units": np.ones(len(model.units)),
        }
    )
    return employees, units


def _measures(e: dict, u: dict) -> dict:
    """The measures of `MEASURES` from sums; works on per-unit arrays and on totals."""
    staff = np.maximum(e["headcount"], 1)
    customers = np.maximum(u["customers"], 1)
    units = np.maximum(u["units"], 1)
    weekly_loss = np.clip(u["defections"] / np.maximum(u["customers_before"], 1), 0.0, 1.0)
    return {
        "employee_satisfaction": e["satisfaction_sum"] / staff,
        "engaged_share": e["engaged"] / staff,
        "turnover_rate": e["quits"] / staff * 52.0,
        "headcount": e["headcount"],
        "vacancies": e["vacancies"] * 1.0,
        "internal_service_quality": e["isq_sum"] / staff,
        "service_quality": u["quality_sum"] / np.maximum(u["visits"], 1),
        "customer_satisfaction": u["satisfaction_sum"] / customers,
        "active_customers": u["customers"] * 1.0,
        "customer_retention": (1.0 - weekly_loss) ** 52,
        "nps": 100.0 * u["net_promoters"] / customers,
        "revenue": u["revenue"],
        "costs": u["costs"],
        "cost_of_goods": u["cost_of_goods"],
        "acquisition_cost": u["acquisition_cost"],
        "profit": u["profit"],
        "cumulative_profit": u["cumulative_profit"] * 1.0,
        "leader_behaviour": u["leader_behaviour_sum"] / units,
        "skill": e["skill_sum"] / staff,
        "quits": e["quits"] * 1.0,
        "early_quits": e["early_quits"] * 1.0,
        "hires": e["hires"] * 1.0,
        "visits": u["visits"] * 1.0,
        "new_customers": u["arrivals"] * 1.0,
        "turnover_cost": u["turnover_cost"],
        "payroll": u["payroll"],
        "training_cost": u["training_cost"],
        "programme_cost": u["programme_cost"],
        "other_costs": u["other_costs"],
        "service_standard": u["standard_sum"] / units,
        "workload": u["workload_sum"] / units,
        "fatigue": u["fatigue_sum"] / units,
        "lost_servers": u["lost_servers"] * 1.0,
    }


def unit_rows(model, week: int) -> dict[str, np.ndarray]:
    """One row per unit: its own staff, customers and books."""
    employees, units = _sums(model)
    front_line = {key: value[model.n_departments :] for key, value in employees.items()}
    n = len(model.units)
    return {
        "step": np.full(n, week),
        "unit": np.arange(n),
        "region": model.units.region.copy(),
    } | _measures(front_line, units)


def org_row(model, week: int) -> dict[str, float]:
    """One row for the organisation: every team, support departments included."""
    employees, units = _sums(model)
    totals = []
    for sums in (employees, units):  # summed as one table: the same sums as one by one
        table = np.concatenate(list(sums.values())).reshape(len(sums), -1)
        totals.append(dict(zip(sums, table.sum(axis=1), strict=True)))
    return {"step": week} | {key: float(v) for key, v in _measures(*totals).items()}
