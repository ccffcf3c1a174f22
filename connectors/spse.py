"""The national SPSE portal (``https://spse.inaproc.id/{slug}``) and the per-LPSE eproc4 portals:
listings and detail pages.

A night fetches in two rounds. First one listing job per (region slug, budget year, package
list): every page of the list's DataTables JSON (dataset ``dt/{jenis}``). Then, once every
listing has landed, one detail job per listing, holding the packages whose detail pages fit the
night's request budget (``plan_details``, ``connectors/spse_budget.py``): one record per fetched
package holding all its parsed pages (dataset ``detail/{jenis}``) and, when pages were set
aside, one batch of them per page kind (``detail/{jenis}/{page}``: quarantine only, no records).
Parsing lives in ``connectors/spse_pages.py``; no database here.

Quirks of this source (../shared/sources.md §1, checked on ../shared/data/spse-national-2026/):
- the base is ``{base_url}/{slug}``; the legacy per-LPSE portals (``https://lpse.x.go.id/eproc4``)
  have no slug: give the whole URL as the region's ``spse_slug``. Slugs are not the LPSE domain
  (Kota Semarang's is uncertain: ``semarangkota`` or ``semarang``, sources.md §1.1 / §6); an
  unknown slug answers the not-found page or 404 on the session page, reported as
  "SPSE slug 'x' not found at <base>" (the run row fails, nothing else is fetched for it);
- listings need a session: ``GET {base}/lelang`` sets the cookie ``SPSE_SESSION`` holding
  ``___AT=<token>&`` and the page script holds ``d.authenticityToken = '<token>';``; every
  ``POST {base}/dt/{jenis}`` sends it. A token expires with the session: the portal then
  answers 403 or its "Terjadi Kesalahan ... Kode Error" page. Either is answered by renewing
  the session once and retrying that page; a second failure fails the fetch (body quarantined);
- ``recordsTotal`` of nonspk, swakelola and darurat-list is 2147483647 (INT_MAX): paging goes on
  until ``data`` comes back empty and never trusts the counts; pages are asked in ascending code
  order, so packages published while paging land at the end instead of shifting rows; a row
  seen twice is kept once;
- an HTML page where JSON belongs (the error page, a login page, a proxy's page) is an error,
  never an empty list: the fetch fails and the body goes to quarantine;
- listing values are abbreviated (``15,9 M``, ``414,4 Jt``, ``0,8 Jt``): kept as text with an
  approximate ``*_rp``; the detail page's ``Rp. 3.800.000,00`` is the exact value;
- the package name cell may carry a badge (``<span class='badge  badge-warning'>Tender Ulang``),
  split off as ``label_paket``; the ``dt/pl`` layout is not known [U]: see LISTING_COLUMNS;
- detail pages are ``th``/``td`` tables (recorded packages mark ``th`` ``bgwarning``; one row may
  hold two pairs: pagu and HPS); the realisation table nests each payment's supplier/pelaksana
  table in a ``<tr>`` inside the payment's ``<tr>`` (an HTML parser makes them siblings); NPWP
  are masked on recorded packages' pages (``10*1**1****35**2``: kept, flagged, never matched);
  ``Tahun Anggaran`` repeats "APBN 2026" once per funding line; dates are ``10 Juni 2026``,
  ``15 Januari 2025 08:00`` or ``29-05-2026`` (WIB);
- tender pages come in two layouts, the national portal's and the per-LPSE eproc4 portals'
  (../shared/data/spse-eproc4-jakarta-2022/): columns are found by header text, never by
  position. The national evaluation page abbreviates (``a t st p pt hn sh sa b k sk sb h p pk``:
  the first ``p`` the offer, the second the winner); eproc4's puts letters in badges (K B A T
  H P PK, explained by a legend) and words on the money columns (``Penawaran``, ``Penawaran
  Terkoreksi``), so its single ``P`` is the winner (``star.gif``); icons ``fa-check`` passed,
  ``fa-close`` failed, ``fa-minus`` not evaluated; names come as "NAME - NPWP"; ``Alasan`` is
  why a bidder was eliminated; the winner page says ``Pagu`` / ``HPS``;
- before evaluation the national portal masks the participants ("Peserta 1", ...: no NPWP, no
  prices): registrations, never suppliers; a winner table with no row (the contract page before
  the contract) is "none yet";
- a page whose layout is not recognised (an unknown header, a table missing or moved), holding
  an unreadable value (an impossible date such as "31 Februari 2025") or not found while the
  announcement is, is quarantined whole (dataset ``detail/{jenis}/{page}``: counted per page
  kind in ``runs``); the package lands with its other pages, not final, and is fetched again;
- eproc4 listings have 14 cells, "TA null" (no year) and "TA 2018,2019" (multi-year) and
  ``label label-warning`` badges inside names;
- error pages: ``Maaf, terjadi error pada aplikasi SPSE.``, ``Terjadi Kesalahan`` + ``Kode
  Error``, and ``Halaman yang dituju tidak ditemukan`` (a package that does not exist). A
  package whose page errs is quarantined with that page; the other packages land, and the next
  run fetches it again (it has no detail record yet).

Incremental: a package is due a detail fetch when it is new, its listing row changed (stage,
value, name, badge) since its detail was fetched, or it was not final then
(``models/spse_state.py`` reads them from the warehouse after the listings landed); the due
packages that do not fit the night's budget wait for the next night. A fetch asks only the pages
the package's stage can have changed (``PAGE_STAGES``); the others are carried from its last
record. Each detail record carries its ``listing_hash``, ``final`` and the stage each page was
read at: the state lives in the same row as the data, written in the same transaction.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlsplit

import requests
from pantau.connectors.base import (
    Batch,
    Job,
    PlanRequest,
    Provenance,
    Region,
    Rejected,
    Source,
    SourceError,
    canonical_json,
    content_hash,
    to_bytes,
)
from pantau.connectors.http import HttpClient, HttpSettings, Response
from pantau.connectors.spse_budget import FINAL, Candidate, Reason, choose, closeness, stage
from pantau.connectors.spse_pages import (
    COLUMNS_SENT,
    KINDS,
    PARSERS,
    LayoutError,
    SpseError,
    SpseErrorPage,
    SpseNotFound,
    check_page,
    parse_listing,
)
from pydantic import ConfigDict, Field, with_config

SOURCE = "spse"
DEFAULT_BASE_URL = "https://spse.inaproc.id"
JENIS = tuple(KINDS)
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 100_000  # 10 million rows at 100 a page: a listing that never ends is a bug
MAX_CONSECUTIVE_DETAIL_FAILURES = 20
# About what the portal serves in a night at the polite default (2 in flight, ~1 s apart).
DEFAULT_MAX_REQUESTS_PER_NIGHT = 60_000

# Raw landing: one table for every list's rows, one for every package's parsed detail pages.
RAW_LISTING = "spse_listing"
RAW_DETAIL = "spse_detail"
RAW_TABLES = (RAW_LISTING, RAW_DETAIL)
DATASET_TABLES = {**{f"dt/{j}": RAW_LISTING for j in JENIS},
                  **{f"detail/{j}": RAW_DETAIL for j in JENIS}}

# Detail pages of each list: (page name, path under the base). The page name picks the parser.
DETAIL_PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "lelang": (("pengumuman", "lelang/{id}/pengumumanlelang"), ("peserta", "lelang/{id}/peserta"),
               ("jadwal", "lelang/{id}/jadwal"), ("hasil", "evaluasi/{id}/hasil"),
               ("pemenang", "evaluasi/{id}/pemenang"),
               ("pemenang_berkontrak", "evaluasi/{id}/pemenangberkontrak")),
    "pl": (("pengumuman", "nontender/{id}/pengumumanpl"), ("peserta", "nontender/{id}/peserta"),
           ("jadwal", "nontender/{id}/jadwal"), ("hasil", "evaluasinontender/{id}/hasil"),
           ("pemenang", "evaluasinontender/{id}/pemenang"),
           ("pemenang_berkontrak", "evaluasinontender/{id}/pemenangberkontrak")),
    "nonspk": (("pengumuman", "pencatatan/pengumumannonspk?id={id}"),
               ("realisasi", "pencatatan/pengumumannonspkpemenang?id={id}")),
    "swakelola": (("pengumuman", "swakelola/{id}/pengumuman"),
                  ("realisasi", "swakelola/pengumumanswakelolapelaksana/{id}")),
    "darurat-list": (("pengumuman", "darurat/pengumumandarurat?id={id}"),
                     ("realisasi", "darurat/pengumumandaruratpemenang?id={id}")),
}

# When each detail page fills and when it stops changing, as stages (``spse_budget.stage``):
# a page is asked once its package reaches the stage it opens at, and again at each later fetch
# until one was made at or past the stage it settles at. So a new tender costs its announcement,
# participants and schedule, and each stage change the pages that stage fills, not all six
# (bench/spse_national.py: what a national night can then follow).
PAGE_STAGES: dict[str, tuple[float, float]] = {
    "pengumuman": (0.0, 0.0),  # again only when the listing row changes within a stage
    "jadwal": (0.0, FINAL),  # a schedule can be moved at any stage (indicators.md)
    # registrations open with the announcement (the listing may still show it); masked until
    # evaluation on the national portal
    "peserta": (0.0, 0.8),
    "hasil": (0.4, 1.0),  # offers from the opening, then the evaluation, open to objection
    "pemenang": (0.8, 1.0),
    "pemenang_berkontrak": (1.0, FINAL),
    "realisasi": (0.0, FINAL),  # a record's payments, until it is finished
}

_COOKIE_TOKEN = re.compile(r"___AT=([A-Za-z0-9]+)&")
_SCRIPT_TOKEN = re.compile(r"d\.authenticityToken[\s+]=[\s+]['\"]([0-9a-zA-Z]+)['\"];")


class SlugNotFoundError(SpseError):
    """The region's slug does not exist on the portal: a configuration error to fix."""


