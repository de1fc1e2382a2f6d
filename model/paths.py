"""Where the project's shipped files live: one place, for the package, the app and the tests."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
"""The project folder (the package is installed from it in editable mode)."""

SCENARIOS = PROJECT / "scenarios"
DESIGNS = PROJECT / "designs"
FIGURES = PROJECT / "figures"
BENCH_RESULTS = PROJECT / "bench" / "results"
FAVICON = PROJECT / "ui" / "favicon.png"
"""The browser tab's icon, served by the app: a named icon is fetched from the network."""
