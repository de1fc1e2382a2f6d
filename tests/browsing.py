"""Helpers for the browser tests: a Streamlit server on loopback, Debian's chromium, and a
session client that speaks Streamlit's websocket protocol."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import websockets
from conftest import ROOT
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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


def connect(port: int):
    """A websocket session with the server on `port`, as a new browser tab opens one."""
    return websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{port}",
        max_size=2**26,
    )


async def rerun(
    socket, slider_label: str, widget_id: str | None = None, value: float | None = None
) -> dict:
    """Ask for a rerun (with one slider moved), as a browser tab does over Streamlit's
    websocket, and read the page until the run finishes: the id of the slider whose
    label starts with `slider_label`, the alerts' texts, any exceptions."""
    message = BackMsg()
    message.rerun_script.query_string = ""
    if widget_id is not None:
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.double_array_value.data.append(value)
    await socket.send(message.SerializeToString())
    page = {"alerts": [], "exceptions": [], "slider": None}
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await socket.recv())
        kind = reply.WhichOneof("type")
        if kind == "script_finished":
            return page
        if kind != "delta" or reply.delta.WhichOneof("type") != "new_element":
            continue
        element = reply.delta.new_element
        shown = element.WhichOneof("type")
        if shown == "slider" and element.slider.label.startswith(slider_label):
            page["slider"] = element.slider.id
        elif shown == "alert":
            page["alerts"].append(element.alert.body)
        elif shown == "exception":
            page["exceptions"].append(element.exception.message)
