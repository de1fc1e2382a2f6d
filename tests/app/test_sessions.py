"""Sessions at once on one server: each keeps its own settings, whatever the others do."""

import asyncio

import pytest

from ui.remote import connect, free_port, rerun, start_server

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

LEVER = "Engagement and recognition programme"


@pytest.fixture(scope="module")
def port():
    port = free_port()
    server = start_server(port)
    yield port
    server.terminate()
    server.wait(timeout=30)


async def own_settings(port: int, value: float) -> list[list[str]]:
    """Move the lever to `value`, then look again; the alerts each time."""
    async with connect(port) as socket:
        slider = (await rerun(socket, LEVER))["slider"]
        moved = await rerun(socket, LEVER, slider, value)
        again = await rerun(socket, LEVER, slider, value)
    assert not moved["exceptions"] and not again["exceptions"]
    return [[a for a in page["alerts"] if a.startswith("Changed:")] for page in (moved, again)]


def test_concurrent_sessions_never_see_each_others_settings(port):
    values = [250.0, 500.0, 750.0, 1000.0]

    async def together():
        return await asyncio.gather(*(own_settings(port, v) for v in values))

    for value, pages in zip(values, asyncio.run(together()), strict=True):
        shown = f"Engagement and recognition programme {value:g} (currency/employee/year)"
        assert pages == [[f"Changed: {shown}"]] * 2
