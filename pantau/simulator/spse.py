"""The national SPSE portal (``spse.inaproc.id/{slug}``) over the simulated world, or replayed.

Paths, as the portal serves them (../shared/sources.md §1.2-1.3), under ``/{slug}``:
- ``GET /lelang``: the page that opens a session: cookie ``SPSE_SESSION=...___AT=<token>&...``
  and the script line ``d.authenticityToken = '<token>';``; an unknown slug answers 404 with the
  portal's not-found page;
- ``POST /dt/{lelang|pl|nonspk|swakelola|darurat-list}``: DataTables JSON, ``start``/``length``
  paging, ``tahun`` filter; ``recordsTotal`` is INT_MAX (2147483647) for nonspk, swakelola and
  darurat-list, as on the real portal; a missing or stale ``authenticityToken`` answers 403 (or,
  with ``stale_answer = "error"``, the "Terjadi Kesalahan ... Kode Error" page);
- every detail page of each kind (``lelang/{id}/pengumumanlelang|peserta|jadwal``,
  ``evaluasi/{id}/hasil|pemenang|pemenangberkontrak``, the ``nontender``/``evaluasinontender``
  twins, ``pencatatan/pengumumannonspk[pemenang]?id=``, ``swakelola/{id}/pengumuman``,
  ``swakelola/pengumumanswakelolapelaksana/{id}``, ``darurat/pengumumandarurat[pemenang]?id=``),
  HTML shaped like the real captures; an unknown package answers the not-found page.

The packages are the world's (same codes, names, values, suppliers and schedule as the ISB
simulator), plus a few ``darurat`` packages the ISB has no dataset for. Test knobs: ``throttle``
(429 with Retry-After), ``expire_tokens`` / ``token_lifetime``, ``break_listing`` (an HTML
error page in place of JSON). ``--replay DIR`` serves the real captures (``dt_*.json`` and the
``*.html`` pages).
"""

from __future__ import annotations

import html
import json
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pantau.simulator.world import TENDER_STAGES, SimRegion, World

INT_MAX = 2147483647
Answer = tuple[int, str, bytes] | tuple[int, str, bytes, dict[str, str]]
JENIS = ("lelang", "pl", "nonspk", "swakelola", "darurat-list")
DARURAT_PER_SCALE = 5
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
HTML_TYPE = "text/html; charset=UTF-8"

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html><head><title>404</title></head><body><div class="content">
<h1>Halaman yang dituju tidak ditemukan</h1></div></body></html>"""
ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>Error</title></head><body><div class="content">
<h1>Maaf, terjadi error pada aplikasi SPSE.</h1><p>Kode Error: {code}</p></div></body></html>"""
KESALAHAN_PAGE = """<!DOCTYPE html>
<html><head><title>Error</title></head><body><div class="content">
<h3>Terjadi Kesalahan</h3><p>Sesi Anda telah berakhir. Kode Error: {code}</p></div></body></html>"""


def rupiah(value: float, *, dot: bool = False) -> str:
    """``Rp 1.234.567,89`` (tender pages) or ``Rp. 3.800.000,00`` (recorded packages' pages)."""
    whole, frac = f"{value:,.2f}".split(".")
    return f"Rp{'.' if dot else ''} {whole.replace(',', '.')},{frac}"


def abbreviated(value: float) -> str:
    """The listings' short form: ``15,9 M``, ``414,4 Jt``, ``0,8 Jt``, ``10 Jt``."""
    number, unit = (value / 1e9, "M") if value >= 1e9 else (value / 1e6, "Jt")
    text = f"{number:.1f}".replace(".", ",")
    return f"{text.removesuffix(',0')} {unit}"


def long_date(value: datetime, *, time: bool = True) -> str:
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{text} {value:%H:%M}" if time else text


def masked_npwp(npwp: str) -> str:
    """The portal masks NPWP on recorded packages' pages: ``10*1**1****35**2``."""
    digits = re.sub(r"\D", "", npwp).rjust(16, "0")
    return "".join(d if i in {0, 1, 3, 6, 11, 12, 15} else "*" for i, d in enumerate(digits))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(slug: str, title: str, content: str, tabs: list[tuple[str, str]] = ()) -> bytes:
    nav = "".join(f'<li class="nav-item"><a class="nav-link" href="/{slug}/{href}">{_e(name)}</a>'
                  "</li>" for name, href in tabs)
    body = f"""<!DOCTYPE html>
<html lang="en"><head><title>LPSE - {_e(title)}</title>
<meta http-equiv="Content-Type" content="text/html;charset=UTF-8"/></head>
<body><div class="navbar navbar-primary fixed-top">
<div class="navbar-header">{_e(title)}</div></div>
<div id="border-popup-wrapper"><div id="main">
<ul class="nav nav-tabs" role="tablist">{nav}</ul>
<div class="content">
{content}
</div></div></div>
<div id="footer"><div id="infoRight"><p>&copy; 2006-2026 Lembaga Kebijakan Pengadaan Barang/Jasa
Pemerintah (LKPP)</p><p><a href="https://inaproc.id/aplikasi#spse45">Aplikasi SPSE v4.5u20250321</a>
</p></div></div></body></html>"""
    return body.encode()


