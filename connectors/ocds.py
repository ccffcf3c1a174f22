"""OCDS publications: release packages, record packages, (compiled) releases, from a URL or a file.

Accepted shapes, alone or inside ZIP archives (nested ZIPs too): one JSON document (a release
package ``{"releases": [...]}``, a record package ``{"records": [...]}``, a bare release, or a
JSON array of any of these), JSON Lines, and concatenated JSON. A part that does not parse is
quarantined with its bytes and the reason; the rest lands (opentender.net's export is known to
contain invalid JSON, ../shared/sources.md §3).

Releases are merged per ``ocid`` into a compiled release with ``ocdsmerge`` (the OCP reference
implementation), using the merge rules of the official OCDS 1.1.5 release schema with the bid
extension, written down in ``connectors/schema/ocds-merge-rules.json`` so nothing is fetched at
run time (a test derives them from the official files). A record's own ``compiledRelease`` and
a release tagged ``compiled`` are taken as they are. Each compiled release lands in
``raw.ocds_compiled_release``, keyed by ocid.

opentender.net (ICW): ``GET {base}/api/master/lpse/?year={y}&format=json`` lists the LPSE codes
(``results``, formerly ``data``; codes can repeat), then ``GET
{base}/api/tender/export-ocds-batch/?year={y}&lpse={code}`` answers a ZIP of release packages.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import ocdsmerge
from ocdsmerge.exceptions import OCDSMergeError
from pantau.connectors.base import (
    Batch,
    Job,
    PlanRequest,
    Provenance,
    Rejected,
    Source,
    SourceError,
    canonical_json,
    without_bom,
)
from pantau.connectors.http import HttpClient, HttpSettings
from pydantic import ConfigDict, Field, with_config

SOURCE = "ocds"
DATASET = "compiled_release"
RAW_TABLE = "ocds_compiled_release"
MERGE_RULES_PATH = Path(__file__).with_name("schema") / "ocds-merge-rules.json"
MERGE_RULES = ("omitWhenMerged", "wholeListMerge")
MAX_ZIP_DEPTH = 3
MAX_MEMBER_BYTES = 1024 * 1024 * 1024  # refuse zip bombs: no member above 1 GiB uncompressed
OPENTENDER_URL = "https://opentender.net"


@cache
def merge_rules() -> dict[tuple[str, ...], str]:
    """Field path -> merge rule, in the form ``ocdsmerge.Merger(merge_rules=...)`` takes."""
    table = json.loads(MERGE_RULES_PATH.read_text(encoding="utf-8"))
    return {tuple(path.split(".")): rule for rule in MERGE_RULES for path in table[rule]}


@cache
def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(merge_rules=merge_rules())


# --- parsing -------------------------------------------------------------------------------


def iter_documents(body: bytes, *, name: str = "", depth: int = 0) -> Iterator[Any | Rejected]:
    """Every JSON document in ``body`` (a ZIP's members in turn); Rejected for what fails."""
    if body[:4] == b"PK\x03\x04":
        if depth >= MAX_ZIP_DEPTH:
            yield Rejected(f"{name or 'archive'}: ZIP nested too deeply", body[:4096])
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(body))
        except zipfile.BadZipFile as exc:
            yield Rejected(f"{name or 'archive'}: bad ZIP archive: {exc}", body)
            return
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    yield Rejected(f"{info.filename}: member too large", b"")
                    continue
                try:
                    data = archive.read(info)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    yield Rejected(f"{info.filename}: unreadable ZIP member: {exc}", b"")
                    continue
                yield from iter_documents(data, name=info.filename, depth=depth + 1)
        return
    yield from _iter_json(body, name=name)


def _iter_json(body: bytes, *, name: str) -> Iterator[Any | Rejected]:
    label = f"{name}: " if name else ""
    body = without_bom(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="surrogateescape")
    try:
        yield json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        return
    # JSON Lines or concatenated JSON: decode one document after another; a broken one is
    # quarantined up to the next line that starts a new document.
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            break
        try:
            doc, nxt = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            stop = _next_document(text, pos + 1)
            raw = text[pos:stop].encode("utf-8", errors="surrogateescape")
            yield Rejected(f"{label}invalid JSON: {exc}", raw)
            pos = stop
            continue
        yield doc
        pos = nxt


def _next_document(text: str, start: int) -> int:
    candidates = [i for i in (text.find("\n{", start), text.find("\n[", start)) if i >= 0]
    return min(candidates) + 1 if candidates else len(text)


