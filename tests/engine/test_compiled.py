"""The compiled links give the numbers of the numpy reference, on the same draws."""

import os
import subprocess
import sys

import numpy as np
import pytest

from model.engine import kernels, mechanisms
from model.engine.chain import ServiceProfitChain
from model.scenario import Intervention

WEEKS = 26
TOLERANCE = 1e-9  # relative; on the machines measured so far the two agree to the bit

BUSY = {  # self-service, growth (new units open with every post vacant), overload
    "automation_level": 0.3,
    "growth_rate": 0.6,
    "staffing_level": 0.8,
    "demand_level": 1.3,
    "n_units": 8,
}
WIDE = {  # more than eight support departments and central leaders: numpy's sums go pairwise
    "support_departments": 9,
    "n_units": 40,
    "units_per_region": 4,
    "customers_per_unit": 60,
}
TIMELINE = [
    Intervention(5, {"customer_policy_friction": 70, "wage_level": 0.9}, new_manager=(1,)),
    Intervention(12, {"automation_level": 0.0, "demand_level": 0.7}),
]


def weeks(compiled, parameters, timeline=()):
    model = ServiceProfitChain(
        timeline=timeline, record_units=True, compiled=compiled, seed=5, **parameters
    )
    for _ in range(WEEKS):
        model.step()
    return model


def assert_same(compiled, reference):
    for fast, slow in zip(compiled.records, reference.records, strict=True):
        assert fast.keys() == slow.keys()
        for name in fast:
            assert fast[name] == pytest.approx(slow[name], rel=TOLERANCE, abs=TOLERANCE), (
                fast["step"],
                name,
            )
    for fast, slow in zip(compiled.unit_records, reference.unit_records, strict=True):
        for name in fast:
            np.testing.assert_allclose(fast[name], slow[name], rtol=TOLERANCE, atol=TOLERANCE)
    for table in ("customers", "staff", "leaders", "units"):
        fast, slow = getattr(compiled, table), getattr(reference, table)
        for name in vars(slow):
            np.testing.assert_allclose(
                getattr(fast, name), getattr(slow, name), rtol=TOLERANCE, err_msg=name
            )
    for name in ("team_fatigue", "authorised", "shown"):
        np.testing.assert_allclose(
            getattr(compiled, name), getattr(reference, name), rtol=TOLERANCE, err_msg=name
        )


@pytest.mark.parametrize(
    ("parameters", "timeline"),
    [({}, ()), (BUSY, TIMELINE), (WIDE, ())],
    ids=["default", "busy", "wide"],
)
def test_compiled_links_give_the_reference_numbers(parameters, timeline):
    assert_same(weeks(True, parameters, timeline), weeks(False, parameters, timeline))


@pytest.mark.parametrize(
    "name",  # one a compiled link reads: visitors, plans, arrivals, fatigue, workload, books
    [
        "DEFECTION_SCALE",
        "STANDARD_EROSION",
        "ACQUISITION_RATE",
        "FATIGUE_WEEKS",
        "MAX_LOAD",
        "MAX_OVERTIME",
        "CHAMPION_WEIGHT",
    ],
)
def test_each_compiled_link_reads_its_coefficients_at_run_time(monkeypatch, name):
    declared = weeks(True, BUSY).records[-1]
    monkeypatch.setattr(mechanisms, name, getattr(mechanisms, name) * 0.5)
    cut = weeks(True, BUSY)
    assert_same(cut, weeks(False, BUSY))
    assert cut.records[-1] != declared


def test_a_coefficient_changed_at_run_time_reaches_the_compiled_links(monkeypatch):
    declared = weeks(True, BUSY)
    monkeypatch.setattr(mechanisms, "RELATIONSHIP_BONUS", 0.0)
    monkeypatch.setattr(mechanisms, "LOYAL_SPEND_PREMIUM", 0.0)
    cut = weeks(True, BUSY)
    assert_same(cut, weeks(False, BUSY))
    assert cut.records[-1]["revenue"] != declared.records[-1]["revenue"]


def test_a_kernels_sum_adds_up_as_numpy_does():
    rng = np.random.default_rng(3)
    for n in [*range(300), 1000, 4099, 10001]:
        values = rng.random(n + 5) * 10.0 ** rng.uniform(-3, 6, n + 5)
        assert kernels.pairwise_sum(values, 5, n) == values[5:].sum(), n


@pytest.mark.parametrize(
    "gone",
    [[], [0], [9], [0, 1, 2], [3, 4, 8, 9], list(range(10))],
    ids=["none", "first", "last", "a leading run", "runs", "all"],
)
@pytest.mark.parametrize("added", [0, 3])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.bool_])
def test_renewing_a_column_drops_and_appends_as_numpy_does(gone, added, dtype):
    rng = np.random.default_rng(1)
    column, more = (
        rng.random(n) * 100 > 50 if dtype is np.bool_ else rng.random(n) * 100 for n in (10, added)
    )
    column, more, gone = column.astype(dtype), more.astype(dtype), np.array(gone, np.int64)
    renewed = kernels.renewed(column, gone, more)
    assert renewed.dtype == column.dtype
    np.testing.assert_array_equal(renewed, np.concatenate([np.delete(column, gone), more]))


@pytest.mark.slow
def test_the_compiled_links_build_from_an_empty_cache(tmp_path):
    """As in a fresh installation: nothing compiled yet, and the cache written where asked."""
    code = "from model import ServiceProfitChain; ServiceProfitChain(seed=0, n_units=1).step()"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=600)
    assert list(tmp_path.rglob("*.nbi"))
