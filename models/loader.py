"""Land connector batches in raw, in bulk and idempotently, with their run record.

A batch is written in one transaction: its records (an Arrow table compared with raw by key and
content hash in one query, and only the new and changed rows upserted with one
``INSERT ... ON CONFLICT``), its rejects (to ``ops.quarantine`` with the raw bytes and reason)
and the run row that says what happened. A crash before the commit leaves nothing half-written;
a rerun of the same data changes nothing (unchanged content is not rewritten).

Issue 18: an upsert costs a scan of its table's keys (``bench/upsert.py``: 190 ms for one
answer at 3 M rows, where a plain insert takes 6 ms), so a night lands its fetch groups
``optimistically``: keys new to their answer with a plain ``INSERT`` (the primary-key index
checks each), changed ones deleted from their own (region, year) and inserted again (an UPDATE
would have the checkpoint rewrite every row group it touched), versions with a plain insert,
and the versions they replace only queued (``raw.version_closes``), for the night to mark
with one UPDATE when its landing ends (``close_versions``). Where a key or a version is in
the table already (a record moved region or year, a content back again), the
insert fails, the group's transaction is rolled back and the group lands again with upserts
(what it replaces still queued for the night's close), as every other caller of ``land`` does
(closing at once). There ``land_many`` writes the
answers of several fetch groups with one statement of each kind per raw table (each costs a few
ms whatever its size), where ``land`` is ``land_many`` of one answer.

Issue 16: every distinct content is also kept in ``raw.versions`` and every transition in
``raw.version_events`` (new, changed, vanished, reappeared), in the same transaction. A complete
answer marks the records of its (dataset, region, year) that it no longer holds vanished, and
the shrinkage guard holds back an answer far smaller than the last landed one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from pantau.connectors.base import Answer, Batch, Rejected, change_hashes
from pantau.connectors.registry import RAW_TABLES
from pantau.models import record_shapes
from pantau.models.alerts import outbox
from pantau.models.alerts.messages import source_shrank_alert
from pantau.models.db import before_commit, transaction
from pantau.models.partitions import PartitionBatch

T = TypeVar("T")

# Connections inside an optimistic() transaction (by id): land and the versions flush write new
# keys with plain inserts there.
_OPTIMISTIC: set[int] = set()
# Connections landing a night's group again with upserts (by id): the versions they replace
# stay queued for the night's one close_versions, as the plain landings' do.
_NIGHT_UPSERTS: set[int] = set()


def optimistic(con: duckdb.DuckDBPyConnection, body: Callable[[], T]) -> T:
    """Run ``body`` (which lands batches) in one transaction with plain inserts; where one
    meets a key or version already there, roll back and run it again with upserts. ``body``
    must touch nothing but the database: it may run twice."""
    try:
        with _marked(con, _OPTIMISTIC), transaction(con):
            return body()
    except duckdb.ConstraintException:  # rolled back: the upserts below handle what it met
        pass
    # Closing after each answer scans raw.versions each time (a third of a 1M night whose
    # changes all went back to earlier contents, docs/operations.md); the night closes once.
    with _marked(con, _NIGHT_UPSERTS), transaction(con):
        return body()


@contextmanager
def _marked(con: duckdb.DuckDBPyConnection, connections: set[int]) -> Iterator[None]:
    connections.add(id(con))
    try:
        yield
    finally:
        connections.discard(id(con))


@dataclass(frozen=True)
class LandResult:
    dataset: str
    region: str
    year: int | None
    n_records: int
    n_new: int
    n_changed: int
    n_quarantined: int
    n_vanished: int = 0
    shrank_from: int | None = None  # held back: the records of the last landed answer
    unchanged: bool = False  # the answer was the last landed one: not parsed, nothing written
    error: str | None = None  # why nothing landed (its run row says it too)


@dataclass(frozen=True)
class ShrinkGuard:
    """``[run] max_shrink``: a complete answer with more than this share fewer records than the
    last landed answer of its (source, dataset, region, year), or empty where that one was not,
    waits in quarantine; ``accept`` names the datasets a person has looked at
    (``pantau run --accept-shrink``), whose answer is applied as it is."""

    max_shrink: float = 0.2
    accept: frozenset[str] = frozenset()
    language: str = "id"


def land(con: duckdb.DuckDBPyConnection, batch: Batch, run_id: str,
         started_at: datetime | None = None, *,
         then: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
         guard: ShrinkGuard | None = None) -> LandResult:
    """``then`` runs inside the landing transaction, after the upsert (e.g. to write the alerts
    the new records cause into the outbox, atomically with them). With a ``guard``, an answer
    that shrank is held back (``LandResult.shrank_from``) and nothing else is written."""
    if batch.unchanged:
        return land_unchanged(con, [batch], run_id, started_at or batch.provenance.fetched_at)[0]
    return land_many(con, [batch], run_id, started_at, thens=[then], guard=guard)[0]


Then = Callable[[duckdb.DuckDBPyConnection], None] | None


def land_many(con: duckdb.DuckDBPyConnection, batches: list[Batch], run_id: str,
              started_at: datetime | None = None, *, thens: list[Then] | None = None,
              guard: ShrinkGuard | None = None) -> list[LandResult]:
    """Land answers (none ``unchanged``) in one transaction, as ``land`` would one after the
    other; ``thens[i]`` runs after batch i is written. In an ``optimistic`` transaction the
    batches of one raw table land together, one statement of each kind for all of them: each
    statement costs a few ms whatever its size at national scale, and a night with 1% of its
    records changed lands a thousand answers. Two answers of one (table, region, year) never
    share a statement (the second is compared with what the first wrote); a key that two of
    them hold fails the plain insert, and the upserts that follow land one answer at a time."""
    for batch in batches:
        if batch.table not in RAW_TABLES:  # a table no source declares: a bug, not user input
            raise KeyError(f"no raw table {batch.table!r} for {batch.source}/{batch.dataset}")
    thens = thens or [None] * len(batches)
    results: dict[int, LandResult] = {}
    with transaction(con):
        shapes = record_shapes.known(con)  # grows as the batches add theirs
        for round_ in _rounds(batches, together=id(con) in _OPTIMISTIC):
            lasts = _last_landed(con, [batches[i] for i in round_])
            tables: dict[str, list[tuple[int, _Landed | None]]] = {}
            for i, last in zip(round_, lasts, strict=True):
                batch = batches[i]
                if guard is not None and _shrank(batch, last, guard):
                    results[i] = _hold_back(con, batch, run_id, started_at
                                            or batch.provenance.fetched_at, last, guard)
                else:
                    tables.setdefault(batch.table, []).append((i, last))
            runs: list[dict[str, object]] = []
            for table, items in tables.items():
                landed = _land_table(con, table, [(batches[i], last) for i, last in items],
                                     run_id, started_at, shapes, runs)
                for (i, _), result in zip(items, landed, strict=True):
                    results[i] = result
                    if thens[i] is not None:
                        thens[i](con)
            # One statement for the round's run rows (~8 ms each at national scale, where a
            # landing touches a dozen raw tables); the next round's _last_landed reads them.
            _record_runs(con, runs)
    return [results[i] for i in range(len(batches))]


def _rounds(batches: list[Batch], *, together: bool) -> list[list[int]]:
    """The batches' indexes in rounds that land one after the other: a batch comes in the round
    after the last one holding its (table, region, year), so its comparison sees that one's
    writes. Not ``together`` (upserts) or from a partition: one batch a round."""
    if not together or any(isinstance(b, PartitionBatch) for b in batches):
        return [[i] for i in range(len(batches))]
    rounds: list[list[int]] = []
    last_round: dict[tuple[str, str, int | None], int] = {}
    for i, batch in enumerate(batches):
        slot = (batch.table, batch.region, batch.year)
        n = last_round.get(slot, -1) + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(i)
        last_round[slot] = n
    return rounds


def _land_table(con: duckdb.DuckDBPyConnection, table_name: str,
                items: list[tuple[Batch, _Landed | None]], run_id: str,
                started_at: datetime | None, shapes: set[str],
                runs: list[dict[str, object]]) -> list[LandResult]:
    """Land answers of one raw table, each of its own (region, year); ``shapes``: the record
    shapes known to ``raw.record_shapes``, to which this adds the new ones; their run rows are
    appended to ``runs``, for the caller to write."""
    table = f"raw.{table_name}"
    con.register("landing_answers", pa.table({
        "i": pa.array(range(len(items)), pa.int32()),
        "region": pa.array([b.region for b, _ in items], pa.string()),
        "year": pa.array([b.year for b, _ in items], pa.int32()),
        "dataset": pa.array([b.dataset for b, _ in items], pa.string()),
        "complete": pa.array([b.complete for b, _ in items], pa.bool_()),
        "url": pa.array([b.provenance.url for b, _ in items], pa.string()),
        "fetched_at": pa.array([b.provenance.fetched_at for b, _ in items],
                               pa.timestamp("us", "UTC")),
        "last_run": pa.array([last.run_id if last else None for _, last in items], pa.string()),
    }))
    first = items[0][0]
    if isinstance(first, PartitionBatch):  # [run] landing = "parquet": one batch, in its file
        quoted = first.path.replace("'", "''")
        con.execute("CREATE OR REPLACE TEMP VIEW landing_batch AS "
                    f"SELECT 0 AS i, key, payload, hash FROM read_parquet('{quoted}')")
    else:
        # A connector may hash less than the payload (INAPROC: not its last_update_ref).
        con.register("landing_batch", pa.table({
            "i": pa.array([i for i, (b, _) in enumerate(items) for _ in b.keys], pa.int32()),
            "key": pa.array([k for b, _ in items for k in b.keys], pa.string()),
            "payload": pa.array([p for b, _ in items for p in b.payloads], pa.string()),
            "hash": pa.array([h for b, _ in items for h in change_hashes(b)], pa.string()),
        }))
    # One join finds what is new, changed or (a complete answer's own dataset only) vanished;
    # only those rows are written (upserting the whole batch probed the key index for every
    # unchanged record, night after night). Each answer is compared with the rows of its own
    # region and year only: raw is landed region by region, so the join's filter skips whole
    # row groups by their min/max, where a join with all of raw read every row of it for every
    # batch (quadratic: a national night has thousands of batches). "New" thus means new to
    # this region and year's answer; the insert below still keys on the whole table.
    # A record the answer holds again after it vanished is written again too (reappeared).
    found = con.sql(
        f"""
        WITH same_answer AS (
            SELECT a.i, t.key, t.content_hash, t.vanished_run, t.dataset
            FROM {table} t JOIN landing_answers a
                ON t.region = a.region AND t.year IS NOT DISTINCT FROM a.year
        ),
        compared AS (
            SELECT coalesce(b.i, t.i) AS i, coalesce(b.key, t.key) AS key, b.payload,
                coalesce(b.hash, md5(b.payload)) AS content_hash, t.key IS NULL AS is_new,
                t.content_hash AS previous_hash, t.vanished_run IS NOT NULL AS reappeared,
                b.key IS NULL AS vanished, t.dataset AS landed_dataset, t.vanished_run
            FROM landing_batch b FULL JOIN same_answer t ON t.i = b.i AND t.key = b.key
        )
        SELECT c.i, c.key, c.payload, c.content_hash, c.is_new, c.previous_hash, c.reappeared,
            c.vanished, a.region, a.year, a.dataset, a.url, a.fetched_at, a.last_run,
            CASE WHEN NOT c.vanished THEN {record_shapes.shape("c.payload")} END AS shape
        FROM compared c JOIN landing_answers a USING (i)
        WHERE CASE WHEN c.vanished
            THEN a.complete AND c.landed_dataset = a.dataset AND c.vanished_run IS NULL
            ELSE c.is_new OR c.previous_hash <> c.content_hash OR c.vanished_run IS NOT NULL
            END
        """
    ).to_arrow_table()
    if isinstance(first, PartitionBatch):
        con.execute("DROP VIEW landing_batch")
    else:
        con.unregister("landing_batch")
    con.unregister("landing_answers")
    gone = found["vanished"]
    changes = found.filter(pc.invert(gone)).drop_columns(["vanished"])
    vanished = found.filter(gone)
    n_new, n_changed = _per_answer(changes, "is_new"), _per_answer(changes, None)
    n_vanished = _per_answer(vanished, None)
    if changes.num_rows or vanished.num_rows:
        _queue_versions(con, table_name)
    if changes.num_rows:
        con.register("landing_changes", changes)
        _write_changes(con, table, run_id,
                       n_changed=changes.num_rows - sum(n_new.values()))
        # Nearly every landing brings only known shapes: the statement would find nothing.
        new_shapes = set(pc.unique(changes["shape"]).drop_null().to_pylist()) - shapes
        if new_shapes:
            record_shapes.add(con, "landing_changes")
            shapes |= new_shapes
        _record_versions(con, table_name, run_id)
        con.unregister("landing_changes")
    if vanished.num_rows:
        con.register("landing_vanished", vanished)
        _record_vanished(con, table_name, run_id)
        con.unregister("landing_vanished")
    results = []
    for i, (batch, _) in enumerate(items):
        prov = batch.provenance
        new, changed = n_new.get(i, 0), n_changed.get(i, 0) - n_new.get(i, 0)
        _quarantine(con, batch.source, batch.dataset, batch.region, batch.year, prov.url,
                    batch.rejected, run_id)
        runs.append(_run_row(run_id, batch.source, batch.dataset, batch.region, batch.year,
                             started_at or prov.fetched_at, "ok", url=prov.url,
                             counts=(len(batch.keys), new, changed, len(batch.rejected)),
                             answer=batch.answer, budget=(batch.requests, batch.deferred)))
        results.append(LandResult(batch.dataset, batch.region, batch.year, len(batch.keys),
                                  new, changed, len(batch.rejected), n_vanished.get(i, 0)))
    return results


def _per_answer(rows: pa.Table, flag: str | None) -> dict[int, int]:
    """The rows of each answer (``i``), or those with ``flag`` true (value_counts: a tenth of
    group_by's fixed cost, which a 1% night pays a thousand times)."""
    answers = rows["i"] if flag is None else rows["i"].filter(rows[flag])
    counts = pc.value_counts(answers)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                    strict=True))


