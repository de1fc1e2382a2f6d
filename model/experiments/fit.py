"""A baseline set from a company's own figures.

Some figures give a parameter directly (units, staff, customers, pay, spend,
margins); the rest (turnover, early exits, engagement, customers kept, their
satisfaction, visits, sales, operating margin) are outcomes of the whole
chain. Those are matched by moving the declared parameter that moves each
most, all at once: trial runs of the baseline on a Latin hypercube of those
parameters (the same seed at every trial), a quadratic response surface
through them that averages out the runs' noise, and SciPy's bounded least
squares on that surface; then again on tighter designs around the answer.
With unit rows, unit k of the model is built as unit k of the company, and a
last round fits each unit's market and manager to its own sales and engagement. The result is
an ordinary scenario whose provenance holds the figures and the fit, figure
by figure. Only aggregates are read and kept.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import openpyxl
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import qmc

from model.engine import mechanisms as mech
from model.engine.organisation import HABIT_PERSON
from model.engine.parameters import BY_NAME, UNIT_BY_NAME, InputError
from model.experiments.calibration import workforce
from model.scenario import MAX_FILE_BYTES, Scenario, read_yaml
from model.simulate import VERSION, simulate

WEEKS_A_YEAR = 52
FIT_WEEKS = WEEKS_A_YEAR
"""Weeks of the baseline each trial runs after its warm-up: a year of figures."""

ROUNDS = ((1.0, 30), (0.5, 20), (0.25, 20))
"""The fit's rounds: trial runs spread over this share of each parameter's range
(first all of it, then tighter and tighter around the answer so far), and how many."""

WELL_IDENTIFIED = 0.05
"""Largest uncertainty (share of its range) for a parameter to count as pinned by the figures."""

UNIT_TRIALS = 16
"""Trial runs of the round that fits each unit's own columns (`UnitFigure.column`)."""

UNIT_HABIT_SPAN = 15.0
"""How far (points) the unit round's trials move a unit manager's habits either side of
the first guess: the first guess puts the units' engagement in the order given, spread
as the drawn managers' habits would spread it."""


@dataclass(frozen=True)
class Figure:
    """A figure a company can give, and how the model takes it.

    A figure either `sets` a parameter (in that parameter's unit), or is matched
    by the fit, which moves `fitted_by` until the baseline reproduces the figure
    within `tolerance` (a share of the figure when `relative`), or states the
    scale of a survey. `low` and `high` bound what the model can represent; for
    a score on the company's own `scale` (the figures naming its lowest and
    highest answers) they and the tolerance are on the model's 0-100.
    """

    name: str
    label: str
    unit: str
    sets: str = ""
    fitted_by: str = ""
    low: float = -math.inf
    high: float = math.inf
    tolerance: float = 0.0
    relative: bool = False
    scale: tuple[str, str] = ()

    def bounds(self) -> tuple[float, float]:
        """What the model can represent, in the figure's unit (0-100 for a score)."""
        if self.sets:
            return BY_NAME[self.sets].low, BY_NAME[self.sets].high
        return self.low, self.high

    def allowed_miss(self, target: float) -> float:
        """How far the model may be from `target` and still reproduce it."""
        return self.tolerance * abs(target) if self.relative else self.tolerance


def _scale(name: str, label: str, end: str) -> Figure:
    return Figure(name, f"{label}: {end} answer on its scale", "points")


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
        "early_exits_a_year",
        "Leavers within their first 90 days, a year",
        "share of staff/year",
        fitted_by="onboarding_quality",
        low=0.04,
        high=1.05,
        tolerance=0.03,
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
        "engagement_score",
        "Engagement survey: mean score",
        "on the survey's scale",
        fitted_by="internal_policy_friction",
        low=60,
        high=74,
        tolerance=2,
        scale=("engagement_scale_low", "engagement_scale_high"),
    ),
    _scale("engagement_scale_low", "Engagement survey", "lowest"),
    _scale("engagement_scale_high", "Engagement survey", "highest"),
    Figure(
        "customer_retention",
        "Customers kept a year",
        "share/year",
        fitted_by="customer_expectation",
        low=0.5,
        high=0.95,
        tolerance=0.02,
    ),
    Figure(
        "customer_score",
        "Customer satisfaction: mean score",
        "on the survey's scale",
        fitted_by="customer_expectation",
        low=80,
        high=97,
        tolerance=1.5,
        scale=("customer_scale_low", "customer_scale_high"),
    ),
    _scale("customer_scale_low", "Customer satisfaction", "lowest"),
    _scale("customer_scale_high", "Customer satisfaction", "highest"),
    Figure(
        "nps",
        "Net promoter score",
        "-100 to 100",
        fitted_by="customer_expectation",
        low=50,
        high=95,
        tolerance=4,
    ),
    Figure(
        "visits_per_customer",
        "Visits per regular customer a year",
        "visits/year",
        fitted_by="demand_level",
        low=10,
        high=48,
        tolerance=1,
    ),
    Figure(
        "sales_per_unit",
        "Sales per unit a year",
        "currency/year",
        fitted_by="demand_level",
        low=1,
        high=1e9,
        tolerance=0.03,
        relative=True,
    ),
)
"""Every figure the fit reads but the operating margin, in the order a form asks for them."""

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

