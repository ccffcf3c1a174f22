"""Issue 15: SPSE tender pages as they really are, parsed and landed.

The real eproc4 captures (../shared/data/spse-eproc4-jakarta-2022/) are parsed by header text;
the expected values are read from the same HTML a second, independent way: by cell position
with regular expressions (the column order read by eye from the header, see the data README),
never from the parser itself. The night at the end serves those pages (and two tenders built
from them: masked participants, pages in an unknown layout) from a stand-in portal.
"""

from __future__ import annotations

import functools
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import SHARED, require_shared
from pantau.connectors import spse
from pantau.connectors import spse_pages as pages
from pantau.connectors.spse_budget import FINAL
from pantau.flows import steps
from pantau.flows.config import build_config

from pantau.simulator.server import Simulator
from pantau.simulator.spse import grid, info_rows, page

JAKARTA = SHARED / "data" / "spse-eproc4-jakarta-2022"
SEMARANG = SHARED / "data" / "spse-dt-lelang-2021" / "kota-semarang.json"
CODE = "52349127"


@pytest.fixture(scope="module")
def jakarta() -> Path:
    return require_shared(JAKARTA)


def html(name: str) -> str:
    return (JAKARTA / name).read_text()


def rupiah(text: str) -> int | float | None:
    """``Rp. 49.802.888.461,02`` read independently of the parser, as the JSON number a page
    record holds (whole rupiah an integer)."""
    digits = text.strip().removeprefix("Rp.").strip()
    if not digits:
        return None
    value = Decimal(digits.replace(".", "").replace(",", "."))
    return int(value) if value == value.to_integral_value() else float(value)


def body_rows(text: str) -> list[list[str]]:
    """Each ``<tr>`` of the page's ``<tbody>``, as the raw HTML of its ``<td>`` cells."""
    tbody = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr, re.DOTALL) for tr in tbody.split("<tr>")]
    return [r for r in rows if r]


def clean(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def icon(cell: str) -> bool | None:
    if "star.gif" in cell or "fa-check" in cell:
        return True
    return False if "fa-close" in cell else None


# --- the eproc4 tender, page by page ------------------------------------------------------------


def test_participants_page(jakarta: Path) -> None:
    rows = body_rows(html("peserta.html"))  # No, Nama Peserta, NPWP, Harga Penawaran, Terkoreksi
    parsed = pages.parse_participants((jakarta / "peserta.html").read_bytes())
    assert len(parsed) == len(rows) == 137
    for got, cells in zip(parsed, rows, strict=True):
        assert got == {
            "no": int(clean(cells[0])),
            "nama": clean(cells[1]),
            "npwp": clean(cells[2]),
            "harga_penawaran": rupiah(clean(cells[3])),
            "harga_terkoreksi": rupiah(clean(cells[4])),
            "masked": False,
        }
    offers = [r for r in parsed if r["harga_penawaran"] is not None]
    assert len(offers) == 6
    assert all(re.fullmatch(r"\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}", r["npwp"]) for r in parsed)


def test_evaluation_page_letters_words_and_star(jakarta: Path) -> None:
    # Columns by position (the header read by eye): No, "NAME - NPWP", K, B, A, T, Penawaran,
    # Penawaran Terkoreksi, H, P (winner: star.gif), PK, Alasan.
    rows = body_rows(html("hasil-evaluasi.html"))
    parsed = pages.parse_evaluation((jakarta / "hasil-evaluasi.html").read_bytes())
    assert len(parsed) == len(rows) == 137
    for got, c in zip(parsed, rows, strict=True):
        name, npwp = clean(c[1]).rsplit(" - ", 1)
        assert got == {
            "no": int(clean(c[0])), "nama": name, "npwp": npwp, "masked": False,
            "evaluasi_kualifikasi": icon(c[2]), "pembuktian_kualifikasi": icon(c[3]),
            "evaluasi_administrasi": icon(c[4]), "evaluasi_teknis": icon(c[5]),
            "penawaran": rupiah(clean(c[6])), "penawaran_terkoreksi": rupiah(clean(c[7])),
            "evaluasi_harga_biaya": icon(c[8]), "pemenang": "star.gif" in c[9],
            "pemenang_berkontrak": "star.gif" in c[10], "alasan": clean(c[11]) or None,
        }
    [winner] = [r for r in parsed if r["pemenang"]]
    assert html("hasil-evaluasi.html").count("star.gif") == 1
    assert (winner["nama"], winner["npwp"]) == ("PT. DUTARAYA DINAMETRO", "01.544.863.2-009.000")
    assert winner["penawaran_terkoreksi"] == 49_802_888_461.02
    assert sum(r["penawaran"] is not None for r in parsed) == 6
    flags = [v for r in parsed for k, v in r.items() if k.startswith(("evaluasi", "pembuktian"))]
    assert flags.count(False) == html("hasil-evaluasi.html").count("fa-close") == 3
    assert sum(r["alasan"] is not None for r in parsed) == 3
    assert not any(r["pemenang_berkontrak"] for r in parsed)  # PK: no contract yet


def test_winner_page_and_empty_contract_page(jakarta: Path) -> None:
    text = html("pemenang.html")
    info = dict(re.findall(r"<th[^>]*>([^<]+)</th>\s*<td>([^<]+)</td>", text))
    winner = pages.parse_winner((jakarta / "pemenang.html").read_bytes())
    assert winner["nilai_pagu_paket"] == rupiah(info["Pagu"]) == Decimal(59_000_000_000)
    assert winner["nilai_hps_paket"] == rupiah(info["HPS"]) == Decimal(58_938_321_000)
    assert (winner["nama_paket"], winner["satuan_kerja"]) == (
        info["Nama Tender"], info["Satuan Kerja"])
    [row] = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*"
                       r"<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", text, re.DOTALL)
    assert winner["pemenang"] == [{
        "nama_pemenang": clean(row[0]), "alamat": clean(row[1]), "npwp": clean(row[2]),
        "harga_penawaran": rupiah(row[3]), "harga_terkoreksi": rupiah(row[4]),
    }]
    assert winner["pemenang"][0]["npwp"] == "01.544.863.2-009.000"
    # The contract page holds its table and no row: no contract yet, not an error.
    assert pages.parse_winner((jakarta / "pemenang-berkontrak.html").read_bytes()) == {
        "pemenang": []}


