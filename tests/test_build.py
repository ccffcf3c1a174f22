"""The SQL build: core in one transaction, then the rest; documented views; what commits with
it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from pantau.models.db import open_warehouse
from pantau.models.transform import build, sql_files, view_docs


def test_every_analyst_view_and_column_is_documented(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        build(con)
        undocumented = con.execute(
            "SELECT c.table_name, c.column_name FROM duckdb_columns() c "
            "JOIN duckdb_views() v ON v.view_name = c.table_name AND v.schema_name = c.schema_name "
            "WHERE c.schema_name = 'main' AND NOT v.internal AND c.comment IS NULL"
        ).fetchall()
        views = {v for (v,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal"
        ).fetchall()}
    assert undocumented == []
    assert views == {d.name for d in view_docs()}
    assert {"tenders", "bids", "flags", "agency_metrics", "metric_history", "inspectorates",
            "inspectorate_history", "alerts"} <= views


def test_a_failure_in_then_rolls_back_the_indicators_and_views_not_core(
        tmp_path: Path) -> None:
    """Core commits first; the indicators, the views and what ``then`` writes commit together,
    so a failure there leaves core built and recorded: the next build runs only the rest."""
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as con:
        build(con)
        con.execute("DROP VIEW main.tenders")  # a state the next build would repair
        con.execute("UPDATE ops.build_state SET fingerprint = 'stale'")  # every file runs

        def fail(c: duckdb.DuckDBPyConnection) -> None:
            c.execute("CREATE TABLE ops.written_by_then (x INTEGER)")
            raise RuntimeError("alert rules failed")

        with pytest.raises(RuntimeError, match="alert rules failed"):
            build(con, then=fail)
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
        stale = {f for (f,) in con.execute(
            "SELECT file FROM ops.build_state WHERE fingerprint = 'stale'").fetchall()}
        rerun = build(con)
    assert "written_by_then" not in tables
    assert "tenders" not in views  # the views' work was rolled back with it
    core = {p.name for p in sql_files("core")}
    assert core.isdisjoint(stale)  # core's fingerprints committed with it
    assert {p.name for p in sql_files("indicators")} <= stale
    assert {path.split("/")[0] for path in rerun} == {"indicators", "views"}