BY_FIGURE = {figure.name: figure for figure in (*FIGURES, MARGIN)}


@dataclass(frozen=True)
class UnitFigure:
    """A figure a company may give unit by unit, and how unit k of the model takes unit k's.

    A unit's figure either sets its `column` of the unit table
    (`parameters.UNIT_COLUMNS`), or is matched by the fit, which moves that
    column until the unit's figure is within `tolerance` (a share of the figure
    when `relative`), or, without a column, is compared with the model's unit.
    `low` and `high` bound what one unit's figure can be: a single unit may lie
    beyond what the model represents for the whole. The fit's trial runs move
    a fitted column up to `span` either side of its first value.
    """

    name: str
    low: float
    high: float
    tolerance: float = 0.0
    relative: bool = False
    column: str = ""
    sets: bool = False
    span: float = 0.0

    def allowed_miss(self, target: float) -> float:
        """How far unit k of the model may be from unit k's `target` and still reproduce it."""
        return self.tolerance * abs(target) if self.relative else self.tolerance


UNIT_FIGURES = (
    UnitFigure("staff_per_unit", 1, BY_NAME["staff_per_unit"].high, 0.5, column="staff", sets=True),
    UnitFigure(
        "engaged_share", 0.0, 1.0, tolerance=0.08, column="habit_offset", span=UNIT_HABIT_SPAN
    ),
    UnitFigure("annual_turnover", 0.0, 5.0, tolerance=0.2),
    UnitFigure(
        "sales_per_unit", 1.0, 1e9, tolerance=0.1, relative=True, column="market", span=0.25
    ),
    UnitFigure("customer_score", -math.inf, math.inf, tolerance=3.0),  # on its scale
    UnitFigure("nps", -100.0, 100.0, tolerance=10.0),
)
"""Figures a company may give unit by unit. The tolerances are a unit's: a unit of a
dozen people is noisier than the whole company (see the report's noise)."""

UNIT_BY_FIGURE = {figure.name: figure for figure in UNIT_FIGURES}

UNIT_LABEL = "unit"
"""The column that may name a unit row (read for messages, never kept)."""

BASKET = tuple(float(v) for v in mech.spend(1.0, np.array([0.0, 100.0]), np.array([0, 156])))
"""The model's smallest and largest basket, as multiples of the spend per visit."""


@dataclass(frozen=True)
class Company:
    """A company's figures as given, and optionally some of them unit by unit (`UNIT_FIGURES`)."""

    figures: dict[str, float]
    units: dict[str, tuple[float, ...]] = field(default_factory=dict)
    """Figure name: one value per unit, in the order the rows were given."""

    def whole(self) -> dict[str, float]:
        """The figures, with what the unit rows give where the company gave nothing.

        The rows give the number of units, and the mean of a figure not given
        for the whole company.
        """
        if not self.units:
            return dict(self.figures)
        count = len(next(iter(self.units.values())))
        means = {name: float(np.mean(values)) for name, values in self.units.items()}
        return {"units": float(count)} | means | self.figures

    def combined(self, other: Company) -> Company:
        """This company's figures and `other`'s (read from another file), each given once."""
        twice = [name for name in other.figures if name in self.figures]
        if twice:
            raise InputError(f"{twice[0]}: given twice; allowed: each figure once")
        if self.units and other.units:
            raise InputError("units: unit rows given twice; allowed: one set of unit rows")
        return check_company(self.figures | other.figures, self.units or other.units)


def check_figures(figures: dict[str, object]) -> dict[str, float]:
    """The figures as numbers, or one line naming the first that cannot be used.

    Raises:
        InputError: For an unknown name, a value that is not a number or lies outside
            what the model can represent, or figures that contradict each other.
    """
    if not figures:
        raise InputError("figures: none given; allowed: one or more of " + ", ".join(BY_FIGURE))
    checked = {}
    for name, value in figures.items():
        if name not in BY_FIGURE:
            raise InputError(f"{name}: not a figure the fit reads; allowed: {', '.join(BY_FIGURE)}")
        checked[name] = _number(BY_FIGURE[name], value, name)
    for figure in BY_FIGURE.values():
        if figure.scale and figure.name in checked:
            _on_model_scale(figure, checked[figure.name], checked, figure.name)
    _check_consistent(checked)
    return checked


