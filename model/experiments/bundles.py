"""Run bundles: one zip that holds a run and everything needed to reproduce it exactly.

A bundle holds the scenario file (its parameters and timeline), `run.json`
(seed, replications, horizon, level, model and library versions), the data as
Parquet and CSV, charts of the main measures, and a README with the command
that re-runs it. `replay` reads
a bundle without extracting it (only the members it expects, each size-checked),
runs the scenario again and compares the numbers.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import vl_convert as vlc

from model.analysis import RECENT_WEEKS
from model.engine.observe import HEADLINE
from model.engine.parameters import InputError
from model.io import atomic_file, table_bytes
from model.report.charts import band_chart
from model.scenario import MAX_FILE_BYTES, Scenario, read_scenario_text
from model.simulate import simulate

MEMBERS = ("README.md", "scenario.yaml", "run.json", "data.parquet", "data.csv")
MAX_MEMBER_BYTES = 512 * 2**20
MAX_RATIO = 200  # expanded over compressed size: more than this is a zip bomb, not data

README = """# {title}

A run of the service-profit chain simulator (model version {version}):
seed {seed}, {reps} replication(s), {steps} weeks, level `{level}`.

- `scenario.yaml`: the scenario (starting parameters and timeline)
- `run.json`: seed, replications, horizon and the versions that produced the data
- `data.parquet`, `data.csv`: the data (one row per replication and week{unit_rows})
- `charts/`: {charts}

Re-run and compare with the numbers here, from the project's folder:

    python -m model replay {name}

or produce the data again on its own:

    python -m model run scenario.yaml --seed {seed} --reps {reps} --steps {steps} \\
        --level {level} --out data.parquet
"""


def write_bundle(path: str | Path, scenario: Scenario, table: pd.DataFrame, meta: dict) -> Path:
    """Write the bundle of a run (`table` from `simulate`, `meta` its `provenance`).

    Raises:
        InputError: For a name that is not a .zip or a folder that cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() != ".zip":
        raise InputError(f"--bundle: {str(path)!r} is not a .zip file; allowed: FILE.zip")
    settings = {key: meta[key] for key in ("seed", "reps", "steps", "level")}
    files = {
        "README.md": README.format(
            title=scenario.title,
            version=meta["model_version"],
            name=path.name,
            unit_rows=" and unit" if settings["level"] == "unit" else "",
            charts="the main measures over time, mean and 10-90% band across replications "
            "(SVG and PNG)"
            if settings["level"] == "org"
            else "none for a unit-level run (draw them from the data)",
            **settings,
        ),
        "scenario.yaml": scenario.to_yaml(),
        "run.json": json.dumps(meta, indent=2),
        "data.parquet": table_bytes(table, meta, ".parquet"),
        "data.csv": table_bytes(table, meta, ".csv"),
    }
    if settings["level"] == "org":
        files |= _charts(table, settings["steps"], scenario)
    with (
        atomic_file(path, "--bundle") as file,
        zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, content in files.items():
            archive.writestr(name, content)
    return path


CHARTS = HEADLINE
"""Measures drawn into a bundle, as SVG and PNG (made here, without a browser or network)."""


def _charts(table: pd.DataFrame, steps: int, scenario: Scenario) -> dict[str, bytes | str]:
    marks = sorted({step.week for step in scenario.timeline if step.week <= steps})
    files = {}
    for measure in CHARTS:
        spec = band_chart(table, None, measure, steps, marks=marks, smooth=RECENT_WEEKS)
        files[f"charts/{measure}.svg"] = vlc.vegalite_to_svg(spec)
        files[f"charts/{measure}.png"] = vlc.vegalite_to_png(spec, scale=2)
    return files


def read_bundle(path: str | Path) -> tuple[Scenario, dict, pd.DataFrame]:
    """The scenario, run settings and data of a bundle, read without extracting it.

    Raises:
        InputError: For a file that is not a bundle, a member missing, too large
            or expanding far beyond its compressed size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            missing = [name for name in MEMBERS if name not in infos]
            if missing:
                raise InputError(
                    f"bundle: {str(path)!r} has no {missing[0]}; allowed: a zip holding "
                    f"{', '.join(MEMBERS)}"
                )
            for name in ("scenario.yaml", "run.json", "data.parquet"):
                info = infos[name]
                limit = MAX_FILE_BYTES if name != "data.parquet" else MAX_MEMBER_BYTES
                if info.file_size > limit or info.file_size > MAX_RATIO * max(
                    info.compress_size, 1024
                ):
                    raise InputError(
                        f"bundle: {name} expands to {info.file_size:,} bytes; allowed: at "
                        f"most {limit:,} bytes and {MAX_RATIO} times its packed size"
                    )
            scenario = read_scenario_text(archive.read("scenario.yaml"))
            run = json.loads(archive.read("run.json"))
            if not isinstance(run, dict):
                raise InputError(f"bundle: run.json holds {type(run).__name__}; allowed: a mapping")
            data = pd.read_parquet(io.BytesIO(archive.read("data.parquet")))
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(
            f"bundle: {str(path)!r} cannot be read ({error}); allowed: a bundle written by "
            "`python -m model run ... --bundle FILE.zip`"
        ) from None
    except (ValueError, KeyError) as error:
        raise InputError(f"bundle: run.json or data.parquet is damaged ({error})") from None
    return scenario, run, data


def replay(path: str | Path) -> tuple[pd.DataFrame, bool]:
    """Re-run a bundle; returns the new table and whether it equals the bundled data."""
    scenario, run, data = read_bundle(path)
    try:
        steps, seed, reps, level = (run[key] for key in ("steps", "seed", "reps", "level"))
    except KeyError as error:
        raise InputError(f"bundle: run.json has no {error.args[0]!r}") from None
    table = simulate(scenario, steps=steps, seed=seed, reps=reps, level=level)
    return table, table.equals(data)
