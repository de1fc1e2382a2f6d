"""Many users at once: concurrent sessions on the simulator page against one server.

Starts `streamlit run app.py` on loopback and opens SESSIONS sessions at once.
Each speaks Streamlit's own websocket protocol, as a browser tab does (so the
figures are the server's, not 10 browsers' drawing on the same two cores):
it loads the page, then moves the engagement programme CHANGES times to
values no other session uses, each time waiting for the run to finish.
Reports the median and 95th percentile of the time from sending the change
to the finished redraw, errors, whether any session was ever shown another's
value, and the slowest answer of the server's health check meanwhile.
Writes bench/results/load.json.

    python bench/load.py [SESSIONS] [CHANGES]     # default 10 sessions, 3 changes each
"""

import asyncio
import json
import statistics
import sys
import time
import urllib.request

from model.paths import BENCH_RESULTS
from ui.remote import connect, free_port, rerun, start_server

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CHANGES = int(sys.argv[2]) if len(sys.argv) > 2 else 3


async def session(port: int, index: int, times: list, problems: list, changes=CHANGES) -> None:
    try:
        async with connect(port) as socket:
            slider = (await rerun(socket, "Engagement and recognition programme"))["slider"]
            for change in range(changes):
                value = 50.0 * (1 + index + change * SESSIONS)  # no other session's value
                started = time.perf_counter()
                page = await rerun(socket, "Engagement and recognition programme", slider, value)
                times.append(time.perf_counter() - started)
                expected = f"engagement_program = {value:g}"
                changed = [a for a in page["alerts"] if a.startswith("Changed:")]
                if page["exceptions"] or changed != [f"Changed: {expected}"]:
                    problems.append(f"session {index}: {page['exceptions'] or changed}")
    except Exception as error:  # noqa: BLE001 - a benchmark counts failures, it does not stop
        problems.append(f"session {index}: {type(error).__name__}: {error}")


async def health(port: int, stop: asyncio.Event, answers: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.to_thread(
            urllib.request.urlopen, f"http://127.0.0.1:{port}/_stcore/health", timeout=60
        )
        answers.append(time.perf_counter() - started)
        await asyncio.sleep(0.5)


async def main() -> None:
    port = free_port()
    server = start_server(port)
    times, problems, answers = [], [], []
    try:
        await session(port, -1, [], problems, changes=0)  # first load builds the warm-ups
        stop = asyncio.Event()
        watcher = asyncio.create_task(health(port, stop, answers))
        started = time.perf_counter()
        await asyncio.gather(*(session(port, i, times, problems) for i in range(SESSIONS)))
        wall = time.perf_counter() - started
        stop.set()
        await watcher
    finally:
        server.terminate()
        server.wait(timeout=30)
    times.sort()
    figures = {
        "sessions": SESSIONS,
        "changes_per_session": CHANGES,
        "redraws": len(times),
        "median_seconds": statistics.median(times),
        "p95_seconds": times[round(0.95 * (len(times) - 1))],
        "max_seconds": times[-1],
        "wall_seconds": wall,
        "errors": problems,
        "slowest_health_check_seconds": max(answers),
    }
    print(
        f"{SESSIONS} sessions x {CHANGES} lever changes (5 replications each): {len(times)} "
        f"redraws, median {figures['median_seconds']:.2f} s, 95th percentile "
        f"{figures['p95_seconds']:.2f} s, max {figures['max_seconds']:.2f} s; {wall:.0f} s in "
        f"all; {len(problems)} error(s); slowest health check {max(answers):.2f} s"
    )
    for problem in problems:
        print("  ", problem)
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
