"""core.ocds_releases was a table in older builds and is a view now (built on demand by
``pantau export ocds``): drop the table, since CREATE OR REPLACE VIEW cannot replace a table."""

from __future__ import annotations

import duckdb
from pantau.models.db import drop_table


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    drop_table(con, "core", "ocds_releases")
