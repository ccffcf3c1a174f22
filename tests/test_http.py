"""The shared HTTP layer against a local server that misbehaves on purpose."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pantau.connectors.base import SourceError
from pantau.connectors.http import MAX_REDIRECTS, HttpClient, HttpSettings, Redactor, _gate
from pantau.flows import steps

FAST = HttpSettings(backoff_seconds=0.01, min_interval_seconds=0, timeout_seconds=0.5)


class Script:
    """Per path, the answers to give in order: (status, headers, body), 'reset', 'slow', or
    'hold' (answer once ``hold_for`` requests are in flight together, or after 3 s)."""

    def __init__(self) -> None:
        self.answers: dict[str, list] = {}
        self.hits: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.hold_for = 1
        self.all_held = threading.Event()  # set once hold_for requests were in flight together
        self.started: list[float] = []  # time.monotonic() of each request's arrival
        self.lock = threading.Lock()
        self.connections = 0  # TCP connections accepted


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with script.lock:
                script.connections += 1

        def do_GET(self) -> None:
            with script.lock:
                script.hits[self.path] = script.hits.get(self.path, 0) + 1
                queue = script.answers.get(self.path, [])
                answer = (
                    queue.pop(0) if len(queue) > 1 else (queue[0] if queue else (200, {}, b"[]"))
                )
                script.in_flight += 1
                script.max_in_flight = max(script.max_in_flight, script.in_flight)
                script.started.append(time.monotonic())
                if script.in_flight >= script.hold_for:
                    script.all_held.set()
            try:
                if answer == "reset":
                    self.connection.close()
                    return
                if answer == "slow":
                    time.sleep(0.2)
                    answer = (200, {}, b"[]")
                if answer == "hold":
                    script.all_held.wait(3)
                    answer = (200, {}, b"[]")
                status, headers, body = answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            finally:
                with script.lock:
                    script.in_flight -= 1

        def log_message(self, *_args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def test_retries_5xx_then_succeeds(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/a"] = [(503, {}, b"busy"), (502, {}, b""), (200, {}, b"[1]")]
    assert HttpClient(FAST).get(url + "/a").body == b"[1]"
    assert script.hits["/a"] == 3


def test_honours_retry_after(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/r"] = [(429, {"Retry-After": "1"}, b""), (200, {}, b"ok")]
    started = time.monotonic()
    HttpClient(FAST).get(url + "/r")
    assert time.monotonic() - started >= 1.0


def test_gives_up_after_max_attempts_with_a_clear_error(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/down"] = [(500, {}, b"<h1>Internal Server Error</h1>")]
    with pytest.raises(SourceError, match="HTTP 500") as info:
        HttpClient(replace(FAST, max_attempts=3)).get(url + "/down")
    assert script.hits["/down"] == 3
    # The last answer's body and status stay with the error, for the quarantine.
    assert info.value.body == b"<h1>Internal Server Error</h1>"
    assert info.value.status == 500


@pytest.mark.parametrize(
    ("body", "what"), [(b"", "empty answer"), (b"\xef\xbb\xbf  <html>busy</html>", "HTML page")]
)
def test_an_empty_or_html_answer_where_json_belongs_is_retried(
    server: tuple[str, Script], body: bytes, what: str
) -> None:
    url, script = server
    script.answers["/j"] = [(200, {}, body), (200, {}, b"[7]")]
    assert HttpClient(FAST).get(url + "/j", expect_json=True).body == b"[7]"
    script.answers["/k"] = [(200, {}, body)]
    with pytest.raises(SourceError, match=what) as info:
        HttpClient(replace(FAST, max_attempts=2)).get(url + "/k", expect_json=True)
    assert info.value.body == body
    assert script.hits == {"/j": 2, "/k": 2}


def test_connection_reset_and_truncated_body_are_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/t"] = ["reset", (200, {"Content-Length": "100"}, b"[1,2"), (200, {}, b"[1,2]")]
    assert HttpClient(FAST).get(url + "/t").body == b"[1,2]"
    assert script.hits["/t"] == 3


def test_a_4xx_is_not_retried_and_keeps_the_body(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/nf"] = [(404, {}, b"Halaman yang dituju tidak ditemukan")]
    with pytest.raises(SourceError) as info:
        HttpClient(FAST).get(url + "/nf")
    assert info.value.status == 404
    assert info.value.body == b"Halaman yang dituju tidak ditemukan"
    assert script.hits["/nf"] == 1


def test_response_size_cap(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/big"] = [(200, {}, b"x" * 3_000_000)]
    with pytest.raises(SourceError, match="byte cap"):
        HttpClient(replace(FAST, max_response_mb=1)).get(url + "/big")


def test_refuses_other_schemes() -> None:
    with pytest.raises(SourceError, match="non-http"):
        HttpClient(FAST).get("file:///etc/passwd")


def test_refuses_redirects_to_another_host(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/away"] = [(302, {"Location": "http://example.org/x"}, b"")]
    script.answers["/here"] = [(302, {"Location": "/final"}, b"")]
    script.answers["/final"] = [(200, {}, b"done")]
    with pytest.raises(SourceError, match="another host"):
        HttpClient(FAST).get(url + "/away")
    assert HttpClient(FAST).get(url + "/here").body == b"done"


def test_a_redirect_loop_ends_in_one_clear_error(server: tuple[str, Script]) -> None:
    url, script = server
    path = "/isb-2/api/top-secret-key/json/1/SPSE-TenderPengumuman"
    script.answers[path] = [(302, {"Location": path}, b"")]
    with pytest.raises(SourceError) as info:
        HttpClient(FAST).get(url + path)
    message = str(info.value)
    assert message == f"more than {MAX_REDIRECTS} redirects from {info.value.url}"
    assert "\n" not in message
    assert "top-secret-key" not in message
    assert info.value.url == url + path.replace("top-secret-key", "***")
    assert script.hits[path] == MAX_REDIRECTS + 1  # one try: a loop is not worth retrying


def test_redirects_up_to_the_limit_are_followed(server: tuple[str, Script]) -> None:
    url, script = server
    for hop in range(MAX_REDIRECTS):
        script.answers[f"/hop{hop}"] = [(301, {"Location": f"/hop{hop + 1}"}, b"")]
    script.answers[f"/hop{MAX_REDIRECTS}"] = [(200, {}, b"arrived")]
    assert HttpClient(FAST).get(url + "/hop0").body == b"arrived"
    assert all(script.hits[f"/hop{hop}"] == 1 for hop in range(MAX_REDIRECTS + 1))


def test_per_host_concurrency_limit(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/slow"] = ["slow"]
    client = HttpClient(replace(FAST, per_host_concurrency=2))
    threads = [threading.Thread(target=client.get, args=(url + "/slow",)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert script.hits["/slow"] == 6
    assert script.max_in_flight <= 2


def test_redaction_of_keys_tokens_and_passwords() -> None:
    redact = Redactor(["s3cr3t-bot-token"])
    isb = "https://isb.lkpp.go.id/isb-2/api/0a1b2c3d-uuid/json/5350/SPSE-TenderPengumuman/tipe/4:4"
    assert "0a1b2c3d" not in redact(isb)
    assert redact("https://isb.lkpp.go.id/isb-2/api/satudata/MasterKLPD").endswith(
        "/satudata/MasterKLPD"
    )
    assert "hunter2" not in redact("https://h/x?api_key=hunter2&tahun=2025")
    assert "tahun=2025" in redact("https://h/x?api_key=hunter2&tahun=2025")
    assert "pw" not in redact("mailto://user:pw@smtp.example.org").split("@")[0]
    assert "s3cr3t-bot-token" not in redact("tgram://s3cr3t-bot-token/123")


def test_errors_never_carry_the_key(server: tuple[str, Script]) -> None:
    url, script = server
    path = "/isb-2/api/top-secret-key/json/1/SPSE-TenderPengumuman/tipe/4:4/parameter/2025:93"
    script.answers[path] = [(500, {}, b"")]
    with pytest.raises(SourceError) as info:
        HttpClient(replace(FAST, max_attempts=1)).get(url + path)
    assert "top-secret-key" not in str(info.value)
    assert "top-secret-key" not in info.value.url


def _in_threads(*calls: tuple[HttpClient, str]) -> None:
    threads = [threading.Thread(target=client.get, args=(target,)) for client, target in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_one_gate_per_host_whatever_the_client_settings(server: tuple[str, Script]) -> None:
    url, _script = server
    host = url.removeprefix("http://")
    assert _gate(host) is _gate(host)


def test_clients_with_different_settings_never_exceed_the_host_concurrency(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.answers["/slow"] = ["slow"]
    # Different intervals used to give each client a gate of its own (two requests at once).
    polite = HttpClient(replace(FAST, per_host_concurrency=1, min_interval_seconds=0.01))
    eager = HttpClient(replace(FAST, per_host_concurrency=4, min_interval_seconds=0.02))
    _in_threads(*[(polite, url + "/slow"), (eager, url + "/slow")] * 3)
    assert script.hits["/slow"] == 6
    assert script.max_in_flight == 1  # the strictest concurrency of the two


def test_the_longest_interval_of_the_clients_on_a_host_holds(server: tuple[str, Script]) -> None:
    url, script = server
    polite = HttpClient(replace(FAST, min_interval_seconds=0.2))
    eager = HttpClient(FAST)  # no interval of its own
    polite.get(url + "/a")
    eager.get(url + "/a")  # its connection opened: the arrivals below are the gate's pace
    script.started.clear()
    for _ in range(3):
        eager.get(url + "/a")
    gaps = [b - a for a, b in zip(script.started, script.started[1:], strict=False)]
    assert len(gaps) == 2
    # The interval less its largest jitter (0.15 s), less slack for a loaded machine; without
    # the polite client's interval the gaps are a millisecond.
    assert min(gaps) >= 0.1


def test_a_client_that_is_gone_no_longer_holds_the_host_back(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/hold"] = ["hold"]
    script.hold_for = 3
    polite = HttpClient(replace(FAST, per_host_concurrency=1))
    polite.get(url + "/a")
    del polite
    gc.collect()
    # A timeout longer than the hold: a request given up on would be retried and overlap.
    eager = HttpClient(replace(FAST, per_host_concurrency=3, timeout_seconds=10))
    started = time.monotonic()
    _in_threads(*[(eager, url + "/hold")] * 3)
    assert script.max_in_flight == 3
    assert time.monotonic() - started < 3  # none of them waited for the hold to time out


def test_the_jobs_of_a_night_share_one_client_and_its_connection(
        server: tuple[str, Script]) -> None:
    # A connection (a TLS handshake, on the live sources) per answer was a national night's
    # thousands; equal settings give the one client, whose session keeps its connection.
    url, script = server
    for i in range(3):
        steps._client(replace(FAST), ("secret-value",)).get(f"{url}/job{i}")
    assert script.connections == 1
    assert steps._client(FAST, ("secret-value",)) is not steps._client(
        replace(FAST, per_host_concurrency=1), ("secret-value",))
