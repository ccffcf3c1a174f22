"""SQLAlchemy definitions of every table pantau writes directly (raw landing and operations).

Declared explicitly: reflection does not work with duckdb_engine on SQLAlchemy 2.1
(../shared/STACK-NOTES.md). Core tables and analyst views are built by the SQL in ``sql/``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    TIMESTAMP,
    Boolean,
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
        # first seen with this content:
        Column("fetched_at", TIMESTAMP(timezone=True), nullable=False),
        Column("run_id", String, nullable=False),  # the run that landed this content
        # The dataset whose answer holds it (several share a table, e.g. SPSE's lists): a
        # complete answer marks what it no longer holds vanished within its own dataset only.
        Column("dataset", String),
        Column("vanished_run", String),  # the run whose complete answer no longer held it
        Column("shape", String),  # its keys and which it fills: raw.record_shapes
        schema=RAW,
    )


# Issue 18: every distinct shape of a raw record (models/record_shapes.py), for
# core.field_coverage to count records by shape instead of reading every payload.
record_shapes = Table(
    "record_shapes",
    metadata,
    Column("shape", String, primary_key=True),  # md5 of the two lists
    Column("keys", JSON, nullable=False),  # the payload's keys, in its order
    Column("filled", JSON, nullable=False),  # whether each holds a value (not null or empty)
    schema=RAW,
)


# Issue 16: every distinct content of every raw record, and when each came and went. Append-only
# but for ``last_seen_run``, set once when a version stops being the current one.
versions = Table(
    "versions",
    metadata,
    Column("table_name", String, primary_key=True),  # the raw table, without schema
    Column("key", String, primary_key=True),
    Column("content_hash", String, primary_key=True),  # the hash the loader compares
    Column("payload", JSON, nullable=False),
    Column("first_seen_run", String, nullable=False),
    Column("first_seen_at", TIMESTAMP(timezone=True), nullable=False),
    Column("last_seen_run", String),  # null while the source still sends this content
    schema=RAW,
)

# Issue 18: the versions a landing replaced or saw vanish, not yet marked with their
# ``last_seen_run``. Marking them is an UPDATE that scans raw.versions (~0.2 s at 3 M rows), so
# the night's landings queue them here, in their own transaction, and the night marks them all
# with one UPDATE when its landing ends (``loader.close_versions``); a night cut short leaves
# them here for the next landing to mark.
version_closes = Table(
    "version_closes",
    metadata,
    Column("table_name", String, nullable=False),
    Column("key", String, nullable=False),
    Column("content_hash", String, nullable=False),  # the version to close
    Column("last_run", String, nullable=False),  # the last run that saw it
    Column("only_open", Boolean, nullable=False),  # a replaced version: unless closed already
    schema=RAW,
)

# One row per transition of a record: new, changed, vanished, reappeared (a rerun adds none).
version_events = Table(
    "version_events",
    metadata,
    Column("seq", Integer, Sequence("version_events_seq", schema=RAW), primary_key=True),
    Column("table_name", String, nullable=False),
    Column("key", String, nullable=False),
    Column("event", String, nullable=False),  # new | changed | vanished | reappeared
    Column("content_hash", String, nullable=False),  # the version current from this event on
    Column("previous_hash", String),  # the version before (changed, reappeared)
    Column("dataset", String, nullable=False),
    Column("region", String, nullable=False),
    Column("year", Integer),
    Column("run_id", String, nullable=False),
    Column("seen_at", TIMESTAMP(timezone=True), nullable=False),  # the answer's fetch time
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
    # The answer landed (issue 18): its hash, and the validators to ask conditionally with.
    Column("answer_sha256", String),
    Column("answer_etag", String),
    Column("answer_last_modified", String),
    Column("n_requests", Integer),  # SPSE: requests made (the night's budget, per host)
    Column("n_deferred", Integer),  # SPSE: detail fetches carried over to a later night
    schema=OPS,
)

# The fingerprint of each SQL file's inputs when the build last ran it (models/build_state.py).
build_state = Table(
    "build_state",
    metadata,
    Column("file", String, primary_key=True),
    Column("fingerprint", String, nullable=False),
    Column("run_id", String, nullable=False),
    Column("built_at", TIMESTAMP(timezone=True), nullable=False),
    schema=OPS,
)

# The SQL files kept row by row (``-- incremental:``): what their inputs but the raw records were
# when the build last ran them, and the last raw.version_events row it had seen; the next build
# recomputes only the processes of the events since (models/build_state.py).
build_increments = Table(
    "build_increments",
    metadata,
    Column("file", String, primary_key=True),
    Column("fingerprint", String, nullable=False),  # the file's inputs, the raw records left out
    Column("events_seq", Integer, nullable=False),
    schema=OPS,
)

# SPSE: when each package's detail pages were last fetched (raw.spse_detail's fetched_at moves
# only when the content changed); the budget planner's "nights since the last fetch".
spse_fetches = Table(
    "spse_fetches",
    metadata,
    Column("key", String, primary_key=True),
    Column("fetched_at", TIMESTAMP(timezone=True), nullable=False),
    Column("run_id", String, nullable=False),
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

# One row per schema version reached: 1 is the tables of this file as create_all makes them, each
# later one a numbered file of sql/migrations/ (models/db.py `migrate` applies those above the max).
schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", TIMESTAMP(timezone=True), nullable=False),
    schema=OPS,
)

# Alerts (issue 6): the outbox, written in the transaction of the change that causes an alert,
# and one delivery row per (alert, channel). Channels are named by scheme and a hash of their
# URL, never the URL itself (it carries the token).
alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("key", String, primary_key=True),  # deterministic: the same change gives the same key
    Column("rule", String, nullable=False),  # inspectorate_status, risky_process, metric, ...
    Column("subject", String, nullable=False),  # what the alert is about (rule-specific id)
    Column("region", Text),  # where, in words
    Column("happened_on", String),  # since when (ISO date or timestamp, as the rule knows it)
    Column("evidence_url", Text),
    Column("language", String, nullable=False),
    Column("title", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("facts", JSON),  # the values the message was written from
    Column("created_at", TIMESTAMP(timezone=True), nullable=False),
    Column("run_id", String, nullable=False),
    schema=OPS,
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("alert_key", String, primary_key=True),
    Column("channel", String, primary_key=True),  # "<scheme>:<hash of the URL>"
    Column("status", String, nullable=False),  # sent | failed
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", TIMESTAMP(timezone=True), nullable=False),
    Column("last_attempt_at", TIMESTAMP(timezone=True), nullable=False),
    Column("delivered_at", TIMESTAMP(timezone=True)),
    Column("error", Text),  # redacted one-line reason of the last failure
    schema=OPS,
)
