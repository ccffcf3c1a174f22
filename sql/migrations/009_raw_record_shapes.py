"""Issue 18: raw tables gain ``shape`` (models/record_shapes.py), read from the payloads they
hold; ``raw.record_shapes`` is a new table, made by create_all. Python, not SQL: which raw
tables exist, and whether create_all made them with the column already, depends on the
warehouse."""

from __future__ import annotations

import duckdb
from pantau.connectors.registry import RAW_TABLES
from pantau.models import record_shapes


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    existing = {t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'raw'").fetchall()}
    for table in (t for t in RAW_TABLES if t in existing):
        if not con.execute(
            "SELECT 1 FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'raw' AND table_name = ? AND column_name = 'shape'", [table]
        ).fetchall():
            con.execute(f'ALTER TABLE raw."{table}" ADD COLUMN shape VARCHAR')
        con.execute(f'UPDATE raw."{table}" SET shape = {record_shapes.shape("payload")} '
                    "WHERE shape IS NULL")
        record_shapes.add(con, f'raw."{table}"')