def _number(figure: Figure, value: object, where: str) -> float:
    """`value` as a number within what the model represents (a score: on its own scale)."""
    low, high = figure.bounds()
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        allowed = "a number on the survey's scale" if figure.scale else f"{low:g} to {high:g}"
        raise InputError(f"{where}: {value!r} is not a number; allowed: {allowed}")
    if not figure.scale and not low <= value <= high:
        raise InputError(
            f"{where}: {value!r} is beyond what the model represents; allowed: {low:g} to "
            f"{high:g} {figure.unit}"
        )
    return float(value)


def _on_model_scale(figure: Figure, score: float, figures: dict[str, float], where: str) -> float:
    """A score on the company's stated scale as the model's 0-100, within what it represents."""
    converted = _scaled(figure, score, figures, where)
    if not figure.low <= converted <= figure.high:
        bottom, top = (figures[end] for end in figure.scale)
        low, high = (bottom + (top - bottom) * v / 100.0 for v in (figure.low, figure.high))
        raise InputError(
            f"{where}: {score:g} on {bottom:g}-{top:g} is {converted:.0f} of 100, beyond what "
            f"the model represents; allowed: {low:.3g} to {high:.3g} on {bottom:g}-{top:g}"
        )
    return converted


def _scaled(figure: Figure, score: float, figures: dict[str, float], where: str) -> float:
    """A score on the company's stated scale (in `figures`) as 0-100, checked against it."""
    if not all(end in figures for end in figure.scale):
        raise InputError(
            f"{where}: given without its scale; allowed: {' and '.join(figure.scale)} with it"
        )
    bottom, top = (figures[end] for end in figure.scale)
    if not bottom < top:
        raise InputError(
            f"{figure.scale[1]}: {top:g} is not above {figure.scale[0]} {bottom:g}; allowed: "
            "a scale from its lowest answer to its highest"
        )
    if not bottom <= score <= top:
        raise InputError(f"{where}: {score:g} is off its scale; allowed: {bottom:g} to {top:g}")
    return 100.0 * (score - bottom) / (top - bottom)


def _check_consistent(f: dict[str, float]) -> None:
    """Refuse, in one line, figures of the company's that cannot all be true."""
    if f.get("operating_margin", -math.inf) >= f.get("gross_margin", math.inf):
        raise InputError(
            f"operating_margin: {f['operating_margin']:g} is not below gross_margin "
            f"{f['gross_margin']:g}; allowed: an operating margin below the gross margin"
        )
    if f.get("early_exits_a_year", -math.inf) > f.get("annual_turnover", math.inf):
        raise InputError(
            f"early_exits_a_year: {f['early_exits_a_year']:g} is above annual_turnover "
            f"{f['annual_turnover']:g}; allowed: leavers within 90 days at most all leavers"
        )
    basket = ("customers_per_unit", "visits_per_customer", "spend_per_visit")
    if all(name in f for name in basket):
        bought = f["customers_per_unit"] * f["visits_per_customer"] * f["spend_per_visit"]
        low, high = (bought * share for share in BASKET)
        if not low <= f.get("sales_per_unit", low) <= high:
            raise InputError(
                f"sales_per_unit: {f['sales_per_unit']:,.0f} a year is not what "
                f"{f['customers_per_unit']:g} customers making {f['visits_per_customer']:g} "
                f"visits at {f['spend_per_visit']:g} buy; allowed: {low:,.0f} to {high:,.0f} "
                "(the model's baskets grow with loyalty and tenure)"
            )
        sales = f.get("sales_per_unit", high)  # the most the unit can sell: the pay's least share
    else:
        sales = f.get("sales_per_unit")
    if sales and all(name in f for name in ("staff_per_unit", "weekly_wage", "operating_margin")):
        pay = f["staff_per_unit"] * f["weekly_wage"] * WEEKS_A_YEAR / sales
        most = f.get("gross_margin", BY_NAME["gross_margin"].default) - pay
        if f["operating_margin"] > most:
            raise InputError(
                f"operating_margin: {f['operating_margin']:g} is more than the gross margin "
                f"leaves once front-line pay ({pay:.2g} of sales) is paid; allowed: at most "
                f"{most:.3g}"
            )


