"""Parsing of the national SPSE's answers: DataTables listings (JSON) and detail pages (HTML).

Pure functions, no I/O: ``connectors/spse.py`` fetches, this module turns bytes into records.
Every quirk handled here is listed in ``connectors/spse.py``'s module docstring; the real pages
this was written against are ``../shared/data/spse-national-2026/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pantau.connectors.base import SourceError, without_bom
from selectolax.lexbor import LexborHTMLParser, LexborNode


class SpseError(SourceError):
    """SPSE answered with something that is not data (error page, HTML for JSON, ...)."""


class SpseErrorPage(SpseError):  # noqa: N818 - it names the page, the portal's own
    """The portal's error page ("Maaf, terjadi error ..." / "Terjadi Kesalahan ... Kode Error")."""


class SpseNotFound(SpseError):  # noqa: N818
    """The portal's not-found page ("Halaman yang dituju tidak ditemukan") or HTTP 404."""


# --- the five package lists -----------------------------------------------------------------

# jenis (the dt/ path) -> the kind of process it lists (issue 2's kinds, plus darurat)
KINDS = {
    "lelang": "tender",
    "pl": "non_tender",
    "nonspk": "pencatatan_non_tender",
    "swakelola": "swakelola",
    "darurat-list": "darurat",
}

# Column meaning by position (sources.md §1.2). ``pl``'s real layout is unknown [U]: ours is an
# assumption shaped like ``lelang`` (kode, nama, instansi, tahap, HPS, ..., "<jenis> - TA <yyyy>"
# at index 6, the year column pyproc filters on). Unknown columns keep their index as name.
LISTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "lelang": ("kode", "nama_paket", "instansi", "tahap", "hps", "metode_kualifikasi",
               "metode_pemilihan", "metode_evaluasi", "jenis_tahun", "col9", "nilai_kontrak"),
    "pl": ("kode", "nama_paket", "instansi", "tahap", "hps", "metode_pemilihan", "jenis_tahun",
           "nilai_kontrak"),
    "nonspk": ("kode", "nama_paket", "instansi", "nilai", "metode_pemilihan", "jenis_pengadaan",
               "tahun", "col7", "tahap"),
    "swakelola": ("kode", "nama_paket", "instansi", "nilai", "col4", "tahun", "col6", "tahap"),
    "darurat-list": ("kode", "nama_paket", "instansi", "nilai", "tahun", "col5",
                     "jenis_pengadaan", "tahap"),
}
_LELANG_TA = LISTING_COLUMNS["lelang"].index("jenis_tahun")
# How many columns the DataTables request declares per list (sources.md §1.2).
COLUMNS_SENT = {"lelang": 5, "pl": 5, "nonspk": 9, "swakelola": 8, "darurat-list": 8}


# --- text, money, dates, stages -------------------------------------------------------------


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


_RP = re.compile(r"(?i)^rp\.?\s*(-?\d{1,3}(?:\.\d{3})*|-?\d+)(?:,(\d+))?$")
_ABBREV = re.compile(
    r"(?i)^(?:rp\.?\s*)?(\d+(?:[.,]\d+)?)\s*(rb|ribu|jt|juta|m|miliar|milyar|t|triliun)\.?$"
)
_MULTIPLIER = {"rb": 3, "ribu": 3, "jt": 6, "juta": 6, "m": 9, "miliar": 9, "milyar": 9,
               "t": 12, "triliun": 12}
_NO_VALUE = ("nilai kontrak belum", "-", "belum ada")


def parse_money(text: str | None) -> Decimal | None:
    """Rupiah as SPSE writes it: ``Rp 1.234.567,89``, ``Rp. 3.800.000,00``, and the listings'
    abbreviations ``15,9 M`` (miliar), ``414,4 Jt`` (juta), ``0,8 Jt``. None for an empty cell or
    "Nilai Kontrak belum dibuat"; ValueError for anything else."""
    s = squash(text)
    if not s or s.lower().startswith(_NO_VALUE):
        return None
    if m := _RP.match(s):
        return Decimal(m.group(1).replace(".", "") + "." + (m.group(2) or "0"))
    if m := _ABBREV.match(s):
        number = Decimal(m.group(1).replace(",", "."))
        return number.scaleb(_MULTIPLIER[m.group(2).lower()]).quantize(Decimal(1))
    if re.fullmatch(r"\d+", s):
        return Decimal(s)
    raise ValueError(f"not a rupiah amount: {s[:40]!r}")


