"""Shared helpers: run the model with some parameters and summarise a window of weeks."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model import Scenario, simulate  # noqa: E402


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


@pytest.fixture(scope="session")
def baseline():
    """The baseline at the settings the lever tests use (same seeds)."""
    return run()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright (skips if either is missing)."""
    from browsing import CHROMIUM, FLAGS, playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
