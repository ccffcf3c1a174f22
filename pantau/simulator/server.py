"""The simulator's HTTP server: routes each request to the protocol service that knows its path.

It binds loopback only. Besides the sources' own paths it answers two admin paths used by tests
and benchmarks: ``POST /_sim/advance`` (one generation passes: ``change_rate`` of the packages
change) and ``GET /_sim/stats`` (requests served, per path prefix).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import parse_qs, urlsplit

from pantau.simulator.faults import FaultPlan
from pantau.simulator.inaproc import Grant, InaprocService
from pantau.simulator.isb import IsbService
from pantau.simulator.ocds import OpentenderService
from pantau.simulator.registers import RegisterService
from pantau.simulator.spse import SpseService
from pantau.simulator.world import World


class Service(Protocol):
    def handle(self, path: str) -> tuple[int, str, bytes] | None: ...


class Simulator:
    def __init__(self, world: World | None = None, *, replay: Path | None = None,
                 port: int = 0, host: str = "127.0.0.1",
                 faults: FaultPlan | None = None, latency: float = 0.0,
                 inaproc_tokens: dict[str, Grant] | None = None,
                 inaproc_firewall: bool = False, etags: bool = False) -> None:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the simulator binds loopback only")
        self.world = world or World()
        # The INAPROC gateway needs the request's headers (Authorization): asked first.
        self.inaproc = InaprocService(self.world, replay, tokens=inaproc_tokens,
                                      firewall=inaproc_firewall)
        self.services: list[Service] = [IsbService(self.world, replay),
                                        SpseService(self.world, replay),
                                        OpentenderService(self.world), RegisterService()]
        self.requests: Counter[str] = Counter()
        self.faults = faults
        self.latency = latency  # seconds added to every source request (crawl benchmarks)
        # ISB answers with an ETag, and 304 to a request that names it: a server that supports
        # conditional requests (whether LKPP's did is not recorded; off by default).
        self.etags = etags
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def count(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def route(self, method: str, path: str, form: dict[str, list[str]],
              headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        gateway = self.inaproc.handle_gateway(method, path, form, headers or {})
        if gateway is not None:
            return gateway  # type: ignore[return-value] - with its response headers
        if path == "/_sim/advance" and method == "POST":
            self.world.generation += 1
            answer = {"generation": self.world.generation}
            return 200, "application/json", json.dumps(answer).encode()
        if path == "/_sim/stats":
            return 200, "application/json", json.dumps(dict(self.requests)).encode()
        for service in self.services:
            handle = getattr(service, "handle_request", None)
            answer = handle(method, path, form) if handle else service.handle(path)
            if answer is not None:
                return answer
        return 404, "text/plain", b"not found"


def _conditional(answer: tuple, if_none_match: str | None) -> tuple:
    """A 200 answer with its ETag, or 304 and no body where the request named that ETag."""
    status, ctype, body, *extra = answer
    if status != 200:
        return answer
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {**(extra[0] if extra else {}), "ETag": etag}
    return (304, ctype, b"", headers) if if_none_match == etag else (200, ctype, body, headers)


def _handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms
        # to every keep-alive request (SPSE's many small pages made runs 10x slower).
        disable_nagle_algorithm = True

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            form = parse_qs(parts.query)
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                form.update(parse_qs(self.rfile.read(length).decode("utf-8", "replace")))
            sim.count(parts.path)
            if sim.latency and not parts.path.startswith("/_sim/"):
                time.sleep(sim.latency)
            fault = sim.faults.pick(method, parts.path, form) if sim.faults else None
            if fault:
                sim.faults.apply(self, fault)
                return
            # A service may add response headers (SPSE: Set-Cookie, Retry-After).
            answer = sim.route(method, parts.path, form, dict(self.headers))
            if sim.etags and parts.path.startswith("/isb-2/"):
                answer = _conditional(answer, self.headers.get("If-None-Match"))
            status, ctype, body, *extra = answer
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, *_args: object) -> None:  # keep test output quiet
            return

    return Handler