def releases_of(doc: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Rejected]]:  # noqa: ANN401, C901, PLR0912
    """(releases, compiled releases, rejects) of one JSON document of any OCDS shape."""
    releases: list[dict[str, Any]] = []
    compiled: list[dict[str, Any]] = []
    rejects: list[Rejected] = []
    items = doc if isinstance(doc, list) else [doc]
    for item in items:
        if not isinstance(item, dict):
            rejects.append(
                Rejected(f"not an OCDS object: JSON {type(item).__name__}", _to_bytes(item))
            )
        elif isinstance(item.get("records"), list):  # record package
            for record in item["records"]:
                if isinstance(record, dict) and isinstance(record.get("compiledRelease"), dict):
                    compiled.append(record["compiledRelease"])
                elif isinstance(record, dict) and isinstance(record.get("releases"), list):
                    r, c, x = releases_of(record["releases"])
                    releases += r
                    compiled += c
                    rejects += x
                else:
                    rejects.append(
                        Rejected("record without compiledRelease or releases", _to_bytes(record))
                    )
        elif isinstance(item.get("releases"), list):  # release package
            r, c, x = releases_of(item["releases"])
            releases += r
            compiled += c
            rejects += x
        elif "ocid" in item:
            if not isinstance(item["ocid"], str) or not item["ocid"].strip():
                rejects.append(Rejected("release without a string ocid", _to_bytes(item)))
            elif "compiled" in (item.get("tag") or []):
                compiled.append(item)
            elif isinstance(item.get("url"), str) and set(item) <= {"ocid", "url", "date", "id"}:
                rejects.append(Rejected("linked release (URL only) not followed", _to_bytes(item)))
            else:
                releases.append(item)
        else:
            rejects.append(
                Rejected("JSON object is not an OCDS package or release", _to_bytes(item))
            )
    return releases, compiled, rejects


def _to_bytes(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "surrogateescape")


def compile_releases(
    releases: list[dict[str, Any]], compiled: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[Rejected]]:
    """ocid -> compiled release: releases merged with ocdsmerge; given compiled releases win."""
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(release["ocid"], []).append(release)
    out: dict[str, dict[str, Any]] = {}
    rejects: list[Rejected] = []
    for ocid, group in by_ocid.items():
        try:
            out[ocid] = merger().create_compiled_release(group)
        except (OCDSMergeError, TypeError, ValueError) as exc:
            rejects.append(
                Rejected(f"ocid {ocid}: releases cannot be merged: {exc}", _to_bytes(group))
            )
    for release in compiled:
        out[release["ocid"]] = release
    return out, rejects


def to_batch(
    body: bytes, provenance: Provenance, *, region: str, year: int | None, name: str = ""
) -> Batch:
    """Parse one answer or file into a Batch of compiled releases keyed by ocid."""
    batch = Batch(SOURCE, DATASET, region, year, provenance, table=RAW_TABLE)
    releases: list[dict[str, Any]] = []
    compiled: list[dict[str, Any]] = []
    for doc in iter_documents(body, name=name):
        if isinstance(doc, Rejected):
            batch.rejected.append(doc)
            continue
        r, c, x = releases_of(doc)
        releases += r
        compiled += c
        batch.rejected += x
    merged, rejects = compile_releases(releases, compiled)
    batch.rejected += rejects
    for ocid in sorted(merged):
        batch.add(ocid, canonical_json(merged[ocid]))
    return batch


# --- fetching ------------------------------------------------------------------------------


def fetch(client: HttpClient, url: str, *, region: str, year: int | None) -> Batch:
    # expect_json: an HTML page or an empty answer is a failed fetch, not an empty publication
    # (a ZIP starts with "PK" and passes).
    response = client.get(url, expect_json=True)
    provenance = Provenance(SOURCE, response.url, response.fetched_at)
    return to_batch(response.body, provenance, region=region, year=year)


def read_file(path: Path, *, region: str = "*", year: int | None = None) -> Batch:
    provenance = Provenance(SOURCE, path.resolve().as_uri(), datetime.now(UTC))
    return to_batch(path.read_bytes(), provenance, region=region, year=year, name=path.name)


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in {"http", "https"}


def publication_name(location: str) -> str:
    """A short label for a publication (its last path segment; never a URL's query)."""
    path = urlsplit(location).path if is_url(location) else location
    return Path(path.rstrip("/")).name or (urlsplit(location).hostname or location)


