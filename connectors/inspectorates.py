"""The inspectorate (APIP) integration register: who has joined LKPP's e-pengaduan PBJ.

No public machine-readable list of inspectorates integrated with e-pengaduan exists
(../shared/sources.md §4), so pantau reads registers that people keep, with the evidence and date
of every entry:

- CSV or JSON (a local file or a URL) with at least ``inspectorate``, ``kd_klpd``, ``status``
  (``not_joined``, ``joined``, ``unknown``), ``evidence_url``, ``checked_on`` (``YYYY-MM-DD``);
  CSV lines starting with ``#`` are comments, ``;`` works as well as ``,``;
- an HTML page with a table (for when LKPP or anyone publishes a list), with the column names
  configured; its status words are mapped by ``status_map``, a missing evidence column means the
  page itself is the evidence, and a missing date column means the day it was fetched.

A row whose status is not one of the three, or that has no http(s) evidence URL, is rejected with
the reason (the loader quarantines it), so it never changes the recorded status.

Identity: the real K/L/PD codes of the two inspectorates the project watches are not known yet
(sources.md §6), so ``kd_klpd`` may be empty; an inspectorate is identified by its normalised
region name ("Inspektorat Prov. Jawa Tengah" -> "provinsi jawa tengah") and matched by name or
code.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from pantau.connectors.base import (
    Batch,
    Provenance,
    Source,
    SourceError,
    canonical_json,
    content_hash,
)
from pantau.connectors.http import HttpClient
from pantau.connectors.isb import normalise_name
from pantau.connectors.jsonarray import parse_records
from selectolax.lexbor import LexborHTMLParser

SOURCE = "inspectorates"
DATASET = "register"
RAW_TABLE = "inspectorate_register"
STATUSES = ("not_joined", "joined", "unknown")
FORMATS = ("csv", "json", "html")
MAX_FILE_BYTES = 16 * 1024 * 1024
JAKARTA = ZoneInfo("Asia/Jakarta")
FIELDS = ("inspectorate", "kd_klpd", "status", "evidence_url", "checked_on", "note")
_KLPD = re.compile(r"^[KLD]\d+$")
_INSPEKTORAT = re.compile(r"^(inspektorat|inspectorate|apip)\s+(daerah\s+)?", re.IGNORECASE)
# Words a person or a published list may use for the three statuses (case-insensitive).
_STATUS_WORDS = {
    "not_joined": "not_joined", "not joined": "not_joined", "belum": "not_joined",
    "belum terintegrasi": "not_joined", "belum bergabung": "not_joined",
    "joined": "joined", "terintegrasi": "joined", "sudah terintegrasi": "joined",
    "bergabung": "joined", "sudah bergabung": "joined",
    "unknown": "unknown", "tidak diketahui": "unknown",
}


@dataclass(frozen=True)
class RegisterSource:
    """One configured register: ``[inspectorates] sources = [{...}]``."""

    name: str
    format: str
    url: str | None = None
    path: Path | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> column header (html)
    status_map: dict[str, str] = field(default_factory=dict)  # word -> status (html, csv)
    table: str = "table"  # CSS selector of the table (html)

    @property
    def where(self) -> str:
        return self.url or str(self.path)


def region_key(name: str) -> str:
    """'Inspektorat Kota Semarang', 'Kota Semarang' and 'Pemkot Semarang' compare equal."""
    text = re.sub(r"\s+", " ", name.strip())
    text = _INSPEKTORAT.sub("", text)
    return normalise_name(text)


def source_from_config(raw: dict[str, Any], base: Path, fallback: Path | None = None,
                       index: int = 0) -> RegisterSource:
    """Read one ``sources`` entry; a relative path is looked up beside the config, then in
    ``fallback`` (the repository root, for the embedded default register)."""
    url, path_text = raw.get("url"), raw.get("path")
    if bool(url) == bool(path_text):
        raise SourceError(f"inspectorates source #{index + 1}: give exactly one of url or path")
    path = None
    if url and str(url).startswith("file://"):
        path_text, url = str(url)[len("file://"):], None
    if path_text:
        path = Path(str(path_text))
        if not path.is_absolute():
            candidates = [base / path] + ([fallback / path] if fallback else [])
            path = next((c for c in candidates if c.is_file()), candidates[0])
    fmt = str(raw.get("format") or _guess_format(str(url or path_text))).lower()
    if fmt not in FORMATS:
        raise SourceError(f"inspectorates source #{index + 1}: format must be one of "
                          f"{', '.join(FORMATS)}, not {fmt!r}")
    name = str(raw.get("name") or _default_name(url, path))
    columns = {str(k): str(v) for k, v in dict(raw.get("columns", {})).items()}
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise SourceError(f"inspectorates source {name!r}: unknown column field(s) "
                          f"{', '.join(sorted(unknown))}")
    status_map = {str(k).strip().lower(): str(v) for k, v in
                  dict(raw.get("status_map", {})).items()}
    bad = {v for v in status_map.values() if v not in STATUSES}
    if bad:
        raise SourceError(f"inspectorates source {name!r}: status_map maps to unknown "
                          f"status(es) {', '.join(sorted(bad))}")
    if fmt == "html" and not {"inspectorate", "status"} <= set(columns):
        raise SourceError(f"inspectorates source {name!r}: an html source needs columns for "
                          "at least inspectorate and status")
    return RegisterSource(name=name, format=fmt, url=str(url) if url else None, path=path,
                          columns=columns, status_map=status_map,
                          table=str(raw.get("table", "table")))


def _guess_format(where: str) -> str:
    suffix = urlsplit(where).path.rsplit(".", 1)[-1].lower()
    return {"csv": "csv", "json": "json", "htm": "html", "html": "html"}.get(suffix, "csv")


def _default_name(url: object, path: Path | None) -> str:
    if path is not None:
        return path.stem
    return urlsplit(str(url)).hostname or "register"


# --- fetching -------------------------------------------------------------------------------


def fetch(client: HttpClient, source: RegisterSource, *, today: date | None = None) -> Batch:
    """Read one register (file or URL) into a Batch of observations and rejects."""
    if source.path is not None:
        try:
            size = source.path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise SourceError(f"register file larger than {MAX_FILE_BYTES} bytes",
                                  url=str(source.path))
            body = source.path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read register {source.path}: {exc.strerror}",
                              url=str(source.path)) from None
        provenance = Provenance(SOURCE, f"file://{source.path.name}", datetime.now(UTC))
        page_url = None
    else:
        response = client.get(str(source.url), expect_json=source.format == "json")
        provenance = Provenance(SOURCE, response.url, response.fetched_at)
        body = response.body
        page_url = str(source.url)
    return to_batch(source, body, provenance, page_url=page_url, today=today)


def to_batch(source: RegisterSource, body: bytes, provenance: Provenance, *,
             page_url: str | None = None, today: date | None = None) -> Batch:
    batch = Batch(SOURCE, DATASET, source.name, None, provenance, table=RAW_TABLE)
    fetched_day = today or provenance.fetched_at.astimezone(JAKARTA).date()
    if source.format == "csv":
        rows = parse_csv(body, url=provenance.url)
    elif source.format == "json":
        rows, rejected = parse_records(body, url=provenance.url)
        batch.rejected.extend(rejected)
    else:
        rows = parse_html(body, source, url=provenance.url, page_url=page_url)
    defaults = {}
    if source.format == "html":
        # A published list is its own evidence, observed on the day it was fetched.
        defaults = {"evidence_url": provenance.url if page_url else None,
                    "checked_on": fetched_day.isoformat()}
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        record, reason = normalise_row(row, source, defaults)
        if record is None:
            batch.reject(str(reason), row)
            continue
        ident = (record["inspectorate_id"], record["checked_on"])
        if ident in seen and seen[ident] != record["status"]:
            batch.reject(f"conflicting row: {record['inspectorate']} already has status "
                         f"{seen[ident]!r} on {record['checked_on']} in this register", row)
            continue
        seen[ident] = record["status"]
        text = canonical_json(record)
        key = "|".join((source.name, record["inspectorate_id"], record["checked_on"],
                        content_hash(text)))
        if key not in batch.keys:
            batch.add(key, text)
    return batch


def normalise_row(  # noqa: C901, PLR0911 - one early return per rule, read top to bottom
    row: object, source: RegisterSource, defaults: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for a good row, (None, reason) for a row that must not count."""
    if not isinstance(row, dict):
        return None, f"register row is a JSON {type(row).__name__}, not an object"
    values = {str(k).strip().lower(): v for k, v in row.items()}
    for name, value in (defaults or {}).items():
        if _text(values.get(name)) is None and value is not None:
            values[name] = value
    name = _text(values.get("inspectorate"))
    if name is None:
        return None, "missing inspectorate name"
    status_text = _text(values.get("status"))
    if status_text is None:
        return None, f"{name}: missing status"
    status = source.status_map.get(status_text.lower()) or _STATUS_WORDS.get(status_text.lower())
    if status is None:
        return None, (f"{name}: unknown status {status_text[:40]!r} "
                      f"(expected one of {', '.join(STATUSES)})")
    evidence = _text(values.get("evidence_url"))
    if evidence is None:
        return None, f"{name}: missing evidence_url"
    if urlsplit(evidence).scheme not in {"http", "https"} or not urlsplit(evidence).netloc:
        return None, f"{name}: evidence_url is not an http(s) URL: {evidence[:80]!r}"
    checked_text = _text(values.get("checked_on"))
    if checked_text is None:
        return None, f"{name}: missing checked_on date"
    checked = _parse_date(checked_text)
    if checked is None:
        return None, f"{name}: checked_on is not a date: {checked_text[:40]!r}"
    kd_klpd = _text(values.get("kd_klpd"))
    if kd_klpd is not None and not _KLPD.match(kd_klpd):
        return None, f"{name}: kd_klpd {kd_klpd[:20]!r} is not a K/L/PD code (K…, L…, D…)"
    record = {
        "source": source.name,
        "inspectorate": name,
        "inspectorate_id": region_key(name),
        "kd_klpd": kd_klpd,
        "status": status,
        "evidence_url": evidence,
        "checked_on": checked.isoformat(),
        "note": _text(values.get("note")),
    }
    return record, None


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _parse_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


