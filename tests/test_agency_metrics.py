"""agency_metrics: hand-checkable cases, then an independent recomputation on Kab. Bandung 2025."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indicator_world import World, wib

JT = 1_000_000
METRICS = (
    "tenders_finished", "single_bid_rate", "avg_bids", "award_near_hps_rate", "failed_rate",
    "non_competitive_value_share", "pl_above_ceiling", "flagged_share", "umk_value_share",
    "pdn_value_share", "epurchasing_value_share",
)


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def test_tender_metrics_by_hand(world):
    # S1: three finished tenders (1, 1 and 4 bids), one failed, one ongoing
    world.process(n_bids=1, hps=100 * JT, contract_value=95 * JT)  # exactly 95 %: near HPS
    world.process(n_bids=1, hps=100 * JT, contract_value=94_999_999)  # just under
    world.process(n_bids=4, hps=100 * JT, contract_value=None)  # no contract value yet
    world.process(status="Gagal/Batal", n_bids=0)
    world.process(status="Berlangsung")
    # S2: one finished tender without recorded offers
    world.process(kd_satker="S2", n_bids=None, hps=100 * JT, contract_value=99 * JT)
    world.build()
    assert world.metric("tenders_finished", "S1") == (3, 3, None)
    assert world.metric("single_bid_rate", "S1") == pytest.approx((2 / 3, 2, 3))
    assert world.metric("avg_bids", "S1") == pytest.approx((2.0, 6, 3))
    assert world.metric("award_near_hps_rate", "S1") == pytest.approx((0.5, 1, 2))
    assert world.metric("failed_rate", "S1") == pytest.approx((0.2, 1, 5))
    assert world.metric("avg_bids", "S2") == (0.0, 0, 1)  # no offers recorded counts as 0
    # the K/L/PD row (kd_satker null) sums both work units
    assert world.metric("tenders_finished") == (4, 4, None)
    assert world.metric("single_bid_rate") == pytest.approx((0.5, 2, 4))
    assert world.metric("award_near_hps_rate") == pytest.approx((2 / 3, 2, 3))
    assert world.metric("failed_rate") == pytest.approx((1 / 6, 1, 6))


def test_near_hps_ratio_is_a_setting(world):
    world.process(hps=100 * JT, contract_value=90 * JT)
    world.build(overrides={"near_hps_ratio": 0.9})
    assert world.metric("award_near_hps_rate") == (1.0, 1, 1)


def test_value_shares_by_hand(world):
    world.process(pagu=600 * JT, contract_value=500 * JT, umk_value=100 * JT, pdn_value=400 * JT)
    world.process(kind="non_tender", method="Pengadaan Langsung", pagu=150 * JT,
                  contract_value=100 * JT, umk_value=100 * JT, pdn_value=None)
    world.process(kind="pencatatan_non_tender", method="Pengadaan Langsung", pagu=50 * JT,
                  contract_value=None, umk_value=10 * JT)  # no contract value: not in UMK share
    world.process(kind="darurat", method="Darurat", pagu=100 * JT)
    world.process(kind="swakelola", method="Swakelola Tipe 1", pagu=100 * JT,
                  contract_value=80 * JT)
    world.process(kind="epurchasing", method="E-Purchasing", pagu=None,
                  contract_value=320 * JT)
    world.build()
    # non-competitive: 150 + 50 + 100 of 600 + 150 + 50 + 100 + 100
    assert world.metric("non_competitive_value_share") == pytest.approx((0.3, 300 * JT, 1000 * JT))
    assert world.metric("umk_value_share") == pytest.approx((200 / 600, 200 * JT, 600 * JT))
    assert world.metric("pdn_value_share") == pytest.approx((0.8, 400 * JT, 500 * JT))
    # e-purchasing: 320 of 500 + 100 + 80 + 320
    assert world.metric("epurchasing_value_share") == pytest.approx((0.32, 320 * JT, 1000 * JT))


def test_counts_flags_and_empty_units(world):
    pl = {"kind": "non_tender", "method": "Pengadaan Langsung", "category": "Pengadaan Barang"}
    world.process(**pl, hps=200 * JT)  # at the ceiling: no flag
    world.process(**pl, hps=200 * JT + 1)  # ID-C01
    world.process(**pl, hps=300 * JT, kd_satker=None)  # ID-C01, K/L/PD row only
    world.process(hps=100 * JT, contract_value=95 * JT, awarded_at=wib("2025-03-20"))  # PFA only
    world.process(kd_satker="S2", kind="epurchasing", method="E-Purchasing",
                  contract_value=JT)
    world.build()
    assert world.metric("pl_above_ceiling", "S1") == (1, 1, None)
    assert world.metric("pl_above_ceiling") == (2, 2, None)
    # PFA scores alone are not flags: 1 flagged of 3 processes in S1
    assert world.metric("flagged_share", "S1") == pytest.approx((1 / 3, 1, 3))
    assert world.metric("flagged_share") == pytest.approx((0.4, 2, 5))
    # a unit with no tender: counts are 0, rates null with denominator 0
    assert world.metric("tenders_finished", "S2") == (0, 0, None)
    assert world.metric("single_bid_rate", "S2") == (None, 0, 0)
    # with a PFA cut-off configured, the tender's total (1 + 1 + 1 = 3) counts as flagged
    world.build(overrides={"flagged_share_pfa_min_total": 3})
    assert world.metric("flagged_share", "S1") == pytest.approx((2 / 3, 2, 3))
    assert world.metric("flagged_share") == pytest.approx((0.6, 3, 5))


def test_cardinal_flags_count_in_flagged_share(world):
    pid = world.process()
    world.process()
    world.con.execute("CREATE TABLE core.flags_cardinal AS SELECT 'isb' AS source, "
                      "'tender' AS kind, $p AS source_id, 'R018' AS code, "
                      "1.0::DOUBLE AS value, 'OCID' AS grp, "
                      "$p AS entity_id, NULL::VARCHAR AS description", {"p": pid})
    world.build()
    assert world.metric("flagged_share") == pytest.approx((0.5, 1, 2))


def test_one_row_per_unit_year_metric(world):
    world.process(year=2024)
    world.process(kd_satker="S2")
    world.process(kd_klpd=None)  # not attributable: left out
    world.build()
    rows = world.con.execute(
        "SELECT kd_klpd, kd_satker, year, count(*), count(DISTINCT metric) FROM agency_metrics "
        "GROUP BY ALL ORDER BY ALL").fetchall()
    assert rows == [("D001", "S1", 2024, 11, 11), ("D001", "S2", 2025, 11, 11),
                    ("D001", None, 2024, 11, 11),
                    ("D001", None, 2025, 11, 11)]
    comments = dict(world.con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'agency_metrics'"
    ).fetchall())
    assert all(comments.values())


# --- Kab. Bandung 2025: the same metrics computed independently in Python -------------------

def _unit_keys(row):
    yield (row["kd_klpd"], None, row["year"])
    if row["kd_satker"] is not None:
        yield (row["kd_klpd"], row["kd_satker"], row["year"])


def _c01_ceiling(row):
    """ID-C01's ceiling, written again from the regulation (indicators.md §5.1)."""
    cat = (row["category"] or "").lower()
    if cat.startswith("jasa konsultansi"):
        return 100 * JT
    if cat in {"pengadaan barang", "jasa lainnya"}:
        return 200 * JT
    if cat == "pekerjaan konstruksi":
        day = row["announced_at"]
        return 400 * JT if day is None or day.date() >= date(2025, 4, 30) else 200 * JT
    return None