def page_dataset(jenis: str, page: str) -> str:
    """The dataset that counts one list's quarantined pages of one kind (a run row with no
    records), so that a layout change of one page kind on the portal shows in ``runs`` the
    next morning."""
    return f"detail/{jenis}/{page}"


DATASET_TABLES |= {page_dataset(j, name): RAW_DETAIL
                   for j, names in DETAIL_PAGES.items() for name, _ in names}


def portal_base(base_url: str, slug: str) -> str:
    """``{base_url}/{slug}``, or the slug itself when it is a whole (legacy) portal URL."""
    if re.match(r"^https?://", slug):
        return slug.rstrip("/")
    return f"{base_url.rstrip('/')}/{slug.strip('/')}"


def listing_hash(row: dict[str, Any]) -> str:
    return content_hash(canonical_json(row))


def pages_due(jenis: str, now: float | None, fetched: Mapping[str, float | None] | None = None,
              *, again: bool = False) -> tuple[str, ...]:
    """The detail pages to ask of a ``jenis`` package at stage ``now`` (``spse_budget.stage``),
    given the stage each page was last read at (``fetched``; none: never): the pages its stage
    has opened that have not settled (``PAGE_STAGES``), or with ``again`` (its listing row
    changed within its stage: a new name, value or badge) every page it has opened. A stage no
    rule knows asks them all."""
    names = [name for name, _ in DETAIL_PAGES[jenis]]
    if now is None:
        return tuple(names)
    fetched = fetched or {}
    due = []
    for name in names:
        opens, settles = PAGE_STAGES[name]
        at = fetched.get(name)
        if opens <= now and (again or at is None or at < settles):
            due.append(name)
    return tuple(due)


