"""Sweep throughput on this machine: one process against a pool of local workers.

Runs the same 24-run design (a 156-week default organisation per run) into a
fresh folder each way, and writes runs per minute and their ratio to
bench/results/sweep.json.

    python bench/sweep.py [WORKERS]     # default: all cores
"""

import json
import os
import sys
import tempfile
import time

from conditions import conditions

from model.experiments.designs import parse_design
from model.experiments.sweeps import sweep
from model.paths import BENCH_RESULTS
from model.simulate import workers

DESIGN = {
    "title": "throughput",
    "method": "lhs",
    "parameters": {"leader_care": [30, 80], "wage_level": [0.9, 1.2]},
    "samples": 12,
    "reps": 2,
    "seed": 1,
}


def timed_sweep(executor) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        sweep(parse_design(DESIGN), folder, executor, in_flight=8)
        return time.perf_counter() - start


def main() -> None:
    measured = conditions()
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    runs = parse_design(DESIGN).runs()
    serial = timed_sweep(None)
    with workers(processes) as pool:
        pool.submit(int).result()  # workers started before the clock
        parallel = timed_sweep(pool)
    figures = measured | {
        "runs": runs,
        "workers": processes,
        "serial_runs_per_minute": 60 * runs / serial,
        "parallel_runs_per_minute": 60 * runs / parallel,
        "speed_up": serial / parallel,
    }
    print(
        f"{runs} runs of 156 weeks: one process {figures['serial_runs_per_minute']:.0f} runs/min, "
        f"{processes} workers {figures['parallel_runs_per_minute']:.0f} runs/min "
        f"({figures['speed_up']:.2f} times)"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "sweep.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