def _write_changes(con: duckdb.DuckDBPyConnection, table: str, run_id: str, *,
                   n_changed: int) -> None:
    """Write ``landing_changes`` into ``table``: in an ``optimistic`` transaction the old rows
    of the changed records deleted within their (region, year), whose rows the scan finds by
    their blocks' min/max, and every record inserted with a plain insert (a new one whose key
    is in the table under another region or year fails it); elsewhere one upsert keyed on the
    whole table."""
    insert = f"""
        INSERT INTO {table} (key, region, year, payload, content_hash, source_url, fetched_at,
                             run_id, dataset, shape)
        SELECT key, region, year, payload::JSON, content_hash, url, fetched_at, $run_id,
               dataset, shape
        FROM landing_changes"""
    params = {"run_id": run_id}
    if id(con) in _OPTIMISTIC:  # a statement with no rows still scans: ~15 ms at 1M
        if n_changed:
            # Deleted and inserted again, not updated: DuckDB's checkpoint rewrites every row
            # group an UPDATE touched, whole columns of it, and a 1% night's changes touch
            # them all (1M: closing took 10.4 s after updating 5,800 payloads, 2.1 s after
            # deleting and inserting them, docs/operations.md). A delete marks rows; the
            # insert appends.
            con.execute(
                f"""
                DELETE FROM {table} t USING landing_changes c
                WHERE NOT c.is_new AND t.key = c.key
                    AND t.region = c.region AND t.year IS NOT DISTINCT FROM c.year
                """)
        con.execute(insert, params)
        return
    con.execute(
        insert + f"""
        ON CONFLICT (key) DO UPDATE SET
            region = excluded.region, year = excluded.year, payload = excluded.payload,
            content_hash = excluded.content_hash, source_url = excluded.source_url,
            fetched_at = excluded.fetched_at, run_id = excluded.run_id,
            dataset = excluded.dataset, vanished_run = NULL, shape = excluded.shape
        WHERE {table}.content_hash <> excluded.content_hash
            OR {table}.region <> excluded.region
            OR {table}.year IS DISTINCT FROM excluded.year
            OR {table}.vanished_run IS NOT NULL
        """, params)