def money_json(value: Decimal | None) -> int | float | None:
    """A JSON number for a parsed amount (integral rupiah stay integers)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


MONTHS = {
    "januari": 1, "februari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "desember": 12,
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
    "ags": 8, "sep": 9, "okt": 10, "nov": 11, "des": 12,
}
_LONG_DATE = re.compile(
    r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?(?:\s*WIB)?$", re.IGNORECASE
)
_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$")


def parse_date(text: str | None) -> str | None:
    """``15 Januari 2025 08:00``, ``10 Juni 2026``, ``29-05-2026`` -> ``2025-01-15 08:00:00`` /
    ``2026-06-10`` (WIB wall clock, as the core SQL's ``core.wib`` reads it). None when empty."""
    s = squash(text)
    if not s or s == "-":
        return None
    if m := _LONG_DATE.match(s):
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            raise ValueError(f"unknown month in date {s!r}")
        day, year, hour, minute = int(m.group(1)), int(m.group(3)), m.group(4), m.group(5)
    elif m := _DMY.match(s):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hour, minute = m.group(4), m.group(5)
    else:
        raise ValueError(f"not a date: {s!r}")
    try:  # "31 Februari 2025" is no date: the page goes to quarantine, never a NULL in core
        at = datetime(year, month, day, int(hour or 0), int(minute or 0))  # noqa: DTZ001 - WIB
    except ValueError:
        raise ValueError(f"impossible date: {s!r}") from None
    return at.strftime("%Y-%m-%d" if hour is None else "%Y-%m-%d %H:%M:%S")


_FINAL = re.compile(r"(?i)(sudah selesai|^selesai$|paket selesai|batal|gagal|dibatalkan)")
_FAILED = re.compile(r"(?i)(batal|gagal)")
_STEP = re.compile(r"^(\d+)\.\s*(.+)$")


@dataclass(frozen=True)
class Stage:
    text: str  # as published, white space squashed
    step: int | None  # "16. Penetapan Pemenang" -> 16
    status_class: str  # finished | failed | ongoing | unknown
    final: bool  # nothing more will happen: detail pages need no refetch

    def as_json(self) -> dict[str, Any]:
        return {"tahap": self.text, "tahap_no": self.step, "status_class": self.status_class,
                "final": self.final}


def parse_stage(text: str | None) -> Stage:
    """SPSE stage strings: ``Tender Sudah Selesai``, ``Tender Batal``, ``Seleksi Gagal``,
    ``Evaluasi Ulang``, ``Tender Ulang``, ``Paket Sedang Berjalan``, ``Paket Sudah Selesai``,
    numbered steps ``16. Penetapan Pemenang``. ``Tender Ulang`` / ``Evaluasi Ulang`` go on."""
    s = squash(text)
    if not s:
        return Stage("", None, "unknown", final=False)
    step = None
    if m := _STEP.match(s):
        step = int(m.group(1))
    if _FAILED.search(s):
        return Stage(s, step, "failed", final=True)
    if _FINAL.search(s):
        return Stage(s, step, "finished", final=True)
    return Stage(s, step, "ongoing", final=False)


def int_prefix(text: str | None) -> int | None:
    m = re.match(r"\s*(\d+)", text or "")
    return int(m.group(1)) if m else None


# --- error pages ----------------------------------------------------------------------------

_ERROR_CODE = re.compile(r"Kode Error\s*:?\s*([\w.-]+)")


def check_page(body: bytes, url: str = "") -> LexborHTMLParser:
    """Parse an HTML answer; raise SpseErrorPage / SpseNotFound for the portal's error pages.

    Markers (sources.md §1.3): ``Maaf, terjadi error pada aplikasi SPSE.``; ``Terjadi
    Kesalahan`` followed by ``Kode Error: <X>``; ``Halaman yang dituju tidak ditemukan``.
    Scripts are ignored, so a marker inside JavaScript does not count."""
    tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
    tree.strip_tags(["script", "style", "noscript"])
    text = squash(tree.body.text(separator=" ") if tree.body else "")
    if "Halaman yang dituju tidak ditemukan" in text:
        raise SpseNotFound(f"SPSE page not found: {url}", url=url, body=body, status=404)
    error = "Maaf, terjadi error pada aplikasi SPSE" in text
    if error or ("Terjadi Kesalahan" in text and "Kode Error" in text):
        code = _ERROR_CODE.search(text)
        detail = f" (Kode Error {code.group(1)})" if code else ""
        raise SpseErrorPage(f"SPSE error page{detail} at {url}", url=url, body=body)
    return tree


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<")) or b"<html" in head


# --- listings -------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_BADGE = re.compile(r"<span[^>]*class=['\"][^'\"]*(?:badge|label)[^'\"]*['\"][^>]*>(.*?)</span>",
                    re.IGNORECASE | re.DOTALL)
# "Jasa Lainnya - TA 2021", multi-year "- TA 2018,2019" (the first is the budget year the
# package starts in), and "- TA null" on eproc4 portals (no year: the request's year stands).
_TA = re.compile(r"^(.*?)\s*-\s*TA\s*(?:(\d{4})(?:\s*,\s*\d{4})*|null)?$")


