"""The read-only connection to the published analyst copy, and running SQL on it.

Analysts only ever open the published analyst copy (``models.publish``), never the pipeline's own
file, so a session can stay open through a nightly run (STACK-NOTES, "Concurrency"). The
connection is read-only by DuckDB's own settings, fixed when it opens and then locked: writes,
ATTACH, COPY ... TO, INSTALL/LOAD, SET and table functions reading or writing files are refused by
DuckDB itself; there is no keyword filter to get around.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pantau.errors import UserError

# Set when the connection opens; lock_configuration comes last and freezes all of them.
READ_ONLY_CONFIG: dict[str, Any] = {
    "access_mode": "READ_ONLY",
    "enable_external_access": False,  # no file or network access from SQL (COPY, read_csv, ATTACH)
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,  # SET / RESET / PRAGMA that change settings are refused
}

# DuckDB's reason (a fragment of its message) -> what the analyst is told.
_REFUSALS = (
    ("in-memory database in read-only mode", "attaching other databases is disabled"),
    ("read-only mode", ("it would change the database, and the analyst copy is read-only "
     "(scratch work can go in CREATE TEMP TABLE)")),
    ("file system operations are disabled", ("reading or writing files outside the database is "
     "disabled (save a result with --out FILE --format csv|json|xlsx|parquet)")),
    ("external extensions is disabled", "installing or loading extensions is disabled"),
    ("configuration has been locked", "changing settings (SET, RESET, PRAGMA) is disabled"),
)


def connect_analyst(path: Path, *, missing: str = "run `pantau run` (or `pantau demo`) first",
                    ) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published analyst copy, with file access and settings
    locked. ``missing`` is what the one-line error tells a user who has no copy yet."""
    if not Path(path).is_file():
        raise UserError(f"no analyst copy at {path}: {missing}")
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))
    except duckdb.Error as exc:
        raise UserError(f"cannot open the analyst copy {path}: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def refusal_reason(exc: BaseException) -> str | None:
    """Why the read-only settings refused a statement, or None when it failed for another
    reason."""
    text = str(exc)
    for fragment, reason in _REFUSALS:
        if fragment in text:
            return reason
    return None


# A refused statement's own kind names the reason better than the error that refused it.
_REFUSED_KINDS = {
    "ATTACH": "attaching other databases is disabled",
    "DETACH": "detaching databases is disabled",
    "LOAD": "installing or loading extensions is disabled",
    "SET": "changing settings (SET, RESET, PRAGMA) is disabled",
    "PRAGMA": "changing settings (SET, RESET, PRAGMA) is disabled",
}


def query_error(exc: duckdb.Error, statement: str = "") -> UserError:
    """The one-line reason the CLI prints for a failing or refused statement."""
    reason = refusal_reason(exc)
    if reason:
        reason = _REFUSED_KINDS.get(statement, reason)
        kind = f" ({statement})" if statement else ""
        return UserError(f"refused{kind}: pantau sql is read-only: {reason}. "
                         f"[{first_line(exc)}]")
    return UserError(f"query failed: {first_line(exc)}")


def run_sql(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table | None:
    """Run every statement of ``text``; the last one's result as an Arrow table (None when the
    last statement returns nothing)."""
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise query_error(exc) from None
    if not statements:
        raise UserError("no SQL statement given")
    result = None
    for stmt in statements:
        kind = str(stmt.type).rsplit(".", 1)[-1]
        try:
            rel = con.sql(stmt.query)
            result = rel.to_arrow_table() if rel is not None else None
        except duckdb.Error as exc:
            raise query_error(exc, kind) from None
    return result