# --- versions (issue 16) ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Landed:
    run_id: str
    n_records: int


def _last_landed(con: duckdb.DuckDBPyConnection, batches: list[Batch]) -> list[_Landed | None]:
    """The last applied answer of each batch's (source, dataset, region, year): the run that
    last saw its records, and how many it held."""
    con.register("landing_keys", pa.table({
        "i": pa.array(range(len(batches)), pa.int32()),
        "source": pa.array([b.source for b in batches], pa.string()),
        "dataset": pa.array([b.dataset for b in batches], pa.string()),
        "region": pa.array([b.region for b in batches], pa.string()),
        "year": pa.array([b.year for b in batches], pa.int32()),
    }))
    rows = con.execute(
        """
        SELECT k.i, l.run_id, l.n_records FROM landing_keys k JOIN ({last}) l
            ON l.source = k.source AND l.dataset = k.dataset AND l.region = k.region
            AND l.year IS NOT DISTINCT FROM k.year
        """.format(last=_LAST_LANDINGS.format(
            where="region IN (SELECT region FROM landing_keys)")),
    ).fetchall()
    con.unregister("landing_keys")
    found = {i: _Landed(str(run), int(n or 0)) for i, run, n in rows}
    return [found.get(i) for i in range(len(batches))]


AnswerKey = tuple[str, str, str, int | None]  # (source, dataset, region, year)


