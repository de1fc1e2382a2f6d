"""The compiled week of this tree against an earlier commit's: writes bench/results/versions.json.

The earlier commit is exported (`git archive`) to a temporary folder and
each version runs in its own processes, alternating, so both see the same
load on a shared machine. Each process restores one default organisation
after its warm-up and times 13-week blocks of it (wall and CPU seconds);
the figures are medians over every block of every process of a version,
and the speed-up is the median of the paired per-process ratios. The
numbers are checked to be the same: each process reports a digest of its
records.

    python bench/versions.py COMMIT [--pairs 6] [--blocks 12]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from model.paths import BENCH_RESULTS

ROOT = Path(__file__).resolve().parent.parent

WEEKS = """
import hashlib, json, pickle, time
from model.engine.chain import ServiceProfitChain
start = pickle.dumps(ServiceProfitChain(seed=1))
model = pickle.loads(start)
model.step()  # compiled links loaded before the clock
wall, cpu, digest = [], [], hashlib.sha256()
for block in range({blocks}):
    model = pickle.loads(start)
    w, c = time.perf_counter(), time.process_time()
    for _ in range(13):
        model.step()
    wall.append((time.perf_counter() - w) / 13 * 1000)
    cpu.append((time.process_time() - c) / 13 * 1000)
    digest.update(json.dumps(model.records).encode())
print(json.dumps({{"week_ms": wall, "week_cpu_ms": cpu, "digest": digest.hexdigest()[:16]}}))
"""


def measure(tree: Path, blocks: int) -> dict:
    """One process of the version in `tree`: its blocks' times and a digest of its records."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if tree != ROOT:  # the exported tree keeps its own compiled code, and no bytecode
        env |= {"NUMBA_CACHE_DIR": str(tree / ".numba"), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", WEEKS.format(blocks=blocks)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the earlier commit (anything git names)")
    parser.add_argument("--pairs", type=int, default=6, help="alternating pairs of processes")
    parser.add_argument("--blocks", type=int, default=12, help="13-week blocks a process")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", args.commit],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        earlier = Path(folder) / "earlier"
        earlier.mkdir()
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(earlier)], input=archive, check=True)
        trees = {"earlier": earlier, "this": ROOT}
        for tree in trees.values():
            measure(tree, 1)  # compiled and cached before the measured pairs
        load_at_start = os.getloadavg()[0]
        runs = {name: [] for name in trees}
        for _ in range(args.pairs):
            for name, tree in trees.items():
                runs[name].append(measure(tree, args.blocks))
    digests = {name: {run["digest"] for run in mine} for name, mine in runs.items()}
    figures = {
        "earlier_commit": commit,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg()[0],
        "pairs": args.pairs,
        "blocks_a_process": args.blocks,
        "same_numbers": len(digests["earlier"] | digests["this"]) == 1,
    }
    for key in ("week_ms", "week_cpu_ms"):
        figures[key] = {
            name: statistics.median(v for run in mine for v in run[key])
            for name, mine in runs.items()
        }
        ratios = [
            statistics.median(a[key]) / statistics.median(b[key])
            for a, b in zip(runs["earlier"], runs["this"], strict=True)
        ]
        figures[f"{key}_pair_ratios"] = ratios
        figures[f"{key}_speed_up"] = statistics.median(ratios)
    print(
        f"a compiled week, default organisation ({args.pairs} alternating pairs of processes, "
        f"{args.blocks} blocks of 13 weeks each; load average {load_at_start:.1f} to "
        f"{figures['load_average_at_end']:.1f})"
    )
    for key, label in (("week_ms", "wall ms"), ("week_cpu_ms", "CPU ms")):
        f = figures[key]
        print(
            f"{label:<8} {commit}: {f['earlier']:.3f}  this tree: {f['this']:.3f}  "
            f"speed-up {figures[f'{key}_speed_up']:.2f}x"
        )
    print("same numbers" if figures["same_numbers"] else f"numbers differ: {digests}")
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "versions.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
