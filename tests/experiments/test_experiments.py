"""Sweeps: designs, bad designs, results on disk, resuming after a kill, sensitivity."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from model import InputError
from model.engine.observe import MEASURES
from model.engine.parameters import BY_NAME
from model.experiments.designs import load_design, parse_design
from model.experiments.sensitivity import sensitivity
from model.experiments.sweeps import results, summarise, sweep
from model.paths import PROJECT

pytestmark = pytest.mark.slow  # whole runs: left out of the quick run

SMALL = {
    "title": "small",
    "method": "factorial",
    "parameters": {"leader_care": [30, 80], "staff_per_unit": [16, 24]},
    "samples": 2,
    "reps": 2,
    "seed": 5,
    "weeks": 13,
}


def design_file(tmp_path, **changes):
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(SMALL | changes))
    return path


def cli(*args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "model", *args],
        cwd=cwd,
        env=os.environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.parametrize(
    ("method", "samples", "points"),
    [("factorial", 3, 9), ("lhs", 7, 7), ("sobol", 8, 32), ("morris", 3, 9)],
)
def test_each_method_gives_its_number_of_points_inside_the_ranges(method, samples, points):
    design = parse_design(SMALL | {"method": method, "samples": samples})
    table = design.points()
    assert len(table) == points == design.runs() // design.reps
    assert table.leader_care.between(30, 80).all()
    assert table.staff_per_unit.between(16, 24).all()
    assert (table.staff_per_unit == table.staff_per_unit.round()).all()  # a whole-number lever
    assert table.equals(parse_design(SMALL | {"method": method, "samples": samples}).points())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "grid"}, "method: 'grid' is not a method; allowed: factorial, lhs"),
        ({"parameters": {"charm": [0, 1]}}, "parameters.charm: unknown parameter"),
        ({"parameters": {"leader_care": [50, 50]}}, "[50, 50] is an empty range"),
        (
            {"parameters": {"leader_care": [50, 500]}},
            "500 is out of range; allowed: a number from 0 to 100",
        ),
        ({"parameters": {"leader_care": 50}}, "parameters.leader_care: 50 is not a range"),
        ({"parameters": {}}, "parameters: {} is not usable"),
        ({"method": "sobol", "samples": 10}, "samples: 10 does not suit Sobol sampling"),
        ({"samples": 1}, "samples: 1 is not usable; allowed: a whole number from 2"),
        ({"method": "lhs", "samples": 600_000}, "runs (600,000 points x 2 replications)"),
        ({"samples": 20}, "samples: 20 levels do not fit a whole-number range"),
        ({"reps": 0}, "reps: 0 is not usable"),
        ({"speed": "fast"}, "speed: unknown field"),
        ({"scenario": "nowhere"}, "nowhere' not found"),
        (
            {"intervention": {"week": 1, "set": {"leader_care": 90}}},
            "intervention.set.leader_care: also varied in parameters",
        ),
        (
            {"intervention": {"week": 14, "set": {"wage_level": 1.1}}},
            "intervention.week: 14 is not a week of the run; allowed: a whole number from 1 to 13",
        ),
        ({"intervention": {"week": 1, "set": {"n_units": 30}}}, "intervention.set.n_units"),
        ({"intervention": {"week": 1}}, "intervention.set: nothing is changed"),
    ],
)
def test_bad_designs_are_refused_before_anything_runs(tmp_path, changes, message):
    with pytest.raises(InputError) as error:
        parse_design(SMALL | changes, folder=tmp_path)
    assert message in str(error.value)
    assert not any(tmp_path.iterdir())


def test_a_parameter_is_never_named_as_a_measure_so_a_sweep_s_columns_cannot_collide(tmp_path):
    assert not set(BY_NAME) & set(MEASURES)
    design = parse_design(
        SMALL | {"parameters": {"cost_per_new_customer": [100, 900]}, "reps": 1, "weeks": 2}
    )
    sweep(design, tmp_path / "out")
    runs = summarise(results(tmp_path / "out"))
    assert sorted(runs.cost_per_new_customer) == [100, 900]  # the design's, not a weekly measure
    assert "acquisition_cost" not in runs.columns


def test_an_empty_design_file_is_refused_as_empty(tmp_path):
    (tmp_path / "design.yaml").write_text("")
    with pytest.raises(InputError, match="design: empty; allowed: a mapping with title"):
        load_design(tmp_path / "design.yaml")


def test_a_design_from_an_upload_may_not_name_files_on_the_server():
    with pytest.raises(InputError, match="scenario: '/etc/passwd' is not usable; allowed: one of"):
        parse_design(SMALL | {"scenario": "/etc/passwd"})


def test_a_design_file_that_asks_for_python_objects_is_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("method: !!python/object/apply:os.system ['touch pwned']\n")
    with pytest.raises(InputError, match="design: malformed YAML"):
        load_design(path)
    assert not (tmp_path / "pwned").exists()


def test_a_sweep_writes_every_run_with_its_design_point(tmp_path):
    design = parse_design(SMALL)
    assert sweep(design, tmp_path / "out") == 8
    weekly = results(tmp_path / "out")
    assert len(weekly) == 8 * 13
    runs = summarise(weekly)
    assert set(zip(runs.point, runs.rep, strict=True)) == {(p, r) for p in range(4) for r in (0, 1)}
    # more staff per unit, same market: lower turnover-driven strain, higher payroll
    by_staff = runs.groupby("staff_per_unit").cumulative_profit.mean()
    assert by_staff[24] != by_staff[16]
    assert sweep(design, tmp_path / "out") == 0  # nothing left to run


def test_a_folder_holding_another_design_is_refused(tmp_path):
    sweep(parse_design(SMALL | {"weeks": 2, "reps": 1}), tmp_path / "out")
    with pytest.raises(InputError, match="holds a different design"):
        sweep(parse_design(SMALL | {"weeks": 3, "reps": 1}), tmp_path / "out")


def test_a_killed_sweep_resumes_with_nothing_lost_or_run_twice(tmp_path):
    path = design_file(tmp_path, samples=3, reps=2, weeks=26)  # 18 runs
    process = cli("sweep", str(path), "--out", "out", "--workers", "2", cwd=tmp_path)
    runs = tmp_path / "out" / "runs"
    deadline = time.monotonic() + 240
    while len(list(runs.glob("point*.parquet"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {f.name: f.stat().st_mtime_ns for f in runs.glob("point*.parquet")}
    assert 4 <= len(before) < 18

    again = cli("sweep", str(path), "--out", "out", "--workers", "2", cwd=tmp_path)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"{len(before)} already done" in out
    after = {f.name: f.stat().st_mtime_ns for f in runs.glob("point*.parquet")}
    assert len(after) == 18
    assert all(after[name] == mtime for name, mtime in before.items())  # not run again
    assert not list(runs.glob(".*"))  # no half-written file left

    uninterrupted = tmp_path / "whole"
    sweep(load_design(path), uninterrupted)
    pd.testing.assert_frame_equal(results(tmp_path / "out"), results(uninterrupted))


def test_morris_ranks_the_lever_that_moves_profit_first(tmp_path):
    design = parse_design(
        SMALL
        | {
            "method": "morris",
            "samples": 4,
            "reps": 1,
            "weeks": 52,
            "parameters": {"spend_per_visit": [200, 340], "champion_cost": [0, 3000]},
        }
    )
    sweep(design, tmp_path / "out")
    table = sensitivity(tmp_path / "out", "cumulative_profit")
    assert list(table.parameter) == ["spend_per_visit", "champion_cost"]
    assert np.isfinite(table.mu_star_ci).all()
    # no champions at the default, so their cost moves nothing
    assert table.set_index("parameter").mu_star["champion_cost"] == pytest.approx(0, abs=1.0)


@pytest.mark.parametrize("path", sorted((PROJECT / "designs").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_designs_load(path):
    assert load_design(path).runs() > 0


def test_a_bad_design_on_the_command_line_is_one_line_with_status_2(tmp_path):
    path = design_file(tmp_path, parameters={"leader_care": [80, 30]})
    process = cli("sweep", str(path), "--out", "out", cwd=tmp_path)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert (
        err.strip()
        == "error: parameters.leader_care: [80, 30] is an empty range; allowed: LOW below HIGH"
    )
    assert not (tmp_path / "out").exists()


def test_an_intervention_is_measured_against_its_absence_on_the_same_draws(tmp_path):
    nothing_new = {"week": 1, "set": {"wage_level": 1.0}}  # the default: no change at all
    design = parse_design(SMALL | {"reps": 1, "intervention": nothing_new})
    sweep(design, tmp_path / "same")
    assert (summarise(results(tmp_path / "same")).profit_difference == 0).all()

    pay_rise = {"week": 5, "set": {"wage_level": 1.3}}
    design = parse_design(SMALL | {"reps": 1, "intervention": pay_rise})
    sweep(design, tmp_path / "rise")
    weekly = results(tmp_path / "rise")
    before = weekly[weekly.step < 5]
    assert (before.cumulative_profit == before.counterfactual_cumulative_profit).all()
    runs = summarise(weekly)
    payroll = SMALL["parameters"]["staff_per_unit"][0] * 24 * 560 * 0.3 * 9  # 30% more, 9 weeks
    assert (runs.profit_difference < -0.5 * payroll).all()  # pay costs at once; loyalty is slow
    assert "profit_difference" in design.outcomes()
    assert "profit_difference" not in parse_design(SMALL).outcomes()


def test_the_sensitivity_command_reports_main_effects_and_where_it_pays(tmp_path):
    pay_rise = {"week": 1, "set": {"wage_level": 1.3}}
    design = tmp_path / "design.yaml"
    design.write_text(yaml.safe_dump(SMALL | {"reps": 1, "intervention": pay_rise}))
    sweep(load_design(design), tmp_path / "out")
    report = cli("sensitivity", "out", "--outcome", "profit_difference", cwd=tmp_path)
    out, err = report.communicate(timeout=120)
    assert report.returncode == 0, err
    assert "from the bottom to the top quarter of each range" in out
    assert "staff_per_unit" in out and "leader_care" in out
    assert "It did not pay back within 13 weeks in any run." in out
    unknown = cli("sensitivity", "out", "--outcome", "nps", cwd=tmp_path)
    assert unknown.wait(timeout=60) == 2
