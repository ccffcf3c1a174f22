"""Open the warehouse (the pipeline's own DuckDB file) and keep its schema current.

One process writes it. Analysts never open this file: they read the published copy
(``models.publish``), because DuckDB allows one read-write process or many readers, not both.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import duckdb
import sqlalchemy as sa
from pantau.connectors.registry import RAW_TABLES
from pantau.models.tables import OPS, RAW, metadata, raw_table, schema_version
from pantau.sql import SQL_DIR


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse; the CLI exits non-zero with this reason."""


def engine_for(path: Path) -> sa.Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(f"duckdb:///{path}")


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection with the schema created or migrated; closed on exit."""
    engine = engine_for(path)
    try:
        conn = engine.connect()
    except sa.exc.DBAPIError as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(f"database {path} is locked by another process") from None
        raise
    try:
        # Every dataset of every registered source has its raw table from the start, so that
        # the core SQL can always read it (an unconfigured source is simply empty).
        for table in RAW_TABLES:
            raw_table(table)
        migrate(conn)
        duck = conn.connection.driver_connection
        duck.execute("SET TimeZone = 'UTC'")
        yield duck
    finally:
        conn.close()
        engine.dispose()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All of the block or none of it: a crash or an error rolls the block back.

    Inside another ``transaction`` block on the same connection the block joins it (DuckDB has
    no nested transactions): e.g. a fetch group lands its datasets' batches in one commit. What
    ``before_commit`` registered runs last, inside the transaction."""
    if id(con) in _OPEN:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN[id(con)] = {}
    try:
        yield con
        for finish in _OPEN[id(con)].values():
            finish(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _OPEN.pop(id(con), None)


def before_commit(con: duckdb.DuckDBPyConnection, name: str,
                  finish: Callable[[duckdb.DuckDBPyConnection], object]) -> bool:
    """Run ``finish`` once, at the end of the open ``transaction`` block, before it commits:
    work that is cheaper done once for the block's many steps (one scan of a big table, not one
    per batch). True where ``name`` is new to the block. Raises outside a block."""
    block = _OPEN[id(con)]
    if name in block:
        return False
    block[name] = finish
    return True


# Connections inside a transaction() block (by id, for the block's life): what runs before commit.
_OPEN: dict[int, dict[str, Callable[[duckdb.DuckDBPyConnection], object]]] = {}


MIGRATIONS_DIR = SQL_DIR / "migrations"
BASELINE = 1  # the schema version of the tables in models/tables.py, as create_all makes them
_MIGRATION = re.compile(r"^(\d{3})_\w+\.(sql|py)$")


def drop_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """Drop ``schema.name`` where it is a table (for a migration whose table became a view:
    DuckDB's DROP TABLE IF EXISTS fails on the view a current warehouse holds)."""
    if con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?", [schema, name]
    ).fetchall():
        con.execute(f'DROP TABLE "{schema}"."{name}"')


def migrate(conn: sa.Connection, migrations_dir: Path = MIGRATIONS_DIR) -> list[int]:
    """Create schemas and tables, then apply every numbered migration above the stored version.

    ``sql/migrations/NNN_name.sql`` (or ``.py`` with ``migrate(con)``, where the DDL depends on
    what the warehouse holds) runs in one transaction with its ``ops.schema_version`` row: a
    failed migration leaves the warehouse at the version before it. Returns the versions applied.
    """
    for schema in (RAW, "core", OPS):
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    metadata.create_all(conn)
    current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    if current is None:
        _record(conn, BASELINE)
        current = BASELINE
    conn.commit()
    applied = []
    for version, path in migrations(migrations_dir):
        if version <= current:
            continue
        try:
            if path.suffix == ".py":
                _module(path).migrate(conn.connection.driver_connection)
            else:
                conn.exec_driver_sql(path.read_text(encoding="utf-8"))
            _record(conn, version)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        applied.append(version)
    return applied


def migrations(migrations_dir: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    """The numbered migrations in version order; two files with one number are an error."""
    found: dict[int, Path] = {}
    for path in sorted(migrations_dir.glob("[0-9]*")):
        if not (m := _MIGRATION.match(path.name)):
            continue
        version = int(m.group(1))
        if version <= BASELINE or version in found:
            raise RuntimeError(f"migration {path.name}: version {version} is taken")
        found[version] = path
    return sorted(found.items())


def _record(conn: sa.Connection, version: int) -> None:
    conn.execute(schema_version.insert().values(version=version, applied_at=datetime.now(UTC)))


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"pantau_migration_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"migration {path.name} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