def check_company(figures: dict[str, object], units: dict[str, list] | None = None) -> Company:
    """The company's figures and unit rows, checked, alone and together.

    Raises:
        InputError: As `check_figures`, or for unit rows that cannot be used.
    """
    if not units:
        return Company(check_figures(figures))
    columns = {}
    for name, values in units.items():
        if name not in UNIT_BY_FIGURE:
            raise InputError(
                f"units.{name}: not a figure given unit by unit; allowed: "
                f"{', '.join(UNIT_BY_FIGURE)}"
            )
        columns[name] = tuple(
            _unit_number(name, value, f"units row {row}: {name}")
            for row, value in enumerate(values, 1)
        )
    first, count = next((name, len(values)) for name, values in columns.items())
    for name, values in columns.items():
        if len(values) != count:
            raise InputError(
                f"units.{name}: {len(values)} rows but {count} of {first}; allowed: a value "
                "per unit in every column"
            )
    if count < 2:
        raise InputError(f"units: {count} row; allowed: two or more unit rows")
    if figures.get("units", count) != count:
        raise InputError(
            f"units: {figures['units']!r} but {count} unit rows; allowed: one row per unit"
        )
    given = check_figures(figures) if figures else {}
    for name, values in columns.items():
        if BY_FIGURE[name].scale:
            for row, value in enumerate(values, 1):
                _scaled(BY_FIGURE[name], value, given, f"units row {row}: {name}")
        elif name in given:
            _check_mean(UNIT_BY_FIGURE[name], values, given[name])
    _check_markets(columns.get("sales_per_unit", ()))
    check_figures(Company(given, columns).whole())
    return Company(given, columns)


def _check_mean(figure: UnitFigure, values: tuple[float, ...], whole: float) -> None:
    """Refuse unit rows whose mean is not the whole company's figure, within a unit's tolerance."""
    mean, miss = float(np.mean(values)), figure.allowed_miss(whole)
    if abs(mean - whole) > miss:
        raise InputError(
            f"units: {figure.name} rows average {mean:,.4g} but {figure.name} is {whole:,.4g}; "
            f"allowed: unit rows that average to the company's figure within {miss:,.3g}"
        )


def _check_markets(sales: tuple[float, ...]) -> None:
    """Refuse unit sales that no spread of the model's markets can make."""
    low, high = UNIT_BY_NAME["market"].low, UNIT_BY_NAME["market"].high
    for row, share in enumerate(np.asarray(sales) / np.mean(sales) if sales else (), 1):
        if not low <= share <= high:
            raise InputError(
                f"units row {row}: sales_per_unit: {sales[row - 1]:,.0f} is {share:.2g} times "
                f"the units' mean; allowed: {low:g} to {high:g} times it (the model's markets)"
            )


def _unit_number(name: str, value: object, where: str) -> float:
    """One unit's figure as a number, within what a unit's can be (`UNIT_FIGURES`)."""
    low, high = UNIT_BY_FIGURE[name].low, UNIT_BY_FIGURE[name].high
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InputError(f"{where}: {value!r} is not a unit's figure; allowed: {low:g} to {high:g}")
    return float(value)


def targets(figures: dict[str, float]) -> dict[str, float]:
    """The fitted figures as the model measures them (scores on its 0-100), in `FIGURES` order."""
    return {
        name: _on_model_scale(figure, figures[name], figures, name)
        if figure.scale
        else figures[name]
        for name, figure in BY_FIGURE.items()
        if name in figures and figure.fitted_by
    }


def read_company(data: str | bytes, what: str = "figures") -> Company:
    """A company from one file: an Excel workbook, a CSV or a YAML mapping, checked.

    A workbook's first sheet holds `figure,value` rows and a sheet named
    `units` the unit rows; a CSV is one or the other (its header tells which);
    YAML maps figures to values, with the unit rows as a list under `unit_rows`.
    """
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        figures, units = _read_workbook(data, what)
        return check_company(figures, units)
    text = data.decode(errors="replace") if isinstance(data, bytes) else data
    if len(text) > MAX_FILE_BYTES:
        raise InputError(f"{what}: {len(text)} bytes; allowed: at most {MAX_FILE_BYTES} bytes")
    if not text.strip() or "\x00" in text:
        found = "an empty file" if not text.strip() else "not a text file"
        raise InputError(f"{what}: {found}; allowed: {COMPANY_FILES}")
    header = text.lstrip().split("\n", 1)[0].lower()
    if header.startswith("figure,"):
        return check_company(_figure_rows(_csv_rows(text), what))
    if header.startswith(f"{UNIT_LABEL},"):
        rows = _csv_rows(text)
        return check_company({}, _unit_columns(rows[0], rows[1:], what))
    data = read_yaml(text, what)
    if not isinstance(data, dict):
        raise InputError(f"{what}: no figures found; allowed: {COMPANY_FILES}")
    rows = data.pop("unit_rows", None)
    if rows is None:
        return check_company(data)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows) or not rows:
        raise InputError(f"{what}: unit_rows is not a list of mappings; allowed: figure: value")
    names = list(dict.fromkeys(name for row in rows for name in row))
    table = [[row.get(name) for name in names] for row in rows]
    return check_company(data, _unit_columns(names, table, what))


