"""Workshop mode: decision rounds for teams, scripted shocks, predictions and a debrief.

A facilitator sets up a workshop on a scenario: rounds (a quarter each by
default), a budget per round and shocks at given rounds. Each team runs its
own copy of the company. Every round a team sets its levers within the budget
and predicts quarterly profit, turnover and customer satisfaction; when the
facilitator advances, decisions lock and every company, and a baseline that
decides nothing, is run to the end of the round on the same seeds. State is
kept in SQLite (`model.workshop.store`) and rounds are played by
`model.workshop.rounds`, so nothing here holds state or runs the model.

What a team's settings cost comes from the model's own books: the extra
spending, in the first week, of moving each lever in `SPENDING` by one unit,
times the weeks of a round. Leader standards and policies cost nothing in the
books; what limits them is how slowly an organisation changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from model.analysis import RECENT_WEEKS, business_case
from model.engine.observe import CHAIN
from model.engine.parameters import BY_NAME, PARAMETERS, InputError
from model.scenario import MAX_WEEKS, Scenario, load_scenario, parse_scenario, scenario_names

LEVERS = tuple(
    p.name
    for p in PARAMETERS
    if p.role == "lever" and p.name not in ("growth_rate", "automation_level")
)
"""What a team may set: every lever a firm chooses during a run, except opening
units and automating, which are not a quarter's decisions."""

SPENDING = (
    "senior_involvement",
    "leadership_training",
    "frontline_training_hours",
    "onboarding_quality",
    "engagement_program",
    "champions_program",
    "staffing_level",
    "wage_level",
)
"""The levers the books charge for directly. The others (leader standards,
policies, layers, selectivity, cooperation) cost nothing there."""

PREDICTED = {
    "profit": "Profit in the round (currency)",
    "turnover_rate": "Turnover, annualised (share/year)",
    "customer_satisfaction": "Customer satisfaction at the round's end (0-100)",
}
"""What teams predict before each round, and how the outcome is measured."""


@dataclass(frozen=True)
class Shock:
    """A scripted event for every company: parameter changes, new managers, a budget cut."""

    label: str
    changes: dict[str, float] = field(default_factory=dict)
    budget_factor: float = 1.0
    new_manager: tuple[int, ...] = ()


SHOCKS = {
    "budget_cut": Shock("Budget cut: the round's budget halves from here on", budget_factor=0.5),
    "tight_labour_market": Shock(
        "Tight labour market: people leave more easily, vacancies fill slowly",
        {"labour_market_tightness": 85},
    ),
    "demand_surge": Shock(
        "Demand surge: a fifth more customers want to buy", {"demand_level": 1.2}
    ),
    "new_manager": Shock(
        "A new manager in unit 1: hired in a hurry, habits below the standard",
        new_manager=(0,),
    ),
    "new_managers": Shock(
        "A wave of new managers: leaders fall back on habit as coaching lapses",
        {"leader_coaching": 20, "leader_presence": 25},
    ),
}


MAX_ROUNDS = 40


@dataclass(frozen=True)
class Settings:
    """A workshop as the facilitator sets it up."""

    title: str
    scenario: str = "baseline"
    rounds: int = 8
    weeks_per_round: int = 13
    budget: float = 200_000.0
    shocks: dict[int, str] = field(default_factory=dict)  # round -> SHOCKS key
    seed: int = 0
    reps: int = 3
    research_export: bool = False
    company: dict | None = None
    """A scenario written out (a company fitted in the facilitator's session), used instead of
    the named one; `scenario` then only names it."""

    def checked(self) -> Settings:
        """These settings if a workshop can run on them; else one clear error."""
        if not self.title.strip():
            raise InputError("title: empty; allowed: a short name for the workshop")
        if self.company is not None:
            parse_scenario(self.company)
        elif self.scenario not in scenario_names():
            raise InputError(
                f"scenario: {self.scenario!r} is unknown; allowed: {', '.join(scenario_names())}"
            )
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise InputError(f"rounds: {self.rounds} is not usable; allowed: 1 to {MAX_ROUNDS}")
        if not 1 <= self.weeks_per_round <= 52:
            raise InputError(
                f"weeks_per_round: {self.weeks_per_round} is not usable; allowed: 1 to 52"
            )
        if not 1 <= self.rounds * self.weeks_per_round <= MAX_WEEKS:
            raise InputError(
                f"rounds: {self.rounds} rounds of {self.weeks_per_round} weeks is not usable; "
                f"allowed: 1 to {MAX_WEEKS} weeks in all"
            )
        if not 0 <= self.budget <= 1e9:
            raise InputError(f"budget: {self.budget:g} is not usable; allowed: 0 to 1e9")
        if not 1 <= self.reps <= 20:
            raise InputError(f"reps: {self.reps} is not usable; allowed: 1 to 20")
        for at, shock in self.shocks.items():
            if shock not in SHOCKS:
                raise InputError(f"shocks: {shock!r} is unknown; allowed: {', '.join(SHOCKS)}")
            if not 1 <= at <= self.rounds:
                raise InputError(f"shocks: round {at} is not a round; allowed: 1 to {self.rounds}")
        return self

    def start(self) -> Scenario:
        """The scenario every company starts from, with the scripted shocks in its timeline."""
        if self.company is not None:
            scenario = parse_scenario(self.company)
        else:
            scenario = load_scenario(self.scenario)
        scenario = replace(scenario, weeks=self.rounds * self.weeks_per_round)
        for at, key in sorted(self.shocks.items()):
            shock = SHOCKS[key]
            if shock.changes or shock.new_manager:
                scenario = scenario.with_change(
                    self.first_week(at), shock.changes, shock.label, shock.new_manager
                )
        return scenario

    def first_week(self, round_: int) -> int:
        """The week a round starts (round 1 starts in week 1)."""
        return (round_ - 1) * self.weeks_per_round + 1

    def budget_in(self, round_: int) -> float:
        """The round's budget, after any budget cuts scripted up to it."""
        factor = np.prod([SHOCKS[s].budget_factor for at, s in self.shocks.items() if at <= round_])
        return float(self.budget * factor)


