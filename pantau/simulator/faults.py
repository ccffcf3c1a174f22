"""Fault injection for the simulator: ``pantau simulate --faults RATE``.

A seeded, deterministic share of responses fails in the ways the real portals fail: 500, 502,
503, 429 with and without ``Retry-After``, a connection reset, a stall past the client's
timeout, a body cut short, an HTML error page where JSON belongs, on SPSE listings an
expired token (403) and an empty page in the middle of the listing, and on the INAPROC
gateway its rate limit (429 with ``Retry-After`` and ``X-RateLimit-*``). Whether the n-th request
for a given path (and form) fails depends only on the seed, so a run can be repeated exactly;
a retry is a new request and may well succeed, as it does in real life.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

KINDS = (
    "http_500",
    "http_502",
    "http_503",
    "http_429_retry_after",
    "http_429",
    "reset",
    "stall",
    "truncated",
    "html_error",
)
# Only where an SPSE listing is asked for (POST {base}/dt/{jenis}):
LISTING_KINDS = ("expired_token", "empty_page")
# On the INAPROC gateway (/api/...): its rate limit (429 with Retry-After and X-RateLimit-*);
# an HTML page there is its firewall, which is no passing fault (InaprocService(firewall=True)).
GATEWAY_KINDS = ("rate_limited",)
SPSE_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Error</title></head><body><div class='content'>"
    b"<h1>Maaf, terjadi error pada aplikasi SPSE.</h1><p>Kode Error: 500</p></div></body></html>"
)


@dataclass
class FaultPlan:
    rate: float
    seed: int = 1
    stall_seconds: float = 3.0
    kinds: tuple[str, ...] = KINDS
    injected: Counter[str] = field(default_factory=Counter)
    _seen: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, method: str, path: str, form: dict[str, list[str]]) -> str | None:
        """The fault for this request, or None; deterministic per (request, occurrence)."""
        if self.rate <= 0 or path.startswith("/_sim/"):
            return None
        key = f"{method} {path} {sorted(form.items())}"
        with self._lock:
            self._seen[key] += 1
            n = self._seen[key]
        digest = hashlib.sha256(f"{self.seed}:{key}:{n}".encode()).digest()
        if int.from_bytes(digest[:4], "big") / 2**32 >= self.rate:
            return None
        kinds = self.kinds + LISTING_KINDS if "/dt/" in path else self.kinds
        if path.startswith("/api/"):
            kinds = tuple(k for k in kinds if k != "html_error") + GATEWAY_KINDS
        kind = kinds[digest[4] % len(kinds)]
        with self._lock:
            self.injected[kind] += 1
        return kind

    def apply(self, handler: BaseHTTPRequestHandler, kind: str) -> None:  # noqa: PLR0911 - one per kind
        """Answer the request the faulty way."""
        if kind == "reset":
            handler.close_connection = True
            handler.connection.close()
            return
        if kind == "stall":
            time.sleep(self.stall_seconds)
            handler.close_connection = True
            return
        if kind == "truncated":
            body = b'[{"cut": "short'
            _send(handler, 200, "application/json", body, length=len(body) + 500)
            handler.close_connection = True
            return
        if kind == "expired_token":  # what SPSE answers for a stale authenticity token
            _send(handler, 403, "text/html; charset=utf-8", b"<html>Forbidden</html>")
            return
        if kind == "empty_page":
            body = b'{"draw": 1, "recordsTotal": 2147483647, "recordsFiltered": 0, "data": []}'
            _send(handler, 200, "application/json", body)
            return
        if kind == "rate_limited":
            _send(handler, 429, "application/json", b'{"error":"API Rate Limit Exceeded"}',
                  headers={"Retry-After": "1", "X-RateLimit-Limit": "1000",
                           "X-RateLimit-Remaining": "0", "X-Generator": "tyk.io"})
            return
        if kind == "html_error":
            _send(handler, 200, "text/html; charset=utf-8", SPSE_ERROR_PAGE)
            return
        status = int(kind.split("_")[1])
        headers = {"Retry-After": "1"} if kind == "http_429_retry_after" else {}
        _send(handler, status, "text/plain", b"simulated fault", headers=headers)


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    ctype: str,
    body: bytes,
    *,
    length: int | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(length if length is not None else len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
