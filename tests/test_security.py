"""Issue 9, security: hostile pages and registers, and the analyst's SQL, tested from outside."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from pantau.connectors import inspectorates, spse_pages

ROOT = Path(__file__).resolve().parents[1]
ESCAPE = str(ROOT / "var" / "pantau-escape.csv")  # where a COPY ... TO would write
# A "billion laughs": an XML parser that expands entities would build gigabytes from this.
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


def test_an_entity_bomb_in_a_register_page_is_inert() -> None:
    page = (
        LAUGHS + "<html><body><table><tr><th>Inspektorat</th><th>Status</th><th>Bukti</th>"
        "<th>Tanggal</th></tr><tr><td>&lol9;Inspektorat Kota Semarang<script>alert(1)</script>"
        "</td><td>joined</td><td><a href='javascript:alert(1)'>x</a></td><td>2025-07-04</td></tr>"
        "</table></body></html>"
    ).encode()
    source = inspectorates.RegisterSource(
        name="hostile",
        format="html",
        url="http://127.0.0.1/x",
        columns={
            "inspectorate": "Inspektorat",
            "status": "Status",
            "evidence_url": "Bukti",
            "checked_on": "Tanggal",
        },
    )
    started = time.monotonic()
    rows = inspectorates.parse_html(page, source, url="http://127.0.0.1/x")
    assert time.monotonic() - started < 1.0  # no expansion
    text = repr(rows)
    assert "alert(1)" not in text.replace("javascript:alert(1)", "")  # the script's text is gone
    assert "lollol" not in text  # the entity was not expanded
    # A javascript: link is not evidence: the row is rejected, never recorded.
    assert len(rows) == 1
    record, reason = inspectorates.normalise_row(rows[0], source)
    assert record is None
    assert "evidence" in (reason or "")


def test_an_entity_bomb_and_script_in_an_spse_page_are_inert() -> None:
    page = (
        LAUGHS + "<html><body><div class='content'><table class='table table-bordered'>"
        "<tr><th>Kode Paket</th><td>123&lol9;</td></tr>"
        "<tr><th>Nama Paket</th><td>Jalan<script>document.cookie</script> Desa</td></tr>"
        "</table></div></body></html>"
    ).encode()
    started = time.monotonic()
    record = spse_pages.parse_announcement(page)
    assert time.monotonic() - started < 1.0
    assert "lollol" not in repr(record)
    assert "Jalan" in repr(record)


@pytest.mark.parametrize(
    "statement",
    [
        f"COPY (SELECT 1) TO '{ESCAPE}'",
        "SELECT * FROM read_text('/etc/passwd')",
        "ATTACH '/tmp/pantau-other.duckdb' AS other",
        "CREATE TABLE main.x AS SELECT 1",
        "INSTALL httpfs",
        "SET enable_external_access = true",
    ],
)
def test_the_analyst_sql_is_read_only_from_outside(
    bandung_analyst: Path, tmp_path: Path, statement: str
) -> None:
    config = tmp_path / "pantau.toml"
    config.write_text(
        f'[database]\npath = "{bandung_analyst.with_name("w.duckdb")}"\n'
        f'analyst_path = "{bandung_analyst}"\n[run]\nyears = [2025]\n',
        encoding="utf-8",
    )
    before = bandung_analyst.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "pantau.cli", "--config", str(config), "sql", statement],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("pantau: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path(ESCAPE).exists()
    assert "root:" not in result.stdout
    assert bandung_analyst.read_bytes() == before
