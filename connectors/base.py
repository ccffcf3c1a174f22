"""Shared shapes of the sources: what a source declares (``Source``), the jobs it plans, the
regions it is asked about, and what its fetches yield (records with provenance, and what could
not be parsed). ``connectors/registry.py`` lists the declared sources."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

_VERSION = metadata.version("pantau")

if TYPE_CHECKING:
    from pantau.connectors.http import HttpClient


class SourceError(Exception):
    """A source answered with something that is not data (or not at all).

    ``body`` keeps the raw answer so that the loader can quarantine it; ``url`` is redacted.
    """

    def __init__(
        self, message: str, *, url: str = "", body: bytes | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.body = body
        self.status = status


@dataclass(frozen=True)
class Provenance:
    source: str
    url: str  # always redacted
    fetched_at: datetime


@dataclass(frozen=True)
class Answer:
    """What tells a source's whole answer for one (dataset, region, year) from another: the
    SHA-256 of its bytes (or of its records, where paging wraps them in envelopes), and the
    validators the server sent with it, for asking conditionally next night."""

    sha256: str
    etag: str | None = None
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        """``If-None-Match`` / ``If-Modified-Since`` for a server that sent validators."""
        return {name: value for name, value in (("If-None-Match", self.etag),
                                                ("If-Modified-Since", self.last_modified))
                if value}


def answer_digest() -> hashlib._Hash:
    """The hash an answer's bytes are fed to. It starts with pantau's version: an upgrade, whose
    parser may read the same bytes otherwise, parses every answer again."""
    return hashlib.sha256(f"pantau {_VERSION}\0".encode())


def answer_of(body: bytes, headers: Mapping[str, str]) -> Answer:
    digest = answer_digest()
    digest.update(body)
    lower = {k.lower(): v for k, v in headers.items()}
    return Answer(digest.hexdigest(), lower.get("etag"), lower.get("last-modified"))


@dataclass(frozen=True)
class Rejected:
    """One input that could not be parsed: its raw bytes and the reason, for the quarantine."""

    reason: str
    raw: bytes


@dataclass
class Batch:
    """The records of one (source, dataset, region, year) fetch, ready for landing.

    Each landed row is (natural key, canonical JSON text of the record exactly as the source
    meant it); ``records`` decodes them again for the few callers that need dicts.
    """

    source: str
    dataset: str
    region: str
    year: int | None
    provenance: Provenance
    table: str = field(kw_only=True)  # the raw table it lands in (the source's declaration)
    keys: list[str] = field(default_factory=list)
    payloads: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    _texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # add_once
    # Whether the batch is the source's whole answer for its (dataset, region, year): only a
    # complete one tells that a record it lacks has vanished (SPSE fetches only some details).
    complete: bool = field(default=True, kw_only=True)
    # The answer it was read from, stored with the landing; ``unchanged``: that answer is the
    # one last landed (same bytes, or the server said 304), so it was not parsed and its records
    # are unchanged by construction (the batch holds none).
    answer: Answer | None = field(default=None, kw_only=True)
    unchanged: bool = field(default=False, kw_only=True)
    # SPSE: the requests the fetch made, and the detail fetches left for a later night for want
    # of budget (connectors/spse_budget.py); both shown in ``runs``.
    requests: int | None = field(default=None, kw_only=True)
    deferred: int | None = field(default=None, kw_only=True)

    def add(self, key: str, payload: str) -> None:
        self.keys.append(key)
        self.payloads.append(payload)

    def add_once(self, key: str, payload: str, raw: object) -> bool:
        """Add a record unless its key came before in this answer: identical copies collapse,
        conflicting ones are quarantined rather than letting the database keep an arbitrary
        one. True when it was added."""
        known = self._texts.get(key)
        if known is not None:
            if known != payload:
                self.reject(f"duplicate natural key {key!r} with different content", raw)
            return False
        self._texts[key] = payload
        self.add(key, payload)
        return True

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(p) for p in self.payloads]

    def reject(self, reason: str, record: object) -> None:
        self.rejected.append(Rejected(reason, to_bytes(record)))


def change_hashes(batch: Batch) -> list[str | None]:
    """Each record's change hash where its source hashes less than the payload (INAPROC: not
    its ``last_update_ref``); None where the loader's md5 of the payload is the hash."""
    hashes: list[str] | None = getattr(batch, "hashes", None)
    return list(hashes) if hashes else [None] * len(batch.keys)


@dataclass(frozen=True)
class Region:
    """A watched region: its name, and the codes each source knows it by."""

    name: str
    kd_klpd: str | None = None
    kd_lpse: int | None = None
    spse_slug: str | None = None
    watched: bool = True  # SPSE: its detail fetches come first in the night's request budget

    @property
    def label(self) -> str:
        """A short, stable label used in run records and file names."""
        return self.kd_klpd or self.spse_slug or self.name


