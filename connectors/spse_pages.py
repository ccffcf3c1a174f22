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
from decimal import Decimal, InvalidOperation
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
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"impossible date: {s!r}")
    if hour is None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d} {int(hour):02d}:{int(minute):02d}:00"


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
_TA = re.compile(r"^(.*?)\s*-\s*TA\s*(\d{4})$")


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
    names = LISTING_COLUMNS[jenis]
    cells = ["" if c is None else str(c) for c in raw]
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
        row["jenis_pengadaan"], row["tahun"] = m.group(1), m.group(2)
    row["tahun"] = int(row["tahun"]) if re.fullmatch(r"\d{4}", row.get("tahun", "")) else None
    for field in ("hps", "nilai", "nilai_kontrak"):
        if field in row:
            # Listing values are abbreviated ("15,9 M"): approximate, the detail page is exact.
            row[f"{field}_rp"] = money_json(parse_money(row[field]))
    row.update(parse_stage(row.get("tahap")).as_json())
    row["cells"] = cells
    return row


# --- detail pages ---------------------------------------------------------------------------

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


def _content(tree: LexborHTMLParser) -> LexborNode:
    content = tree.css_first("div.content")
    if content is None:
        raise SpseError("detail page has no div.content")
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
    content = _content(check_page(body, url))
    tables = _outer_tables(content)
    if not tables:
        raise SpseError(f"announcement page without a table at {url}", url=url, body=body)
    record = parse_info(tables[0])
    if not record.get("kode") and not record.get("nama_paket"):
        raise SpseError(f"announcement page without package code or name at {url}", url=url,
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
    content = _content(check_page(body, url))
    tables = _outer_tables(content)
    if not tables:
        raise SpseError(f"winner/realisation page without a table at {url}", url=url, body=body)
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


def _first_table_with(content: LexborNode, *headers: str) -> LexborNode | None:
    for table in content.css("table"):
        rows = own_rows(table)
        if rows and set(headers) <= {slug(text_of(c)) for c in cells(rows[0])}:
            return table
    return None


def parse_participants(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``lelang/{id}/peserta``: No, Nama Peserta, NPWP, Harga Penawaran, Harga Terkoreksi."""
    content = _content(check_page(body, url))
    table = _first_table_with(content, "nama_peserta")
    if table is None:
        return []
    out = []
    for row in _table_records(table):
        name, npwp = _name_npwp(row)
        out.append({"nama": name, "npwp": npwp,
                    "harga_penawaran": money_json(parse_money(row.get("harga_penawaran"))),
                    "harga_terkoreksi": money_json(parse_money(row.get("harga_terkoreksi")))})
    return out


def _name_npwp(row: dict[str, str]) -> tuple[str, str | None]:
    if "nama_peserta_npwp" in row:  # older pages: "Nama Peserta - NPWP"
        name, _, npwp = row["nama_peserta_npwp"].rpartition(" - ")
        return (name or npwp), (npwp if name else None)
    return row.get("nama_peserta", ""), row.get("npwp") or None


def parse_schedule(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``lelang/{id}/jadwal``: No, Tahap, Mulai, Sampai, Perubahan ("15 Januari 2025 08:00")."""
    content = _content(check_page(body, url))
    table = _first_table_with(content, "tahap", "mulai", "sampai")
    if table is None:
        return []
    return [{"no": int_prefix(r.get("no")), "tahap": r.get("tahap"),
             "mulai": parse_date(r.get("mulai")), "sampai": parse_date(r.get("sampai")),
             "perubahan": r.get("perubahan") or None}
            for r in _table_records(table)]


# Abbreviated evaluation headers of the new SPSE (Nov 2025), sources.md §1.3. ``p`` appears
# twice: first the offer (penawaran), then the winner (pemenang).
HEADER_REF = {
    "a": "evaluasi_administrasi", "t": "evaluasi_teknis", "st": "skor_teknis",
    "pt": "penawaran_terkoreksi", "hn": "hasil_negosiasi", "sh": "skor_harga", "sa": "skor_akhir",
    "b": "pembuktian_kualifikasi", "k": "evaluasi_kualifikasi", "sk": "skor_kualifikasi",
    "sb": "skor_pembuktian", "h": "evaluasi_harga_biaya", "pk": "pemenang_berkontrak",
}
_EVAL_MONEY = {"penawaran", "penawaran_terkoreksi", "hasil_negosiasi"}
_EVAL_FLAGS = {"evaluasi_administrasi", "evaluasi_teknis", "pembuktian_kualifikasi",
               "evaluasi_kualifikasi", "evaluasi_harga_biaya", "pemenang", "pemenang_berkontrak"}


def evaluation_headers(labels: list[str]) -> list[str]:
    out, seen_p = [], False
    for label in labels:
        key = squash(label).lower()
        if key == "p":
            out.append("pemenang" if seen_p else "penawaran")
            seen_p = True
        else:
            out.append(HEADER_REF.get(key) or slug(label))
    return out


def icon_value(cell: LexborNode) -> bool | None:
    """``fa-check`` = passed, ``fa-close``/``fa-times`` = failed, ``fa-minus``/nothing = not
    evaluated; the winner's ``star.gif`` = True."""
    for img in cell.css("img"):
        if "star" in (img.attributes.get("src") or ""):
            return True
    for icon in cell.css("i, span"):
        classes = (icon.attributes.get("class") or "").split()
        if "fa-check" in classes:
            return True
        if {"fa-close", "fa-times"} & set(classes):
            return False
        if "fa-minus" in classes:
            return None
    return None


def parse_evaluation(body: bytes, url: str = "") -> list[dict[str, Any]]:
    """``evaluasi/{id}/hasil``: one row per evaluated bidder with each stage's pass/fail."""
    content = _content(check_page(body, url))
    table = None
    for t in content.css("table"):
        rows = own_rows(t)
        labels = [slug(text_of(c)) for c in cells(rows[0])] if rows else []
        if "nama_peserta" in labels or "nama_peserta_npwp" in labels:
            table = t
            break
    if table is None:
        return []
    rows = own_rows(table)
    header = evaluation_headers([text_of(c) for c in cells(rows[0])])
    out = []
    for row in rows[1:]:
        cs = cells(row)
        if len(cs) != len(header):
            continue
        texts = {h: text_of(c) for h, c in zip(header, cs, strict=True)}
        name, npwp = _name_npwp(texts)
        rec: dict[str, Any] = {"nama": name, "npwp": npwp}
        for h, c in zip(header, cs, strict=True):
            if h in _EVAL_FLAGS:
                rec[h] = icon_value(c)
            elif h in _EVAL_MONEY:
                rec[h] = money_json(parse_money(texts[h]))
            elif h.startswith("skor_"):
                rec[h] = float(texts[h].replace(",", ".")) if texts[h] else None
        out.append(rec)
    return out


def parse_winner(body: bytes, url: str = "") -> dict[str, Any]:
    """``evaluasi/{id}/pemenang`` and ``pemenangberkontrak``: the summary rows, and the winners'
    table nested in the last row of the content table (header names vary between builds; a
    ``reverse_auction`` column is the negotiated price)."""
    content = _content(check_page(body, url))
    tables = _outer_tables(content)
    if not tables:
        return {"pemenang": []}
    record = parse_info(tables[0])
    rows = own_rows(tables[0])
    nested = rows[-1].css_first("table") if rows else None
    winners = []
    for raw in _table_records(nested) if nested is not None else []:
        w: dict[str, Any] = {}
        for key, value in raw.items():
            name = "hasil_negosiasi" if "reverse_auction" in key else key
            if name.startswith(("harga", "hasil_negosiasi", "nilai")):
                w[name] = money_json(parse_money(value))
            else:
                w[name] = value or None
        winners.append(w)
    record["pemenang"] = winners
    return record


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


def to_decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