# The last applied landing of each (source, dataset, region, year), among the run rows that
# ``{where}`` keeps.
_LAST_LANDINGS = """
SELECT * FROM ops.runs WHERE status = 'ok' AND ({where})
QUALIFY row_number() OVER (PARTITION BY source, dataset, region, year ORDER BY id DESC) = 1
"""


def last_answers(con: duckdb.DuckDBPyConnection) -> dict[AnswerKey, Answer]:
    """The answer of each (source, dataset, region, year)'s last applied landing, where it was
    stored: the night asks again with it, and skips an answer that hashes the same."""
    rows = con.execute(
        "SELECT source, dataset, region, year, answer_sha256, answer_etag, answer_last_modified "
        f"FROM ({_LAST_LANDINGS.format(where='true')}) WHERE answer_sha256 IS NOT NULL"
    ).fetchall()
    return {(source, dataset, region, year): Answer(sha256, etag, last_modified)
            for source, dataset, region, year, sha256, etag, last_modified in rows}


def land_unchanged(con: duckdb.DuckDBPyConnection, batches: list[Batch], run_id: str,
                   started_at: datetime) -> list[LandResult]:
    """Answers the connectors found identical to the last landed ones (same bytes, or a 304):
    one run row each, with the last landing's counts and none new, written in one statement (a
    national night has thousands). Their records and rejects are in raw and quarantine already;
    the history closes a version lazily, when a run sees the record change, so nothing else is
    written. An answer whose last landing is no longer the one it was compared with (a second
    job of the same answer in one night) lands nothing: its run row says so, and the next night
    asks afresh."""
    if not batches:
        return []
    con.register("unchanged_answers", pa.table({
        "source": [b.source for b in batches], "dataset": [b.dataset for b in batches],
        "region": [b.region for b in batches],
        "year": pa.array([b.year for b in batches], pa.int32()),
        "url": [b.provenance.url for b in batches],
        "sha256": [b.answer.sha256 if b.answer else None for b in batches],
        "etag": pa.array([b.answer.etag if b.answer else None for b in batches], pa.string()),
        "last_modified": pa.array([b.answer.last_modified if b.answer else None
                                   for b in batches], pa.string()),
    }))
    with transaction(con):
        landed = con.execute(
            """
            INSERT INTO ops.runs (id, run_id, source, dataset, region, year, started_at,
                finished_at, status, n_records, n_new, n_changed, n_quarantined, url,
                answer_sha256, answer_etag, answer_last_modified)
            SELECT nextval('ops.runs_id_seq'), $run_id, u.source, u.dataset, u.region, u.year,
                $started_at, now(), 'ok', l.n_records, 0, 0, l.n_quarantined, u.url, u.sha256,
                u.etag, u.last_modified
            FROM unchanged_answers u JOIN ({last}) l
                ON l.source = u.source AND l.dataset = u.dataset AND l.region = u.region
                AND l.year IS NOT DISTINCT FROM u.year AND l.answer_sha256 = u.sha256
            RETURNING source, dataset, region, year, answer_sha256, n_records, n_quarantined
            """.format(last=_LAST_LANDINGS.format(
                where="region IN (SELECT region FROM unchanged_answers)")),
            {"run_id": run_id, "started_at": started_at},
        ).fetchall()
        con.unregister("unchanged_answers")
        counts = {tuple(row[:5]): (int(row[5] or 0), int(row[6] or 0)) for row in landed}
        results = []
        for b in batches:
            found = counts.get((b.source, b.dataset, b.region, b.year,
                                b.answer.sha256 if b.answer else None))
            if found is None:
                error = ("answer reported unchanged, but the last landed answer differs; "
                         "fetched again next night")
                _record_runs(con, [_run_row(run_id, b.source, b.dataset, b.region, b.year,
                                            started_at, "failed", url=b.provenance.url,
                                            error=error)])
                results.append(LandResult(b.dataset, b.region, b.year, 0, 0, 0, 0, error=error))
            else:
                results.append(LandResult(b.dataset, b.region, b.year, found[0], 0, 0,
                                          found[1], unchanged=True))
    return results


