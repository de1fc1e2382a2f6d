"""Helpers for the browser tests: Debian's chromium driven by Playwright."""

import contextlib
import os
import shutil

import pytest

from model.paths import PROJECT

IN_CI = os.environ.get("CI", "").lower() == "true"
"""In CI a missing browser fails the run: the browser tests must never skip silently there."""

if IN_CI:
    import playwright.sync_api as playwright
else:
    playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = PROJECT / "test-results"


def screenshot_if_failed(page, request, name=None) -> None:
    """Keep a full-page screenshot in test-results/ when the test failed."""
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{name or request.node.name}.png"), full_page=True)


def wait(page):
    """Until the rerun an action started has finished, with every replication drawn."""
    with contextlib.suppress(playwright.Error):  # it may have been quicker than that
        page.wait_for_selector("[data-test-script-state=running]", timeout=1500)
    page.wait_for_function(SETTLED, polling=100)


SETTLED = """() =>
    document.querySelector("[data-test-script-state=notRunning]") !== null
    && !document.body.innerText.includes("replications so far")"""
"""The page has finished drawing, and not only for the replications that have arrived (it
stops between those draws too, with the ones so far on screen)."""
