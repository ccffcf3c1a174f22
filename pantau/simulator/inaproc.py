"""LKPP's INAPROC API gateway (data.inaproc.id/api) over the simulated world or replayed files.

As faithful as ../shared/inaproc.md allows (§2, §9):
- ``/api/v1/{kategori}/{resource}?kode_klpd=&tahun=&limit=&cursor=`` answers the envelope
  ``{success, data, meta{limit, has_more, cursor}}``, keyset-paged on a stable int64 id with
  base64 ``{"id":N}`` cursors (limit clamped to 1..1000, default 10; ``data: null`` when there
  is nothing); ``/api/legacy/...`` answers the whole dataset as a bare array;
- Tyk's auth: 401 ``{"error":"Authorization field missing"}`` without the header, 403 ``Access
  to this API has been disallowed`` for an unknown token or an API it was not granted, both
  with ``X-Generator: tyk.io``; a token may be scoped to some K/L/PD (others answer no data);
- 400 ``{"success":false,"error":{...}}`` without ``kode_klpd`` or ``tahun``;
- ``X-RateLimit-Limit/-Remaining/-Reset`` on every answer, 429 with ``Retry-After`` past it;
- the quirks of the real records: officials' names and NIPs masked, the invisible block after
  ``nama_klpd``/``nama_satker``, ``last_update_ref`` on every record (per token and generation),
  null fields omitted from some records and keys shuffled in others, older ``versi_tender``
  rows beside the latest, the three NPWP-16 spellings (from the ISB generator);
- ``firewall=True``: every answer is Cloudflare's managed challenge page (HTTP 403, HTML).
Transient 500s, resets, stalls and cut bodies come from ``--faults`` (faults.py). The records
are the ISB service's (isb.py), from the same world, so both describe the same packages; with
``replay`` they are the real ISB captures ``<Dataset>.json``, filtered per K/L/PD and year.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pantau.connectors.inaproc import BY_PATH, cursor_for, record_id_of
from pantau.simulator.isb import IsbGenerator
from pantau.simulator.world import World

SIM_TOKEN = "sim-inaproc-5f0c2a9e7b3d41c8a6e2"  # noqa: S105 - the simulator's made-up token
TYK = {"X-Generator": "tyk.io"}
RATE_LIMITED = b'{"error":"API Rate Limit Exceeded"}'
MAX_LIMIT, DEFAULT_LIMIT = 1000, 10
_PATH = re.compile(r"^/api/(?P<gen>v1|legacy)/(?P<path>[a-z-]+/[a-z-]+)$")
# Which ISB dataset each gateway dataset carries (the gateway kept ISB's fields, inaproc.md §4.2).
ISB_TWIN = {
    "tender/pengumuman": "SPSE-TenderPengumuman",
    "tender/tender-selesai": "SPSE-TenderSelesai",
    "tender/tender-selesai-nilai": "SPSE-TenderSelesaiNilai",
    "tender/peserta-tender": "SPSE-PesertaTender",
    "tender/jadwal-tahapan-tender": "SPSE-JadwalTahapanTender",
    "tender/non-tender-pengumuman": "SPSE-NonTenderPengumuman",
    "tender/non-tender-selesai": "SPSE-NonTenderSelesai",
    "tender/pencatatan-non-tender": "SPSE-PencatatanNonTender",
    "tender/pencatatan-non-tender-realisasi": "SPSE-PencatatanNonTenderRealisasi",
    "tender/pencatatan-swakelola": "SPSE-PencatatanSwakelola",
    "tender/pencatatan-swakelola-realisasi": "SPSE-PencatatanSwakelolaRealisasi",
    "rup/master-satker": "RUP-MasterSatker",
    "rup/struktur-anggaran-pd": "RUP-StrukturAnggaranPD",
    "rup/paket-penyedia-terumumkan": "RUP-PaketPenyedia-Terumumkan",
    "ekatalog/paket-e-purchasing": "Ecat-PaketEPurchasingV6",
}
# E-Katalog v6 on the gateway: its own names for ISB's Ecat-PaketEPurchasingV6 fields.
V6_NAMES = {
    "kd_paket": "order_id", "kd_rup": "rup_code", "rup_nama_pkt": "rup_name",
    "tahun_anggaran": "fiscal_year", "total_harga": "total", "tgl_order": "order_date",
    "status_pkt": "status", "status_pengiriman": "shipment_status", "kd_klpd": "kode_klpd",
    "kd_satker_str": "kode_satker", "nama_satker": "nama_satker", "sumber_dana": "funding_source",
    "mak": "mak", "product_ids": "product_id", "kd_penyedia_v6": "kode_penyedia",
    "kd_penyedia_sikap": "rekan_id", "jml_jenis_produk": "count_product",
    "jml_produk": "total_qty", "ongkir": "shipping_fee",
}
NAMES_MASKED = ("nama_ppk", "nama_pokja", "wakil_sah_penyedia", "nama_pemilik_rek_bank")
NIPS_MASKED = ("nip_ppk", "nip_pokja", "username_ppk", "no_rek_bank")
WATERMARKED = ("nama_klpd", "nama_satker")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060"
CLOUDFLARE_PAGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta http-equiv="refresh" content="360"></head><body><div class="main-wrapper">'
    b"<noscript>Enable JavaScript and cookies to continue</noscript></div><script>"
    b"(function(){window._cf_chl_opt={cvId: '3',cZone: 'data.inaproc.id',cType: 'managed',"
    b"cRay: '8f1e2d3c4b5a6978'};}());</script></body></html>"
)


@dataclass(frozen=True)
class Grant:
    """What a token may ask: some K/L/PD (None: all) and some datasets (None: all)."""

    klpd: frozenset[str] | None = None
    apis: frozenset[str] | None = None


@dataclass
class _Limiter:
    limit: int
    window: float = 60.0
    _used: dict[str, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, token: str) -> tuple[bool, dict[str, str]]:
        now = time.time()
        with self._lock:
            start, used = self._used.get(token, (now, 0))
            if now - start >= self.window:
                start, used = now, 0
            ok = used < self.limit
            used += ok
            self._used[token] = (start, used)
        reset = int(start + self.window)
        out = {"X-RateLimit-Limit": str(self.limit),
               "X-RateLimit-Remaining": str(self.limit - used), "X-RateLimit-Reset": str(reset)}
        if not ok:
            out["Retry-After"] = str(max(1, int(reset - now)))
        return ok, out


class InaprocService:
    def __init__(self, world: World, replay: Path | None = None, *,
                 tokens: dict[str, Grant] | None = None, firewall: bool = False,
                 rate_limit: int = 1000, quirks: bool = True) -> None:
        self.world = world
        self.gen = IsbGenerator(world)
        self.replay = replay
        self.tokens = tokens if tokens is not None else {SIM_TOKEN: Grant()}
        self.firewall = firewall
        self.limiter = _Limiter(rate_limit)
        self.quirks = quirks

    def handle_gateway(  # noqa: PLR0911 - one return per answer the gateway gives
        self, method: str, path: str, form: dict[str, list[str]], headers: dict[str, str],
    ) -> tuple[int, str, bytes, dict[str, str]] | None:
        m = _PATH.match(path)
        if m is None:
            return None
        if self.firewall:
            return 403, "text/html; charset=UTF-8", CLOUDFLARE_PAGE, {"cf-ray": "8f1e2d3c4b5a6978"}
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not auth:
            return _tyk(401, "Authorization field missing")
        token = auth.removeprefix("Bearer ").strip()
        grant = self.tokens.get(token)
        ds = BY_PATH.get(m["path"])
        if grant is None or (ds is not None and grant.apis is not None
                             and ds.path not in grant.apis):
            return _tyk(403, "Access to this API has been disallowed")
        ok, limits = self.limiter.take(token)
        if not ok:
            return 429, "application/json", RATE_LIMITED, {**TYK, **limits}
        if ds is None or method != "GET" or m["gen"] not in ds.generations:
            return 404, "application/json", b'{"error":"Not Found"}', {**TYK, **limits}
        query = {k: v[-1] for k, v in form.items()}
        kd_klpd, tahun = query.get("kode_klpd", ""), query.get("tahun", "")
        if not kd_klpd or not tahun.isdigit():
            body = {"success": False, "error": {
                "code": "BAD_REQUEST", "message": "Parameter Kurang: kode_klpd dan tahun wajib"}}
            return 400, "application/json", _dumps(body), limits
        allowed = grant.klpd is None or kd_klpd in grant.klpd
        records = self.records(ds.path, kd_klpd, int(tahun), token) if allowed else []
        if m["gen"] == "legacy":
            return 200, "application/json", _dumps([r for _, r in records]), limits
        return self._page(records, query, limits)

    def _page(self, records: list[tuple[int, dict[str, Any]]], query: dict[str, str],
              limits: dict[str, str]) -> tuple[int, str, bytes, dict[str, str]]:
        try:
            limit = min(MAX_LIMIT, max(1, int(query.get("limit", DEFAULT_LIMIT))))
            after = record_id_of(query["cursor"]) if query.get("cursor") else None
        except (ValueError, KeyError, TypeError):
            body = {"success": False, "error": {"code": "INVALID_CURSOR",
                                                "message": "cursor atau limit tidak valid"}}
            return 400, "application/json", _dumps(body), limits
        rest = [(i, r) for i, r in records if after is None or i > after]
        page = rest[:limit]
        meta = {"limit": limit, "has_more": len(rest) > limit,
                "cursor": cursor_for(page[-1][0]) if page else None}
        body = {"success": True, "data": [r for _, r in page] or None, "meta": meta}
        return 200, "application/json", _dumps(body), limits

    # --- records ------------------------------------------------------------------------

    def records(self, path: str, kd_klpd: str, year: int,
                token: str) -> list[tuple[int, dict[str, Any]]]:
        """(stable id, record) of one dataset, K/L/PD and year, in id order."""
        found = list(self._source_records(path, kd_klpd, year))
        if path == "tender/pengumuman" and self.quirks:
            found = list(_with_older_versions(found))
        out = []
        for n, record in enumerate(found):
            digest = hashlib.sha256(f"{path}:{n}:{_dumps(record).decode()}".encode()).digest()
            rid = int.from_bytes(digest[:8], "big") >> 1  # a positive int64, like the real ids
            out.append((rid, self._quirky(record, rid, token) if self.quirks else record))
        return sorted(out, key=lambda pair: pair[0])

    def _source_records(self, path: str, kd_klpd: str, year: int) -> Iterator[dict[str, Any]]:
        twin = ISB_TWIN.get(path)
        if twin is None:
            return iter(())  # datasets the world does not model answer no data
        if self.replay:
            found = self._replayed(twin, kd_klpd, year)
        else:
            region = self.world.by_klpd.get(kd_klpd)
            found = list(self.gen.dataset(twin, region, year) or []) if region else []
        if path == "ekatalog/paket-e-purchasing":
            return ({V6_NAMES.get(k, k): v for k, v in r.items()} for r in found)
        return iter(found)

    def _replayed(self, twin: str, kd_klpd: str, year: int) -> list[dict[str, Any]]:
        file = self.replay / f"{twin}.json" if self.replay else None
        if file is None or not file.is_file():
            return []
        records = json.loads(file.read_bytes())
        # The gateway answers per K/L/PD (ISB per LPSE: Bandung's also hold PDAM's B154).
        return [r for r in records if isinstance(r, dict) and r.get("kd_klpd") == kd_klpd
                and r.get("tahun_anggaran") in (None, year)]

    def _quirky(self, record: dict[str, Any], rid: int, token: str) -> dict[str, Any]:
        out = dict(record)
        for name in NAMES_MASKED:
            if isinstance(out.get(name), str):
                out[name] = ";".join(mask_name(part) for part in out[name].split(";"))
        for name in NIPS_MASKED:
            if out.get(name) is not None:
                out[name] = ";".join(mask_digits(part) for part in str(out[name]).split(";"))
        for name in WATERMARKED:
            if isinstance(out.get(name), str):
                out[name] += watermark(token)
        out["last_update_ref"] = last_update_ref(rid, token, self.world.generation)
        rng = random.Random(rid)
        if rid % 3 == 0:
            out = {k: v for k, v in out.items() if v is not None}  # "kadang menghilangkan"
        if rid % 2 == 0:
            keys = list(out)
            rng.shuffle(keys)
            out = {k: out[k] for k in keys}
        return out


def _with_older_versions(records: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every fourth tender also has an earlier version: the latest is the published one."""
    for n, record in enumerate(records):
        version = int(record.get("versi_tender") or 1)
        if n % 4 == 0:
            older = {**record, "versi_tender": version, "status_tender": "Tender Ulang",
                     "hps": None, "nama_paket": f"{record.get('nama_paket')} (versi lama)"}
            yield older
            yield {**record, "versi_tender": version + 1}
        else:
            yield record


