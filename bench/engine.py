"""Engine speed and memory: prints tables and writes bench/results/engine.json.

Speed is measured as ratios within one run, so that a machine shared with
other work still compares like with like:

- paths: the numpy reference (`ServiceProfitChain(compiled=False)`) against the
  compiled links, alternating: per week (13-week blocks), per default 156-week
  run with its warm-up shared (as the app runs it), and 10 replications on a
  pool of two warm workers (one task each, and in two batches of five: one
  task a worker); medians, and the median of the paired ratios. Wall
  seconds, and this process's CPU seconds (less disturbed by other work on the
  machine).
- naive: `bench/reference_naive.py` (agents stepped one by one in plain Python)
  against both paths on the same small organisation, per agent and week, in
  alternating blocks of 13 weeks after an untimed one each, as each would run
  on its own: stepped week by week in turn, each model evicted the others'
  data from the processor's caches, and the compiled week took twice as long.
- compiling: the first use in a fresh installation (empty numba cache) against
  every later process (cache on disk).
- sizes: a run of each size in a fresh process (peak memory as max RSS),
  building and warm-up included, and with the warm-up shared.

    python bench/engine.py            # everything (a few minutes)
    python bench/engine.py --quick    # skip the largest size
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from model.paths import BENCH_RESULTS

SIZES = {
    "default (24 units x 20 staff, 12,000 customers)": {},
    "10x (240 units)": {"n_units": 240},
    "100,000 employees / 1,000,000 customers": {  # posts less vacancies, as they settle
        "n_units": 5320,
        "staff_per_unit": 20,
        "customers_per_unit": 210,
    },
}
NAIVE_UNITS = 24  # the default organisation
NAIVE_WEEKS = 13
NAIVE_BLOCKS = 5
REPLICATIONS = 10

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

PATHS = """
import json, pickle, statistics, time
from model import Scenario
from model.engine.chain import ServiceProfitChain
from model.simulate import replication_rng, run_once, workers
scenario, reps = Scenario("bench"), {reps}
starts = {{
    path: [pickle.dumps(ServiceProfitChain(compiled=path == "compiled", rng=replication_rng(1, r)))
           for r in range(reps)]
    for path in ("reference", "compiled")
}}
models = {{path: pickle.loads(mine[0]) for path, mine in starts.items()}}
weeks = {{path: {{"week_ms": [], "week_cpu_ms": []}} for path in starts}}
for block in range({blocks}):  # short blocks, alternating, so both see the same load
    for path, model in models.items():
        if model.steps > 156:
            model = models[path] = pickle.loads(starts[path][0])
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(13):
            model.step()
        weeks[path]["week_ms"].append((time.perf_counter() - wall) / 13 * 1000)
        weeks[path]["week_cpu_ms"].append((time.process_time() - cpu) / 13 * 1000)
pool = workers(2)
for future in [pool.submit(int) for _ in range(4)]:
    future.result()  # every worker started and warm
runs = {{path: {{"run_s": [], "run_cpu_s": [], "replications_s": [], "batches_s": []}}
        for path in starts}}
