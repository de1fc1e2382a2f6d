"""Sweeps on a real Dask cluster: a scheduler and workers started as separate processes."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml
from dask.distributed import Client

from model import __version__
from model.experiments.sweeps import results

SMALL = {
    "title": "small",
    "method": "factorial",
    "parameters": {"leader_care": [30, 80], "staff_per_unit": [16, 24]},
    "samples": 2,
    "reps": 1,
    "seed": 5,
    "weeks": 13,
}

# On PYTHONPATH, this makes `import model` fail in that process and its children
NO_MODEL = "import sys\n\nsys.modules['model'] = None\n"


def scheduler_address(file, seconds=60):
    """The address in a scheduler's file, once it has written all of it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(file.read_text())["address"]
        time.sleep(0.1)
    raise TimeoutError(f"no scheduler address in {file} after {seconds} s")


@pytest.fixture
def cluster(tmp_path):
    """Start a cluster on loopback: `start(workers, without_model)` returns its address.

    `without_model` names the parts ("scheduler", "worker") that cannot import
    the model. Every process started is stopped afterwards.
    """
    started = []
    hidden = tmp_path / "no-model"
    hidden.mkdir()
    (hidden / "sitecustomize.py").write_text(NO_MODEL)
    loopback = ["--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0"]

    def process(part, *args, without_model):
        env = os.environ | ({"PYTHONPATH": str(hidden)} if part in without_model else {})
        with (tmp_path / f"{part}-{len(started)}.log").open("w") as log:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", f"distributed.cli.dask_{part}", *loopback, *args],
                    cwd=tmp_path,  # not the project's folder: the model is found only if installed
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def start(workers=2, without_model=()):
        file = tmp_path / "scheduler.json"
        process("scheduler", "--port", "0", "--scheduler-file", file, without_model=without_model)
        address = scheduler_address(file)
        for _ in range(workers):
            process("worker", address, "--nthreads", "1", without_model=without_model)
        with Client(address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=120)
        return address

    yield start
    for each in started:
        each.terminate()
    for each in started:
        try:
            each.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(each.pid, signal.SIGKILL)
            each.wait()


def sweep_cli(tmp_path, *args):
    design = tmp_path / "design.yaml"
    design.write_text(yaml.safe_dump(SMALL))
    return subprocess.run(
        [sys.executable, "-m", "model", "sweep", str(design), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_numbers(tmp_path, cluster):
    address = cluster(workers=2)
    here = sweep_cli(tmp_path, "--out", "here", "--workers", "1")
    assert here.returncode == 0, here.stderr
    there = sweep_cli(tmp_path, "--out", "there", "--scheduler", address)
    assert there.returncode == 0, there.stderr
    assert "on 2 worker(s)" in there.stdout
    pd.testing.assert_frame_equal(results(tmp_path / "here"), results(tmp_path / "there"))


@pytest.mark.slow
@pytest.mark.parametrize("part", ["scheduler", "worker"])
def test_a_cluster_that_cannot_import_the_model_is_one_line_with_status_2(tmp_path, cluster, part):
    address = cluster(workers=1, without_model=(part,))
    process = sweep_cli(tmp_path, "--out", "out", "--scheduler", address)
    assert process.returncode == 2
    where = "the scheduler" if part == "scheduler" else "worker tcp://127.0.0.1:"
    assert process.stderr.startswith(
        f"error: --scheduler: the cluster at {address!r} cannot import the model ({where}"
    )
    assert process.stderr.strip().endswith(
        "; allowed: a scheduler and workers with this project installed (pip install -e .)"
    )
    assert len(process.stderr.splitlines()) == 1
    assert not list((tmp_path / "out" / "runs").glob("*.parquet"))


@pytest.mark.slow
def test_a_cluster_with_another_model_version_is_refused(tmp_path, cluster, monkeypatch, capsys):
    from model import cli

    address = cluster(workers=1)
    monkeypatch.setattr(cli, "VERSION", "0.0.0-elsewhere")
    design = tmp_path / "design.yaml"
    design.write_text(yaml.safe_dump(SMALL))
    assert (
        cli.main(["sweep", str(design), "--out", str(tmp_path / "out"), "--scheduler", address])
        == 2
    )
    assert capsys.readouterr().err.strip() == (
        f"error: --scheduler: the cluster at {address!r} runs model {__version__} "
        "(the scheduler), not 0.0.0-elsewhere as here; allowed: a scheduler and workers with "
        "this project installed (pip install -e .) at version 0.0.0-elsewhere"
    )
