"""Hostile files: whatever a scenario, design or bundle holds, the loaders answer with a
scenario, design or bundle, or with one short line; they run nothing and write nothing."""

import io
import json
import os
import zipfile

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import InputError
from model.experiments.bundles import MEMBERS, read_bundle, replay
from model.experiments.designs import FIELDS as DESIGN_FIELDS
from model.experiments.designs import parse_design
from model.paths import DESIGNS, SCENARIOS
from model.scenario import FIELDS as SCENARIO_FIELDS
from model.scenario import read_scenario_text, read_yaml

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)


def one_line(error: InputError) -> None:
    message = str(error)
    assert message and "\n" not in message and len(message) <= InputError.MAX_MESSAGE


def loads_or_says_why(load, text) -> None:
    try:
        load(text)
    except InputError as error:
        one_line(error)


def scenario_from_text(text):
    return read_scenario_text(text)


def design_from_text(text):
    return parse_design(read_yaml(text, "design"))


LOADERS = {
    "scenario": (scenario_from_text, SCENARIO_FIELDS),
    "design": (design_from_text, DESIGN_FIELDS),
}


@pytest.mark.parametrize("kind", LOADERS)
@FUZZ
@given(data=st.data())
def test_any_mapping_of_known_and_unknown_fields(kind, data):
    load, fields = LOADERS[kind]
    keys = st.sampled_from(fields) | st.text(max_size=12)
    mapping = data.draw(st.dictionaries(keys, values, max_size=6))
    loads_or_says_why(load, yaml.safe_dump(mapping, allow_unicode=True))


@pytest.mark.parametrize("kind", LOADERS)
@FUZZ
@given(raw=st.binary(max_size=3000) | st.text(max_size=3000))
def test_any_bytes_or_text(kind, raw):
    loads_or_says_why(LOADERS[kind][0], raw)


@pytest.mark.parametrize("kind", LOADERS)
@FUZZ
@given(cut=st.floats(0, 1))
def test_truncated_files(kind, cut):
    shipped = (SCENARIOS / "start_at_the_top.yaml").read_text()
    if kind == "design":
        shipped = (DESIGNS / "pay_rise_payback.yaml").read_text()
    loads_or_says_why(LOADERS[kind][0], shipped[: int(cut * len(shipped))])


@pytest.mark.parametrize("kind", LOADERS)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 50_000, "nested too deeply"),
        ("{a: " * 20_000, "nested too deeply"),
        ("title: x\nweeks: 1" + "0" * 5000, "a value cannot be read"),
        ("title: x\n" + "#" * 300_000, "bytes; allowed: at most"),
        ("!!python/object/apply:os.system ['touch pwned']", "malformed YAML"),
        ("title: !!python/name:os.system x", "malformed YAML"),
        ("a: &a [1, 2]\nb: [*a, *a, *a]\n", "unknown field"),
        ('"line\\nbreak": 1', "unknown field"),
    ],
)
def test_known_attacks_get_one_line(kind, text, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as error:
        LOADERS[kind][0](text)
    one_line(error.value)
    assert message in str(error.value)
    assert not os.listdir(tmp_path)  # nothing ran, nothing was written


content = st.binary(max_size=300) | st.sampled_from(
    [
        b"[1, 2]",
        b'{"steps": "x", "seed": -1, "reps": 1, "level": "org"}',
        b'{"steps": 4, "seed": 0, "reps": 100000000, "level": "org"}',
        b'{"steps": 2, "seed": 0, "reps": 1, "level": "org"}',
        b"title: x\n",
        b"null",
        pd.DataFrame({"rep": [0], "step": [1]}).to_parquet(),
    ]
)
hostile = ("../escape.txt", "/abs.txt", "charts/../../x.svg")
members = st.fixed_dictionaries(  # every member a bundle needs, each perhaps hostile
    dict.fromkeys(MEMBERS, content), optional=dict.fromkeys(hostile, content)
) | st.fixed_dictionaries({}, optional=dict.fromkeys((*MEMBERS, *hostile), content))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(contents=members)
def test_any_zip_is_a_bundle_or_one_line_and_nothing_is_written(contents, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for name, content in contents.items():
            archive.writestr(name, content)
    path = tmp_path / "bundle.zip"
    path.write_bytes(packed.getvalue())
    try:
        replay(path)
    except InputError as error:
        one_line(error)
    assert sorted(os.listdir(tmp_path)) == ["bundle.zip"]


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("README.md", "scenario.yaml", "data.csv"):
            archive.writestr(name, "x")
        archive.writestr("run.json", json.dumps({"steps": 4}))
        archive.writestr("data.parquet", b"\0" * (300 * 2**20))  # 300 MiB of nothing
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(InputError, match="data.parquet expands to"):
        read_bundle(path)


def test_the_server_limits_uploads_and_checks_xsrf():
    config = (SCENARIOS.parent / ".streamlit" / "config.toml").read_text()
    assert "maxUploadSize = 1\n" in config  # MB: a scenario needs at most 64 KB
    assert "enableXsrfProtection = true" in config
