"""Scenarios: a baseline plus a timeline of interventions, kept as YAML files.

A scenario file has a `title`, a `description` for the workshop, optional
`weeks` (the horizon), `parameters` that differ from the declared defaults,
a `timeline` of interventions, each a `week` and the parameters it `set`s,
optional `units`: a unit table (`UNIT_COLUMNS`: a list per column, a value per
unit at the start) that the units are built from in place of their draws, and
optional `provenance`: where the parameters came from (a fit's figures
and report), kept with the file and never read by the model.
Files are read with YAML's safe loader only, and every field is checked before
anything runs.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from model.engine.parameters import InputError, defaults, validate, validate_units
from model.io import atomic_file
from model.paths import SCENARIOS

DEFAULT_WEEKS = 156
MAX_WEEKS = 1040
MAX_FILE_BYTES = 256 * 1024
FIELDS = ("title", "description", "weeks", "parameters", "units", "timeline", "provenance")
COMPANIES_ENV = "SERVICE_PROFIT_COMPANIES"
"""The folder where fitted companies are saved and found beside the shipped scenarios:
chosen by whoever runs the app or the command; unset, nothing is saved."""


@dataclass(frozen=True)
class Intervention:
    """Parameter changes, and units that get a new manager, at the start of `week`."""

    week: int
    changes: dict[str, float]
    note: str = ""
    new_manager: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        """Plain data that `parse_intervention` reads back to an equal intervention."""
        return (
            {"week": self.week, "set": dict(self.changes)}
            | ({"new_manager": list(self.new_manager)} if self.new_manager else {})
            | ({"note": self.note} if self.note else {})
        )


@dataclass(frozen=True)
class Scenario:
    """A named starting point and the interventions that follow it."""

    title: str
    description: str = ""
    parameters: dict[str, float] = field(default_factory=dict)
    timeline: tuple[Intervention, ...] = ()
    weeks: int = DEFAULT_WEEKS
    provenance: dict = field(default_factory=dict)
    units: dict[str, tuple[float, ...]] = field(default_factory=dict)
    """The unit table: column name (`UNIT_COLUMNS`) to a value per unit at the start."""

    def values(self) -> dict[str, float]:
        """Every parameter's starting value, before any intervention."""
        return defaults() | self.parameters

    def values_at(self, week: int) -> dict[str, float]:
        """Every parameter's value in effect in `week`.

        The starting values, then every timeline change at or before `week`,
        in the order the run applies them (interventions act at the start of
        their week, so week 1's are in effect in week 1).

        Args:
            week: A week of the run.
        """
        values = self.values()
        for step in sorted(self.timeline, key=lambda i: i.week):
            if step.week <= week:
                values |= step.changes
        return values

    def with_parameters(self, changes: dict[str, object], where: str = "parameters.") -> Scenario:
        """This scenario starting from other parameter values (validated).

        Its unit table describes the units it starts with: another number of
        units draws them all again, as the organisation is rebuilt.
        """
        parameters = self.parameters | validate(changes, where=where)
        same = (defaults() | parameters)["n_units"] == self.values()["n_units"]
        return replace(self, parameters=parameters, units=self.units if same else {})

    def with_units(self, table: dict[str, object]) -> Scenario:
        """This scenario with these unit table columns (validated), the others kept."""
        units = self.units | validate_units(table, self.values()["n_units"])
        return replace(self, units=units)

    def with_change(
        self, week: int, changes: dict[str, object], note: str = "", new_manager=()
    ) -> Scenario:
        """This scenario with one more intervention at `week` (validated)."""
        where = f"timeline week {week}"
        _week(week, where, self.weeks)
        checked = validate(changes, during_run=True, where=f"{where}: ")
        units = _units(list(new_manager), f"{where}: new_manager", self.values()["n_units"])
        step = Intervention(week, checked, note, units)
        return replace(self, timeline=tuple(sorted((*self.timeline, step), key=lambda i: i.week)))

    def to_dict(self) -> dict:
        """Plain data that `parse_scenario` reads back to an equal scenario."""
        data = {
            "title": self.title,
            "description": self.description,
            "weeks": self.weeks,
            "parameters": dict(self.parameters),
        }
        if self.units:
            data["units"] = {name: list(values) for name, values in self.units.items()}
        data["timeline"] = [step.to_dict() for step in self.timeline]
        if self.provenance:
            data["provenance"] = self.provenance
        return data

    def to_yaml(self) -> str:
        """The scenario as a YAML file's text."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def key(self) -> str:
        """A cache key: the same text for equal scenarios, another for different ones.

        The scenario holds dicts, so it cannot be hashed itself. This is its
        `to_dict()` as JSON with names sorted, as their order changes nothing.
        """
        return json.dumps(self.to_dict(), sort_keys=True)


def _text(data: dict, key: str, required: bool) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(f"{key}: {value!r} is not usable; allowed: a non-empty text")
    return value


def _mapping(value: object, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: {value!r} is not a mapping; allowed: NAME: VALUE lines")
    return value


def _week(value: object, where: str, weeks: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= weeks:
        raise InputError(
            f"{where}: {value!r} is not a week of the run; allowed: a whole "
            f"number from 1 to {weeks}"
        )
    return value


def whole_number(value: object, key: str, low: int, high: int) -> int:
    """`value` if it is a whole number from `low` to `high`; else one error naming `key`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(
            f"{key}: {value!r} is not usable; allowed: a whole number from {low} to {high}"
        )
    return value


