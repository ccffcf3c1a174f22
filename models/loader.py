"""Land connector batches in raw, in bulk and idempotently, with their run record.

A batch is written in one transaction: its records (an Arrow table compared with raw by key and
content hash in one query, and only the new and changed rows upserted with one
``INSERT ... ON CONFLICT``), its rejects (to ``ops.quarantine`` with the raw bytes and reason)
and the run row that says what happened. A crash before the commit leaves nothing half-written;
a rerun of the same data changes nothing (unchanged content is not rewritten).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from pantau.connectors.base import Batch, Rejected, change_hashes
from pantau.connectors.registry import RAW_TABLES
from pantau.models.db import transaction
from pantau.models.partitions import PartitionBatch


@dataclass(frozen=True)
class LandResult:
    dataset: str
    region: str
    year: int | None
    n_records: int
    n_new: int
    n_changed: int
    n_quarantined: int


def land(con: duckdb.DuckDBPyConnection, batch: Batch, run_id: str,
         started_at: datetime | None = None, *,
         then: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> LandResult:
    """``then`` runs inside the landing transaction, after the upsert (e.g. to write the alerts
    the new records cause into the outbox, atomically with them)."""
    if batch.table not in RAW_TABLES:  # a table no source declares: a bug, never user input
        raise KeyError(f"no raw table {batch.table!r} for {batch.source}/{batch.dataset}")
    table = f"raw.{batch.table}"
    prov = batch.provenance
    partition = batch.path if isinstance(batch, PartitionBatch) else None
    with transaction(con):
        if partition:  # [run] landing = "parquet": the records are in the batch's partition
            quoted = partition.replace("'", "''")
            con.execute("CREATE OR REPLACE TEMP VIEW landing_batch AS "
                        f"SELECT key, payload, hash FROM read_parquet('{quoted}')")
        else:
            # A connector may hash less than the payload (INAPROC: not its last_update_ref).
            con.register("landing_batch", pa.table({
                "key": pa.array(batch.keys, pa.string()),
                "payload": pa.array(batch.payloads, pa.string()),
                "hash": pa.array(change_hashes(batch), pa.string()),
            }))
        # One join finds what is new or changed; only those rows are written (upserting the
        # whole batch probed the key index for every unchanged record, night after night). It
        # compares with the rows of the same region and year only: raw is landed region by
        # region, so the filter skips whole row groups by their min/max, where a join with all
        # of raw read every row of it for every batch (quadratic: a national night has
        # thousands of batches). "New" thus means new to this region and year's answer; the
        # upsert below still keys on the whole table.
        changes = con.sql(
            f"""
            WITH same_answer AS (
                SELECT key, content_hash FROM {table}
                WHERE region = $region AND year IS NOT DISTINCT FROM $year
            )
            SELECT b.key, b.payload, coalesce(b.hash, md5(b.payload)) AS content_hash,
                t.key IS NULL AS is_new
            FROM landing_batch b LEFT JOIN same_answer t ON t.key = b.key
            WHERE t.key IS NULL OR t.content_hash <> coalesce(b.hash, md5(b.payload))
            """,
            params={"region": batch.region, "year": batch.year},
        ).to_arrow_table()
        if partition:
            con.execute("DROP VIEW landing_batch")
        else:
            con.unregister("landing_batch")
        n_new = pc.sum(changes["is_new"]).as_py() or 0
        n_changed = changes.num_rows - n_new
        if changes.num_rows:
            con.register("landing_changes", changes)
            con.execute(
                f"""
                INSERT INTO {table} (key, region, year, payload, content_hash, source_url,
                                     fetched_at, run_id)
                SELECT key, $region, $year, payload::JSON, content_hash, $url, $fetched_at,
                       $run_id
                FROM landing_changes
                ON CONFLICT (key) DO UPDATE SET
                    region = excluded.region, year = excluded.year, payload = excluded.payload,
                    content_hash = excluded.content_hash, source_url = excluded.source_url,
                    fetched_at = excluded.fetched_at, run_id = excluded.run_id
                WHERE {table}.content_hash <> excluded.content_hash
                    OR {table}.region <> excluded.region
                    OR {table}.year IS DISTINCT FROM excluded.year
                """,
                {"region": batch.region, "year": batch.year, "url": prov.url,
                 "fetched_at": prov.fetched_at, "run_id": run_id},
            )
            con.unregister("landing_changes")
        _quarantine(con, batch.source, batch.dataset, batch.region, batch.year, prov.url,
                    batch.rejected, run_id)
        _record_run(con, run_id, batch.source, batch.dataset, batch.region, batch.year,
                    started_at or prov.fetched_at, "ok", url=prov.url,
                    counts=(len(batch.keys), n_new, n_changed, len(batch.rejected)))
        if then is not None:
            then(con)
    return LandResult(batch.dataset, batch.region, batch.year, len(batch.keys), n_new, n_changed,
                      len(batch.rejected))


def record_failure(
    con: duckdb.DuckDBPyConnection, *, run_id: str, source: str, dataset: str, region: str,
    year: int | None, started_at: datetime, error: str, url: str | None = None,
    body: bytes | None = None, status: str = "failed",
) -> None:
    """A fetch that produced no batch: its run row, and its answer's body in quarantine."""
    with transaction(con):
        if body is not None:
            _quarantine(con, source, dataset, region, year, url, [Rejected(error, body)], run_id)
        _record_run(con, run_id, source, dataset, region, year, started_at, status, url=url,
                    error=error)