# raw.versions is written once per landing transaction (a fetch group), not once per batch:
# upserting into it scans the whole table, which grows with every version of every record (3 M
# rows at national scale). The batches queue their new versions in this TEMP table, flushed
# before the transaction commits (models/db.py); the versions they replace or that vanished
# are queued in raw.version_closes (models/tables.py), which a night marks once at its end.
_PENDING_DDL = """
CREATE TEMP TABLE IF NOT EXISTS pending_versions (table_name VARCHAR, key VARCHAR,
    content_hash VARCHAR, payload VARCHAR, first_seen_run VARCHAR, first_seen_at TIMESTAMPTZ);
"""


def _queue_versions(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Make the queue ready for a batch of ``table``: a second batch of one table in a
    transaction could touch the same records, so the first one's versions are written first."""
    if before_commit(con, "raw.versions", _flush_versions):  # the transaction's first batch
        con.execute(_PENDING_DDL)  # TEMP tables last as long as their connection
        _QUEUED[id(con)] = set()
    elif table in _QUEUED[id(con)]:
        _flush_versions(con)
    _QUEUED[id(con)].add(table)


# The tables whose versions a connection's open transaction has queued since the last flush.
_QUEUED: dict[int, set[str]] = {}


def _flush_versions(con: duckdb.DuckDBPyConnection) -> None:
    """The queued contents as versions. In an optimistic transaction (the night's) that is all:
    a content seen before (its version is there) fails the plain insert, and the group lands
    again here with an upsert, which makes the old content current again (and takes back its
    queued close), then closes every queued version, as any landing outside a night does (a
    night's group landing again leaves them queued for the night's one close)."""
    if id(con) in _OPTIMISTIC:
        con.execute(
            """
            INSERT INTO raw.versions (table_name, key, content_hash, payload, first_seen_run,
                                      first_seen_at)
            SELECT table_name, key, content_hash, payload::JSON, first_seen_run, first_seen_at
            FROM pending_versions
            """
        )
    else:
        con.execute(
            """
            INSERT INTO raw.versions (table_name, key, content_hash, payload, first_seen_run,
                                      first_seen_at)
            SELECT table_name, key, content_hash, payload::JSON, first_seen_run, first_seen_at
            FROM pending_versions
            ON CONFLICT DO UPDATE SET last_seen_run = NULL
            """
        )
        con.execute(
            """
            DELETE FROM raw.version_closes c USING pending_versions p
            WHERE c.table_name = p.table_name AND c.key = p.key
                AND c.content_hash = p.content_hash
            """
        )
        if id(con) not in _NIGHT_UPSERTS:
            close_versions(con)
    con.execute("DELETE FROM pending_versions")
    _QUEUED[id(con)] = set()


def close_versions(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the queued versions (raw.version_closes) as last seen by the run that last saw
    them, in one UPDATE, and empty the queue; in the caller's transaction. A version queued
    twice (a record that left one SPSE list and joined another sharing its table) is closed as
    the two would be one after the other: by its vanishing, where it vanished."""
    queued = con.execute("SELECT count(*) FROM raw.version_closes").fetchone()
    if not queued or not queued[0]:
        return
    con.execute(
        """
        UPDATE raw.versions v SET last_seen_run = c.last_run
        FROM (SELECT table_name, key, content_hash, arg_max(last_run, NOT only_open) AS last_run,
                  bool_and(only_open) AS only_open
              FROM raw.version_closes GROUP BY ALL) c
        WHERE v.table_name = c.table_name AND v.key = c.key AND v.content_hash = c.content_hash
            AND (NOT c.only_open OR v.last_seen_run IS NULL)
        """
    )
    con.execute("DELETE FROM raw.version_closes")


def _record_versions(con: duckdb.DuckDBPyConnection, table: str, run_id: str) -> None:
    """The new contents of ``landing_changes`` queued as versions, the versions they replace
    (where the answer was landed before) queued to be closed as last seen by its last run, and
    one event each."""
    params = {"table": table, "run_id": run_id}
    con.execute(
        """
        INSERT INTO pending_versions
        SELECT $table, key, content_hash, payload, $run_id, fetched_at FROM landing_changes
        """,
        params,
    )
    con.execute(
        """
        INSERT INTO raw.version_closes
        SELECT $table, key, previous_hash, last_run, true FROM landing_changes
        WHERE last_run IS NOT NULL AND previous_hash <> content_hash
        """,
        {"table": table},
    )
    con.execute(
        """
        INSERT INTO raw.version_events (seq, table_name, key, event, content_hash,
            previous_hash, dataset, region, year, run_id, seen_at)
        SELECT nextval('raw.version_events_seq'), $table, key,
            CASE WHEN is_new THEN 'new' WHEN reappeared THEN 'reappeared' ELSE 'changed' END,
            content_hash, previous_hash, dataset, region, year, $run_id, fetched_at
        FROM landing_changes
        """,
        params,
    )


def _record_vanished(con: duckdb.DuckDBPyConnection, table: str, run_id: str) -> None:
    """The records of ``landing_vanished`` are marked, not deleted: core still shows them."""
    params = {"table": table, "run_id": run_id}
    con.execute(f"UPDATE raw.{table} SET vanished_run = $run_id "
                "WHERE key IN (SELECT key FROM landing_vanished)", {"run_id": run_id})
    con.execute(
        """
        INSERT INTO raw.version_closes
        SELECT $table, key, previous_hash, last_run, false FROM landing_vanished
        WHERE last_run IS NOT NULL
        """,
        {"table": table},
    )
    con.execute(
        """
        INSERT INTO raw.version_events (seq, table_name, key, event, content_hash, dataset,
            region, year, run_id, seen_at)
        SELECT nextval('raw.version_events_seq'), $table, key, 'vanished', previous_hash,
            dataset, region, year, $run_id, fetched_at
        FROM landing_vanished
        """,
        params,
    )


# --- the shrinkage guard (issue 16) ------------------------------------------------------------


def _shrank(batch: Batch, last: _Landed | None, guard: ShrinkGuard) -> bool:
    if not batch.complete or last is None or not last.n_records or batch.dataset in guard.accept:
        return False
    n = len(batch.keys)
    return n == 0 or n < last.n_records * (1 - guard.max_shrink)


def _hold_back(con: duckdb.DuckDBPyConnection, batch: Batch, run_id: str, started_at: datetime,
               last: _Landed | None, guard: ShrinkGuard) -> LandResult:
    """The whole answer to quarantine with the reason, its run row, and a source_shrank alert."""
    n_last = last.n_records if last else 0
    reason = (f"source shrank: {len(batch.keys)} records where the last landed answer had "
              f"{n_last} (more than {guard.max_shrink:.0%} fewer); not applied. After a look: "
              f"pantau run --accept-shrink {batch.dataset}")
    held = Rejected(reason, _answer_bytes(con, batch))
    _quarantine(con, batch.source, batch.dataset, batch.region, batch.year,
                batch.provenance.url, [held, *batch.rejected], run_id)
    _record_runs(con, [_run_row(run_id, batch.source, batch.dataset, batch.region, batch.year,
                                started_at, "shrank", url=batch.provenance.url, error=reason,
                                counts=(len(batch.keys), 0, 0, len(batch.rejected) + 1))])
    outbox.put(con, [source_shrank_alert(
        guard.language, key=_quarantine_id(batch.source, batch.dataset, batch.region,
                                           batch.year, held),
        source=batch.source, dataset=batch.dataset, region=batch.region, year=batch.year,
        n_records=len(batch.keys), n_last=n_last, since=batch.provenance.fetched_at)], run_id)
    return LandResult(batch.dataset, batch.region, batch.year, len(batch.keys), 0, 0,
                      len(batch.rejected) + 1, shrank_from=n_last)


def _answer_bytes(con: duckdb.DuckDBPyConnection, batch: Batch) -> bytes:
    """The held-back records, one JSON line each as landed (a partition's from its file)."""
    if isinstance(batch, PartitionBatch):
        quoted = batch.path.replace("'", "''")
        payloads = [p for (p,) in con.execute(
            f"SELECT payload FROM read_parquet('{quoted}')").fetchall()]
    else:
        payloads = batch.payloads
    return "\n".join(payloads).encode()


def record_failure(
    con: duckdb.DuckDBPyConnection, *, run_id: str, source: str, dataset: str, region: str,
    year: int | None, started_at: datetime, error: str, url: str | None = None,
    body: bytes | None = None, status: str = "failed",
) -> None:
    """A fetch that produced no batch: its run row, and its answer's body in quarantine."""
    with transaction(con):
        if body is not None:
            _quarantine(con, source, dataset, region, year, url, [Rejected(error, body)], run_id)
        _record_runs(con, [_run_row(run_id, source, dataset, region, year, started_at, status,
                                    url=url, error=error)])


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


_RUN_COLUMNS = {
    "run_id": pa.string(), "source": pa.string(), "dataset": pa.string(),
    "region": pa.string(), "year": pa.int32(), "started_at": pa.timestamp("us", "UTC"),
    "finished_at": pa.timestamp("us", "UTC"), "status": pa.string(), "n_records": pa.int64(),
    "n_new": pa.int64(), "n_changed": pa.int64(), "n_quarantined": pa.int64(),
    "url": pa.string(), "error": pa.string(), "answer_sha256": pa.string(),
    "answer_etag": pa.string(), "answer_last_modified": pa.string(), "n_requests": pa.int64(),
    "n_deferred": pa.int64(),
}


def _run_row(
    run_id: str, source: str, dataset: str, region: str, year: int | None,
    started_at: datetime, status: str, *, url: str | None = None, error: str | None = None,
    counts: tuple[int, int, int, int] | None = None, answer: Answer | None = None,
    budget: tuple[int | None, int | None] = (None, None),
) -> dict[str, object]:
    """One ``ops.runs`` row: what happened to one answer (or one fetch that gave none)."""
    n_records, n_new, n_changed, n_quarantined = counts or (None, None, None, None)
    return {"run_id": run_id, "source": source, "dataset": dataset, "region": region,
            "year": year, "started_at": started_at, "finished_at": datetime.now(UTC),
            "status": status, "n_records": n_records, "n_new": n_new, "n_changed": n_changed,
            "n_quarantined": n_quarantined, "url": url, "error": error,
            "answer_sha256": answer.sha256 if answer else None,
            "answer_etag": answer.etag if answer else None,
            "answer_last_modified": answer.last_modified if answer else None,
            "n_requests": budget[0], "n_deferred": budget[1]}


def _record_runs(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    """Write ``_run_row``s in one statement (a night lands thousands of answers), in order."""
    if not rows:
        return
    con.register("landing_runs", pa.Table.from_pylist(rows, schema=pa.schema(_RUN_COLUMNS)))
    names = ", ".join(_RUN_COLUMNS)
    con.execute(f"INSERT INTO ops.runs (id, {names}) "
                f"SELECT nextval('ops.runs_id_seq'), {names} FROM landing_runs")
    con.unregister("landing_runs")
