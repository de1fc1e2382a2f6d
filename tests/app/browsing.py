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


def wait(page, start=1500):
    """Until the rerun an action started has finished, with every replication drawn.

    Args:
        page: The page the action was taken on.
        start: Milliseconds to wait for the rerun to start.
    """
    with contextlib.suppress(playwright.Error):  # it may have been quicker than that
        page.wait_for_selector("[data-test-script-state=running]", timeout=start)
    page.wait_for_function(SETTLED, polling=100)


def slide(page, slider, key: str, times: int) -> None:
    """Move a slider by keyboard and wait for the rerun it sends when the keys stop.

    A slider sends its value after a pause, which on a busy machine can start
    the rerun well after `wait`'s usual window, so this waits longer for it.
    """
    slider.focus()
    for _ in range(times):
        slider.press(key)
    wait(page, start=10_000)


SETTLED = """() =>
    document.querySelector("[data-test-script-state=notRunning]") !== null
    && !document.body.innerText.includes("replications so far")"""
"""The page has finished drawing, and not only for the replications that have arrived (it
stops between those draws too, with the ones so far on screen)."""