def info_rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f'<tr><th class="bgwarning">{_e(k)}</th><td colspan="3">{v}</td></tr>'
                   for k, v in rows)


def grid(headers: list[str], rows: list[list[str]], css: str = "table table-sm") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{css}"><tr>{head}</tr>{body}</table>'


ICON = {True: '<i class="fa fa-check"></i>', False: '<i class="fa fa-close"></i>',
        None: '<i class="fa fa-minus"></i>'}
STAR = '<img src="/nasional/public/images/star.gif">'


class SpseWorld:
    """The SPSE view of the world's packages: listing rows and detail pages."""

    def __init__(self, world: World) -> None:
        self.w = world

    # -- packages of each list ----------------------------------------------------------------

    def count(self, jenis: str) -> int:
        if jenis == "darurat-list":
            return max(1, round(DARURAT_PER_SCALE * self.w.scale))
        kind = {"lelang": "tender", "pl": "non_tender", "nonspk": "pencatatan",
                "swakelola": "swakelola"}[jenis]
        return self.w.count(kind)

    def package(self, jenis: str, r: SimRegion, year: int, i: int) -> dict[str, Any]:
        if jenis == "lelang":
            return self.w.tender(r, year, i)
        if jenis == "pl":
            return self.w.non_tender(r, year, i)
        kind = {"nonspk": "pencatatan", "swakelola": "swakelola", "darurat-list": "darurat"}[jenis]
        return self.w.pencatatan(r, year, i, kind)

    def index_of(self, r: SimRegion, code: int) -> int:
        return (code - 10_000_000_000) // 1000 - r.index * 10_000_000

    def find(self, jenis: str, r: SimRegion, year: int, code: int) -> dict[str, Any] | None:
        i = self.index_of(r, code)
        if not 0 <= i < self.count(jenis):
            return None
        p = self.package(jenis, r, year, i)
        return {**p, "i": i} if p["code"] == code else None

    # -- listing rows ---------------------------------------------------------------------------

    def stage(self, jenis: str, p: dict[str, Any]) -> str:
        if jenis in {"lelang", "pl"}:
            word = "Tender" if jenis == "lelang" else "Paket"
            if p["method"] == "Seleksi":
                word = "Seleksi"
            if p["status"] == "Selesai":
                return f"{word} Sudah Selesai"
            if p["status"] == "Gagal/Batal":
                return f"{word} {'Batal' if p['code'] // 1000 % 2 else 'Gagal'}"
            return "Evaluasi Penawaran"
        return "Paket Sudah Selesai" if p["status_ket"] == "Paket Selesai" else \
            "Paket Sedang Berjalan"

    def title(self, jenis: str, p: dict[str, Any]) -> str:
        # A package announced again (ISB's versi_tender > 1) carries the portal's badge.
        if jenis in {"lelang", "pl"} and p["version"]:
            label = "Seleksi Ulang" if p["method"] == "Seleksi" else (
                "Tender Ulang" if jenis == "lelang" else "Pengadaan Ulang")
            return f"{_e(p['title'])} <span class='badge  badge-warning'>{label}</span>"
        return _e(p["title"])

    def contract_value(self, jenis: str, r: SimRegion, year: int,
                       p: dict[str, Any]) -> float | None:
        if jenis == "lelang":
            win = self.winner(r, year, p)
            if win is None:
                return None
            return round(win["offer"] * 0.995, 2) if p["method"] == "Seleksi" else win["offer"]
        if jenis == "pl":
            return p["value"] if p["status"] == "Selesai" else None
        return None

    def winner(self, r: SimRegion, year: int, p: dict[str, Any]) -> dict[str, Any] | None:
        if p["status"] != "Selesai":
            return None
        return next((x for x in self.w.participants(r, year, p["i"]) if x["winner"]), None)

    def row(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any]) -> list[str | None]:
        code, stage = str(p["code"]), self.stage(jenis, p)
        if jenis == "lelang":
            value = self.contract_value(jenis, r, year, p)
            nilai = rupiah(value, dot=True) if value is not None else "Nilai Kontrak belum dibuat"
            evaluasi = "Harga Terendah Sistem Gugur" if p["method"] == "Tender" else \
                "Kualitas dan Biaya"
            return [code, self.title(jenis, p), r.nama_klpd, stage, abbreviated(p["hps"]),
                    "Pascakualifikasi Satu File", p["method"], evaluasi,
                    f"{p['category']} - TA {year}", "5", nilai, "0", "1", "0", "0", None]
        if jenis == "pl":
            value = self.contract_value(jenis, r, year, p)
            nilai = rupiah(value, dot=True) if value is not None else "Nilai Kontrak belum dibuat"
            return [code, self.title(jenis, p), r.nama_klpd, stage, abbreviated(p["hps"]),
                    p["method"], f"{p['category']} - TA {year}", nilai]
        nilai = abbreviated(p["pagu"])
        if jenis == "nonspk":
            return [code, _e(p["title"]), r.nama_klpd, nilai, "Pengadaan Langsung",
                    "Pengadaan Barang", str(year), "5", stage]
        if jenis == "swakelola":
            return [code, _e(p["title"]), r.nama_klpd, nilai, str(p["tipe"]), str(year), "5",
                    stage]
        return [code, _e(p["title"]), r.nama_klpd, nilai, str(year), "5", "Pekerjaan Konstruksi",
                stage]

    def rows(self, jenis: str, r: SimRegion, year: int) -> list[list[str | None]]:
        out = []
        for i in range(self.count(jenis)):
            p = {**self.package(jenis, r, year, i), "i": i}
            out.append(self.row(jenis, r, year, p))
        return out

    # -- detail pages ---------------------------------------------------------------------------

    def announcement(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any]) -> bytes:
        s = p["satker"]
        rup = grid(["Kode RUP", "Nama Paket", "Sumber Dana"],
                   [[p["kd_rup"], _e(p["title"]), "APBD"]])
        created = long_date(p["start"] - timedelta(days=10), time=False)
        if jenis in {"lelang", "pl"}:
            word = "Tender" if jenis == "lelang" else "Non Tender"
            n_reg = p["n_reg"] if jenis == "lelang" else 1
            rows = [
                (f"Kode {word}", f"<strong>{p['code']}</strong>"),
                (f"Nama {word}" if jenis == "lelang" else "Nama Paket",
                 f"<strong>{self.title(jenis, p)}</strong>"),
                ("Rencana Umum Pengadaan", rup), ("Tanggal Pembuatan", created),
                (f"Tahap {'Tender' if jenis == 'lelang' else 'Paket'} Saat Ini",
                 _e(self.stage(jenis, p))),
                ("K/L/PD", _e(r.nama_klpd)), ("Satuan Kerja", _e(s["nama_satker"])),
                ("Jenis Pengadaan", _e(p["category"])), ("Metode Pengadaan", _e(p["method"])),
                ("Tahun Anggaran", f"APBD {year}"),
            ]
            money = (f'<tr><th class="bgwarning">Nilai Pagu Paket</th><td>{rupiah(p["pagu"])}</td>'
                     f'<th>Nilai HPS Paket</th><td>{rupiah(p["hps"])}</td></tr>')
            tail = [("Jenis Kontrak", "Lumsum"),
                    ("Kualifikasi Usaha", "Kecil" if p["pagu"] < 15e9 else "Non Kecil"),
                    (f"Peserta {word}", f"{n_reg} Peserta"),
                    ("Lokasi Pekerjaan", f"<ul><li>{_e(r.nama_klpd)}</li></ul>")]
            table = (f'<table class="table table-bordered">{info_rows(rows)}{money}'
                     f"{info_rows(tail)}</table>")
            return page(r.slug, "Informasi Tender", table)
        if jenis == "swakelola":
            rows = [("Kode Swakelola", f"<strong>{p['code']}</strong>"),
                    ("Nama Swakelola", f"<strong>{_e(p['title'])}</strong>"),
                    ("Rencana Umum Pengadaan", rup), ("Tanggal Pembuatan", created),
                    ("K/L/PD", _e(r.nama_klpd)), ("Satuan Kerja", _e(s["nama_satker"])),
                    ("Tipe Pelaksana Swakelola", f"Tipe {p['tipe']}"),
                    ("Tahun Anggaran", f" APBD {year}&nbsp;"),
                    ("Nilai Pagu Paket", rupiah(p["pagu"], dot=True))]
        else:
            darurat = jenis == "darurat-list"
            rows = [("Kode Paket", f"<strong>{p['code']}</strong>"),
                    ("Nama Paket", f"<strong>{_e(p['title'])}</strong>")]
            rows += [] if darurat else [("Rencana Umum Pengadaan", rup)]
            rows += [("Tanggal Pembuatan", created), ("K/L/PD/Instansi Lainnya", _e(r.nama_klpd)),
                     ("Satuan Kerja", _e(s["nama_satker"])),
                     ("Jenis Pengadaan", "Pekerjaan Konstruksi" if darurat else "Pengadaan Barang"),
                     ("Metode Pengadaan", "Darurat" if darurat else "Pengadaan Langsung "),
                     ("Tahun Anggaran", str(year) if darurat else f" APBD {year}&nbsp;&nbsp;"),
                     ("Nilai Pagu Paket", rupiah(p["pagu"], dot=True))]
        table = f'<table class="table table-sm table-bordered">{info_rows(rows)}</table>'
        return page(r.slug, "Informasi Paket", table)

    def realisation(self, jenis: str, r: SimRegion, p: dict[str, Any]) -> bytes:
        total = sum(p["payments"])
        swakelola = jenis == "swakelola"
        rows = [("Nama Paket", _e(p["title"]))]
        rows += [("Tipe Pelaksana", f"Tipe {p['tipe']}")] if swakelola else [
            ("Metode Pengadaan", "Darurat" if jenis == "darurat-list" else "Pengadaan Langsung ")]
        rows += [("K/L/PD" if swakelola else "K/L/PD/Instansi Lainnya", _e(r.nama_klpd)),
                 ("Satuan Kerja", _e(p["satker"]["nama_satker"])),
                 ("Nilai Pagu Paket", rupiah(p["pagu"], dot=True)),
                 ("Nilai Total Realisasi", rupiah(total, dot=True))]
        if not swakelola:
            rows += [("Nilai PDN", rupiah(total, dot=True)), ("Nilai UMK", rupiah(total, dot=True))]
        rows += [("Tanggal Paket Selesai", long_date(p["start"] + timedelta(days=30), time=False))]
        who = "Nama Pelaksana" if swakelola else "Nama Penyedia"
        party = (p["satker"]["nama_satker"], "0001206424445000") if swakelola else (
            p["supplier"]["nama_penyedia"], p["supplier"]["npwp_penyedia"])
        lines = []
        for k, value in enumerate(p["payments"]):
            paid = p["start"] + timedelta(days=(3 if swakelola else 5) + k)
            parties = grid(["No", who, "NPWP", "Email", "Telp", "Alamat"],
                           [["1", _e(party[0]), masked_npwp(party[1]), "", "", "Kota Simulasi"]],
                           "table table-sm table-bordered")
            # The portal nests the party row inside the payment row (<tr> in <tr>), as captured.
            lines.append(f'<tr><td align="center">{k + 1}</td><td>Kuitansi</td>'
                         f"<td>{rupiah(value, dot=True)}</td><td>{paid:%d-%m-%Y}</td>"
                         f'<tr><td></td><td colspan="3">{parties}</td></tr></tr>')
        content = (f'<table class="table table-sm">{info_rows(rows)}</table>'
                   '<tr><td colspan="2"><div class="bs-callout bs-callout-info"><strong>Realisasi'
                   '</strong></div><table class="table table-sm"><tr><th width="30">No.</th>'
                   "<th>Jenis Realisasi</th><th>Nilai Realisasi</th><th>Tanggal Realisasi</th></tr>"
                   f"{''.join(lines)}</table></td></tr>")
        return page(r.slug, "Informasi Paket", content)

    def bidders(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any]) -> list[dict]:
        """Who registered, with offer and evaluation results (non-tenders: the one supplier)."""
        if jenis == "pl":
            s = p["supplier"]
            done = p["status"] == "Selesai"
            return [{**s, "offer": p["value"] if p["status"] != "Gagal/Batal" else None,
                     "winner": done, "adm": True, "tek": True, "price": done or None,
                     "qual": done or None}]
        out = []
        rng = self.w.rng("evaluasi", p["code"])
        for x in self.w.participants(r, year, p["i"]):
            if x["offer"] is None:
                out.append({**x, "adm": None, "tek": None, "price": None, "qual": None})
                continue
            ok = x["winner"] or rng.random() < 0.7
            out.append({**x, "adm": True, "tek": ok, "price": ok or None,
                        "qual": True if x["winner"] else (None if not ok else rng.random() < 0.5)})
        return out

    def masked(self, jenis: str, p: dict[str, Any]) -> bool:
        """Before evaluation the national portal hides who registered ("Peserta 1", ...)."""
        return jenis == "lelang" and p["status"] == "Berlangsung"

    def eproc4(self, p: dict[str, Any]) -> bool:
        """Every other package is shown in the per-LPSE eproc4 layout (badges K B A T, worded
        money columns, the single P the winner's star, "NAME - NPWP"), the rest in the national
        portal's (abbreviated A T P PT HN ... P PK headers, NPWP in its own column)."""
        return p["i"] % 2 == 1

    def participants_page(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any]) -> bytes:
        bidders = self.bidders(jenis, r, year, p)
        if self.masked(jenis, p):
            content = grid(["No", "Nama Peserta"],
                           [[str(n + 1), f"Peserta {n + 1}"] for n in range(len(bidders))],
                           "table table-sm")
            return page(r.slug, "Peserta", content)
        rows = [[str(n + 1), _e(b["nama_penyedia"]), b["npwp_penyedia"],
                 rupiah(b["offer"], dot=True) if b["offer"] is not None else "",
                 rupiah(b["offer"], dot=True) if b["offer"] is not None else ""]
                for n, b in enumerate(bidders)]
        content = grid(["No", "Nama Peserta", "NPWP", "Harga Penawaran", "Harga Terkoreksi"], rows,
                       "table table-sm")
        return page(r.slug, "Peserta", content)

    def schedule_page(self, r: SimRegion, p: dict[str, Any]) -> bytes:
        at, rows = p["start"], []
        for n, name in enumerate(TENDER_STAGES):
            days = 8 if name == "Upload Dokumen Penawaran" else 1 + (n % 3)
            end = at + timedelta(days=days)
            rows.append([str(n + 1), _e(name), long_date(at), long_date(end), ""])
            at = end
        content = grid(["No", "Tahap", "Mulai", "Sampai", "Perubahan"], rows,
                       "table table-sm table-bordered")
        return page(r.slug, "Jadwal", content)

    def evaluation_page(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any]) -> bytes:
        bidders = [] if self.masked(jenis, p) else self.bidders(jenis, r, year, p)
        negotiated = self.contract_value(jenis, r, year, p)
        if self.eproc4(p):
            return page(r.slug, "Hasil Evaluasi", self._eproc4_evaluation(bidders, negotiated))
        rows = []
        for n, b in enumerate(x for x in bidders if x["offer"] is not None):
            rows.append([
                str(n + 1), _e(b["nama_penyedia"]), b["npwp_penyedia"], ICON[b["adm"]],
                ICON[b["tek"]], rupiah(b["offer"]), rupiah(b["offer"]),
                rupiah(negotiated) if b["winner"] and negotiated is not None else "",
                ICON[b["price"]], ICON[b["qual"]], ICON[b["qual"]],
                STAR if b["winner"] else "",
                STAR if b["winner"] and negotiated is not None else "",
            ])
        content = grid(["No", "Nama Peserta", "NPWP", "A", "T", "P", "PT", "HN", "H", "B", "K",
                        "P", "PK"], rows, "table table-sm table-bordered")
        return page(r.slug, "Hasil Evaluasi", content)

    @staticmethod
    def _eproc4_evaluation(bidders: list[dict], negotiated: float | None) -> str:
        """The eproc4 layout of ../shared/data/spse-eproc4-jakarta-2022/hasil-evaluasi.html:
        every registered participant, letters in badges, worded money columns, a legend."""
        badge = '<span class="badge  badge-info">{}</span>'.format
        head = ["No", "Nama Peserta", badge("K"), badge("B"), badge("A"), badge("T"), "Penawaran",
                "Penawaran Terkoreksi", badge("H"), badge("P"), badge("PK"), "Alasan"]
        rows = []
        for n, b in enumerate(bidders):
            offer = rupiah(b["offer"], dot=True) if b["offer"] is not None else ""
            failed = False in (b["adm"], b["tek"], b["price"], b["qual"])
            rows.append([
                str(n + 1), f"{_e(b['nama_penyedia'])} - {b['npwp_penyedia']}", ICON[b["qual"]],
                ICON[b["qual"]], ICON[b["adm"]], ICON[b["tek"]], offer, offer, ICON[b["price"]],
                STAR if b["winner"] else "", STAR if b["winner"] and negotiated else "",
                "Tidak memenuhi persyaratan" if failed else " "])
        header = "".join(f"<th>{h}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        legend = "".join(f'<li class="list-inline-item">{badge(k)} {v}</li>' for k, v in (
            ("A", "Evaluasi Administrasi"), ("T", "Evaluasi Teknis"), ("K", "Evaluasi Kualifikasi"),
            ("B", "Pembuktian Kualifikasi"), ("H", "Evaluasi Harga/Biaya"), ("P", "Pemenang"),
            ("PK", "Pemenang Berkontrak")))
        return (f'<table class="table table-sm"><thead><tr>{header}</tr></thead><tbody>{body}'
                f'</tbody></table><p><ul class="list-inline">{legend}</ul></p>')

    def winner_page(self, jenis: str, r: SimRegion, year: int, p: dict[str, Any], *,
                    contract: bool) -> bytes:
        win = next((b for b in self.bidders(jenis, r, year, p) if b["winner"]), None)
        value = self.contract_value(jenis, r, year, p)
        eproc4 = self.eproc4(p)
        if eproc4 and (win is None or value is None):  # as captured: the table is there, empty
            return page(r.slug, "Pemenang", '<table class="table table-sm">\n</table>')
        info = info_rows([
            ("Kode Tender" if jenis == "lelang" else "Kode Paket", str(p["code"])),
            ("Nama Tender" if eproc4 else "Nama Paket", _e(p["title"])),
            ("K/L/PD", _e(r.nama_klpd)), ("Satuan Kerja", _e(p["satker"]["nama_satker"])),
            ("Pagu" if eproc4 else "Nilai Pagu Paket", rupiah(p["pagu"], dot=eproc4)),
            ("HPS" if eproc4 else "Nilai HPS Paket", rupiah(p["hps"], dot=eproc4))])
        headers = ["Nama Pemenang", "Alamat", "NPWP", "Harga Penawaran", "Harga Terkoreksi",
                   "Hasil Negosiasi", *(["Nilai Kontrak"] if contract else [])]
        winners = []
        if win is not None and value is not None:
            winners = [[_e(win["nama_penyedia"]), "Kota Simulasi", win["npwp_penyedia"],
                        rupiah(win["offer"]), rupiah(win["offer"]), rupiah(value),
                        *([rupiah(value)] if contract else [])]]
        # No winner yet: the national portal keeps the header row with no winner row.
        nested = f'<tr><td colspan="4">{grid(headers, winners)}</td></tr>'
        content = f'<table class="table table-sm"><tbody>{info}{nested}</tbody></table>'
        return page(r.slug, "Pemenang", content)


