"""Run bundles: one zip reproduces its numbers exactly; damaged or hostile zips are refused."""

import io
import os
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from model import InputError, load_scenario, simulate
from model.experiments.bundles import CHARTS, MEMBERS, read_bundle, replay, write_bundle
from model.simulate import provenance

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "model", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=os.environ,
        timeout=300,
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "run.zip"
    scenario = load_scenario("start_at_the_top")
    table = simulate(scenario, steps=20, seed=3, reps=2)
    return write_bundle(path, scenario, table, provenance(scenario, 20, 3, 2, "org"))


def rewritten(bundle, path, **replace):
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            if replace.get(name, "") is not None:
                target.writestr(name, replace.get(name, source.read(name)))
    return path


def test_a_bundle_holds_everything_and_replays_exactly_in_another_process(bundle):
    with zipfile.ZipFile(bundle) as archive:
        charts = {f"charts/{m}.{kind}" for m in CHARTS for kind in ("svg", "png")}
        assert set(archive.namelist()) == set(MEMBERS) | charts
        assert "python -m model replay run.zip" in archive.read("README.md").decode()
        svg = archive.read("charts/employee_satisfaction.svg").decode()
        assert svg.startswith("<svg") and "Employee satisfaction (0-100)" in svg
        assert ">Week</text>" in svg and ">Baseline</text>" not in svg  # no baseline in a run
        assert archive.read("charts/turnover_rate.png")[:8] == b"\x89PNG\r\n\x1a\n"
    scenario, run, data = read_bundle(bundle)
    assert scenario == load_scenario("start_at_the_top")
    assert (run["seed"], run["reps"], run["steps"]) == (3, 2, 20)
    assert len(data) == 40
    result = cli("replay", str(bundle), cwd=bundle.parent)
    assert result.returncode == 0, result.stderr
    assert "identical to the bundled data" in result.stdout


def test_changed_numbers_are_reported(bundle, tmp_path):
    _, _, data = read_bundle(bundle)
    data.loc[5, "profit"] += 1.0
    changed = io.BytesIO()
    data.to_parquet(changed, index=False)
    path = rewritten(bundle, tmp_path / "changed.zip", **{"data.parquet": changed.getvalue()})
    assert replay(path)[1] is False
    result = cli("replay", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "differ" in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b, p: (p.write_bytes(b"not a zip"), p)[1], "cannot be read"),
        (lambda b, p: rewritten(b, p, **{"run.json": None}), "has no run.json"),
        (
            lambda b, p: rewritten(b, p, **{"scenario.yaml": b"title: x\n" + b" " * 10**7}),
            "scenario.yaml expands to 10,000,009 bytes",
        ),
        (
            lambda b, p: rewritten(b, p, **{"scenario.yaml": b"!!python/object:os.system {}"}),
            "malformed YAML",
        ),
        (lambda b, p: rewritten(b, p, **{"run.json": b"{"}), "run.json or data.parquet is damaged"),
        (lambda b, p: rewritten(b, p, **{"run.json": b"[1, 2]"}), "run.json holds list"),
        (lambda b, p: rewritten(b, p, **{"run.json": b'{"steps": 4}'}), "run.json has no 'seed'"),
    ],
)
def test_damaged_and_hostile_bundles_get_one_clear_error(bundle, tmp_path, make, message):
    path = make(bundle, tmp_path / "bad.zip")
    with pytest.raises(InputError) as error:
        replay(path)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_members_outside_the_bundle_are_never_written(bundle, tmp_path):
    path = rewritten(bundle, tmp_path / "escape.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../escaped.txt", "outside")
    work = tmp_path / "work"
    work.mkdir()
    result = cli("replay", str(path), cwd=work)
    assert result.returncode == 0
    assert not (tmp_path / "escaped.txt").exists() and not list(work.iterdir())
    assert isinstance(read_bundle(path)[2], pd.DataFrame)