def test_announcement_page(jakarta: Path) -> None:
    text = html("index.html")
    got = pages.parse_announcement((jakarta / "index.html").read_bytes())
    assert (got["kode"], got["nama_paket"], got["label_paket"]) == (
        CODE, "Pembangunan Waduk Marunda Tahap I", "Evaluasi Ulang")
    assert got["rup"] == [{"kode_rup": "35746423", "sumber_dana": "APBD",
                           "nama_paket": "Pembangunan Waduk Marunda Tahap I"}]
    assert got["tanggal_pembuatan"] == "2022-04-28"
    assert (got["tahap"], got["final"]) == ("Penandatanganan Kontrak", False)
    assert got["klpd"] == "Pemerintah Daerah Provinsi DKI Jakarta"
    assert got["satuan_kerja"] == "DINAS SUMBER DAYA AIR"
    assert got["metode_pengadaan"] == (
        "Tender - Pascakualifikasi Satu File - Harga Terendah Sistem Gugur")
    assert got["tahun_anggaran"]["tahun"] == 2022
    pagu, hps = re.findall(r"<td[^>]*>(Rp\.[^<]+)</td>", text)
    assert (got["nilai_pagu_paket"], got["nilai_hps_paket"]) == (rupiah(pagu), rupiah(hps))
    assert got["peserta"] == int(re.search(r"(\d+) peserta", text).group(1)) == 137
    assert got["lokasi_pekerjaan"] == ["Waduk Marunda - Jakarta Utara (Kota)"]
    assert got["kualifikasi_usaha"] == "Besar"


# --- layouts the parsers must refuse or read without a capture ---------------------------------


def _content(inner: str) -> bytes:
    return f'<html><body><div class="content">{inner}</div></body></html>'.encode()


def test_masked_participants_are_registrations() -> None:
    body = _content(grid(["No", "Nama Peserta"], [["1", "Peserta 1"], ["2", "Peserta 2"]]))
    assert pages.parse_participants(body) == [{"no": 1, "masked": True},
                                              {"no": 2, "masked": True}]
    # masked NPWP and prices do not make a stand-in a supplier or an offer
    body = _content(grid(["No", "Nama Peserta", "NPWP", "Harga Penawaran"],
                         [["1", "Peserta ke-1", "**.***.***.*-***.***", "Rp ***"]]))
    assert pages.parse_participants(body) == [{"no": 1, "masked": True}]
    assert pages.parse_evaluation(body) == [{"no": 1, "masked": True}]


