"""Every parameter of the model, declared once.

The sidebar, scenario validation, the command line, the documentation table and
the provenance written with exported data are all generated from `PARAMETERS`.
Nothing else in the project states a default or a range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Role = Literal["lever", "uncertainty", "structure"]


class InputError(ValueError):
    """A parameter or scenario field that cannot be used, said in one line."""


@dataclass(frozen=True)
class Parameter:
    """One model input.

    Attributes:
        name: Key used in scenario files, on the command line and in code.
        label: Short human label for the sidebar and tables.
        unit: Unit of the value ("0-100", "share", "currency/week"...).
        default: Value in the baseline retail chain.
        low: Smallest allowed value.
        high: Largest allowed value.
        group: Sidebar group the lever belongs to.
        help: One or two sentences on what it means and what it moves.
        source: Where the default comes from, when it is grounded in a figure.
        role: "lever" (a firm's choice), "uncertainty" (the world's) or
            "structure" (the organisation's shape, fixed for a run).
        integer: Whether the value must be a whole number.
    """

    name: str
    label: str
    unit: str
    default: float
    low: float
    high: float
    group: str
    help: str
    source: str = "Assumed; see the model documentation."
    role: Role = "lever"
    integer: bool = False

    @property
    def may_change_during_run(self) -> bool:
        """Structure is fixed when the organisation is built; the rest may move."""
        return self.role != "structure"

    def allowed(self) -> str:
        """Plain statement of the allowed values, for error messages."""
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"

    def validate(self, value: object, field: str | None = None) -> float | int:
        """Return `value` as this parameter's type, or raise InputError.

        Args:
            value: Candidate value.
            field: Where the value was found, for the message (default: the name).
        """
        field = field or self.name
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{field}: {value!r} is not a number; allowed: {self.allowed()}")
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise InputError(f"{field}: {value!r} is out of range; allowed: {self.allowed()}")
        if self.integer:
            if value != int(value):
                raise InputError(
                    f"{field}: {value!r} is not a whole number; allowed: {self.allowed()}"
                )
            return int(value)
        return float(value)


LEADERSHIP = "Leadership"
TRAINING = "Training and onboarding"
POLICY = "Policy and structure"
PROGRAMMES = "Programmes"
PEOPLE = "Hiring, staffing and pay"
COOPERATION = "Cooperation"
GROWTH = "Growth"
ECONOMICS = "Economics"
MARKET = "Market and labour market"
ORGANISATION = "Organisation"

GROUPS = (
    LEADERSHIP,
    TRAINING,
    POLICY,
    PROGRAMMES,
    PEOPLE,
    COOPERATION,
    GROWTH,
    ECONOMICS,
    MARKET,
    ORGANISATION,
)

PARAMETERS: tuple[Parameter, ...] = (
    # Leadership behaviours: the standard the organisation asks of its leaders.
    Parameter(
        "leader_recognition", "Recognition", "0-100", 45, 0, 100, LEADERSHIP,
        "How much leaders notice and thank good work. Sets the standard leaders are "
        "pulled toward; their habits pull them back unless the push is sustained.",
    ),
    Parameter(
        "leader_care", "Care and respect", "0-100", 50, 0, 100, LEADERSHIP,
        "How much leaders treat people with care and respect: listening, fairness, "
        "flexibility when life happens.",
    ),
    Parameter(
        "leader_presence", "Visible presence", "0-100", 40, 0, 100, LEADERSHIP,
        "How much leaders are seen where the work is done, rather than in offices "
        "and meetings.",
    ),
    Parameter(
        "leader_coaching", "Coaching", "0-100", 40, 0, 100, LEADERSHIP,
        "How much leaders coach: it raises skill as well as satisfaction, and it "
        "anchors service standards under pressure.",
    ),
    Parameter(
        "senior_involvement", "Senior leadership involvement", "0-100", 30, 0, 100,
        LEADERSHIP,
        "How much the top team models and reinforces the behaviours itself (start "
        "at the top). It sets how strongly every leader is pulled toward the standard.",
    ),
    Parameter(
        "leadership_training", "Leadership training", "days/leader/year", 2, 0, 20,
        LEADERSHIP,
        "Training days per leader per year. Strengthens the pull toward the "
        "behaviour standard; costs leader days.",
    ),
    # Training
    Parameter(
        "frontline_training_hours", "Front-line training", "hours/employee/year", 20, 0,
        160, TRAINING,
        "Classroom and e-learning hours per employee per year. Raises skill, not "
        "intent: trained but unhappy staff still give poor service.",
    ),
    Parameter(
        "onboarding_quality", "Onboarding quality", "0-100", 40, 0, 100, TRAINING,
        "How well new hires are introduced and supported in their first quarter: "
        "faster skill ramp and fewer early quits.",
    ),
    # Policy and structure
    Parameter(
        "customer_policy_friction", "Customer-facing policy friction", "0-100", 40, 0,
        100, POLICY,
        "Rules that stop staff from solving a customer's problem on the spot.",
    ),
    Parameter(
        "internal_policy_friction", "Internal policy friction", "0-100", 40, 0, 100,
        POLICY,
        "Approvals, forms and rules that get in the way of employees' work.",
    ),
    Parameter(
        "hierarchy_layers", "Hierarchy layers", "layers", 4, 2, 8, POLICY,
        "Management layers between the top team and the front line. Each layer "
        "beyond three adds friction and weakens what the top sends down.",
        integer=True,
    ),
    Parameter(
        "automation_level", "Self-service and automation", "share of visits", 0.1, 0,
        0.6, POLICY,
        "Share of customer visits handled by self-service. Lightens the staff's "
        "load but gives a plainer experience; costs technology per unit.",
    ),
    # Programmes
    Parameter(
        "engagement_program", "Engagement and recognition programme",
        "currency/employee/year", 0, 0, 3000, PROGRAMMES,
        "Spend on recognition schemes, events and engagement work per employee per "
        "year. Raises internal service quality with diminishing returns.",
    ),
    Parameter(
        "champions_program", "Champions programme", "share of staff", 0, 0, 0.2,
        PROGRAMMES,
        "Extra share of employees trained and supported as culture champions. "
        "Champions' attitude weighs more with their team-mates.",
    ),
    # People
    Parameter(
        "hiring_selectivity", "Hiring selectivity", "0-100", 40, 0, 100, PEOPLE,
        "How choosy hiring is: better-fitting hires who stay longer, at the cost of "
        "longer vacancies.",
    ),
    Parameter(
        "staffing_level", "Staffing level", "share of planned", 1.0, 0.6, 1.4, PEOPLE,
        "Authorised headcount as a share of what the planned demand needs. A cut "
        "works through attrition: leavers are not replaced.",
    ),
    Parameter(
        "wage_level", "Wage level", "x market", 1.0, 0.8, 1.5, PEOPLE,
        "Pay relative to the local market rate. Raises satisfaction and retention; "
        "costs payroll.",
    ),
    # Cooperation
    Parameter(
        "cross_department_cooperation", "Cross-department cooperation", "0-100", 50, 0,
        100, COOPERATION,
        "How far support departments treat the front line as their customers rather "
        "than guarding their silo ('that's not my job').",
    ),
    # Growth
    Parameter(
        "growth_rate", "Growth (new units)", "share of units/year", 0, 0, 0.6, GROWTH,
        "New units opened per year as a share of existing units. New units start "
        "with new hires and new managers.",
    ),
    # Economics
    Parameter(
        "spend_per_visit", "Spend per visit", "currency", 230, 1, 1000, ECONOMICS,
        "Average basket of a new customer's weekly shop; loyal, long-standing customers "
        "spend more.",
        role="uncertainty",
    ),
    Parameter(
        "gross_margin", "Gross margin", "share of revenue", 0.42, 0.05, 0.9, ECONOMICS,
        "Share of revenue left after the cost of goods.",
        role="uncertainty",
    ),
    Parameter(
        "weekly_wage", "Front-line weekly wage", "currency/week", 560, 100, 5000,
        ECONOMICS,
        "Front-line pay per employee per week at the market rate, including on-costs. "
        "Leaders earn multiples of it.",
        role="uncertainty",
    ),
    Parameter(
        "unit_fixed_costs", "Fixed costs per unit", "currency/week", 3000, 0, 100000,
        ECONOMICS,
        "Rent, energy and other costs of running a unit that do not depend on people.",
        role="uncertainty",
    ),
    Parameter(
        "replacement_cost_share", "Cost of a replacement", "share of annual pay", 0.19,
        0, 1, ECONOMICS,
        "Hiring, onboarding and lost productivity per leaver, as a share of annual pay.",
        source="Boushey and Glynn (2012), Center for American Progress: median 21% of "
        "salary, about 16% for low-wage jobs.",
        role="uncertainty",
    ),
    # Market and labour market
    Parameter(
        "demand_level", "Demand", "x normal", 1.0, 0.3, 2.0, MARKET,
        "Customer demand relative to normal. A temporary rise with fixed staff "
        "overloads the front line.",
        source="Oliva and Sterman (2001), Management Science 47(7).",
        role="uncertainty",
    ),
    Parameter(
        "labour_market_tightness", "Labour market tightness", "0-100", 50, 0, 100,
        MARKET,
        "How easy it is for staff to find other jobs: tight markets mean more quits "
        "and longer vacancies.",
        role="uncertainty",
    ),
    Parameter(
        "customer_expectation", "Customer expectations", "0-100", 62, 0, 100, MARKET,
        "The service new customers expect. Experience is judged against it, and it "
        "adapts to what customers get.",
        role="uncertainty",
    ),
    # Organisation (fixed for a run)
    Parameter(
        "n_units", "Units (stores, branches)", "units", 24, 1, 10000, ORGANISATION,
        "Number of front-line units at the start.",
        role="structure", integer=True,
    ),
    Parameter(
        "staff_per_unit", "Front-line staff per unit", "employees", 20, 2, 200,
        ORGANISATION,
        "Planned front-line headcount of a unit at normal demand.",
        role="structure", integer=True,
    ),
    Parameter(
        "units_per_region", "Units per regional leader", "units", 6, 1, 100,
        ORGANISATION,
        "Span of control of a regional leader. Growth beyond it thins their presence.",
        role="structure", integer=True,
    ),
    Parameter(
        "support_departments", "Support departments", "departments", 3, 0, 10,
        ORGANISATION,
        "Departments (HR, IT, logistics...) whose internal customers are the front "
        "line. The chain is only as strong as its weakest link.",
        role="structure", integer=True,
    ),
    Parameter(
        "support_staff_ratio", "Support staff", "per 100 front-line staff", 5, 0, 50,
        ORGANISATION,
        "Support department staff per 100 front-line employees.",
        role="structure",
    ),
    Parameter(
        "customers_per_unit", "Customers per unit", "customers", 500, 10, 100000,
        ORGANISATION,
        "Regular customers (households doing their main shop there) of a unit at the start.",
        role="structure", integer=True,
    ),
    Parameter(
        "champion_share", "Natural champions", "share of staff", 0.05, 0, 0.5,
        ORGANISATION,
        "Share of employees who are informal leaders without any programme.",
        role="structure",
    ),
    Parameter(
        "manager_habit_spread", "Spread of manager habits", "0-100 points (sd)", 12, 0,
        40, ORGANISATION,
        "How much managers' habitual behaviours differ from one another.",
        role="structure",
    ),
    Parameter(
        "market_spread", "Spread of unit markets", "share (sd)", 0.2, 0, 0.6,
        ORGANISATION,
        "How much units' local demand differs (busy city stores, quiet towns).",
        role="structure",
    ),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def defaults() -> dict[str, float | int]:
    """The baseline retail chain's parameter values."""
    return {p.name: p.default for p in PARAMETERS}


def validate(
    values: dict[str, object], during_run: bool = False, where: str = ""
) -> dict[str, float | int]:
    """Check names and values; return them converted to their types.

    Args:
        values: Parameter names mapped to candidate values.
        during_run: Whether the values are changes at a later week, where the
            organisation's structure can no longer change.
        where: Prefix naming where the values came from ("parameters.").

    Raises:
        InputError: For the first unknown name or unusable value.
    """
    checked = {}
    for name, value in values.items():
        field = f"{where}{name}"
        parameter = BY_NAME.get(name) if isinstance(name, str) else None
        if parameter is None:
            raise InputError(
                f"{field}: unknown parameter; allowed: one of the names `python -m model "
                "params` lists"
            )
        if during_run and not parameter.may_change_during_run:
            raise InputError(
                f"{field}: {value!r} cannot change during a run; allowed: only in `parameters`"
            )
        checked[name] = parameter.validate(value, field)
    return checked
