"""Playing a workshop: levers priced when it is created, rounds played, the research export.

This is where a workshop runs the model; `model.workshop.store` only keeps
what these functions give it, and `model.workshop.rules` says what is allowed.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import replace

import pandas as pd

from model.engine.parameters import BY_NAME, InputError
from model.scenario import Scenario
from model.simulate import simulate
from model.workshop.rules import LEVERS, PREDICTED, SPENDING, Settings, round_outcomes
from model.workshop.store import BASELINE, Workshop, WorkshopStore

PRICE_REPS = 5


def prices(settings: Settings) -> dict[str, float]:
    """Extra spending per round of moving each lever up by one unit (0 outside `SPENDING`).

    Measured on the model's books: the first week's spending (costs other
    than the cost of goods and of leavers) with the lever moved, against
    without (mean of `PRICE_REPS` replications), times the weeks of a round.
    In the first week little but the spending itself has had time to respond.
    """
    start = replace(settings.start(), timeline=())

    def spending(scenario: Scenario) -> float:
        weeks = simulate(scenario, steps=1, seed=settings.seed, reps=PRICE_REPS)
        return float((weeks.costs - weeks.cost_of_goods - weeks.turnover_cost).mean())

    base = spending(start)
    found = dict.fromkeys(LEVERS, 0.0)
    for name in SPENDING:
        p = BY_NAME[name]
        value = start.values()[name]
        step = 1 if p.integer else (p.high - p.low) / 20
        moved = value + step if value + step <= p.high else value - step
        extra = spending(start.with_change(1, {name: moved})) - base
        found[name] = extra / (moved - value) * settings.weeks_per_round
    return found


def open_workshop(store: WorkshopStore, settings: Settings) -> tuple[str, str]:
    """Check, price and keep a new workshop; returns its join code and the facilitator key."""
    settings = settings.checked()
    return store.create(settings, prices(settings))


def team_scenario(settings: Settings, decisions: list[dict[str, float]]) -> Scenario:
    """A team's company: the start, its shocks, and each round's settings from that round on.

    `decisions[r - 1]` are the team's lever settings for round r (all of them,
    or only those it moved); shocks come first in a week, so a team's answer
    to a shock stands.
    """
    scenario = settings.start()
    # The team's own settings so far, shocks left out (not `values_at`): a lever the
    # team leaves where it had it is no decision, and does not undo a shock to it.
    decided = scenario.values()
    for round_, choices in enumerate(decisions, start=1):
        moved = {n: v for n, v in choices.items() if decided[n] != v}
        if moved:
            scenario = scenario.with_change(
                settings.first_week(round_), moved, f"round {round_} decisions"
            )
            decided |= moved
    return scenario


def play(
    settings: Settings, decisions: list[dict[str, float]], executor: Executor | None = None
) -> pd.DataFrame:
    """A company's weekly results to the end of the rounds decided (all replications)."""
    return simulate(
        team_scenario(settings, decisions),
        steps=len(decisions) * settings.weeks_per_round,
        seed=settings.seed,
        reps=settings.reps,
        executor=executor,
    )


def play_round(store: WorkshopStore, code: str, key: str, executor: Executor | None = None) -> int:
    """Lock the open round, run every company and the baseline to its end, keep them.

    A team that did not decide keeps its settings. If the server stops
    while the round runs, playing again finishes that round (it is locked
    already) instead of locking the next.

    Returns:
        The round played.
    """
    workshop, round_ = store.lock_round(code, key)
    for team_id in (BASELINE, *store.teams(workshop)):
        history = [
            store.settings_for(workshop, team_id, r) if team_id != BASELINE else {}
            for r in range(1, round_ + 1)
        ]
        store.save_result(workshop, team_id, round_, play(workshop.settings, history, executor))
    store.mark_played(workshop, round_)
    return round_


def research_data(store: WorkshopStore, workshop: Workshop) -> pd.DataFrame:
    """Decisions, predictions and outcomes per team and round, for workshops that opted in.

    Raises:
        InputError: When the workshop did not opt in to research export.
    """
    if not workshop.settings.research_export:
        raise InputError(
            "export: this workshop did not opt in to research export; allowed: workshops "
            "set up with research export on"
        )
    decided = store.decisions(workshop)
    rows = []
    for team_id, name in {BASELINE: "(baseline)", **store.teams(workshop)}.items():
        table = store.results(workshop, team_id)
        if table is None:
            continue
        outcomes = round_outcomes(table, workshop.settings).assign(team=name)
        rows.append(outcomes)
    if not rows:
        return pd.DataFrame()
    outcomes = pd.concat(rows, ignore_index=True)
    predictions = decided.drop(columns=["team_id"]).rename(
        columns={m: f"predicted_{m}" for m in PREDICTED}
    )
    predictions["choices"] = predictions.choices.map(json.dumps)
    return outcomes.merge(predictions, on=["team", "round"], how="left").assign(
        workshop=workshop.code
    )
