"""Mutation testing of the engine: does the suite notice when a link of the chain is cut?

Each mutation switches off or halves one declared coefficient of
`model.engine.mechanisms` and runs the whole-simulation link tests
(`tests/engine/test_links.py`) in a fresh process, so nothing is cached from
an unmutated run. A mutation is killed when a test fails. Writes
`bench/results/mutations.md`.

Run with `python bench/mutations.py` (about half a minute a mutation), or
`python bench/mutations.py NAME FACTOR` for one.
"""

import subprocess
import sys
import time

import pytest

from model.engine import mechanisms
from model.paths import BENCH_RESULTS, PROJECT

LINK_TESTS = str(PROJECT / "tests" / "engine" / "test_links.py")

MUTATIONS = [  # (coefficient, factor, the link it carries)
    ("ISQ_MANAGER", 0.5, "manager -> internal service"),
    ("ISQ_SUPPORT", 0.0, "support departments -> internal service"),
    ("ISQ_OVERLOAD", 0.0, "fatigue -> internal service"),
    ("TARGET_ISQ", 0.5, "internal service -> employee satisfaction"),
    ("PEER_SPREAD", 0.0, "team-mates' mood"),
    ("CHAMPION_WEIGHT", 0.25, "champions weigh more (off: 2.5 already does what 4 does)"),
    ("QUIT_SATISFACTION_SCALE", 2.0, "satisfaction -> quits (flattened)"),
    ("FATIGUE_QUIT", 0.0, "fatigue -> quits"),
    ("PULL_SENIOR", 0.5, "the top -> leaders"),
    ("ADMIN_PER_LAYER", 0.0, "layers -> leaders' time"),
    ("PEOPLE_TIME_AT_FULL", 0.5, "leaders' time with people -> posts covering the floor"),
    ("BUSY_SUPPRESSION", 0.0, "busyness -> warmth"),
    ("DISCONFIRMATION", 0.5, "experience against expectation"),
    ("DEFECTION_AT_70", 0.5, "satisfaction -> defection"),
    ("DEFECTION_SCALE", 2.0, "satisfaction -> defection (flattened)"),
    ("LOYAL_SPEND_PREMIUM", 0.0, "loyalty -> spend"),
    ("TENURE_SPEND_PREMIUM", 0.0, "tenure -> spend"),
    ("TENURE_TIME_SAVING", 0.5, "tenure -> cost to serve"),
    ("TENURE_REFERRAL_PREMIUM", 0.5, "tenure -> referrals"),
    ("REFERRAL_PROBABILITY", 0.0, "delight -> referrals"),
    ("WARNING_PROBABILITY", 0.0, "let-downs -> warnings"),
    ("RELATIONSHIP_BONUS", 0.0, "usual server -> service"),
    ("LOST_SERVER_DIP", 0.0, "a server's departure -> customers"),
    ("PEOPLE_VALUING_PENALTY", 0.0, "self-service plainer for those who come for people"),
    ("STANDARD_EROSION", 0.0, "corners cut -> eroded standard"),
    ("DEMAND_PERCEPTION_WEEKS", 1e6, "perceived demand -> planned staff (never noticed)"),
    ("TARGET_CUSTOMERS", 0.0, "customers -> employees (outside-in)"),
]


def run_one(name: str, factor: float) -> int:
    """Apply one mutation in this process and run the link tests; pytest's exit code."""
    setattr(mechanisms, name, getattr(mechanisms, name) * factor)
    return pytest.main(["-q", "-rf", "-p", "no:cacheprovider", LINK_TESTS])


def failed_tests(output: str) -> str:
    """The tests a mutation failed: each case's name, or the test's where it has no cases."""
    lines = output.splitlines()
    failed = [line.split(" - ")[0].split("::")[-1] for line in lines if line.startswith("FAILED")]
    return "; ".join(test[test.find("[") + 1 : -1] if "[" in test else test for test in failed)


def main() -> None:
    rows = []
    for name, factor, link in MUTATIONS:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, name, str(factor)], capture_output=True, text=True
        )
        code = done.returncode
        verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"error ({code})"
        rows.append(f"| `{name}` x {factor:g} | {link} | {verdict} | {failed_tests(done.stdout)} |")
        print(f"{name} x {factor:g}: {verdict} ({time.perf_counter() - started:.0f} s)", flush=True)
    killed = sum("killed" in row for row in rows)
    text = (
        "# Mutations of the engine against the whole-simulation link tests\n\n"
        f"{killed} of {len(rows)} mutations killed by `tests/engine/test_links.py`.\n\n"
        "| mutation | link | verdict | tests that failed |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    BENCH_RESULTS.mkdir(exist_ok=True)
    (BENCH_RESULTS / "mutations.md").write_text(text)
    print(text)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        sys.exit(run_one(sys.argv[1], float(sys.argv[2])))
    main()
