"""The indicator stage's scratch tables stay out of the warehouse.

compliance_base (200_compliance_base.sql), cardinal_processes and cardinal_releases
(100_cardinal.sql) and Cardinal's input rows (105_cardinal_flatten.sql) are TEMP objects of the
build's connection, dropped by the last file that reads them; older warehouses kept them as core
tables, which migrations drop (sql/migrations/003, 004, 010).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from pantau.models.db import BASELINE, open_warehouse
from pantau.models.transform import build

SCRATCH = ("compliance_base", "cardinal_processes", "cardinal_releases", "cardinal_rel",
           "cardinal_bids", "cardinal_awards")


def _objects(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return {(s, n) for s, n in rows if n in SCRATCH}


def test_scratch_is_temporary_and_old_core_tables_are_dropped(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        build(con)
        for name in SCRATCH:  # what an older build (schema version 1) left behind
            con.execute(f"CREATE TABLE core.{name} AS SELECT 1 AS x")
        con.execute(f"DELETE FROM ops.schema_version WHERE version > {BASELINE}")
    with open_warehouse(tmp_path / "w.duckdb") as con:
        build(con)
        assert _objects(con) == set()
        build(con)  # twice on one connection: the TEMP objects do not linger
        assert _objects(con) == set()
        # ...and what read them was still written: the metrics and Cardinal's flags (the
        # metric rows as a view over core, which must not read a TEMP object).
        written = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core' "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'core'").fetchall()}
        assert {"metric_rows", "flags_cardinal", "compliance_results"} <= written