def python_metrics(con: duckdb.DuckDBPyConnection) -> dict:  # noqa: C901 - a branch per metric
    cols = ["kind", "source", "source_id", "kd_klpd", "kd_satker", "year", "status_class",
            "method", "category", "pagu", "hps", "contract_value", "n_bids", "umk_value",
            "pdn_value", "announced_at"]
    rows = [dict(zip(cols, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(cols)} FROM tenders WHERE kd_klpd IS NOT NULL AND year IS NOT NULL"
    ).fetchall()]
    # pantau's checks carry the process kind (source_id alone repeats across kinds in ISB);
    # so does every flag.
    flagged = set(con.execute(
        "SELECT kind, source, source_id FROM core.compliance_results WHERE code NOT LIKE 'PFA%' "
        "UNION SELECT f.kind, f.source, f.source_id FROM core.flags f "
        "WHERE f.grp = 'OCID' AND f.code NOT LIKE 'ID-C%' "
        "AND f.code NOT LIKE 'PFA%'").fetchall())
    acc = defaultdict(lambda: [0.0, 0.0])
    units = set()

    def add(row, metric, num, den=0.0):
        for key in _unit_keys(row):
            acc[(*key, metric)][0] += float(num)
            acc[(*key, metric)][1] += float(den)

    for r in rows:
        units.update(_unit_keys(r))
        tender, finished = r["kind"] == "tender", r["status_class"] == "finished"
        if tender and finished:
            add(r, "tenders_finished", 1)
            add(r, "single_bid_rate", r["n_bids"] == 1, 1)
            add(r, "avg_bids", r["n_bids"] or 0, 1)
            if r["contract_value"] is not None and (r["hps"] or 0) > 0:
                add(r, "award_near_hps_rate", r["contract_value"] >= r["hps"] * 95 / 100, 1)
        if tender:
            add(r, "failed_rate", r["status_class"] == "failed", 1)
        if r["pagu"] is not None:
            noncomp = r["kind"] in {"non_tender", "pencatatan_non_tender", "darurat"}
            add(r, "non_competitive_value_share", r["pagu"] if noncomp else 0, r["pagu"])
        value = r["hps"] or r["pagu"]
        ceiling = _c01_ceiling(r)
        if r["method"] == "Pengadaan Langsung" and ceiling and value is not None \
                and value > ceiling:
            add(r, "pl_above_ceiling", 1)
        add(r, "flagged_share", (r["kind"], r["source"], r["source_id"]) in flagged, 1)
        if r["contract_value"] is not None:
            for metric, part in (("umk_value_share", "umk_value"),
                                 ("pdn_value_share", "pdn_value")):
                if r[part] is not None:
                    add(r, metric, r[part], r["contract_value"])
            add(r, "epurchasing_value_share",
                r["contract_value"] if r["kind"] == "epurchasing" else 0, r["contract_value"])
    out = {}
    for unit in units:
        for metric in METRICS:
            num, den = acc.get((*unit, metric), [0.0, 0.0])
            count = metric in {"tenders_finished", "pl_above_ceiling"}
            value = num if count else (num / den if den else None)
            out[(*unit, metric)] = (value, num, None if count else den)
    return out