_DETAIL = (
    # (regex under /{slug}/, jenis, page)
    (re.compile(r"^lelang/(\d+)/pengumumanlelang$"), "lelang", "pengumuman"),
    (re.compile(r"^lelang/(\d+)/peserta$"), "lelang", "peserta"),
    (re.compile(r"^lelang/(\d+)/jadwal$"), "lelang", "jadwal"),
    (re.compile(r"^evaluasi/(\d+)/hasil$"), "lelang", "hasil"),
    (re.compile(r"^evaluasi/(\d+)/pemenang$"), "lelang", "pemenang"),
    (re.compile(r"^evaluasi/(\d+)/pemenangberkontrak$"), "lelang", "pemenang_berkontrak"),
    (re.compile(r"^nontender/(\d+)/pengumumanpl$"), "pl", "pengumuman"),
    (re.compile(r"^nontender/(\d+)/peserta$"), "pl", "peserta"),
    (re.compile(r"^nontender/(\d+)/jadwal$"), "pl", "jadwal"),
    (re.compile(r"^evaluasinontender/(\d+)/hasil$"), "pl", "hasil"),
    (re.compile(r"^evaluasinontender/(\d+)/pemenang$"), "pl", "pemenang"),
    (re.compile(r"^evaluasinontender/(\d+)/pemenangberkontrak$"), "pl", "pemenang_berkontrak"),
    (re.compile(r"^pencatatan/pengumumannonspk$"), "nonspk", "pengumuman"),
    (re.compile(r"^pencatatan/pengumumannonspkpemenang$"), "nonspk", "realisasi"),
    (re.compile(r"^swakelola/(\d+)/pengumuman$"), "swakelola", "pengumuman"),
    (re.compile(r"^swakelola/pengumumanswakelolapelaksana/(\d+)$"), "swakelola", "realisasi"),
    (re.compile(r"^darurat/pengumumandarurat$"), "darurat-list", "pengumuman"),
    (re.compile(r"^darurat/pengumumandaruratpemenang$"), "darurat-list", "realisasi"),
)
_SPSE_PATH = re.compile(
    r"^/(?P<slug>[a-z0-9-]+)/(?P<rest>(?:lelang|dt|nontender|evaluasi|evaluasinontender|"
    r"pencatatan|swakelola|darurat)(?:/.*)?)$"
)
# Replay: which capture answers which page (sources.md §5, ../shared/data/spse-national-2026/
# and the eproc4 names of ../shared/data/spse-eproc4-jakarta-2022/). A package's own folder
# ``{replay}/{jenis}/{code}/`` holds its pages; otherwise a flat capture naming the code does.
_REPLAY_PAGES = {
    ("lelang", "pengumuman"): ("pengumumanlelang.html", "index.html"),
    ("lelang", "peserta"): ("peserta.html",),
    ("lelang", "jadwal"): ("jadwal.html",),
    ("lelang", "hasil"): ("hasil.html", "hasil-evaluasi.html"),
    ("lelang", "pemenang"): ("pemenang.html",),
    ("lelang", "pemenang_berkontrak"): ("pemenangberkontrak.html", "pemenang-berkontrak.html"),
    ("pl", "pengumuman"): ("pengumumanpl.html", "index.html"),
    ("pl", "peserta"): ("peserta.html",),
    ("pl", "jadwal"): ("jadwal.html",),
    ("pl", "hasil"): ("hasil.html", "hasil-evaluasi.html"),
    ("pl", "pemenang"): ("pemenang.html",),
    ("pl", "pemenang_berkontrak"): ("pemenangberkontrak.html", "pemenang-berkontrak.html"),
    ("nonspk", "pengumuman"): ("nonspk_pengumuman.html",),
    ("nonspk", "realisasi"): ("nonspk_pemenang_berkontrak.html",
                              "nonspk_pemenang_bug_10941898000.html"),
    ("swakelola", "pengumuman"): ("swakelola_pengumuman.html",),
    ("swakelola", "realisasi"): ("swakelola_pelaksana.html",),
    ("darurat-list", "pengumuman"): ("darurat_pengumuman.html",),
    ("darurat-list", "realisasi"): ("darurat_pemenang.html",),
}


