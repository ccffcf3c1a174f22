"""core.ocds_releases was a table in older builds and is a view now (built on demand by
``pantau export ocds``): drop the table, since CREATE OR REPLACE VIEW cannot replace a table.

Python, not SQL: DuckDB's DROP TABLE IF EXISTS fails on the view a current warehouse holds.
"""

from __future__ import annotations

import duckdb


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    if con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'core' AND table_name = 'ocds_releases'"
    ).fetchone():
        con.execute("DROP TABLE core.ocds_releases")
