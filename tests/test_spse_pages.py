"""Issue 3: the SPSE parsers on the real national-SPSE captures (read in place).

Every expected value below was read off the capture files by eye (../shared/data/
spse-national-2026/); the synthetic pages at the end stand in for page kinds with no capture.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SHARED, require_shared
from pantau.connectors import spse_pages as pages

CAPTURES = SHARED / "data" / "spse-national-2026"


@pytest.fixture(scope="module")
def cap() -> Path:
    return require_shared(CAPTURES)


def read(cap: Path, name: str) -> bytes:
    return (cap / name).read_bytes()


# --- listings -------------------------------------------------------------------------------


def test_nonspk_listing(cap: Path) -> None:
    listing = pages.parse_listing(read(cap, "dt_nonspk.json"), "nonspk")
    assert listing.records_total == 2147483647  # INT_MAX: never trusted, paging stops on empty
    assert not listing.rejected
    assert len(listing.rows) == 25
    first = listing.rows[0]
    assert first["kode"] == "10942236000"
    assert first["kind"] == "pencatatan_non_tender"
    assert first["instansi"] == "Kementerian Imigrasi dan Pemasyarakatan"
    assert first["nilai"] == "3,8 Jt"
    assert first["nilai_rp"] == 3_800_000
    assert first["metode_pemilihan"] == "Pengadaan Langsung"
    assert first["jenis_pengadaan"] == "Jasa Lainnya"
    assert first["tahun"] == 2026
    assert (first["tahap"], first["final"]) == ("Paket Sedang Berjalan", False)
    by_code = {r["kode"]: r for r in listing.rows}
    assert by_code["10941399000"]["nilai_rp"] == 800_000  # "0,8 Jt"
    assert by_code["10941886000"]["nilai_rp"] == 125_000_000  # "125 Jt"
    done = by_code["10941802000"]
    assert (done["tahap"], done["final"], done["status_class"]) == (
        "Paket Sudah Selesai",
        True,
        "finished",
    )
    assert sum(r["final"] for r in listing.rows) == 4


def test_swakelola_listing(cap: Path) -> None:
    listing = pages.parse_listing(read(cap, "dt_swakelola.json"), "swakelola")
    assert listing.records_total == 2147483647
    assert len(listing.rows) == 25
    first = listing.rows[0]
    assert (first["kode"], first["nama_paket"]) == ("10336514000", "Seleksi Pengisian Jabatan")
    assert first["nilai_rp"] == 176_300_000  # "176,3 Jt"; the detail page says Rp. 176.320.000,00
    assert first["tahun"] == 2026
    assert first["cells"][4] == "5"  # unknown column, kept as published
    assert {r["instansi"] for r in listing.rows} >= {"Kab. Lampung Selatan", "Kab. Tulang Bawang"}


def test_darurat_listing(cap: Path) -> None:
    listing = pages.parse_listing(read(cap, "dt_darurat_list.json"), "darurat-list")
    assert [r["kode"] for r in listing.rows] == ["106802", "105802", "104802"]
    assert [r["nilai_rp"] for r in listing.rows] == [500_000_000, 900_000_000, 200_000_000]
    first = listing.rows[0]
    assert first["kind"] == "darurat"
    assert first["instansi"] == "Kab. Lampung Selatan"
    assert first["jenis_pengadaan"] == "Pekerjaan Konstruksi"
    assert first["tahun"] == 2026


def test_lelang_row_with_badge_and_contract_value() -> None:
    # The real 2026 dt/lelang row layout (sources.md §1.2), 16 columns.
    row = pages.listing_row(
        [
            "10144220000",
            "Pembangunan Jalan <span class='badge  badge-warning'>Tender Ulang</span>",
            "Kota Singkawang",
            "Tender Sudah Selesai",
            "15,9 M",
            "Pascakualifikasi Satu File",
            "Tender",
            "Harga Terendah Sistem Gugur",
            "Pekerjaan Konstruksi - TA 2026",
            "5",
            "Rp. 15.602.948.688,00",
            "0",
            "1",
            "0",
            "0",
            None,
        ],
        "lelang",
    )
    assert row["nama_paket"] == "Pembangunan Jalan"
    assert row["label_paket"] == "Tender Ulang"
    assert row["hps_rp"] == 15_900_000_000
    assert (row["jenis_pengadaan"], row["tahun"]) == ("Pekerjaan Konstruksi", 2026)
    assert row["nilai_kontrak_rp"] == 15602948688
    assert row["final"] is True
    unsigned = pages.listing_row(
        [
            "1",
            "x",
            "y",
            "Masa Sanggah Hasil Tender",
            "414,4 Jt",
            "",
            "",
            "",
            "Jasa Lainnya - TA 2026",
            "5",
            "Nilai Kontrak belum dibuat",
        ],
        "lelang",
    )
    assert unsigned["hps_rp"] == 414_400_000
    assert unsigned["nilai_kontrak_rp"] is None
    assert unsigned["final"] is False


def test_bad_listing_rows_are_rejected_not_dropped() -> None:
    body = (
        b'{"draw":1,"recordsTotal":3,"data":[["123","a","b","1 Jt","x","y","2026","5","s"],'
        b'"not a row",["","no code"]]}'
    )
    listing = pages.parse_listing(body, "nonspk")
    assert [r["kode"] for r in listing.rows] == ["123"]
    assert len(listing.rejected) == 2


# --- detail pages ---------------------------------------------------------------------------


def test_nonspk_announcement(cap: Path) -> None:
    page = pages.parse_announcement(read(cap, "nonspk_pengumuman.html"))
    assert page["kode"] == "10942236000"
    assert page["nama_paket"].startswith("Pengadaan Jasa Lainnya Pengadaan Biaya Paket Data")
    assert page["rup"] == [
        {"kode_rup": "62075727", "nama_paket": page["nama_paket"], "sumber_dana": "APBN"}
    ]
    assert page["tanggal_pembuatan"] == "2026-06-10"
    assert page["klpd"] == "Kementerian Imigrasi dan Pemasyarakatan"
    assert page["satuan_kerja"] == "IM01 KANTOR IMIGRASI KELAS II TPI SABANG"
    assert page["jenis_pengadaan"] == "Jasa Lainnya"
    assert page["metode_pengadaan"] == "Pengadaan Langsung"
    assert page["tahun_anggaran"]["tahun"] == 2026
    assert page["tahun_anggaran"]["sumber_dana"] == ["APBN"]
    assert page["nilai_pagu_paket"] == 3_800_000  # "Rp. 3.800.000,00"


def test_nonspk_winner_with_contract(cap: Path) -> None:
    page = pages.parse_realisation_page(read(cap, "nonspk_pemenang_berkontrak.html"))
    assert page["nilai_pagu_paket"] == 3_800_000
    assert page["nilai_total_realisasi"] == 266_400
    assert (page["nilai_pdn"], page["nilai_umk"]) == (0, 0)
    assert page["tanggal_paket_selesai"] == "2026-12-31"
    assert page["realisasi"] == [
        {
            "no": 1,
            "jenis_realisasi": "Dokumen FA Detail",
            "nilai_realisasi": 266_400,
            "tanggal_realisasi": "2026-05-29",
            "pihak": [],
        }
    ]


def test_nonspk_winner_with_supplier_per_payment(cap: Path) -> None:
    # The "bug" page: each payment row holds a nested <tr> with its supplier table.
    page = pages.parse_realisation_page(read(cap, "nonspk_pemenang_bug_10941898000.html"))
    assert page["nama_paket"] == "Pengadaan Belanja Penambah Daya Tahan Tubuh"
    assert page["klpd"] == "Kementerian Keuangan"
    assert page["nilai_pagu_paket"] == 20_392_000
    assert page["nilai_total_realisasi"] == 495_000
    assert (page["nilai_pdn"], page["nilai_umk"]) == (495_000, 0)
    assert page["tanggal_paket_selesai"] == "2026-04-10"
    rows = page["realisasi"]
    assert [
        (r["no"], r["jenis_realisasi"], r["nilai_realisasi"], r["tanggal_realisasi"]) for r in rows
    ] == [(1, "Kuitansi", 375_000, "2026-04-10"), (2, "Kuitansi", 120_000, "2026-04-10")]
    assert sum(r["nilai_realisasi"] for r in rows) == page["nilai_total_realisasi"]
    for r in rows:
        assert r["pihak"] == [
            {
                "nama": "Diana Safitri",
                "npwp": None,
                "npwp_masked": False,
                "email": None,
                "telp": None,
                "alamat": "Mataram (Kota) Nusa Tenggara Barat",
            }
        ]


def test_darurat_pages(cap: Path) -> None:
    ann = pages.parse_announcement(read(cap, "darurat_pengumuman.html"))
    assert ann["kode"] == "106802"
    assert ann["nama_paket"].startswith("Penanganan Tanggap darurat Jalan Napak Tilas")
    assert ann["metode_pengadaan"] == "Darurat"
    assert ann["satuan_kerja"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert ann["tahun_anggaran"]["tahun"] == 2026
    assert ann["nilai_pagu_paket"] == 500_000_000
    assert ann["tanggal_pembuatan"] == "2026-06-10"
    win = pages.parse_realisation_page(read(cap, "darurat_pemenang.html"))
    assert win["nilai_total_realisasi"] == 0
    assert (win["nilai_pdn"], win["nilai_umk"]) == (None, None)  # empty cells
    assert win["tanggal_paket_selesai"] == "2026-08-03"
    assert win["realisasi"] == []


def test_swakelola_pages(cap: Path) -> None:
    ann = pages.parse_announcement(read(cap, "swakelola_pengumuman.html"))
    assert (ann["kode"], ann["nama_paket"]) == ("10336514000", "Seleksi Pengisian Jabatan")
    assert ann["rup"][0]["kode_rup"] == "43000958"
    assert ann["tanggal_pembuatan"] == "2026-06-09"
    assert ann["klpd"] == "Kementerian Ekonomi Kreatif/Badan Ekonomi Kreatif"
    assert ann["tipe_pelaksana"] == "K/L/PD Penanggung Jawab Anggaran"
    # "APBN 2026" four times over (one per funding line): one year, one source.
    assert ann["tahun_anggaran"]["tahun"] == 2026
    assert ann["tahun_anggaran"]["sumber_dana"] == ["APBN"]
    assert ann["nilai_pagu_paket"] == 176_320_000
    pel = pages.parse_realisation_page(read(cap, "swakelola_pelaksana.html"))
    assert pel["tipe_pelaksana"] == "K/L/PD Penanggung Jawab Anggaran"
    assert pel["nilai_total_realisasi"] == 800_000
    assert pel["tanggal_paket_selesai"] == "2026-12-31"
    [payment] = pel["realisasi"]
    assert (
        payment["jenis_realisasi"],
        payment["nilai_realisasi"],
        payment["tanggal_realisasi"],
    ) == ("Surat Permintaan Pembayaran", 800_000, "2026-04-08")
    [pelaksana] = payment["pihak"]
    assert pelaksana["nama"] == (
        "SEKRETARIAT KEMENTERIAN/SEKRETARIAT UTAMA KEMENTERIAN EKONOMI "
        "KREATIF/BADAN EKONOMI KREATIF"
    )
    assert (pelaksana["npwp"], pelaksana["npwp_masked"]) == ("10*1**1****35**2", True)
    assert pelaksana["alamat"].startswith("Autograph Tower Lantai 33 Kompleks Thamrin Nine")


# --- error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parse",
    [
        pages.parse_announcement,
        pages.parse_participants,
        pages.parse_realisation_page,
        pages.parse_evaluation,
        pages.parse_winner,
        pages.parse_schedule,
    ],
)
def test_error_pages_raise(cap: Path, parse: pages.PageParser) -> None:
    with pytest.raises(pages.SpseErrorPage, match="ERR500TEST") as err:
        parse(read(cap, "error_page.html"), "u")
    assert err.value.body == read(cap, "error_page.html")  # kept for the quarantine
    with pytest.raises(pages.SpseNotFound):
        parse(read(cap, "not_found_page.html"), "u")


def test_html_where_json_belongs_is_an_error(cap: Path) -> None:
    with pytest.raises(pages.SpseErrorPage):
        pages.parse_listing(read(cap, "error_page.html"), "nonspk")
    with pytest.raises(pages.SpseNotFound):
        pages.parse_listing(read(cap, "not_found_page.html"), "nonspk")
    login = b"<!DOCTYPE html><html><body><form>Login</form></body></html>"
    with pytest.raises(pages.SpseError, match="HTML page where DataTables JSON belongs") as err:
        pages.parse_listing(login, "nonspk", "http://x/dt/nonspk")
    assert err.value.body == login
    with pytest.raises(pages.SpseError, match="not a DataTables object"):
        pages.parse_listing(b'{"error": "x"}', "nonspk")


def test_terjadi_kesalahan_page() -> None:
    body = (
        b"<html><body><div class='content'><h3>Terjadi Kesalahan</h3>"
        b"<p>Kode Error: 7F3A</p></div></body></html>"
    )
    with pytest.raises(pages.SpseErrorPage, match="7F3A"):
        pages.check_page(body)
    # The words inside a script are not the page's message.
    pages.check_page(
        b"<html><body><script>var m='Terjadi Kesalahan Kode Error';</script>"
        b"<div class='content'>ok</div></body></html>"
    )


# --- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rp 1.234.567,89", Decimal("1234567.89")),
        ("Rp. 3.800.000,00", Decimal("3800000.00")),
        ("Rp. 0,00", Decimal(0)),
        ("15,9 M", Decimal(15_900_000_000)),
        ("414,4 Jt", Decimal(414_400_000)),
        ("3 M", Decimal(3_000_000_000)),
        ("0,8 Jt", Decimal(800_000)),
        ("", None),
        ("Nilai Kontrak belum dibuat", None),
    ],
)
def test_money(text: str, value: Decimal | None) -> None:
    assert pages.parse_money(text) == value


def test_money_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="not a rupiah amount"):
        pages.parse_money("seribu rupiah")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("15 Januari 2025 08:00", "2025-01-15 08:00:00"),
        ("10 Juni 2026", "2026-06-10"),
        ("3 Agustus 2026", "2026-08-03"),
        ("31 Desember 2026", "2026-12-31"),
        ("29-05-2026", "2026-05-29"),
        ("", None),
    ],
)
def test_dates(text: str, value: str | None) -> None:
    assert pages.parse_date(text) == value


def test_dates_refuse_garbage() -> None:
    for text in ("15 Smarch 2025", "2026/05/29", "32-01-2026"):
        with pytest.raises(ValueError, match="date"):
            pages.parse_date(text)


@pytest.mark.parametrize(
    ("text", "cls", "final", "step"),
    [
        ("Tender Sudah Selesai", "finished", True, None),
        ("Paket Sudah Selesai", "finished", True, None),
        ("Tender Batal", "failed", True, None),
        ("Seleksi Gagal", "failed", True, None),
        ("Evaluasi Ulang", "ongoing", False, None),
        ("Tender Ulang", "ongoing", False, None),
        ("Paket Sedang Berjalan", "ongoing", False, None),
        ("16. Penetapan Pemenang", "ongoing", False, 16),
    ],
)
def test_stages(text: str, cls: str, final: bool, step: int | None) -> None:
    stage = pages.parse_stage(text)
    assert (stage.status_class, stage.final, stage.step) == (cls, final, step)


# --- page kinds with no real capture (shapes from sources.md §1.3) ---------------------------


def test_evaluation_headers_and_icons() -> None:
    body = b"""<html><body><div class="content"><table class="table">
    <tr><th>No</th><th>Nama Peserta</th><th>NPWP</th><th>A</th><th>T</th><th>P</th><th>PT</th>
        <th>HN</th><th>SA</th><th>B</th><th>K</th><th>P</th><th>PK</th></tr>
    <tr><td>1</td><td>CV Satu</td><td>01.234.567.8-901.000</td><td><i class="fa fa-check"></i></td>
        <td><i class="fa fa-check"></i></td><td>Rp 100.000.000,00</td><td>Rp 99.500.000,50</td>
        <td>Rp 99.000.000,00</td><td>87,5</td><td><i class="fa fa-check"></i></td>
        <td><i class="fa fa-check"></i></td><td><img src="/images/star.gif"></td><td></td></tr>
    <tr><td>2</td><td>PT Dua</td><td></td><td><i class="fa fa-check"></i></td>
        <td><i class="fa fa-close"></i></td><td>Rp 90.000.000,00</td><td></td><td></td><td></td>
        <td><i class="fa fa-minus"></i></td><td></td><td></td><td></td></tr>
    </table></div></body></html>"""
    one, two = pages.parse_evaluation(body)
    assert one == {
        "no": 1,
        "masked": False,
        "nama": "CV Satu",
        "npwp": "01.234.567.8-901.000",
        "evaluasi_administrasi": True,
        "evaluasi_teknis": True,
        "penawaran": 100_000_000,
        "penawaran_terkoreksi": 99_500_000.5,
        "hasil_negosiasi": 99_000_000,
        "skor_akhir": 87.5,
        "pembuktian_kualifikasi": True,
        "evaluasi_kualifikasi": True,
        "pemenang": True,
        "pemenang_berkontrak": False,  # an empty winner cell: not the winner (with contract)
    }
    assert (two["evaluasi_teknis"], two["pembuktian_kualifikasi"], two["pemenang"]) == (
        False,
        None,
        False,
    )
    assert two["npwp"] is None


def test_older_evaluation_page_name_npwp_column() -> None:
    body = b"""<html><body><div class="content"><table>
    <tr><th>No</th><th>Nama Peserta - NPWP</th><th>P</th></tr>
    <tr><td>1</td><td>CV Satu - 01.234.567.8-901.000</td><td>Rp 5.000,00</td></tr>
    </table></div></body></html>"""
    [row] = pages.parse_evaluation(body)
    assert (row["nama"], row["npwp"], row["penawaran"]) == ("CV Satu", "01.234.567.8-901.000", 5000)


def test_winner_table_nested_in_last_row() -> None:
    body = b"""<html><body><div class="content"><table class="table"><tbody>
    <tr><th>Kode Tender</th><td>10144220000</td></tr>
    <tr><th>Nilai Pagu Paket</th><td>Rp 2.000.000,00</td><th>Nilai HPS Paket</th>
        <td>Rp 1.900.000,00</td></tr>
    <tr><td colspan="2"><table><tr><th>Nama Pemenang</th><th>Alamat</th><th>NPWP</th>
        <th>Harga Penawaran</th><th>Harga Terkoreksi</th><th>Reverse Auction</th></tr>
        <tr><td>CV Satu</td><td>Jl. A</td><td>01.234.567.8-901.000</td><td>Rp 1.800.000,00</td>
        <td>Rp 1.800.000,00</td><td>Rp 1.750.000,00</td></tr></table></td></tr>
    </tbody></table></div></body></html>"""
    page = pages.parse_winner(body)
    assert (page["kode"], page["nilai_pagu_paket"], page["nilai_hps_paket"]) == (
        "10144220000",
        2_000_000,
        1_900_000,
    )
    assert page["pemenang"] == [
        {
            "nama_pemenang": "CV Satu",
            "alamat": "Jl. A",
            "npwp": "01.234.567.8-901.000",
            "harga_penawaran": 1_800_000,
            "harga_terkoreksi": 1_800_000,
            "hasil_negosiasi": 1_750_000,
        }
    ]


def test_schedule_page() -> None:
    body = """<html><body><div class="content"><table>
    <tr><th>No</th><th>Tahap</th><th>Mulai</th><th>Sampai</th><th>Perubahan</th></tr>
    <tr><td>1</td><td>Pengumuman Pascakualifikasi</td><td>15 Januari 2025 08:00</td>
        <td>21 Januari 2025 15:59</td><td>Tidak Ada</td></tr></table></div></body></html>"""
    assert pages.parse_schedule(body.encode()) == [
        {
            "no": 1,
            "tahap": "Pengumuman Pascakualifikasi",
            "mulai": "2025-01-15 08:00:00",
            "sampai": "2025-01-21 15:59:00",
            "perubahan": "Tidak Ada",
        }
    ]
