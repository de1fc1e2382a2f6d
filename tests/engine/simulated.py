"""Run the model with some levers pulled and summarise a window of weeks."""

from model import Scenario, simulate


def run(weeks=78, reps=2, seed=11, timeline=None, start=None, **levers):
    """Org-level table: the baseline, with `levers` pulled at week 1.

    Args:
        weeks: Weeks to run.
        reps: Replications.
        seed: Master seed (the same for every call, so comparisons share draws).
        timeline: {week: {parameter: value}} further changes.
        start: Parameters the organisation has had all along (warm-up included).
        **levers: Parameters changed at the start of week 1.
    """
    scenario = Scenario(title="test").with_parameters(start or {})
    for week, changes in ({1: levers} | (timeline or {})).items():
        if changes:
            scenario = scenario.with_change(week, changes)
    return simulate(scenario, steps=weeks, seed=seed, reps=reps)


def window(table, first, last):
    """Mean of each measure over weeks first..last (inclusive), across replications."""
    return table[(table.step >= first) & (table.step <= last)].mean(numeric_only=True)
