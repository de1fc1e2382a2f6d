"""Engine speed and memory: prints a table and writes bench/results/engine.json.

Each measurement runs in a fresh process so that peak memory (max RSS) is its
own. A run's seconds include building the organisation and its warm-up; the
"(shared)" column is the same run when its warm-up is already cached, as for a
scenario and its baseline. Sizes: the default organisation; ten times its units; 100,000 employees
and 1,000,000 customers; and the naive one-agent-at-a-time reference against
the engine on the same small organisation, as a ratio of seconds per week.

    python bench/engine.py            # everything (a few minutes)
    python bench/engine.py --quick    # skip the largest size
"""

import argparse
import json
import os
import subprocess
import sys
import time

from model.paths import BENCH_RESULTS

SIZES = {
    "default (24 units x 20 staff, 12,000 customers)": {},
    "10x (240 units)": {"n_units": 240},
    "100,000 employees / 1,000,000 customers": {
        "n_units": 4762,
        "staff_per_unit": 20,
        "customers_per_unit": 210,
    },
}
NAIVE_UNITS = 6
NAIVE_WEEKS = 26

MEASURE = """
import json, resource, sys, time
from model import Scenario, simulate
from model.simulate import _STARTS
scenario = Scenario("bench").with_parameters({params!r})
cold, warm = [], []
for _ in range({repeats}):
    _STARTS.clear()
    start = time.perf_counter()
    table = simulate(scenario, steps=156, seed=1)
    cold.append(time.perf_counter() - start)
    start = time.perf_counter()
    simulate(scenario, steps=156, seed=1)
    warm.append(time.perf_counter() - start)
median = lambda values: sorted(values)[len(values) // 2]
print(json.dumps({{"seconds": median(cold), "seconds_warm_up_shared": median(warm),
                  "headcount": float(table.headcount.iloc[-1]),
                  "customers": float(table.active_customers.iloc[-1]),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

COMPARE = """
import json, sys, time
import numpy as np
from model import ServiceProfitChain
from reference_naive import NaiveChain
engine = ServiceProfitChain(seed=1, n_units={units}, support_departments=0)
start = time.perf_counter()
for _ in range({weeks}):
    engine.step()
engine_week = (time.perf_counter() - start) / {weeks}
naive = NaiveChain(n_units={units}, seed=1)
start = time.perf_counter()
for _ in range({weeks}):
    naive.step()
naive_week = (time.perf_counter() - start) / {weeks}
keys = ["employee_satisfaction", "turnover_rate", "customer_satisfaction", "active_customers"]
mean = lambda rows, k: float(np.mean([r[k] for r in rows]))
print(json.dumps({{"engine_week": engine_week, "naive_week": naive_week,
                  "engine": {{k: mean(engine.records, k) for k in keys}},
                  "naive": {{k: mean(naive.records, k) for k in keys}}}}))
"""


def run(code: str) -> dict:
    """Run `code` in a fresh process beside the naive reference; its last line of JSON."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BENCH_RESULTS.parent,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest size")
    args = parser.parse_args()
    figures = {"sizes": {}, "python": sys.version.split()[0], "when": time.strftime("%Y-%m-%d")}
    print(
        f"{'organisation':<48} {'employees':>10} {'customers':>10} {'s/156 wk':>9} "
        f"{'(shared)':>9} {'peak MiB':>9}"
    )
    for label, params in SIZES.items():
        if args.quick and "1,000,000" in label:
            continue
        repeats = 5 if not params else 1
        figure = run(MEASURE.format(params=params, repeats=repeats))
        figures["sizes"][label] = figure
        print(
            f"{label:<48} {figure['headcount']:>10,.0f} {figure['customers']:>10,.0f} "
            f"{figure['seconds']:>9.2f} {figure['seconds_warm_up_shared']:>9.2f} "
            f"{figure['peak_mib']:>9,.0f}"
        )
    compare = run(COMPARE.format(units=NAIVE_UNITS, weeks=NAIVE_WEEKS))
    figures["naive"] = compare
    ratio = compare["naive_week"] / compare["engine_week"]
    print(
        f"\nnaive reference, {NAIVE_UNITS} units, {NAIVE_WEEKS} weeks: "
        f"{compare['naive_week'] * 1000:.1f} ms/week against the engine's "
        f"{compare['engine_week'] * 1000:.2f} ms/week: {ratio:.0f} times faster"
    )
    print(f"{'mean over the weeks':<28} {'engine':>10} {'naive':>10}")
    for key in compare["engine"]:
        print(f"{key:<28} {compare['engine'][key]:>10.2f} {compare['naive'][key]:>10.2f}")
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "engine.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