@dataclass(frozen=True)
class Job:
    """One fetch: a dataset of a source for one scope (a region, a publication, an LPSE code)
    and year. ``target`` is what is fetched (a URL, a URL template, a portal base or a file);
    it may hold a subscriber key, so it is never logged or stored (redacted as a secret)."""

    source: str
    dataset: str
    scope: str  # the label of what is fetched, as runs and raw rows record it
    year: int | None
    target: str = field(repr=False)
    region: Region | None = None  # the region whose codes fill the target, where there is one
    params: Mapping[str, str] = field(default_factory=dict, compare=False)  # source-specific
    # SPSE detail jobs: the packages whose detail pages fit tonight's budget (each its listing
    # row and the pages to ask), and how many candidates were deferred to a later night.
    details: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), repr=False,
                                                          compare=False)
    deferred: int = field(default=0, compare=False)
    # A secret the fetch sends (INAPROC: its token), kept out of the target and every URL;
    # never logged or stored (redacted as a secret, as the target is).
    credential: str = field(default="", repr=False, compare=False)
    # The answer last landed for this job's (source, dataset, scope, year), from the warehouse:
    # an answer that hashes the same is not parsed again.
    last_answer: Answer | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        year = f" {self.year}" if self.year else ""
        return f"{self.source}/{self.dataset} {self.scope}{year}"


@dataclass(frozen=True)
class PlanRequest:
    """What a source plans its jobs from: the night's regions and years, its own secrets, the
    config file's folder (relative file paths)."""

    regions: Sequence[Region]
    years: Sequence[int]
    secrets: Mapping[str, Any] = field(default_factory=dict, repr=False)
    base: Path = Path()
    notices: list[str] = field(default_factory=list)  # what the plan skipped, and why


@dataclass(frozen=True)
class Source:
    """A source declared once, in its connector module, and listed in ``connectors/registry.py``.

    ``tables`` maps each dataset to its raw table. ``settings`` is the type of its
    ``[sources.<name>]`` section (None: not configured there); ``plan(settings, request)`` lists
    its jobs and ``fetch(job, settings, client)`` runs one (a source without them, such as the
    inspectorate registers, is fetched by its own step). ``review(regions, records)``, where a
    source has one, runs once the night's batches have landed: notices about the regions from
    what landed (``records(dataset)`` reads that dataset's landed records).
    """

    name: str
    tables: Mapping[str, str]
    settings: type | None = None
    plan: Callable[[Any, PlanRequest], list[Job]] | None = None
    fetch: Callable[[Job, Any, HttpClient], Batch | list[Batch]] | None = None
    review: Callable[[Sequence[Region], Callable[[str], Iterable[dict[str, Any]]]],
                     list[str]] | None = field(default=None, kw_only=True)

    @property
    def raw_tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.tables.values()))


def to_bytes(record: object) -> bytes:
    if isinstance(record, bytes):
        return record
    if isinstance(record, str):
        return record.encode("utf-8", errors="backslashreplace")
    return json.dumps(record, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace")


def canonical_json(record: dict[str, Any]) -> str:
    """Stable text of a record: the same content always gives the same hash."""
    return json.dumps(
        record, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def canonical_json_fast(record: dict[str, Any]) -> str | None:
    """``canonical_json`` written by orjson (7x faster), or None where the two could differ.

    Only for records orjson itself read (no NaN/Infinity, no lone surrogate: orjson would write
    NaN as null). Strings, keys, integers and their order come out byte for byte as ``json``
    writes them; floats too, except two forms: below 1e-4 orjson writes ``0.00001`` and ``1e-7``
    where ``json`` writes ``1e-05`` and ``1e-07``, so text where either form could be a number
    (in a string too) is left to ``json``. None also for what orjson cannot write at all (an
    integer beyond 64 bits, nesting past 254 levels).
    """
    try:
        out = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    if ((_maybe_small_float(out, b"0.0000", b":,[-")
         or _maybe_small_float(out, b"e-", b"0123456789"))
            and not (is_flat(record) and not any(
                type(v) is float and 0 < abs(v) < SMALL_FLOAT for v in record.values()))):
        # A flat record whose floats are none of those forms had the marker in a string (a
        # UUID's "9e-", a "0.0000" in a name): a third of the real e-katalog records.
        return None
    return out.decode()


SMALL_FLOAT = 1e-4  # below it json and orjson write floats differently


def is_flat(record: dict[str, Any]) -> bool:
    """No value of the record is an object or an array (real ISB records are flat)."""
    return not any(type(v) is dict or type(v) is list for v in record.values())


def _maybe_small_float(out: bytes, marker: bytes, starts: bytes) -> bool:
    """Whether ``marker`` follows one of ``starts`` anywhere (bytes.find: no regex on the hot
    path; timestamps such as ``...00.000000Z`` hold ``0.0000`` after a digit)."""
    at = out.find(marker)
    while at > 0:
        if out[at - 1] in starts:
            return True
        at = out.find(marker, at + 1)
    return False


UTF8_BOM = b"\xef\xbb\xbf"


def without_bom(body: bytes) -> bytes:
    """A JSON answer without the UTF-8 byte-order mark some servers put before it.

    RFC 8259 lets a parser ignore one; orjson and ``json.loads`` on a ``str`` refuse it, so every
    connector reads a JSON body through this before parsing (the raw body, BOM and all, is what
    is kept for quarantine).
    """
    return body.removeprefix(UTF8_BOM)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
