"""One contract over every source, as Kingfisher Collect runs one test over all its spiders.

Each entry of ``SOURCES`` is one way pantau reads a source over HTTP. A loopback server answers
every request of the exchange well (real captures from ../shared/data), except one, the
source's *target*, which it answers in each of six bad ways. What must follow
(docs/source-contract.md has the same table, written from ``expected`` below):

| the target answers | the fetch ends in |
|---|---|
| 5xx, every try | retried ``max_attempts`` times, then a SourceError: status and body kept |
| an HTML error page (200) | a SourceError, the page kept; retried first where JSON belongs |
| an empty answer (0 bytes) | a SourceError, the empty body kept; retried first likewise |
| a redirect to another host | a SourceError "refused redirect" at once; that host never asked |
| a body over the size cap | a SourceError "larger than the N byte cap" at once |
| a valid answer after a BOM | exactly what the same answer without the UTF-8 BOM gives |

"Where JSON belongs" is every JSON endpoint fetched with ``expect_json`` (ISB, OCDS,
opentender, a JSON register). SPSE listings are not (an HTML page there is first the portal's
expired-session page, answered by renewing the session), nor CSV registers, nor the INAPROC
gateway: an HTML page there is its firewall, never retried (no retry storm, and the gateway is
not asked again that night), and an empty answer is not JSON. An SPSE detail page
fails alone: a page that came but is no detail page is set aside with the reason and its body
(the package's record lands, not final, and is fetched again next night); when no page came the
package is quarantined with the reason and the answer's body or its listing row; the listing
and the other packages land. No error text carries a secret.

A new source is one more ``Source`` in ``SOURCES``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from conftest import SHARED, require_shared
from pantau.connectors import inaproc, inspectorates, isb, ocds, spse
from pantau.connectors.base import UTF8_BOM, Batch, SourceError
from pantau.connectors.http import HttpClient, HttpSettings

ROOT = Path(__file__).resolve().parents[1]
DATA = SHARED / "data"
CAP_BYTES = 2048  # max_response_mb of the over-cap scenario: tiny, and every other answer fits
ATTEMPTS = 2
HTTP = HttpSettings(
    max_attempts=ATTEMPTS,
    backoff_seconds=0.001,
    max_backoff_seconds=0.01,
    min_interval_seconds=0,
    per_host_concurrency=4,
    timeout_seconds=10,
)
ISB_KEY = "contract-secret-key"
SCENARIOS = ("5xx", "html", "empty", "redirect", "over_cap", "bom")
ERROR_503 = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
# What a proxy in front of a portal sends with 200 when the portal behind it is down.
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
Answer = tuple[int, dict[str, str], bytes]


def _read(*parts: str) -> bytes:
    return require_shared(DATA.joinpath(*parts)).read_bytes()


# --- the sources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One way of reading a source, and what its target request may end in."""

    name: str
    target: str  # the request under test: "GET /path?query" or "POST /path start=N"
    valid: Callable[[], bytes]  # the target's good answer
    run: Callable[[HttpClient, str], Any]  # the fetch against the server's base URL
    records: Callable[[bytes], int]  # records the good answer holds (first batch of the run)
    others: Callable[[bytes], dict[str, bytes]] = lambda _valid: {}  # the rest of the exchange
    expect_json: bool = True  # HTML and empty answers are retried as transient
    messages: dict[str, str] = field(default_factory=dict)  # scenario -> its own message
    quarantines: bool = False  # a failure is a quarantined package, not a failed fetch
    with_bom: Callable[[bytes], bytes] = lambda body: UTF8_BOM + body


DEFAULT_MESSAGES = {
    "5xx": r"HTTP 503 from ",
    "html": r"HTML page where JSON belongs",
    "empty": r"empty answer where JSON belongs",
    "redirect": r"refused redirect from 127\.0\.0\.1:\d+ to another host localhost:\d+",
    "over_cap": rf"response larger than the {CAP_BYTES} byte cap",
}


def expected(source: Source, scenario: str) -> tuple[str, bool, int]:
    """(message pattern, whether the target's body is kept, requests to the target)."""
    message = source.messages.get(scenario, DEFAULT_MESSAGES[scenario])
    kept = scenario in {"5xx", "html", "empty"}
    retried = scenario == "5xx" or (source.expect_json and scenario in {"html", "empty"})
    return message, kept, ATTEMPTS if retried else 1


def _isb_records(body: bytes, key: str) -> int:
    return len({record[key] for record in json.loads(body)})