def test_unknown_column_is_a_layout_error() -> None:
    body = _content(grid(["No", "Nama Peserta", "NPWP", "Skor Rahasia"], [["1", "CV A", "", ""]]))
    with pytest.raises(pages.LayoutError, match="unknown column 'Skor Rahasia'"):
        pages.parse_evaluation(body)
    with pytest.raises(pages.LayoutError, match="a column without header holds values"):
        pages.parse_participants(_content(grid(["No", "Nama Peserta", ""], [["1", "CV A", "x"]])))
    # an unnamed spacer column that holds nothing is no layout change
    assert pages.parse_participants(_content(grid(["No", "Nama Peserta", ""],
                                                  [["1", "CV A", ""]])))[0]["nama"] == "CV A"
    with pytest.raises(pages.LayoutError, match="peserta page without a table"):
        pages.parse_participants(_content("<p>Daftar peserta dipindahkan</p>"))
    with pytest.raises(pages.LayoutError, match="winner page without a table"):
        pages.parse_winner(_content(grid(["Penyedia Terpilih", "NPWP"], [["CV A", "1"]])))


@pytest.mark.parametrize("inner", ["", '<table class="table table-sm"></table>',
                                   "<p>Belum ada peserta</p>", "<p>Tidak ada data</p>"])
def test_nothing_published_yet_is_empty_not_an_error(inner: str) -> None:
    for parse in (pages.parse_participants, pages.parse_evaluation, pages.parse_schedule):
        assert parse(_content(inner)) == []
    assert pages.parse_winner(_content(inner)) == {"pemenang": []}


def test_marks_known_and_unknown() -> None:
    def mark(cell: str) -> tuple[bool | None, bool | None]:
        [row] = pages.parse_evaluation(_content(grid(["No", "Nama Peserta", "A", "PK"],
                                                     [["1", "CV A", cell, cell]])))
        return row["evaluasi_administrasi"], row["pemenang_berkontrak"]
    assert mark('<i class="fa fa-check-circle"></i>') == (True, True)
    assert mark('<i class="fa fa-star"></i>') == (True, True)
    assert mark('<i class="fa fa-times"></i>') == (False, False)
    assert mark('<i class="fa fa-minus"></i>') == (None, False)
    assert mark("") == (None, False)
    for unknown in ('<i class="fa fa-question"></i>', '<img src="/x/trophy.png">', "Lulus"):
        with pytest.raises(pages.LayoutError, match="no known mark"):
            mark(unknown)


def test_a_lone_p_column_is_read_from_its_cells() -> None:
    def one_p(cell: str) -> dict[str, Any]:
        [row] = pages.parse_evaluation(_content(grid(["No", "Nama Peserta", "P"],
                                                     [["1", "CV A - 01.234.567.8-901.000", cell]])))
        return row
    assert one_p('<img src="/x/star.gif">')["pemenang"] is True
    assert one_p("Rp 5.000,00")["penawaran"] == 5000


@pytest.mark.parametrize("text", ["31 Februari 2025", "29 Februari 2025 08:00", "31-04-2026"])
def test_impossible_dates_are_errors(text: str) -> None:
    with pytest.raises(ValueError, match="impossible date"):
        pages.parse_date(text)
    assert pages.parse_date("29 Februari 2024") == "2024-02-29"


# --- the real Kota Semarang listing, whole -------------------------------------------------------


