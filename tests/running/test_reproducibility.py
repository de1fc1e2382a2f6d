"""Same scenario, seed and version: identical numbers, in any process."""

import hashlib
import os
import subprocess
import sys

import pytest

from model import simulate
from model.io import read_table
from model.paths import PROJECT

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run


def test_same_seed_same_numbers_and_other_seeds_differ():
    a = simulate("demand_surge", steps=20, seed=9)
    assert a.equals(simulate("demand_surge", steps=20, seed=9))
    assert not a.equals(simulate("demand_surge", steps=20, seed=10))


def test_replications_are_independent_streams_that_extend_each_other():
    three = simulate("baseline", steps=10, seed=4, reps=3)
    one = simulate("baseline", steps=10, seed=4, reps=1)
    assert three[three.rep == 0].reset_index(drop=True).equals(one)
    rep1 = three[three.rep == 1].profit.values
    rep2 = three[three.rep == 2].profit.values
    assert (rep1 != rep2).any()


def test_two_processes_give_identical_data(tmp_path):
    digests = []
    for i in range(2):
        out = tmp_path / f"run{i}.parquet"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "model",
                "run",
                "silos",
                "--seed",
                "7",
                "--steps",
                "30",
                "--reps",
                "2",
                "--out",
                str(out),
            ],
            check=True,
            cwd=PROJECT,
            env={**os.environ, "PYTHONHASHSEED": str(i)},
        )
        table, _ = read_table(out)
        digests.append(hashlib.sha256(table.to_csv().encode()).hexdigest())
    assert digests[0] == digests[1]
    in_process = simulate("silos", steps=30, seed=7, reps=2)
    assert hashlib.sha256(in_process.to_csv().encode()).hexdigest() == digests[0]


def test_parallel_workers_give_the_same_numbers(tmp_path):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.parquet"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "model",
                "run",
                "baseline",
                "--seed",
                "3",
                "--steps",
                "12",
                "--reps",
                "3",
                "--workers",
                workers,
                "--out",
                str(out),
            ],
            check=True,
            cwd=PROJECT,
            env=os.environ,
        )
        outputs.append(read_table(out)[0])
    assert outputs[0].equals(outputs[1])