ISB_TEMPLATE = (
    f"/isb-2/api/{ISB_KEY}/json/5350/SPSE-TenderPengumuman/tipe/4:4/parameter/{{tahun}}:{{kd_lpse}}"
)
ISB_KEYED = Source(
    "isb keyed dataset",
    "GET " + ISB_TEMPLATE.format(tahun=2025, kd_lpse=93),
    lambda: _read("isb-kab-bandung-2025", "SPSE-TenderPengumuman.json"),
    lambda client, base: isb.fetch_keyed(
        client,
        isb.BY_NAME["SPSE-TenderPengumuman"],
        base + ISB_TEMPLATE,
        region="D107",
        year=2025,
        kd_lpse=93,
        kd_klpd="D107",
    ),
    lambda body: _isb_records(body, "kd_tender"),
)
# satudata's own datasets (MasterKLPD, ...) have no capture: a real ISB answer at a satudata
# URL goes through the very same fetch.
ISB_SATUDATA = Source(
    "isb satudata",
    "GET /isb-2/api/satudata/RUP-MasterSatker",
    lambda: _read("isb-kab-bandung-2025", "RUP-MasterSatker.json"),
    lambda client, base: isb.fetch_master(
        client, base + "/isb-2/api/satudata", isb.BY_NAME["RUP-MasterSatker"]
    ),
    lambda body: _isb_records(body, "kd_satker"),
)


def _ocids(body: bytes) -> int:
    return len({release["ocid"] for release in json.loads(body)["releases"]})


