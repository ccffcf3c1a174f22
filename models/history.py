"""A past night's raw, restored from the versions (issue 16), to recompute what it showed.

``raw.version_events`` says which version of every record was current after each run, and
``raw.versions`` holds each version's payload: the raw tables as they were after run R are the
last event of every record up to R (a vanished record stays, marked, as the loader leaves it).
``restore`` writes them into another warehouse; building it for R's night gives back that
night's ``agency_metrics`` (the metric snapshots stored then), or what a corrected indicator
would have shown.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from pantau.connectors.registry import RAW_TABLES
from pantau.models import record_shapes
from pantau.models.db import open_warehouse, transaction
from pantau.models.transform import build


def restore(con: duckdb.DuckDBPyConnection, source: Path, run_id: str) -> int:
    """Fill the (empty) raw tables of ``con``'s warehouse with ``source``'s raw as it was after
    run ``run_id``, with the versions and events up to it; returns the records restored."""
    quoted = str(source).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS src (READ_ONLY)")
    try:
        with transaction(con):
            # The runs up to run_id, in the order they landed (ops.runs ids grow with time).
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE restored_events AS
                WITH runs AS (SELECT run_id, max(id) AS last_id FROM src.ops.runs GROUP BY ALL),
                cutoff AS (SELECT last_id FROM runs WHERE run_id = $run_id)
                SELECT e.* FROM src.raw.version_events e JOIN runs r USING (run_id)
                WHERE r.last_id <= (SELECT last_id FROM cutoff)
                """,
                {"run_id": run_id},
            )
            if not con.execute("SELECT count(*) FROM restored_events").fetchall()[0][0]:
                raise ValueError(f"run {run_id!r}: no versions up to it in {source}")
            n = 0
            for table in RAW_TABLES:
                n += con.execute(
                    f"""
                    INSERT INTO raw.{table} (key, region, year, payload, content_hash,
                        source_url, fetched_at, run_id, dataset, vanished_run, shape)
                    WITH latest AS (
                        SELECT key, arg_max(e, seq) AS e,
                            arg_max(e, seq) FILTER (WHERE event <> 'vanished') AS landed
                        FROM restored_events e WHERE table_name = $table GROUP BY key
                    )
                    SELECT l.key, l.e.region, l.e.year, v.payload, v.content_hash,
                        'restored:' || l.landed.run_id, l.landed.seen_at, l.landed.run_id,
                        l.e.dataset,
                        CASE WHEN l.e.event = 'vanished' THEN l.e.run_id END,
                        {record_shapes.shape("v.payload")}
                    FROM latest l JOIN src.raw.versions v ON v.table_name = $table
                        AND v.key = l.key AND v.content_hash = l.e.content_hash
                    """,
                    {"table": table},
                ).fetchall()[0][0]
                record_shapes.add(con, f"raw.{table}")
            con.execute("INSERT INTO raw.version_events SELECT * FROM restored_events")
            con.execute(
                """
                INSERT INTO raw.versions
                SELECT v.table_name, v.key, v.content_hash, v.payload, v.first_seen_run,
                    v.first_seen_at, NULL
                FROM src.raw.versions v
                WHERE EXISTS (SELECT 1 FROM restored_events e WHERE e.table_name = v.table_name
                              AND e.key = v.key AND e.content_hash = v.content_hash)
                """
            )
            con.execute("DROP TABLE restored_events")
    finally:
        con.execute("DETACH src")
    return n


def rebuild_night(source: Path, run_id: str, run_date: date, target: Path) -> Path:
    """A new warehouse at ``target`` built from ``source``'s raw as it was after ``run_id``."""
    if target.exists():
        raise FileExistsError(f"{target} exists: a night is rebuilt into a new warehouse")
    with open_warehouse(target) as con:
        restore(con, source, run_id)
        build(con, run_date=run_date, run_id=run_id)
    return target
