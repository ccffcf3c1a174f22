"""The one HTTP layer every connector uses.

It gives each request: a timeout; retries with exponential backoff and jitter on 429, 5xx,
connection errors, stalls and truncated bodies (honouring ``Retry-After``); a per-host limit on
concurrent requests and a minimum interval between them (one gate per host, shared by every
client in the process, so parallel tasks stay polite together: see ``_HostGate`` for which
settings win); a cap on the response size; an honest User-Agent; only http(s) URLs, at most
``MAX_REDIRECTS`` redirects and none to another host unless allowed; and redaction of secrets
in every URL it logs, raises or returns. What each source makes of a failure is in
docs/source-contract.md (tests/test_source_contract.py).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Annotated, Any
from urllib.parse import urljoin, urlsplit

import requests
from pantau.connectors.base import SourceError, without_bom
from pydantic import Field
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

log = logging.getLogger("pantau.http")

MAX_REDIRECTS = 5  # hops of one request; more is a loop or a portal gone wrong
USER_AGENT = "pantau/0.1 (procurement-transparency monitor; +https://github.com/pattiro/pantau)"
_SENSITIVE_PARAMS = re.compile(
    r"(?i)([?&](?:key|api_key|apikey|token|access_token|authenticitytoken|password|secret)=)[^&#]*"
)
# ISB subscriber URLs carry the access key as a path segment: /isb-2/api/<key>/json/...
_ISB_KEY = re.compile(r"(/api/)(?!satudata/)([^/]+)(/(?:json|csv)/)")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class Redactor:
    """Masks secrets: every configured secret string, ISB keys, credential query parameters."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets: list[str] = []
        self.add(*(secrets or []))

    def add(self, *secrets: str) -> None:
        # Longest first, so a secret that contains another is masked whole.
        merged = set(self._secrets) | {s for s in secrets if s}
        self._secrets = sorted(merged, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        text = _ISB_KEY.sub(r"\1***\3", text)
        text = _SENSITIVE_PARAMS.sub(r"\1***", text)
        return _USERINFO.sub("***@", text)


class _RedactingFilter(logging.Filter):
    """urllib3 logs every URL it requests at DEBUG: mask them before any handler sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.redact = Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


_LIBRARY_LOGS = _RedactingFilter()
for _name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.response"):
    logging.getLogger(_name).addFilter(_LIBRARY_LOGS)


class TransientError(SourceError):
    """Worth another try: 429, 5xx, a dropped connection, a stall, a truncated body."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        retry_after: float | None = None,
        body: bytes | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, url=url, body=body, status=status)
        self.retry_after = retry_after


@dataclass
class Response:
    status: int
    url: str  # redacted
    body: bytes
    headers: dict[str, str]
    fetched_at: datetime

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Call:
    """What one logical request asks for; every retry and redirect repeats it."""

    method: str
    url: str  # may hold a secret: only its redacted form leaves this module
    data: dict[str, Any] | None
    headers: dict[str, str] | None
    ok_statuses: tuple[int, ...]


class _HostGate:
    """The one gate of a host: at most ``concurrency`` requests in flight, started ``interval``
    seconds apart, for every client of the process together.

    Clients with different settings can talk to one host (the simulator serves every source on
    one port; an OCDS publication may sit on a host another source reads). The strictest
    settings of the live clients that have used the host win: the lowest concurrency and the
    longest interval, so no client's limit is ever exceeded. A client that is gone (garbage
    collected) no longer holds the host back.
    """

    def __init__(self) -> None:
        self._clients: weakref.WeakSet[HttpClient] = weakref.WeakSet()
        self._changed = threading.Condition()
        self._in_flight = 0
        self._next_start = 0.0

    def _limits(self) -> tuple[int, float]:
        clients = list(self._clients)
        return min(c.concurrency for c in clients), max(c.interval for c in clients)

    @contextmanager
    def turn(self, client: HttpClient) -> Iterator[None]:
        """Hold one of the host's slots for one request of ``client``."""
        with self._changed:
            self._clients.add(client)
            while self._in_flight >= self._limits()[0]:
                self._changed.wait()
            self._in_flight += 1
            interval = self._limits()[1]
            now = time.monotonic()
            start = max(now, self._next_start)
            if interval > 0:
                # Jitter keeps many workers from hitting the portal in lock-step.
                self._next_start = start + interval * random.uniform(0.75, 1.25)
        try:
            time.sleep(start - now)
            yield
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()


