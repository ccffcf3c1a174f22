"""The data tests declared in the SQL headers hold after a build on the real Kab. Bandung data and
on the simulator's world, and a deliberately broken row makes the runner name its rule."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pantau.models.datatests import DataTestError, compile_test, declared_tests, run
from pipeline_helpers import make_config, run_plain

from pantau.simulator.server import Simulator
from pantau.simulator.world import World


def rules(failures: list) -> dict[str, int]:
    return {f"{f.test.kind}: {f.test.rule}": f.rows for f in failures}


def test_the_natural_rules_are_declared() -> None:
    tests = declared_tests()
    declared = {(t.kind, t.table) for t in tests}
    for table in ("core.processes", "core.bids", "main.tenders", "main.bids", "main.flags",
                  "main.agency_metrics"):
        assert any(t == table for _, t in declared), table
    assert {k for k, _ in declared} == {"unique", "not_null", "accepted_values", "relationship"}


def test_every_declared_test_passes_on_the_bandung_build(bandung_analyst: Path) -> None:
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        assert run(con) == []
        # Each rule had rows to check: a rule over an empty table could not have failed.
        for test in declared_tests():
            (n,) = con.execute(f"SELECT count(*) FROM {test.table}").fetchone()
            assert n > 0, test


def test_every_declared_test_passes_on_the_simulated_world(tmp_path: Path) -> None:
    """ISB and SPSE together (SPSE evaluations merged onto ISB bids, SPSE-only packages)."""
    with Simulator(World(seed=9, scale=0.1)) as sim:
        cfg = make_config(
            tmp_path, sim.url,
            [{"name": "Provinsi Jawa Tengah", "kd_klpd": "D901", "kd_lpse": 901,
              "spse_slug": "jatengprov"}],
            extra={"sources": {
                "isb": {"enabled": True, "satudata_url": f"{sim.url}/isb-2/api/satudata"},
                "spse": {"enabled": True, "base_url": sim.url, "min_interval_seconds": 0},
            }},
        )
        summary = run_plain(cfg, run_date=date(2025, 10, 4))
    assert summary.failed == []
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM tenders").fetchall()}
        assert sources == {"isb", "spse"}
        assert run(con) == []


def duplicate_a_process(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO core.processes SELECT * FROM core.processes LIMIT 1")


def orphan_a_bid(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO core.bids SELECT * REPLACE ('no-such-tender' AS source_id) "
                "FROM core.bids LIMIT 1")


def blank_a_supplier(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE core.suppliers SET npwp = NULL "
                "WHERE npwp = (SELECT min(npwp) FROM core.suppliers)")


def misname_a_level(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE core.agencies SET level = 'province' WHERE level = 'klpd' "
                "AND kd_klpd = (SELECT min(kd_klpd) FROM core.agencies WHERE level = 'klpd')")


@pytest.mark.parametrize(("breaks", "expected"), [
    (duplicate_a_process, {"unique: core.processes(kind, source_id)": 2,
                           "unique: tenders(kind, source_id)": 2}),
    (orphan_a_bid, {"relationship: core.bids(source_id) -> core.processes(source_id)": 1,
                    "relationship: bids(source_id) -> tenders(source_id)": 1}),
    (blank_a_supplier, {"not_null: core.suppliers(npwp)": 1, "not_null: suppliers(npwp)": 1}),
    (misname_a_level, {"accepted_values: core.agencies(level) in ('klpd', 'satker')": 1}),
])
def test_a_broken_row_makes_the_runner_report_its_rule(
    bandung_analyst: Path, tmp_path: Path,
    breaks: Callable[[duckdb.DuckDBPyConnection], None], expected: dict[str, int],
) -> None:
    db = shutil.copy(bandung_analyst, tmp_path / "broken.duckdb")
    with duckdb.connect(str(db)) as con:
        breaks(con)
        assert rules(run(con)) == expected


@pytest.mark.parametrize(("kind", "rule", "failing"), [
    ("unique", "c(p_id)", 2),  # the two rows with p_id 1
    ("unique", "c(p_id) where p_id <> 1", 0),
    ("not_null", "c(p_id)", 1),
    ("not_null", "c(p_id) where p_id = 1", 0),
    ("accepted_values", "p(s) in ('a')", 1),
    ("relationship", "c(p_id) -> p(id)", 1),  # 3 has no parent; NULL is not a reference
])
def test_each_form_counts_the_rows_that_break_it(kind: str, rule: str, failing: int) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE p AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, s)")
    con.execute("CREATE TABLE c AS SELECT * FROM (VALUES (1), (1), (3), (NULL)) t(p_id)")
    assert con.execute(compile_test(kind, rule).sql).fetchone() == (failing,)


@pytest.mark.parametrize(("kind", "rule"), [
    ("unique", "c(p_id"), ("accepted_values", "p(s) in (a)"),
    ("relationship", "c(p_id) -> p(id, s)"), ("sorted", "c(p_id)"), ("not_null", "c(p_id); DROP"),
])
def test_a_malformed_line_is_refused(kind: str, rule: str) -> None:
    with pytest.raises(DataTestError):
        compile_test(kind, rule)
