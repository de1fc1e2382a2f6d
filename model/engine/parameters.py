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
    """A parameter or scenario field that cannot be used, said in one line.

    Messages quote what the user gave; a hostile value could be long or hold
    line breaks, so the message is kept to one line of at most `MAX_MESSAGE`.
    """

    MAX_MESSAGE = 600

    def __init__(self, message: str):
        line = " ".join(str(message).split())
        if len(line) > self.MAX_MESSAGE:
            line = line[: self.MAX_MESSAGE - 5] + " ..."
        super().__init__(line)


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
        return _number(self, value, field or self.name)


def _number(declared: Parameter | UnitColumn, value: object, field: str) -> float | int:
    """`value` as the `declared` input's type, within its range; else one line naming `field`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{field}: {value!r} is not a number; allowed: {declared.allowed()}")
    if not math.isfinite(value) or not declared.low <= value <= declared.high:
        raise InputError(f"{field}: {value!r} is out of range; allowed: {declared.allowed()}")
    if declared.integer:
        if value != int(value):
            raise InputError(
                f"{field}: {value!r} is not a whole number; allowed: {declared.allowed()}"
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
    # Leadership
    Parameter(
        name="leader_recognition",
        label="Recognition",
        unit="0-100",
        default=45,
        low=0,
        high=100,
        group=LEADERSHIP,
        help=(
            "How much leaders notice and thank good work. Sets the standard leaders are "
            "pulled toward; their habits pull them back unless the push is sustained."
        ),
    ),
    Parameter(
        name="leader_care",
        label="Care and respect",
        unit="0-100",
        default=50,
        low=0,
        high=100,
        group=LEADERSHIP,
        help=(
            "How much leaders treat people with care and respect: listening, fairness, "
            "flexibility when life happens."
        ),
    ),
    Parameter(
        name="leader_presence",
        label="Visible presence",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=LEADERSHIP,
        help=(
            "How much leaders are seen where the work is done, rather than in offices and meetings."
        ),
    ),
    Parameter(
        name="leader_coaching",
        label="Coaching",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=LEADERSHIP,
        help=(
            "How much leaders coach: it raises skill as well as satisfaction, and it anchors "
            "service standards under pressure."
        ),
    ),
    Parameter(
        name="senior_involvement",
        label="Senior leadership involvement",
        unit="0-100",
        default=30,
        low=0,
        high=100,
        group=LEADERSHIP,
        help=(
            "How much the top team models and reinforces the behaviours itself (start at the "
            "top). It sets how strongly every leader is pulled toward the standard."
        ),
    ),
    Parameter(
        name="leadership_training",
        label="Leadership training",
        unit="days/leader/year",
        default=2,
        low=0,
        high=20,
        group=LEADERSHIP,
        help=(
            "Training days per leader per year. Strengthens the pull toward the behaviour "
            "standard; costs leader days."
        ),
    ),
    # Training and onboarding
    Parameter(
        name="frontline_training_hours",
        label="Front-line training",
        unit="hours/employee/year",
        default=20,
        low=0,
        high=160,
        group=TRAINING,
        help=(
            "Classroom and e-learning hours per employee per year. Raises skill, not intent: "
            "trained but unhappy staff still give poor service."
        ),
    ),
    Parameter(
        name="onboarding_quality",
        label="Onboarding quality",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=TRAINING,
        help=(
            "How well new hires are introduced and supported in their first quarter: faster "
            "skill ramp and fewer early quits."
        ),
    ),
    # Policy and structure
    Parameter(
        name="customer_policy_friction",
        label="Customer-facing policy friction",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=POLICY,
        help=("Rules that stop staff from solving a customer's problem on the spot."),
    ),
    Parameter(
        name="internal_policy_friction",
        label="Internal policy friction",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=POLICY,
        help=("Approvals, forms and rules that get in the way of employees' work."),
    ),
    Parameter(
        name="hierarchy_layers",
        label="Hierarchy layers",
        unit="layers",
        default=4,
        low=2,
        high=8,
        group=POLICY,
        help=(
            "Management layers between the top team and the front line. Each layer beyond "
            "three adds friction and weakens what the top sends down."
        ),
        integer=True,
    ),
    Parameter(
        name="automation_level",
        label="Self-service and automation",
        unit="share of visits",
        default=0.1,
        low=0,
        high=0.6,
        group=POLICY,
        help=(
            "Share of customer visits handled by self-service. Lightens the staff's load but "
            "gives a plainer experience; costs technology per unit."
        ),
    ),
    # Programmes
    Parameter(
        name="engagement_program",
        label="Engagement and recognition programme",
        unit="currency/employee/year",
        default=0,
        low=0,
        high=3000,
        group=PROGRAMMES,
        help=(
            "Spend on recognition schemes, events and engagement work per employee per year. "
            "Raises internal service quality with diminishing returns."
        ),
    ),
    Parameter(
        name="champions_program",
        label="Champions programme",
        unit="share of staff",
        default=0,
        low=0,
        high=0.2,
        group=PROGRAMMES,
        help=(
            "Extra share of employees trained and supported as culture champions. Champions' "
            "attitude weighs more with their team-mates."
        ),
    ),
    # Hiring, staffing and pay
    Parameter(
        name="hiring_selectivity",
        label="Hiring selectivity",
        unit="0-100",
        default=40,
        low=0,
        high=100,
        group=PEOPLE,
        help=(
            "How choosy hiring is: better-fitting hires who stay longer, at the cost of "
            "longer vacancies."
        ),
    ),
    Parameter(
        name="staffing_level",
        label="Staffing level",
        unit="share of planned",
        default=1.0,
        low=0.6,
        high=1.4,
        group=PEOPLE,
        help=(
            "Authorised headcount as a share of what the planned demand needs. A cut works "
            "through attrition: leavers are not replaced."
        ),
    ),
    Parameter(
        name="wage_level",
        label="Wage level",
        unit="x market",
        default=1.0,
        low=0.8,
        high=1.5,
        group=PEOPLE,
        help=(
            "Pay relative to the local market rate. Raises satisfaction and retention; costs "
            "payroll."
        ),
    ),
    # Cooperation
    Parameter(
        name="cross_department_cooperation",
        label="Cross-department cooperation",
        unit="0-100",
        default=50,
        low=0,
        high=100,
        group=COOPERATION,
        help=(
            "How far support departments treat the front line as their customers rather than "
            "guarding their silo ('that's not my job')."
        ),
    ),
    # Growth
    Parameter(
        name="growth_rate",
        label="Growth (new units)",
        unit="share of units/year",
        default=0,
        low=0,
        high=0.6,
        group=GROWTH,
        help=(
            "New units opened per year as a share of existing units. New units start with new "
            "hires and new managers."
        ),
    ),
    # Economics
    Parameter(
        name="spend_per_visit",
        label="Spend per visit",
        unit="currency",
        default=270,
        low=1,
        high=1000,
        group=ECONOMICS,
        help=(
            "Average basket of a new customer's weekly shop; loyal, long-standing customers "
            "spend more."
        ),
        role="uncertainty",
    ),
    Parameter(
        name="gross_margin",
        label="Gross margin",
        unit="share of revenue",
        default=0.28,
        low=0.05,
        high=0.9,
        group=ECONOMICS,
        help=("Share of revenue left after the cost of goods."),
        role="uncertainty",
    ),
    Parameter(
        name="weekly_wage",
        label="Front-line weekly wage",
        unit="currency/week",
        default=560,
        low=100,
        high=5000,
        group=ECONOMICS,
        help=(
            "Front-line pay per employee per week at the market rate, including on-costs. "
            "Leaders earn multiples of it."
        ),
        role="uncertainty",
    ),
    Parameter(
        name="unit_fixed_costs",
        label="Fixed costs per unit",
        unit="currency/week",
        default=6500,
        low=0,
        high=100000,
        group=ECONOMICS,
        help=(
            "Rent, energy, maintenance and other costs of running a unit that do not depend on "
            "people: about 7% of a unit's sales, which leaves the thin operating margin of "
            "service retail."
        ),
        source=(
            "Set so that the default chain's operating margin lies in the 3-8% band of grocery, "
            "restaurant and service retail."
        ),
        role="uncertainty",
    ),
    Parameter(
        name="cost_per_new_customer",
        label="Cost of winning a customer",
        unit="currency/new customer",
        default=300,
        low=0,
        high=10000,
        group=ECONOMICS,
        help=(
            "Marketing and promotions per new customer: several times the margin of one visit, "
            "so keeping a customer pays more than replacing one."
        ),
        source=("Reichheld and Sasser (1990), Zero Defections, HBR 68(5)."),
    ),
    Parameter(
        name="trainer_cost_per_hour",
        label="Cost of a training hour",
        unit="currency/hour",
        default=15,
        low=0,
        high=500,
        group=ECONOMICS,
        help=(
            "Trainers, rooms and materials per employee-hour of front-line training, on top "
            "of the trainee's pay."
        ),
        role="uncertainty",
    ),
    Parameter(
        name="leader_training_day_cost",
        label="Cost of a leadership training day",
        unit="currency/day",
        default=900,
        low=0,
        high=10000,
        group=ECONOMICS,
        help="Programme fees and the leader's time for one day of leadership training.",
        role="uncertainty",
    ),
    Parameter(
        name="onboarding_cost",
        label="Cost of full onboarding",
        unit="currency/hire",
        default=600,
        low=0,
        high=10000,
        group=ECONOMICS,
        help="What onboarding a new hire costs at the best onboarding quality.",
        role="uncertainty",
    ),
    Parameter(
        name="champion_cost",
        label="Cost of a champion",
        unit="currency/champion/year",
        default=1500,
        low=0,
        high=20000,
        group=ECONOMICS,
        help="Training, time and support for each employee in the champions programme.",
        role="uncertainty",
    ),
    Parameter(
        name="automation_cost",
        label="Cost of self-service",
        unit="currency/unit/week at full automation",
        default=6000,
        low=0,
        high=100000,
        group=ECONOMICS,
        help="Technology and upkeep of self-service per unit, scaled by the automation level.",
        role="uncertainty",
    ),
    Parameter(
        name="senior_time_cost",
        label="Cost of senior leaders' time",
        unit="currency/week at full involvement",
        default=8000,
        low=0,
        high=100000,
        group=ECONOMICS,
        help="The top team's time spent modelling and reinforcing the behaviours.",
        role="uncertainty",
    ),
    Parameter(
        name="replacement_cost_share",
        label="Cost of a replacement",
        unit="share of annual pay",
        default=0.19,
        low=0,
        high=1,
        group=ECONOMICS,
        help=("Hiring, onboarding and lost productivity per leaver, as a share of annual pay."),
        source=(
            "Boushey and Glynn (2012), Center for American Progress: median 21% of salary, "
            "about 16% for low-wage jobs."
        ),
        role="uncertainty",
    ),
    # Market and labour market
    Parameter(
        name="demand_level",
        label="Demand",
        unit="x normal",
        default=1.0,
        low=0.3,
        high=2.0,
        group=MARKET,
        help=(
            "Customer demand relative to normal. A temporary rise with fixed staff overloads "
            "the front line."
        ),
        source=("Oliva and Sterman (2001), Management Science 47(7)."),
        role="uncertainty",
    ),
    Parameter(
        name="market_potential",
        label="Market potential",
        unit="x planned customers",
        default=2.0,
        low=1.1,
        high=10.0,
        group=ORGANISATION,
        help=(
            "Potential customers in a unit's market, as a multiple of the customers it was "
            "planned for. New customers come out of this pool and defectors go back to it, so "
            "a unit's customer base settles where winning equals losing."
        ),
        source="Assumed: a unit's market is finite (its catchment); the size is not measured.",
        role="structure",
    ),
    Parameter(
        name="labour_market_tightness",
        label="Labour market tightness",
        unit="0-100",
        default=50,
        low=0,
        high=100,
        group=MARKET,
        help=(
            "How easy it is for staff to find other jobs: tight markets mean more quits and "
            "longer vacancies."
        ),
        role="uncertainty",
    ),
    Parameter(
        name="customer_expectation",
        label="Customer expectations",
        unit="0-100",
        default=62,
        low=0,
        high=100,
        group=MARKET,
        help=(
            "The service new customers expect. Experience is judged against it, and it adapts "
            "to what customers get."
        ),
        role="uncertainty",
    ),
    # Organisation
    Parameter(
        name="n_units",
        label="Units (stores, branches)",
        unit="units",
        default=24,
        low=1,
        high=10000,
        group=ORGANISATION,
        help=("Number of front-line units at the start."),
        role="structure",
        integer=True,
    ),
    Parameter(
        name="staff_per_unit",
        label="Front-line staff per unit",
        unit="employees",
        default=20,
        low=2,
        high=200,
        group=ORGANISATION,
        help=("Planned front-line headcount of a unit at normal demand."),
        role="structure",
        integer=True,
    ),
    Parameter(
        name="units_per_region",
        label="Units per regional leader",
        unit="units",
        default=6,
        low=1,
        high=100,
        group=ORGANISATION,
        help=("Span of control of a regional leader. Growth beyond it thins their presence."),
        role="structure",
        integer=True,
    ),
    Parameter(
        name="support_departments",
        label="Support departments",
        unit="departments",
        default=3,
        low=0,
        high=10,
        group=ORGANISATION,
        help=(
            "Departments (HR, IT, logistics...) whose internal customers are the front line. "
            "The chain is only as strong as its weakest link."
        ),
        role="structure",
        integer=True,
    ),
    Parameter(
        name="support_staff_ratio",
        label="Support staff",
        unit="per 100 front-line staff",
        default=5,
        low=0,
        high=50,
        group=ORGANISATION,
        help=("Support department staff per 100 front-line employees."),
        role="structure",
    ),
    Parameter(
        name="customers_per_unit",
        label="Customers per unit",
        unit="customers",
        default=500,
        low=10,
        high=100000,
        group=ORGANISATION,
        help=("Regular customers (households doing their main shop there) of a unit at the start."),
        role="structure",
        integer=True,
    ),
    Parameter(
        name="champion_share",
        label="Natural champions",
        unit="share of staff",
        default=0.05,
        low=0,
        high=0.5,
        group=ORGANISATION,
        help=("Share of employees who are informal leaders without any programme."),
        role="structure",
    ),
    Parameter(
        name="manager_habit_spread",
        label="Spread of manager habits",
        unit="0-100 points (sd)",
        default=18,
        low=0,
        high=40,
        group=ORGANISATION,
        help=("How much managers' habitual behaviours differ from one another."),
        role="structure",
    ),
    Parameter(
        name="market_spread",
        label="Spread of unit markets",
        unit="share (sd)",
        default=0.2,
        low=0,
        high=0.6,
        group=ORGANISATION,
        help=("How much units' local demand differs (busy city stores, quiet towns)."),
        role="structure",
    ),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


@dataclass(frozen=True)
class UnitColumn:
    """A fact a scenario may give unit by unit, in place of what the organisation draws.

    A scenario's unit table holds a list per column, a value per unit at the
    start (the k-th value is unit k, numbered from 0 as in unit-level
    results), so that the model's units can mirror a company's own. A column
    not given is drawn or derived as `otherwise` says; units opened later are always drawn.

    Attributes:
        name: Key of the column in a scenario's `units`.
        label: Short human label.
        unit: Unit of the values.
        low: Smallest allowed value.
        high: Largest allowed value.
        help: What it means and what it moves.
        otherwise: What a unit gets when the column is not given.
        integer: Whether the values must be whole numbers.
    """

    name: str
    label: str
    unit: str
    low: float
    high: float
    help: str
    otherwise: str
    integer: bool = False

    def allowed(self) -> str:
        """Plain statement of the allowed values, for error messages."""
        kind = "a whole number" if self.integer else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"


UNIT_COLUMNS: tuple[UnitColumn, ...] = (
    UnitColumn(
        name="market",
        label="The unit's market",
        unit="multiple of the average unit's",
        low=0.3,
        high=3.0,
        help=(
            "Its local demand: the customers it was planned for and can win, and, unless its "
            "staff are given, its planned staff, both in proportion."
        ),
        otherwise="drawn around 1 with `market_spread`",
    ),
    UnitColumn(
        name="staff",
        label="The unit's front-line staff",
        unit="employees",
        low=1,
        high=BY_NAME["staff_per_unit"].high,
        help="Its planned front-line headcount at normal demand.",
        otherwise="`staff_per_unit` times its market",
        integer=True,
    ),
    UnitColumn(
        name="habit_offset",
        label="The unit manager's habits",
        unit="0-100 points from the standard",
        low=-50,
        high=50,
        help=(
            "Where the manager's four habitual behaviours start, above or below the "
            "organisation's standard: a unit's own leadership, which its engagement follows."
        ),
        otherwise="drawn around the standard with `manager_habit_spread`",
    ),
)

UNIT_BY_NAME: dict[str, UnitColumn] = {c.name: c for c in UNIT_COLUMNS}


def validate_units(
    table: dict[str, object], n_units: int, where: str = "units."
) -> dict[str, tuple[float | int, ...]]:
    """Check a unit table: known columns, each a list of one allowed value per unit.

    Args:
        table: Column names (`UNIT_COLUMNS`) mapped to lists of values.
        n_units: The units at the start, which each column must list.
        where: Prefix naming where the table came from.

    Raises:
        InputError: For the first unknown column, list of the wrong length or unusable value.
    """
    checked = {}
    for name, values in table.items():
        field = f"{where}{name}"
        column = UNIT_BY_NAME.get(name) if isinstance(name, str) else None
        if column is None:
            raise InputError(f"{field}: unknown unit column; allowed: {', '.join(UNIT_BY_NAME)}")
        if not isinstance(values, list | tuple):
            raise InputError(
                f"{field}: {values!r} is not a list; allowed: a list of one value per unit"
            )
        if len(values) != n_units:
            raise InputError(
                f"{field}: {len(values)} values for {n_units} units; allowed: one value per unit"
            )
        checked[name] = tuple(_number(column, v, f"{field}[{k}]") for k, v in enumerate(values))
    return checked


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