@dataclass
class Listing:
    rows: list[dict[str, Any]]
    rejected: list[tuple[str, object]]  # (reason, raw row)
    records_total: int | None


def parse_listing(body: bytes, jenis: str, url: str = "") -> Listing:
    """One DataTables answer of ``dt/{jenis}``. An HTML page where JSON belongs is an error
    (the portal's error page, its not-found page, or anything else), its body kept."""
    try:
        doc = json.loads(without_bom(body))
    except ValueError:
        if looks_like_html(body):
            check_page(body, url)  # raises for the portal's own error pages
            raise SpseError(f"HTML page where DataTables JSON belongs at {url}", url=url,
                            body=body) from None
        raise SpseError(f"answer of {url} is not JSON", url=url, body=body) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise SpseError(f"answer of {url} is not a DataTables object with a data list", url=url,
                        body=body)
    rows, rejected = [], []
    for raw in doc["data"]:
        try:
            rows.append(listing_row(raw, jenis))
        except ValueError as exc:
            rejected.append((str(exc), raw))
    total = doc.get("recordsTotal")
    return Listing(rows, rejected, total if isinstance(total, int) else None)


def listing_row(raw: object, jenis: str) -> dict[str, Any]:
    """Name a listing row's cells; keep every cell as published under ``cells``."""
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"listing row is not a non-empty array: {str(raw)[:60]!r}")
    cells = ["" if c is None else str(c) for c in raw]
    names = LISTING_COLUMNS[jenis]
    if jenis == "pl" and len(cells) > _LELANG_TA and _TA.match(squash(cells[_LELANG_TA])):
        # A dt/pl row laid out as dt/lelang's ("<jenis> - TA <yyyy>" at index 8, as eproc4
        # portals may send): read it as one, from what the cell says, not from a guess.
        names = LISTING_COLUMNS["lelang"]
    row: dict[str, Any] = {"jenis": jenis, "kind": KINDS[jenis]}
    for i, cell in enumerate(cells[: len(names)]):
        row[names[i]] = squash(_TAG.sub(" ", cell))
    kode = row.get("kode", "")
    if not re.fullmatch(r"\d+", kode):
        raise ValueError(f"listing row without a numeric package code: {kode[:30]!r}")
    if badge := _BADGE.search(cells[1] if len(cells) > 1 else ""):
        row["label_paket"] = squash(_TAG.sub(" ", badge.group(1)))
        row["nama_paket"] = squash(_TAG.sub(" ", _BADGE.sub(" ", cells[1])))
    if "jenis_tahun" in row and (m := _TA.match(row["jenis_tahun"])):
        row["jenis_pengadaan"], row["tahun"] = m.group(1), m.group(2) or ""
    row["tahun"] = int(row["tahun"]) if re.fullmatch(r"\d{4}", row.get("tahun", "")) else None
    for field in ("hps", "nilai", "nilai_kontrak"):
        if field in row:
            # Listing values are abbreviated ("15,9 M"): approximate, the detail page is exact.
            row[f"{field}_rp"] = money_json(parse_money(row[field]))
    row.update(parse_stage(row.get("tahap")).as_json())
    row["cells"] = cells
    return row


# --- detail pages ---------------------------------------------------------------------------
#
# Two families of portals publish the same pages (sources.md §1.3): the national SPSE and the
# per-LPSE eproc4 portals (../shared/data/spse-eproc4-jakarta-2022/). Columns are found by their
# header text, never by position; a header the parser does not know, or a table that is not
# where the page kind keeps it, is a LayoutError: the page is quarantined whole by the connector
# and no value of it is guessed.


class LayoutError(SpseError):
    """A detail page whose layout is not recognised (unknown header, table missing or moved)."""


# Label on the page (lower case, squashed) -> key in the record. Others get a slug of the label.
LABELS = {
    "kode paket": "kode", "kode tender": "kode", "kode swakelola": "kode",
    "kode non tender": "kode", "kode pl": "kode",
    "nama paket": "nama_paket", "nama tender": "nama_paket", "nama swakelola": "nama_paket",
    "nama non tender": "nama_paket",
    "k/l/pd/instansi lainnya": "klpd", "k/l/pd": "klpd", "instansi": "klpd",
    "tahap tender saat ini": "tahap", "tahap paket saat ini": "tahap",
    "tahap non tender saat ini": "tahap",
    "peserta tender": "peserta", "peserta non tender": "peserta",
    "tipe pelaksana swakelola": "tipe_pelaksana", "tipe pelaksana": "tipe_pelaksana",
    "nilai pdn": "nilai_pdn", "nilai umk": "nilai_umk",
    # the winner pages of eproc4 portals say just "Pagu" and "HPS"
    "pagu": "nilai_pagu_paket", "hps": "nilai_hps_paket",
}
MONEY_KEYS = {"nilai_pagu_paket", "nilai_hps_paket", "nilai_total_realisasi", "nilai_pdn",
              "nilai_umk", "nilai_kontrak", "nilai_realisasi"}