def _quarantine(con: duckdb.DuckDBPyConnection, source: str, dataset: str, region: str,
                year: int | None, url: str | None, rejected: list[Rejected], run_id: str) -> None:
    if not rejected:
        return
    now = datetime.now(UTC)
    rows = pa.table({
        "id": [_quarantine_id(source, dataset, region, year, r) for r in rejected],
        "reason": [r.reason for r in rejected],
        "raw": pa.array([r.raw for r in rejected], pa.binary()),
    })
    con.register("quarantine_batch", rows)
    con.execute(
        """
        INSERT INTO ops.quarantine (id, source, dataset, region, year, url, reason, raw,
                                    first_seen, run_id)
        SELECT id, $source, $dataset, $region, $year, $url, reason, raw, $now, $run_id
        FROM quarantine_batch
        ON CONFLICT (id) DO NOTHING
        """,
        {"source": source, "dataset": dataset, "region": region, "year": year, "url": url,
         "now": now, "run_id": run_id},
    )
    con.unregister("quarantine_batch")


def _quarantine_id(source: str, dataset: str, region: str, year: int | None, r: Rejected) -> str:
    digest = hashlib.sha256()
    for part in (source, dataset, region, str(year), r.reason):
        digest.update(part.encode() + b"\0")
    digest.update(r.raw)
    return digest.hexdigest()[:32]


def _record_run(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, dataset: str, region: str,
    year: int | None, started_at: datetime, status: str, *, url: str | None = None,
    error: str | None = None, counts: tuple[int, int, int, int] | None = None,
) -> None:
    n_records, n_new, n_changed, n_quarantined = counts or (None, None, None, None)
    con.execute(
        """
        INSERT INTO ops.runs (id, run_id, source, dataset, region, year, started_at, finished_at,
                              status, n_records, n_new, n_changed, n_quarantined, url, error)
        VALUES (nextval('ops.runs_id_seq'), $run_id, $source, $dataset, $region, $year,
                $started_at, $finished_at, $status, $n_records, $n_new, $n_changed,
                $n_quarantined, $url, $error)
        """,
        {"run_id": run_id, "source": source, "dataset": dataset, "region": region, "year": year,
         "started_at": started_at, "finished_at": datetime.now(UTC), "status": status,
         "n_records": n_records, "n_new": n_new, "n_changed": n_changed,
         "n_quarantined": n_quarantined, "url": url, "error": error},
    )