COMPANY_FILES = (
    f"a CSV headed 'figure,value' or '{UNIT_LABEL},' and the unit figures, "
    "an Excel workbook, or YAML lines 'figure: value'"
)
"""What a company's file can be, as an error message tells it."""

XLSX_MAGIC = b"PK\x03\x04"
"""How an Excel workbook (a zip archive) starts."""

UNITS_SHEET = "units"
"""The workbook's sheet that holds the unit rows."""

MAX_ROWS = 2000
"""Rows read from a sheet at most: more units than the model runs."""


def _csv_rows(text: str) -> list[list[object]]:
    """A small CSV's rows, numbers as numbers (the header row as it is)."""
    rows = list(csv.reader(io.StringIO(text.strip())))
    return [[cell.strip() for cell in rows[0]]] + [
        [_cell(cell) for cell in row] for row in rows[1:] if any(c.strip() for c in row)
    ]


def _cell(text: str) -> object:
    """A cell as a number where it reads as one, else as text (empty: None)."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _figure_rows(rows: list[list[object]], what: str) -> dict[str, object]:
    """Figures from `figure,value` rows (after the header)."""
    if any(len(row) != 2 for row in rows[1:]):
        raise InputError(f"{what}: a row without two columns; allowed: figure,value lines")
    return {str(name): value for name, value in rows[1:]}


def _unit_columns(header: list, rows: list[list], what: str) -> dict[str, list]:
    """Unit rows (a row a unit, a column a figure) as figure: values, the unit names dropped."""
    header = [str(name).strip() if name is not None else "" for name in header]
    if any(len(row) != len(header) for row in rows):
        raise InputError(f"{what}: a unit row without {len(header)} columns; allowed: a full table")
    columns = {}
    for i, name in enumerate(header):
        if name == UNIT_LABEL:
            continue
        for row, values in enumerate(rows, 1):
            if values[i] is None:
                raise InputError(
                    f"units row {row}: {name} missing; allowed: a number in every column"
                )
        columns[name] = [values[i] for values in rows]
    if not columns:
        raise InputError(f"{what}: unit rows without figures; allowed: {', '.join(UNIT_BY_FIGURE)}")
    return columns


def _read_workbook(data: bytes, what: str) -> tuple[dict, dict]:
    """Figures (first sheet) and unit rows (sheet `units`) from an Excel workbook."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{what}: {len(data)} bytes; allowed: at most {MAX_FILE_BYTES} bytes")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
        first = book.worksheets[0]
        figures = _sheet_rows(first) if first.title.strip().lower() != UNITS_SHEET else []
        units = _sheet_rows(sheets[UNITS_SHEET]) if UNITS_SHEET in sheets else []
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError):
        raise InputError(f"{what}: not a readable Excel workbook; allowed: an .xlsx file") from None
    if figures and str(figures[0][0]).strip().lower() != "figure":
        raise InputError(f"{what}: the first sheet does not start figure,value; allowed: that")
    found = _figure_rows(figures, what) if figures else {}
    return found, _unit_columns(units[0], units[1:], what) if units else {}


def workbook_of(company: Company) -> bytes:
    """The company's figures as an Excel workbook that `read_company` reads back to it.

    A first sheet of `figure,value` rows and, with unit rows, a sheet `units`
    whose units are numbered from 0, as in unit-level results: no names are kept.
    """
    book = openpyxl.Workbook()
    book.active.title = "figures"
    for row in [["figure", "value"], *company.figures.items()]:
        book.active.append(list(row))
    if company.units:
        sheet = book.create_sheet(UNITS_SHEET)
        sheet.append([UNIT_LABEL, *company.units])
        for k, values in enumerate(zip(*company.units.values(), strict=True)):
            sheet.append([k, *values])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _sheet_rows(sheet) -> list[list[object]]:
    """A sheet's non-empty rows (at most `MAX_ROWS`), trailing empty cells dropped."""
    rows = []
    for row in sheet.iter_rows(max_row=MAX_ROWS + 1, values_only=True):
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append([c.strip() if isinstance(c, str) else c for c in cells])
    return rows


def measure(scenario: Scenario, seed: int = 0, reps: int = 2) -> pd.DataFrame:
    """The fitted figures as the scenario's baseline makes them in a year: a row a replication."""
    return _figures_of(simulate(scenario, steps=FIT_WEEKS, seed=seed, reps=reps), scenario)