DATE_KEYS = {"tanggal_pembuatan", "tanggal_paket_selesai", "tanggal_realisasi"}


def slug(label: str) -> str:
    text = squash(label).lower()
    return LABELS.get(text) or re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _children(node: LexborNode, *tags: str) -> list[LexborNode]:
    return [c for c in node.iter() if c.tag in tags]


def own_rows(table: LexborNode) -> list[LexborNode]:
    """The rows of this table, not of tables nested in its cells. SPSE nests a ``<tr>`` inside a
    ``<tr>``; the HTML5 parser closes the first, so they become sibling rows, as browsers show."""
    rows = []
    for section in _children(table, "thead", "tbody", "tfoot", "tr"):
        rows += [section] if section.tag == "tr" else _children(section, "tr")
    return rows


def cells(row: LexborNode) -> list[LexborNode]:
    return _children(row, "th", "td")


def text_of(node: LexborNode | None) -> str:
    return squash(node.text(deep=True, separator=" ")) if node is not None else ""


def _content(tree: LexborHTMLParser, url: str, body: bytes) -> LexborNode:
    content = tree.css_first("div.content")
    if content is None:
        raise LayoutError(f"detail page without div.content at {url}", url=url, body=body)
    return content


def _outer_tables(content: LexborNode) -> list[LexborNode]:
    """Tables of the content that are not nested in another table."""
    out = []
    for table in content.css("table"):
        parent = table.parent
        while parent is not None and parent.tag != "table" and parent != content:
            parent = parent.parent
        if parent is None or parent.tag != "table":
            out.append(table)
    return out


def _value(key: str, cell: LexborNode) -> Any:  # noqa: ANN401 - one of several JSON shapes
    text = text_of(cell)
    if key in MONEY_KEYS:
        return money_json(parse_money(text))
    if key in DATE_KEYS:
        return parse_date(text)
    if key == "peserta":
        return int_prefix(text)
    if key == "lokasi_pekerjaan":
        items = [text_of(li) for li in cell.css("li")]
        return [i for i in items if i] or ([text] if text else [])
    if key == "tahun_anggaran":
        # "APBN 2026", repeated once per funding line on swakelola pages.
        lines = list(dict.fromkeys(re.findall(r"([A-Za-z][A-Za-z ]*?)?\s*(\d{4})", text)))
        return {"text": text, "sumber_dana": sorted({s.strip() for s, _ in lines if s.strip()}),
                "tahun": int(lines[0][1]) if lines else None}
    return text


def _table_records(table: LexborNode) -> list[dict[str, str]]:
    """A plain header+rows table as dicts of cell text keyed by the slugged header."""
    rows = own_rows(table)
    if not rows:
        return []
    header = [slug(text_of(c)) for c in cells(rows[0])]
    out = []
    for row in rows[1:]:
        values = [text_of(c) for c in cells(row)]
        if len(values) == len(header) and any(values):
            out.append(dict(zip(header, values, strict=True)))
    return out


def parse_info(table: LexborNode) -> dict[str, Any]:
    """A ``th``/``td`` key-value table (announcement and summary tables)."""
    record: dict[str, Any] = {}
    for row in own_rows(table):
        cs = cells(row)
        # One row may hold several label/value pairs ("Nilai Pagu Paket | Rp .. | Nilai HPS ..").
        pairs = [(cs[i], cs[i + 1]) for i in range(len(cs) - 1)
                 if cs[i].tag == "th" and cs[i + 1].tag == "td"]
        for label, cell in pairs:
            _put(record, slug(text_of(label)), cell)
    return record


def _put(record: dict[str, Any], key: str, cell: LexborNode) -> None:
    if key:
        nested = cell.css_first("table")
        if key == "rencana_umum_pengadaan" and nested is not None:
            record["rup"] = _table_records(nested)
            return
        if key == "nama_paket" and (badge := cell.css_first("span.badge, span.label")):
            record["label_paket"] = text_of(badge)
            badge.decompose()
        record[key] = _value(key, cell)


