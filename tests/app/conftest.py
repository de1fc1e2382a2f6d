"""The browser fixture for the app's tests in chromium."""

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, through Playwright (skips if missing; fails in CI)."""
    from browsing import CHROMIUM, FLAGS, IN_CI, playwright

    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Debian's chromium is not at {CHROMIUM}; CI installs it (.ci/run)")
        pytest.skip("Debian's chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
