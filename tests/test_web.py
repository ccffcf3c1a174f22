"""`pantau serve` (issue 17): routes, security and the cases store, through Starlette's
TestClient on the real Kab. Bandung analyst copy."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape
from pantau.flows import inspectorate_steps, steps
from pantau.flows.config import build_config
from pantau.flows.inspectorate_steps import CycleSummary
from pantau.models import cases, catalogue
from pantau.models.db import open_warehouse
from pantau.models.publish import publish
from pipeline_helpers import make_config
from starlette.testclient import TestClient
from test_workbench import REFUSED

from pantau.analyst import followup, report
from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import RegionRef
from pantau.cli import main
from pantau.simulator.server import Simulator
from pantau.web import app as web_app
from pantau.web import users
from pantau.web.app import create_app


def web_config(analyst: Path, tmp: Path, **web: object):
    return build_config({
        "database": {"path": str(tmp / "w.duckdb"), "analyst_path": str(analyst)},
        "run": {"years": [2025]},
        "regions": [{"name": "Kabupaten Bandung", "kd_klpd": "D107", "spse_slug": "bandungkab"}],
        "web": {"cases_path": str(tmp / "cases.sqlite"), "users_file": str(tmp / "users.txt"),
                **web},
    })


@pytest.fixture
def client(bandung_analyst, tmp_path) -> TestClient:
    return TestClient(create_app(web_config(bandung_analyst, tmp_path)))


def csrf(client: TestClient, url: str = "/cases") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert m, "no csrf_token on the page"
    return m.group(1)


def analyst_rows(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with connect_analyst(path) as con:  # the app's own settings: DuckDB wants one per file
        return con.execute(sql, params or {}).fetchall()


PAGES = ("/", "/tenders", "/tenders?q=jalan&sort=hps&dir=asc", "/sql",
         "/sql?question=single_bid_by_satker", "/cases", "/agency/D107", "/static/pantau.css")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_with_the_security_headers(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script" not in csp  # no script source is allowed at all
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http on loopback
    if url != "/static/pantau.css":
        assert "<script" not in r.text
        assert "https://" not in re.sub(r'href="https://[^"]*"', "", r.text)  # no CDN


def test_search_by_title_satker_supplier_npwp_and_code(client, bandung_analyst):
    (kind, source_id, title, satker, npwp, supplier), = analyst_rows(
        bandung_analyst, "SELECT kind, source_id, title, satker_name, supplier_npwp, "
        "supplier_name FROM tenders WHERE supplier_npwp IS NOT NULL AND kind = 'tender' "
        "ORDER BY source_id LIMIT 1")
    word = max(title.split(), key=len)
    expected = analyst_rows(bandung_analyst, "SELECT count(*) FROM tenders WHERE "
                            "contains(lower(title), lower($w)) OR contains(lower(satker_name), "
                            "lower($w)) OR contains(lower(supplier_name), lower($w)) "
                            "OR source_id = $w OR contains(kd_rup, $w)", {"w": word})[0][0]
    r = client.get("/tenders", params={"q": word})
    assert re.search(rf"<span id=\"total\">{expected:,} paket".replace(",", "."), r.text)
    by_code = client.get("/tenders", params={"q": source_id}).text
    assert f"/process/isb/{kind}/{source_id}" in by_code
    by_npwp = client.get("/tenders", params={"q": npwp, "kind": "tender"}).text
    won = analyst_rows(bandung_analyst, "SELECT count(*) FROM tenders WHERE supplier_npwp = $n "
                       "AND kind = 'tender'", {"n": npwp})[0][0]
    assert f'<span id="total">{won} paket' in by_npwp
    assert satker.split()[0] in client.get("/tenders", params={"q": satker}).text
    assert supplier.split()[0] in by_npwp


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_is_exactly_the_rows_shown(client, bandung_analyst, fmt):
    query = {"kind": "tender", "sort": "hps", "dir": "desc", "page": "2"}
    shown = re.findall(r'href="/process/isb/tender/([^"]+)"',
                       client.get("/tenders", params=query).text)
    expected = [r[0] for r in analyst_rows(
        bandung_analyst, "SELECT source_id FROM tenders WHERE kind = 'tender' "
        "ORDER BY hps DESC NULLS LAST, source_id LIMIT 50 OFFSET 50")]
    assert shown == expected
    r = client.get(f"/tenders/download/{fmt}", params=query)
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "csv":
        ids = [row["source_id"] for row in csv.DictReader(io.StringIO(r.text))]
    else:
        import openpyxl  # noqa: PLC0415

        ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
        cells = list(ws.iter_rows(values_only=True))
        col = cells[1].index("source_id")  # row 1: readable headers, row 2: column names
        assert cells[0][col].startswith("The source's package code")  # from the view's header
        ids = [str(row[col]) for row in cells[2:]]
    assert ids == expected


def test_a_download_reaches_no_path_from_the_request(client):
    assert client.get("/tenders/download/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/tenders/download/parquet").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_process_page_every_field_bids_flags_with_definition_and_basis(client, bandung_analyst):
    (source_id, code), = analyst_rows(
        bandung_analyst, "SELECT f.source_id, min(f.code) FROM flags f JOIN bids b "
        "ON b.source = f.source AND b.source_id = f.source_id JOIN tenders t ON t.source = "
        "f.source AND t.kind = f.kind AND t.source_id = f.source_id WHERE f.kind = 'tender' "
        "AND t.kd_klpd = 'D107' "
        "AND f.code = 'PFA-1' GROUP BY ALL ORDER BY 1 LIMIT 1")
    r = client.get(f"/process/isb/tender/{source_id}")
    assert r.status_code == 200
    row = analyst_rows(bandung_analyst, "SELECT * FROM tenders WHERE kind = 'tender' "
                       "AND source_id = $s", {"s": source_id})
    with connect_analyst(bandung_analyst) as con:
        columns = [d[0] for d in con.execute("SELECT * FROM tenders LIMIT 0").description]
    for column in columns:
        assert f"<th>{column}</th>" in r.text
    assert len(row) == 1
    bidders = analyst_rows(bandung_analyst, "SELECT supplier_npwp FROM bids WHERE source = "
                           "'isb' AND source_id = $s AND supplier_npwp IS NOT NULL",
                           {"s": source_id})
    for (npwp,) in bidders:
        assert f'href="/supplier/{npwp}"' in r.text
    doc = catalogue.load().get(code)  # PFA-1 has its own entry in the PFA block
    assert f"<strong>{code}</strong>" in r.text
    assert escape(doc.basis) in r.text
    for (other,) in analyst_rows(bandung_analyst, "SELECT code FROM flags WHERE kind = 'tender' "
                                 "AND source_id = $s AND code LIKE 'R%'", {"s": source_id}):
        assert escape(catalogue.load().get(other).basis) in r.text  # Cardinal's, same catalogue
    assert f"https://spse.inaproc.id/bandungkab/lelang/{source_id}/pengumumanlelang" in r.text
    assert "/cases?subject_kind=process" in r.text


def test_process_page_explains_a_cardinal_flag_from_the_catalogue(client, bandung_analyst):
    (source_id, code, description), = analyst_rows(
        bandung_analyst, "SELECT source_id, code, description FROM flags WHERE kind = 'tender' "
        "AND source = 'isb' AND code LIKE 'R%' ORDER BY code, source_id LIMIT 1")
    doc = catalogue.load().get(code)
    assert doc.definition
    assert doc.definition != description
    text = client.get(f"/process/isb/tender/{source_id}").text
    row = text.split(f"<strong>{code}</strong>", 1)[1].split("</tr>", 1)[0]
    assert escape(doc.title) in row
    assert escape(doc.definition) in row
    assert escape(doc.basis) in row


def test_home_shows_the_watched_region_scorecard_and_cases(client, bandung_analyst, tmp_path):
    metrics = analyst_rows(bandung_analyst, "SELECT metric, CAST(value AS DOUBLE) FROM "
                           "agency_metrics WHERE kd_klpd = 'D107' AND kd_satker IS NULL "
                           "AND year = 2025")
    cases.open_case(tmp_path / "cases.sqlite", title="lama", why="", subject=cases.Subject(),
                    by="ani", deadline=date(2020, 1, 1))
    text = client.get("/").text
    card = text.split('<section class="card">')[1].split("</section>")[0]
    assert "Kabupaten Bandung" in card
    positions = []
    for metric, value in metrics:
        label = report.metric_label(metric, "id")
        shown = report.fmt_metric(metric, value, "id")
        row = re.search(rf"<tr><td>{re.escape(str(escape(label)))}</td>\s*"
                        rf'<td class="num">{re.escape(shown)}</td>', card)
        assert row, (metric, shown)
        positions.append((row.start(), list(report.METRICS).index(metric)))
    assert [m for _, m in sorted(positions)] == sorted(m for _, m in positions)  # report order
    assert "1 lewat tenggat" in text


def test_supplier_and_agency_pages(client, bandung_analyst):
    (npwp, n_won), = analyst_rows(bandung_analyst, "SELECT supplier_npwp, count(*) FROM tenders "
                                  "WHERE supplier_npwp IS NOT NULL GROUP BY ALL "
                                  "ORDER BY 2 DESC, 1 LIMIT 1")
    r = client.get(f"/supplier/{npwp}")
    assert r.status_code == 200
    won_section = r.text.split("<h2>")[1]
    assert won_section.count('<a href="/process/') == n_won
    assert client.get("/supplier/not-an-npwp").status_code == 404
    r = client.get("/agency/D107")
    (single,), = analyst_rows(bandung_analyst, "SELECT value FROM agency_metrics WHERE "
                              "kd_klpd = 'D107' AND kd_satker IS NULL AND year = 2025 "
                              "AND metric = 'single_bid_rate'")
    assert f"{100 * float(single):.1f}%".replace(".", ",") in r.text
    (satker,), = analyst_rows(bandung_analyst, "SELECT kd_satker FROM agency_metrics WHERE "
                              "kd_klpd = 'D107' AND kd_satker IS NOT NULL LIMIT 1")
    assert client.get("/agency/D107", params={"satker": satker}).status_code == 200


def test_the_session_cookie_is_secure_over_tls(bandung_analyst, tmp_path):
    c = TestClient(create_app(web_config(bandung_analyst, tmp_path)),
                   base_url="https://testserver")
    assert "secure" in c.get("/cases").headers["set-cookie"].lower()


def test_english_by_query_then_cookie(client):
    assert "Cari paket" in client.get("/tenders").text
    assert ">Search<" in client.get("/tenders?lang=en").text
    assert ">Search<" in client.get("/tenders").text  # the cookie keeps it


# ------------------------------------------------------------------------------------ SQL


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_sql_page_refuses_every_write_and_escape(client, statement, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = client.post("/sql", data={"query": statement, "csrf_token": csrf(client, "/sql")})
    assert r.status_code == 400
    error = re.search(r'<p class="error" id="sql-error">([^<]*)</p>', r.text)
    assert error, r.text[:300]
    assert error.group(1).startswith("refused"), error.group(1)
    assert "read-only" in error.group(1)
    assert list(tmp_path.iterdir()) == []


def test_sql_result_capped_on_screen_download_has_every_row(bandung_analyst, tmp_path):
    c = TestClient(create_app(web_config(bandung_analyst, tmp_path, max_rows_shown=25)))
    (n,), = analyst_rows(bandung_analyst, "SELECT count(*) FROM tenders")
    token = csrf(c, "/sql")
    query = "SELECT source_id, title FROM tenders ORDER BY source_id"
    r = c.post("/sql", data={"query": query, "csrf_token": token})
    assert r.status_code == 200
    assert r.text.split('class="result"')[1].count("<tr>") == 25 + 1  # the header row too
    r = c.post("/sql", data={"query": query, "csrf_token": token, "download": "csv"})
    assert len(list(csv.DictReader(io.StringIO(r.text)))) == n
    r = c.post("/sql", data={"query": query, "csrf_token": token, "download": "parquet"})
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert pq.read_table(io.BytesIO(r.content)).num_rows == n


def test_a_query_past_its_time_limit_is_interrupted(bandung_analyst, tmp_path):
    c = TestClient(create_app(web_config(bandung_analyst, tmp_path, query_timeout_seconds=1)))
    token = csrf(c, "/sql")
    started = time.monotonic()
    r = c.post("/sql", data={"csrf_token": token, "query":
                             "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"})
    took = time.monotonic() - started
    assert r.status_code == 400
    assert "stopped after 1 s, its time limit ([web] query_timeout_seconds)" in r.text
    assert took < 15
    r = c.post("/sql", data={"csrf_token": token, "query": "SELECT 41 + 1 AS answer"})
    assert r.status_code == 200
    assert "<td>42</td>" in r.text  # the connection still works


# ---------------------------------------------------------------------------- CSRF, users


POSTS = ("/sql", "/cases", "/cases/1/actions", "/cases/1/deadline", "/cases/1/close",
         "/logout", "/login")


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_the_csrf_token_is_refused(client, url):
    client.get("/cases")  # a session exists, its token is not sent
    assert client.post(url, data={"query": "SELECT 1", "title": "x"}).status_code == 403
    assert client.post(url, data={"title": "x", "csrf_token": "forged"}).status_code == 403
    assert cases.list_cases(client.app.state.web.settings.cases_path) == []


def test_with_users_every_page_needs_a_login(bandung_analyst, tmp_path, monkeypatch):
    cfg = web_config(bandung_analyst, tmp_path)
    users.add(tmp_path / "users.txt", "siti", "correct horse battery")
    assert (tmp_path / "users.txt").read_text().startswith("siti:$argon2id$")
    monkeypatch.setattr(web_app, "LOGIN_BASE_DELAY", 0.3)
    c = TestClient(create_app(cfg), follow_redirects=False)
    for url in (*PAGES[:-1], "/process/isb/tender/1", "/supplier/1", "/tenders/download/csv"):
        r = c.get(url)
        assert r.status_code == 303, url
        assert r.headers["location"].startswith("/login")
    for url in POSTS[:-1]:
        assert c.post(url, data={"csrf_token": csrf(c, "/login")}).status_code == 403
    token = csrf(c, "/login")
    timings = []
    for _ in range(3):
        started = time.monotonic()
        r = c.post("/login", data={"csrf_token": token, "user": "siti", "password": "wrong"})
        timings.append(time.monotonic() - started)
        assert r.status_code == 401
    assert timings[1] >= 0.3  # slowed after the first failure, doubling
    assert timings[2] >= 0.6
    started = time.monotonic()  # another name from the same client is slowed as well
    c.post("/login", data={"csrf_token": token, "user": "budi", "password": "wrong"})
    assert time.monotonic() - started >= 1.2
    r = c.post("/login?next=/cases", data={"csrf_token": token, "user": "siti",
                                           "password": "correct horse battery"})
    assert r.status_code == 303
    assert r.headers["location"] == "/cases"
    page = c.get("/cases")
    assert page.status_code == 200
    assert '<span class="who">siti</span>' in page.text
    r = c.post("/cases", data={"csrf_token": csrf(c), "title": "by siti"})
    case_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert cases.get_case(tmp_path / "cases.sqlite", case_id)[0]["opened_by"] == "siti"
    assert c.post("/logout", data={"csrf_token": csrf(c)}).status_code == 303
    assert c.get("/cases").status_code == 303


def test_an_idle_session_expires(bandung_analyst, tmp_path, monkeypatch):
    users.add(tmp_path / "users.txt", "siti", "correct horse battery")
    c = TestClient(create_app(web_config(bandung_analyst, tmp_path, session_idle_minutes=1)),
                   follow_redirects=False)
    c.post("/login", data={"csrf_token": csrf(c, "/login"), "user": "siti",
                           "password": "correct horse battery"})
    assert c.get("/cases").status_code == 200
    now = time.time()
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: now + 61)
    assert c.get("/cases").status_code == 303


def test_a_script_bearing_title_shows_as_text(bandung_analyst, tmp_path):
    analyst = tmp_path / "evil.duckdb"
    shutil.copyfile(bandung_analyst, analyst)
    evil = "<script>alert('x')</script>"
    with duckdb.connect(str(analyst)) as con:
        (source_id,), = con.execute("SELECT source_id FROM core.processes WHERE kind = 'tender' "
                                    "ORDER BY source_id LIMIT 1").fetchall()
        con.execute("UPDATE core.processes SET title = $t, satker_name = $t "
                    "WHERE source_id = $s AND kind = 'tender'", {"t": evil, "s": source_id})
    c = TestClient(create_app(web_config(analyst, tmp_path)))
    escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
    for url in (f"/tenders?q={source_id}", f"/process/isb/tender/{source_id}"):
        r = c.get(url)
        assert "<script" not in r.text
        assert escaped in r.text
    r = c.post("/cases", data={"csrf_token": csrf(c), "title": evil, "why": evil},
               follow_redirects=True)
    assert "<script" not in r.text
    assert escaped in r.text
    r = c.post(r.url.path + "/actions", data={"csrf_token": csrf(c), "kind": "evidence",
                                              "url": "javascript:alert(1)"})
    assert r.status_code == 400  # an evidence link is http(s) only


# ---------------------------------------------------------------------------------- cases


def test_a_case_from_opening_to_closing_records_who_did_what(client, tmp_path):
    token = csrf(client)
    r = client.post("/cases", data={
        "csrf_token": token, "title": "Tender jalan satu penawar", "why": "R003 dan ID-C02",
        "subject_kind": "process", "subject": "10000000", "process_source": "isb",
        "process_kind": "tender", "kd_klpd": "D107", "deadline": "2025-12-31"},
        follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    for form in ({"kind": "complaint", "channel": "e-pengaduan", "happened_on": "2025-11-03",
                  "note": "aduan dikirim"},
                 {"kind": "evidence", "url": "https://example.org/bukti.pdf"},
                 {"kind": "reply", "happened_on": "2025-11-20", "note": "jawaban APIP"}):
        assert client.post(url + "/actions", data={"csrf_token": token, **form}).status_code == 200
    client.post(url + "/deadline", data={"csrf_token": token, "deadline": "2026-01-31"})
    assert client.post(url + "/close", data={"csrf_token": token, "outcome": "nonsense"}
                       ).status_code == 400
    client.post(url + "/close", data={"csrf_token": token, "outcome": "partly_fixed"})
    case, actions = cases.get_case(tmp_path / "cases.sqlite", int(url.rsplit("/", 1)[1]))
    assert case["status"] == "closed"
    assert case["outcome"] == "partly_fixed"
    assert case["deadline"] == "2026-01-31"
    assert [a["kind"] for a in actions][:3] == ["complaint", "reply", "evidence"] or \
        sorted(a["kind"] for a in actions) == ["complaint", "evidence", "note", "note", "reply"]
    local = client.app.state.web.local_user
    assert {a["done_by"] for a in actions} == {local}
    page = client.get(url).text
    assert "sebagian diperbaiki" in page
    assert "https://example.org/bukti.pdf" in page
    assert client.get("/cases/999").status_code == 404


def test_publish_writes_the_cases_into_the_analyst_copy(bandung_analyst, tmp_path):
    store = tmp_path / "cases.sqlite"
    first = cases.open_case(store, title="Satu", why="", subject=cases.Subject("practice",
                            "pemecahan paket"), by="ani", deadline=date(2025, 1, 31))
    cases.add_action(store, first, kind="complaint", by="budi", happened_on=date(2025, 1, 2),
                     channel="lapor_awp", note="dikirim")
    cases.close_case(store, first, "dismissed", by="ani")
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(bandung_analyst, warehouse)
    analyst = publish(warehouse, tmp_path / "a.duckdb", cases=store)
    with connect_analyst(analyst) as con:
        got = con.execute("SELECT case_id, title, subject_kind, subject, deadline, status, "
                          "outcome, opened_by FROM cases").fetchall()
        acts = con.execute("SELECT kind, channel, happened_on, done_by FROM case_actions "
                           "ORDER BY action_id").fetchall()
        comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'cases'"
                              ).fetchall()[0][0]
    with sqlite3.connect(store) as raw:
        expected = raw.execute("SELECT case_id, title, subject_kind, subject, deadline, status, "
                               "outcome, opened_by FROM cases").fetchall()
    assert [(*r[:4], r[4].isoformat(), *r[5:]) for r in got] == expected
    assert acts[0] == ("complaint", "lapor_awp", date(2025, 1, 2), "budi")
    assert acts[-1][0] == "note"  # the closing, by ani
    assert comment == cases.DESCRIPTIONS["cases"]
    # no store yet: the tables are there, empty, so saved SQL on them still runs
    empty = publish(warehouse, tmp_path / "b.duckdb", cases=tmp_path / "none.sqlite")
    assert analyst_rows(empty, "SELECT count(*) FROM case_actions") == [(0,)]


def test_an_overdue_deadline_raises_case_overdue_once(bandung_analyst, tmp_path):
    store = tmp_path / "cases.sqlite"
    today = date(2025, 12, 1)
    late = cases.open_case(store, title="Lewat", why="", subject=cases.Subject(), by="ani",
                           deadline=today - timedelta(days=1))
    cases.open_case(store, title="Belum", why="", subject=cases.Subject(), by="ani",
                    deadline=today + timedelta(days=1))
    closed = cases.open_case(store, title="Tutup", why="", subject=cases.Subject(), by="ani",
                             deadline=today - timedelta(days=5))
    cases.close_case(store, closed, "fixed", by="ani")
    found = cases.overdue_alerts(store, today, "id")
    assert [a.facts["case_id"] for a in found] == [late]
    assert found[0].rule == "case_overdue"
    assert "30 November 2025" in found[0].message
    # through the nightly rules, as a run raises them: the first run raises it, the next not
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(bandung_analyst.parent / "w.duckdb", warehouse)
    cfg = web_config(bandung_analyst, tmp_path)
    raised = []
    with open_warehouse(warehouse) as con:
        for night, day in (("n1", today), ("n2", today + timedelta(days=1))):
            summary = CycleSummary(run_id=night, run_date=day)
            keys = inspectorate_steps.raise_alerts(cfg, con, summary, run_date=day)
            raised.append([k for k in keys if k.startswith("case_overdue|")])
        rows = con.execute("SELECT key, title FROM ops.alert_outbox "
                           "WHERE rule = 'case_overdue'").fetchall()
    assert raised == [[found[0].key], []]
    assert rows == [(found[0].key, "Tindak lanjut lewat tenggat: Lewat")]


def test_the_region_report_has_a_follow_up_section(bandung_analyst, tmp_path):
    store = tmp_path / "cases.sqlite"
    evil = "<script>alert('c')</script>"
    late = cases.open_case(store, title=evil, why="", by="ani", deadline=date(2025, 1, 31),
                           subject=cases.Subject("process", "10070352000", "isb", "tender",
                                                 "D107"))
    cases.add_action(store, late, kind="complaint", by="ani", happened_on=date(2025, 1, 5))
    done = cases.open_case(store, title="Satker", why="", by="ani",
                           subject=cases.Subject("agency", "1.02.0.00", kd_klpd="D107"))
    cases.close_case(store, done, "fixed", by="ani")
    cases.open_case(store, title="Elsewhere", why="", by="ani",
                    subject=cases.Subject("agency", "D999", kd_klpd="D999"))
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(bandung_analyst, warehouse)
    analyst = publish(warehouse, tmp_path / "a.duckdb", cases=store)
    today = datetime.now(followup.JAKARTA).date() + timedelta(days=10)
    with connect_analyst(analyst) as con:
        html = report.render(report.collect(con, RegionRef("D107", "Kab. Bandung",
                                                                  "bandungkab"), 2025, "id"))
        section = str(followup.section(con, "D107", "en", today=today))
    assert '<section id="followup">' in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;" in html
    assert "Elsewhere" not in html
    open_rows = section.split("<h3>Outcomes per agency</h3>", maxsplit=1)[0]
    assert open_rows.count("<tr><td>#") == 1  # only the open case of D107
    assert '<td class="num">10</td>' in open_rows  # opened today, read ten days on
    assert "<strong>overdue</strong>" in open_rows
    assert re.search(r"<td>1\.02\.0\.00</td><td class=\"num\">0</td>\s*"
                     r"<td class=\"num\">1</td>", section)  # closed as fixed
    with connect_analyst(bandung_analyst) as con:  # no cases published: no section
        assert followup.section(con, "D107", "id") is None


def test_a_case_opened_while_a_night_lands_is_in_cases_after_its_publish(bandung_dir,
                                                                          tmp_path):
    """The night holds the warehouse while it lands; a case opened meanwhile is not blocked and
    is in the analyst copy once that night has published."""
    opened: list[int] = []
    with Simulator(replay=bandung_dir) as sim, ThreadPoolExecutor(max_workers=4) as pool:
        cfg = make_config(tmp_path, sim.url, [{"name": "Kab. Bandung", "kd_klpd": "D107",
                                               "kd_lpse": 93}],
                          extra={"web": {"cases_path": str(tmp_path / "cases.sqlite")}})
        client = TestClient(create_app(cfg), follow_redirects=False)

        def submit(group, cfg):
            if not opened:  # the night has planned its fetches and holds the warehouse
                r = client.post("/cases", data={"csrf_token": csrf(client),
                                                "title": "dibuka saat malam berjalan"})
                assert r.status_code == 303
                opened.append(int(r.headers["location"].rsplit("/", 1)[1]))
            return pool.submit(steps.extract_group, group, cfg)

        steps.run_night(cfg, submit, run_date=date(2025, 10, 4))
    assert analyst_rows(cfg.analyst_path, "SELECT case_id, title, status FROM cases") == [
        (opened[0], "dibuka saat malam berjalan", "open")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(config: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "pantau.cli", "--config", str(config),
                             "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode() if proc.stdout else "exited")
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("pantau serve did not start")


def write_toml(tmp: Path, analyst: Path) -> Path:
    path = tmp / "pantau.toml"
    path.write_text(
        f'[database]\npath = "{tmp / "w.duckdb"}"\nanalyst_path = "{analyst}"\n'
        "[run]\nyears = [2025]\n"
        '[[regions]]\nname = "Kabupaten Bandung"\nkd_klpd = "D107"\nspse_slug = "bandungkab"\n'
        f'[web]\ncases_path = "cases.sqlite"\nusers_file = "users.txt"\n', encoding="utf-8")
    return path


def test_kill_9_right_after_an_acknowledged_case_loses_nothing(bandung_analyst, tmp_path):
    import httpx  # noqa: PLC0415

    port = _free_port()
    proc = serve(write_toml(tmp_path, bandung_analyst), port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            token = re.search(r'name="csrf_token" value="([^"]+)"',
                              http.get("/cases").text).group(1)
            acknowledged = []
            for n in range(5):
                r = http.post("/cases", data={"csrf_token": token, "title": f"kasus {n}"})
                assert r.status_code == 303
                acknowledged.append(int(r.headers["location"].rsplit("/", 1)[1]))
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    kept = cases.list_cases(tmp_path / "cases.sqlite")
    assert sorted(c["case_id"] for c in kept) == sorted(acknowledged)
    assert {c["title"] for c in kept} == {f"kasus {n}" for n in range(5)}


def test_refuses_a_non_loopback_address_without_users(bandung_analyst, tmp_path, capsys):
    config = write_toml(tmp_path, bandung_analyst)
    assert main(["--config", str(config), "serve", "--host", "0.0.0.0"]) == 1  # noqa: S104
    assert "refusing to serve 0.0.0.0 without users" in capsys.readouterr().err


def test_users_add_reads_the_password_from_stdin(bandung_analyst, tmp_path, monkeypatch, capsys):
    config = write_toml(tmp_path, bandung_analyst)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-enough\n"))
    assert main(["--config", str(config), "users", "add", "ani"]) == 0
    stored = users.load(tmp_path / "users.txt")
    assert users.verify(stored, "ani", "s3cret-enough")
    assert not users.verify(stored, "ani", "s3cret-enougH")
    assert not users.verify(stored, "nobody", "s3cret-enough")
    assert "s3cret" not in (tmp_path / "users.txt").read_text()
    assert oct((tmp_path / "users.txt").stat().st_mode)[-3:] == "600"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["--config", str(config), "users", "add", "budi"]) == 1
    assert "at least 8" in capsys.readouterr().err