def parse_announcement(body: bytes, url: str = "") -> dict[str, Any]:
    """``pengumumanlelang``, ``pengumumanpl``, ``pengumumannonspk``, ``swakelola/{id}/pengumuman``,
    ``pengumumandarurat``: the first key-value table of the content."""
    content = _content(check_page(body, url), url, body)
    tables = _outer_tables(content)
    if not tables:
        raise LayoutError(f"announcement page without a table at {url}", url=url, body=body)
    record = parse_info(tables[0])
    if not record.get("kode") and not record.get("nama_paket"):
        raise LayoutError(f"announcement page without package code or name at {url}", url=url,
                          body=body)
    if "tahap" in record:
        record.update(parse_stage(record["tahap"]).as_json())
    return record


_PARTY_NAME = ("nama_penyedia", "nama_pelaksana", "nama")


def _party(row: dict[str, str]) -> dict[str, Any]:
    name = next((row[k] for k in _PARTY_NAME if k in row), "")
    npwp = row.get("npwp", "")
    return {"nama": name, "npwp": npwp or None, "npwp_masked": "*" in npwp,
            "email": row.get("email") or None, "telp": row.get("telp") or None,
            "alamat": row.get("alamat") or None}


def parse_realisation_page(body: bytes, url: str = "") -> dict[str, Any]:
    """``pengumumannonspkpemenang``, ``pengumumandaruratpemenang``,
    ``pengumumanswakelolapelaksana``: a summary table, then the ``Realisasi`` table whose rows
    (No., Jenis Realisasi, Nilai Realisasi, Tanggal Realisasi dd-mm-yyyy) are each followed by a
    row holding the supplier / implementer (pelaksana) table of that payment, when published."""
    content = _content(check_page(body, url), url, body)
    tables = _outer_tables(content)
    if not tables:
        raise LayoutError(f"winner/realisation page without a table at {url}", url=url,
                          body=body)
    record = parse_info(tables[0])
    realisasi: list[dict[str, Any]] = []
    for table in tables[1:]:
        rows = own_rows(table)
        header = [slug(text_of(c)) for c in cells(rows[0])] if rows else []
        if "jenis_realisasi" not in header:
            continue
        for row in rows[1:]:
            cs = cells(row)
            nested = row.css_first("table")
            if nested is not None and realisasi:
                realisasi[-1]["pihak"] += [_party(r) for r in _table_records(nested)]
            elif len(cs) == len(header) and int_prefix(text_of(cs[0])) is not None:
                values = dict(zip(header, (text_of(c) for c in cs), strict=True))
                realisasi.append({
                    "no": int_prefix(values.get("no")),
                    "jenis_realisasi": values.get("jenis_realisasi"),
                    "nilai_realisasi": money_json(parse_money(values.get("nilai_realisasi"))),
                    "tanggal_realisasi": parse_date(values.get("tanggal_realisasi")),
                    "pihak": [],
                })
    record["realisasi"] = realisasi
    return record


# --- grids: participants, evaluation, schedule, winners ---------------------------------------

# What a column holds decides how its cells are read.
MONEY, FLAG, MARK, SCORE, TEXT, NUMBER, DATE, NAME = (
    "money", "flag", "mark", "score", "text", "number", "date", "name")