def top_level(data: object, what: str, fields: tuple[str, ...]) -> dict:
    """`data` if it is a mapping of known `fields`; else one error naming `what` it is."""
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a {type(data).__name__} at the top level"
        raise InputError(f"{what}: {found}; allowed: a mapping with {', '.join(fields)}")
    unknown = [key for key in data if key not in fields]
    if unknown:
        raise InputError(f"{unknown[0]}: unknown field; allowed: {', '.join(fields)}")
    return data


def parse_intervention(entry: object, where: str, weeks: int, n_units: int) -> Intervention:
    """Check one `{week, set, new_manager, note}` entry (a timeline's, or a design's)."""
    entry = _mapping(entry, where)
    extra = [key for key in entry if key not in ("week", "set", "new_manager", "note")]
    if extra:
        raise InputError(
            f"{where}.{extra[0]}: unknown field; allowed: week, set, new_manager, note"
        )
    week = _week(entry.get("week"), f"{where}.week", weeks)
    changes = validate(
        _mapping(entry.get("set"), f"{where}.set"), during_run=True, where=f"{where}.set."
    )
    note = entry.get("note") or ""
    if not isinstance(note, str):
        raise InputError(f"{where}.note: {note!r} is not text; allowed: a short text")
    units = _units(entry.get("new_manager") or [], f"{where}.new_manager", n_units)
    return Intervention(week, changes, note, units)


def _units(value: object, where: str, n_units: int) -> tuple[int, ...]:
    """Unit numbers (0 to `n_units` - 1, as in unit-level results)."""
    if not isinstance(value, list) or not all(
        isinstance(u, int) and not isinstance(u, bool) and 0 <= u < n_units for u in value
    ):
        raise InputError(
            f"{where}: {value!r} is not a list of units; allowed: unit numbers from 0 to "
            f"{n_units - 1}"
        )
    return tuple(value)


def parse_scenario(data: object) -> Scenario:
    """Check plain data (as read from YAML) and build a Scenario.

    Raises:
        InputError: Naming the first field that is wrong, its value and what is allowed.
    """
    data = top_level(data, "scenario", FIELDS)
    weeks = whole_number(data.get("weeks", DEFAULT_WEEKS), "weeks", 1, MAX_WEEKS)
    parameters = validate(_mapping(data.get("parameters"), "parameters"), where="parameters.")
    timeline_data = data.get("timeline") or []
    if not isinstance(timeline_data, list):
        raise InputError(
            f"timeline: {timeline_data!r} is not a list; allowed: a list of "
            "{week, set, new_manager, note} entries"
        )
    n_units = (defaults() | parameters)["n_units"]
    timeline = [
        parse_intervention(entry, f"timeline[{i}]", weeks, n_units)
        for i, entry in enumerate(timeline_data)
    ]
    return Scenario(
        title=_text(data, "title", required=True),
        description=_text(data, "description", required=False),
        parameters=parameters,
        timeline=tuple(sorted(timeline, key=lambda i: i.week)),
        weeks=weeks,
        provenance=_mapping(data.get("provenance"), "provenance"),
        units=validate_units(_mapping(data.get("units"), "units"), n_units),
    )