def test_kota_semarang_listing_lands_whole() -> None:
    raw = json.loads(require_shared(SEMARANG).read_bytes())["data"]
    listing = pages.parse_listing(SEMARANG.read_bytes(), "lelang")
    assert not listing.rejected
    assert [r["kode"] for r in listing.rows] == [r[0] for r in raw]
    assert {len(r["cells"]) for r in listing.rows} == {14}
    for row, cells in zip(listing.rows, raw, strict=True):
        m = re.fullmatch(r"(.*) - TA (?:(\d{4})\S*|null)", cells[8])
        assert (row["jenis_pengadaan"], row["tahun"]) == (
            m.group(1), int(m.group(2)) if m.group(2) else None)
        label = re.search(r"<span[^>]*>(.*?)</span>", cells[1])
        assert row.get("label_paket") == (label.group(1) if label else None)
        assert "<" not in row["nama_paket"]
        contract = cells[10]
        assert row["nilai_kontrak_rp"] == (None if contract.startswith("Nilai Kontrak belum")
                                           else rupiah(contract.replace("Rp ", "Rp. ")))
    assert sum(r["tahun"] is None for r in listing.rows) == sum(
        "TA null" in r[8] for r in raw)
    # A first fetch of each real package asks every detail page: finished ones are final, and
    # the two in progress ("Tidak Ada Jadwal", "Pengumuman Pascakualifikasi [...]") are at a
    # stage that cannot be told.
    every = tuple(name for name, _ in spse.DETAIL_PAGES["lelang"])
    stages = {spse.listing_stage(r) for r in listing.rows}
    assert stages == {FINAL, None}
    assert {spse.pages_due("lelang", spse.listing_stage(r)) for r in listing.rows} == {every}


@pytest.mark.parametrize("eproc4", [True, False])
def test_pl_rows_in_either_layout(eproc4: bool) -> None:
    # No dt/pl capture: an eproc4 row shaped like dt/lelang's (14 cells, the year at index 8),
    # and the national one the parser assumes (the year at index 6, sources.md §1.2).
    cells: list[str | None] = (
        ["123", "Belanja <span class='label label-warning'>Pengadaan Ulang</span>", "Kota X",
         "Paket Sudah Selesai", "150 Jt", "Pengadaan Langsung", "Pengadaan Langsung",
         "Harga Terendah", "Pengadaan Barang - TA null", "3", "Rp 145.000.000,00", None, None,
         "0"] if eproc4 else
        ["123", "Belanja <span class='badge badge-warning'>Pengadaan Ulang</span>", "Kota X",
         "Paket Sudah Selesai", "150 Jt", "Pengadaan Langsung", "Pengadaan Barang - TA 2026",
         "Nilai Kontrak belum dibuat"])
    row = pages.listing_row(cells, "pl")
    assert (row["kode"], row["nama_paket"], row["label_paket"]) == (
        "123", "Belanja", "Pengadaan Ulang")
    assert (row["jenis_pengadaan"], row["tahun"]) == (
        "Pengadaan Barang", None if eproc4 else 2026)
    assert (row["hps_rp"], row["nilai_kontrak_rp"]) == (
        150_000_000, 145_000_000 if eproc4 else None)
    assert row["metode_pemilihan"] == "Pengadaan Langsung"


# --- a night against a stand-in portal serving the real pages -----------------------------------

MASKED, BROKEN, EVALUATED = "52349128", "52349129", "52349130"
SCHEDULE_HEADER = ["No", "Tahap", "Mulai", "Sampai", "Perubahan"]


def listing_row(code: str, title: str) -> list[str | None]:
    """An eproc4 dt/lelang row of 14 cells, as Kota Semarang's real answer has them."""
    return [code, title, "Pemerintah Daerah Provinsi DKI Jakarta", "Penandatanganan Kontrak",
            "58,9 M", "Pascakualifikasi Satu File", "Tender", "Harga Terendah Sistem Gugur",
            "Pekerjaan Konstruksi - TA 2022", "3", "Nilai Kontrak belum dibuat", None, None, "0"]


def announcement(code: str, title: str) -> bytes:
    rows = info_rows([("Kode Tender", code), ("Nama Tender", title),
                      ("Tanggal Pembuatan", "2 Mei 2022"), ("Satuan Kerja", "DINAS SIMULASI"),
                      ("Nilai Pagu Paket", "Rp. 1.000.000.000,00"),
                      ("Peserta Tender", "5 peserta")])
    return page("jakarta", "Tender", f'<table class="table">{rows}</table>')


