"""SQLAlchemy definitions of every table pantau writes directly (raw landing and operations).

Declared explicitly: reflection does not work with duckdb_engine on SQLAlchemy 2.1
(../shared/STACK-NOTES.md). Core tables and analyst views are built by the SQL in ``sql/``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    TIMESTAMP,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
)

metadata = MetaData()

RAW = "raw"
OPS = "ops"


def raw_table(name: str) -> Table:
    """One landing table per dataset, keyed by the source's natural key (as text)."""
    existing = metadata.tables.get(f"{RAW}.{name}")
    if existing is not None:
        return existing
    return Table(
        name,
        metadata,
        Column("key", String, primary_key=True),
        Column("region", String, nullable=False),  # region label the record was fetched for
        Column("year", Integer),  # budget year of the request (null for master lists)
        Column("payload", JSON, nullable=False),  # the record exactly as the source sent it
        Column("content_hash", String, nullable=False),
        Column("source_url", Text, nullable=False),  # redacted
        Column("fetched_at", TIMESTAMP(timezone=True), nullable=False),  # first seen with this content
        Column("run_id", String, nullable=False),  # the run that landed this content
        schema=RAW,
    )


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, Sequence("runs_id_seq", schema=OPS), primary_key=True),
    Column("run_id", String, nullable=False),
    Column("source", String, nullable=False),
    Column("dataset", String, nullable=False),
    Column("region", String, nullable=False),
    Column("year", Integer),
    Column("started_at", TIMESTAMP(timezone=True), nullable=False),
    Column("finished_at", TIMESTAMP(timezone=True)),
    Column("status", String, nullable=False),  # ok | failed | skipped
    Column("n_records", Integer),
    Column("n_new", Integer),
    Column("n_changed", Integer),
    Column("n_quarantined", Integer),
    Column("url", Text),  # redacted
    Column("error", Text),  # redacted one-line reason
    schema=OPS,
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", String, primary_key=True),  # hash of what was rejected: reruns do not repeat it
    Column("source", String, nullable=False),
    Column("dataset", String, nullable=False),
    Column("region", String, nullable=False),
    Column("year", Integer),
    Column("url", Text),  # redacted
    Column("reason", Text, nullable=False),
    Column("raw", LargeBinary, nullable=False),  # the bytes exactly as received
    Column("first_seen", TIMESTAMP(timezone=True), nullable=False),
    Column("run_id", String, nullable=False),
    schema=OPS,
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", TIMESTAMP(timezone=True), nullable=False),
    schema=OPS,
)
