"""LKPP's INAPROC API gateway (data.inaproc.id/api), ISB's successor: v1 and legacy.

Facts (../shared/inaproc.md §1-4): ``GET {base}/v1/{kategori}/{resource}?kode_klpd=&tahun=
&limit=&cursor=`` answers ``{success, data, meta{limit, has_more, cursor}}`` (``data: null`` is an
empty page, ``rs`` an older alias of ``data``); ``{base}/legacy/...`` answers the whole dataset
as a bare array. Both send ``Authorization: Bearer <token>`` and keep ISB's field names, so the
records reach core through the ISB SQL (sql/core/090_lkpp.sql unions the two sources).

Ingest rules (the gateway's quirks, §2.5), applied to every record before it is checked and
stored:
- the invisible watermark ``[\\u200B-\\u200D\\u2060-\\u2064\\uFEFF]`` is stripped from every string;
- null fields are dropped: the gateway omits some of them and keys come in random order, so a
  record and its complete, ordered twin store the same canonical text (sorted keys) and hash;
  core reads a missing field as NULL, exactly as a null one;
- masked officials' names and NIPs (``H**** P******``, ``***001``) are kept as published; core
  never uses them as identities;
- ``last_update_ref`` is kept in the payload but left out of the content hash
  (``change_hash``), so a new reference alone is not a change.
Errors end as one line naming the dataset (``InaprocError``); a firewall page is not retried,
and after one the gateway is not asked again for ``FIREWALL_MEMORY_SECONDS`` (no retry storm)
until the next night's plan. The token (the secrets file's ``[inaproc] token``) travels in
``Job.credential``, never in a target, URL or log line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from pantau.connectors.base import (
    Answer,
    Batch,
    Job,
    PlanRequest,
    Provenance,
    Region,
    Source,
    SourceError,
    answer_digest,
    without_bom,
)
from pantau.connectors.http import HttpClient, HttpSettings, Response
from pantau.connectors.isb import Dataset, check_record, normalise_name, record_text
from pydantic import ConfigDict, Field, with_config

SOURCE = "inaproc"
DEFAULT_BASE_URL = "https://data.inaproc.id/api"
GENERATIONS = ("v1", "legacy")
DEFAULT_PAGE_SIZE = 1000  # the gateway's maximum
MAX_PAGES = 10_000  # 10 million records of one K/L/PD and year: beyond it is a paging bug
MAX_WAIT_SECONDS = 120.0  # the longest pause for an exhausted rate limit
FIREWALL_MEMORY_SECONDS = 600.0
INVISIBLE = re.compile("[\u200b-\u200d\u2060-\u2064\ufeff]")
UNHASHED = "last_update_ref"  # opaque, changes without the record changing
NO_TOKEN = "no INAPROC token: set [inaproc] token in the secrets file"  # noqa: S105 - a message
FIREWALL = (
    "blocked by the gateway's firewall (a Cloudflare challenge or 'Akses Ditolak' page instead "
    "of JSON): register this machine's public IP with LKPP in the Developer Portal "
    "(https://data.inaproc.id/portal) or run from a registered machine"
)
_HTML_MARKERS = (b"<!doctype", b"<html", b"just a moment", b"akses ditolak", b"cf-ray")


@dataclass(frozen=True)
class InaprocDataset:
    path: str  # "{kategori}/{resource}", as in the gateway's URL
    dataset: Dataset  # the record checks, natural key and raw table
    # The generations that serve it: legacy-only datasets are asked of /legacy in a v1 run.
    generations: tuple[str, ...] = GENERATIONS
    # Extra parameter sets: one request (or page run) each, their records in one batch.
    variants: tuple[dict[str, str], ...] = ({},)

    @property
    def name(self) -> str:
        return self.path

    @property
    def table(self) -> str:
        return self.dataset.table

    def generation(self, api: str) -> str:
        return api if api in self.generations else self.generations[0]


def _ds(path: str, key: tuple[str, ...], amounts: tuple[str, ...] = (),
        dates: tuple[str, ...] = (), *, required: tuple[str, ...] | None = None,
        **kwargs: Any) -> InaprocDataset:  # noqa: ANN401 - the InaprocDataset fields
    # raw.inaproc_<path without the "tender/" of SPSE's datasets>, e.g. raw.inaproc_pengumuman
    table = "inaproc_" + re.sub(r"[^a-z0-9]+", "_", path.removeprefix("tender/"))
    return InaprocDataset(path, Dataset(path, table, key, amounts, dates, required), **kwargs)


_VALUES = ("pagu", "hps", "nilai_penawaran", "nilai_terkoreksi", "nilai_negosiasi",
           "nilai_kontrak", "nilai_pdn_kontrak", "nilai_umk_kontrak")
_PCT = ("pagu", "total_realisasi", "nilai_pdn_pct", "nilai_umk_pct")
_PCT_DATES = ("tgl_buat_paket", "tgl_mulai_paket", "tgl_selesai_paket")
_KONTRAK = ("nilai_kontrak", "nilai_pdn_kontrak", "nilai_umk_kontrak")
# The datasets of issue 14 with their natural keys (inaproc.md §1.2, §9): ISB's where the
# gateway kept ISB's dataset, (kd_tender, versi_tender) for pengumuman (core keeps the latest
# version), "#content" where a record has no key of its own.
DATASETS: tuple[InaprocDataset, ...] = (
    _ds("tender/pengumuman", ("kd_tender", "versi_tender"), ("pagu", "hps"),
        ("tgl_buat_paket", "tgl_kolektif_kolegial", "tgl_pengumuman_tender", "tanggal_status"),
        required=("kd_tender",)),
    _ds("tender/tender-selesai", ("kd_tender",), ("pagu", "hps"),
        ("tgl_pengumuman_tender", "tgl_penetapan_pemenang")),
    _ds("tender/tender-selesai-nilai", ("kd_tender",), _VALUES,
        ("tgl_pengumuman_tender", "tgl_penetapan_pemenang")),
    _ds("tender/peserta-tender", ("kd_tender", "kd_peserta"),
        ("nilai_penawaran", "nilai_terkoreksi"), required=("kd_tender",)),
    _ds("tender/jadwal-tahapan-tender", ("kd_tender", "kd_tahapan"), (),
        ("tgl_awal", "tgl_akhir"), required=("kd_tender",)),
    _ds("tender/non-tender-pengumuman", ("kd_nontender",), ("pagu", "hps"),
        ("tgl_buat_paket", "tgl_pengumuman_nontender")),
    _ds("tender/non-tender-selesai", ("kd_nontender",), _VALUES,
        ("tgl_pengumuman_nontender", "tgl_selesai_nontender")),
    _ds("tender/jadwal-tahapan-non-tender", ("kd_nontender", "kd_tahapan"), (),
        ("tgl_awal", "tgl_akhir"), required=("kd_nontender",)),
    _ds("tender/pencatatan-non-tender", ("kd_nontender_pct",), _PCT, _PCT_DATES),
    _ds("tender/pencatatan-non-tender-realisasi", ("kd_nontender_pct", "#content"),
        ("pagu", "nilai_realisasi"), ("tgl_realisasi",)),
    _ds("tender/pencatatan-swakelola", ("kd_swakelola_pct",), _PCT, _PCT_DATES),
    _ds("tender/pencatatan-swakelola-realisasi", ("kd_swakelola_pct", "#content"),
        ("nilai_realisasi",), ("tgl_realisasi",)),
    _ds("tender/tender-ekontrak-kontrak", ("kd_tender", "kontrak_id", "versi_addendum"),
        _KONTRAK, required=("kd_tender",)),
    _ds("tender/non-tender-ekontrak-kontrak", ("kd_nontender", "kontrak_id", "versi_addendum"),
        _KONTRAK, required=("kd_nontender",)),
    _ds("rup/master-satker", ("kd_klpd", "kd_satker")),
    _ds("rup/paket-penyedia-terumumkan", ("kd_rup",), ("pagu",),
        ("tgl_pengumuman_paket", "tgl_awal_pemilihan", "tgl_akhir_pemilihan")),
    _ds("rup/paket-swakelola-terumumkan", ("kd_rup",), ("pagu",), ("tgl_pengumuman_paket",)),
    _ds("rup/history-kaji-ulang", ("jenis_paket", "kd_rup_lama", "#content"),
        required=("kd_rup_lama",),
        variants=({"jenis_paket": "PENYEDIA"}, {"jenis_paket": "SWAKELOLA"})),
    _ds("rup/struktur-anggaran-pd", ("kd_satker", "#year"),
        ("belanja_operasi", "belanja_modal", "belanja_pengadaan", "total_belanja"),
        generations=("legacy",)),
    # E-Katalog v6 has its own names (kode_klpd, order_id, rup_code, fiscal_year, total).
    _ds("ekatalog/paket-e-purchasing", ("order_id",), ("total", "shipping_fee"),
        ("order_date",)),
    _ds("ekatalog-archive/paket-e-purchasing", ("kd_paket", "kd_paket_produk"),
        ("total_harga", "harga_satuan", "ongkos_kirim"), required=("kd_paket",)),
)
BY_PATH = {d.path: d for d in DATASETS}


class InaprocError(SourceError):
    """One line a person can act on, naming the dataset."""


# --- normalising ----------------------------------------------------------------------------


def normalise(value: Any) -> Any:  # noqa: ANN401 - JSON values
    """Strip the invisible watermark from strings and drop null fields, recursively."""
    if isinstance(value, str):
        return INVISIBLE.sub("", value)
    if isinstance(value, dict):
        return {INVISIBLE.sub("", k): normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def change_hash(record: dict[str, Any]) -> str:
    """The content hash used for change detection: the record without ``last_update_ref``."""
    rest = {k: v for k, v in record.items() if k != UNHASHED}
    return hashlib.md5(  # noqa: S324 - a change fingerprint, as the loader's md5(payload)
        json.dumps(rest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        .encode("utf-8", "surrogatepass")
    ).hexdigest()


@dataclass
class InaprocBatch(Batch):
    """A batch whose change hashes leave ``last_update_ref`` out (the loader uses them)."""

    hashes: list[str] = field(default_factory=list)


def to_batch(ds: InaprocDataset, records: list[Any], provenance: Provenance, *, region: str,
             year: int | None) -> InaprocBatch:
    """Normalise, check and key the records of one (dataset, K/L/PD, year)."""
    batch = InaprocBatch(SOURCE, ds.name, region, year, provenance, table=ds.table)
    for raw in records:
        record = normalise(raw)
        reason = check_record(ds.dataset, record)
        text, why_not = record_text(record) if reason is None else (None, reason)
        if text is None:
            batch.reject(why_not or "unusable record", raw)
            continue
        if batch.add_once(ds.dataset.key_of(record, text, year), text, raw):
            batch.hashes.append(change_hash(record))
    return batch


# --- fetching -------------------------------------------------------------------------------


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def dataset_url(base_url: str, generation: str, ds: InaprocDataset, params: dict[str, Any]) -> str:
    return f"{base_url.rstrip('/')}/{generation}/{ds.path}?{urlencode(params)}"


def fetch(client: HttpClient, ds: InaprocDataset, *, base_url: str, api: str, token: str | None,
          kd_klpd: str, year: int, region: str, page_size: int = DEFAULT_PAGE_SIZE,
          last: Answer | None = None) -> InaprocBatch:
    """Every record of one dataset for one K/L/PD and budget year, in one batch. The answer is
    the hash of every page's bytes in turn (the gateway sends no validators to ask
    conditionally with); where it equals ``last``, the records are not normalised or checked."""
    if not token:
        raise InaprocError(f"inaproc/{ds.path}: {NO_TOKEN}")
    if api not in GENERATIONS:
        raise InaprocError(f'inaproc/{ds.path}: [sources.inaproc] api must be "v1" or '
                           f'"legacy", not {api!r}')
    generation = ds.generation(api)
    records: list[Any] = []
    first_url = ""
    digest = answer_digest()
    for variant in ds.variants:
        params: dict[str, Any] = {"kode_klpd": kd_klpd, "tahun": year, **variant}
        pages = (_legacy(client, ds, base_url, params, token) if generation == "legacy"
                 else _v1(client, ds, base_url, params, token, page_size))
        for url, page, body_hash in pages:
            first_url = first_url or url
            records += page
            digest.update(body_hash)
    provenance = Provenance(SOURCE, first_url, datetime.now(UTC))
    answer = Answer(digest.hexdigest())
    if last is not None and answer.sha256 == last.sha256:
        return InaprocBatch(SOURCE, ds.name, region, year, provenance, table=ds.table,
                            answer=answer, unchanged=True)
    batch = to_batch(ds, records, provenance, region=region, year=year)
    batch.answer = answer
    return batch


def probe(client: HttpClient, ds: InaprocDataset, *, base_url: str, api: str, token: str,
          kd_klpd: str, year: int) -> list[Any]:
    """One request (``limit=1`` in v1) for one K/L/PD and year: whether the token is granted
    the dataset (an ``InaprocError`` otherwise), and the normalised records of the answer."""
    if not token:
        raise InaprocError(f"inaproc/{ds.path}: {NO_TOKEN}")
    generation = ds.generation(api)
    params: dict[str, Any] = {"kode_klpd": kd_klpd, "tahun": year, **ds.variants[0]}
    if generation == "v1":
        params["limit"] = 1
    response = _get(client, ds, dataset_url(base_url, generation, ds, params), token)
    answer = _json(ds, response)
    if isinstance(answer, dict):
        _check_envelope(ds, response, answer)
        answer = _records(ds, response, answer)
    if not isinstance(answer, list):
        raise _error(ds, response, f"a JSON {type(answer).__name__} where records belong")
    return [normalise(r) for r in answer]


# One answer's (redacted URL, records, SHA-256 of its bytes): bodies are not kept once read.
Page = tuple[str, list[Any], bytes]


def _legacy(client: HttpClient, ds: InaprocDataset, base_url: str, params: dict[str, Any],
            token: str) -> list[Page]:
    response = _get(client, ds, dataset_url(base_url, "legacy", ds, params), token)
    answer = _json(ds, response)
    body_hash = hashlib.sha256(response.body).digest()
    if isinstance(answer, list):
        return [(response.url, answer, body_hash)]
    if isinstance(answer, dict):
        _check_envelope(ds, response, answer)
        return [(response.url, _records(ds, response, answer), body_hash)]
    raise _error(ds, response, f"a JSON {type(answer).__name__} where the legacy array belongs")


def _v1(client: HttpClient, ds: InaprocDataset, base_url: str, params: dict[str, Any],
        token: str, page_size: int) -> list[Page]:
    pages: list[Page] = []
    cursors: set[str] = set()
    cursor: str | None = None
    while True:
        if len(pages) >= MAX_PAGES:
            raise InaprocError(f"inaproc/{ds.path}: more than {MAX_PAGES} pages; paging stopped")
        query = {**params, "limit": page_size, **({"cursor": cursor} if cursor else {})}
        response = _get(client, ds, dataset_url(base_url, "v1", ds, query), token)
        answer = _json(ds, response)
        if not isinstance(answer, dict):
            raise _error(ds, response, f"a JSON {type(answer).__name__} where the v1 envelope "
                         "belongs")
        _check_envelope(ds, response, answer)
        pages.append((response.url, _records(ds, response, answer),
                      hashlib.sha256(response.body).digest()))
        meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
        cursor = meta.get("cursor") or None
        if not meta.get("has_more") or not cursor:
            return pages
        if cursor in cursors:
            raise _error(ds, response, f"the gateway repeated cursor {str(cursor)[:60]!r}: "
                         "paging stopped (it would loop)")
        cursors.add(str(cursor))


def _get(client: HttpClient, ds: InaprocDataset, url: str, token: str) -> Response:
    _refuse_if_blocked(ds, url)
    try:
        response = client.get(url, headers=headers(token), ok_statuses=(200, 400, 401, 403, 404))
    except InaprocError:
        raise
    except SourceError as exc:
        raise InaprocError(f"inaproc/{ds.path}: {exc}", url=exc.url, body=exc.body,
                           status=exc.status) from None
    if _is_html(response.body):
        _remember_block(url)
        raise _error(ds, response, FIREWALL, with_status=False)
    if response.status != 200:
        raise _error(ds, response, _status_reason(response), with_status=False)
    _respect_rate_limit(response)
    return response


def _status_reason(response: Response) -> str:
    message = _message(response.body)
    said = f" ({message})" if message else ""
    if response.status == 401:
        return (f"HTTP 401{said}: the INAPROC token is missing, wrong or expired; request or "
                "renew it in the Developer Portal")
    if response.status == 403:
        return (f"HTTP 403{said}: this API is not granted to the INAPROC token, or this "
                "machine's IP is not registered with it; tick the API and register the IP in "
                "the Developer Portal")
    if response.status == 400:
        return f"HTTP 400{said}: the gateway refused the request's parameters"
    return f"HTTP {response.status}{said}: the gateway does not serve this dataset"


def _message(body: bytes) -> str:
    """The gateway's own words: Tyk's {"error": "..."} or {"error": {"code", "message"}}."""
    try:
        answer = json.loads(without_bom(body))
    except ValueError:
        return ""
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        parts = [str(error.get(k)) for k in ("code", "message") if error.get(k)]
        return _one_line(": ".join(parts))
    if error:
        return _one_line(str(error))
    return _one_line(str(answer.get("message", ""))) if isinstance(answer, dict) else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _json(ds: InaprocDataset, response: Response) -> Any:  # noqa: ANN401 - JSON
    try:
        return json.loads(without_bom(response.body))
    except ValueError:
        raise _error(ds, response, "the answer is not JSON") from None


def _check_envelope(ds: InaprocDataset, response: Response, answer: dict[str, Any]) -> None:
    if answer.get("success") is False:
        said = _message(response.body) or "no message"
        raise _error(ds, response, f"the gateway answered success=false ({said})")


def _records(ds: InaprocDataset, response: Response, answer: dict[str, Any]) -> list[Any]:
    data = answer.get("data", answer.get("rs"))
    if data is None:
        return []  # "no records", not an error
    if not isinstance(data, list):
        raise _error(ds, response, f"data is a JSON {type(data).__name__}, not an array")
    return data


def _error(ds: InaprocDataset, response: Response, reason: str, *,
           with_status: bool = True) -> InaprocError:
    status = f" (HTTP {response.status})" if with_status and response.status != 200 else ""
    return InaprocError(f"inaproc/{ds.path}: {reason}{status}", url=response.url,
                        body=response.body, status=response.status)


def _is_html(body: bytes) -> bool:
    head = without_bom(body).lstrip()[:512].lower()
    return head[:1] == b"<" or any(marker in head for marker in _HTML_MARKERS)


def _respect_rate_limit(response: Response) -> None:
    """X-RateLimit-Remaining 0: wait for X-RateLimit-Reset (epoch seconds, or seconds to go)
    before the next request, rather than earning a 429."""
    found = {k.lower(): v for k, v in response.headers.items()}
    if found.get("x-ratelimit-remaining", "").strip() != "0":
        return
    try:
        reset = float(found.get("x-ratelimit-reset", "1"))
    except ValueError:
        reset = 1.0
    wait = reset - time.time() if reset > 1e9 else reset  # an epoch, or seconds to go
    time.sleep(min(MAX_WAIT_SECONDS, max(0.0, wait)))


_blocked: dict[str, float] = {}
_blocked_lock = threading.Lock()


def _host(url: str) -> str:
    return url.split("?", 1)[0].split("/api/", 1)[0]


def _remember_block(url: str) -> None:
    with _blocked_lock:
        _blocked[_host(url)] = time.monotonic() + FIREWALL_MEMORY_SECONDS


def _refuse_if_blocked(ds: InaprocDataset, url: str) -> None:
    with _blocked_lock:
        until = _blocked.get(_host(url))
    if until is not None and time.monotonic() < until:
        raise InaprocError(f"inaproc/{ds.path}: {FIREWALL} (not asked again this run)")


def forget_blocks() -> None:
    """A new run asks a gateway that blocked an earlier one again."""
    with _blocked_lock:
        _blocked.clear()


def cursor_for(record_id: int) -> str:
    """The gateway's cursor shape: base64 of {"id": <int64>} (inaproc.md §2.1)."""
    return base64.b64encode(json.dumps({"id": record_id}, separators=(",", ":")).encode()).decode()