def listing_stage(row: Mapping[str, Any]) -> float | None:
    return stage(row.get("tahap"), final=bool(row.get("final")))


def carry_pages(earlier: str | None, fetched: str) -> str:
    """A detail record (canonical JSON) completed with the pages of the package's last landed
    record (``earlier``) that tonight's fetch did not ask for, each with the stage it was read
    at; a page asked and set aside tonight is absent, as on a first fetch, and asked again."""
    if earlier is None:
        return fetched
    old, new = json.loads(earlier), json.loads(fetched)
    asked = set(new["pages_at"]) | set(new["quarantined"])
    carried = {name: old[name] for name, _ in DETAIL_PAGES[new["jenis"]]
               if name not in asked and name in old}
    pages_at = {name: at for name, at in (old.get("pages_at") or {}).items()
                if name in carried} | new["pages_at"]
    return canonical_json({**new, **carried, "pages_at": pages_at})


def datatables_form(jenis: str, year: int, start: int, length: int, token: str,
                    draw: int) -> dict[str, Any]:
    """The form the portal's own DataTables sends (sources.md §1.2), ascending by code."""
    form: dict[str, Any] = {
        "draw": draw, "start": start, "length": length, "tahun": year,
        "search[value]": "", "search[regex]": "false",
        "order[0][column]": 0, "order[0][dir]": "asc",
        "authenticityToken": token, "_": int(time.time() * 1000),
    }
    for i in range(COLUMNS_SENT[jenis]):
        flag = "false" if i == 3 else "true"  # column 3 is neither searchable nor orderable
        form |= {f"columns[{i}][data]": i, f"columns[{i}][name]": "",
                 f"columns[{i}][searchable]": flag, f"columns[{i}][orderable]": flag,
                 f"columns[{i}][search][value]": "", f"columns[{i}][search][regex]": "false"}
    return form