def _figures_of(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The fitted figures of a year's run of `scenario` (scores on the model's 0-100)."""
    people, runs = workforce(table), table.groupby("rep")
    years = FIT_WEEKS / WEEKS_A_YEAR
    return pd.DataFrame(
        {
            "annual_turnover": people["turnover"],
            "early_exit_share": people["early_exits"],
            "early_exits_a_year": people["turnover"] * people["early_exits"],
            "engaged_share": runs.engaged_share.mean(),
            "engagement_score": runs.employee_satisfaction.mean(),
            "customer_retention": runs.customer_retention.mean(),
            "customer_score": runs.customer_satisfaction.mean(),
            "nps": runs.nps.mean(),
            "visits_per_customer": runs.visits.sum() / runs.active_customers.mean() / years,
            "sales_per_unit": runs.revenue.sum() / scenario.values()["n_units"] / years,
            "operating_margin": runs.profit.sum() / runs.revenue.sum(),
        }
    )


def _unit_figures_of(table: pd.DataFrame) -> pd.DataFrame:
    """The unit figures of a year's unit-level run: a row a replication and unit."""
    runs = table.groupby(["rep", "unit"])
    years = FIT_WEEKS / WEEKS_A_YEAR
    return pd.DataFrame(
        {
            "engaged_share": runs.engaged_share.mean(),
            "annual_turnover": runs.quits.sum() / runs.headcount.mean() / years,
            "sales_per_unit": runs.revenue.sum() / years,
            "customer_score": runs.customer_satisfaction.mean(),
            "nps": runs.nps.mean(),
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
    units: pd.DataFrame
    """With unit rows: unit k of the company beside unit k of the model, figure by
    figure, as `report` has it for the whole (`units_compared`)."""


TRIALS = sum(trials for _, trials in ROUNDS)
"""Trial runs a fit makes for the whole company (besides the final check)."""


def trials_of(company: Company) -> int:
    """Trial runs the fit of `company` makes: the unit round's too when it has one."""
    return TRIALS + (UNIT_TRIALS if _unit_fitted(company) else 0)


def _unit_fitted(company: Company) -> list[UnitFigure]:
    """The company's unit figures that the unit round fits, each by its own column."""
    return [
        UNIT_BY_FIGURE[name]
        for name in company.units
        if UNIT_BY_FIGURE[name].column and not UNIT_BY_FIGURE[name].sets
    ]


def fit(
    company: Company,
    title: str = "Our company",
    seed: int = 0,
    reps: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> Fit:
    """The baseline that reproduces the company's figures (checked with `check_company`).

    With unit rows, unit k of the model is built as unit k of the company
    (its market from its sales, its staff from its headcount, its manager's
    habits from its engagement); after the whole company's first round, a
    round of trial runs fits each unit's own columns to its own figures, and
    the whole company's later rounds fit it with those units.

    Args:
        company: Figure names (`FIGURES`) mapped to the company's values, and any unit rows.
        title: The fitted scenario's title.
        seed: Seed of every trial run (common random numbers).
        reps: Replications per trial.
        progress: Called with (trials done, `trials_of(company)`) after each trial run.
    """
    company = check_company(company.figures, company.units)
    figures = company.whole()
    start = Scenario(title).with_parameters(_set_directly(company))
    start = start.with_units(_first_unit_table(company, start))
    wanted = targets(figures)
    surfaced = [BY_FIGURE[name] for name in wanted if name != MARGIN.name]
    done, total = itertools.count(1), trials_of(company)

    def tick() -> None:
        if progress:
            progress(next(done), total)

    def units_round(scenario: Scenario) -> Scenario:
        return _fit_units(scenario, company, seed, reps, tick)

    fitted, uncertainty = _fit_surface(start, surfaced, wanted, seed, reps, tick, units_round)
    table = simulate(fitted, steps=FIT_WEEKS, seed=seed, reps=reps)
    if MARGIN.name in wanted:
        fitted, table = _margin_solved(fitted, table, wanted[MARGIN.name])
        uncertainty.append(0.0)  # solved exactly from the books
    found = _figures_of(table, fitted)[list(wanted)]
    aimed = [BY_FIGURE[name] for name in wanted]
    report = pd.DataFrame(
        {
            "figure": [f"{f.label} (0-100)" if f.scale else f.label for f in aimed],
            "target": list(wanted.values()),
            "model": found.mean().to_numpy(),
            "noise": (found.std() / np.sqrt(reps)).fillna(0.0).to_numpy(),
            "tolerance": [f.allowed_miss(wanted[f.name]) for f in aimed],
        }
    )
    report["within"] = (report.model - report.target).abs() <= report.tolerance
    free = [BY_NAME[name] for name in dict.fromkeys(f.fitted_by for f in aimed)]
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
    units = pd.DataFrame(columns=UNIT_REPORT)
    provenance = {
        "figures": company.figures,
        "fit": json.loads(report.to_json(orient="records")),
        "fitted": json.loads(pinned.to_json(orient="records")),
    }
    if company.units:
        units = units_compared(company, simulate(fitted, FIT_WEEKS, seed, "unit", reps))
        provenance |= {
            "unit_figures": {name: list(values) for name, values in company.units.items()},
            "unit_fit": json.loads(units.to_json(orient="records")),
        }
    provenance |= {"seed": seed, "replications": reps, "model_version": VERSION}
    scenario = replace(fitted, description=_description(title, report), provenance=provenance)
    return Fit(scenario, report, pinned, units)


def _set_directly(company: Company) -> dict[str, float | int]:
    """The parameters the company's figures give directly.

    Unit sales give the spread of the units' markets, which units opened later
    are drawn with: a unit's sales follow its market.
    """
    values = {
        BY_FIGURE[name].sets: _as_value(BY_NAME[BY_FIGURE[name].sets], value)
        for name, value in company.whole().items()
        if BY_FIGURE[name].sets
    }
    sales = company.units.get("sales_per_unit")
    if sales:
        spread = float(np.std(sales, ddof=1) / np.mean(sales))
        values["market_spread"] = _as_value(BY_NAME["market_spread"], spread)
    return values


def _first_unit_table(company: Company, start: Scenario) -> dict[str, list]:
    """The unit table the fit starts from: unit k of the model built as unit k of the company.

    A unit's market is its share of the units' mean sales, its staff its own
    headcount, and its manager's habits lie above or below the standard as
    its engagement lies from the units' mean, spread as drawn managers' are.
    """
    rows = company.units
    table = {}
    if "sales_per_unit" in rows:
        table["market"] = list(np.asarray(rows["sales_per_unit"]) / np.mean(rows["sales_per_unit"]))
    if "staff_per_unit" in rows:
        table["staff"] = [max(1, round(v)) for v in rows["staff_per_unit"]]
    if "engaged_share" in rows:
        engaged = np.asarray(rows["engaged_share"])
        spread = start.values()["manager_habit_spread"] * HABIT_PERSON
        z = (engaged - engaged.mean()) / max(engaged.std(ddof=1), 1e-9)
        habit = UNIT_BY_NAME["habit_offset"]
        table["habit_offset"] = list(np.clip(spread * z, habit.low, habit.high))
    return table


def _fit_units(
    scenario: Scenario,
    company: Company,
    seed: int,
    reps: int,
    tick: Callable[[], None],
) -> Scenario:
    """The scenario with each unit's own columns fitted to its own figures.

    Trial runs at unit level on a Latin hypercube of every unit's columns
    around their first values (the same seed at every trial); then, unit by
    unit, a quadratic response surface of its figures in its own columns and
    SciPy's bounded least squares on it. A unit's figures follow its own
    columns far more than the others', which act as noise the surface averages
    out. The round places the units against each other; their mean stays where
    the whole company's fit left it, since the parameters fitted to the whole
    (friction for engagement, demand for sales) were fitted with it.
    """
    aimed = _unit_fitted(company)
    if not aimed:
        return scenario
    columns = [UNIT_BY_NAME[f.column] for f in aimed]
    names = [f.name for f in aimed]
    first = np.array([scenario.units[c.name] for c in columns], float).T  # units x columns
    span = np.array([f.span for f in aimed])
    bottom, top = [c.low for c in columns], [c.high for c in columns]
    low, high = np.clip(first - span, bottom, top), np.clip(first + span, bottom, top)
    n = len(first)
    draws = qmc.LatinHypercube(d=first.size, seed=seed).random(UNIT_TRIALS)
    design = low + (high - low) * draws.reshape(UNIT_TRIALS, n, len(columns))
    observed = []
    for point in design:
        trial = scenario.with_units({c.name: list(point[:, j]) for j, c in enumerate(columns)})
        runs = _unit_figures_of(simulate(trial, FIT_WEEKS, seed, "unit", reps))
        observed.append(runs.groupby("unit")[names].mean().to_numpy())
        tick()
    observed = np.array(observed)  # trials x units x figures
    wanted = np.array([company.units[name] for name in names], float).T
    found = np.empty_like(first)
    for k in range(n):
        scale = np.maximum(high[k] - low[k], 1e-9)
        surface = _Surface((design[:, k] - low[k]) / scale, observed[:, k])
        tolerance = np.array([f.allowed_miss(t) for f, t in zip(aimed, wanted[k], strict=True)])
        best = least_squares(
            lambda y, s=surface, k=k, t=tolerance: (s(y) - wanted[k]) / t,
            np.clip((first[k] - low[k]) / scale, 0, 1),
            bounds=(0, 1),
        ).x
        found[k] = low[k] + best * scale
    level = first.mean(axis=0) - found.mean(axis=0)  # the whole's level stays the whole fit's
    found = np.clip(found + level, bottom, top)
    return scenario.with_units(
        {c.name: [float(f"{v:.4g}") for v in found[:, j]] for j, c in enumerate(columns)}
    )


UNIT_REPORT = ["figure", "unit", "yours", "model", "noise", "tolerance", "within", "fitted_by"]
"""The columns of the unit by unit report."""


def units_compared(company: Company, table: pd.DataFrame) -> pd.DataFrame:
    """Unit k of the company beside unit k of the model, figure by figure.

    Scores are taken on the model's 0-100; `noise` is the standard error of
    the model's unit over the replications, and `fitted_by` the unit table's
    column fitted to the figure (none: compared only). Figures that set the
    unit (its headcount) are not compared.
    """
    model = _unit_figures_of(table).groupby("unit")
    mean, noise = model.mean(), (model.std() / np.sqrt(table.rep.nunique())).fillna(0.0)
    rows = []
    for name, values in company.units.items():
        unit_figure, figure = UNIT_BY_FIGURE[name], BY_FIGURE[name]
        if unit_figure.sets:
            continue
        label = f"{figure.label} (0-100)" if figure.scale else figure.label
        for k, value in enumerate(values):
            yours = _scaled(figure, value, company.figures, name) if figure.scale else value
            miss = unit_figure.allowed_miss(yours)
            rows.append(
                {
                    "figure": label,
                    "unit": k,
                    "yours": float(yours),
                    "model": float(mean[name].iloc[k]),
                    "noise": float(noise[name].iloc[k]),
                    "tolerance": miss,
                    "within": bool(abs(mean[name].iloc[k] - yours) <= miss),
                    "fitted_by": unit_figure.column,
                }
            )
    return pd.DataFrame(rows, columns=UNIT_REPORT)


def _fit_surface(
    start: Scenario,
    aimed: list[Figure],
    wanted: dict[str, float],
    seed: int,
    reps: int,
    tick: Callable[[], None],
    between: Callable[[Scenario], Scenario] | None = None,
) -> tuple[Scenario, list[float]]:
    """The parameters behind the `aimed` figures fitted on response surfaces, round by round.

    Several figures may move one parameter (engagement as a share and as a
    score): least squares then weighs them by their tolerances. `tick` is
    called after each trial run. `between`, if given, is called on the answer
    after the first round, and the later rounds fit the whole company with the
    unit table it returns (what the units' own round did to the whole). From
    the second round on, each surface goes through every trial since the
    second round began, which averages out more of the runs' noise than a
    tighter round's own trials can. Returns the
    fitted scenario and, per parameter, its uncertainty: how far (share of
    its range) it can move, the others moving with it, while the figures stay
    within about their tolerances.
    """
    free = [BY_NAME[name] for name in dict.fromkeys(f.fitted_by for f in aimed)]
    names = [f.name for f in aimed]
    target = np.array([wanted[name] for name in names])
    tolerance = np.array([f.allowed_miss(wanted[f.name]) for f in aimed])

    def scenario_at(x: np.ndarray) -> Scenario:
        return start.with_parameters(
            {p.name: _unscaled(p, v) for p, v in zip(free, x, strict=True)}
        )

    if not free:
        return start, []
    x = np.array([(start.values()[p.name] - p.low) / (p.high - p.low) for p in free])
    for number, (spread, trials) in enumerate(ROUNDS):
        if number == 1 and between:
            start = replace(start, units=between(scenario_at(x)).units)
        if number <= 1:
            designs, observed = [], []
        low, high = np.clip(x - spread / 2, 0, 1), np.clip(x + spread / 2, 0, 1)
        design = low + (high - low) * qmc.LatinHypercube(d=len(free), seed=seed).random(trials)
        for point in design:
            observed.append(measure(scenario_at(point), seed, reps)[names].mean())
            tick()
        designs.extend(design)
        surface = _Surface(np.array(designs), np.array(observed))
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


def _margin_solved(
    scenario: Scenario, table: pd.DataFrame, margin: float
) -> tuple[Scenario, pd.DataFrame]:
    """The scenario with the fixed costs per unit that give `margin`, and its run.

    Fixed costs move profit and nothing else, so the run at the old costs
    gives the new one by arithmetic: each unit's weekly profit falls by the
    rise in its fixed costs.
    """
    unit_weeks = scenario.values()["n_units"] * FIT_WEEKS * table.rep.nunique()
    old = scenario.values()["unit_fixed_costs"]
    wanted = old + (table.profit.sum() - margin * table.revenue.sum()) / unit_weeks
    new = _as_value(BY_NAME["unit_fixed_costs"], wanted)
    rise = (new - old) * scenario.values()["n_units"]
    solved = scenario.with_parameters({"unit_fixed_costs": new})
    return solved, table.assign(profit=table.profit - rise, costs=table.costs + rise)


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
