"""The calibration report: each published figure, its band, the model's value, and the sweep.

Runs the checks of model/calibration.py (replications on fixed seeds), prints
a table and writes bench/results/calibration.md.

    python bench/calibration.py [REPLICATIONS]     # default 8
"""

import sys

from model.experiments.calibration import (
    customers_then_employees,
    engagement_sweep,
    measure,
    unit_cross_section,
)
from model.paths import BENCH_RESULTS


def markdown(table) -> str:
    """A table as Markdown, numbers to three significant figures."""
    header = [table.index.name, *table.columns]
    rows = [
        [str(i), *(f"{v:,.3g}" for v in row)]
        for i, row in zip(table.index, table.values, strict=True)
    ]
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(map(str, line)) + " |" for line in lines)


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
    lines += ["", "Units side by side (the baseline, each unit-replication over two years):"]
    for title, table in unit_cross_section().items():
        lines += ["", f"By {title.removeprefix('by ')}:", "", markdown(table)]
    lines += [
        "",
        "Within units, this quarter's customer satisfaction against next quarter's change in "
        "employee satisfaction (partial correlation, this quarter's employee satisfaction "
        f"held fixed): {customers_then_employees():.3f}",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "calibration.md").write_text(text)


if __name__ == "__main__":
    main()
