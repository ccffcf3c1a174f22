"""LKPP ISB ("Integrasi Sistem Bersama") datasets: keyed subscriber URLs and public satudata.

Quirks of this source (../shared/sources.md §2, checked on the real Kab. Bandung 2025 captures):
- keyed URLs are issued per subscriber and carry the access key as a path segment; they come
  from the secrets file with the placeholders {tahun}, {kd_lpse}, {kd_klpd};
- an answer is a bare JSON array, or wrapped in ``data``/``result``, at times after a UTF-8
  byte-order mark (read past); an unknown dataset or bad parameter answers plain text such as
  ``URL-NOT-DEFINED`` (an error, its body quarantined);
- numbers arrive as JSON numbers or null; ``kd_satker`` is numeric text in most datasets and the
  dotted code in SPSE-TenderSelesaiNilai (the core SQL reconciles them);
- dates come as ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM:SS`` and ``...T..:..:...000000Z``; the ``Z``
  is a serialisation artefact, the clock is WIB (its hours peak 08-16 like the naive ones);
- PesertaTender has one row with every participant field null for a tender nobody registered
  for; realisation datasets have no key of their own (a record is keyed by its package and its
  content hash).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any

from pantau.connectors.base import (
    Answer,
    Batch,
    Job,
    PlanRequest,
    Provenance,
    Source,
    SourceError,
    answer_of,
    canonical_json,
    canonical_json_fast,
    content_hash,
    is_flat,
)
from pantau.connectors.http import HttpClient, HttpSettings
from pantau.connectors.jsonarray import Parsed, parse_answer
from pydantic import ConfigDict, Field, with_config

SOURCE = "isb"
MAX_AMOUNT = 1e15  # Rp 1.000 triliun: above any single package; larger is a broken value
MAX_RECORD_BYTES = 1 << 20  # the largest real record is ~3 KB; a megabyte is an attack or a bug
MAX_DEPTH = 32  # real records are flat; deep nesting is hostile
MAX_KEY_CHARS = 200


@dataclass(frozen=True)
class Dataset:
    name: str  # ISB's dataset name, also the key in the secrets file
    table: str  # raw table name (schema ``raw``)
    # Natural key fields; "#content" stands for the record's content hash, "#year" for the
    # requested budget year (for datasets whose records do not always carry it).
    key: tuple[str, ...]
    amounts: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    required: tuple[str, ...] | None = None  # key fields that must be present (default: all)

    def key_of(self, record: dict[str, Any], text: str, year: int | None) -> str:
        parts = []
        for field in self.key:
            if field == "#content":
                parts.append(content_hash(text))
            elif field == "#year":
                parts.append(_key_text(record.get("tahun_anggaran") or year))
            else:
                parts.append(_key_text(record.get(field)))
        return "|".join(parts)

    @functools.cached_property
    def required_fields(self) -> tuple[str, ...]:
        fields = self.required if self.required is not None else self.key
        return tuple(f for f in fields if not f.startswith("#"))


_TENDER_DATES = (
    "tgl_buat_paket",
    "tgl_kolektif_kolegial",
    "tgl_pengumuman_tender",
    "tanggal_status",
)
KEYED_DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "SPSE-TenderPengumuman",
        "isb_tender_pengumuman",
        ("kd_tender",),
        ("pagu", "hps"),
        _TENDER_DATES,
    ),
    Dataset(
        "SPSE-TenderSelesai",
        "isb_tender_selesai",
        ("kd_tender",),
        ("pagu", "hps"),
        ("tgl_pengumuman_tender", "tgl_penetapan_pemenang"),
    ),
    Dataset(
        "SPSE-TenderSelesaiNilai",
        "isb_tender_selesai_nilai",
        ("kd_tender",),
        (
            "pagu",
            "hps",
            "nilai_penawaran",
            "nilai_terkoreksi",
            "nilai_negosiasi",
            "nilai_kontrak",
            "nilai_pdn_kontrak",
            "nilai_umk_kontrak",
        ),
        ("tgl_pengumuman_tender", "tgl_penetapan_pemenang"),
    ),
    Dataset(
        "SPSE-PesertaTender",
        "isb_peserta_tender",
        ("kd_tender", "kd_peserta"),
        ("nilai_penawaran", "nilai_terkoreksi"),
        required=("kd_tender",),
    ),
    Dataset(
        "SPSE-JadwalTahapanTender",
        "isb_jadwal_tahapan_tender",
        ("kd_tender", "kd_tahapan"),
        (),
        ("tgl_awal", "tgl_akhir"),
        required=("kd_tender",),
    ),
    Dataset(
        "SPSE-NonTenderPengumuman",
        "isb_non_tender_pengumuman",
        ("kd_nontender",),
        ("pagu", "hps"),
        ("tgl_buat_paket", "tgl_pengumuman_nontender"),
    ),
    Dataset(
        "SPSE-NonTenderSelesai",
        "isb_non_tender_selesai",
        ("kd_nontender",),
        (
            "pagu",
            "hps",
            "nilai_penawaran",
            "nilai_terkoreksi",
            "nilai_negosiasi",
            "nilai_kontrak",
            "nilai_pdn_kontrak",
            "nilai_umk_kontrak",
        ),
        ("tgl_pengumuman_nontender", "tgl_selesai_nontender"),
    ),
    Dataset(
        "SPSE-PencatatanNonTender",
        "isb_pencatatan_non_tender",
        ("kd_nontender_pct",),
        ("pagu", "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct"),
        ("tgl_buat_paket", "tgl_mulai_paket", "tgl_selesai_paket"),
    ),
    Dataset(
        "SPSE-PencatatanNonTenderRealisasi",
        "isb_pencatatan_non_tender_realisasi",
        ("kd_nontender_pct", "#content"),
        ("pagu", "nilai_realisasi"),
        ("tgl_realisasi",),
    ),
    Dataset(
        "SPSE-PencatatanSwakelola",
        "isb_pencatatan_swakelola",
        ("kd_swakelola_pct",),
        ("pagu", "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct"),
        ("tgl_buat_paket", "tgl_mulai_paket", "tgl_selesai_paket"),
    ),
    Dataset(
        "SPSE-PencatatanSwakelolaRealisasi",
        "isb_pencatatan_swakelola_realisasi",
        ("kd_swakelola_pct", "#content"),
        ("nilai_realisasi",),
        ("tgl_realisasi",),
    ),
    Dataset("RUP-MasterSatker", "isb_rup_master_satker", ("kd_satker",)),
    Dataset(
        "RUP-StrukturAnggaranPD",
        "isb_rup_struktur_anggaran_pd",
        ("kd_satker", "#year"),
        ("belanja_operasi", "belanja_modal", "belanja_pengadaan", "total_belanja"),
    ),
    Dataset(
        "RUP-PaketPenyedia-Terumumkan",
        "isb_rup_paket_penyedia",
        ("kd_rup",),
        ("pagu",),
        ("tgl_pengumuman_paket", "tgl_awal_pemilihan", "tgl_akhir_pemilihan"),
    ),
    Dataset(
        "Ecat-PaketEPurchasingV6",
        "isb_ecat_paket_epurchasing_v6",
        ("kd_paket",),
        ("total_harga", "ongkir"),
        ("tgl_order",),
    ),
)
MASTER_KLPD = Dataset("MasterKLPD", "isb_master_klpd", ("kd_klpd",))
MASTER_LPSE = Dataset("MasterLPSE", "isb_master_lpse", ("kd_lpse",))
TENDER_UMUM_PUBLIK = Dataset(
    "TenderUmumPublik", "isb_tender_umum_publik", ("Kode Tender",), ("Pagu", "HPS")
)
ALL_DATASETS = (*KEYED_DATASETS, MASTER_KLPD, MASTER_LPSE, TENDER_UMUM_PUBLIK)
BY_NAME = {d.name: d for d in ALL_DATASETS}


def _key_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S")
_FRACTION = re.compile(r"(\.\d+)?Z?$")
# The shapes ISB sends, exactly: fromisoformat reads them ~10x faster than strptime (every date of
# every record is checked at national scale); anything else takes the strptime path and its verdict.
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}:[0-9]{2})?")


def parse_isb_datetime(value: str) -> datetime:
    """ISB timestamps, WIB wall-clock: fraction and trailing Z dropped (see module doc)."""
    text = _FRACTION.sub("", value.strip())
    if _PLAIN_DATE.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # an impossible date: strptime below gives the same verdict
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - wall-clock WIB, zoned in SQL
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


_KEY_INT = 10**18  # an integer key below it is far shorter than MAX_KEY_CHARS
_BIG_FLOAT = re.compile(r"[0-9]e\+")  # how json and orjson write a float of 1e16 or more
# ISB's date shapes with the fraction and Z of the module doc in one match (group 1 is what
# parse_isb_datetime gives fromisoformat); see _fine.
_ISB_DATE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}:[0-9]{2})?)(?:\.[0-9]+)?Z?"
)


def check_record(dataset: Dataset, record: object) -> str | None:  # noqa: C901, PLR0911 - one return per reason
    """The reason this record cannot be landed, or None when it is fine."""
    if not isinstance(record, dict):
        return f"record is a JSON {type(record).__name__}, not an object"
    for field in dataset.required_fields:
        value = record.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return f"missing natural key field {field!r}"
        if isinstance(value, (dict, list, bool)):
            return f"natural key field {field!r} is a {type(value).__name__}"
        if len(str(value)) > MAX_KEY_CHARS:
            return f"natural key field {field!r} is longer than {MAX_KEY_CHARS} characters"
    if _depth(record) > MAX_DEPTH:
        return f"record nested deeper than {MAX_DEPTH} levels"
    for field in dataset.amounts:
        reason = _check_amount(field, record.get(field))
        if reason:
            return reason
    for field in dataset.dates:
        value = record.get(field)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return f"{field} is not a date string: {value!r}"
        try:
            parse_isb_datetime(value)
        except ValueError:
            return f"{field} is an impossible date: {value!r}"
    return None


def _depth(value: object, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list):
        return level
    # Only containers can be deeper than level + 1: recursing into every scalar of every record
    # was 40% of parsing at national scale.
    nested = [v for v in value if isinstance(v, (dict, list))]
    return max((_depth(v, level + 1) for v in nested), default=level + 1)


def record_text(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(canonical text, None) or (None, the reason it cannot be stored as JSON text)."""
    try:
        text = canonical_json(record)
        text.encode("utf-8")  # a lone surrogate (\ud800) cannot be stored
    except UnicodeEncodeError:  # a ValueError too: test it first
        return None, "record contains invalid unicode (a lone surrogate)"
    except ValueError:
        return None, "record contains NaN or Infinity, which JSON does not allow"
    if len(text) > MAX_RECORD_BYTES:
        return None, f"record larger than {MAX_RECORD_BYTES} bytes"
    return text, None