# Full-word headers (lower case, squashed) -> (key, what the cells hold). The same words name
# the badges in the evaluation page's legend ("A Evaluasi Administrasi", "P Pemenang").
WORDS: dict[str, tuple[str, str]] = {
    "no": ("no", NUMBER), "no.": ("no", NUMBER),
    "nama peserta": ("nama", NAME), "nama penyedia": ("nama", NAME),
    "nama peserta - npwp": ("nama", NAME), "nama pemenang": ("nama", NAME),
    "npwp": ("npwp", TEXT), "alamat": ("alamat", TEXT),
    "penawaran": ("penawaran", MONEY), "harga penawaran": ("penawaran", MONEY),
    "penawaran terkoreksi": ("penawaran_terkoreksi", MONEY),
    "harga terkoreksi": ("penawaran_terkoreksi", MONEY),
    "hasil negosiasi": ("hasil_negosiasi", MONEY), "harga negosiasi": ("hasil_negosiasi", MONEY),
    "reverse auction": ("hasil_negosiasi", MONEY),
    "harga reverse auction": ("hasil_negosiasi", MONEY),
    "nilai kontrak": ("nilai_kontrak", MONEY), "harga kontrak": ("nilai_kontrak", MONEY),
    "skor teknis": ("skor_teknis", SCORE), "skor harga": ("skor_harga", SCORE),
    "skor akhir": ("skor_akhir", SCORE), "skor kualifikasi": ("skor_kualifikasi", SCORE),
    "skor pembuktian": ("skor_pembuktian", SCORE),
    "evaluasi administrasi": ("evaluasi_administrasi", FLAG),
    "evaluasi teknis": ("evaluasi_teknis", FLAG),
    "evaluasi kualifikasi": ("evaluasi_kualifikasi", FLAG),
    "pembuktian kualifikasi": ("pembuktian_kualifikasi", FLAG),
    "evaluasi harga/biaya": ("evaluasi_harga_biaya", FLAG),
    "evaluasi harga": ("evaluasi_harga_biaya", FLAG),
    "pemenang": ("pemenang", MARK), "pemenang berkontrak": ("pemenang_berkontrak", MARK),
    "alasan": ("alasan", TEXT), "keterangan": ("alasan", TEXT),
    "tahap": ("tahap", TEXT), "mulai": ("mulai", DATE), "sampai": ("sampai", DATE),
    "tanggal mulai": ("mulai", DATE), "tanggal sampai": ("sampai", DATE),
    "tanggal selesai": ("sampai", DATE), "perubahan": ("perubahan", TEXT),
}
# Badge letters (sources.md §1.3, pyproc's header_ref) -> their words. ``P`` is not here: on the
# national portal the first ``P`` is the offer and the second the winner, on eproc4 portals
# (whose money columns carry words) the single ``P`` is the winner: see _letter_p.
LETTERS = {
    "a": "evaluasi administrasi", "t": "evaluasi teknis", "st": "skor teknis",
    "pt": "penawaran terkoreksi", "hn": "hasil negosiasi", "sh": "skor harga",
    "sa": "skor akhir", "b": "pembuktian kualifikasi", "k": "evaluasi kualifikasi",
    "sk": "skor kualifikasi", "sb": "skor pembuktian", "h": "evaluasi harga/biaya",
    "pk": "pemenang berkontrak",
}
_NPWP_TAIL = re.compile(r"^(.*\S)\s+-\s+([0-9*][0-9.*-]{13,}[0-9*])$")
# The national portal's stand-ins for participants it does not name yet: "Peserta 1", ...
_MASKED = re.compile(r"(?i)^(?:peserta|penyedia)\s*(?:ke\s*-?\s*)?#?\s*\d+$")


@dataclass(frozen=True)
class Column:
    key: str
    holds: str


def _header_text(cell: LexborNode) -> str:
    """A header's words: the badge's letters when it holds one (``<span class="badge">K``)."""
    badge = cell.css_first("span.badge, span.label")
    return text_of(badge if badge is not None else cell)


def _legend(content: LexborNode) -> dict[str, str]:
    """The evaluation page's own key to its badges: ``<li><span class="badge">P</span>
    Pemenang</li>`` -> {"p": "pemenang"} (only badges it explains in known words)."""
    out = {}
    for item in content.css("li"):
        badge = item.css_first("span.badge, span.label")
        if badge is None:
            continue
        letter = text_of(badge).lower()
        words = squash(text_of(item).removeprefix(text_of(badge))).lower()
        if words in WORDS:
            out[letter] = words
    return out


def _grid_header(labels: list[str], legend: dict[str, str], url: str,
                 body: bytes) -> list[str | None]:
    """Each header's words; None for a ``P``, decided by _letter_p."""
    words: list[str | None] = []
    for text in labels:
        key = text.lower()
        if key == "p":
            words.append(None)
        elif key in WORDS:
            words.append(key)
        elif key in legend:
            words.append(legend[key])
        elif key in LETTERS:
            words.append(LETTERS[key])
        else:
            raise LayoutError(f"unknown column {text!r} at {url}", url=url, body=body)
    return words


def _letter_p(words: list[str | None], rows: list[list[LexborNode]], legend: dict[str, str],
              url: str, body: bytes) -> list[str]:
    """Resolve the ``P`` columns: two of them are the offer then the winner (national portal);
    one beside a worded offer column is the winner (eproc4); a lone one is what the page's
    legend says, else what its cells show (``star.gif`` a winner, rupiah an offer)."""
    at = [i for i, w in enumerate(words) if w is None]
    if len(at) == 2:  # the national portal's two P columns
        return [w or ("penawaran" if i == at[0] else "pemenang") for i, w in enumerate(words)]
    if len(at) > 2:
        raise LayoutError(f"{len(at)} columns headed P at {url}", url=url, body=body)
    if not at:
        return [w for w in words if w is not None]
    if any(w is not None and WORDS[w][0] == "penawaran" for w in words):
        kind = "pemenang"
    elif "p" in legend:
        kind = legend["p"]
    else:
        column = [r[at[0]] for r in rows if len(r) == len(words)]
        stars = any(_is_star(c) for c in column)
        money = any(text_of(c).lower().startswith("rp") for c in column)
        if stars == money:
            raise LayoutError(f"column P is neither offer nor winner at {url}", url=url,
                              body=body)
        kind = "pemenang" if stars else "penawaran"
    return [w if w is not None else kind for w in words]


def _is_star(cell: LexborNode) -> bool:
    return any("star" in (img.attributes.get("src") or "") for img in cell.css("img"))


