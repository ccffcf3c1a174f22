"""Open the warehouse (the pipeline's own DuckDB file) and keep its schema current.

One process writes it. Analysts never open this file: they read the published copy
(``models.publish``), because DuckDB allows one read-write process or many readers, not both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa
from pantau.connectors import inaproc, inspectorates, isb, ocds
from pantau.connectors.spse import RAW_TABLES as SPSE_RAW_TABLES
from pantau.models.tables import OPS, RAW, metadata, raw_table, schema_version

# Every dataset of every connector has its raw table from the start, so that the core SQL can
# always read it (an unconfigured source is simply empty).
RAW_TABLES: tuple[str, ...] = (*(d.table for d in isb.ALL_DATASETS), inspectorates.RAW_TABLE)
RAW_TABLES = (*RAW_TABLES, *SPSE_RAW_TABLES)
RAW_TABLES = (*RAW_TABLES, ocds.RAW_TABLE)
RAW_TABLES = (*RAW_TABLES, *(d.table for d in inaproc.DATASETS))

SCHEMA_VERSION = 1


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
    no nested transactions): e.g. a fetch group lands its datasets' batches in one commit."""
    if id(con) in _OPEN:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN.add(id(con))
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")
    finally:
        _OPEN.discard(id(con))


_OPEN: set[int] = set()  # connections inside a transaction() block (ids, for the block's life)


def migrate(conn: sa.Connection) -> None:
    """Create schemas and tables; explicit, numbered migrations go here as the schema grows."""
    for schema in (RAW, "core", OPS):
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    metadata.create_all(conn)
    current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    if current is None:
        conn.execute(schema_version.insert().values(version=SCHEMA_VERSION,
                                                    applied_at=datetime.now(UTC)))
    conn.commit()
