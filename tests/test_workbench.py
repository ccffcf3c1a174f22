"""The analyst workbench (issue 7): `pantau sql`, saved questions, `pantau export`,
`pantau report` and the data dictionary, on the real Kab. Bandung 2025 captures."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.parquet as pq
import pytest
from conftest import BANDUNG, load_bandung
from pantau.connectors import inspectorates, isb
from pantau.connectors.base import Provenance
from pantau.flows.config import load_config
from pantau.models.catalogue import QUERIES_DIR, saved_questions
from pantau.models.db import open_warehouse
from pantau.models.loader import land
from pantau.models.publish import publish
from pantau.models.transform import build

from pantau.analyst import report
from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import RegionRef, resolve_region
from pantau.analyst.views import data_dictionary, views_from_db, views_from_sql
from pantau.cli import main

REPO = Path(__file__).resolve().parents[1]


def write_config(path: Path, warehouse: Path, analyst: Path) -> Path:
    path.write_text(
        f'[database]\npath = "{warehouse}"\nanalyst_path = "{analyst}"\n'
        "[run]\nyears = [2025]\n"
        '[[regions]]\nname = "Kabupaten Bandung"\nkd_klpd = "D107"\nspse_slug = "bandungkab"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, bandung_analyst: Path) -> str:
    out = tmp_path_factory.mktemp("workbench")
    return str(write_config(out / "pantau.toml", bandung_analyst.parent / "w.duckdb",
                            bandung_analyst))


def pantau(config: str, *args: str) -> int:
    return main(["--config", config, *args])


# ------------------------------------------------------------------------- sql: read-only


def test_select_works_and_the_settings_are_locked(config, capsys):
    assert pantau(config, "sql", "SELECT count(*) AS n FROM tenders", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] > 3000
    assert pantau(config, "sql", "SELECT current_setting('enable_external_access') AS ext, "
                  "current_setting('lock_configuration') AS locked, "
                  "current_setting('access_mode') AS mode", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [
        {"ext": False, "locked": True, "mode": "read_only"}]


REFUSED = {
    "write: create table": "CREATE TABLE x (a INTEGER)",
    "write: create view": "CREATE VIEW v AS SELECT 1",
    "write: insert": "INSERT INTO core.processes SELECT * FROM core.processes LIMIT 1",
    "write: update": "UPDATE core.processes SET title = 'x'",
    "write: delete": "DELETE FROM core.processes",
    "write: drop": "DROP VIEW tenders",
    "attach file": "ATTACH 'pantau-refused-attach.duckdb' AS other",
    "attach memory": "ATTACH ':memory:' AS other",
    "copy to": "COPY (SELECT 1) TO 'pantau-refused-copy.csv'",
    "export database": "EXPORT DATABASE 'pantau-refused-export'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set": "SET threads = 1",
    "set external access back on": "SET enable_external_access = true",
    "reset": "RESET lock_configuration",
    "pragma": "PRAGMA enable_profiling",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "read_blob": "SELECT * FROM read_blob('/etc/hostname')",
    "read_json": "SELECT * FROM read_json('/etc/os-release')",
    "read_parquet": "SELECT * FROM read_parquet('pantau-refused.parquet')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "a write hidden after a select": "SELECT 1; DELETE FROM core.processes",
}


@pytest.mark.parametrize("statement", REFUSED.values(), ids=REFUSED.keys())
def test_refused(config, capsys, statement):
    assert pantau(config, "sql", statement) == 1
    err = capsys.readouterr().err
    assert err.startswith("pantau: refused"), err
    assert "read-only" in err
    assert len(err.strip().splitlines()) == 1
    for name in ("pantau-refused-copy.csv", "pantau-refused-attach.duckdb",
                 "pantau-refused-export"):
        assert not Path(name).exists()


def test_temp_tables_and_variables_are_allowed(config, capsys):
    assert pantau(config, "sql", "CREATE TEMP TABLE t AS SELECT 2 AS a; SELECT a FROM t",
                  "--format", "csv") == 0
    assert capsys.readouterr().out.split() == ["a", "2"]


def test_a_plain_error_is_not_called_a_refusal(config, capsys):
    assert pantau(config, "sql", "SELECT no_such_column FROM tenders") == 1
    assert capsys.readouterr().err.startswith("pantau: query failed:")


def test_sql_file_and_out_formats(config, tmp_path, capsys):
    q = tmp_path / "q.sql"
    q.write_text("-- a question\nSELECT kind, count(*) AS n FROM tenders GROUP BY kind "
                 "ORDER BY kind;\n", encoding="utf-8")
    for fmt in ("csv", "json", "parquet", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        assert pantau(config, "sql", "-f", str(q), "--out", str(out)) == 0
        assert out.stat().st_size > 0
    assert len(pq.read_table(tmp_path / "r.parquet")) == 5
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))) == 5
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["hasil"].max_row == 2 + 5
    capsys.readouterr()


# ----------------------------------------------------------- concurrency with the nightly run


def _land(db: Path, datasets: set[str] | None, run_id: str) -> None:
    with open_warehouse(db) as con:
        for ds in isb.KEYED_DATASETS:
            path = BANDUNG / f"{ds.name}.json"
            if path.exists() and (datasets is None or ds.name in datasets):
                prov = Provenance("isb", f"file://{path.name}", datetime.now(UTC))
                land(con, isb.to_batch(ds, path.read_bytes(), prov, region="D107", year=2025),
                     run_id)
        build(con)


def _read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """Read the interactive session's output until a line holding ``marker``."""
    seen = ""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536).decode()
            if not chunk:
                break
            seen += chunk
            for line in seen.splitlines():
                if marker in line:
                    return line
    raise AssertionError(f"no {marker!r} in the session output:\n{seen}")


