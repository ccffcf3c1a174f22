"""models/loader.land: only new and changed records are written, counted, and run-recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from pantau.connectors import isb
from pantau.connectors.base import Batch, Provenance
from pantau.models.db import open_warehouse, transaction
from pantau.models.loader import ShrinkGuard, _rounds, close_versions, land, land_many, optimistic
from pantau.models.partitions import write as write_partition

DATASET = isb.BY_NAME["SPSE-TenderPengumuman"]
T0 = datetime(2025, 10, 4, 19, tzinfo=UTC)


def batch(records: list[dict], night: int) -> isb.Batch:  # type: ignore[name-defined]
    prov = Provenance("isb", "http://127.0.0.1/x", T0 + timedelta(days=night))
    return isb.to_batch(DATASET, json.dumps(records).encode(), prov, region="D107", year=2025)


def rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    got = con.execute(
        "SELECT key, payload::VARCHAR, content_hash, fetched_at, run_id "
        "FROM raw.isb_tender_pengumuman"
    ).fetchall()
    return {r[0]: r[1:] for r in got}


def run_row(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple:
    return con.execute(
        "SELECT n_records, n_new, n_changed, n_quarantined FROM ops.runs WHERE run_id = ?",
        [run_id],
    ).fetchone()


@pytest.mark.parametrize("parquet", [False, True], ids=["arrow", "parquet"])
def test_new_changed_unchanged_and_rerun(tmp_path: Path, parquet: bool) -> None:
    def landed(records: list[dict], night: int) -> isb.Batch:  # type: ignore[name-defined]
        one = batch(records, night)
        return write_partition(one, tmp_path / f"p{night}") if parquet else one

    first = [{"kd_tender": k, "pagu": 100 * k} for k in range(1, 6)]
    second = [*first[:3], {"kd_tender": 4, "pagu": 1}, {"kd_tender": 7, "pagu": 7},
              {"kd_tender": 8, "pagu": "satu"}]  # 4 changed, 5 gone, 7 new, 8 quarantined
    with open_warehouse(tmp_path / "w.duckdb") as con:
        result = land(con, landed(first, 0), "r1")
        assert (result.n_records, result.n_new, result.n_changed) == (5, 5, 0)
        before = rows(con)

        result = land(con, landed(second, 1), "r2")
        assert (result.n_records, result.n_new, result.n_changed, result.n_quarantined) == (
            5, 1, 1, 1)
        assert run_row(con, "r2") == (5, 1, 1, 1)
        after = rows(con)
        # Unchanged content is not rewritten: the first night's time and run stay.
        assert {k: after[k] for k in ("1", "2", "3", "5")} == {
            k: before[k] for k in ("1", "2", "3", "5")}
        assert after["4"][0] == '{"kd_tender":4,"pagu":1}'
        assert after["4"][2:] == (T0 + timedelta(days=1), "r2")
        assert after["7"][2:] == (T0 + timedelta(days=1), "r2")
        hashes = con.execute(
            "SELECT count(*) FROM raw.isb_tender_pengumuman WHERE content_hash <> md5(payload)"
        ).fetchone()
        assert hashes == (0,)

        result = land(con, landed(second, 2), "r3")  # a rerun of the same answer
        assert (result.n_new, result.n_changed) == (0, 0)
        assert run_row(con, "r3") == (5, 0, 0, 1)
        assert rows(con) == after


def test_a_failing_landing_leaves_nothing(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        land(con, batch([{"kd_tender": 1, "pagu": 1}], 0), "r1")

        def fail(_: duckdb.DuckDBPyConnection) -> None:
            raise RuntimeError("crash inside the landing transaction")

        with pytest.raises(RuntimeError):
            land(con, batch([{"kd_tender": 1, "pagu": 2}, {"kd_tender": 2}], 1), "r2", then=fail)
        assert set(rows(con)) == {"1"}
        assert rows(con)["1"][0] == '{"kd_tender":1,"pagu":1}'
        assert con.execute("SELECT count(*) FROM ops.runs WHERE run_id = 'r2'").fetchone() == (0,)


def test_batches_landed_inside_one_transaction_commit_or_roll_back_together(
        tmp_path: Path) -> None:
    """A fetch group lands its datasets in one transaction (flows/steps.py): a failure after the
    first batch leaves neither; without one, both commit."""
    with open_warehouse(tmp_path / "w.duckdb") as con:
        def group_then_crash() -> None:
            with transaction(con):
                land(con, batch([{"kd_tender": 1, "pagu": 1}], 0), "r1")
                land(con, batch([{"kd_tender": 2, "pagu": 2}], 0), "r1")
                raise RuntimeError("the writer crashed before the group's commit")

        with pytest.raises(RuntimeError, match="crashed"):
            group_then_crash()
        assert rows(con) == {}
        assert con.execute("SELECT count(*) FROM ops.runs").fetchone() == (0,)

        with transaction(con):
            land(con, batch([{"kd_tender": 1, "pagu": 1}], 0), "r2")
            land(con, batch([{"kd_tender": 2, "pagu": 2}], 0), "r2")
        assert set(rows(con)) == {"1", "2"}
        assert run_row_count(con, "r2") == 2


def versions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT key, payload::VARCHAR, first_seen_run, last_seen_run "
                       "FROM raw.versions ORDER BY key, first_seen_run").fetchall()


def test_versions_queued_in_a_transaction_are_written_at_its_commit_or_not_at_all(
        tmp_path: Path) -> None:
    """raw.versions is written once per transaction, before its commit (models/loader.py): a
    transaction that rolls back leaves none, the next one writes its own, and two batches of one
    table in one transaction keep their order (the second closes the first's version)."""
    with open_warehouse(tmp_path / "w.duckdb") as con:
        def crash_before_commit() -> None:
            with transaction(con):
                land(con, batch([{"kd_tender": 1, "pagu": 1}], 0), "r1")
                raise RuntimeError("the writer crashed before the group's commit")

        with pytest.raises(RuntimeError, match="crashed"):
            crash_before_commit()
        assert versions(con) == []
        with transaction(con):
            land(con, batch([{"kd_tender": 1, "pagu": 1}], 0), "r2")
            land(con, batch([{"kd_tender": 1, "pagu": 2}], 1), "r3")
        assert versions(con) == [("1", '{"kd_tender":1,"pagu":1}', "r2", "r2"),
                                 ("1", '{"kd_tender":1,"pagu":2}', "r3", None)]


def run_row_count(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    row = con.execute("SELECT count(*) FROM ops.runs WHERE run_id = ?", [run_id]).fetchone()
    return int(row[0]) if row else 0


def test_a_record_that_moves_to_another_region_is_new_there_once(tmp_path: Path) -> None:
    """The change check compares with the same region and year's rows (raw is clustered by
    them); a key that turns up in another region's answer lands there, then is unchanged."""
    def answer(region: str, night: int) -> isb.Batch:  # type: ignore[name-defined]
        prov = Provenance("isb", "http://127.0.0.1/x", T0 + timedelta(days=night))
        return isb.to_batch(DATASET, json.dumps([{"kd_tender": 1, "pagu": 1}]).encode(), prov,
                            region=region, year=2025)

    with open_warehouse(tmp_path / "w.duckdb") as con:
        first = land(con, answer("D107", 0), "r1")
        moved = land(con, answer("D108", 1), "r2")
        again = land(con, answer("D108", 2), "r3")
        region = con.execute("SELECT region FROM raw.isb_tender_pengumuman").fetchall()
    assert (first.n_new, moved.n_new, again.n_new, again.n_changed) == (1, 1, 0, 0)
    assert region == [("D108",)]


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def landing_state(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], ...]:
    return (
        con.execute("SELECT key, region, year, payload::VARCHAR, content_hash, run_id, "
                    "vanished_run FROM raw.isb_tender_pengumuman ORDER BY key").fetchall(),
        con.execute("SELECT key, content_hash, payload::VARCHAR, first_seen_run, last_seen_run "
                    "FROM raw.versions ORDER BY ALL").fetchall(),
        con.execute("SELECT key, event, content_hash, previous_hash, region, run_id "
                    "FROM raw.version_events ORDER BY seq").fetchall(),
        con.execute("SELECT run_id, region, n_records, n_new, n_changed FROM ops.runs "
                    "ORDER BY id").fetchall(),
    )


def test_optimistic_landing_equals_upserts_and_falls_back_where_a_key_is_there(
        tmp_path: Path) -> None:
    """loader.optimistic: plain inserts where every key and version is new, and where one is
    there already (a record moved region; a content back again) the group's transaction runs
    again with upserts; the warehouse ends as the upserts alone leave it. Both queue the
    versions they replace, which the night closes when its landing ends."""
    def answer(region: str, pagu: dict[int, int], night: int) -> isb.Batch:  # type: ignore[name-defined]
        prov = Provenance("isb", "http://127.0.0.1/x", T0 + timedelta(days=night))
        records = [{"kd_tender": k, "pagu": v} for k, v in pagu.items()]
        return isb.to_batch(DATASET, json.dumps(records).encode(), prov, region=region,
                            year=2025)

    nights = [
        ("D107", {1: 1, 2: 2, 3: 3}),  # all new: plain inserts
        ("D107", {1: 1, 2: 20, 3: 3}),  # 2 changed: updated in its region, a new version
        ("D107", {1: 1, 2: 2}),  # 2 back to a content seen before; 3 vanished
        ("D108", {3: 30}),  # 3 moves region
        ("D107", {1: 1, 2: 2, 4: 4}),  # 4 new
    ]
    attempts: list[int] = []
    queued: list[int] = []
    with open_warehouse(tmp_path / "optimistic.duckdb") as fast, \
            open_warehouse(tmp_path / "upserts.duckdb") as slow:
        for night, (region, pagu) in enumerate(nights):
            run_id = f"r{night}"

            def body(region: str = region, pagu: dict[int, int] = pagu, night: int = night,
                     run_id: str = run_id) -> int:
                attempts.append(night)
                return land(fast, answer(region, pagu, night), run_id).n_new

            n_new = optimistic(fast, body)
            queued.append(count(fast, "raw.version_closes"))
            with transaction(fast):  # as the night does when its landing ends
                close_versions(fast)
            assert n_new == land(slow, answer(region, pagu, night), run_id).n_new
            assert landing_state(fast) == landing_state(slow), night
        # nights 2 (a content back again) and 3 (a key in another region) ran twice
        assert attempts == [0, 1, 2, 2, 3, 3, 4]
        # what a night's landing replaces stays queued for its one close, in the plain landing
        # (night 1: 2's old content) and in the upserts it falls back to (night 2: 2's content
        # 20 and the vanished 3); outside a night the upserts close at once
        assert queued == [0, 1, 2, 0, 0]
        assert count(slow, "raw.version_closes") == 0
        assert [(k, r) for k, r, *_ in landing_state(fast)[0]] == [
            ("1", "D107"), ("2", "D107"), ("3", "D108"), ("4", "D107")]


def test_answers_landed_together_equal_answers_landed_one_by_one(tmp_path: Path) -> None:
    """loader.land_many: the answers of a night's fetch groups land in shared statements inside
    an optimistic transaction (two of one region and year in rounds one after the other) and
    leave the warehouse as landing them one by one with ``land`` does: new, changed, vanished,
    a key moving region (the fallback to upserts), a shrunk answer held back."""
    def answer(region: str, pagu: dict[int, int], night: int) -> Batch:
        prov = Provenance("isb", f"http://127.0.0.1/{region}", T0 + timedelta(days=night))
        records = [{"kd_tender": k, "pagu": v} for k, v in pagu.items()]
        return isb.to_batch(DATASET, json.dumps(records).encode(), prov, region=region,
                            year=2025)

    wide = {k: k for k in range(20, 30)}
    nights = [
        [("D107", {1: 1, 2: 2, 3: 3}), ("D108", {10: 10}), ("D109", wide),
         ("D107", {1: 1, 2: 2, 3: 3, 4: 4})],  # D107 twice: the second in a round of its own
        [("D107", {1: 1, 2: 20, 3: 3, 4: 4}), ("D108", {10: 11, 11: 11})],  # changed, new
        [("D107", {1: 1, 2: 20, 4: 4, 5: 5}), ("D109", {20: 20}),  # 3 vanished; D109 shrank
         ("D108", {10: 11, 11: 11, 3: 3})],  # 3 moves region: the plain insert fails
    ]
    attempts: list[int] = []
    guard = ShrinkGuard()
    with open_warehouse(tmp_path / "together.duckdb") as together, \
            open_warehouse(tmp_path / "one_by_one.duckdb") as one_by_one:
        for night, answers in enumerate(nights):
            run_id = f"r{night}"

            def body(answers: list = answers, night: int = night, run_id: str = run_id) -> list:
                attempts.append(night)
                return land_many(together, [answer(r, p, night) for r, p in answers], run_id,
                                 guard=guard)

            results = optimistic(together, body)
            with transaction(together):
                close_versions(together)
            alone = [land(one_by_one, answer(r, p, night), run_id, guard=guard)
                     for r, p in answers]
            assert results == alone, night
            assert landing_state(together) == landing_state(one_by_one), night
            assert count(together, "ops.quarantine") == count(one_by_one, "ops.quarantine")
        assert [r.shrank_from for r in results] == [None, 10, None]
        assert results[0].n_vanished == 1
    assert attempts == [0, 1, 2, 2]  # only the night with the moved key ran again
    assert _rounds([answer(r, p, 0) for r, p in nights[0]], together=True) == [[0, 1, 2], [3]]
    assert _rounds([answer(r, p, 0) for r, p in nights[0]], together=False) == [
        [0], [1], [2], [3]]


def test_versions_queued_by_a_night_cut_short_are_closed_by_the_next_landing(
        tmp_path: Path) -> None:
    """A night's plain landings queue the versions they replace (raw.version_closes, in their
    own transaction); where the night ends before it closes them, the next landing does."""
    def answer(pagu: int, night: int) -> isb.Batch:  # type: ignore[name-defined]
        prov = Provenance("isb", "http://127.0.0.1/x", T0 + timedelta(days=night))
        return isb.to_batch(DATASET, json.dumps([{"kd_tender": 1, "pagu": pagu}]).encode(),
                            prov, region="D107", year=2025)

    with open_warehouse(tmp_path / "w.duckdb") as con:
        land(con, answer(1, 0), "r0")
        optimistic(con, lambda: land(con, answer(2, 1), "r1"))  # the night stops here
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert count(con, "raw.version_closes") == 1
        land(con, answer(3, 2), "r2")
        versions = con.execute("SELECT payload::VARCHAR, first_seen_run, last_seen_run "
                               "FROM raw.versions ORDER BY first_seen_run").fetchall()
        assert count(con, "raw.version_closes") == 0
    assert versions == [('{"kd_tender":1,"pagu":1}', "r0", "r0"),
                        ('{"kd_tender":1,"pagu":2}', "r1", "r1"),
                        ('{"kd_tender":1,"pagu":3}', "r2", None)]


def test_a_version_queued_twice_is_closed_by_its_vanishing(tmp_path: Path) -> None:
    """A record that leaves one SPSE list and joins another sharing its table in one night
    queues its version twice: closed as one close after the other would, by the vanishing
    (whatever the order); a replaced version closed already stays as it was."""
    with open_warehouse(tmp_path / "w.duckdb") as con:
        con.execute("""
            INSERT INTO raw.versions VALUES
                ('t', 'a', 'h', '{}', 'r0', now(), NULL),
                ('t', 'b', 'h', '{}', 'r0', now(), 'r1')""")
        con.execute("""
            INSERT INTO raw.version_closes VALUES
                ('t', 'a', 'h', 'r2', true), ('t', 'a', 'h', 'r3', false),
                ('t', 'b', 'h', 'r2', true)""")
        with transaction(con):
            close_versions(con)
        closed = con.execute("SELECT key, last_seen_run FROM raw.versions ORDER BY key").fetchall()
    assert closed == [("a", "r3"), ("b", "r1")]


def test_only_a_complete_answer_marks_what_it_lacks_vanished_within_its_dataset(
        tmp_path: Path) -> None:
    """Two datasets share a raw table (as SPSE's lists do): an incomplete answer (SPSE's
    details) marks nothing vanished; a complete one marks the records of its own dataset that
    it lacks, and none of the other dataset's."""
    def answer(dataset: str, keys: set[int], night: int, *, complete: bool = True) -> Batch:
        prov = Provenance("isb", "http://127.0.0.1/x", T0 + timedelta(days=night))
        out = Batch("isb", dataset, "D107", 2025, prov, table="isb_tender_pengumuman",
                    complete=complete)
        for k in sorted(keys):
            out.add(str(k), json.dumps({"kd_tender": k}))
        return out

    first = {"A": {1, 2, 3}, "B": {4, 5}}
    later = {"A": {1}, "B": {5}}
    with open_warehouse(tmp_path / "w.duckdb") as con:
        for dataset, keys in first.items():
            land(con, answer(dataset, keys, 0), "r0")
        partial = land(con, answer("A", later["A"], 1, complete=False), "r1")
        assert partial.n_vanished == 0
        whole = land(con, answer("A", later["A"], 2), "r2")
        vanished = {k for (k,) in con.execute(
            "SELECT key FROM raw.isb_tender_pengumuman WHERE vanished_run = 'r2'").fetchall()}
        events = {k for (k,) in con.execute(
            "SELECT key FROM raw.version_events WHERE event = 'vanished'").fetchall()}
    gone = {str(k) for k in first["A"] - later["A"]}
    assert whole.n_vanished == len(gone)
    assert vanished == events == gone


@pytest.mark.parametrize("fast", [True, False], ids=["optimistic", "upserts"])
def test_a_records_shape_follows_its_content(tmp_path: Path, fast: bool) -> None:
    """A changed content lands with its own shape (models/record_shapes.py) in either write
    path, the plain update of an optimistic night and the upsert."""
    got = []
    with open_warehouse(tmp_path / "w.duckdb") as con:
        for night, pagu in enumerate([None, 5, 0]):
            answer = batch([{"kd_tender": 1, "pagu": pagu}], night)
            if fast:
                optimistic(con, lambda a=answer, n=night: land(con, a, f"r{n}"))
            else:
                land(con, answer, f"r{night}")
            got.append(con.execute(
                "SELECT CAST(s.keys AS VARCHAR[]), CAST(s.filled AS BOOLEAN[]) "
                "FROM raw.isb_tender_pengumuman JOIN raw.record_shapes s USING (shape)"
            ).fetchall())
        assert count(con, "raw.record_shapes") == 2  # 5 and 0 fill the field alike
    filled, empty = (["kd_tender", "pagu"], [True, True]), (["kd_tender", "pagu"], [True, False])
    assert got == [[empty], [filled], [filled]]
