"""The catalogue of sql/ headers: every flag the night computes is explained, the generated
docs/indicators.md matches the SQL, the report cites the same text, and the analyst library is
one room (one hardened connection, no command imported back)."""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from pantau.models import catalogue
from pantau.sql import SQL_DIR

from pantau.analyst import report
from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import RegionRef
from pantau.cli import main
from pantau.commands import sql as sql_command

REPO = Path(__file__).resolve().parents[1]
CARDINAL = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, bandung_analyst: Path) -> str:
    path = tmp_path_factory.mktemp("catalogue") / "pantau.toml"
    path.write_text(
        f"[database]\npath = '{bandung_analyst.parent / 'w.duckdb'}'\n"
        f"analyst_path = '{bandung_analyst}'\n[run]\nyears = [2025]\n"
        "[[regions]]\nname = 'Kabupaten Bandung'\nkd_klpd = 'D107'\n", encoding="utf-8")
    return str(path)


def _indicator_sql() -> str:
    return "\n".join(p.read_text(encoding="utf-8")
                     for p in sorted((SQL_DIR / "indicators").glob("*.sql")))


def test_explain_lists_every_flag_the_night_computes(config, bandung_analyst, capsys):
    assert main(["explain"]) == 0
    listing = capsys.readouterr().out
    flags_part = listing.split("Metrics (agency_metrics):")[0]
    listed = set(re.findall(r"^  (\S+)\s", flags_part, re.MULTILINE))
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        fired = {c for (c,) in con.execute("SELECT DISTINCT code FROM flags").fetchall()}
        metrics = {m for (m,) in con.execute(
            "SELECT DISTINCT metric FROM agency_metrics").fetchall()}
    assert fired, "a night on Kab. Bandung raised no flag at all"
    assert fired <= listed, fired - listed
    # A code listed that did not fire tonight must still be one the SQL can write.
    sql = _indicator_sql()
    for code in listed - fired:
        assert f"'{code}'" in sql, f"{code} is documented but no indicator file writes it"
    assert set(CARDINAL) | {"PFA", "PFA-1", "PFA-2", "PFA-3"} <= listed
    assert {m.name for m in catalogue.load().metrics} == metrics
    for code in sorted(listed):
        assert main(["--config", config, "explain", code, "--limit", "3"]) == 0, code
        out = capsys.readouterr().out
        assert out.startswith(f"{code}: "), out[:200]
        assert "definition: " in out
        assert "basis: " in out
        assert f"Rows of {code} (" in out


def test_indicators_doc_matches_the_sql_headers(capsys):
    committed = (REPO / "docs" / "indicators.md").read_text(encoding="utf-8")
    generated = catalogue.indicators_markdown(catalogue.load())
    assert committed == generated, (
        "docs/indicators.md is out of date: run `make docs` "
        "(pantau explain --format markdown --out docs/indicators.md)")
    assert main(["explain", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == generated
    for d in (*catalogue.load().flags, *catalogue.load().metrics):
        assert f"\n### {d.name}\n" in generated


def test_report_cites_the_catalogue(bandung_analyst):
    cat = catalogue.load()
    with connect_analyst(bandung_analyst) as con:
        ctx = report.collect(con, RegionRef("D107", "Kab. Bandung", "bandungkab"), 2025, "en")
    cited = {d["name"]: d for d in ctx["definitions"]}
    codes = {code for r in ctx["flagged"] for code in r["codes"]}
    assert codes, "nothing flagged in Kab. Bandung 2025"
    for code in codes:
        assert cited[code]["definition"] == cat.get(code).definition
        assert cited[code]["basis"] == cat.get(code).basis
    # the report's labels name exactly the metrics the catalogue defines
    assert set(report.METRICS) == {m.name for m in cat.metrics}
    single = cat.get("single_bid_rate")
    assert cited["single_bid_rate"]["definition"].startswith(single.title)
    assert single.fields["numerator"].rstrip(".") in cited["single_bid_rate"]["definition"]


def test_structural_keys_do_not_leak_into_definitions(tmp_path: Path):
    """`-- depends:` and `-- test ...:` lines at the end of a header describe the file."""
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "500_x.sql").write_text(
        "-- flag ID-C99: a made-up check.\n-- definition: something\n--   more.\n"
        "-- parameters: id_c99_limit and R003.threshold\n-- basis: none\n"
        "-- depends: core.processes\n-- fills: core.compliance_results\n-- test unique: core.x(a)\n"
        "SELECT 1;\n", encoding="utf-8")
    cat = catalogue.load(tmp_path)
    d = cat.get("id-c99")
    assert d is not None
    assert d.fields == {"definition": "something more.",
                        "parameters": "id_c99_limit and R003.threshold", "basis": "none"}
    assert d.parameters == ["id_c99_limit"]
    assert d.cardinal_options == ["R003.threshold"]


def test_saved_questions_come_from_the_catalogue():
    questions = catalogue.load().questions
    assert [q.name for q in questions] == sorted(p.stem for p in (SQL_DIR / "queries").glob(
        "*.sql"))
    for q in questions:
        first = q.sql.splitlines()[0]
        assert first == f"-- title[id]: {q.title['id']}", q.name


def test_harlequin_is_found_beside_the_interpreter(tmp_path, monkeypatch, bandung_analyst):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    record = tmp_path / "args.txt"
    fake = bin_dir / "harlequin"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\nexit 7\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # not on PATH
    assert sql_command.find_harlequin() == str(fake)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    con = connect_analyst(bandung_analyst)
    assert sql_command.interactive(con, bandung_analyst) == 7
    args = record.read_text(encoding="utf-8").splitlines()
    assert args[0] == "--read-only"
    assert args[-1] == str(bandung_analyst)


def test_no_harlequin_anywhere(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sql_command.find_harlequin() is None


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_analyst_copy_is_opened_only_by_connect_analyst():
    for path in sorted((REPO / "pantau" / "commands").glob("*.py")) + sorted(
            (REPO / "pantau" / "analyst").glob("*.py")):
        if path.name == "connection.py":
            continue
        assert "duckdb.connect(" not in path.read_text(encoding="utf-8"), path.name


def test_the_analyst_library_imports_no_command():
    for path in sorted((REPO / "pantau" / "analyst").glob("*.py")):
        upward = {m for m in _imports(path)
                  if m.startswith(("pantau.commands", "pantau.cli", "pantau.flows"))}
        assert not upward, (path.name, upward)
    for path in sorted((REPO / "models").glob("*.py")):
        assert not {m for m in _imports(path) if m.startswith("pantau.analyst")}, path.name
    assert not (REPO / "pantau" / "workbench.py").exists()
    assert os.access(REPO / "pantau" / "analyst" / "templates" / "report.html.j2", os.R_OK)


def test_the_wheel_declares_the_analyst_and_web_packages_and_their_templates():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    packages = set(setuptools["packages"])
    folders = {"pantau." + ".".join(p.parent.relative_to(REPO / "pantau").parts)
               for p in (REPO / "pantau").glob("*/__init__.py")}
    assert folders <= packages, folders - packages
    data = setuptools["package-data"]
    for package in ("pantau.analyst", "pantau.web"):
        folder = REPO.joinpath(*package.split("."))
        declared = {p for pattern in data[package] for p in folder.glob(pattern)}
        on_disk = {p for sub in ("templates", "static") for p in (folder / sub).glob("*")}
        assert declared == on_disk, on_disk ^ declared
    assert {p.name for p in (REPO / "pantau" / "analyst" / "templates").iterdir()} == {
        "report.html.j2", "report.css", "followup.html.j2"}