_gates: dict[str, _HostGate] = {}
_gates_lock = threading.Lock()


def _gate(host: str) -> _HostGate:
    with _gates_lock:
        return _gates.setdefault(host, _HostGate())


@dataclass(frozen=True)
class HttpSettings:
    """``[http]``: how every request behaves (a source may be politer: its own settings)."""

    timeout_seconds: Annotated[float, Field(gt=0, description=(
        "Seconds to wait for a connection or between two bytes of an answer."))] = 60
    max_attempts: Annotated[int, Field(ge=1, description=(
        "Tries per request on 429, 5xx, dropped connections, stalls and truncated bodies."))] = 5
    backoff_seconds: Annotated[float, Field(ge=0, description=(
        "First wait between tries; doubles each try, with jitter (Retry-After wins)."))] = 1.0
    max_backoff_seconds: Annotated[float, Field(ge=0, description=(
        "The longest wait between two tries."))] = 60
    max_response_mb: Annotated[float, Field(gt=0, description=(
        "An answer larger than this is refused (MB)."))] = 512
    per_host_concurrency: Annotated[int, Field(ge=1, description=(
        "Requests in flight to one host at once, across every worker of the process."))] = 2
    min_interval_seconds: Annotated[float, Field(ge=0, description=(
        "Least time between two requests to one host, jittered +-25%."))] = 0.5
    allow_redirect_hosts: Annotated[tuple[str, ...], Field(description=(
        "Hosts a redirect may lead to besides the requested one."))] = ()
    user_agent: Annotated[str, Field(description="The User-Agent every request sends.")] = (
        USER_AGENT)