# --- formats --------------------------------------------------------------------------------


def parse_csv(body: bytes, *, url: str) -> list[dict[str, Any]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError("register CSV is not UTF-8", url=url, body=body) from None
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    if not lines:
        raise SourceError("register CSV has no header row", url=url, body=body)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = {str(h).strip().lower() for h in reader.fieldnames or []}
    missing = {"inspectorate", "status", "evidence_url", "checked_on"} - header
    if missing:
        raise SourceError(f"register CSV lacks column(s) {', '.join(sorted(missing))}",
                          url=url, body=body)
    rows = []
    for row in reader:
        clean = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        if any(_text(v) for v in clean.values()):
            rows.append(clean)
    return rows


def parse_html(body: bytes, source: RegisterSource, *, url: str,
               page_url: str | None = None) -> list[dict[str, Any]]:
    """Rows of the first table whose header has the configured columns.

    Script, style and template content is removed before reading text, and links are taken
    from ``href`` attributes only (resolved against the page), so a page cannot smuggle text or
    a ``javascript:`` link into a record (such a link fails the http(s) check and is rejected).
    """
    tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
    tree.strip_tags(["script", "style", "noscript", "template", "iframe", "object"])
    wanted = {f: _header(h) for f, h in source.columns.items()}
    seen_headers: list[str] = []
    for table in tree.css(source.table):
        rows = table.css("tr")
        if not rows:
            continue
        headers = [_header(c.text(deep=True)) for c in rows[0].css("th, td")]
        seen_headers = headers
        if not set(wanted.values()) <= set(headers):
            continue
        index = {f: headers.index(h) for f, h in wanted.items()}
        out = []
        for tr in rows[1:]:
            cells = tr.css("td, th")
            if not cells:
                continue
            record: dict[str, Any] = {}
            for fld, i in index.items():
                cell = cells[i] if i < len(cells) else None
                if cell is None:
                    record[fld] = None
                elif fld == "evidence_url":
                    link = cell.css_first("a[href]")
                    href = link.attributes.get("href") if link is not None else None
                    target = href or cell.text(deep=True)
                    record[fld] = urljoin(page_url, target.strip()) if page_url and target \
                        else target
                else:
                    record[fld] = cell.text(deep=True, separator=" ")
            out.append(record)
        return out
    raise SourceError(
        f"no table with the columns {', '.join(repr(h) for h in source.columns.values())} "
        f"(last header seen: {', '.join(seen_headers) or 'none'})", url=url, body=body,
    )


def _header(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# The registers are read by the inspectorate step (flows/inspectorate_steps.py), every six
# hours and in the night, from the [inspectorates] section: declared here for their raw table.
SPEC = Source(SOURCE, {DATASET: RAW_TABLE})