def _zip(member: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("release-package.json", member)
    return out.getvalue()


def _unzipped(body: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return archive.read("release-package.json")


OCDS_PUBLICATION = Source(
    "ocds publication",
    "GET /ocds/release-package-1.json",
    lambda: _read("ocds-realdata", "release-package-1.json"),
    lambda client, base: ocds.fetch_publication(
        client, base + "/ocds/release-package-1.json", base=ROOT
    ),
    _ocids,
)
OPENTENDER_EXPORT = Source(
    "opentender export",
    "GET /api/tender/export-ocds-batch/?year=2025&lpse=17",
    lambda: _zip(_read("ocds-realdata", "release-package-2.json")),
    lambda client, base: list(ocds.fetch_opentender(client, base, year=2025, lpse=["17"])),
    lambda body: _ocids(_unzipped(body)),
    # The BOM is text's: it starts the JSON inside the ZIP, not the archive.
    with_bom=lambda body: _zip(UTF8_BOM + _unzipped(body)),
)
# The LPSE list's shape as sources.md §3 gives it (no capture): codes repeat.
OPENTENDER_LPSE = b'{"results": [{"code": "17", "name": "x"}, {"code": "17"}, {"code": 93}]}'
OPENTENDER_LIST = Source(
    "opentender lpse list",
    "GET /api/master/lpse/?year=2025&format=json",
    lambda: OPENTENDER_LPSE,
    lambda client, base: ocds.opentender_lpse_codes(client, base, 2025),
    lambda body: len({str(row["code"]) for row in json.loads(body)["results"]}),
)

def _inaproc_v1() -> bytes:
    """The real Kab. Bandung tenders (D107's, as the gateway answers per K/L/PD) in one v1
    page."""
    records = json.loads(_read("isb-kab-bandung-2025", "SPSE-TenderPengumuman.json"))
    data = [r for r in records if r.get("kd_klpd") == "D107"]
    return json.dumps({"success": True, "data": data,
                       "meta": {"limit": 1000, "has_more": False, "cursor": None}}).encode()


def _inaproc_run(api: str) -> Callable[[HttpClient, str], Batch]:
    def run(client: HttpClient, base: str) -> Batch:
        inaproc.forget_blocks()  # as each night's plan does: a firewall met earlier is asked again
        return inaproc.fetch(client, inaproc.BY_PATH["tender/pengumuman"], base_url=base + "/api",
                             api=api, token=ISB_KEY, kd_klpd="D107", year=2025, region="D107")

    return run


def _kd_tenders(records: list[dict[str, Any]]) -> int:
    return len({r["kd_tender"] for r in records})


INAPROC_MESSAGES = {"html": r"blocked by the gateway's firewall", "empty": r"is not JSON"}
INAPROC_V1 = Source(
    "inaproc v1",
    "GET /api/v1/tender/pengumuman?kode_klpd=D107&tahun=2025&limit=1000",
    _inaproc_v1,
    _inaproc_run("v1"),
    lambda body: _kd_tenders(json.loads(body)["data"]),
    expect_json=False,
    messages=INAPROC_MESSAGES,
)
INAPROC_LEGACY = Source(
    "inaproc legacy",
    "GET /api/legacy/tender/pengumuman?kode_klpd=D107&tahun=2025",
    lambda: json.dumps(json.loads(_inaproc_v1())["data"]).encode(),
    _inaproc_run("legacy"),
    lambda body: _kd_tenders(json.loads(body)),
    expect_json=False,
    messages=INAPROC_MESSAGES,
)

SPSE = DATA / "spse-national-2026"
SLUG = "jatengprov"
SESSION_PAGE = b"<html><body><script>d.authenticityToken = 'c0ntract';</script></body></html>"
EMPTY_LISTING = b'{"draw": "2", "recordsTotal": 2147483647, "recordsFiltered": 0, "data": []}'


def _spse_exchange(listing: bytes) -> dict[str, bytes]:
    """The session page, the listing's empty second page, and each listed package's pages."""
    routes = {
        f"GET /{SLUG}/lelang": SESSION_PAGE,
        f"POST /{SLUG}/dt/nonspk start={spse.DEFAULT_PAGE_SIZE}": EMPTY_LISTING,
    }
    for row in json.loads(listing)["data"]:
        routes[f"GET /{SLUG}/pencatatan/pengumumannonspk?id={row[0]}"] = _read(
            "spse-national-2026", "nonspk_pengumuman.html"
        )
        routes[f"GET /{SLUG}/pencatatan/pengumumannonspkpemenang?id={row[0]}"] = _read(
            "spse-national-2026", "nonspk_pemenang_berkontrak.html"
        )
    return routes


def _one_row_listing() -> bytes:
    doc = json.loads(_read("spse-national-2026", "dt_nonspk.json"))
    return json.dumps({**doc, "data": doc["data"][:1]}).encode()


def _spse_run(client: HttpClient, base: str) -> list[Batch]:
    listing = spse.fetch_listing(client, base, SLUG, "nonspk", region=SLUG, year=2026)
    return [listing, *spse.fetch_details(client, base, SLUG, "nonspk", region=SLUG, year=2026,
                                         packages=spse.wanted(listing))]


SPSE_LISTING = Source(
    "spse listing",
    f"POST /{SLUG}/dt/nonspk start=0",
    lambda: _read("spse-national-2026", "dt_nonspk.json"),
    _spse_run,
    lambda body: len({row[0] for row in json.loads(body)["data"]}),
    others=_spse_exchange,
    expect_json=False,
    messages={"html": r"HTML page where DataTables JSON belongs", "empty": r"is not JSON"},
)
FIRST_PACKAGE = json.loads(_one_row_listing())["data"][0][0] if SPSE.exists() else ""
SPSE_DETAIL = Source(
    "spse detail page",
    f"GET /{SLUG}/pencatatan/pengumumannonspk?id={FIRST_PACKAGE}",
    lambda: _read("spse-national-2026", "nonspk_pengumuman.html"),
    lambda client, base: _spse_run(client, base)[::-1],  # the listing batch last
    lambda _body: 1,
    others=lambda _valid: {
        **_spse_exchange(_one_row_listing()),
        f"POST /{SLUG}/dt/nonspk start=0": _one_row_listing(),
    },
    expect_json=False,
    messages=dict.fromkeys(("html", "empty"), r"detail page without div\.content"),
    quarantines=True,
)


REGISTER = ROOT / "registers" / "inspectorates.csv"  # the register pantau ships


def _register_rows(body: bytes) -> list[dict[str, str]]:
    lines = body.decode("utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def _register(fmt: str) -> Callable[[HttpClient, str], Batch]:
    def run(client: HttpClient, base: str) -> Batch:
        source = inspectorates.RegisterSource(
            name="contract", format=fmt, url=f"{base}/register.{fmt}"
        )
        return inspectorates.fetch(client, source)

    return run


REGISTER_JSON = Source(
    "inspectorate register (json)",
    "GET /register.json",
    lambda: json.dumps(_register_rows(REGISTER.read_bytes())).encode(),
    _register("json"),
    lambda body: len(json.loads(body)),
)
REGISTER_CSV = Source(
    "inspectorate register (csv)",
    "GET /register.csv",
    REGISTER.read_bytes,
    _register("csv"),
    lambda body: len(_register_rows(body)),
    expect_json=False,
    messages={"html": r"register CSV lacks column", "empty": r"register CSV has no header row"},
)

SOURCES = (
    ISB_KEYED,
    ISB_SATUDATA,
    OCDS_PUBLICATION,
    OPENTENDER_EXPORT,
    OPENTENDER_LIST,
    SPSE_LISTING,
    SPSE_DETAIL,
    REGISTER_JSON,
    REGISTER_CSV,
    INAPROC_V1,
    INAPROC_LEGACY,
)


# --- the server -----------------------------------------------------------------------------


class Server:
    """A loopback HTTP server answering from ``routes`` ("GET /path?query" -> answer)."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        self.hits: Counter[str] = Counter()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, key: str) -> None:
                server.hits[key] += 1
                status, headers, body = server.routes.get(key, (404, {}, b"no such route"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer(f"GET {self.path}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                self._answer(f"POST {self.path} start={form.get('start', [''])[0]}")

            def log_message(self, *_args: object) -> None:
                return

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    """The source's server, and another host a redirect may point to."""
    pair = Server(), Server()
    yield pair
    for server in pair:
        server.close()


def _target_answer(source: Source, scenario: str, valid: bytes, other: Server) -> Answer:
    path = source.target.split(" ")[1]
    if scenario == "5xx":
        return 503, {"Content-Type": "text/html"}, ERROR_503
    if scenario == "html":
        return 200, {"Content-Type": "text/html"}, HTML_ERROR_PAGE
    if scenario == "empty":
        return 200, {}, b""
    if scenario == "redirect":
        return 302, {"Location": f"http://localhost:{other.port}{path}"}, b""
    if scenario == "over_cap":
        return 200, {}, valid.ljust(CAP_BYTES + 1)  # padded with spaces: still a valid answer
    return 200, {}, source.with_bom(valid)


def _serve(server: Server, source: Source, target: Answer, valid: bytes) -> None:
    server.routes = {key: (200, {}, body) for key, body in source.others(valid).items()}
    server.routes[source.target] = target
    server.hits.clear()


def _summary(outcome: Any) -> list[Any]:
    """What a run gave, without the fetch times: datasets, keys, payloads, reject reasons."""
    items = outcome if isinstance(outcome, list) else [outcome]
    return [
        (b.dataset, b.keys, b.payloads, [r.reason for r in b.rejected])
        if isinstance(b, Batch)
        else b
        for b in items
    ]


def _first_count(outcome: Any) -> int:
    first = outcome[0] if isinstance(outcome, list) else outcome
    return len(first.keys) + len(first.rejected) if isinstance(first, Batch) else len(outcome)


# --- the contract ---------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_source_contract(source: Source, scenario: str, servers: tuple[Server, Server]) -> None:
    server, other = servers
    base = f"http://127.0.0.1:{server.port}"
    valid = source.valid()
    settings = replace(HTTP, max_response_mb=CAP_BYTES / 2**20) if scenario == "over_cap" else HTTP
    target = _target_answer(source, scenario, valid, other)
    _serve(server, source, target, valid)

    if scenario == "bom":
        with_bom = _summary(source.run(HttpClient(HTTP), base))
        _serve(server, source, (200, {}, valid), valid)
        outcome = source.run(HttpClient(HTTP), base)
        assert _first_count(outcome) == source.records(valid)
        assert with_bom == _summary(outcome)
        return

    message, kept, tries = expected(source, scenario)
    if source.quarantines:
        *set_aside, detail, listing = source.run(HttpClient(settings), base)
        assert len(listing.keys) == 1  # the listing lands
        # A page that does not read is set aside in its own batch and its package lands not
        # final (fetched again next run); a page that does not answer quarantines the package.
        assert [json.loads(p)["quarantined"] for p in detail.payloads] == (
            [[b.dataset.rsplit("/", 1)[1] for b in set_aside]] if set_aside else [])
        [reject] = [r for batch in (detail, *set_aside) for r in batch.rejected]
        assert re.search(message, reject.reason), reject.reason
        # The page that failed; its listing row when there is no page to keep.
        assert reject.raw == (target[2] if kept else listing.payloads[0].encode())
    else:
        with pytest.raises(SourceError) as info:
            source.run(HttpClient(settings), base)
        error = info.value
        assert re.search(message, str(error)), str(error)
        assert "\n" not in str(error)
        assert error.body == (target[2] if kept else None)
        assert ISB_KEY not in str(error)  # a subscriber key, and the INAPROC token
        assert ISB_KEY not in error.url
        if scenario == "5xx":
            assert error.status == 503
    assert server.hits[source.target] == tries
    assert sum(other.hits.values()) == 0  # a redirect never reaches the other host


def test_docs_table_matches_the_contract() -> None:
    """docs/source-contract.md shows the table this module tests (regenerate it from here)."""
    text = (ROOT / "docs" / "source-contract.md").read_text(encoding="utf-8")
    assert contract_table() in text


def contract_table() -> str:
    """The per-source table of docs/source-contract.md: the message, body kept, retried."""
    faults = SCENARIOS[:-1]  # a BOM is read past by every source
    lines = [
        "| source | ends in | " + " | ".join(faults) + " |",
        "|" + "---|" * (len(faults) + 2),
    ]
    for source in SOURCES:
        cells = []
        for scenario in faults:
            message, kept, tries = expected(source, scenario)
            words = message.replace(r"\d+", "N").replace("\\", "").strip()
            notes = ["body kept" if kept else "no body"] + (["retried"] if tries > 1 else [])
            cells.append(f"`{words}` ({', '.join(notes)})")
        end = "a quarantined package" if source.quarantines else "SourceError"
        lines.append(f"| {source.name} | {end} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
