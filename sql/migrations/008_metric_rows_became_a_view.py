"""core.metric_rows was a table in older builds and is a view now (sql/indicators/
950_agency_metrics.sql): drop the table, since CREATE OR REPLACE VIEW cannot replace a table."""

from __future__ import annotations

import duckdb
from pantau.models.db import drop_table


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    drop_table(con, "core", "metric_rows")