class SpseService:
    """Answers ``/{slug}/...`` SPSE paths; test knobs change how it misbehaves."""

    def __init__(self, world: World, replay: Path | None = None) -> None:
        self.world = world
        self.gen = SpseWorld(world)
        has_captures = replay is not None and any(replay.glob("dt_*.json"))
        self.replay = replay if has_captures else None
        self._lock = threading.Lock()
        self._tokens: dict[str, int] = {}  # token -> listing requests it served
        self.token_lifetime: int | None = None  # a token dies after this many listing requests
        self._issued = 0
        self._year_seen: dict[tuple[str, str, int], int] = {}  # (slug, jenis, code) -> year
        self.stale_answer = "403"  # or "error": the "Terjadi Kesalahan" page with status 200
        self._throttle: list[float] = []  # Retry-After of each coming 429
        self._broken: dict[str, int] = {}  # jenis -> how many dt answers are an error page

    # -- knobs ----------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def throttle(self, times: int, retry_after: float = 1) -> None:
        with self._lock:
            self._throttle += [retry_after] * times

    def break_listing(self, jenis: str, times: int = 100) -> None:
        with self._lock:
            self._broken[jenis] = times

    # -- routing --------------------------------------------------------------------------------

    def handle_request(  # noqa: PLR0911 - one answer per kind of path
            self, method: str, path: str, form: dict[str, list[str]]) -> Answer | None:
        m = _SPSE_PATH.match(path)
        if m is None:
            return None
        with self._lock:
            if self._throttle:
                wait = self._throttle.pop(0)
                return 429, "text/plain", b"Too Many Requests", {"Retry-After": f"{wait:g}"}
        slug, rest = m.group("slug"), m.group("rest")
        region = self.world.by_slug.get(slug)
        if region is None and self.replay is None:
            return 404, HTML_TYPE, NOT_FOUND_PAGE.encode()
        if rest == "lelang" and method == "GET":
            return self._token_page(slug)
        if rest.startswith("dt/") and method == "POST":
            return self._listing(slug, region, rest[3:], form)
        for pattern, jenis, name in _DETAIL:
            if pm := pattern.match(rest):
                code = pm.group(1) if pm.groups() else (form.get("id") or [""])[0]
                return self._detail(slug, region, jenis, name, code)
        return 404, HTML_TYPE, NOT_FOUND_PAGE.encode()

    def _token_page(self, slug: str) -> Answer:
        with self._lock:
            self._issued += 1
            token = f"{self._issued:04d}{abs(hash((slug, self._issued))) % 10**12:012d}ab"
            self._tokens[token] = 0
        body = page(slug, "Cari Paket", '<table id="tbllelang" class="table"></table>'
                    f"<script>var d = {{}}; d.authenticityToken = '{token}';</script>")
        cookie = f"SPSE_SESSION=abc123-___AT={token}&___TS=1781067193116; Path=/; HttpOnly"
        return 200, HTML_TYPE, body, {"Set-Cookie": cookie}

    def _use_token(self, token: str) -> bool:
        """Whether the token is alive (caller holds the lock); counts its use."""
        if token not in self._tokens:
            return False
        self._tokens[token] += 1
        if self.token_lifetime is not None and self._tokens[token] > self.token_lifetime:
            del self._tokens[token]  # the session ended: this and later uses are stale
            return False
        return True

    def _listing(self, slug: str, region: SimRegion | None, jenis: str,
                 form: dict[str, list[str]]) -> Answer:
        def one(name: str, default: str = "") -> str:
            return (form.get(name) or [default])[0]

        with self._lock:
            valid = self._use_token(one("authenticityToken"))
            broken = self._broken.get(jenis, 0)
            if valid and broken:
                self._broken[jenis] = broken - 1
        if not valid:
            if self.stale_answer == "error":
                return 200, HTML_TYPE, KESALAHAN_PAGE.format(code="TOKEN").encode()
            return 403, HTML_TYPE, b"<html><body>Forbidden</body></html>"
        if broken:
            return 200, HTML_TYPE, ERROR_PAGE.format(code="ERR500SIM").encode()
        if jenis not in JENIS:
            return 404, HTML_TYPE, NOT_FOUND_PAGE.encode()
        start, length = int(one("start", "0") or 0), int(one("length", "10") or 10)
        if self.replay is not None:
            return self._replay_listing(jenis, start, one("draw", "1"))
        year = int(one("tahun", "0") or 0)
        rows = self.gen.rows(jenis, region, year) if region is not None else []
        with self._lock:
            for row in rows:
                self._year_seen[(slug, jenis, int(row[0]))] = year
        total = INT_MAX if jenis in {"nonspk", "swakelola", "darurat-list"} else len(rows)
        doc = {"draw": one("draw", "1"), "recordsTotal": total, "recordsFiltered": total,
               "data": rows[start:start + max(0, length)]}
        return 200, "application/json", json.dumps(doc, ensure_ascii=False).encode()

    def _replay_listing(self, jenis: str, start: int, draw: str) -> Answer:
        path = self.replay / f"dt_{jenis.replace('-', '_')}.json" if self.replay else None
        if path is None or not path.is_file():
            doc = {"draw": draw, "recordsTotal": INT_MAX, "recordsFiltered": INT_MAX, "data": []}
            return 200, "application/json", json.dumps(doc).encode()
        if start == 0:
            return 200, "application/json", path.read_bytes()  # byte for byte, as captured
        doc = json.loads(path.read_bytes())
        doc["data"] = []
        return 200, "application/json", json.dumps(doc).encode()

    def _detail(self, slug: str, region: SimRegion | None, jenis: str, name: str,
                code: str) -> Answer:
        if not code.isdigit():
            return 404, HTML_TYPE, NOT_FOUND_PAGE.encode()
        if self.replay is not None:
            return self._replay_detail(jenis, name, code)
        assert region is not None  # noqa: S101 - handle_request answered unknown slugs
        with self._lock:
            year = self._year_seen.get((slug, jenis, int(code)), 2025)
        p = self.gen.find(jenis, region, year, int(code))
        if p is None:
            return 200, HTML_TYPE, NOT_FOUND_PAGE.encode()
        g = self.gen
        if name == "pengumuman":
            body = g.announcement(jenis, region, year, p)
        elif name == "realisasi":
            body = g.realisation(jenis, region, p)
        elif name == "peserta":
            body = g.participants_page(jenis, region, year, p)
        elif name == "jadwal":
            body = g.schedule_page(region, p)
        elif name == "hasil":
            body = g.evaluation_page(jenis, region, year, p)
        else:
            body = g.winner_page(jenis, region, year, p, contract=name == "pemenang_berkontrak")
        return 200, HTML_TYPE, body

    def _replay_detail(self, jenis: str, name: str, code: str) -> Answer:
        folder = self.replay / jenis / code if self.replay else None
        if folder is not None and folder.is_dir():
            for filename in _REPLAY_PAGES.get((jenis, name), ()):
                if (folder / filename).is_file():
                    return 200, HTML_TYPE, (folder / filename).read_bytes()
            return 200, HTML_TYPE, NOT_FOUND_PAGE.encode()
        for filename in _REPLAY_PAGES.get((jenis, name), ()):
            path = self.replay / filename if self.replay else None
            if path is not None and path.is_file() and re.search(
                    rf"(?:id=|/){code}(?:[/\"]|$)", path.read_text(errors="replace")):
                return 200, HTML_TYPE, path.read_bytes()
        return 200, HTML_TYPE, NOT_FOUND_PAGE.encode()