def mask_name(name: str) -> str:
    """'Hendra Pratama' -> 'H***** P******', as the gateway masks officials (§2.5)."""
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in name.split(" "))


def mask_digits(value: str) -> str:
    """A NIP keeps its last three characters: '***************001'."""
    return "*" * max(0, len(value) - 3) + value[-3:]


def watermark(token: str) -> str:
    """The invisible block: U+2063, 68 zero-width characters (per caller), U+2064."""
    digest = hashlib.sha256(token.encode()).digest() * 3
    return "\u2063" + "".join(_ZERO_WIDTH[b % 4] for b in digest[:68]) + "\u2064"


def last_update_ref(rid: int, token: str, generation: int) -> str:
    """<uuid v5>.<16 base64url>.<43 base64url>: opaque, per record, caller and generation."""
    head = uuid.uuid5(uuid.NAMESPACE_URL, f"inaproc:{rid}")
    tail = hashlib.sha256(f"{rid}:{token}:{generation}".encode()).hexdigest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    text = "".join(alphabet[int(tail[i:i + 2], 16) % 64] for i in range(0, 64, 2)) * 2
    return f"{head}.{text[:16]}.{text[16:59]}"


def _tyk(status: int, message: str) -> tuple[int, str, bytes, dict[str, str]]:
    return status, "application/json", _dumps({"error": message}), TYK


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()
