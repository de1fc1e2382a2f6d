"""Helpers for the browser tests: a Streamlit server on loopback and Debian's chromium."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT

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
RESULTS = ROOT / "test-results"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, **env: str) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:`port`, once it answers its health check."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    pytest.fail("the Streamlit server did not start")


def screenshot_if_failed(page, request, name=None) -> None:
    """Keep a full-page screenshot in test-results/ when the test failed."""
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{name or request.node.name}.png"), full_page=True)


def wait(page):
    """Until the rerun an action started has finished."""
    with contextlib.suppress(playwright.Error):  # it may have been quicker than that
        page.wait_for_selector("[data-test-script-state=running]", timeout=1500)
    page.wait_for_selector("[data-test-script-state=notRunning]")