def _check_amount(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{field} is not a number: {str(value)[:40]!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{field} is not a finite number"
    if value < 0:
        return f"{field} is negative: {value}"
    if value > MAX_AMOUNT:
        return f"{field} is implausibly large: {value}"
    return None


def _fine(dataset: Dataset, record: dict[str, Any], text: str) -> bool:
    """True when ``check_record`` would find nothing wrong, decided by the common case alone
    (integer or text keys, flat records, in-range numbers, ISB's date shapes). False means
    "not sure": the answer is then checked by ``check_record``. Every record of every answer
    passes here, so this is the hot path: no recursion, no strptime, one regex per date."""
    # Flat when the text holds no bracket, else when no value is a container (real names
    # hold "[" and "{" in 1% of records).
    return (
        (("[" not in text and text.count("{") == 1) or is_flat(record))
        and _keys_fine(dataset, record)
        and _amounts_fine(dataset, record)
        and _dates_fine(dataset, record)
    )


def _keys_fine(dataset: Dataset, record: dict[str, Any]) -> bool:
    for field in dataset.required_fields:
        value = record.get(field)
        kind = type(value)
        if kind is int:
            if not -_KEY_INT < value < _KEY_INT:
                return False
        elif kind is not str or len(value) > MAX_KEY_CHARS or not value or value.isspace():
            return False
    return True


def _amounts_fine(dataset: Dataset, record: dict[str, Any]) -> bool:
    for field in dataset.amounts:
        value = record.get(field)
        if value is None:
            continue
        kind = type(value)
        if (kind is not int and kind is not float) or not 0 <= value <= MAX_AMOUNT:
            return False  # NaN fails the comparison too
    return True


def _dates_fine(dataset: Dataset, record: dict[str, Any]) -> bool:
    for field in dataset.dates:
        value = record.get(field)
        if value is None or value == "":
            continue
        match = _ISB_DATE.fullmatch(value) if type(value) is str else None
        if match is None:
            return False
        try:
            datetime.fromisoformat(match[1])
        except ValueError:
            return False
    return True


class _Unusual(Exception):  # noqa: N818 - an internal signal, not an error
    """An answer the fast path does not vouch for: it is read again the exact way."""


def to_batch(
    dataset: Dataset, body: bytes, provenance: Provenance, *, region: str, year: int | None
) -> Batch:
    """Parse one answer into a Batch: good records keyed, the rest rejected with a reason.

    Most answers are wholly fine: orjson reads and writes them (``_fast_batch``). Any answer
    with anything unusual (a record to reject, a conflicting duplicate, a number orjson may
    have read inexactly or writes differently) is read again by ``json`` and checked record by
    record as always (``_exact_batch``), so every verdict and every stored text is the one the
    exact path gives.
    """
    parsed = parse_answer(body, url=provenance.url, fast=True)
    if parsed.by_orjson:
        try:
            return _fast_batch(dataset, parsed.elements, provenance, region=region, year=year)
        except _Unusual:
            parsed = parse_answer(body, url=provenance.url, fast=False)
    return _exact_batch(dataset, parsed, provenance, region=region, year=year)


def _fast_batch(
    dataset: Dataset, elements: list[Any], provenance: Provenance, *, region: str,
    year: int | None,
) -> Batch:
    batch = Batch(SOURCE, dataset.name, region, year, provenance, table=dataset.table)
    seen: dict[str, str] = {}
    for record in elements:
        text = canonical_json_fast(record) if type(record) is dict else None
        # orjson reads an integer beyond 64 bits as a float, and json and orjson write a float
        # that large with "e+": the answer is then read again exactly.
        if (text is None or ("e+" in text and _BIG_FLOAT.search(text))
                or len(text) > MAX_RECORD_BYTES or not _fine(dataset, record, text)):
            raise _Unusual
        key = dataset.key_of(record, text, year)
        if key in seen:
            if seen[key] != text:
                raise _Unusual
            continue
        seen[key] = text
        batch.add(key, text)
    return batch


def _exact_batch(
    dataset: Dataset, parsed: Parsed, provenance: Provenance, *, region: str, year: int | None
) -> Batch:
    batch = Batch(SOURCE, dataset.name, region, year, provenance, table=dataset.table,
                  rejected=parsed.rejected)
    for record in parsed.elements:
        reason = check_record(dataset, record)
        text, why_not = record_text(record) if reason is None else (None, reason)
        if text is None:
            batch.reject(why_not or "unusable record", record)
            continue
        batch.add_once(dataset.key_of(record, text, year), text, record)
    return batch


def fill_url(template: str, *, year: int, kd_lpse: int | None, kd_klpd: str | None) -> str:
    needs = set(re.findall(r"{(\w+)}", template))
    unknown = needs - {"tahun", "kd_lpse", "kd_klpd"}
    if unknown:
        raise SourceError(f"dataset URL has unknown placeholder(s): {', '.join(sorted(unknown))}")
    if "kd_lpse" in needs and kd_lpse is None:
        raise SourceError("dataset URL needs {kd_lpse} but the region has none")
    if "kd_klpd" in needs and kd_klpd is None:
        raise SourceError("dataset URL needs {kd_klpd} but the region has none")
    return template.format(tahun=year, kd_lpse=kd_lpse, kd_klpd=kd_klpd)


def fetch(
    client: HttpClient, dataset: Dataset, url: str, *, region: str, year: int | None,
    last: Answer | None = None,
) -> Batch:
    """One answer as a Batch; with ``last`` (the answer last landed), asked conditionally, and
    neither parsed nor checked when the server says 304 or the bytes hash the same."""
    if last is None:
        response = client.get(url, expect_json=True)
    else:
        response = client.get(url, expect_json=True, headers=last.conditional_headers(),
                              ok_statuses=(200, 304))
    provenance = Provenance(SOURCE, response.url, response.fetched_at)
    answer = (last if last is not None and response.status == HTTPStatus.NOT_MODIFIED
              else answer_of(response.body, response.headers))
    if last is not None and answer.sha256 == last.sha256:
        return Batch(SOURCE, dataset.name, region, year, provenance, table=dataset.table,
                     answer=answer, unchanged=True)
    batch = to_batch(dataset, response.body, provenance, region=region, year=year)
    batch.answer = answer
    return batch


def fetch_keyed(
    client: HttpClient,
    dataset: Dataset,
    template: str,  # a dataset URL with {tahun}/{kd_lpse}/{kd_klpd}, or a plain URL
    *,
    region: str,
    year: int,
    kd_lpse: int | None,
    kd_klpd: str | None,
    last: Answer | None = None,
) -> Batch:
    url = fill_url(template, year=year, kd_lpse=kd_lpse, kd_klpd=kd_klpd)
    return fetch(client, dataset, url, region=region, year=year, last=last)


def fetch_master(client: HttpClient, satudata_url: str, dataset: Dataset) -> Batch:
    return fetch(
        client, dataset, f"{satudata_url.rstrip('/')}/{dataset.name}", region="*", year=None
    )


# --- the source's declaration (connectors/registry.py) -------------------------------------


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class IsbSettings:
    """``[sources.isb]``: LKPP's ISB. The keyed dataset URLs are secrets (``[isb.datasets]`` in
    the secrets file); without a keyed tender list the public satudata list stands in for it."""

    enabled: Annotated[bool, Field(description="Fetch this source in the nightly run.")] = True
    satudata_url: Annotated[str, Field(description=(
        "LKPP's public satudata API (master lists, public tender list)."))] = (
        "https://isb.lkpp.go.id/isb-2/api/satudata")

    def http(self, shared: HttpSettings) -> HttpSettings:
        return shared


def plan(settings: IsbSettings, request: PlanRequest) -> list[Job]:
    """One job per keyed dataset (its URL from the secrets), region with ISB codes and year."""
    regions = [r for r in request.regions if r.kd_klpd or r.kd_lpse]  # others are SPSE-only
    urls: dict[str, str] = dict(request.secrets.get("datasets", {}))
    unknown = set(urls) - {d.name for d in KEYED_DATASETS}
    if unknown:
        request.notices.append(f"secrets name unknown ISB dataset(s): {', '.join(sorted(unknown))}")
    jobs = []
    for dataset in KEYED_DATASETS:
        template = urls.get(dataset.name)
        if template is None:
            request.notices.append(f"isb/{dataset.name}: skipped, no dataset URL configured")
            continue
        jobs += [Job(SOURCE, dataset.name, r.label, y, template, region=r)
                 for r in regions for y in request.years]
    if "SPSE-TenderPengumuman" not in urls:
        # No keyed tender list: the public satudata list stands in for it.
        satudata = settings.satudata_url.rstrip("/")
        jobs += [Job(SOURCE, TENDER_UMUM_PUBLIK.name, r.label, y,
                     f"{satudata}/{TENDER_UMUM_PUBLIK.name}/{y}/{r.kd_lpse}", region=r)
                 for r in regions for y in request.years if r.kd_lpse is not None]
    return jobs


def fetch_job(job: Job, _settings: IsbSettings, client: HttpClient) -> Batch:
    region = job.region
    return fetch_keyed(client, BY_NAME[job.dataset], job.target, region=job.scope,
                       year=job.year or 0, kd_lpse=region.kd_lpse if region else None,
                       kd_klpd=region.kd_klpd if region else None, last=job.last_answer)


SPEC = Source(SOURCE, {d.name: d.table for d in ALL_DATASETS}, IsbSettings, plan, fetch_job)


# --- region resolution ---------------------------------------------------------------------

_PREFIXES = (
    (re.compile(r"^(prov\.?|provinsi|pemprov|pemerintah provinsi)\s+"), "provinsi "),
    (re.compile(r"^(kab\.?|kabupaten|pemkab|pemerintah kabupaten)\s+"), "kabupaten "),
    (re.compile(r"^(pemkot|pemerintah kota)\s+"), "kota "),
)


def normalise_name(name: str) -> str:
    """'Prov. Jawa Tengah', 'Provinsi Jawa Tengah' and 'LPSE Provinsi Jawa Tengah' compare equal."""
    text = re.sub(r"\s+", " ", name.lower().strip())
    text = re.sub(r"^lpse\s+", "", text)
    for pattern, replacement in _PREFIXES:
        text = pattern.sub(replacement, text)
    return text


def match_by_name(name: str, rows: Iterable[dict[str, Any]], field: str) -> dict[str, Any]:
    wanted = normalise_name(name)
    hits = [r for r in rows if isinstance(r.get(field), str) and normalise_name(r[field]) == wanted]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise SourceError(f"region {name!r} not found in {field} of LKPP's master list")
    names = ", ".join(sorted({str(h.get(field)) for h in hits}))
    raise SourceError(f"region {name!r} is ambiguous in LKPP's master list: {names}")
