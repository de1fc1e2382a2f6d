"""The app driven from outside, as a browser tab drives it.

A Streamlit server on loopback and a session client that speaks Streamlit's
websocket protocol: the browser tests, the session tests and the load
benchmark share them.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from model.paths import PROJECT

EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


def free_port() -> int:
    """A loopback port nobody is listening on."""
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
            str(PROJECT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the Streamlit server did not start")


def connect(port: int):
    """A websocket session with the server on `port`, as a new browser tab opens one."""
    return websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{port}",
        max_size=2**26,
    )


async def rerun(
    socket,
    slider_label: str,
    widget_id: str | None = None,
    value: float | None = None,
    states: dict[str, tuple[str, object]] | None = None,
    wait: bool = True,
) -> dict:
    """Ask for a rerun (with one slider moved), as a browser tab does, and read the page.

    `states` sets more widgets: id -> (the WidgetState field, value), e.g.
    ("double_array_value", [5000]), ("int_value", 10), ("trigger_value", True).
    Reads until the run finishes (unless not `wait`), including the runs the
    page starts again by itself (as it does while replications arrive): what
    the last of them drew. Returns the id of the slider whose label starts
    with `slider_label`, every widget's id by label, the alerts' texts, any
    exceptions, and `first_seconds`: from the request to the last element the
    first run drew (a page that draws its first replications at once and then
    waits for the rest answers there).
    """
    message = BackMsg()
    message.rerun_script.query_string = ""
    if widget_id is not None:
        states = {widget_id: ("double_array_value", [value]), **(states or {})}
    for id_, (field, setting) in (states or {}).items():
        state = message.rerun_script.widget_states.widgets.add()
        state.id = id_
        if field == "double_array_value":
            state.double_array_value.data.extend(setting)
        else:
            setattr(state, field, setting)
    sent = time.perf_counter()
    await socket.send(message.SerializeToString())
    page = {"alerts": [], "exceptions": [], "slider": None, "widgets": {}}
    drawn, first = sent, None
    while wait:
        reply = ForwardMsg()
        reply.ParseFromString(await socket.recv())
        kind = reply.WhichOneof("type")
        if kind == "new_session":  # a run starts: what the page shows now is its own
            page = {"alerts": [], "exceptions": [], "slider": None, "widgets": {}}
        elif kind == "script_finished":
            first = drawn - sent if first is None else first
            if reply.script_finished != EARLY_FOR_RERUN:
                return page | {"first_seconds": first}
        elif kind == "delta":
            drawn = time.perf_counter()
        if kind != "delta" or reply.delta.WhichOneof("type") != "new_element":
            continue
        element = reply.delta.new_element
        shown = element.WhichOneof("type")
        if shown in ("slider", "number_input", "button"):
            widget = getattr(element, shown)
            page["widgets"][widget.label] = widget.id
        if shown == "slider" and element.slider.label.startswith(slider_label):
            page["slider"] = element.slider.id
        elif shown == "alert":
            page["alerts"].append(element.alert.body)
        elif shown == "exception":
            page["exceptions"].append(element.exception.message)
    return page