def test_bandung_metrics_match_python(bandung_analyst: Path):
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        expected = python_metrics(con)
        got = {(r[0], r[1], r[2], r[3]): (r[4], r[5], r[6]) for r in con.execute(
            "SELECT kd_klpd, kd_satker, year, metric, value, numerator, denominator "
            "FROM agency_metrics").fetchall()}
    assert set(got) == set(expected)
    for key, (value, num, den) in expected.items():
        g_value, g_num, g_den = got[key]
        assert g_num == pytest.approx(num, rel=1e-12), key
        assert (g_den is None) == (den is None), key
        if den is not None:
            assert g_den == pytest.approx(den, rel=1e-12), key
        if value is None:
            assert g_value is None, key
        else:
            assert g_value == pytest.approx(value, rel=1e-12), key


def test_bandung_headline_numbers_from_raw_files(bandung_analyst: Path, bandung_dir: Path):
    """The K/L/PD totals checked once more straight from the captured JSON, bypassing core."""
    announced = json.loads((bandung_dir / "SPSE-TenderPengumuman.json").read_bytes())
    d107 = [t for t in announced if t.get("kd_klpd") == "D107"]
    finished = sum(t["status_tender"] == "Selesai" for t in d107)
    failed = sum(t["status_tender"] == "Gagal/Batal" for t in d107)
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        got = dict(con.execute(
            "SELECT metric, (value, numerator, denominator) FROM agency_metrics "
            "WHERE kd_klpd = 'D107' AND year = 2025 AND kd_satker IS NULL").fetchall())
    assert got["tenders_finished"][0] == finished
    assert got["failed_rate"][1:] == (failed, len(d107))
    assert got["pl_above_ceiling"][0] >= 1
