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
    NIGHT_3,
    WINNERS,
    Night2,
    capture,
    half_the_announcements,
    land_night,
)
from pantau.connectors import isb
from pantau.models.alerts import ChangeRule, Watch, change_alerts
from pantau.models.history import rebuild_night
from pantau.models.loader import ShrinkGuard
from pantau.models.publish import publish
from pipeline_helpers import checksums

from pantau.analyst import explain, report
from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import RegionRef

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
        ("isb", "tender", str(night2.winner_tender), "contract_value",
         str(night2.old_contract), str(night2.new_contract), NIGHT_2, "changed"),
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


@pytest.fixture(scope="module")
def third_night(two_nights: Path, tmp_path_factory: pytest.TempPathFactory,
                night2: Night2) -> tuple[Path, set[str], list]:
    """Night 3 sends half of the announcements (the rest as on night 2), under the guard."""
    db = tmp_path_factory.mktemp("third") / "w.duckdb"
    shutil.copy(two_nights, db)
    before = tenders_rows(db)

    def edit(dataset: str, records: list[dict]) -> list[dict]:
        return half_the_announcements(dataset, night2.edit(dataset, records))

    results = land_night(db, NIGHT_3, "n3", edit, guard=ShrinkGuard())
    return db, before, results


def tenders_rows(db: Path) -> set[str]:
    return {repr(row) for row in query(db, "SELECT * FROM tenders")}


