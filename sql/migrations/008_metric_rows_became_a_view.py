"""core.metric_rows was a table in older builds and is a view now (sql/indicators/
950_agency_metrics.sql): drop the table, since CREATE OR REPLACE VIEW cannot replace a table.

Python, not SQL: DuckDB's DROP TABLE IF EXISTS fails on the view a current warehouse holds.
"""

from __future__ import annotations

import duckdb


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    if con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'core' AND table_name = 'metric_rows'"
    ).fetchone():
        con.execute("DROP TABLE core.metric_rows")
