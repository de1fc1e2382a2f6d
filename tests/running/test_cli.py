"""The command line: sub-commands, runs, exports with provenance, and one-line errors."""

import os
import subprocess
import sys

import pytest

from model import PARAMETERS
from model.io import read_table
from model.paths import PROJECT

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run


def cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "model", *args],
        capture_output=True,
        text=True,
        cwd=cwd or PROJECT,
        env=os.environ,
        timeout=300,
    )


def test_help_lists_the_sub_commands():
    result = cli("--help")
    assert result.returncode == 0
    for command in ("run", "sweep", "sensitivity", "replay", "scenarios", "params"):
        assert command in result.stdout


def test_scenarios_and_params_list_what_exists():
    scenarios = cli("scenarios").stdout
    assert "baseline" in scenarios and "start_at_the_top" in scenarios
    params = cli("params").stdout
    assert all(p.name in params for p in PARAMETERS)
    markdown = cli("params", "--markdown").stdout.splitlines()
    assert markdown[0].startswith("| name |")
    assert len(markdown) == 2 + len(PARAMETERS)


def test_run_prints_a_summary():
    result = cli("run", "baseline", "--steps", "8", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "week 8" in result.stdout and "turnover_rate" in result.stdout


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_run_writes_data_with_provenance(tmp_path, suffix):
    out = tmp_path / f"run{suffix}"
    result = cli(
        "run",
        "start_at_the_top",
        "--seed",
        "4",
        "--steps",
        "20",
        "--reps",
        "2",
        "--set",
        "wage_level=1.1",
        "--set",
        "n_units=6",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    table, meta = read_table(out)
    assert len(table) == 40 and set(table.rep) == {0, 1}
    assert meta["seed"] == 4 and meta["reps"] == 2 and meta["steps"] == 20
    assert meta["parameters"]["wage_level"] == 1.1 and meta["parameters"]["n_units"] == 6
    assert meta["scenario"]["timeline"][0]["week"] == 13
    assert meta["model_version"]
    assert list(tmp_path.iterdir()) == [out]  # no temporary files left


def test_unit_level_export(tmp_path):
    out = tmp_path / "units.parquet"
    result = cli("run", "baseline", "--steps", "3", "--level", "unit", "--out", str(out))
    assert result.returncode == 0, result.stderr
    table, meta = read_table(out)
    assert meta["level"] == "unit"
    assert len(table) == 3 * 24 and "unit" in table


BAD_FILES = {
    "unknown_key.yaml": ("title: x\nparameters:\n  leader_kindness: 3\n", "leader_kindness"),
    "wrong_type.yaml": ("title: x\nparameters:\n  leader_care: lots\n", "'lots'"),
    "out_of_range.yaml": ("title: x\nparameters:\n  leader_care: 150\n", "0 to 100"),
    "bad_week.yaml": ("title: x\ntimeline:\n  - week: 999\n    set: {leader_care: 50}\n", "week"),
    "structure_later.yaml": (
        "title: x\ntimeline:\n  - week: 5\n    set: {n_units: 50}\n",
        "n_units",
    ),
    "malformed.yaml": ("title: [unclosed\nparameters: {\n", "malformed YAML"),
    "top_level_list.yaml": ("- a\n- b\n", "mapping"),
    "no_title.yaml": ("parameters: {}\n", "title"),
    "extra_field.yaml": ("title: x\ncolour: blue\n", "colour"),
    "python_tag.yaml": ("title: !!python/object/apply:os.system ['touch PWNED']\n", "YAML"),
}


@pytest.mark.parametrize("file_name", sorted(BAD_FILES))
def test_bad_scenario_files_give_one_line_and_status_2(tmp_path, file_name):
    text, named = BAD_FILES[file_name]
    path = tmp_path / file_name
    path.write_text(text)
    out = tmp_path / "out.csv"
    result = cli("run", str(path), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert named in lines[0] and "allowed" in lines[0]
    assert not out.exists() and not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["run", "no_such_scenario"], "not found"),
        (["run", "baseline", "--set", "leader_care=abc"], "leader_care"),
        (["run", "baseline", "--set", "leader_care"], "NAME=VALUE"),
        (["run", "baseline", "--steps", "0"], "steps"),
        (["run", "baseline", "--reps", "0"], "reps"),
        (["run", "baseline", "--seed", "-1"], "seed"),
        (["run", "baseline", "--workers", "0"], "--workers"),
        (["run", "baseline", "--steps", "two"], "--steps"),
        (["run", "baseline", "--out", "results.xlsx"], ".parquet or .csv"),
        (["run", "baseline", "--steps", "2", "--out", "missing/dir/out.csv"], "cannot be written"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_give_one_line_and_status_2(tmp_path, args, named):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_keeps_the_earlier_results(tmp_path):
    out = tmp_path / "keep.csv"
    assert cli("run", "baseline", "--steps", "2", "--out", str(out)).returncode == 0
    before = out.read_bytes()
    result = cli("run", "baseline", "--set", "leader_care=500", "--out", str(out))
    assert result.returncode == 2
    assert out.read_bytes() == before