def record_id_of(cursor: str) -> int:
    return int(json.loads(base64.b64decode(cursor))["id"])


def region_name_notices(regions: Iterable[Region], satkers: Iterable[dict[str, Any]]) -> list[str]:
    """A configured kd_klpd whose name in LKPP's satker list (rup/master-satker) is not the
    region's: a wrong code would watch another K/L/PD's packages without a word."""
    names: dict[str, str] = {}
    for row in satkers:
        kd_klpd, name = row.get("kd_klpd"), row.get("nama_klpd")
        if isinstance(kd_klpd, str) and isinstance(name, str):
            names[kd_klpd] = min(name, names.get(kd_klpd, name))
    notices = []
    for r in regions:
        found = names.get(r.kd_klpd or "")
        if found and normalise_name(found) != normalise_name(r.name):
            notices.append(f"inaproc: {r.name} has kd_klpd {r.kd_klpd}, which LKPP's satker "
                           f"list names {found!r}: check the code")
    return notices


# --- the source's declaration (connectors/registry.py) -------------------------------------


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class InaprocSettings:
    """``[sources.inaproc]``: LKPP's INAPROC API gateway (issue 14), LKPP's live source since
    ISB was switched off: each dataset per K/L/PD (a region's ``kd_klpd``) and budget year.
    The token is a secret (``[inaproc] token`` in the secrets file; how to get one and what to
    do when the gateway's firewall blocks the machine: docs/inaproc.md)."""

    enabled: Annotated[bool, Field(description="Fetch this source in the nightly run.")] = True
    base_url: Annotated[str, Field(description="The gateway's API root.")] = DEFAULT_BASE_URL
    api: Annotated[str, Field(description=(
        '"v1" (the cursor-paged envelope) or "legacy" (bare arrays).'))] = "v1"
    datasets: Annotated[tuple[str, ...], Field(description=(
        "The datasets fetched, as {kategori}/{resource} (default: all of issue 14's)."))] = (
        tuple(d.path for d in DATASETS))
    page_size: Annotated[int, Field(ge=1, le=DEFAULT_PAGE_SIZE, description=(
        "Records per v1 page (the gateway's maximum is 1000)."))] = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.api not in GENERATIONS:
            raise ValueError(f'api must be "v1" or "legacy", not {self.api!r}')
        unknown = [d for d in self.datasets if d not in BY_PATH]
        if unknown:
            raise ValueError(f"unknown dataset(s) {', '.join(unknown)} (known: docs/inaproc.md)")

    def http(self, shared: HttpSettings) -> HttpSettings:
        return shared


