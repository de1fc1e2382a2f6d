"""How long the simulator page takes to redraw after a lever change.

Drives the app headless (Streamlit's AppTest, in this process) on the default
organisation with 10 replications: first load, then several lever changes
that must be simulated, then returning to values already seen (served from
the result cache). Prints the figures and writes bench/results/app.json.

    python bench/app.py [REPLICATIONS]     # default 10
"""

import json
import logging
import statistics
import sys
import time

from conditions import conditions
from streamlit.testing.v1 import AppTest

from model.paths import BENCH_RESULTS, PROJECT

logging.getLogger("streamlit").setLevel(logging.ERROR)  # headless runs warn about contexts

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
VALUES = [55, 60, 65, 70, 75]  # leader_care, each a new simulation


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    measured = conditions()
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=600)
    app.session_state["reps"] = REPS
    first = timed(app.run)
    fresh = [timed(app.slider(key="lever_leader_care").set_value(v).run) for v in VALUES]
    cached = [timed(app.slider(key="lever_leader_care").set_value(v).run) for v in VALUES]
    assert not app.exception, app.exception
    figures = measured | {
        "replications": REPS,
        "first_load_seconds": first,
        "lever_change_seconds_median": statistics.median(fresh),
        "lever_change_seconds_max": max(fresh),
        "cached_redraw_seconds_median": statistics.median(cached),
    }
    print(f"first load (scenario and baseline, {REPS} replications each): {first:.2f} s")
    print(
        f"lever change, new value (simulates {REPS} replications): median "
        f"{figures['lever_change_seconds_median']:.2f} s, max {max(fresh):.2f} s"
    )
    print(
        f"lever change back to a value already seen (cached): median "
        f"{figures['cached_redraw_seconds_median']:.2f} s"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    out = BENCH_RESULTS / f"app_{REPS}_replications.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