def cost(choices: dict[str, float], start: dict[str, float], price: dict[str, float]) -> float:
    """Extra operating cost per round of `choices` against the starting organisation."""
    return float(sum(price[n] * (choices[n] - start[n]) for n in choices if n in price))


def check_choices(
    choices: dict[str, float], start: dict[str, float], price: dict[str, float], budget: float
) -> dict[str, float]:
    """The choices, validated, if they fit the budget; else one clear error."""
    unknown = [n for n in choices if n not in LEVERS]
    if unknown:
        raise InputError(f"{unknown[0]}: not a workshop lever; allowed: {', '.join(LEVERS)}")
    checked = {n: BY_NAME[n].validate(v) for n, v in choices.items()}
    spend = cost(checked, start, price)
    if spend > budget + 0.5:
        raise InputError(
            f"budget: these settings cost {spend:,.0f} a round; allowed: at most the "
            f"round's budget of {budget:,.0f} (cut a programme or a pay rise to fit)"
        )
    return checked


# ------------------------------------------------------------ debrief


def round_outcomes(table: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per round: the `PREDICTED` measures, as predictions are asked for (mean of replications)."""
    rows = []
    for round_ in range(1, int(table.step.max()) // settings.weeks_per_round + 1):
        first, last = settings.first_week(round_), round_ * settings.weeks_per_round
        weeks = table[(table.step >= first) & (table.step <= last)]
        per_rep = weeks.groupby("rep")
        rows.append(
            {
                "round": round_,
                "profit": per_rep.profit.sum().mean(),
                "turnover_rate": weeks.turnover_rate.mean(),
                "customer_satisfaction": weeks[weeks.step == last].customer_satisfaction.mean(),
            }
        )
    return pd.DataFrame(rows)


RESPONSE = {"money": 0.02, "share": 0.01, "points": 1.0}
"""When a stage has responded: its difference from the baseline (`RECENT_WEEKS`-week
mean) passes 2% of the baseline for money, 1 point for shares, 1 point on 0-100 scales."""


def time_to_impact(team: pd.DataFrame, baseline: pd.DataFrame, first_week: int) -> pd.DataFrame:
    """When each stage of the chain first moved clearly away from the baseline, and which way.

    Each stage's measure is averaged over replications and the trailing
    `RECENT_WEEKS` weeks; the response week is the first from `first_week` on
    where the difference passes its `RESPONSE` threshold.
    """
    rows = []
    for stage, measure in CHAIN:
        mine = team.groupby("step")[measure].mean().rolling(RECENT_WEEKS, min_periods=1).mean()
        theirs = (
            baseline.groupby("step")[measure].mean().rolling(RECENT_WEEKS, min_periods=1).mean()
        )
        gap = (mine - theirs)[mine.index >= first_week]
        kind = (
            "money"
            if measure == "profit"
            else "share"
            if measure == "customer_retention"
            else "points"
        )
        threshold = RESPONSE[kind] * (abs(theirs.mean()) if kind == "money" else 1.0)
        moved = gap[gap.abs() > threshold]
        rows.append(
            {
                "stage": stage,
                "measure": measure,
                "responded_week": int(moved.index[0]) if len(moved) else None,
                "direction": ("up" if moved.iloc[0] > 0 else "down")
                if len(moved)
                else "no clear change",
                "difference_now": float(gap.iloc[-1]) if len(gap) else 0.0,
            }
        )
    return pd.DataFrame(rows)


DEBRIEF = {
    "team": "Team",
    "extra_operating_cost": "Extra operating cost",
    "profit_difference": "Profit vs baseline",
    "payback_week": "Paid back from week",
    "worse_before_better": "Worse before better",
}
MISSES = {
    "team": "Team",
    "profit_miss": PREDICTED["profit"],
    "turnover_miss": PREDICTED["turnover_rate"],
    "customer_satisfaction_miss": PREDICTED["customer_satisfaction"],
}
"""The debrief's two tables (`debrief_row`): what each company did, how far its
predictions missed; headers short enough to fit a projector's width."""


def debrief_row(
    team: str,
    table: pd.DataFrame,
    baseline: pd.DataFrame,
    predictions: pd.DataFrame,
    settings: Settings,
) -> dict:
    """One team's story for the debrief table: what it cost, when it paid, how well it foresaw."""
    case = business_case(table, baseline)
    outcomes = round_outcomes(table, settings).set_index("round")
    misses = {}
    if len(predictions):
        joined = predictions.merge(outcomes, on="round", suffixes=("", "_actual"))
        for measure in PREDICTED:
            misses[measure] = float((joined[measure] - joined[f"{measure}_actual"]).abs().mean())
    return {
        "team": team,
        "extra_operating_cost": case["investment"],
        "profit_difference": case["profit_difference"][0],
        "payback_week": case["payback_week"],
        "worse_before_better": case["payback_week"] is not None,
        "profit_miss": misses.get("profit"),
        "turnover_miss": misses.get("turnover_rate"),
        "customer_satisfaction_miss": misses.get("customer_satisfaction"),
    }