def write_portal(root: Path) -> Path:
    """The stand-in's files: the real Jakarta pages as captured, a masked tender, a broken one."""
    root.mkdir()
    (root / "dt_lelang.json").write_text(json.dumps({
        "draw": 1, "recordsTotal": 3, "recordsFiltered": 3,
        "data": [listing_row(CODE, "Pembangunan Waduk Marunda Tahap I"),
                 listing_row(MASKED, "Paket Tertutup"), listing_row(BROKEN, "Paket Berubah"),
                 listing_row(EVALUATED, "Paket Dievaluasi")]}))
    real = root / "lelang" / CODE
    real.mkdir(parents=True)
    for name in ("index.html", "peserta.html", "hasil-evaluasi.html", "pemenang.html",
                 "pemenang-berkontrak.html"):
        (real / name).symlink_to(JAKARTA / name)
    schedule = [["1", "Pengumuman Pascakualifikasi", "28 April 2022 08:00", "6 Mei 2022 23:59", ""],
                ["2", "Penetapan Pemenang", "1 Agustus 2022 08:00", "2 Agustus 2022 16:00", ""]]
    (real / "jadwal.html").write_bytes(page("jakarta", "Jadwal", grid(SCHEDULE_HEADER, schedule)))
    empty = page("jakarta", "Pemenang", '<table class="table table-sm"></table>')
    masked = root / "lelang" / MASKED
    masked.mkdir(parents=True)
    (masked / "index.html").write_bytes(announcement(MASKED, "Paket Tertutup"))
    (masked / "peserta.html").write_bytes(page("jakarta", "Peserta", grid(
        ["No", "Nama Peserta"], [[str(n), f"Peserta {n}"] for n in range(1, 6)])))
    (masked / "jadwal.html").write_bytes(page("jakarta", "Jadwal", grid(SCHEDULE_HEADER, [])))
    (masked / "hasil.html").write_bytes(page("jakarta", "Hasil", grid(
        ["No", "Nama Peserta", "Penawaran", "Alasan"], [])))
    for name in ("pemenang.html", "pemenangberkontrak.html"):
        (masked / name).write_bytes(empty)
    broken = root / "lelang" / BROKEN
    broken.mkdir(parents=True)
    (broken / "index.html").write_bytes(announcement(BROKEN, "Paket Berubah"))
    (broken / "peserta.html").write_bytes(page("jakarta", "Peserta", grid(
        ["No", "Nama Peserta", "NPWP", "Harga Penawaran", "Harga Terkoreksi"],
        [["1", "CV Satu", "01.234.567.8-901.000", "Rp. 900.000.000,00", "Rp. 900.000.000,00"],
         ["2", "CV Dua", "02.234.567.8-901.000", "Rp. 950.000.000,00", "Rp. 950.000.000,00"]])))
    (broken / "jadwal.html").write_bytes(page("jakarta", "Jadwal", grid(
        SCHEDULE_HEADER, [["1", "Pengumuman", "31 Februari 2022 08:00", "3 Maret 2022", ""]])))
    (broken / "hasil.html").write_bytes(page("jakarta", "Hasil", grid(
        ["No", "Nama Peserta", "Skor Rahasia"], [["1", "CV Satu", "9"]])))
    (broken / "pemenang.html").write_bytes(empty)  # and no contract page: not found
    # Registrations still masked, the evaluation already naming them (eproc4 layout).
    evaluated = root / "lelang" / EVALUATED
    evaluated.mkdir(parents=True)
    (evaluated / "index.html").write_bytes(announcement(EVALUATED, "Paket Dievaluasi"))
    (evaluated / "peserta.html").write_bytes(page("jakarta", "Peserta", grid(
        ["No", "Nama Peserta"], [[str(n), f"Peserta {n}"] for n in range(1, 4)])))
    (evaluated / "jadwal.html").write_bytes(page("jakarta", "Jadwal", grid(SCHEDULE_HEADER, [])))
    star = '<img src="/eproc4/public/images/star.gif" />'
    (evaluated / "hasil.html").write_bytes(page("jakarta", "Hasil", grid(
        ["No", "Nama Peserta", "Penawaran", "Penawaran Terkoreksi", "P", "Alasan"],
        [["1", "CV Tiga - 03.234.567.8-901.000", "Rp. 800.000.000,00", "Rp. 790.000.000,00",
          star, ""],
         ["2", "CV Empat - 04.234.567.8-901.000", "Rp. 850.000.000,00", "Rp. 850.000.000,00",
          "", "Harga tidak wajar"],
         ["3", "CV Lima - 05.234.567.8-901.000", "", "", "", ""]])))
    for name in ("pemenang.html", "pemenangberkontrak.html"):
        (evaluated / name).write_bytes(empty)
    return root


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory, jakarta: Path) -> Path:
    tmp = tmp_path_factory.mktemp("spse-real")
    with Simulator(replay=write_portal(tmp / "portal")) as sim:
        cfg = build_config({
            "database": {"path": str(tmp / "pantau.duckdb")}, "run": {"years": [2022]},
            "regions": [{"spse_slug": "jakarta"}],
            "sources": {"spse": {"enabled": True, "base_url": sim.url, "lists": ["lelang"],
                                 "min_interval_seconds": 0}},
            "http": {"min_interval_seconds": 0, "backoff_seconds": 0.01, "max_attempts": 2,
                     "timeout_seconds": 5}}, secrets={})
        with ThreadPoolExecutor(max_workers=2) as pool:
            summary = steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),
                                      run_date=date(2022, 9, 1))
    assert summary.failed == []
    return cfg.analyst_path


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_night_lands_the_real_tender_completely(night: Path) -> None:
    [t] = query(night, "SELECT source, title, hps, pagu, n_registered, n_participants, n_bids, "
                "supplier_npwp, supplier_name, contract_value, kd_rup, satker_name FROM tenders "
                "WHERE source_id = ?", CODE)
    assert t == ("spse", "Pembangunan Waduk Marunda Tahap I", Decimal(58_938_321_000),
                 Decimal(59_000_000_000), 137, 137, 6, "015448632009000", "PT. DUTARAYA DINAMETRO",
                 None, "35746423", "DINAS SUMBER DAYA AIR")
    rows = body_rows(html("hasil-evaluasi.html"))
    assert query(night, "SELECT count(*), count(*) FILTER (WHERE is_bid), "
                 "count(*) FILTER (WHERE is_winner), count(reason) FROM bids WHERE source_id = ?",
                 CODE) == [(len(rows), 6, 1, 3)]
    [w] = query(night, "SELECT supplier_npwp, supplier_name, offer_value, corrected_value, "
                "passed_administration, passed_qualification FROM bids "
                "WHERE source_id = ? AND is_winner", CODE)
    assert w == ("015448632009000", "PT. DUTARAYA DINAMETRO", Decimal("49802888461.02"),
                 Decimal("49802888461.02"), True, True)
    # Eliminated bidders keep their reasons and their failed stage.
    failed = query(night, "SELECT supplier_name, reason FROM bids WHERE source_id = ? AND "
                   "(passed_administration = false OR passed_technical = false "
                   "OR passed_qualification = false) ORDER BY 1", CODE)
    expected = sorted((clean(c[1]).rsplit(" - ", 1)[0], clean(c[11])) for c in rows
                      if "fa-close" in "".join(c[2:9]))
    assert failed == expected
    assert len(failed) == 3


