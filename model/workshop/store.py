"""Workshops kept in SQLite: one file, created on first use, shared by every device.

Only storage: pricing levers and playing rounds are `model.workshop.rounds`.

Workshops, teams, decisions with predictions, and each round's results live
here, so any number of browsers see the same workshop and a refresh or a
server restart loses nothing. Every write is one short transaction that takes
the write lock first (`BEGIN IMMEDIATE`), so a submission and the
facilitator's advance are ordered, and two teams submitting at once each keep
their own row. Results are stored as Parquet, one blob per company and round.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from model.engine.parameters import InputError
from model.workshop.rules import PREDICTED, Settings, check_choices

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a projector
CODE_LENGTH = 6
BASELINE = 0
"""Team id of the baseline company, which decides nothing."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    facilitator_key TEXT NOT NULL,
    settings TEXT NOT NULL,
    prices TEXT NOT NULL,
    locked_round INTEGER NOT NULL DEFAULT 0,
    played_round INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops (id),
    name TEXT NOT NULL COLLATE NOCASE,
    joined TEXT NOT NULL,
    UNIQUE (workshop_id, name)
);
CREATE TABLE IF NOT EXISTS decisions (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    round INTEGER NOT NULL,
    choices TEXT NOT NULL,
    prediction TEXT NOT NULL,
    submitted TEXT NOT NULL,
    PRIMARY KEY (team_id, round)
);
CREATE TABLE IF NOT EXISTS results (
    workshop_id INTEGER NOT NULL REFERENCES workshops (id),
    team_id INTEGER NOT NULL,
    round INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (workshop_id, team_id, round)
);
"""


@dataclass(frozen=True)
class Workshop:
    """A workshop as stored: its settings, price list and how far it has got."""

    id: int
    code: str
    settings: Settings
    prices: dict[str, float]
    locked_round: int  # decisions for this round and before are final
    played_round: int  # results exist up to the end of this round

    @property
    def open_round(self) -> int | None:
        """The round teams are deciding now (None when the workshop is over or advancing)."""
        if self.locked_round != self.played_round or self.played_round >= self.settings.rounds:
            return None
        return self.played_round + 1

    @functools.cached_property
    def start_values(self) -> dict[str, float]:
        """Every company's lever settings before any decision."""
        return self.settings.start().values()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class WorkshopStore:
    """Workshops in one SQLite file (created with its folder on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise InputError(
                f"workshop store: {str(self.path)!r} cannot be used ({error}); allowed: a "
                "writable file path"
            ) from None

    @contextlib.contextmanager
    def _connection(self):
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _writing(self):
        """One transaction holding the write lock from its start."""
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ------------------------------------------------------------ setting up

    def create(self, settings: Settings, price: dict[str, float]) -> tuple[str, str]:
        """Store a new workshop (checked settings, lever prices); returns its code and key."""
        key = secrets.token_urlsafe(16)
        with self._writing() as db:
            while True:
                code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
                if not db.execute("SELECT 1 FROM workshops WHERE code = ?", (code,)).fetchone():
                    break
            db.execute(
                "INSERT INTO workshops (code, facilitator_key, settings, prices, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (code, key, json.dumps(_plain(settings)), json.dumps(price), _now()),
            )
        return code, key

    def workshop(self, code: str) -> Workshop:
        """The workshop with this join code.

        Raises:
            InputError: When no workshop has it.
        """
        with self._connection() as db:
            return _find(db, code)

    def facilitate(self, code: str, key: str) -> Workshop:
        """The workshop, for its facilitator only."""
        workshop = self.workshop(code)
        with self._connection() as db:
            stored = db.execute(
                "SELECT facilitator_key FROM workshops WHERE id = ?", (workshop.id,)
            ).fetchone()[0]
        if not secrets.compare_digest(stored, str(key)):
            raise InputError(
                "facilitator key: not this workshop's; allowed: the key it was made with"
            )
        return workshop

    def join(self, code: str, name: str) -> int:
        """The team id for `name` in the workshop (joining again returns the same team)."""
        workshop = self.workshop(code)
        name = " ".join(str(name).split())
        if not 1 <= len(name) <= 40:
            raise InputError("team name: empty or too long; allowed: 1 to 40 characters")
        find = "SELECT id FROM teams WHERE workshop_id = ? AND name = ?"
        with self._connection() as db:  # a page redrawn for a team that has joined: no write
            found = db.execute(find, (workshop.id, name)).fetchone()
        if found:
            return found[0]
        with self._writing() as db:
            db.execute(
                "INSERT OR IGNORE INTO teams (workshop_id, name, joined) VALUES (?, ?, ?)",
                (workshop.id, name, _now()),
            )
            return db.execute(find, (workshop.id, name)).fetchone()[0]

    def teams(self, workshop: Workshop) -> dict[int, str]:
        """Team ids and names, in the order they joined."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, name FROM teams WHERE workshop_id = ? ORDER BY id", (workshop.id,)
            ).fetchall()
        return {row["id"]: row["name"] for row in rows}

    # ------------------------------------------------------------ deciding

    def settings_for(self, workshop: Workshop, team_id: int, round_: int) -> dict[str, float]:
        """A team's lever settings in a round: its last decision up to it, else the start."""
        values = {n: workshop.start_values[n] for n in workshop.prices}
        with self._connection() as db:
            rows = db.execute(
                "SELECT choices FROM decisions WHERE team_id = ? AND round <= ? ORDER BY round",
                (team_id, round_),
            ).fetchall()
        for row in rows:
            values |= json.loads(row["choices"])
        return values

    def submit(
        self,
        code: str,
        team_id: int,
        choices: dict[str, float],
        prediction: dict[str, float],
    ) -> int:
        """Record a team's settings and prediction for the open round; returns the round.

        A team may submit again until the round locks; each submission replaces
        its own earlier one and no other team's.

        Raises:
            InputError: For a locked round, a team not in the workshop, settings
                over the budget, or a prediction that is not a number.
        """
        prediction = {m: _number(prediction.get(m), f"prediction.{m}") for m in PREDICTED}
        with self._writing() as db:
            workshop = _find(db, code)
            team = db.execute(
                "SELECT 1 FROM teams WHERE id = ? AND workshop_id = ?", (team_id, workshop.id)
            ).fetchone()
            if team is None:
                raise InputError(
                    f"team: {team_id!r} has not joined this workshop; allowed: join first"
                )
            round_ = workshop.open_round
            if round_ is None:
                raise InputError(
                    "round: decisions are locked; allowed: submitting while a round is open"
                )
            start = workshop.start_values
            checked = check_choices(
                choices, start, workshop.prices, workshop.settings.budget_in(round_)
            )
            db.execute(
                "INSERT INTO decisions (team_id, round, choices, prediction, submitted) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, round) DO UPDATE SET "
                "choices = excluded.choices, prediction = excluded.prediction, "
                "submitted = excluded.submitted",
                (team_id, round_, json.dumps(checked), json.dumps(prediction), _now()),
            )
        return round_

    def decisions(self, workshop: Workshop) -> pd.DataFrame:
        """Every decision: team, round, choices and prediction (one column per measure)."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT t.name AS team, t.id AS team_id, d.round, d.choices, d.prediction, "
                "d.submitted FROM decisions d JOIN teams t ON t.id = d.team_id "
                "WHERE t.workshop_id = ? ORDER BY t.id, d.round",
                (workshop.id,),
            ).fetchall()
        table = pd.DataFrame(
            [
                {
                    "team": r["team"],
                    "team_id": r["team_id"],
                    "round": r["round"],
                    "choices": json.loads(r["choices"]),
                    "submitted": r["submitted"],
                }
                | json.loads(r["prediction"])
                for r in rows
            ],
            columns=["team", "team_id", "round", "choices", "submitted", *PREDICTED],
        )
        return table

    # ------------------------------------------------------------ playing

    def lock_round(self, code: str, key: str) -> tuple[Workshop, int]:
        """Lock the open round for its facilitator; returns the workshop and the round to play.

        If the server stopped while a round was played, that round is locked
        already and is returned again, to be finished instead of skipped.
        """
        workshop = self.facilitate(code, key)
        with self._writing() as db:
            now = _find(db, workshop.code)
            if now.locked_round == now.played_round:
                if now.played_round >= now.settings.rounds:
                    raise InputError("round: the workshop is over; allowed: the debrief")
                db.execute(
                    "UPDATE workshops SET locked_round = locked_round + 1 WHERE id = ?",
                    (workshop.id,),
                )
        return workshop, now.played_round + 1

    def save_result(self, workshop: Workshop, team_id: int, round_: int, table) -> None:
        """Keep a company's weekly results to the end of `round_`."""
        with self._writing() as db:
            db.execute(
                "INSERT OR REPLACE INTO results (workshop_id, team_id, round, data) "
                "VALUES (?, ?, ?, ?)",
                (workshop.id, team_id, round_, table.to_parquet(index=False)),
            )

    def mark_played(self, workshop: Workshop, round_: int) -> None:
        """Every company's results for `round_` are kept: the next round opens."""
        with self._writing() as db:
            db.execute("UPDATE workshops SET played_round = ? WHERE id = ?", (round_, workshop.id))

    def results(self, workshop: Workshop, team_id: int) -> pd.DataFrame | None:
        """A company's weekly results to the end of the last round played (None before)."""
        with self._connection() as db:
            row = db.execute(
                "SELECT data FROM results WHERE workshop_id = ? AND team_id = ? "
                "ORDER BY round DESC LIMIT 1",
                (workshop.id, team_id),
            ).fetchone()
        return None if row is None else pd.read_parquet(io.BytesIO(row["data"]))


def _plain(settings: Settings) -> dict:
    data = dataclasses.asdict(settings)
    data["shocks"] = {str(k): v for k, v in settings.shocks.items()}
    return data


def _workshop(row: sqlite3.Row) -> Workshop:
    data = json.loads(row["settings"])
    data["shocks"] = {int(k): v for k, v in data["shocks"].items()}
    return Workshop(
        id=row["id"],
        code=row["code"],
        settings=Settings(**data),
        prices=json.loads(row["prices"]),
        locked_round=row["locked_round"],
        played_round=row["played_round"],
    )


def _find(db: sqlite3.Connection, code: str) -> Workshop:
    code = str(code).strip().upper()
    row = db.execute("SELECT * FROM workshops WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise InputError(
            f"join code: {code!r} is not a workshop here; allowed: the {CODE_LENGTH}-character "
            "code on the facilitator's screen"
        )
    return _workshop(row)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise InputError(f"{where}: {value!r} is not a number; allowed: a number")
    return float(value)