class HttpClient:
    def __init__(self, settings: HttpSettings | None = None,
                 redactor: Redactor | None = None) -> None:
        s = settings or HttpSettings()
        self.timeout = float(s.timeout_seconds)
        self.max_attempts = s.max_attempts
        self.backoff = float(s.backoff_seconds)
        self.max_backoff = float(s.max_backoff_seconds)
        self.max_bytes = int(s.max_response_mb * 1024 * 1024)
        self.concurrency = s.per_host_concurrency
        self.interval = float(s.min_interval_seconds)
        self.allowed_redirect_hosts = set(s.allow_redirect_hosts)
        self.user_agent = s.user_agent
        self.redact = redactor or Redactor()
        _LIBRARY_LOGS.redact.add(*self.redact._secrets)  # noqa: SLF001 - same module
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        # requests.Session is not thread-safe: one per thread.
        sess = getattr(self._local, "session", None)
        if sess is None:
            sess = self._local.session = requests.Session()
            sess.headers["User-Agent"] = self.user_agent
        return sess

    def get(self, url: str, **kwargs: Any) -> Response:  # noqa: ANN401
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:  # noqa: ANN401
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        ok_statuses: tuple[int, ...] = (200,),
        expect_json: bool = False,
    ) -> Response:
        """One logical request with retries; raises SourceError when it finally fails.

        With ``expect_json``, an HTML page or an empty answer in place of JSON (a portal's error
        page served with 200, a proxy that lost the body) counts as a transient failure:
        retried, and its body kept if it persists.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            reraise=True,
            before_sleep=self._log_retry,
        )
        call = _Call(method, url, data, headers, ok_statuses)
        return retrying(self._attempt, call, expect_json=expect_json)

    def _attempt(self, call: _Call, *, expect_json: bool) -> Response:
        response = self._once(call)
        if not expect_json or response.status == 304:  # Not Modified has no body, by design
            return response
        first = without_bom(response.body).lstrip()[:1]
        if first in {b"<", b""}:
            what = "HTML page" if first else "empty answer"
            raise TransientError(
                f"{what} where JSON belongs from {response.url}",
                url=response.url,
                body=response.body,
            )
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = min(self.max_backoff, self.backoff * 2 ** (state.attempt_number - 1))
        backoff *= random.uniform(0.5, 1.0)
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return max(exc.retry_after, backoff)
        return backoff

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("retry %d after: %s", state.attempt_number, exc)

    def _once(self, call: _Call) -> Response:
        """One try of a call, its same-host redirects followed (at most ``MAX_REDIRECTS``)."""
        first = call
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._exchange(call)
            if isinstance(answer, Response):
                return answer
            call = answer
        safe_url = self.redact(first.url)
        raise SourceError(f"more than {MAX_REDIRECTS} redirects from {safe_url}", url=safe_url)

    def _exchange(self, call: _Call) -> Response | _Call:
        """One HTTP exchange: the answer, or the call a redirect asks for next."""
        url = call.url
        safe_url = self.redact(url)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise SourceError(f"refused non-http(s) URL scheme {parts.scheme!r}", url=safe_url)
        # A redirect returns from inside the gate: its slot is free again before the next hop.
        with _gate(parts.netloc).turn(self):
            try:
                resp = self.session.request(
                    call.method,
                    url,
                    data=call.data,
                    headers=call.headers,
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise TransientError(f"{type(exc).__name__} on {safe_url}", url=safe_url) from None
            try:
                if resp.is_redirect:
                    target = self._redirect_target(resp, url)
                    if resp.status_code == 303:  # See Other: fetch the target, send nothing
                        return replace(call, method="GET", url=target, data=None)
                    return replace(call, url=target)
                body = self._read(resp, safe_url)
            finally:
                resp.close()
        return self._check(resp, body, safe_url, call.ok_statuses)

    def _redirect_target(self, resp: requests.Response, url: str) -> str:
        target = urljoin(url, resp.headers.get("Location", ""))
        host, new_host = urlsplit(url).netloc, urlsplit(target).netloc
        if new_host != host and new_host not in self.allowed_redirect_hosts:
            raise SourceError(
                f"refused redirect from {host} to another host {new_host}", url=self.redact(url)
            )
        return target

    def _read(self, resp: requests.Response, safe_url: str) -> bytes:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(f"response larger than the {self.max_bytes} byte cap", url=safe_url)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in resp.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceError(
                        f"response larger than the {self.max_bytes} byte cap", url=safe_url
                    )
                chunks.append(chunk)
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            raise TransientError(
                f"body cut short ({type(exc).__name__}) on {safe_url}", url=safe_url
            ) from None
        body = b"".join(chunks)
        if (
            declared
            and declared.isdigit()
            and len(body) < int(declared)
            and not resp.headers.get("Content-Encoding")
        ):
            raise TransientError(f"body truncated: {len(body)} of {declared} bytes", url=safe_url)
        return body

    def _check(
        self, resp: requests.Response, body: bytes, safe_url: str, ok_statuses: tuple[int, ...]
    ) -> Response:
        status = resp.status_code
        if status == 429 or status >= 500:
            raise TransientError(
                f"HTTP {status} from {safe_url}",
                url=safe_url,
                retry_after=_retry_after(resp.headers.get("Retry-After")),
                body=body,
                status=status,
            )
        if status not in ok_statuses:
            raise SourceError(
                f"HTTP {status} from {safe_url}", url=safe_url, body=body, status=status
            )
        return Response(
            status=status,
            url=safe_url,
            body=body,
            headers=dict(resp.headers),
            fetched_at=datetime.now(UTC),
        )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