@dataclass
class ListingResult:
    rows: list[dict[str, Any]]
    rejected: list[Rejected]
    first: Response


class Portal:
    """One slug's session on the portal: token, listings, detail pages."""

    def __init__(self, client: HttpClient, base_url: str, slug: str) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.slug = slug
        self.base = portal_base(base_url, slug)
        self.token: str | None = None
        self.renewals = 0
        self.requests = 0  # asked of the portal (a retry inside the HTTP client is one)

    def open(self) -> str:
        """Start a session and read its authenticityToken (cookie first, then page script)."""
        url = f"{self.base}/lelang"
        self.requests += 1
        try:
            resp = self.client.get(url)
        except SourceError as exc:
            if exc.status == 404:
                raise self._unknown_slug(exc.url, exc.body) from None
            raise
        try:
            check_page(resp.body, resp.url)
        except SpseNotFound:
            raise self._unknown_slug(resp.url, resp.body) from None
        try:
            cookie = self.client.session.cookies.get("SPSE_SESSION") or ""
        except requests.cookies.CookieConflictError:  # one per path: the page script has it too
            cookie = ""
        found = _COOKIE_TOKEN.search(cookie) or _SCRIPT_TOKEN.search(resp.text)
        if found is None:
            raise SpseError(f"no authenticityToken in the session cookie or page of {resp.url}",
                            url=resp.url, body=resp.body)
        self.token = found.group(1)
        return self.token

    def _unknown_slug(self, url: str, body: bytes | None) -> SlugNotFoundError:
        return SlugNotFoundError(
            f"SPSE slug '{self.slug}' not found at {self.base_url} (check the region's "
            "spse_slug against LKPP's slug list, sources.md §1.1)",
            url=url, body=body, status=404)

    def listing_page(self, jenis: str, year: int, start: int, length: int,
                     draw: int) -> tuple[Any, Response]:
        url = f"{self.base}/dt/{jenis}"
        headers = {"X-Requested-With": "XMLHttpRequest", "Referer": f"{self.base}/lelang",
                   "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
        for attempt in (1, 2):
            token = self.token or self.open()
            form = datatables_form(jenis, year, start, length, token, draw)
            self.requests += 1
            try:
                resp = self.client.post(url, data=form, headers=headers)
                return parse_listing(resp.body, jenis, resp.url), resp
            except (SpseErrorPage, SourceError) as exc:
                stale = isinstance(exc, SpseErrorPage) or exc.status in {401, 403, 419}
                if attempt == 2 or not stale or isinstance(exc, SpseNotFound):
                    raise
                # An expired session answers 403 or an error page: renew it once, try again.
                self.token = None
                self.renewals += 1
        raise AssertionError("unreachable")  # pragma: no cover

    def listing(self, jenis: str, year: int, page_size: int) -> ListingResult:
        rows: dict[str, dict[str, Any]] = {}
        rejected: list[Rejected] = []
        first: Response | None = None
        for n in range(MAX_PAGES):
            page, resp = self.listing_page(jenis, year, n * page_size, page_size, n + 1)
            first = first or resp
            rejected += [Rejected(reason, to_bytes(raw)) for reason, raw in page.rejected]
            if not page.rows and not page.rejected and n > 0:
                # An empty page mid-listing happens on a struggling portal: ask once more
                # before believing the listing has ended (a truncated listing loses packages).
                page, resp = self.listing_page(jenis, year, n * page_size, page_size, n + 1)
            if not page.rows and not page.rejected:
                return ListingResult(list(rows.values()), rejected, first)
            for row in page.rows:
                rows.setdefault(row["kode"], row)
        raise SpseError(f"{self.base}/dt/{jenis} still had rows after {MAX_PAGES} pages",
                        url=first.url if first else "")

    def detail(self, jenis: str, kode: str,
               pages: Iterable[str]) -> tuple[dict[str, Any], dict[str, Rejected]]:
        """The detail ``pages`` of one package, parsed, and the pages set aside: a page in a
        layout the parsers do not know, holding a value that cannot be (an impossible date),
        or not found while the announcement is, is quarantined whole while the others are
        kept. An error page, a failed request or a package without announcement raises: the
        package is fetched again next run."""
        record: dict[str, Any] = {}
        quarantined: dict[str, Rejected] = {}
        asked = set(pages)
        for name, path in DETAIL_PAGES[jenis]:
            if name not in asked:
                continue
            reason = f"page {name} of {jenis} {kode}"
            self.requests += 1
            try:
                resp = self.client.get(f"{self.base}/{path.format(id=kode)}")
                record[name] = PARSERS[name](resp.body, resp.url)
            except (LayoutError, ValueError) as exc:
                quarantined[name] = Rejected(f"{reason}: {exc}", resp.body)
            except SourceError as exc:
                # A page missing while the announcement is there is that page missing; no
                # announcement, or a portal error, has the whole package retried next run.
                if name == "pengumuman" or exc.status != HTTPStatus.NOT_FOUND:
                    raise
                quarantined[name] = Rejected(f"{reason}: {exc}", exc.body or b"")
        return record, quarantined


def fetch_listing(client: HttpClient, base_url: str, slug: str, jenis: str, *, region: str,
                  year: int, page_size: int = DEFAULT_PAGE_SIZE) -> Batch:
    """The whole listing of one list for one year (dataset ``dt/{jenis}``); its requests are
    counted (``Batch.requests``) against the night's budget before any detail is planned."""
    portal = Portal(client, base_url, slug)
    portal.open()
    result = portal.listing(jenis, year, page_size)
    prov = Provenance(SOURCE, result.first.url, result.first.fetched_at)
    listing = Batch(SOURCE, f"dt/{jenis}", region, year, prov, table=RAW_LISTING,
                    rejected=result.rejected, requests=portal.requests)
    for row in result.rows:
        listing.add(f"{jenis}|{row['kode']}", canonical_json(row))
    return listing


Wanted = tuple[str, tuple[str, ...]]  # a package's listing row (canonical JSON), pages to ask


def wanted(listing: Batch) -> list[Wanted]:
    """Every package of a listing as ``fetch_details`` wants them, as if none had been fetched
    before: its listing row and the pages its stage has opened."""
    jenis = listing.dataset.removeprefix("dt/")
    return [(text, pages_due(jenis, listing_stage(json.loads(text))))
            for text in listing.payloads]


def fetch_details(
    client: HttpClient, base_url: str, slug: str, jenis: str, *, region: str, year: int,
    packages: Iterable[Wanted], deferred: int = 0,
) -> list[Batch]:
    """The detail records of ``packages`` (the listing row each is fetched for, and the pages
    to ask), and one batch per page kind that had pages set aside. A record holds the pages
    asked, each with the stage it was read at (``pages_at``): the pages not asked are carried
    from the last landed record before landing (``carry_pages``). ``deferred`` counts the
    candidates that did not fit the night's budget (shown in ``runs``); with nothing to fetch
    no session is opened."""
    portal = Portal(client, base_url, slug)
    details = Batch(SOURCE, f"detail/{jenis}", region, year,
                    Provenance(SOURCE, portal.base, datetime.now(UTC)),
                    table=RAW_DETAIL, complete=False, deferred=deferred)
    pages_set_aside: dict[str, Batch] = {}
    failures = 0
    for text, asked in packages:
        row = json.loads(text)
        kode, key = row["kode"], f"{jenis}|{row['kode']}"
        if portal.token is None:  # the session the listing had: one per job, as a browser's
            portal.open()
        try:
            pages, quarantined = portal.detail(jenis, kode, asked)
        except (SourceError, ValueError) as exc:
            body = exc.body if isinstance(exc, SourceError) else None
            details.rejected.append(Rejected(f"detail of {jenis} {kode}: {exc}",
                                             body or text.encode()))
            # A package that does not exist is its own problem; the portal failing again and
            # again is everyone's: stop rather than hammer it.
            failures = 0 if isinstance(exc, SpseNotFound) else failures + 1
            if failures >= MAX_CONSECUTIVE_DETAIL_FAILURES:
                raise SpseError(f"{failures} detail pages in a row failed at {portal.base}; "
                                f"last: {exc}", url=portal.base,
                                body=body) from None
            continue
        failures = 0
        for name, rejected in quarantined.items():
            dataset = page_dataset(jenis, name)
            pages_set_aside.setdefault(dataset, Batch(
                SOURCE, dataset, region, year, details.provenance, table=RAW_DETAIL,
                complete=False,
            )).rejected.append(rejected)
        # A package with a page set aside is not final: it is fetched again next run.
        now = listing_stage(row)
        record = {"jenis": jenis, "kind": KINDS[jenis], "kode": kode, "tahun": year,
                  "listing_hash": listing_hash(row), "final": row["final"] and not quarantined,
                  "quarantined": sorted(quarantined), "stage": now,
                  "pages_at": dict.fromkeys(pages, now), **pages}
        details.add(key, canonical_json(record))
    details.requests = portal.requests
    return [details, *pages_set_aside.values()]


# --- the source's declaration (connectors/registry.py) -------------------------------------


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class SpseSettings:
    """``[sources.spse]``: the national SPSE portal (issue 3), public, no key: the listings and
    detail pages of every package list of each region with an ``spse_slug``."""

    enabled: Annotated[bool, Field(description="Fetch this source in the nightly run.")] = True
    base_url: Annotated[str, Field(description=(
        "The portal; a region's spse_slug may instead be a whole legacy portal URL."))] = (
        DEFAULT_BASE_URL)
    lists: Annotated[tuple[str, ...], Field(description=(
        f"The package lists fetched ({', '.join(JENIS)})."))] = JENIS
    per_host_concurrency: Annotated[int, Field(ge=1, description=(
        "Requests in flight to the portal at once (its own, not [http]'s)."))] = 2
    min_interval_seconds: Annotated[float, Field(ge=0, description=(
        "Least time between two requests to the portal, jittered +-25%."))] = 1.0
    page_size: Annotated[int, Field(ge=1, description="Rows per DataTables page.")] = (
        DEFAULT_PAGE_SIZE)
    max_requests_per_night: Annotated[int, Field(ge=0, description=(
        "Requests a night per portal host (spse.inaproc.id serves every LPSE): the listings "
        "first, then detail pages of watched regions, new or changed packages, unfinished ones "
        "by priority; what does not fit waits for the next night (docs/spse.md)."))] = (
        DEFAULT_MAX_REQUESTS_PER_NIGHT)

    def __post_init__(self) -> None:
        unknown = [j for j in self.lists if j not in JENIS]
        if unknown:
            raise ValueError(f"unknown list(s) {', '.join(unknown)} (known: {', '.join(JENIS)})")

    def http(self, shared: HttpSettings) -> HttpSettings:
        """The shared [http] settings with the portal's own politeness."""
        return replace(shared, per_host_concurrency=self.per_host_concurrency,
                       min_interval_seconds=self.min_interval_seconds)


def plan(settings: SpseSettings, request: PlanRequest) -> list[Job]:
    """One listing job per (region with an spse_slug, year, package list). The detail pages
    are planned once the listings have landed (``plan_details``)."""
    jobs = []
    for r in request.regions:
        if not r.spse_slug:
            request.notices.append(f"spse: {r.name} has no spse_slug; skipped")
            continue
        jobs += [Job(SOURCE, j, r.label, y, portal_base(settings.base_url, r.spse_slug), region=r)
                 for y in request.years for j in settings.lists]
    return jobs


@dataclass(frozen=True, slots=True)
class Due:
    """A package of tonight's listing due a detail fetch: new, its row changed since its
    detail was fetched, or not final (``models/spse_state.py`` reads them from the warehouse)."""

    region: str
    jenis: str
    year: int
    kode: str
    row: str  # the listing row, canonical JSON as landed
    final: bool
    tahap: str | None
    reason: Reason
    nights_waiting: int  # since its last fetch or its row's first sighting, the later
    # Its last landed detail record: the stage it was fetched at, and each page's (none: new).
    fetched_stage: float | None = None
    pages_at: Mapping[str, float | None] = field(default_factory=dict)

    def pages(self) -> tuple[str, ...]:
        """The detail pages to ask tonight (``pages_due``)."""
        now = stage(self.tahap, final=self.final)
        again = self.reason == "changed" and now is not None and now == self.fetched_stage
        return pages_due(self.jenis, now, self.pages_at, again=again)


Listed = tuple[str, str, int]  # (region label, jenis, year): a listing landed tonight


def plan_details(settings: SpseSettings, regions: Iterable[Region], due: Iterable[Due],
                 listing_requests: Mapping[Listed, int],
                 notices: list[str]) -> list[Job]:
    """One detail job per listing landed tonight, each holding the packages that fit the
    night's budget of its host (``spse_budget.choose``) less the requests its listings made,
    and the count it deferred."""
    by_label = {r.label: r for r in regions if r.spse_slug}
    host_of = {listed: urlsplit(portal_base(settings.base_url, by_label[listed[0]].spse_slug
                                            or "")).netloc
               for listed in listing_requests if listed[0] in by_label}
    candidates: dict[str, list[Candidate]] = defaultdict(list)
    asks: dict[str, Wanted] = {}
    for d in due:
        listed = (d.region, d.jenis, d.year)
        pages = d.pages()
        if listed not in host_of or not pages:
            continue
        key = f"{d.jenis}|{d.kode}"
        asks[key] = (d.row, pages)
        candidates[host_of[listed]].append(Candidate(
            key, listed, len(pages), by_label[d.region].watched, d.reason,
            d.nights_waiting, closeness(d.tahap, final=d.final)))
    chosen: dict[Listed, list[Wanted]] = defaultdict(list)
    deferred: dict[Listed, int] = defaultdict(int)
    for host in sorted(set(host_of.values())):
        spent = sum(n for listed, n in listing_requests.items() if host_of.get(listed) == host)
        choice = choose(candidates[host], max(0, settings.max_requests_per_night - spent))
        for c in choice.fetch:
            chosen[c.group].append(asks[c.key])  # type: ignore[index]
        for c in choice.deferred:
            deferred[c.group] += 1  # type: ignore[index]
        if choice.deferred:
            notices.append(
                f"spse: {len(choice.deferred)} of {len(candidates[host])} detail fetches at "
                f"{host} deferred to the next night (budget {settings.max_requests_per_night}: "
                f"listings {spent}, details {choice.requests})")
    jobs = []
    for listed in sorted(host_of):
        label, jenis, year = listed
        region = by_label[label]
        jobs.append(Job(SOURCE, f"detail/{jenis}", label, year,
                        portal_base(settings.base_url, region.spse_slug or ""), region=region,
                        details=tuple(chosen[listed]), deferred=deferred[listed]))
    return jobs


def fetch_job(job: Job, settings: SpseSettings, client: HttpClient) -> list[Batch]:
    slug = (job.region.spse_slug if job.region else None) or ""
    if job.dataset.startswith("detail/"):
        return fetch_details(client, settings.base_url, slug, job.dataset.removeprefix("detail/"),
                             region=job.scope, year=job.year or 0, packages=job.details,
                             deferred=job.deferred)
    return [fetch_listing(client, settings.base_url, slug, job.dataset, region=job.scope,
                          year=job.year or 0, page_size=settings.page_size)]


SPEC = Source(SOURCE, DATASET_TABLES, SpseSettings, plan, fetch_job)
