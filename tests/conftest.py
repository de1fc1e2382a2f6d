"""Shared by every test: failure reports kept on the test item."""

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
