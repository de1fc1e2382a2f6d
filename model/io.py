"""Tables with their provenance, written all or nothing.

Parquet carries the provenance in its schema metadata (key `PROVENANCE_KEY`),
CSV in `# key: value` lines at the top.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.engine.parameters import InputError

PROVENANCE_KEY = "service_profit_chain"


@contextlib.contextmanager
def atomic_file(path: Path, what: str):
    """A binary file that appears at `path` only when complete.

    It is written beside its destination and moved into place at the end, so
    a failure or a kill never leaves a half-written file or clobbers an old one.

    Raises:
        InputError: Naming `what` (the option or field) when the folder cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise InputError(
            f"{what}: {str(path)!r} cannot be written ({error.strerror}); allowed: "
            "a file in an existing, writable folder"
        ) from None
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    except OSError as error:
        os.unlink(temporary)
        raise InputError(
            f"{what}: {str(path)!r} cannot be written ({error.strerror}); allowed: "
            "a file in a writable folder with space"
        ) from None
    except BaseException:
        os.unlink(temporary)
        raise


def table_bytes(table: pd.DataFrame, meta: dict, suffix: str) -> bytes:
    """`table` as Parquet (`meta` in its schema) or CSV (`meta` in `# key: value` lines)."""
    if suffix == ".parquet":
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata(
            (arrow.schema.metadata or {}) | {PROVENANCE_KEY: json.dumps(meta)}
        )
        buffer = pa.BufferOutputStream()
        pq.write_table(arrow, buffer)
        return buffer.getvalue().to_pybytes()
    header = "".join(f"# {key}: {json.dumps(value)}\n" for key, value in meta.items())
    return (header + table.to_csv(index=False)).encode()


def write_table(table: pd.DataFrame, path: str | Path, meta: dict) -> Path:
    """Write `table` to Parquet or CSV with `meta` inside, all or nothing (`atomic_file`).

    Raises:
        InputError: For an unknown format or a folder that cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            f"--out: {str(path)!r} has an unknown format; allowed: a .parquet or .csv file"
        )
    with atomic_file(path, "--out") as file:
        file.write(table_bytes(table, meta, suffix))
    return path


def read_table(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read a table written by `write_table` and its provenance."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        arrow = pq.read_table(path)
        meta = json.loads(arrow.schema.metadata[PROVENANCE_KEY.encode()])
        return arrow.to_pandas(), meta
    meta = {}
    with open(path) as file:
        for line in file:
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(": ")
            meta[key] = json.loads(value)
    return pd.read_csv(path, comment="#"), meta
