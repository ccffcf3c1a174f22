"""Issue 16: raw tables gain ``dataset`` and ``vanished_run`` (``raw.versions`` and
``raw.version_events`` are new tables, made by create_all). Python, not SQL: which raw tables
exist, and whether they already have the columns (create_all made new ones with them), depends
on the warehouse.
"""

from __future__ import annotations

import duckdb

COLUMNS = ("dataset", "vanished_run")


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    # The history's own tables (create_all makes issue 18's raw.version_closes and
    # raw.record_shapes too) are not raw records.
    tables = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'raw' "
        "AND table_name NOT IN ('versions', 'version_events', 'version_closes', 'record_shapes')"
    ).fetchall()
    for (table,) in tables:
        have = {c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'raw' AND table_name = ?", [table]).fetchall()}
        for column in COLUMNS:
            if column not in have:
                con.execute(f'ALTER TABLE raw."{table}" ADD COLUMN {column} VARCHAR')
