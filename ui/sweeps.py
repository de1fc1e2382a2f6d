"""Sweeps for the Experiments page: the designs to start from, where runs are kept, results.

Each design's runs are kept in a folder of their own under the sweeps folder
(`SERVICE_PROFIT_SWEEPS`, default `sweeps/`), named by the design's title and
a digest of its content. The same design, run again from any session or after
a restart, resumes there; the command line can resume it too.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from model.experiments import designs
from model.experiments import sweeps as runner
from model.experiments.designs import Design
from model.paths import DESIGNS, PROJECT
from ui import runs

SWEEPS_ENV = "SERVICE_PROFIT_SWEEPS"


def shipped() -> dict[str, Path]:
    """The shipped design files by title."""
    paths = sorted(DESIGNS.glob("*.yaml"))
    return {designs.load_design(path).title: path for path in paths}


def folder(design: Design) -> Path:
    """Where this design's runs are kept."""
    text = yaml.safe_dump(design.to_dict(), sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    slug = re.sub(r"[^a-z0-9]+", "-", design.title.lower()).strip("-")[:40] or "design"
    return Path(os.environ.get(SWEEPS_ENV, PROJECT / "sweeps")) / f"{slug}-{digest}"


def finished_count(design: Design, where: Path) -> int:
    """Runs of the design already on disk."""
    return design.runs() - len(runner.pending(design, where)) if where.exists() else 0


@st.cache_data(max_entries=10, show_spinner=False)
def seconds_per_run(design_yaml: str) -> float:
    """One run's time on this server's background workers, where sweeps run (a short trial)."""
    design = designs.parse_design(yaml.safe_load(design_yaml))
    return runs.background().submit(runner.seconds_per_run, design).result()


@st.cache_data(max_entries=10, show_spinner="Reading the finished runs...")
def results(where: str, finished: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly rows and one row per run of the `finished` runs in `where`."""
    weekly = runner.results(where)
    return weekly, runner.summarise(weekly)