for _ in range({repeats}):
    for path, mine in starts.items():
        wall, cpu = time.perf_counter(), time.process_time()
        run_once(mine[0], scenario, 156, 0, "org")
        runs[path]["run_s"].append(time.perf_counter() - wall)
        runs[path]["run_cpu_s"].append(time.process_time() - cpu)
        wall = time.perf_counter()
        jobs = [pool.submit(run_once, s, scenario, 156, r, "org") for r, s in enumerate(mine)]
        [job.result() for job in jobs]
        runs[path]["replications_s"].append(time.perf_counter() - wall)
        wall = time.perf_counter()
        list(pool.map(run_once, mine, [scenario] * reps, [156] * reps, range(reps),
                      ["org"] * reps, chunksize=reps // 2))
        runs[path]["batches_s"].append(time.perf_counter() - wall)
pool.shutdown()
figures = {{path: weeks[path] | runs[path] for path in starts}}
ratios = {{key: statistics.median(r / c for r, c in zip(figures["reference"][key],
                                                       figures["compiled"][key]))
          for key in figures["compiled"]}}
print(json.dumps({{"paths": {{path: {{k: statistics.median(v) for k, v in f.items()}}
                            for path, f in figures.items()}}, "speed_up": ratios}}))
"""

COMPARE = """
import json, statistics, time
import numpy as np
from model import ServiceProfitChain
from reference_naive import NaiveChain
models = {{
    "naive": NaiveChain(n_units={units}, seed=1),
    "reference": ServiceProfitChain(seed=1, n_units={units}, support_departments=0, compiled=False),
    "compiled": ServiceProfitChain(seed=1, n_units={units}, support_departments=0),
}}
agents = {{name: len(model.agents) + (len(model.customers) if name != "naive" else 0)
          for name, model in models.items()}}
blocks = {{name: [] for name in models}}
for block in range({blocks} + 1):  # the first block of each warms its caches, untimed
    for name, model in models.items():
        start = time.process_time()
        for _ in range({weeks}):
            model.step()
        if block:
            blocks[name].append((time.process_time() - start) / {weeks} * 1000)
keys = ["employee_satisfaction", "turnover_rate", "customer_satisfaction", "active_customers"]
mean = lambda rows, k: float(np.mean([r[k] for r in rows]))
week_ms = {{name: statistics.median(b) for name, b in blocks.items()}}
print(json.dumps({{name: {{"week_ms": week_ms[name], "agents": agents[name],
                          "us_per_agent_week": week_ms[name] / 1000 / agents[name] * 1e6,
                          "naive_over_this": statistics.median(
                              n / t for n, t in zip(blocks["naive"], blocks[name])),
                          "means": {{k: mean(model.records, k) for k in keys}}}}
                  for name, model in models.items()}}))
"""

COMPILE = """
import json, time
start = time.perf_counter()
from model.engine.chain import ServiceProfitChain
imported = time.perf_counter()
ServiceProfitChain(seed=0, n_units=1).step()
print(json.dumps({"import_s": imported - start, "first_week_s": time.perf_counter() - imported}))
"""


def run(code: str, **env: str) -> dict:
    """Run `code` in a fresh process beside the naive reference; its last line of JSON."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BENCH_RESULTS.parent,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0", **env},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def compiling() -> dict:
    """Import and first week with an empty compile cache, then with the cache it left."""
    with tempfile.TemporaryDirectory() as cache:
        return {
            "fresh_installation": run(COMPILE, NUMBA_CACHE_DIR=cache),
            "cached": run(COMPILE, NUMBA_CACHE_DIR=cache),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest size")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats of the paths")
    args = parser.parse_args()
    figures = {
        "python": sys.version.split()[0],
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_at_start": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }

    measured = run(PATHS.format(reps=REPLICATIONS, repeats=args.repeats, blocks=8 * args.repeats))
    paths = figures["paths"] = measured["paths"]
    print(
        f"default organisation, medians of {8 * args.repeats} alternating 13-week blocks "
        f"and of {args.repeats} alternating runs"
    )
    print(
        f"{'path':<10} {'ms/week':>8} {'CPU ms':>7} {'156-wk run s':>13} {'CPU s':>6} "
        f"{f'{REPLICATIONS} reps, 2 workers s':>22} {'in 2 batches s':>15}"
    )
    for path, f in paths.items():
        print(
            f"{path:<10} {f['week_ms']:>8.2f} {f['week_cpu_ms']:>7.2f} {f['run_s']:>13.3f} "
            f"{f['run_cpu_s']:>6.3f} {f['replications_s']:>22.3f} {f['batches_s']:>15.3f}"
        )
    ratios = figures["speed_up"] = measured["speed_up"]
    print(
        "compiled speed-up (median of paired ratios): "
        + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
    )

    naive = run(COMPARE.format(units=NAIVE_UNITS, weeks=NAIVE_WEEKS, blocks=NAIVE_BLOCKS))
    figures["naive"] = naive
    print(
        f"\nnaive reference against the engine, {NAIVE_UNITS} units, medians of {NAIVE_BLOCKS} "
        f"alternating blocks of {NAIVE_WEEKS} weeks (CPU)"
    )
    print(f"{'model':<10} {'agents':>7} {'ms/week':>8} {'us/agent-week':>14} {'naive/this':>11}")
    for name, f in naive.items():
        print(
            f"{name:<10} {f['agents']:>7} {f['week_ms']:>8.2f} {f['us_per_agent_week']:>14.2f} "
            f"{f['naive_over_this']:>10.0f}x"
        )
    print(f"{'mean over the weeks':<28}" + "".join(f"{name:>11}" for name in naive))
    for key in naive["naive"]["means"]:
        print(f"{key:<28}" + "".join(f"{f['means'][key]:>11.2f}" for f in naive.values()))

    figures["compiling"] = compiling()
    fresh, cached = figures["compiling"]["fresh_installation"], figures["compiling"]["cached"]
    print(
        f"\ncompiling: import {fresh['import_s']:.1f} s and first week "
        f"{fresh['first_week_s']:.1f} s in a fresh installation; {cached['import_s']:.1f} s and "
        f"{cached['first_week_s']:.2f} s with the cache"
    )

    figures["sizes"] = {}
    print(
        f"\n{'organisation':<48} {'employees':>10} {'customers':>10} {'s/156 wk':>9} "
        f"{'(shared)':>9} {'peak MiB':>9}"
    )
    for label, params in SIZES.items():
        if args.quick and "1,000,000" in label:
            continue
        figure = run(MEASURE.format(params=params, repeats=5 if not params else 1))
        figures["sizes"][label] = figure
        print(
            f"{label:<48} {figure['headcount']:>10,.0f} {figure['customers']:>10,.0f} "
            f"{figure['seconds']:>9.2f} {figure['seconds_warm_up_shared']:>9.2f} "
            f"{figure['peak_mib']:>9,.0f}"
        )
    figures["load_average_at_end"] = os.getloadavg()[0]
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "engine.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
