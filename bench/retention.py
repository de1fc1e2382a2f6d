"""What keeping more customers is worth: Reichheld and Sasser's figure, as the model gives it.

Reichheld and Sasser (1990, "Zero Defections", HBR 68(5)): across industries,
keeping 5% more customers a year raised profits by 25% to 85%. The model is not
calibrated to this figure; it is a check of what a retained customer is worth
when that worth has to emerge from spend, cost to serve, referrals and the
books. No lever changes retention alone, so every customer's chance of leaving
is scaled down from week 1 (the organisation warmed up as declared), and the
years after the customer base has settled are compared with the baseline on
the same draws. Writes bench/results/retention.md.

    python bench/retention.py [REPLICATIONS]     # default 4
"""

import sys
from contextlib import contextmanager

from model import Scenario, simulate
from model.engine import mechanisms
from model.paths import BENCH_RESULTS
from model.simulate import _starts

SEED, YEARS = 11, 10
SCALES = (0.8, 0.75, 0.7)
"""Factors on every customer's weekly chance of leaving."""


@contextmanager
def defection_scaled(factor: float, reps: int):
    """Runs inside have every customer's chance of leaving scaled by `factor` from week 1."""
    _starts(Scenario("retention"), SEED, reps, None)  # warm-ups with the declared defection
    names = ("DEFECTION_BACKGROUND", "DEFECTION_AT_70")
    declared = {name: getattr(mechanisms, name) for name in names}
    for name, value in declared.items():
        setattr(mechanisms, name, value * factor)
    try:
        yield
    finally:
        for name, value in declared.items():
            setattr(mechanisms, name, value)


def settled(table):
    """Means over the second half of the run, once the customer base has settled."""
    return table[table.step > YEARS * 52 // 2].mean(numeric_only=True)


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 4

    def run():
        return simulate(Scenario("retention"), steps=YEARS * 52, seed=SEED, reps=reps)

    base = settled(run())
    lines = [
        f"Keeping more customers, {YEARS} years on the baseline's draws ({reps} replications, "
        f"seed {SEED}; years {YEARS // 2 + 1}-{YEARS}).",
        "",
        "| chance of leaving | retention a year | customers | revenue | profit | "
        "profit per point of retention |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| as declared | {base.customer_retention:.1%} | | | | |",
    ]
    for factor in SCALES:
        with defection_scaled(factor, reps):
            kept = settled(run())
        points = 100 * (kept.customer_retention - base.customer_retention)
        profit = kept.profit / base.profit - 1
        lines.append(
            f"| x {factor:g} | {kept.customer_retention:.1%} "
            f"| {kept.active_customers / base.active_customers - 1:+.1%} "
            f"| {kept.revenue / base.revenue - 1:+.1%} | {profit:+.1%} | {profit / points:+.1%} |"
        )
    lines += [
        "",
        "Reichheld and Sasser (1990): 5 points more retention, 25% to 85% more profit "
        "(5% to 17% a point).",
    ]
    text = "\n".join(lines) + "\n"
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "retention.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
