"""Migrations are numbered files applied by ops.schema_version: each once, in order, atomically."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from conftest import present
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pantau.models.db import (
    BASELINE,
    MIGRATIONS_DIR,
    engine_for,
    migrate,
    migrations,
    open_warehouse,
)
from pantau.models.loader import land
from pantau.models.transform import build


def versions(db: Path) -> list[int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [v for (v,) in con.execute(
            "SELECT version FROM ops.schema_version ORDER BY version").fetchall()]


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_new_warehouse_gets_every_migration_and_a_rerun_none(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_warehouse(db):
        pass
    shipped = [v for v, _ in migrations()]
    assert shipped == sorted(shipped)
    assert shipped[0] == BASELINE + 1
    assert versions(db) == [BASELINE, *shipped]
    with open_warehouse(db):
        pass
    assert versions(db) == [BASELINE, *shipped]  # nothing applied twice


def test_a_warehouse_at_version_n_gets_exactly_the_later_ones(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {
        "002_a.sql": "CREATE TABLE core.applied AS SELECT 2 AS version;",
        "003_b.sql": "INSERT INTO core.applied VALUES (3);",
        "004_c.py": "def migrate(con):\n    con.execute('INSERT INTO core.applied VALUES (4)')\n",
        "README.md": "not a migration",
    })
    engine = engine_for(tmp_path / "w.duckdb")
    with engine.connect() as conn:
        assert migrate(conn, folder) == [2, 3, 4]
        conn.exec_driver_sql("DELETE FROM ops.schema_version WHERE version > 2")
        conn.exec_driver_sql("DELETE FROM core.applied WHERE version > 2")
        conn.commit()
        assert migrate(conn, folder) == [3, 4]  # from version 2: exactly 3 and 4
        assert migrate(conn, folder) == []
        rows = [v for (v,) in conn.execute(sa.text("SELECT version FROM core.applied ORDER BY 1"))]
    engine.dispose()
    assert rows == [2, 3, 4]


def test_a_failing_migration_leaves_the_version_before_it(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {
        "002_a.sql": "CREATE TABLE core.a AS SELECT 1 AS x;",
        "003_b.sql": "CREATE TABLE core.b AS SELECT 1 AS x; SELECT * FROM core.no_such_table;",
    })
    engine = engine_for(tmp_path / "w.duckdb")
    with engine.connect() as conn, pytest.raises(Exception, match="no_such_table"):
        migrate(conn, folder)
    engine.dispose()
    assert versions(tmp_path / "w.duckdb") == [BASELINE, 2]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        tables = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core'").fetchall()}
    assert tables == {"a"}  # 003's table rolled back with its version row


def test_two_migrations_with_one_number_are_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "m", {"002_a.sql": "SELECT 1;", "002_b.sql": "SELECT 1;"})
    with pytest.raises(RuntimeError, match=r"002_b\.sql"):
        migrations(folder)


def test_the_objects_that_became_views_or_temporary_are_dropped_once(tmp_path: Path) -> None:
    """A warehouse of older builds (schema version 1): its core.ocds_releases table (a view now)
    and its core.cardinal_processes / core.compliance_base tables (TEMP now) go, and it builds."""
    db = tmp_path / "w.duckdb"
    with open_warehouse(db) as con:
        build(con)
        con.execute("DROP VIEW core.ocds_releases")
        con.execute("CREATE TABLE core.ocds_releases AS SELECT 1 AS release")
        con.execute("CREATE TABLE core.cardinal_processes AS SELECT 1 AS line_no")
        con.execute("CREATE TABLE core.compliance_base AS SELECT 1 AS x")
        con.execute(f"DELETE FROM ops.schema_version WHERE version > {BASELINE}")
    with open_warehouse(db) as con:
        build(con)
        tables = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core'").fetchall()}
        views = {v for (v,) in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'core'").fetchall()}
    assert {"ocds_releases", "cardinal_processes", "compliance_base"}.isdisjoint(tables)
    assert "ocds_releases" in views
    assert versions(db) == [BASELINE, *(v for v, _ in migrations(MIGRATIONS_DIR))]


def test_raw_rows_landed_before_shapes_get_theirs_from_their_payloads(tmp_path: Path) -> None:
    """Migration 009: a warehouse whose raw tables have no ``shape`` gets each row's, read from
    its payload as the loader reads it (models/record_shapes.py), and raw.record_shapes each
    distinct one."""
    db = tmp_path / "w.duckdb"
    records = [{"kd_tender": 1, "pagu": 5, "nama": ""}, {"kd_tender": 2, "pagu": None,
               "nama": "x"}, {"kd_tender": 3, "pagu": 7, "nama": "y", "lokasi": []}]
    prov = Provenance("isb", "http://127.0.0.1/x", datetime(2025, 10, 4, tzinfo=UTC))
    answer = isb.to_batch(isb.BY_NAME["SPSE-TenderPengumuman"], json.dumps(records).encode(),
                          prov, region="D107", year=2025)
    with open_warehouse(db) as con:
        land(con, answer, "r1")
        landed = shapes(con)
        con.execute("ALTER TABLE raw.isb_tender_pengumuman DROP COLUMN shape")
        con.execute("DELETE FROM raw.record_shapes")
        con.execute("DELETE FROM ops.schema_version WHERE version >= 9")
    with open_warehouse(db) as con:
        assert shapes(con) == landed
        n_shapes = con.execute("SELECT count(*) FROM raw.record_shapes").fetchall()[0][0]
    # the stored text is canonical: its keys sorted
    expected = [(str(r["kd_tender"]), sorted(r), [present(r[k]) for k in sorted(r)])
                for r in records]
    assert landed == expected
    assert n_shapes == len({(tuple(k), tuple(f)) for _, k, f in expected})


def shapes(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT key, CAST(s.keys AS VARCHAR[]), CAST(s.filled AS BOOLEAN[]) "
        "FROM raw.isb_tender_pengumuman JOIN raw.record_shapes s USING (shape) ORDER BY key"
    ).fetchall()
