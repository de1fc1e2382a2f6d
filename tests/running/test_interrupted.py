"""Interrupted work: a full disk or an unwritable folder gives one clear line and loses nothing.

A full disk is simulated by making the operating system's write fail with
ENOSPC after a number of files, exactly where a real full disk fails.
(Sweeps killed with SIGKILL: test_experiments.py; a workshop server killed
mid-round: test_workshop.py and test_browser_workshop.py.)
"""

import errno
import importlib
import os
import subprocess
import sys

import pytest

from model import InputError, load_scenario, simulate
from model.experiments.designs import parse_design
from model.experiments.sweeps import pending, results, sweep
from model.io import write_table
from model.paths import PROJECT
from model.simulate import provenance
from model.workshop.store import WorkshopStore

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

DESIGN = {
    "method": "factorial",
    "parameters": {"leader_care": [30, 80]},
    "samples": 4,
    "reps": 1,
    "weeks": 4,
}


@pytest.fixture
def disk_fills_after(monkeypatch):
    """Let `files` more files be written, then every write fails as on a full disk."""

    def fill_after(files: int) -> None:
        real_fdopen = os.fdopen
        left = [files]

        class Full:
            def __init__(self, handle, mode):
                self.file = real_fdopen(handle, mode)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.file.close()

            def write(self, data):
                if left[0] <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                left[0] -= 1
                return self.file.write(data)

        writer = importlib.import_module("model.simulate")  # `model.simulate` is also a function
        monkeypatch.setattr(writer.os, "fdopen", Full)

    return fill_after


def leftovers(folder):
    return [p.name for p in folder.rglob("*.tmp")]


def test_a_full_disk_leaves_the_earlier_table_as_it_was(tmp_path, disk_fills_after):
    scenario = load_scenario("baseline")
    table = simulate(scenario, steps=3)
    path = tmp_path / "run.parquet"
    write_table(table, path, provenance(scenario, 3, 0, 1, "org"))
    before = path.read_bytes()
    disk_fills_after(0)
    with pytest.raises(InputError) as error:
        write_table(simulate(scenario, steps=5), path, provenance(scenario, 5, 0, 1, "org"))
    assert str(error.value).startswith(f"--out: {str(path)!r} cannot be written (No space left")
    assert path.read_bytes() == before and not leftovers(tmp_path)


def test_a_sweep_that_fills_the_disk_keeps_its_finished_runs_and_resumes(
    tmp_path, disk_fills_after, monkeypatch
):
    design, out = parse_design(DESIGN), tmp_path / "out"
    disk_fills_after(3)  # design.yaml and two runs fit
    with pytest.raises(InputError, match="cannot be written \\(No space left on device\\)"):
        sweep(design, out)
    finished = sorted(p.name for p in (out / "runs").glob("point*.parquet"))
    assert len(finished) == 2 and not leftovers(out)
    assert len(results(out)) == 2 * 4  # readable: two runs of four weeks
    monkeypatch.undo()  # space freed
    assert sweep(design, out) == 2
    assert not pending(design, out) and len(results(out)) == 4 * 4


def test_an_unwritable_folder_is_named_in_one_line_by_the_command_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    env = dict(os.environ)
    for args in (
        ["run", "baseline", "--steps", "2", "--out", str(blocker / "run.parquet")],
        ["sweep", str(PROJECT / "designs" / "profit_levers.yaml"), "--out", str(blocker / "s")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "model", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "cannot be written" in done.stderr
    assert blocker.read_text() == "a file where a folder should be"


def test_an_unusable_workshop_store_is_named_in_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(InputError, match="workshop store: .* cannot be used"):
        WorkshopStore(blocker / "workshops.sqlite3")
