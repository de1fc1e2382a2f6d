"""Many users at once: concurrent sessions on the simulator page against one server.

Starts `streamlit run app.py` on loopback and opens SESSIONS sessions at once.
Each speaks Streamlit's own websocket protocol, as a browser tab does (so the
figures are the server's, not 10 browsers' drawing on the same two cores):
it loads the page, then moves the engagement programme CHANGES times to
values no other session uses, each time waiting for the run to finish.
Reports the median and 95th percentile of the time from sending the change
to the finished redraw, the median time to the first answer (the page drawn
with its first replications, before the rest arrive), errors, whether any
session was ever shown another's value, and the slowest answer of the
server's health check meanwhile.

Two cases on the same server: quiet, then again while one more session runs
the heaviest thing the app allows (`ui.runs.LARGEST`: 100,000 employees with
10 replications, scenario and baseline, "Run it anyway"). The goal is a median
redraw with the heavy session within 1.5 times the quiet one; the CPU time the
background workers got meanwhile shows the heavy work was running.
Writes bench/results/load.json.

    python bench/load.py [SESSIONS] [CHANGES] [REPLICATIONS]
    # default 10 sessions, 3 changes each, the app's default replications
"""

import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import time
import urllib.request

import psutil
from conditions import conditions

from model.paths import BENCH_RESULTS
from ui.remote import connect, free_port, rerun, start_server
from ui.runs import BACKGROUND_NICE
from ui.state import changes_text

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CHANGES = int(sys.argv[2]) if len(sys.argv) > 2 else 3
REPS = int(sys.argv[3]) if len(sys.argv) > 3 else None
LEVER = "Engagement and recognition programme"
HEAVIEST = {"Units (stores, branches) (units)": 5000, "Front-line staff per unit (employees)": 20}
HEAVIEST_REPS = 10
SETTLE = 20  # seconds for the heavy run to get going before the others are timed
GOAL = 1.5


async def replications(socket) -> tuple[str, dict]:
    """Load the page with REPS replications (if given): the lever's id and the settings to send."""
    page = await rerun(socket, LEVER)
    if REPS is None:
        return page["slider"], {}
    reps = {page["widgets"]["Replications"]: ("int_value", REPS)}
    await rerun(socket, LEVER, states=reps)
    return page["slider"], reps


async def session(
    port: int, index: int, times: dict, problems: list, case: int = 0, changes=CHANGES
):
    try:
        async with connect(port) as socket:
            slider, reps = await replications(socket)
            for change in range(changes):
                # no other session's value, in either case: 50 to 3,000 a year per employee
                value = 50.0 * (1 + index + (change + case * CHANGES) * SESSIONS)
                started = time.perf_counter()
                page = await rerun(socket, LEVER, slider, value, states=reps)
                times["whole"].append(time.perf_counter() - started)
                times["first"].append(page["first_seconds"])
                expected = changes_text({"engagement_program": value})
                changed = [a for a in page["alerts"] if a.startswith("Changed:")]
                if page["exceptions"] or changed != [f"Changed: {expected}"]:
                    problems.append(f"session {index}: {page['exceptions'] or changed}")
    except Exception as error:  # noqa: BLE001 - a benchmark counts failures, it does not stop
        problems.append(f"session {index}: {type(error).__name__}: {error}")


async def warm_up(port: int) -> None:
    """Load the page and run one change (of another lever), untimed: warm-ups and workers ready."""
    async with connect(port) as socket:
        _, reps = await replications(socket)
        page = await rerun(socket, LEVER, states=reps)
        wage = next(i for label, i in page["widgets"].items() if label.startswith("Wage level"))
        await rerun(socket, LEVER, wage, 1.1, states=reps)


async def heaviest(port: int, going: asyncio.Event, stop: asyncio.Event, problems: list):
    """Set the largest organisation the app runs and click "Run it anyway"; hold until `stop`."""
    async with connect(port) as socket:
        ids = (await rerun(socket, LEVER))["widgets"]
        size = {ids[label]: ("double_array_value", [float(v)]) for label, v in HEAVIEST.items()}
        size[ids["Replications"]] = ("int_value", HEAVIEST_REPS)
        page = await rerun(socket, LEVER, states=size)
        ask = page["widgets"].get("Run it anyway")
        if ask is None:
            problems.append(f"heavy session: no 'Run it anyway' ({page['alerts']})")
        else:
            await rerun(socket, LEVER, states=size | {ask: ("trigger_value", True)}, wait=False)
        await asyncio.sleep(SETTLE)
        going.set()
        await stop.wait()


