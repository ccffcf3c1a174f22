"""Issue 6: the inspectorate register, its history, alerts through real local channels.

A local register server (http.server on 127.0.0.1), a local webhook sink (apprise ``json://``)
and a local SMTP sink (aiosmtpd) stand in for the world; the steps run as plain functions.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest
from aiosmtpd.controller import Controller
from pantau.connectors import inspectorates as register
from pantau.connectors.base import Provenance
from pantau.flows import inspectorate_steps, steps
from pantau.flows.config import Config, build_config
from pantau.models import alerts
from pantau.models.db import open_warehouse
from pantau.models.transform import parse_header

from pantau.cli import main

TOKEN = "hooktoken-5c1f9a7e33d04b"  # noqa: S105 - a fake channel token: must never be stored or logged
SEMARANG = "Inspektorat Kota Semarang"
JATENG = "Inspektorat Provinsi Jawa Tengah"
EVIDENCE_2023 = "https://e-pengaduan.lkpp.go.id/hc/id"
EVIDENCE_JOIN = "https://example.org/berita/2026/01/10/inspektorat-kota-semarang-bergabung"
HEADER = "inspectorate,kd_klpd,status,evidence_url,checked_on,note\n"


def csv_register(*rows: tuple[str, str, str, str]) -> bytes:
    """rows of (inspectorate, status, evidence_url, checked_on)."""
    lines = [f'{name},,{status},{evidence},{checked},"note {checked}"'
             for name, status, evidence, checked in rows]
    return (HEADER + "\n".join(lines) + "\n").encode()


V1 = csv_register((JATENG, "not_joined", EVIDENCE_2023, "2023-08-31"),
                  (SEMARANG, "not_joined", EVIDENCE_2023, "2023-08-31"))
V2 = csv_register((JATENG, "not_joined", EVIDENCE_2023, "2023-08-31"),
                  (SEMARANG, "not_joined", EVIDENCE_2023, "2023-08-31"),
                  (SEMARANG, "joined", EVIDENCE_JOIN, "2026-01-10"))


# --- local servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A loopback HTTP server: serves ``pages`` on GET, records POST bodies; stop/start keeps
    the port, so a sink can be 'down' (connection refused) and come back."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.port = free_port()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = server.pages.get(self.path)
                if page is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", page[0])
                self.send_header("Content-Length", str(len(page[1])))
                self.end_headers()
                self.wfile.write(page[1])

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def register_server() -> Iterator[Server]:
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[Server]:
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def make_cfg(tmp: Path, sources: list[dict], channels: list[str] | None = None,
             alerts_settings: dict | None = None, watch: list[str] | None = None) -> Config:
    raw: dict[str, Any] = {
        "database": {"path": str(tmp / "pantau.duckdb")},
        "run": {"years": [2025]},
        "regions": [{"name": "Kota Semarang", "kd_klpd": "D999"}],
        "http": {"min_interval_seconds": 0, "max_attempts": 1, "timeout_seconds": 5},
        "inspectorates": {"sources": sources,
                          "watch": watch if watch is not None else ["Kota Semarang"]},
        "alerts": alerts_settings or {},
    }
    return build_config(raw, secrets={"alerts": {"channels": channels or []}})


def channel_urls(hook: Server, smtp_port: int) -> list[str]:
    return [f"json://127.0.0.1:{hook.port}/hook/{TOKEN}",
            (f"mailto://127.0.0.1:{smtp_port}?from=pantau@example.org&to=staf@example.org"
            "&mode=insecure")]


def history(cfg: Config) -> list[tuple]:
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        return con.execute(
            "SELECT inspectorate_id, source, status, CAST(valid_from AS VARCHAR), "
            "CAST(valid_to AS VARCHAR) FROM inspectorate_history "
            "ORDER BY inspectorate_id, source, valid_from").fetchall()


def current(cfg: Config) -> dict[str, tuple]:
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        rows = con.execute("SELECT inspectorate_id, status, CAST(since AS VARCHAR), "
                           "disagreement, by_source FROM inspectorates").fetchall()
    return {r[0]: r[1:] for r in rows}


def every_text(path: Path) -> str:
    """Every value of every table and view of a database file, as text."""
    out = []
    with duckdb.connect(str(path), read_only=True) as con:
        rels = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        for schema, name in rels:
            rows = con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
            out += [" ".join(str(v) for v in row) for row in rows]
    return "\n".join(out)


# --- the connector ----------------------------------------------------------------------------


def _prov() -> Provenance:
    return Provenance("inspectorates", "http://127.0.0.1/r.csv", datetime.now(UTC))


def test_csv_register_rows_and_rejects() -> None:
    body = (b"# a comment line\n" + HEADER.replace(",", ";").encode()
            + f"{SEMARANG};;joined;{EVIDENCE_JOIN};2026-01-10;ok\n".encode()
            + f"{JATENG};;maybe;{EVIDENCE_2023};2026-01-10;\n".encode()
            + f"{JATENG};;joined;;2026-01-10;\n".encode()
            + f"{JATENG};;joined;javascript:alert(1);2026-01-10;\n".encode()
            + f"{JATENG};;joined;{EVIDENCE_2023};10 Jan;\n".encode()
            + f"{JATENG};12345;joined;{EVIDENCE_2023};2026-01-10;\n".encode())
    source = register.RegisterSource(name="staff", format="csv")
    batch = register.to_batch(source, body, _prov())
    assert [r["status"] for r in batch.records] == ["joined"]
    record = batch.records[0]
    assert record["inspectorate_id"] == "kota semarang"
    assert record["kd_klpd"] is None
    reasons = [r.reason for r in batch.rejected]
    assert reasons == [
        f"{JATENG}: unknown status 'maybe' (expected one of not_joined, joined, unknown)",
        f"{JATENG}: missing evidence_url",
        f"{JATENG}: evidence_url is not an http(s) URL: 'javascript:alert(1)'",
        f"{JATENG}: checked_on is not a date: '10 Jan'",
        f"{JATENG}: kd_klpd '12345' is not a K/L/PD code (K…, L…, D…)",
    ]


def test_json_register() -> None:
    rows = [{"inspectorate": "Inspektorat Prov. Jawa Tengah", "kd_klpd": "", "status": "Joined",
             "evidence_url": EVIDENCE_JOIN, "checked_on": "2026-02-01"},
            {"inspectorate": SEMARANG, "status": "unknown", "evidence_url": EVIDENCE_2023,
             "checked_on": "01/02/2026"}]
    batch = register.to_batch(register.RegisterSource(name="j", format="json"),
                              json.dumps({"data": rows}).encode(), _prov())
    assert [(r["inspectorate_id"], r["status"], r["checked_on"]) for r in batch.records] == [
        ("provinsi jawa tengah", "joined", "2026-02-01"),
        ("kota semarang", "unknown", "2026-02-01"),
    ]


def test_html_table_with_configured_columns_is_safe() -> None:
    page = b"""<html><head><script>var x = "<td>joined</td>";</script></head><body>
    <table><tr><th>No</th><th>Nama APIP</th><th>Status Integrasi</th><th>Tautan</th></tr>
    <tr><td>1</td><td>Inspektorat Kota Semarang<script>document.write('joined')</script></td>
        <td>Terintegrasi</td><td><a href="/berita/1">berita</a></td></tr>
    <tr><td>2</td><td>Inspektorat Provinsi Jawa Tengah</td><td>Belum</td>
        <td><a href="javascript:steal()">klik</a></td></tr>
    <tr><td>3</td><td>Inspektorat Kab. Semarang</td><td>Sedang diproses</td><td></td></tr>
    </table></body></html>"""
    source = register.source_from_config(
        {"url": "http://127.0.0.1:1/daftar.html", "format": "html", "name": "lkpp",
         "columns": {"inspectorate": "Nama APIP", "status": "Status Integrasi",
                     "evidence_url": "Tautan"},
         "status_map": {"Terintegrasi": "joined", "Belum": "not_joined"}}, Path())
    batch = register.to_batch(source, page, _prov(), page_url="http://127.0.0.1:1/daftar.html",
                              today=date(2026, 3, 1))
    assert batch.records == [{
        "source": "lkpp", "inspectorate": SEMARANG, "inspectorate_id": "kota semarang",
        "kd_klpd": None, "status": "joined", "evidence_url": "http://127.0.0.1:1/berita/1",
        "checked_on": "2026-03-01", "note": None}]
    reasons = sorted(r.reason for r in batch.rejected)
    assert reasons == [
        ("Inspektorat Kab. Semarang: unknown status 'Sedang diproses' "
        "(expected one of not_joined, joined, unknown)"),
        f"{JATENG}: evidence_url is not an http(s) URL: 'javascript:steal()'",
    ]


def test_default_register_in_the_repo() -> None:
    cfg = build_config({"run": {"years": [2025]},
                        "inspectorates": {"sources": [{"path": "registers/inspectorates.csv"}]}})
    (source,) = inspectorate_steps.register_sources(cfg)
    batch = register.fetch(None, source)  # type: ignore[arg-type] - a file needs no client
    assert not batch.rejected
    statuses = {(r["inspectorate_id"], r["status"]) for r in batch.records}
    assert statuses == {("provinsi jawa tengah", "not_joined"), ("kota semarang", "not_joined")}
    assert all(r["kd_klpd"] is None for r in batch.records)  # real codes unknown: none invented
    assert any("tribunnews.com/2025/07/04" in r["evidence_url"] for r in batch.records)


# --- history ----------------------------------------------------------------------------------


def test_history_shows_exactly_the_transitions(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    cfg = make_cfg(tmp_path, [{"path": str(path), "name": "staff"}])
    versions = [
        V1,
        V1 + f"{SEMARANG},,not_joined,{EVIDENCE_2023},2025-07-04,recheck\n".encode(),
        V2,
        V2 + f"{SEMARANG},,unknown,{EVIDENCE_JOIN},2026-02-01,portal down\n".encode(),
        V2 + f"{SEMARANG},,joined,{EVIDENCE_JOIN},2026-02-01,portal back\n".encode(),
        V2 + f"{SEMARANG},,not_joined,{EVIDENCE_2023},2026-03-01,left\n".encode(),
    ]
    for body in versions:
        path.write_bytes(body)
        summary = inspectorate_steps.run_inspectorates(cfg, sender=lambda *_: None)
        assert summary.ok, summary.failed
    assert history(cfg) == [
        ("kota semarang", "staff", "not_joined", "2023-08-31", "2026-01-10"),
        ("kota semarang", "staff", "joined", "2026-01-10", "2026-03-01"),
        ("kota semarang", "staff", "not_joined", "2026-03-01", None),
        ("provinsi jawa tengah", "staff", "not_joined", "2023-08-31", None),
    ]
    # The 2026-02-01 'unknown' was corrected to 'joined' the same day: the latest row wins, and
    # every version is still in raw.
    with open_warehouse(cfg.database_path) as con:
        n_raw = con.execute("SELECT count(*) FROM raw.inspectorate_register").fetchone()[0]
    assert n_raw == 7
    assert current(cfg)["kota semarang"][:2] == ("not_joined", "2026-03-01")


def test_disagreeing_registers_are_both_visible(tmp_path: Path) -> None:
    staff, lkpp = tmp_path / "staff.csv", tmp_path / "lkpp.csv"
    staff.write_bytes(V1)
    lkpp.write_bytes(csv_register((SEMARANG, "joined", EVIDENCE_JOIN, "2026-01-10")))
    cfg = make_cfg(tmp_path, [{"path": str(staff), "name": "staff"},
                              {"path": str(lkpp), "name": "lkpp"}])
    inspectorate_steps.run_inspectorates(cfg, sender=lambda *_: None)
    status, since, disagreement, by_source = current(cfg)["kota semarang"]
    assert (status, since, disagreement) == ("joined", "2026-01-10", True)
    assert by_source == "lkpp: joined (2026-01-10); staff: not_joined (2023-08-31)"
    rows = [r for r in history(cfg) if r[0] == "kota semarang"]
    assert rows == [("kota semarang", "lkpp", "joined", "2026-01-10", None),
                    ("kota semarang", "staff", "not_joined", "2023-08-31", None)]


# --- alerts end to end through real channels ---------------------------------------------------


def staff_register_v1(tmp_path: Path, register_server: Server, channels: list[str]) -> Config:
    """A config reading the staff register (first version V1) from the register server."""
    register_server.pages["/register.csv"] = ("text/csv", V1)
    return make_cfg(tmp_path, [{"url": f"{register_server.url}/register.csv", "name": "staff"}],
                    channels)


def test_join_alert_reaches_each_channel_once(
    tmp_path: Path, register_server: Server, hook: Server, smtp: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    box, smtp_port = smtp
    cfg = staff_register_v1(tmp_path, register_server, channel_urls(hook, smtp_port))
    night = date(2026, 1, 10)

    first = inspectorate_steps.run_inspectorates(cfg, run_date=night)
    assert first.ok
    assert first.new_alerts == []
    assert hook.posts == []
    assert box.messages == []

    register_server.pages["/register.csv"] = ("text/csv", V2)
    second = inspectorate_steps.run_inspectorates(cfg, run_date=night)
    assert second.new_alerts == ["inspectorate_status|staff|kota semarang|joined|2026-01-10"]
    assert len(hook.posts) == 1
    assert len(box.messages) == 1
    path, payload = hook.posts[0]
    assert path == f"/hook/{TOKEN}"
    assert payload["title"] == f"{SEMARANG}: sudah bergabung dengan e-Pengaduan PBJ LKPP"
    message = payload["message"]
    assert 'berubah dari "belum bergabung" menjadi "sudah bergabung"' in message
    assert "Sejak: 10 Januari 2026" in message
    assert f"Bukti: {EVIDENCE_JOIN}" in message
    assert b"Inspektorat Kota Semarang" in box.messages[0]

    for _ in range(2):  # the same night again, and the 6-hourly cycle: nothing more
        again = inspectorate_steps.run_inspectorates(cfg, run_date=night)
        assert again.new_alerts == []
    assert len(hook.posts) == 1
    assert len(box.messages) == 1

    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        rows = con.execute("SELECT rule, channels_sent, channels_failed FROM alerts").fetchall()
    assert rows == [("inspectorate_status", sorted(alerts.channel_id(u)
                                                   for u in channel_urls(hook, smtp_port)), [])]
    for db in (cfg.database_path, cfg.analyst_path):
        assert TOKEN not in every_text(db)
    assert TOKEN not in caplog.text
    assert "/hook/***" in caplog.text or "hook" not in caplog.text


def test_channel_down_gets_the_alert_on_the_next_run_once(
    tmp_path: Path, register_server: Server, hook: Server, smtp: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    box, smtp_port = smtp
    cfg = staff_register_v1(tmp_path, register_server, channel_urls(hook, smtp_port))
    inspectorate_steps.run_inspectorates(cfg)

    register_server.pages["/register.csv"] = ("text/csv", V2)
    hook.stop()  # the webhook sink is down during the run
    down = inspectorate_steps.run_inspectorates(cfg)
    assert len(down.new_alerts) == 1
    assert down.delivery is not None
    assert len(down.delivery.sent) == 1
    assert len(down.delivery.failed) == 1
    assert len(box.messages) == 1  # e-mail went through
    assert TOKEN not in down.delivery.failed[0][2]

    hook.start()
    up = inspectorate_steps.run_inspectorates(cfg)
    assert up.new_alerts == []
    assert len(hook.posts) == 1
    assert len(box.messages) == 1
    inspectorate_steps.run_inspectorates(cfg)
    assert len(hook.posts) == 1
    assert len(box.messages) == 1

    with open_warehouse(cfg.database_path) as con:
        rows = con.execute("SELECT channel, status, attempts FROM ops.alert_deliveries "
                           "ORDER BY channel").fetchall()
    assert sorted((c.split(":")[0], s, a) for c, s, a in rows) == [
        ("json", "sent", 2), ("mailto", "sent", 1)]
    for db in (cfg.database_path, cfg.analyst_path):
        assert TOKEN not in every_text(db)
    assert TOKEN not in caplog.text


def test_invalid_rows_are_rejected_and_change_nothing(
    tmp_path: Path, register_server: Server, hook: Server, smtp: tuple[Mailbox, int],
) -> None:
    box, smtp_port = smtp
    cfg = staff_register_v1(tmp_path, register_server, channel_urls(hook, smtp_port))
    inspectorate_steps.run_inspectorates(cfg)
    bad = V1 + (f"{SEMARANG},,sudah dong,{EVIDENCE_JOIN},2026-01-10,\n"
                f"{SEMARANG},,joined,,2026-01-11,\n").encode()
    register_server.pages["/register.csv"] = ("text/csv", bad)
    summary = inspectorate_steps.run_inspectorates(cfg)
    assert summary.new_alerts == []
    assert f"inspectorates/staff: rejected row: {SEMARANG}: missing evidence_url" \
        in summary.notices
    with open_warehouse(cfg.database_path) as con:
        reasons = sorted(r[0] for r in con.execute(
            "SELECT reason FROM ops.quarantine WHERE source = 'inspectorates'").fetchall())
    assert reasons == [
        f"{SEMARANG}: missing evidence_url",
        f"{SEMARANG}: unknown status 'sudah dong' (expected one of not_joined, joined, unknown)",
    ]
    assert current(cfg)["kota semarang"][:2] == ("not_joined", "2023-08-31")
    assert history(cfg)[0] == ("kota semarang", "staff", "not_joined", "2023-08-31", None)
    assert hook.posts == []
    assert box.messages == []


def test_unwatched_inspectorate_and_english(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(V1)
    sent: list[tuple[str, str, str]] = []

    def sender(url: str, title: str, body: str) -> None:
        sent.append((url, title, body))

    cfg = make_cfg(tmp_path, [{"path": str(path), "name": "staff"}], ["json://127.0.0.1:9/x"],
                   {"language": "en"}, watch=["Kota Semarang"])
    inspectorate_steps.run_inspectorates(cfg, sender=sender)
    path.write_bytes(V2 + f"{JATENG},,joined,{EVIDENCE_JOIN},2026-01-12,\n".encode())
    summary = inspectorate_steps.run_inspectorates(cfg, sender=sender)
    assert summary.new_alerts == ["inspectorate_status|staff|kota semarang|joined|2026-01-10"]
    ((_, title, body),) = sent
    assert title == f"{SEMARANG}: joined LKPP's e-pengaduan PBJ"
    assert 'changed from "not joined" to "joined"' in body
    assert "Since: 10 January 2026" in body


def test_operational_alert_once_per_run(tmp_path: Path, hook: Server) -> None:
    cfg = make_cfg(tmp_path, [], [f"json://127.0.0.1:{hook.port}/hook/{TOKEN}"])
    reason = f"isb/SPSE-TenderPengumuman failed: HTTP 500 from json://x/hook/{TOKEN}"
    for _ in range(2):  # on_failure and on_crashed both firing, or a hook retried
        inspectorate_steps.notify_run_failure(cfg, run_key="nightly:run-1", name="nightly x",
                                              state="Failed", reason=reason)
    assert len(hook.posts) == 1
    assert hook.posts[0][1]["title"] == "Run pantau gagal: nightly x"
    assert TOKEN not in hook.posts[0][1]["message"]
    inspectorate_steps.notify_run_failure(cfg, run_key="nightly:run-2", name="nightly y",
                                          state="Crashed", reason="killed")
    assert len(hook.posts) == 2
    assert TOKEN not in every_text(cfg.database_path)


def test_pantau_run_includes_registers_without_tender_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The full build (every source's core SQL, indicators) is tested elsewhere; here it builds
    # only the register's own views, so this test is about the wiring of run_night.
    monkeypatch.setattr(steps, "build", lambda con, **_: inspectorate_steps.refresh_views(con))
    monkeypatch.setattr(steps, "_totals", lambda _con: {})
    path = tmp_path / "r.csv"
    path.write_bytes(V2)
    cfg = build_config({
        "database": {"path": str(tmp_path / "p.duckdb")}, "run": {"years": [2025]},
        "inspectorates": {"sources": [{"path": str(path), "name": "staff"}]},
    })
    with ThreadPoolExecutor(2) as pool:
        summary = steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),
                                  run_date=date(2026, 1, 10))
    assert summary.ok, summary.failed
    assert [r.dataset for r in summary.landed] == ["register"]
    assert current(cfg)["kota semarang"][0] == "joined"
    assert "alerts raised but no channel configured (secrets file: [alerts] channels)" \
        in summary.notices


# --- rules on flags and metrics (tables other parts build) -------------------------------------


def test_process_and_metric_rules(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, [], alerts_settings={
        "process_min_flags": 2, "process_min_score": 15, "process_new_days": 14,
        "metrics": [{"metric": "single_bid_rate", "above": 0.4}]})
    summary = inspectorate_steps.CycleSummary("r1", date(2026, 1, 10))
    with open_warehouse(cfg.database_path) as con:
        con.execute("DROP TABLE IF EXISTS core.flags")
        con.execute("DROP VIEW IF EXISTS main.metric_history")
        assert inspectorate_steps.alert_rules_step(cfg, con, summary,
                                                   run_date=date(2026, 1, 10)) == []
        assert "alert rule risky_process skipped: no flags table yet" in summary.notices
        assert "alert rule metric_worsened skipped: no metric_history yet" in summary.notices
        con.execute("""
            CREATE OR REPLACE TABLE core.processes AS SELECT * FROM (VALUES
              ('isb', 'tender', 'T1', 'D999', 'Kota Semarang', 'Dinas PU', 'Jalan A', 1e9, 9e8,
               TIMESTAMPTZ '2026-01-05 03:00:00+00'),
              ('isb', 'tender', 'T2', 'D999', 'Kota Semarang', 'Dinas PU', 'Jalan B', 1e9, 9e8,
               TIMESTAMPTZ '2026-01-06 03:00:00+00'),
              ('isb', 'tender', 'T3', 'D001', 'Kota Lain', 'Dinas', 'Jalan C', 1e9, 9e8,
               TIMESTAMPTZ '2026-01-06 03:00:00+00'),
              ('isb', 'tender', 'T4', 'D999', 'Kota Semarang', 'Dinas PU', 'Lama', 1e9, 9e8,
               TIMESTAMPTZ '2025-06-01 03:00:00+00'))
            t(source, kind, source_id, kd_klpd, klpd_name, satker_name, title, pagu, hps,
              announced_at)""")
        con.execute("""
            CREATE TABLE core.flags AS SELECT * FROM (VALUES
              ('isb', 'T1', 'R018', '1', NULL, NULL, 'single bid'),
              ('isb', 'T1', 'ID-C08', '1', NULL, NULL, 'above HPS'),
              ('isb', 'T2', 'PFA', '16', NULL, NULL, 'score'),
              ('isb', 'T2', 'PFA-1', '5', NULL, NULL, 'a score component is not a flag'),
              ('isb', 'T2', 'PFA-2', '5', NULL, NULL, ''),
              ('isb', 'T2', 'R024', '1', 'Buyer', 'B1', 'about the buyer, not the process'),
              ('isb', 'T3', 'R018', '1', NULL, NULL, ''),
              ('isb', 'T3', 'R024', '1', NULL, NULL, ''),
              ('isb', 'T4', 'R018', '1', NULL, NULL, ''),
              ('isb', 'T4', 'R024', '1', NULL, NULL, ''))
            t(source, source_id, code, value, grp, entity_id, description)""")
        con.execute("""
            CREATE OR REPLACE VIEW main.metric_history AS SELECT * FROM (VALUES
              (DATE '2026-01-09', 'D999', NULL, 2025, 'single_bid_rate', 0.35),
              (DATE '2026-01-10', 'D999', NULL, 2025, 'single_bid_rate', 0.45),
              (DATE '2026-01-09', 'D001', NULL, 2025, 'single_bid_rate', 0.1),
              (DATE '2026-01-10', 'D001', NULL, 2025, 'single_bid_rate', 0.9))
            t(snapshot_date, kd_klpd, kd_satker, year, metric, value)""")
        new = inspectorate_steps.alert_rules_step(cfg, con, summary, run_date=date(2026, 1, 10))
        assert sorted(new) == [
            "metric_worsened|single_bid_rate|D999||2025|2026-01-10",
            "risky_process|isb|tender|T1",
            "risky_process|isb|tender|T2",
        ]
        assert inspectorate_steps.alert_rules_step(cfg, con, summary,
                                                   run_date=date(2026, 1, 10)) == []
        msg = con.execute("SELECT message FROM ops.alert_outbox "
                          "WHERE key = 'risky_process|isb|tender|T2'").fetchone()[0]
    assert "skor risiko PFA = 16 (batas 15)" in msg
    assert "Pagu Rp1.000.000.000" in msg


# --- the one flow-level test: Prefect's on_failure hook ----------------------------------------


@pytest.mark.prefect
def test_failed_flow_notifies_the_channels_once(tmp_path: Path, hook: Server) -> None:
    """The inspectorates flow, run by Prefect, fails on an unreachable register: its on_failure
    hook sends one run-failure message to the channel, and no token leaks into the output."""
    config = tmp_path / "pantau.toml"
    config.write_text(
        "[database]\n"
        f'path = "{tmp_path / "p.duckdb"}"\n'
        "[run]\nyears = [2025]\n"
        "[http]\nmax_attempts = 1\ntimeout_seconds = 5\nmin_interval_seconds = 0\n"
        "[inspectorates]\n"
        f'sources = [{{url = "http://127.0.0.1:{free_port()}/gone.csv", name = "gone"}}]\n',
        encoding="utf-8")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[alerts]\nchannels = ["json://127.0.0.1:{hook.port}/hook/{TOKEN}"]\n',
                       encoding="utf-8")
    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PANTAU_SECRETS": str(secrets)}
    code = f"from flows.inspectorates import inspectorates as f; f(config_path={str(config)!r})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode != 0
    assert "RunFailedError" in result.stderr
    assert len(hook.posts) == 1, result.stderr[-3000:]
    payload = hook.posts[0][1]
    assert payload["title"].startswith("Run pantau gagal: inspectorates ")
    assert "inspectorates/gone" in payload["message"]
    assert TOKEN not in result.stdout + result.stderr


# --- views are documented; the CLI ---------------------------------------------------------------


def test_every_view_column_is_documented(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        inspectorate_steps.refresh_views(con)
        for path in inspectorate_steps.VIEW_SQL:
            doc = parse_header(path)
            assert doc is not None
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
                "AND table_name = $n ORDER BY ordinal_position", {"n": doc.name}).fetchall()]
            assert columns == list(doc.columns), doc.name
            comment = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = $n",
                                  {"n": doc.name}).fetchone()
            assert comment == (doc.description,)


def test_cli_inspectorates_and_alerts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    hook: Server,
) -> None:
    register_file = tmp_path / "r.csv"
    register_file.write_bytes(V1)
    config = tmp_path / "pantau.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "p.duckdb"}"\n[run]\nyears = [2025]\n'
        f'[inspectorates]\nsources = [{{path = "{register_file}", name = "staff"}}]\n',
        encoding="utf-8")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[alerts]\nchannels = ["json://127.0.0.1:{hook.port}/hook/{TOKEN}"]\n',
                       encoding="utf-8")
    monkeypatch.setenv("PANTAU_SECRETS", str(secrets))
    assert main(["--config", str(config), "inspectorates", "--check"]) == 0
    register_file.write_bytes(V2)
    hook.stop()
    assert main(["--config", str(config), "inspectorates", "--check", "Kota Semarang"]) == 0
    out = capsys.readouterr().out
    assert f"{SEMARANG}: joined since 2026-01-10 (checked 2026-01-10, staff)" in out
    assert "not_joined\t2023-08-31 .. 2026-01-10" in out
    assert JATENG not in out.split("Current status")[-1]

    assert main(["--config", str(config), "alerts", "--pending"]) == 0
    out = capsys.readouterr().out
    channel = alerts.channel_id(f"json://127.0.0.1:{hook.port}/hook/{TOKEN}")
    assert f"pending {channel}" in out
    assert f"{SEMARANG}: sudah bergabung" in out

    hook.start()
    assert main(["--config", str(config), "alerts", "test"]) == 0
    assert capsys.readouterr().out.strip() == f"{channel}\tok"
    assert hook.posts[-1][1]["title"] == "Pesan uji pantau"
    assert main(["--config", str(config), "inspectorates", "--check"]) == 0  # delivers it
    assert main(["--config", str(config), "alerts", "--pending"]) == 0
    assert capsys.readouterr().out.strip().endswith("(no pending alerts)")
    assert main(["--config", str(config), "alerts"]) == 0
    out = capsys.readouterr().out
    assert f"sent to {channel}" in out
    assert TOKEN not in out
