"""The calibration report: each published figure, its band, the model's value, and the sweep.

Runs the checks of model/calibration.py (replications on fixed seeds), prints
a table and writes bench/results/calibration.md.

    python bench/calibration.py [REPLICATIONS]     # default 8
"""

import sys

from model.experiments.calibration import engagement_sweep, measure
from model.paths import BENCH_RESULTS


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    table = measure(reps)
    lines = [
        f"Calibration of the default chain ({reps} replications; 10th-90th percentile "
        "across them).",
        "",
        "| figure | source | band | model | spread | holds |",
        "|---|---|---|---:|---:|:---:|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.figure} | {row.source} | {row.band} | {row.model:.3g} | "
            f"{row.low:.3g} to {row.high:.3g} | {'yes' if row.holds else 'NO'} |"
        )
    sweep = engagement_sweep(reps)
    lines += [
        "",
        "Profit peaks inside the range of investment in employees (3-year cumulative profit, "
        "same seeds at every level):",
        "",
        "| engagement programme (per employee and year) | profit | spread |",
        "|---:|---:|---:|",
    ]
    for row in sweep.itertuples():
        lines.append(
            f"| {row.engagement_program:,} | {row.profit / 1e6:.2f}M | "
            f"{row.low / 1e6:.2f}M to {row.high / 1e6:.2f}M |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "calibration.md").write_text(text)


if __name__ == "__main__":
    main()