def test_spse_evaluation_feeds_cardinal_bid_indicators(night: Path) -> None:
    rows = body_rows(html("hasil-evaluasi.html"))
    offers = [(rupiah(clean(c[7])), "fa-close" in "".join(c[2:9])) for c in rows if clean(c[6])]
    valid = sorted(v for v, eliminated in offers if not eliminated)
    statuses = dict(query(night, "SELECT status, count(*) FROM core.ocds_bid_rows "
                          "WHERE source_id = ? GROUP BY 1", CODE))
    assert statuses == {"valid": len(valid), "disqualified": len(offers) - len(valid),
                        "invited": len(rows) - len(offers)}
    flags = dict(query(night, "SELECT code, value FROM flags WHERE source_id = ?", CODE))
    # R036: the lowest offer (PT. BUMI SELATAN PERKASA) was eliminated
    assert min(offers)[1] is True
    assert flags["R036"] == 1.0
    # R024 / R058: the second-lowest valid offer against the winner's
    assert flags["R024"] == pytest.approx((valid[1] - valid[0]) / valid[0])


def test_masked_participants_land_no_supplier_and_no_offer(night: Path) -> None:
    assert query(night, "SELECT n_registered, n_participants, n_bids, supplier_npwp FROM tenders "
                 "WHERE source_id = ?", MASKED) == [(5, None, None, None)]
    assert query(night, "SELECT count(*) FROM bids WHERE source_id = ?", MASKED) == [(0,)]
    assert query(night, "SELECT count(*) FROM suppliers WHERE name ILIKE 'peserta%'") == [(0,)]
    assert query(night, "SELECT count(*) FROM bids WHERE supplier_name ILIKE 'peserta%'") == [(0,)]


