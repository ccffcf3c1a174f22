"""Issue 16 acceptance: every version of every raw record, what changed and what vanished, on
two (and three) nights of the real Kab. Bandung captures (tests/history_nights.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from history_nights import (
    ANNOUNCEMENTS,
    NIGHT_1,
    NIGHT_2,
    WINNERS,
    Night2,
    capture,
    land_night,
)
from pantau.connectors import isb
from pipeline_helpers import checksums

TABLES = {d.name: d.table for d in isb.KEYED_DATASETS}


@pytest.fixture(scope="module")
def night2() -> Night2:
    return Night2.choose()


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path,
               night2: Night2) -> Path:
    assert bandung_dir.exists()
    db = tmp_path_factory.mktemp("history") / "w.duckdb"
    land_night(db, NIGHT_1, "n1")
    land_night(db, NIGHT_2, "n2", night2.edit)
    return db


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_raw_keeps_both_versions_of_each_changed_record(two_nights: Path,
                                                        night2: Night2) -> None:
    for dataset, kd_tender, field, old, new in (
        (ANNOUNCEMENTS, night2.hps_tender, "hps", night2.old_hps, night2.new_hps),
        (WINNERS, night2.winner_tender, "nama_penyedia", night2.old_winner[0],
         night2.new_winner[0]),
    ):
        rows = query(two_nights, "SELECT payload, first_seen_run, last_seen_run "
                     "FROM raw.versions WHERE table_name = ? AND key = ? "
                     "ORDER BY first_seen_run", [TABLES[dataset], str(kd_tender)])
        assert [(json.loads(p)[field], first, last) for p, first, last in rows] == [
            (old, "n1", "n1"), (new, "n2", None)]
        current = query(two_nights, f"SELECT payload ->> '{field}' FROM raw.{TABLES[dataset]} "
                        "WHERE key = ?", [str(kd_tender)])
        assert current == [(str(new),)]


def test_unchanged_records_have_one_version(two_nights: Path, night2: Night2) -> None:
    n_announced = len(capture(ANNOUNCEMENTS))
    rows = query(two_nights, "SELECT count(*), count(DISTINCT key) FROM raw.versions "
                 "WHERE table_name = ?", [TABLES[ANNOUNCEMENTS]])
    assert rows == [(n_announced + 1, n_announced)]  # the HPS change is the one extra version
    assert night2.dropped != night2.hps_tender


def test_a_dropped_package_is_marked_vanished_not_deleted(two_nights: Path,
                                                          night2: Night2) -> None:
    for dataset, table in TABLES.items():
        path_records = [r for r in capture_or_empty(dataset)
                        if r.get("kd_tender") == night2.dropped]
        if not path_records:
            continue
        rows = query(two_nights, f"SELECT count(*), min(vanished_run), max(vanished_run) "
                     f"FROM raw.{table} WHERE split_part(key, '|', 1) = ?", [str(night2.dropped)])
        assert rows == [(len(path_records), "n2", "n2")], dataset
    events = query(two_nights, "SELECT DISTINCT event, run_id FROM raw.version_events "
                   "WHERE split_part(key, '|', 1) = ? AND event <> 'new'", [str(night2.dropped)])
    assert events == [("vanished", "n2")]
    others = query(two_nights, "SELECT count(*) FROM raw.version_events WHERE event = "
                   "'vanished' AND split_part(key, '|', 1) <> ?", [str(night2.dropped)])
    assert others == [(0,)]


def test_a_rerun_of_night_two_changes_nothing(two_nights: Path, night2: Night2,
                                              tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(two_nights, db)
    before = checksums(db)
    results = land_night(db, NIGHT_2, "n2-again", night2.edit)
    assert all(r.n_new == r.n_changed == r.n_vanished == 0 for r in results)
    assert checksums(db) == before


def capture_or_empty(dataset: str) -> list[dict]:
    try:
        return capture(dataset)
    except FileNotFoundError:
        return []


def test_changes_lists_exactly_the_three_changes(two_nights: Path, night2: Night2) -> None:
    rows = query(two_nights, "SELECT source, kind, source_id, field, old_value, new_value, "
                 "seen_on, change FROM changes ORDER BY source_id, field")
    old_name, old_npwp = night2.old_winner
    new_name, new_npwp = night2.new_winner
    expected = {
        ("isb", "tender", str(night2.hps_tender), "hps", str(night2.old_hps),
         str(night2.new_hps), NIGHT_2, "changed"),
        ("isb", "tender", str(night2.dropped), None, None, None, NIGHT_2, "vanished"),
        ("isb", "tender", str(night2.winner_tender), "supplier_name", old_name, new_name,
         NIGHT_2, "changed"),
        ("isb", "tender", str(night2.winner_tender), "supplier_npwp", old_npwp, new_npwp,
         NIGHT_2, "changed"),
    }
    assert set(rows) == expected
    assert len(rows) == len(expected)
    assert {r[2] for r in rows} == {str(night2.hps_tender), str(night2.dropped),
                                   str(night2.winner_tender)}
    titles = dict(query(two_nights, "SELECT source_id, title FROM changes"))
    announced = {str(r["kd_tender"]): r["nama_paket"] for r in capture(ANNOUNCEMENTS)}
    assert titles == {sid: announced[sid] for sid in titles}


def test_the_dropped_package_stays_in_tenders_with_vanished_on(two_nights: Path,
                                                               night2: Night2) -> None:
    rows = query(two_nights, "SELECT source_id, vanished_on, n_versions FROM tenders "
                 "WHERE kind = 'tender'")
    by_id = {sid: (vanished, n) for sid, vanished, n in rows}
    assert len(rows) == len(capture(ANNOUNCEMENTS))
    assert by_id[str(night2.dropped)] == (NIGHT_2, 1)
    assert by_id[str(night2.hps_tender)] == (None, 2)
    assert by_id[str(night2.winner_tender)] == (None, 1)  # its announcement did not change
    assert {n for sid, (_, n) in by_id.items() if sid != str(night2.hps_tender)} == {1}
    assert [sid for sid, (v, _) in by_id.items() if v is not None] == [str(night2.dropped)]