# Font Awesome icons of the evaluation pages (``fa-check-circle`` is ``fa-check`` too).
_ICONS: tuple[tuple[str, bool | None], ...] = (
    ("fa-check", True), ("fa-star", True), ("fa-close", False), ("fa-times", False),
    ("fa-minus", None))
_UNKNOWN = "unknown"


def _icon(cell: LexborNode) -> bool | str | None:
    """The cell's mark: ``fa-check`` passed (True), ``fa-close``/``fa-times`` failed (False),
    ``fa-minus`` not evaluated (None), the winner's ``star.gif`` True; None for an empty cell,
    _UNKNOWN for an icon or image that is none of these."""
    if _is_star(cell):
        return True
    marks = cell.css("i, span, img")
    for node in marks:
        for name in (node.attributes.get("class") or "").split():
            for prefix, value in _ICONS:
                if name.startswith(prefix):
                    return value
    return _UNKNOWN if any(m.tag in {"i", "img"} for m in marks) else None


def _cell(  # noqa: PLR0911 - one reading per kind of column
        column: Column, cell: LexborNode, url: str, body: bytes) -> Any:  # noqa: ANN401
    text = text_of(cell)
    if column.holds == MONEY:
        return money_json(parse_money(text))
    if column.holds == DATE:
        return parse_date(text)
    if column.holds == SCORE:
        if text in {"", "-"}:
            return None
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"not a score: {text[:30]!r}") from None
    if column.holds == NUMBER:
        return int_prefix(text)
    if column.holds in {FLAG, MARK}:
        value = _icon(cell)
        if value == _UNKNOWN or (value is None and text and not cell.css("i, img")):
            raise LayoutError(f"column {column.key} holds {text[:30] or 'an icon'!r} that is "
                              f"no known mark at {url}", url=url, body=body)
        # A winner column marks the winner only: an empty cell is "not the winner".
        return bool(value) if column.holds == MARK else value
    return text or None


def read_grid(content: LexborNode, wanted: set[str], url: str, body: bytes, *,
              page: str) -> list[dict[str, Any]] | None:
    """The rows of the content's table whose header holds every key in ``wanted``, as records
    keyed by column key; None when no table has such a header. Names "NAME - NPWP" are split;
    masked participants ("Peserta 3") come out as ``{"no": 3, "masked": True}`` rows."""
    legend = _legend(content)
    for table in content.css("table"):
        if not _is_grid(table):
            continue
        rows = [cells(r) for r in own_rows(table)]
        labels = [_header_text(c) for c in rows[0]]
        if not wanted <= {WORDS.get(t.lower(), ("",))[0] for t in labels}:
            continue
        rows, labels = _without_unnamed(rows[1:], labels, url, body)
        words = _letter_p(_grid_header(labels, legend, url, body), rows, legend, url, body)
        columns = [Column(*WORDS[w]) for w in words]
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise LayoutError(f"{page}: columns {keys} repeat a meaning at {url}", url=url,
                              body=body)
        return [_grid_row(columns, row, url, body, page) for row in rows
                if not _is_blank(row, len(columns), url, body, page)]
    return None


def _without_unnamed(rows: list[list[LexborNode]], labels: list[str], url: str,
                     body: bytes) -> tuple[list[list[LexborNode]], list[str]]:
    """Drop columns with an empty header (spacers, action buttons) when all their cells are
    empty too; an unnamed column holding values is a layout we do not know."""
    named = [i for i, t in enumerate(labels) if t]
    if len(named) == len(labels):
        return rows, labels
    full = [r for r in rows if len(r) == len(labels)]
    if any(text_of(r[i]) or r[i].css("i, img") for r in full for i in set(range(len(labels)))
           - set(named)):
        raise LayoutError(f"a column without header holds values at {url}", url=url, body=body)
    return ([[r[i] for i in named] if len(r) == len(labels) else r for r in rows],
            [labels[i] for i in named])


def _is_blank(row: list[LexborNode], width: int, url: str, body: bytes, page: str) -> bool:
    """A row that holds no record: empty, or one cell spanning the table ("Tidak ada data")."""
    if len(row) == width:
        return not any(text_of(c) or c.css("i, img") for c in row)
    if len(row) <= 1:
        return True
    raise LayoutError(f"{page}: a row of {len(row)} cells under {width} headers at {url}",
                      url=url, body=body)