def test_published_evaluation_replaces_masked_registrations(night: Path) -> None:
    assert query(night, "SELECT n_registered, n_participants, n_bids, supplier_npwp, "
                 "supplier_name FROM tenders WHERE source_id = ?", EVALUATED) == [
        (3, 3, 2, "032345678901000", "CV Tiga")]
    assert query(night, "SELECT supplier_name, supplier_npwp, offer_value, corrected_value, "
                 "is_winner, reason FROM bids WHERE source_id = ? ORDER BY 1", EVALUATED) == [
        ("CV Empat", "042345678901000", Decimal(850_000_000), Decimal(850_000_000), False,
         "Harga tidak wajar"),
        ("CV Lima", "052345678901000", None, None, False, None),
        ("CV Tiga", "032345678901000", Decimal(800_000_000), Decimal(790_000_000), True, None)]


def test_unknown_layout_is_quarantined_whole_and_counted_in_runs(night: Path) -> None:
    reasons = query(night, "SELECT dataset, reason FROM quarantine ORDER BY dataset")
    assert [d for d, _ in reasons] == ["detail/lelang/hasil", "detail/lelang/jadwal",
                                       "detail/lelang/pemenang_berkontrak"]
    assert "unknown column 'Skor Rahasia'" in reasons[0][1]
    assert "impossible date: '31 Februari 2022 08:00'" in reasons[1][1]
    assert "not found" in reasons[2][1]
    assert all(f"of lelang {BROKEN}:" in r for _, r in reasons)
    runs = query(night, "SELECT dataset, n_records, n_quarantined FROM runs "
                 "WHERE dataset LIKE 'detail/lelang%' ORDER BY dataset")
    assert runs == [("detail/lelang", 4, 0), ("detail/lelang/hasil", 0, 1),
                    ("detail/lelang/jadwal", 0, 1), ("detail/lelang/pemenang_berkontrak", 0, 1)]
    # The package is not final: the next night fetches it again.
    [state] = query(night, "SELECT payload->>'final', payload->'quarantined' FROM "
                    "raw.spse_detail WHERE key = ?", f"lelang|{BROKEN}")
    assert state == ("false", '["hasil","jadwal","pemenang_berkontrak"]')
    # The package keeps what its other pages gave, and guesses nothing from the broken ones.
    assert query(night, "SELECT n_participants, n_bids, announced_at IS NULL FROM tenders "
                 "WHERE source_id = ?", BROKEN) == [(2, 2, False)]
    assert query(night, "SELECT count(*) FROM schedule WHERE source_id = ?", BROKEN) == [(0,)]
    assert query(night, "SELECT list_sort(list(supplier_name)), count(passed_administration) "
                 "FROM bids WHERE source_id = ?", BROKEN) == [(["CV Dua", "CV Satu"], 0)]


def test_kota_semarang_answer_lands_whole(tmp_path: Path) -> None:
    """The real 3103-row eproc4 answer served as the listing: every package is a tender row."""
    raw = json.loads(require_shared(SEMARANG).read_bytes())["data"]
    portal = tmp_path / "portal"
    portal.mkdir()
    (portal / "dt_lelang.json").symlink_to(SEMARANG)
    with Simulator(replay=portal) as sim:
        cfg = build_config({
            "database": {"path": str(tmp_path / "pantau.duckdb")}, "run": {"years": [2021]},
            "regions": [{"spse_slug": "semarangkota"}],
            "sources": {"spse": {"enabled": True, "base_url": sim.url, "lists": ["lelang"],
                                 "min_interval_seconds": 0}},
            "http": {"min_interval_seconds": 0, "max_attempts": 1, "timeout_seconds": 5}},
            secrets={})
        with ThreadPoolExecutor(max_workers=2) as pool:
            steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),
                            run_date=date(2021, 12, 31))
    got = {r[0]: r[1:] for r in query(
        cfg.analyst_path, "SELECT source_id, title, year, status, category FROM tenders "
        "WHERE kind = 'tender' AND source = 'spse'")}
    assert len(got) == len(raw) == 3103
    for cells in raw:
        title = " ".join(re.sub(r"<span.*?</span>", " ", cells[1]).split())
        category, year = re.fullmatch(r"(.*) - TA (\d{4}|null)\S*", cells[8]).groups()
        assert got[cells[0]] == (title, 2021 if year == "null" else int(year), cells[3],
                                 category)
    assert query(cfg.analyst_path, "SELECT n_records, n_quarantined FROM runs "
                 "WHERE dataset = 'dt/lelang'") == [(3103, 0)]