def test_an_open_analyst_session_survives_a_nightly_run(bandung_dir, tmp_path, capsys):
    warehouse, analyst = tmp_path / "w.duckdb", tmp_path / "analyst.duckdb"
    config = str(write_config(tmp_path / "pantau.toml", warehouse, analyst))
    _land(warehouse, {"SPSE-TenderPengumuman"}, "night1")
    publish(warehouse, analyst)

    # An analyst keeps an interactive `pantau sql` session open (its own process)...
    proc = subprocess.Popen(
        [sys.executable, "-m", "pantau.cli", "--config", config, "sql", "-i"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO,
    )
    try:
        query = b"SELECT 'MARK' || {n} AS m, count(*) AS n FROM tenders;\n"
        proc.stdin.write(query.replace(b"{n}", b"1"))
        proc.stdin.flush()
        before = int(_read_until(proc, "MARK1").split("\u2502")[2])

        # ...while the nightly run lands more data, builds and publishes: it succeeds.
        _land(warehouse, None, "night2")
        publish(warehouse, analyst)

        # The open session still works, on the copy it opened.
        proc.stdin.write(query.replace(b"{n}", b"2"))
        proc.stdin.flush()
        assert int(_read_until(proc, "MARK2").split("\u2502")[2]) == before
        proc.stdin.write(b"\\q\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()

    # A new session sees the new night's data.
    assert pantau(config, "sql", "SELECT count(*) AS n FROM tenders", "--format", "json") == 0
    after = json.loads(capsys.readouterr().out)[0]["n"]
    assert after > before
    assert pantau(config, "sql", "SELECT DISTINCT run_id FROM runs ORDER BY 1",
                  "--format", "csv") == 0
    assert capsys.readouterr().out.split() == ["run_id", "night1", "night2"]


def test_publish_folds_a_left_over_write_ahead_log_into_the_copy(tmp_path):
    """A run killed after its last commit can leave rows only in the warehouse's WAL: the
    analyst copy is a file copy, so publish checkpoints first and the copy has those rows."""
    warehouse, analyst = tmp_path / "w.duckdb", tmp_path / "analyst.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
    con.close()
    assert warehouse.with_name("w.duckdb.wal").exists()
    publish(warehouse, analyst)
    with duckdb.connect(str(analyst), read_only=True) as copy:
        assert copy.execute("SELECT count(*), sum(i) FROM t").fetchone() == (1000, 499500)
    assert not list(tmp_path.glob(".analyst.duckdb.*.tmp"))


# -------------------------------------------------------------------------- saved questions

QUESTIONS = saved_questions()


def test_saved_questions_are_documented_in_both_languages():
    assert len(QUESTIONS) >= 6
    for q in QUESTIONS:
        for lang in ("id", "en"):
            assert q.title.get(lang), (q.name, lang)
            assert len(q.description.get(lang, "")) > 40, (q.name, lang)


def test_list_prints_name_then_title(capsys):
    assert main(["sql", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [q.name for q in QUESTIONS]
    assert [line.split("\t")[1] for line in lines] == [q.title["id"] for q in QUESTIONS]
    assert main(["sql", "--list", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[1] == QUESTIONS[0].title["en"]


@pytest.mark.parametrize("name", [q.name for q in QUESTIONS])
def test_each_saved_question_runs_on_the_demo_data(config, bandung_analyst, capsys, name):
    question = next(q for q in QUESTIONS if q.name == name)
    with connect_analyst(bandung_analyst) as con:
        present = {v.name for v in views_from_db(con)}
    missing = [v for v in question.requires if v not in present]
    if missing:
        pytest.skip(f"{name} needs the view(s) {missing} (issue 6), not in this analyst copy")
    assert pantau(config, "sql", name, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    if name in ("single_bid_by_satker", "top_suppliers_by_satker", "awards_near_hps",
                "pl_near_ceiling"):
        assert rows, f"{name} found nothing in Kab. Bandung 2025"


def test_saved_question_variables(config, capsys):
    assert pantau(config, "sql", "single_bid_by_satker", "--var", "year=2019",
                  "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_unknown_saved_question(config, capsys):
    assert pantau(config, "sql", "no_such_question") == 1
    assert "pantau sql --list" in capsys.readouterr().err


def test_saved_questions_dir_is_the_repos():
    assert QUERIES_DIR == REPO / "sql" / "queries"


# -------------------------------------------------------------------- describe and dictionary


def test_describe_lists_every_view_with_its_documented_columns(config, bandung_analyst, capsys):
    assert pantau(config, "sql", "--describe") == 0
    out = capsys.readouterr().out
    documented = {v.name: v for v in views_from_sql()}
    with connect_analyst(bandung_analyst) as con:
        in_db = views_from_db(con)
    assert {v.name for v in in_db} == set(documented)
    for view in in_db:
        assert f"{view.name}: {documented[view.name].description}" in out
        assert view.column_docs() == documented[view.name].column_docs(), view.name
    assert pantau(config, "sql", "--describe", "tenders") == 0
    out = capsys.readouterr().out
    assert out.startswith("tenders: ")
    assert re.search(r"^\s+hps\s+DECIMAL\(20,2\)\s+owner's estimate", out, re.MULTILINE)
    assert pantau(config, "sql", "--describe", "nope") == 1


def test_data_dictionary_matches_the_sql_headers(capsys):
    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    generated = data_dictionary(views_from_sql())
    assert committed == generated, (
        "docs/data-dictionary.md is out of date: run `make docs` "
        "(pantau sql --describe --format markdown --out docs/data-dictionary.md)")
    assert main(["sql", "--describe", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == generated


# ---------------------------------------------------------------------------------- export


def test_export_xlsx(config, bandung_analyst, tmp_path, capsys):
    out = tmp_path / "tenders.xlsx"
    assert pantau(config, "export", "--view", "tenders", "--region", "Kabupaten Bandung",
                  "--year", "2025", "--out", str(out)) == 0
    assert "rows of tenders" in capsys.readouterr().out
    with connect_analyst(bandung_analyst) as con:
        n = con.sql("SELECT count(*) FROM tenders WHERE kd_klpd = 'D107' AND year = 2025"
                    ).fetchall()[0][0]
        view = next(v for v in views_from_db(con) if v.name == "tenders")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["tenders", "Keterangan"]
    ws = wb["tenders"]
    names = [c.value for c in ws[2]]
    assert names == [c.name for c in view.columns]
    headers = [c.value for c in ws[1]]
    hps = names.index("hps")
    assert headers[hps].startswith("Owner's estimate (Harga Perkiraan Sendiri)")
    assert ws.max_row - 2 == n
    assert ws.freeze_panes == "A3"
    money = [ws.cell(row=r, column=hps + 1) for r in range(3, ws.max_row + 1)]  # every row
    assert any(c.value for c in money)
    assert all(c.number_format == '"Rp" #,##0' for c in money if c.value is not None)
    about = {r[0]: r[1] for r in wb["Keterangan"].iter_rows(values_only=True) if r and r[0]}
    assert about["Jumlah baris"] == str(n)
    assert "D107" in about["Filter"]


def test_export_csv_parquet_and_errors(config, bandung_analyst, tmp_path, capsys):
    with connect_analyst(bandung_analyst) as con:
        n = con.sql("SELECT count(*) FROM bids").fetchall()[0][0]
    assert pantau(config, "export", "--view", "bids", "--format", "parquet",
                  "--out", str(tmp_path / "b.parquet")) == 0
    assert len(pq.read_table(tmp_path / "b.parquet")) == n
    assert pantau(config, "export", "--view", "bids", "--out", str(tmp_path / "b.csv")) == 0
    assert len((tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()) >= n + 1
    capsys.readouterr()
    assert pantau(config, "export", "--view", "nope", "--out", str(tmp_path / "x.csv")) == 1
    assert "no analyst view named 'nope'" in capsys.readouterr().err
    assert pantau(config, "export", "--view", "bids", "--region", "D107",
                  "--out", str(tmp_path / "x.csv")) == 1
    assert "no kd_klpd column" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- report


class _Resources(HTMLParser):
    """Every URL the page would load by itself (not the links a reader may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "data", "poster") and value:
                (self.links if tag == "a" and name == "href" else self.loads).append(value)


REGISTER = (
    b"inspectorate,kd_klpd,status,evidence_url,checked_on,note\n"
    b"Inspektorat Kabupaten Bandung,D107,not_joined,https://example.org/lkpp-2023,2023-08-31,\n"
    b"Inspektorat Kabupaten Bandung,D107,joined,https://example.org/joined,2025-11-20,joined\n"
    b"Inspektorat Kota Semarang,,not_joined,https://example.org/lkpp-2023,2023-08-31,\n"
)


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory, bandung_dir) -> str:
    """A config whose analyst copy has two nightly metric snapshots (so trends are drawn)."""
    out = tmp_path_factory.mktemp("two-nights")
    warehouse = out / "w.duckdb"
    load_bandung(warehouse, run_date=date(2025, 10, 31))
    with open_warehouse(warehouse) as con:
        prov = Provenance("inspectorates", "file://register.csv", datetime.now(UTC))
        land(con, inspectorates.to_batch(
            inspectorates.RegisterSource(name="staff", format="csv"), REGISTER, prov), "night2")
        build(con, run_date=date(2025, 11, 30))
    analyst = publish(warehouse, out / "analyst.duckdb")
    return str(write_config(out / "pantau.toml", warehouse, analyst))


@pytest.fixture(scope="module")
def report_html(two_nights, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert pantau(two_nights, "report", "--region", "Kabupaten Bandung", "--out", str(out)) == 0
    return out


def test_report_is_self_contained(report_html, two_nights):
    html = report_html.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(html)
    assert parser.loads == [], f"the page loads {parser.loads}"
    assert not re.search(r"url\(|@import|<script|<link|<iframe|<img", html, re.IGNORECASE)
    assert all(link.startswith(("#", "https://spse.inaproc.id/bandungkab/", "https://", "http://"))
               for link in parser.links)
    assert any("/lelang/" in link and link.endswith("/pengumumanlelang") for link in parser.links)
    assert '<html lang="id">' in html
    for section in ("Rapor kepatuhan", "Tren indikator", "Peringkat satuan kerja",
                    "Komposisi metode menurut nilai", "Paket bertanda bahaya",
                    "Inspektorat dan e-pengaduan PBJ", "Definisi dan dasar hukum"):
        assert section in html
    assert "@media print" in html
    # the region's inspectorate, its current status and its history with the evidence
    insp = html[html.index('id="inspectorates"'):html.index('id="definitions"')]
    assert "Inspektorat Kabupaten Bandung" in insp
    assert "Kota Semarang" not in insp
    assert insp.count("Sudah bergabung") == 2  # now, and the second interval
    assert insp.count("Belum bergabung") == 1
    assert 'href="https://example.org/joined"' in insp
    assert html.count('<svg class="chart chart-bar"') == 3  # two satker rankings, method mix
    # one trend per metric (when the copy has metric_history) and packages per month
    with connect_analyst(load_config(two_nights).analyst_path) as con:
        has_history = "metric_history" in {v.name for v in views_from_db(con)}
        n_metrics = (con.sql("SELECT count(DISTINCT metric) FROM metric_history WHERE "
                             "kd_klpd = 'D107' AND kd_satker IS NULL").fetchall()[0][0]
                     if has_history else 0)
    assert html.count('<svg class="chart chart-line"') == n_metrics + 1
    assert html.count('<svg class="chart chart-spark"') == n_metrics


def test_report_in_english(config, tmp_path, capsys):
    out = tmp_path / "en.html"
    assert pantau(config, "report", "--region", "D107", "--lang", "en", "--out", str(out)) == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Compliance scorecard" in html
    assert "Rapor kepatuhan" not in html
    capsys.readouterr()


def test_report_escapes_what_it_shows(bandung_analyst):
    with connect_analyst(bandung_analyst) as con:
        region = RegionRef("D107", "Kab. <script>alert('r')</script>", "bandungkab")
        ctx = report.collect(con, region, 2025, "id")
    assert ctx["flagged"], "nothing flagged to inject into"
    ctx["flagged"][0]["title"] = "<script>alert('x')</script>"
    ctx["scorecard"][0]["label"] = "<b>bold</b>"
    html = report.render(ctx)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Kab. &lt;script&gt;" in html


def test_report_says_what_is_missing(bandung_analyst, tmp_path):
    """An analyst copy with only the core views: the report shows what exists and says so."""
    small = tmp_path / "small.duckdb"
    with duckdb.connect(str(small)) as con:
        con.execute(f"ATTACH '{bandung_analyst}' AS src (READ_ONLY)")
        con.execute("CREATE TABLE tenders_t AS SELECT * FROM src.main.tenders")
        con.execute("CREATE VIEW tenders AS SELECT * FROM tenders_t")
        con.execute("DETACH src")
    with connect_analyst(small) as con:
        ctx = report.collect(con, RegionRef("D107", "Kab. Bandung", None), None, "en")
    html = report.render(ctx)
    assert ctx["year"] == 2025
    assert ctx["metrics_missing"]
    assert ctx["flags_fallback"]
    assert {"agency_metrics", "metric_history", "flags", "inspectorates"} <= set(
        ctx["missing_views"])
    assert "no agency_metrics view yet" in html
    assert "no metric_history view yet" in html
    assert "no inspectorates view yet" in html
    assert "no links to SPSE" in html
    # Metrics have one definition (sql/indicators/950_agency_metrics.sql): without agency_metrics
    # the report shows none rather than computing its own; what tenders alone gives is drawn.
    assert ctx["scorecard"] == []
    assert "the scorecard appears after the next `pantau run`" in html
    assert ctx["method_chart"] is not None
    assert ctx["month_chart"] is not None


CHART_CHECK = """<script>
const out = [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = [...svg.querySelectorAll('.mark')].filter(m => {
    const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
          marks: marks.length};
});
const pre = document.createElement('pre'); pre.id = 'chart-check';
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("Debian's chromium is not installed (`make test` installs it with "
                    "apt-get install -y chromium when apt is available)")
    return exe


def _headless(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--hide-scrollbars", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_report_renders_in_headless_chromium_with_every_chart_drawn(report_html, tmp_path):
    exe = _chromium()
    html = report_html.read_text(encoding="utf-8")
    n_charts = html.count('<svg class="chart')
    shot = tmp_path / "report.png"
    done = _headless(exe, tmp_path / "profile", "--window-size=1100,6000",
                     f"--screenshot={shot}", report_html.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a page of text and charts, not a blank one

    # The same page with a measuring script appended (the report itself has no script):
    # every chart must be laid out with a size and with drawn marks.
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", CHART_CHECK + "</body>"), encoding="utf-8")
    dom = _headless(exe, tmp_path / "profile2", "--dump-dom", probe.as_uri()).stdout
    m = re.search(r'<pre id="chart-check">(.*?)</pre>', dom, re.DOTALL)
    assert m, dom[-2000:]
    charts = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert len(charts) == n_charts > 3
    for chart in charts:
        assert chart["width"] > 50, chart
        assert chart["height"] > 10, chart
        assert chart["marks"] > 0, chart


def test_region_must_be_known(config, tmp_path, capsys):
    assert pantau(config, "report", "--region", "Atlantis", "--out",
                  str(tmp_path / "x.html")) == 1
    assert "unknown region 'Atlantis'" in capsys.readouterr().err


def test_no_analyst_copy_is_a_one_line_error(tmp_path, capsys):
    config = str(write_config(tmp_path / "p.toml", tmp_path / "w.duckdb", tmp_path / "a.duckdb"))
    assert pantau(config, "sql", "SELECT 1") == 1
    assert "no analyst copy" in capsys.readouterr().err


def test_region_name_resolves_from_agencies(config, bandung_analyst):
    with connect_analyst(bandung_analyst) as con:
        cfg = load_config(config)
        assert resolve_region(cfg.regions, con, "Kabupaten Bandung").spse_slug == "bandungkab"
        assert resolve_region(cfg.regions, con, "kab. bandung").kd_klpd == "D107"
        assert resolve_region((), con, "D107").name == "Kab. Bandung"