def read_yaml(text: str | bytes, what: str) -> object:
    """Plain data from a small YAML text, read with the safe loader only.

    Raises:
        InputError: For text over MAX_FILE_BYTES or that is not YAML, naming `what` it is.
    """
    if len(text) > MAX_FILE_BYTES:
        raise InputError(f"{what}: {len(text)} bytes; allowed: at most {MAX_FILE_BYTES} bytes")
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise InputError(f"{what}: nested too deeply; allowed: a YAML mapping") from None
    except ValueError as error:  # e.g. a number with thousands of digits
        raise InputError(
            f"{what}: a value cannot be read ({error}); allowed: a YAML mapping"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not YAML"
        raise InputError(
            f"{what}: malformed YAML{where} ({problem}); allowed: a YAML mapping"
        ) from None


def read_file(path: Path, what: str, missing: str = "a readable YAML file") -> bytes:
    """A file's first MAX_FILE_BYTES + 1 bytes (enough for `read_yaml` to refuse more).

    Raises:
        InputError: When the file is missing (saying what is `missing`) or unreadable.
    """
    try:
        with open(path, "rb") as file:
            return file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{what}: {str(path)!r} not found; allowed: {missing}") from None
    except OSError as error:
        raise InputError(
            f"{what}: {str(path)!r} cannot be read ({error.strerror}); "
            "allowed: a readable YAML file"
        ) from None


def read_scenario_text(text: str | bytes) -> Scenario:
    """Parse a scenario file's contents (safe YAML only)."""
    return parse_scenario(read_yaml(text, "scenario"))


def companies_folder() -> Path | None:
    """The folder chosen for fitted companies (`COMPANIES_ENV`), or None when none is."""
    folder = os.environ.get(COMPANIES_ENV)
    return Path(folder) if folder else None


def _shipped() -> list[str]:
    return sorted(path.stem for path in SCENARIOS.glob("*.yaml"))


def _saved() -> list[str]:
    folder = companies_folder()
    shipped = _shipped()
    found = sorted(path.stem for path in folder.glob("*.yaml")) if folder else []
    return [name for name in found if name not in shipped]


def scenario_names() -> list[str]:
    """Names of the scenarios shipped in `scenarios/`, baseline first, then the saved companies."""
    return sorted(_shipped(), key=lambda name: name != "baseline") + _saved()


def scenario_path(name_or_path: str | Path) -> Path:
    """A shipped scenario's or saved company's file by name, or the given path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        if (SCENARIOS / f"{path}.yaml").exists():
            return SCENARIOS / f"{path}.yaml"
        if str(path) in _saved():
            return companies_folder() / f"{path}.yaml"
    return path


def save_company(scenario: Scenario) -> str:
    """Write a fitted company into the chosen folder, named after its title; returns the name.

    Raises:
        InputError: When no folder is chosen, or the title gives no name a shipped
            scenario does not already have.
    """
    folder = companies_folder()
    if folder is None:
        raise InputError(
            f"{COMPANIES_ENV}: not set; allowed: the folder where fitted companies are kept"
        )
    name = re.sub(r"[^a-z0-9]+", "_", scenario.title.lower()).strip("_")
    if not name or name in _shipped():
        raise InputError(
            f"title: {scenario.title!r} names no new file; allowed: a title with letters or "
            "digits, not a shipped scenario's name"
        )
    with atomic_file(folder / f"{name}.yaml", COMPANIES_ENV) as file:
        file.write(scenario.to_yaml().encode())
    return name


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (or a shipped scenario by name).

    Raises:
        InputError: When the file is missing, unreadable or not a valid scenario.
    """
    path = scenario_path(path)
    names = ", ".join(scenario_names())
    return read_scenario_text(read_file(path, "scenario", f"a YAML file or one of {names}"))