def fetch_publication(
    client: HttpClient, location: str, *, base: Path, region: str = "*", year: int | None = None
) -> Batch:
    """One OCDS publication: an http(s) URL is fetched, anything else is a file path (a relative
    one is read beside ``base``, the config file's folder)."""
    if is_url(location):
        return fetch(client, location, region=region, year=year)
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise SourceError(f"OCDS publication not found: {path}", url=str(path))
    return read_file(path, region=region, year=year)


def opentender_lpse_codes(client: HttpClient, base_url: str, year: int) -> list[str]:
    url = f"{base_url.rstrip('/')}/api/master/lpse/?year={year}&format=json"
    response = client.get(url, expect_json=True)
    try:
        doc = json.loads(without_bom(response.body))
    except ValueError:
        raise SourceError(
            "opentender LPSE list is not JSON", url=response.url, body=response.body
        ) from None
    rows = None
    if isinstance(doc, dict):
        rows = doc.get("results", doc.get("data"))
    if not isinstance(rows, list):
        raise SourceError(
            "opentender LPSE list has no results", url=response.url, body=response.body
        )
    codes: list[str] = []
    for row in rows:
        code = row.get("code") if isinstance(row, dict) else None
        if code is not None and str(code) not in codes:
            codes.append(str(code))
    return codes


def fetch_opentender(
    client: HttpClient,
    base_url: str,
    *,
    year: int,
    region: str = "*",
    lpse: list[str] | None = None,
) -> Iterator[Batch]:
    """One batch per LPSE of the year: its export-ocds-batch ZIP as compiled releases."""
    codes = lpse if lpse is not None else opentender_lpse_codes(client, base_url, year)
    for code in codes:
        url = f"{base_url.rstrip('/')}/api/tender/export-ocds-batch/?year={year}&lpse={code}"
        yield fetch(client, url, region=region, year=year)


# --- the source's declaration (connectors/registry.py) -------------------------------------


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class OcdsSettings:
    """``[sources.ocds]``: OCDS publishers (issue 4). Every publication is landed every night;
    opentender.net (ICW) is pulled per budget year for the LPSE codes in ``opentender_lpse``
    (ICW's own codes, not LKPP's kd_lpse; without them nothing is pulled from opentender)."""

    enabled: Annotated[bool, Field(description="Fetch this source in the nightly run.")] = True
    publications: Annotated[tuple[str, ...], Field(description=(
        "OCDS publications: URLs, or file paths read beside the config file."))] = ()
    opentender_url: Annotated[str, Field(description="opentender.net's API.")] = OPENTENDER_URL
    opentender_lpse: Annotated[tuple[str, ...], Field(description=(
        "ICW's LPSE codes to pull from opentender (see its LPSE list)."))] = ()
    # Politeness towards opentender.net, as Kingfisher Collect's spider.
    per_host_concurrency: Annotated[int, Field(ge=1, description=(
        "Requests in flight to a publisher at once (its own, not [http]'s)."))] = 1
    min_interval_seconds: Annotated[float, Field(ge=0, description=(
        "Least time between two requests to a publisher, jittered +-25%."))] = 1.0

    def http(self, shared: HttpSettings) -> HttpSettings:
        """The shared [http] settings with the publishers' own politeness."""
        return replace(shared, per_host_concurrency=self.per_host_concurrency,
                       min_interval_seconds=self.min_interval_seconds)


def plan(settings: OcdsSettings, request: PlanRequest) -> list[Job]:
    """Every publication once a night (a relative file path is read beside the config file),
    and opentender.net's export of each configured LPSE code for each year."""
    jobs = [Job(SOURCE, "publication", publication_name(p), None,
                p if is_url(p) else str(request.base / Path(p).expanduser()))
            for p in settings.publications]
    if not settings.opentender_lpse:
        request.notices.append("ocds: no opentender_lpse configured; nothing pulled from "
                               "opentender.net (list the LPSE codes of its LPSE list)")
        return jobs
    return jobs + [Job(SOURCE, "opentender", f"opentender-{c}", y, settings.opentender_url,
                       params={"lpse": c})
                   for y in request.years for c in settings.opentender_lpse]


def fetch_job(job: Job, _settings: OcdsSettings, client: HttpClient) -> Batch | list[Batch]:
    if job.dataset == "opentender":
        return list(fetch_opentender(client, job.target, year=job.year or 0, region=job.scope,
                                     lpse=[job.params["lpse"]]))
    return fetch_publication(client, job.target, base=Path(), region=job.scope)


SPEC = Source(SOURCE, {DATASET: RAW_TABLE}, OcdsSettings, plan, fetch_job)
