"""Workshops kept in SQLite: one file, created on first use, shared by every device.

Only storage: pricing levers and playing rounds are `model.workshop.rounds`.

Secrets are kept only as salted hashes (PBKDF2 from the standard library),
compared in constant time: the facilitator's key, made with the workshop, and
each team's PIN, given when the team joins. A team's name alone never grants
its seat: rejoining from another device needs the PIN.

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
import hashlib
import hmac
import io
import json
import re
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
CODE_LENGTH = 8
"""32**8, about 1.1e12 codes: guessing one within the join limits is hopeless (README)."""
PIN_DIGITS = 6
HASH_ROUNDS = 20_000
"""PBKDF2 rounds: milliseconds a check. A copied file's facilitator keys stay safe; its
PINs (a million possible) do not, so the file must be readable by the server only."""
BASELINE = 0
"""Team id of the baseline company, which decides nothing."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL,
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
    pin_hash TEXT,
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


def digest(secret: str) -> str:
    """A salted hash of `secret`, to keep instead of it."""
    salt = secrets.token_hex(16)
    return f"{salt}${_hashed(secret, salt)}"


def matches(secret: str, stored: str | None) -> bool:
    """Whether `secret` is the one `stored` was made from (constant time)."""
    if not stored:
        return False
    salt, hashed = stored.split("$", 1)
    return hmac.compare_digest(_hashed(str(secret), salt), hashed)


def _hashed(secret: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), HASH_ROUNDS).hex()


def new_pin() -> str:
    """A team PIN: `PIN_DIGITS` random digits."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def normal_code(code: object) -> str:
    """A join code as typed, in capitals without spaces or dashes."""
    return "".join(c for c in str(code).upper() if c.isalnum())


class WorkshopStore:
    """Workshops in one SQLite file (created with its folder on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as db:
                db.execute("PRAGMA journal_mode=WAL")
                _upgrade(db)
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
                "INSERT INTO workshops (code, key_hash, settings, prices, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (code, digest(key), json.dumps(_plain(settings)), json.dumps(price), _now()),
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
                "SELECT key_hash FROM workshops WHERE id = ?", (workshop.id,)
            ).fetchone()[0]
        if not matches(key, stored):
            raise InputError(
                "facilitator key: not this workshop's; allowed: the key it was made with"
            )
        return workshop

    def join(self, code: str, name: str) -> tuple[int, str]:
        """A new team in the workshop; returns its id and its PIN (kept only as a hash).

        Raises:
            InputError: For an unknown code, a bad name, or a name taken (rejoin with its PIN).
        """
        workshop = self.workshop(code)
        name = _team_name(name)
        pin = new_pin()
        with self._writing() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO teams (workshop_id, name, pin_hash, joined) VALUES (?, ?, ?, ?)",
                    (workshop.id, name, digest(pin), _now()),
                )
            except sqlite3.IntegrityError:
                raise InputError(
                    f"team name: {name!r} has joined already; allowed: its team PIN to rejoin, "
                    "or another name"
                ) from None
        return cursor.lastrowid, pin

    def rejoin(self, code: str, name: str, pin: str) -> int:
        """The id of the team `name`, for a device that has its PIN.

        Raises:
            InputError: For an unknown code or team, or a PIN that is not the team's.
        """
        workshop = self.workshop(code)
        name = _team_name(name)
        with self._connection() as db:
            found = db.execute(
                "SELECT id, name, pin_hash FROM teams WHERE workshop_id = ? AND name = ?",
                (workshop.id, name),
            ).fetchone()
        if found is None:
            raise InputError(
                f"team name: {name!r} has not joined; allowed: a team's name as it joined, "
                "or leave the PIN empty to join as a new team"
            )
        if not matches(str(pin).strip(), found["pin_hash"]):
            name = found["name"]
            raise InputError(
                f"team PIN: not {name}'s; allowed: the PIN {name} was given when it joined "
                "(the facilitator can give a new one)"
            )
        return found["id"]

    def reset_pin(self, code: str, key: str, team_id: int) -> str:
        """A new PIN for a team, for the facilitator; the old one stops working."""
        workshop = self.facilitate(code, key)
        pin = new_pin()
        with self._writing() as db:
            changed = db.execute(
                "UPDATE teams SET pin_hash = ? WHERE id = ? AND workshop_id = ?",
                (digest(pin), team_id, workshop.id),
            ).rowcount
        if not changed:
            raise InputError(f"team: {team_id!r} is not in this workshop; allowed: its teams")
        return pin

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
        prediction = {m: _predicted(prediction.get(m), m) for m in PREDICTED}
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


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a file made before secrets were hashed to the current schema."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(workshops)")}
    if "facilitator_key" not in columns:
        return
    db.execute("BEGIN IMMEDIATE")
    db.execute("ALTER TABLE workshops RENAME COLUMN facilitator_key TO key_hash")
    for row in db.execute("SELECT id, key_hash FROM workshops").fetchall():
        db.execute("UPDATE workshops SET key_hash = ? WHERE id = ?", (digest(row[1]), row[0]))
    db.execute("ALTER TABLE teams ADD COLUMN pin_hash TEXT")  # old teams: the facilitator resets
    db.execute("COMMIT")


def _team_name(name: object) -> str:
    """A team's name, tidied, if it is one; names are shown on every screen, so no markup."""
    name = " ".join(str(name).split())
    if not 1 <= len(name) <= 40:
        raise InputError("team name: empty or too long; allowed: 1 to 40 characters")
    if not re.fullmatch(r"[\w .'&-]+", name):
        raise InputError(
            f"team name: {name!r} has characters that are not allowed; allowed: letters, "
            "digits, spaces and - ' . &"
        )
    return name


def _find(db: sqlite3.Connection, code: str) -> Workshop:
    code = normal_code(code)
    row = db.execute("SELECT * FROM workshops WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise InputError(
            f"join code: {code!r} is not a workshop here; allowed: the {CODE_LENGTH}-character "
            "code on the facilitator's screen"
        )
    return _workshop(row)


def _predicted(value: object, measure: str) -> float:
    label = PREDICTED[measure]
    if value is None:
        raise InputError(f"prediction: {label} is empty; allowed: a number, your team's best guess")
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise InputError(f"prediction: {label}: {value!r} is not a number; allowed: a number")
    return float(value)
