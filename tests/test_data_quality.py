"""Issue 16's data-quality annex on the real Kab. Bandung captures: ``data_quality`` (coverage
as Cardinal counts it, freshness, Pelican-style checks) and ``flag_coverage``. Expected values
are computed from the capture files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from conftest import BANDUNG, present
from history_nights import NIGHT_1, NIGHT_2, land_night
from pantau.models.alerts import quality_alerts


def capture(name: str) -> list[dict]:
    return json.loads((BANDUNG / f"{name}.json").read_bytes())


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("dataset", ["SPSE-TenderSelesaiNilai", "SPSE-NonTenderPengumuman",
                                     "Ecat-PaketEPurchasingV6"])
def test_field_coverage_as_cardinal_counts_it(bandung_analyst: Path, dataset: str) -> None:
    records = capture(dataset)
    fields = {k for r in records for k in r}
    expected = {f: (len(records), sum(present(r.get(f)) for r in records)) for f in fields}
    rows = query(bandung_analyst, "SELECT item, n_records, n, share FROM data_quality "
                 "WHERE measure = 'coverage' AND dataset = ?", [dataset])
    assert {item: (n_records, n) for item, n_records, n, _ in rows} == expected
    assert all(share == round(n / n_records, 4) for _, n_records, n, share in rows)


def test_npwp_and_amount_checks(bandung_analyst: Path) -> None:
    for dataset in ("SPSE-TenderSelesaiNilai", "SPSE-NonTenderSelesai"):
        npwps = [r["npwp_penyedia"] for r in capture(dataset) if present(r.get("npwp_penyedia"))]
        bad = sum(len(re.sub(r"\D", "", n)) not in (15, 16) for n in npwps)
        assert query(bandung_analyst, "SELECT n_records, n FROM data_quality WHERE measure = "
                     "'check' AND item = 'npwp_not_15_16_digits' AND dataset = ?",
                     [dataset]) == [(len(npwps), bad)]
    hps = {r["kd_nontender"]: r["hps"] for r in capture("SPSE-NonTenderPengumuman")}
    above = sum(1 for r in capture("SPSE-NonTenderSelesai")
                if r["nilai_kontrak"] and hps.get(r["kd_nontender"])
                and r["nilai_kontrak"] > hps[r["kd_nontender"]])
    assert query(bandung_analyst, "SELECT n_records, n FROM data_quality WHERE measure = "
                 "'check' AND item = 'contract_above_hps' AND dataset = 'non_tender'") == [
        (len(hps), above)]


def test_freshness_is_the_age_of_the_newest_record(bandung_analyst: Path) -> None:
    newest = max(r["tgl_pengumuman_tender"] for r in capture("SPSE-TenderPengumuman"))[:10]
    rows = query(bandung_analyst, "SELECT CAST(newest AS VARCHAR), n FROM data_quality WHERE "
                 "measure = 'freshness' AND item = 'newest_record' AND dataset = 'tender'")
    assert [r[0] for r in rows] == [newest]
    assert rows[0][1] >= 0


def test_flag_coverage_reads_not_computable_never_zero(bandung_analyst: Path) -> None:
    rows = query(bandung_analyst, "SELECT kd_klpd, code, n_processes, coverage, computable, "
                 "n_flagged, flagged FROM flag_coverage")
    non_tender_regions = {r["kd_klpd"] for r in capture("SPSE-NonTenderPengumuman")} | {
        r["kd_klpd"] for r in capture("SPSE-PencatatanNonTender")}
    tender_regions = {r["kd_klpd"] for r in capture("SPSE-TenderPengumuman")}
    without = tender_regions - non_tender_regions
    assert without  # a region of the captures with tenders only
    for code, n, coverage, computable, n_flagged, flagged in (
            r[1:] for r in rows if r[0] in without and r[1] == "ID-C01"):
        assert (code, n, coverage, computable, n_flagged, flagged) == (
            "ID-C01", 0, None, False, None, "not computable")
    for _, _, _, coverage, computable, n_flagged, flagged in rows:
        assert computable == (coverage is not None and coverage >= 0.5)
        assert flagged == (str(n_flagged) if computable else "not computable")
    tenders = len([r for r in capture("SPSE-TenderPengumuman") if r["kd_klpd"] == "D107"])
    r018 = next(r for r in rows if r[:2] == ("D107", "R018"))
    assert r018[2] == tenders
    flagged = query(bandung_analyst, "SELECT count(DISTINCT source_id) FROM flags f JOIN "
                    "tenders t USING (source, kind, source_id) WHERE f.code = 'R018' AND "
                    "t.kd_klpd = 'D107'")[0][0]
    assert r018[5] == flagged


def test_coverage_and_freshness_alerts(bandung_dir: Path, tmp_path: Path) -> None:
    """Night 2 sends the winners without their names: nama_penyedia's coverage drops to 0."""
    db = tmp_path / "w.duckdb"
    land_night(db, NIGHT_1, "n1")

    def nameless(dataset: str, records: list[dict]) -> list[dict]:
        if dataset != "SPSE-TenderSelesaiNilai":
            return records
        return [{**r, "nama_penyedia": None} for r in records]

    land_night(db, NIGHT_2, "n2", nameless)
    winners = capture("SPSE-TenderSelesaiNilai")
    before = sum(present(r["nama_penyedia"]) for r in winners) / len(winners)
    notices: list[str] = []
    with duckdb.connect(str(db), read_only=True) as con:
        found = quality_alerts(con, coverage_drop=0.2, stale_days=30, lang="en",
                               notices=notices)
        quiet = quality_alerts(con, coverage_drop=None, stale_days=None, lang="en",
                               notices=notices)
    coverage = [a for a in found if a.rule == "coverage_dropped"]
    assert [a.subject for a in coverage] == ["isb/SPSE-TenderSelesaiNilai nama_penyedia"]
    assert f"{before:.0%} before" in coverage[0].message
    stale = {a.subject for a in found if a.rule == "source_stale"}
    kinds = {"tender", "non_tender", "pencatatan_non_tender", "swakelola", "epurchasing"}
    assert stale == {f"isb/{kind}" for kind in kinds}  # the captures are from October 2025
    assert quiet == []
    assert notices == []