def background_cpu(server) -> float:
    """CPU seconds used so far by the server's background (low-priority) workers."""
    seconds = 0.0
    for child in psutil.Process(server.pid).children(recursive=True):
        try:
            if child.nice() == BACKGROUND_NICE:
                times = child.cpu_times()
                seconds += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return seconds


def stop_all(server) -> None:
    """Stop the server and its workers (a heavy run would hold them for minutes)."""
    workers = psutil.Process(server.pid).children(recursive=True)
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    for worker in workers:
        with contextlib.suppress(psutil.NoSuchProcess):
            worker.kill()


async def health(port: int, stop: asyncio.Event, answers: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.to_thread(
            urllib.request.urlopen, f"http://127.0.0.1:{port}/_stcore/health", timeout=60
        )
        answers.append(time.perf_counter() - started)
        await asyncio.sleep(0.5)


async def timed(port: int, case: int) -> dict:
    """SESSIONS sessions changing the lever at once: the figures."""
    times, problems, answers = {"whole": [], "first": []}, [], []
    stop = asyncio.Event()
    watcher = asyncio.create_task(health(port, stop, answers))
    started = time.perf_counter()
    await asyncio.gather(*(session(port, i, times, problems, case) for i in range(SESSIONS)))
    wall = time.perf_counter() - started
    stop.set()
    await watcher
    whole = sorted(times["whole"])
    return {
        "redraws": len(whole),
        "median_seconds": statistics.median(whole),
        "p95_seconds": whole[round(0.95 * (len(whole) - 1))],
        "max_seconds": whole[-1],
        "median_first_answer_seconds": statistics.median(times["first"]),
        "wall_seconds": wall,
        "errors": problems,
        "slowest_health_check_seconds": max(answers),
    }


async def main() -> None:
    measured = conditions()
    port = free_port()
    server = start_server(port)
    try:
        await warm_up(port)
        quiet = await timed(port, case=0)
        going, stop, problems = asyncio.Event(), asyncio.Event(), []
        heavy = asyncio.create_task(heaviest(port, going, stop, problems))
        await going.wait()
        cpu_before = background_cpu(server)
        loaded = await timed(port, case=1)
        loaded["background_cpu_seconds"] = background_cpu(server) - cpu_before
        loaded["errors"] += problems
        stop.set()
        await heavy
    finally:
        stop_all(server)
    ratio = loaded["median_seconds"] / quiet["median_seconds"]
    figures = measured | {
        "sessions": SESSIONS,
        "changes_per_session": CHANGES,
        "replications": REPS or "the app's default",
        "quiet": quiet,
        "with_heaviest_session": loaded,
        "heaviest": " x ".join(f"{v:,} {label}" for label, v in HEAVIEST.items())
        + f", {HEAVIEST_REPS} replications, scenario and baseline",
        "median_ratio": ratio,
        "goal_ratio": GOAL,
        "goal_met": ratio <= GOAL,
    }
    for name, case in (("quiet", quiet), ("with the heaviest session", loaded)):
        print(
            f"{name}: {SESSIONS} sessions x {CHANGES} lever changes "
            f"({REPS or 'the default'} replications each): {case['redraws']} redraws, first "
            f"answer median {case['median_first_answer_seconds']:.2f} s, whole median "
            f"{case['median_seconds']:.2f} s, 95th percentile "
            f"{case['p95_seconds']:.2f} s, max {case['max_seconds']:.2f} s; "
            f"{case['wall_seconds']:.0f} s in all; {len(case['errors'])} error(s); slowest "
            f"health check {case['slowest_health_check_seconds']:.2f} s"
        )
        for problem in case["errors"]:
            print("  ", problem)
    print(
        f"median with / without: {ratio:.2f} (goal {GOAL}); background workers used "
        f"{loaded['background_cpu_seconds']:.0f} CPU s meanwhile"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