def _grid_row(columns: list[Column], row: list[LexborNode], url: str, body: bytes,
              page: str) -> dict[str, Any]:
    texts = {c.key: text_of(cell) for c, cell in zip(columns, row, strict=True)}
    if _MASKED.match(texts.get("nama", "")):
        # Before evaluation the national portal hides who registered: a count, not a supplier
        # (whatever its NPWP and price cells show, e.g. asterisks: they are not read).
        return {"no": int_prefix(texts.get("no")), "masked": True}
    try:
        rec = {c.key: _cell(c, cell, url, body) for c, cell in zip(columns, row, strict=True)}
    except ValueError as exc:
        raise ValueError(f"{page}: {exc}") from None
    name = rec.get("nama") or ""
    if (m := _NPWP_TAIL.match(name)) and not rec.get("npwp"):
        rec["nama"], rec["npwp"] = m.group(1), m.group(2)
    rec["masked"] = False
    return rec


_NOTHING_YET = re.compile(r"(?i)\b(belum|tidak ada|kosong)\b")


def _nothing_yet(content: LexborNode) -> bool:
    """A page with nothing to show yet: no table row at all, and no text, or only words such as
    "belum ada" / "tidak ada data" (an empty ``<table>`` is how eproc4 says "none yet")."""
    if any(own_rows(t) for t in content.css("table")):
        return False
    text = text_of(content)
    return not text or bool(_NOTHING_YET.search(text))


def _grid_page(body: bytes, url: str, wanted: set[str], page: str) -> list[dict[str, Any]]:
    content = _content(check_page(body, url), url, body)
    rows = read_grid(content, wanted, url, body, page=page)
    if rows is not None:
        return rows
    if _nothing_yet(content):
        return []
    raise LayoutError(f"{page} page without a table headed {sorted(wanted)} at {url}", url=url,
                      body=body)


def parse_participants(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``lelang/{id}/peserta``: No, Nama Peserta, NPWP, Harga Penawaran, Harga Terkoreksi;
    before evaluation the national portal shows only "Peserta 1", "Peserta 2", ... (masked)."""
    return [r if r["masked"] else {
        "no": r.get("no"), "nama": r.get("nama"), "npwp": r.get("npwp"),
        "harga_penawaran": r.get("penawaran"), "harga_terkoreksi": r.get("penawaran_terkoreksi"),
        "masked": False} for r in _grid_page(body, url, {"nama"}, "peserta")]


def parse_schedule(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``lelang/{id}/jadwal``: No, Tahap, Mulai, Sampai, Perubahan ("15 Januari 2025 08:00")."""
    return [{"no": r.get("no"), "tahap": r.get("tahap"), "mulai": r.get("mulai"),
             "sampai": r.get("sampai"), "perubahan": r.get("perubahan")}
            for r in _grid_page(body, url, {"tahap", "mulai", "sampai"}, "jadwal")]


def parse_evaluation(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``evaluasi/{id}/hasil``: one row per participant with each stage's pass/fail, offers,
    the winner (``pemenang``) and the reason (``alasan``) of an elimination."""
    return _grid_page(body, url, {"nama"}, "hasil")


def parse_winner(body: bytes, url: str = "") -> dict[str, Any]:
    """``evaluasi/{id}/pemenang`` and ``pemenangberkontrak``: the summary rows (Pagu and HPS as
    numbers) and the winners' table (nested in the last row; header names vary between builds).
    A table without a winner row means "none yet" (no contract signed), not an error."""
    content = _content(check_page(body, url), url, body)
    tables = _outer_tables(content)
    record = parse_info(tables[0]) if tables else {}
    winners = read_grid(content, {"nama"}, url, body, page="pemenang")
    if winners is None:
        if any(_is_grid(t) for t in content.css("table")) or not (record or _nothing_yet(
                content)):
            raise LayoutError(f"winner page without a table headed ['nama'] at {url}",
                              url=url, body=body)
        winners = []
    record["pemenang"] = [
        {"nama_pemenang": w["nama"], "alamat": w.get("alamat"), "npwp": w.get("npwp"),
         **{name: w[key] for key, name in _WINNER_MONEY.items() if key in w}}
        for w in winners if not w["masked"]]
    return record


_WINNER_MONEY = {"penawaran": "harga_penawaran", "penawaran_terkoreksi": "harga_terkoreksi",
                 "hasil_negosiasi": "hasil_negosiasi", "nilai_kontrak": "nilai_kontrak"}


def _is_grid(table: LexborNode) -> bool:
    rows = own_rows(table)
    head = cells(rows[0]) if rows else []
    return len(head) > 1 and all(c.tag == "th" for c in head)


# page name -> parser, per jenis (paths in connectors/spse.py DETAIL_PAGES)
PageParser = Callable[[bytes, str], Any]
PARSERS: dict[str, PageParser] = {
    "pengumuman": parse_announcement,
    "peserta": parse_participants,
    "jadwal": parse_schedule,
    "hasil": parse_evaluation,
    "pemenang": parse_winner,
    "pemenang_berkontrak": parse_winner,
    "realisasi": parse_realisation_page,
}
