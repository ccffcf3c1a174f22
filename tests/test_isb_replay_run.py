"""Issue 2 acceptance: the real Kab. Bandung captures replayed through the whole nightly path.

Expected figures are computed here from the capture files, never typed in.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from pantau.connectors.isb import parse_isb_datetime
from pipeline_helpers import SECRET_KEY, checksums, make_config, run_plain

from pantau.simulator.server import Simulator

BANDUNG = [{"name": "Kab. Bandung", "kd_klpd": "D107", "kd_lpse": 93}]


def load(dir_: Path, name: str) -> list[dict]:
    return json.loads((dir_ / f"{name}.json").read_bytes())


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("replay")
    with Simulator(replay=bandung_dir) as sim:
        cfg = make_config(tmp, sim.url, BANDUNG)
        summary = run_plain(cfg, date(2025, 10, 4))
    return cfg.analyst_path, summary


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_run_lands_everything_and_fails_nothing(replayed: tuple[Path, object]) -> None:
    _, summary = replayed
    # RUP-PaketPenyedia-Terumumkan has no capture: the replay answers URL-NOT-DEFINED for it,
    # exactly as ISB does for a dataset it does not serve.
    assert [label for label, _ in summary.failed] == ["isb/RUP-PaketPenyedia-Terumumkan D107 2025"]
    assert all(r.n_quarantined == 0 for r in summary.landed)


def test_one_tenders_row_per_published_package(
    replayed: tuple[Path, object], bandung_dir: Path
) -> None:
    db, _ = replayed
    expected = {
        "tender": {str(r["kd_tender"]) for r in load(bandung_dir, "SPSE-TenderPengumuman")},
        "non_tender": {
            str(r["kd_nontender"]) for r in load(bandung_dir, "SPSE-NonTenderPengumuman")
        },
        "pencatatan_non_tender": {
            str(r["kd_nontender_pct"]) for r in load(bandung_dir, "SPSE-PencatatanNonTender")
        },
        "swakelola": {
            str(r["kd_swakelola_pct"]) for r in load(bandung_dir, "SPSE-PencatatanSwakelola")
        },
        "epurchasing": {r["kd_paket"] for r in load(bandung_dir, "Ecat-PaketEPurchasingV6")},
    }
    rows = query(db, "SELECT kind, source_id FROM tenders")
    assert len(rows) == sum(len(v) for v in expected.values())
    for kind, ids in expected.items():
        assert {sid for k, sid in rows if k == kind} == ids, kind


def test_tender_values_and_dates_as_published(
    replayed: tuple[Path, object], bandung_dir: Path
) -> None:
    db, _ = replayed
    nilai = {r["kd_tender"]: r for r in load(bandung_dir, "SPSE-TenderSelesaiNilai")}
    selesai = {r["kd_tender"]: r for r in load(bandung_dir, "SPSE-TenderSelesai")}
    got = {
        int(r[0]): r[1:]
        for r in query(
            db,
            "SELECT source_id, pagu, hps, contract_value, supplier_name, "
            "announced_at, awarded_at, kd_satker, method, status FROM tenders "
            "WHERE kind = 'tender'",
        )
    }
    for t in load(bandung_dir, "SPSE-TenderPengumuman"):
        pagu, hps, contract, supplier, announced, awarded, satker, method, status = got[
            t["kd_tender"]
        ]
        assert pagu == Decimal(str(t["pagu"]))
        assert hps == Decimal(str(t["hps"]))
        assert announced == parse_isb_datetime(t["tgl_pengumuman_tender"])  # WIB, as published
        assert (satker, method, status) == (
            t["kd_satker_str"],
            t["mtd_pemilihan"],
            t["status_tender"],
        )
        n = nilai.get(t["kd_tender"])
        assert contract == (
            Decimal(str(n["nilai_kontrak"])) if n and n["nilai_kontrak"] is not None else None
        )
        assert supplier == (n["nama_penyedia"] if n else None)
        if t["kd_tender"] in selesai:
            assert awarded == parse_isb_datetime(selesai[t["kd_tender"]]["tgl_penetapan_pemenang"])


def test_every_participant_in_bids_with_offers_and_winner(
    replayed: tuple[Path, object], bandung_dir: Path
) -> None:
    db, _ = replayed
    peserta = [r for r in load(bandung_dir, "SPSE-PesertaTender") if r["kd_peserta"] is not None]
    rows = query(
        db, "SELECT participant_id, offer_value, corrected_value, is_winner, is_bid FROM bids"
    )
    got = {r[0]: r[1:] for r in rows}
    assert len(rows) == len(peserta)
    for p in peserta:
        offer, corrected, winner, is_bid = got[str(p["kd_peserta"])]
        assert offer == (
            None if p["nilai_penawaran"] is None else Decimal(str(p["nilai_penawaran"]))
        )
        assert corrected == (
            None if p["nilai_terkoreksi"] is None else Decimal(str(p["nilai_terkoreksi"]))
        )
        assert winner == (p["pemenang"] == 1)
        assert is_bid == (p["nilai_penawaran"] is not None)


def test_n_bids_counts_offers_not_registrations(
    replayed: tuple[Path, object], bandung_dir: Path
) -> None:
    db, _ = replayed
    peserta = load(bandung_dir, "SPSE-PesertaTender")
    offers: dict[str, int] = {}
    registered: dict[str, int] = {}
    for p in peserta:
        k = str(p["kd_tender"])
        offers[k] = offers.get(k, 0) + (p["nilai_penawaran"] is not None)
        registered[k] = registered.get(k, 0) + (p["kd_peserta"] is not None)
    got = {
        r[0]: r[1:]
        for r in query(
            db, "SELECT source_id, n_bids, n_participants FROM tenders WHERE kind = 'tender'"
        )
    }
    assert got == {k: (offers[k], registered[k]) for k in offers}
    assert sum(offers.values()) < sum(registered.values())


def test_suppliers_are_keyed_by_15_digit_npwp(replayed: tuple[Path, object]) -> None:
    db, _ = replayed
    assert query(
        db,
        "SELECT count(*) FROM suppliers WHERE length(npwp) <> 15 "
        "OR NOT regexp_full_match(npwp, '\\d{15}')",
    ) == [(0,)]


def test_the_same_night_twice_changes_nothing(tmp_path: Path, bandung_dir: Path) -> None:
    with Simulator(replay=bandung_dir) as sim:
        cfg = make_config(tmp_path, sim.url, BANDUNG)
        first = run_plain(cfg, date(2025, 10, 4))
        runs = {("ops", "runs"), ("main", "runs")}  # the log of runs grows by design
        before = checksums(cfg.analyst_path, skip=runs)
        second = run_plain(cfg, date(2025, 10, 4))
        after = checksums(cfg.analyst_path, skip=runs)
    assert before == after
    assert sum(r.n_new + r.n_changed for r in second.landed) == 0
    # Issue 18: every answer was the same bytes, so none was parsed again, and the build ran
    # only the views (no core or indicator input changed: same raw, same date).
    assert second.landed
    assert all(r.unchanged for r in second.landed)
    assert [r.n_records for r in second.landed] == [r.n_records for r in first.landed]
    assert {f.split("/")[0] for f in second.built} == {"views"}
    assert {f.split("/")[0] for f in first.built} == {"core", "indicators", "views"}
    assert sum(r.n_new for r in first.landed) > 0


def test_one_corrupted_record_is_quarantined_and_the_rest_land(
    tmp_path: Path, bandung_dir: Path
) -> None:
    replay = tmp_path / "replay"
    shutil.copytree(bandung_dir, replay)
    records = load(replay, "SPSE-TenderPengumuman")
    records[5]["pagu"] = "Rp 1.000.000"  # a string where ISB sends a number
    (replay / "SPSE-TenderPengumuman.json").write_text(json.dumps(records), encoding="utf-8")
    with Simulator(replay=replay) as sim:
        cfg = make_config(tmp_path, sim.url, BANDUNG)
        run_plain(cfg)
    db = cfg.analyst_path
    assert query(db, "SELECT count(*) FROM tenders WHERE kind = 'tender'") == [(len(records) - 1,)]
    reasons = query(
        db,
        "SELECT dataset, reason, raw_text FROM quarantine "
        "WHERE dataset <> 'RUP-PaketPenyedia-Terumumkan'",
    )  # not captured
    assert len(reasons) == 1
    dataset, reason, raw = reasons[0]
    assert (dataset, reason) == ("SPSE-TenderPengumuman", "pagu is not a number: 'Rp 1.000.000'")
    assert json.loads(raw)["kd_tender"] == records[5]["kd_tender"]


def test_no_secret_in_database_logs_or_summary(
    tmp_path: Path, bandung_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    with Simulator(replay=bandung_dir) as sim:
        cfg = make_config(tmp_path, sim.url, BANDUNG)
        summary = run_plain(cfg)
    assert SECRET_KEY not in summary.markdown()
    assert SECRET_KEY not in caplog.text
    for path in (cfg.database_path, cfg.analyst_path):
        assert SECRET_KEY.encode() not in path.read_bytes()
    urls = query(cfg.analyst_path, "SELECT DISTINCT source_url FROM raw.isb_tender_pengumuman")
    assert urls
    assert all("/api/***/json/" in u for (u,) in urls)