def test_a_half_answer_is_held_back_and_nothing_vanishes(third_night: tuple[Path, set[str], list],
                                                         night2: Night2) -> None:
    db, before, results = third_night
    n_last = len(night2.edit(ANNOUNCEMENTS, capture(ANNOUNCEMENTS)))
    held = [r for r in results if r.shrank_from is not None]
    assert [(r.dataset, r.n_records, r.shrank_from) for r in held] == [
        (ANNOUNCEMENTS, n_last // 2, n_last)]
    assert query(db, "SELECT count(*) FROM raw.version_events WHERE run_id = 'n3'") == [(0,)]
    assert tenders_rows(db) == before
    waiting = query(db, "SELECT dataset, reason, raw FROM ops.quarantine WHERE run_id = 'n3'")
    assert [(d, r.startswith(f"source shrank: {n_last // 2} records")) for d, r, _ in waiting] \
        == [(ANNOUNCEMENTS, True)]
    kept = [json.loads(line) for line in waiting[0][2].decode().splitlines()]
    assert [r["kd_tender"] for r in kept] == [
        r["kd_tender"] for r in night2.edit(ANNOUNCEMENTS, capture(ANNOUNCEMENTS))][: n_last // 2]
    assert query(db, "SELECT status FROM ops.runs WHERE run_id = 'n3' AND dataset = ?",
                 [ANNOUNCEMENTS]) == [("shrank",)]
    alerts = query(db, "SELECT rule, subject, facts ->> 'n_records' FROM ops.alert_outbox")
    assert alerts == [("source_shrank", f"isb/{ANNOUNCEMENTS} D107 2025", str(n_last // 2))]


def test_accept_shrink_applies_the_answer(third_night: tuple[Path, set[str], list],
                                          night2: Night2, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(third_night[0], db)

    def edit(dataset: str, records: list[dict]) -> list[dict]:
        return half_the_announcements(dataset, night2.edit(dataset, records))

    results = land_night(db, NIGHT_3, "n3-accepted", edit,
                         guard=ShrinkGuard(accept=frozenset({ANNOUNCEMENTS})))
    announced = night2.edit(ANNOUNCEMENTS, capture(ANNOUNCEMENTS))
    gone = {str(r["kd_tender"]) for r in announced[len(announced) // 2:]}
    assert [r.n_vanished for r in results if r.dataset == ANNOUNCEMENTS] == [len(gone)]
    vanished = query(db, "SELECT source_id FROM tenders WHERE vanished_on = ?", [NIGHT_3])
    assert {sid for (sid,) in vanished} == gone


def test_change_rules_raise_their_alerts(two_nights: Path, night2: Night2) -> None:
    rules = [
        ChangeRule("hps_raised", fields=("hps",), direction="up"),
        ChangeRule("hps_lowered", fields=("hps",), direction="down"),
        ChangeRule("winner_changed", fields=("supplier_name", "supplier_npwp")),
        ChangeRule("contract_vanished", change="vanished", with_contract=True),
    ]
    notices: list[str] = []
    with duckdb.connect(str(two_nights), read_only=True) as con:
        found = change_alerts(con, Watch.of(["D107"]), rules, "en", notices)
        elsewhere = change_alerts(con, Watch.of(["D999"]), rules, "en", notices)
    assert sorted((a.rule, a.subject, a.facts["field"]) for a in found) == [
        ("contract_vanished", f"isb|tender|{night2.dropped}", None),
        ("hps_raised", f"isb|tender|{night2.hps_tender}", "hps"),
        ("winner_changed", f"isb|tender|{night2.winner_tender}", "supplier_name"),
        ("winner_changed", f"isb|tender|{night2.winner_tender}", "supplier_npwp"),
    ]
    assert elsewhere == []
    assert notices == []
    assert len({a.key for a in found}) == len(found)
    hps = next(a for a in found if a.rule == "hps_raised")
    assert f'from "{night2.old_hps}" to "{night2.new_hps}"' in hps.message


def test_explain_shows_a_process_history(two_nights: Path, night2: Night2,
                                         tmp_path: Path) -> None:
    analyst = publish(two_nights, tmp_path / "analyst.duckdb")
    with duckdb.connect(str(analyst), read_only=True) as con:
        hps = explain.process_history(con, f"tender:{night2.hps_tender}")
        dropped = explain.process_history(con, str(night2.dropped))
        missing = explain.process_history(con, "tender:0")
    assert "2 version(s) seen" in hps
    assert "still published" in hps
    history = hps.split("History", 1)[1].splitlines()[2:]  # past the heading and the header
    assert [line.split() for line in history] == [
        [str(NIGHT_2), "changed", "hps", str(night2.old_hps), str(night2.new_hps)]]
    assert f"vanished from isb on {NIGHT_2}" in dropped
    assert "vanished" in dropped.split("History", 1)[1]
    assert missing == "no process tender:0 in tenders\n"


def test_the_report_shows_changes_and_data_quality(two_nights: Path, night2: Night2,
                                                  tmp_path: Path) -> None:
    analyst = publish(two_nights, tmp_path / "analyst.duckdb")
    with connect_analyst(analyst) as con:
        ctx = report.collect(con, RegionRef("D107", "Kab. Bandung", "bandungkab"), 2025, "en")
    html = report.render(ctx)
    assert {(r["source_id"], r["change"], r["field"]) for r in ctx["changes"]} == {
        (str(night2.hps_tender), "changed", "hps"),
        (str(night2.dropped), "vanished", None),
        (str(night2.winner_tender), "changed", "supplier_name"),
        (str(night2.winner_tender), "changed", "supplier_npwp"),
        (str(night2.winner_tender), "changed", "contract_value"),
    }
    assert '<section id="changes">' in html
    assert str(night2.new_hps) in html
    assert night2.new_winner[0] in html
    with duckdb.connect(str(analyst), read_only=True) as con:
        expected = con.execute("SELECT code, flagged FROM flag_coverage "
                               "WHERE kd_klpd = 'D107' ORDER BY code").fetchall()
    assert [(r["code"], r["flagged"]) for r in ctx["flag_cov"]] == expected
    assert '<section id="quality">' in html


def test_an_old_night_is_rebuilt_from_the_versions(two_nights: Path, tmp_path: Path) -> None:
    """Night 1's agency_metrics, recomputed from the versions after night 2 changed raw, are
    the snapshot stored on night 1 (and differ from night 2's, or the test shows nothing)."""
    rebuilt = rebuild_night(two_nights, "n1", NIGHT_1, tmp_path / "n1.duckdb")
    columns = "kd_klpd, kd_satker, year, metric, value, numerator, denominator"
    stored = query(two_nights, f"SELECT {columns} FROM core.metric_snapshots "
                   "WHERE snapshot_date = ? ORDER BY ALL", [NIGHT_1])
    night_2 = query(two_nights, f"SELECT {columns} FROM core.metric_snapshots "
                    "WHERE snapshot_date = ? ORDER BY ALL", [NIGHT_2])
    assert stored
    assert stored != night_2
    assert query(rebuilt, f"SELECT {columns} FROM core.agency_metrics ORDER BY ALL") == stored
    raw_n1 = query(rebuilt, "SELECT count(*), count(vanished_run) FROM raw.isb_tender_pengumuman")
    assert raw_n1 == [(len(capture(ANNOUNCEMENTS)), 0)]
