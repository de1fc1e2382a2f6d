"""Run the model with some levers pulled and summarise a window of weeks."""

from contextlib import contextmanager
from importlib import import_module

from model import Scenario, simulate
from model.engine import mechanisms

simulating = import_module("model.simulate")  # the module, which `model` shadows by its function


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


@contextmanager
def cut(coefficient, value=0.0, seed=11, reps=2):
    """Runs inside have one declared coefficient of the mechanisms set to `value` from week 1.

    The organisation is warmed up with the coefficient as declared (the same
    warm-ups the runs outside use), so a run with the link cut and one without
    share their state and draws up to week 1 and differ by the link alone.
    """
    declared = getattr(mechanisms, coefficient)
    simulating._starts(Scenario(title="test"), seed, reps, None)  # warmed up as declared
    setattr(mechanisms, coefficient, value)
    try:
        yield
    finally:
        setattr(mechanisms, coefficient, declared)
