"""Shared by every test: failure reports kept on the test item, and Python's own `__main__`."""

import sys

import pytest


@pytest.fixture(autouse=True)
def main_module_kept():
    """Put back the `__main__` a test's app script took over.

    Streamlit runs a script as `__main__` and leaves it there; a worker process
    started later (spawn) would run that script again on start-up and die.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
