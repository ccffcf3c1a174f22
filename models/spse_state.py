"""The SPSE connector's incremental state, read from the data it describes.

Each landed SPSE detail record carries the hash of the listing row it was fetched for,
whether the package was final then and the stage each of its pages was read at
(``connectors/spse.py``: a fetch asks only the pages not settled, and the others are carried
from the record last landed, ``carry_earlier_pages``). So the state is the data: it is
written in the same transaction as the detail record, and a detail that failed (quarantined)
leaves no state behind, so the next run fetches it again. The one addition is when each
package's pages were last fetched (``ops.spse_fetches``, written in the landing transaction of
its detail record): raw's ``fetched_at`` only moves when the content changed, and the budget
planner ranks unfinished packages by the nights since they were last fetched.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import duckdb
import pyarrow as pa
from pantau.connectors.base import Batch
from pantau.connectors.spse import RAW_DETAIL, RAW_LISTING, SOURCE, Due, Listed, carry_pages

DAY_SECONDS = 86_400


def listing_requests(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[Listed, int]:
    """The listings landed by run ``run_id`` and the requests each made."""
    rows = con.execute(
        """
        SELECT region, split_part(dataset, '/', 2), year, coalesce(n_requests, 0) FROM ops.runs
        WHERE run_id = $run_id AND source = $source AND status = 'ok' AND dataset LIKE 'dt/%'
        """, {"run_id": run_id, "source": SOURCE}).fetchall()
    return {(region, jenis, year): n for region, jenis, year, n in rows}


def due_details(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> list[Due]:
    """The packages of the listings run ``run_id`` landed whose detail needs a fetch: no detail
    yet (new), a detail fetched for another listing row (changed), or one not final then; each
    with the nights it has waited: since its last detail fetch or since its current listing row
    was first seen, whichever is later (``spse_budget``)."""
    rows = con.execute(
        f"""
        WITH listed AS (
            SELECT l.key, l.region, l.year, l.payload, l.content_hash,
                   left(sha256(l.payload::VARCHAR), 32) AS listing_hash  -- spse.listing_hash
            FROM raw.{RAW_LISTING} l
            -- by the key's list ("lelang|123"): rows landed before raw had a dataset have none
            JOIN ops.runs r ON r.region = l.region AND r.year IS NOT DISTINCT FROM l.year
                AND starts_with(l.key, split_part(r.dataset, '/', 2) || '|')
            WHERE r.run_id = $run_id AND r.source = $source AND r.status = 'ok'
                AND r.dataset LIKE 'dt/%' AND l.vanished_run IS NULL
        )
        SELECT l.region, split_part(l.key, '|', 1), l.year, l.payload->>'kode',
               l.payload::VARCHAR,
               coalesce(TRY_CAST(l.payload->>'final' AS BOOLEAN), false), l.payload->>'tahap',
               CASE WHEN d.key IS NULL THEN 'new'
                    WHEN d.payload->>'listing_hash' IS DISTINCT FROM l.listing_hash THEN 'changed'
                    ELSE 'unfinished' END,
               greatest(coalesce(f.fetched_at, d.fetched_at), v.first_seen_at),
               TRY_CAST(d.payload->>'stage' AS DOUBLE), d.payload->>'pages_at'
        FROM listed l
        LEFT JOIN raw.{RAW_DETAIL} d ON d.key = l.key
        LEFT JOIN ops.spse_fetches f ON f.key = l.key
        LEFT JOIN raw.versions v ON v.table_name = '{RAW_LISTING}' AND v.key = l.key
            AND v.content_hash = l.content_hash
        WHERE d.key IS NULL OR d.payload->>'listing_hash' IS DISTINCT FROM l.listing_hash
            OR NOT coalesce(TRY_CAST(d.payload->>'final' AS BOOLEAN), false)
        """, {"run_id": run_id, "source": SOURCE}).fetchall()
    return [Due(region, jenis, year, kode, row, final, tahap, reason, _nights(now, fetched_at),
                fetched_stage, json.loads(pages_at) if pages_at else {})
            for region, jenis, year, kode, row, final, tahap, reason, fetched_at, fetched_stage,
            pages_at in rows]


def _nights(now: datetime, fetched_at: datetime | None) -> int:
    if fetched_at is None:
        return 0
    return max(0, math.floor((now - fetched_at).total_seconds() / DAY_SECONDS + 0.5))


def carry_earlier_pages(con: duckdb.DuckDBPyConnection, batch: Batch) -> Batch:
    """An SPSE detail batch whose records are completed, before they land, with the pages
    their packages' last landed records hold that tonight's fetch did not ask for
    (``spse.carry_pages``); any other batch as it is. The fetched batch is left as it came, so
    a landing that runs again (``loader.optimistic``) completes it from the same records."""
    if batch.source != SOURCE or batch.table != RAW_DETAIL or not batch.keys:
        return batch
    con.register("detail_keys", pa.table({"key": pa.array(batch.keys, pa.string())}))
    earlier = dict(con.execute(
        f"SELECT key, d.payload::VARCHAR FROM raw.{RAW_DETAIL} d JOIN detail_keys USING (key)",
    ).fetchall())
    con.unregister("detail_keys")
    return replace(batch, payloads=[carry_pages(earlier.get(key), text)
                                    for key, text in zip(batch.keys, batch.payloads, strict=True)])


def mark_fetched(batch: Batch, run_id: str) -> Callable[[duckdb.DuckDBPyConnection], None] | None:
    """For an SPSE detail batch, what records its packages' fetch time inside the landing
    transaction (``land(..., then=...)``); None for any other batch."""
    if batch.source != SOURCE or batch.table != RAW_DETAIL or not batch.keys:
        return None

    def write(con: duckdb.DuckDBPyConnection) -> None:
        con.register("fetched_keys", pa.table({"key": pa.array(batch.keys, pa.string())}))
        con.execute(
            """
            INSERT INTO ops.spse_fetches (key, fetched_at, run_id)
            SELECT key, $fetched_at, $run_id FROM fetched_keys
            ON CONFLICT (key) DO UPDATE SET fetched_at = excluded.fetched_at,
                run_id = excluded.run_id
            """, {"fetched_at": batch.provenance.fetched_at, "run_id": run_id})
        con.unregister("fetched_keys")

    return write