def plan(settings: InaprocSettings, request: PlanRequest) -> list[Job]:
    """Each configured dataset per (region with a kd_klpd, year). A plan starts a night: a
    gateway whose firewall blocked an earlier night is asked again."""
    forget_blocks()
    token = str(request.secrets.get("token") or "")
    jobs = []
    for r in request.regions:
        if not r.kd_klpd:
            request.notices.append(f"inaproc: {r.name} has no kd_klpd; skipped")
            continue
        jobs += [Job(SOURCE, d, r.label, y, settings.base_url, region=r, credential=token)
                 for y in request.years for d in settings.datasets]
    return jobs


def fetch_job(job: Job, settings: InaprocSettings, client: HttpClient) -> InaprocBatch:
    kd_klpd = job.region.kd_klpd if job.region else None
    return fetch(client, BY_PATH[job.dataset], base_url=job.target, api=settings.api,
                 token=job.credential, kd_klpd=kd_klpd or "", year=job.year or 0,
                 region=job.scope, page_size=settings.page_size, last=job.last_answer)


def review(regions: Sequence[Region],
           records: Callable[[str], Iterable[dict[str, Any]]]) -> list[str]:
    """After a night's landing: the regions whose kd_klpd the landed satker list names
    otherwise."""
    return region_name_notices(regions, records(MASTER_SATKER.path))


MASTER_SATKER = BY_PATH["rup/master-satker"]
SPEC = Source(SOURCE, {d.path: d.table for d in DATASETS}, InaprocSettings, plan, fetch_job,
              review=review)
