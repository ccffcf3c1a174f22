"""The nightly Cardinal flags equal `pantau indicators` over `pantau export ocds` of the same night.

The nightly build flattens core straight into Cardinal's input rows
(sql/indicators/106_cardinal_from_core.sql) instead of writing and re-parsing one OCDS JSON
document per process; `pantau export ocds` writes the JSON from the same mapping
(sql/core/745_ocds_releases.sql, a view). These tests hold the two paths to the same answer on
the real Kab. Bandung data, on simulated ISB + SPSE data with evaluation results (disqualified
bids), and on an OCDS warehouse (the Bandung export read back, flattened from its JSON).
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import load_bandung
from pantau.connectors import ocds
from pantau.flows import steps
from pantau.flows.config import build_config
from pantau.models import cardinal
from pantau.models.db import open_warehouse
from pantau.models.loader import land
from pantau.models.publish import publish
from pantau.models.transform import build, sql_files
from pipeline_helpers import isb_secrets

from pantau.commands.export_ocds import write_releases
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

Flag = tuple[str, str, str]  # (group, id, code)


def _value(v: float | None) -> float | None:
    return None if v is None or math.isnan(v) or math.isinf(v) else v


def nightly_flags(analyst: Path) -> dict[Flag, float | None]:
    """The `flags` view's Cardinal rows, keyed as Cardinal keys its output."""
    with duckdb.connect(str(analyst), read_only=True) as con:
        rows = con.execute(
            "SELECT grp, CASE WHEN grp = 'OCID' THEN core.ocds_ocid(kind, source_id) "
            "ELSE entity_id END, code, value FROM main.flags WHERE code LIKE 'R0%'"
        ).fetchall()
    out = {(g, i, c): _value(v) for g, i, c, v in rows}
    assert len(out) == len(rows), "a flag is listed twice"
    return out


INPUTS = ("cardinal_rel", "cardinal_bids", "cardinal_awards")


def inputs(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Cardinal's flattened input rows (every column), in a stable order."""
    return {t: con.execute(f"SELECT * FROM temp.{t} ORDER BY ALL").fetchall() for t in INPUTS}


def night_inputs(warehouse: Path) -> dict[str, list[tuple]]:
    """The input rows the night gives Cardinal: TEMP tables of the build's connection, dropped
    once the flags are written, so made again here by the same files over the same core (the
    indicator stage up to 106_cardinal_from_core.sql), then rolled back."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("SET TimeZone = 'UTC'")
        cardinal.set_variables(con, cardinal.Settings())
        con.execute("BEGIN TRANSACTION")
        for path in sql_files("indicators"):
            con.execute(path.read_text(encoding="utf-8"))
            if path.name.startswith("106_"):
                return inputs(con)
        pytest.fail("no 106_*.sql in sql/indicators")
    finally:
        con.close()


def exported(analyst: Path, out: Path) -> tuple[dict[Flag, float | None], dict[str, list]]:
    """`pantau export ocds` of the analyst copy, then `pantau indicators` over the file: its
    result, and the input rows the JSON flattening made of the file."""
    with duckdb.connect(str(analyst), read_only=True) as con:
        n = write_releases(con, out)
    assert n > 0
    with out.open("rb") as fh:
        result = cardinal.indicators(fh, cardinal.Settings(), meta=False)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        with out.open("rb") as fh:
            cardinal.load_releases(con, cardinal.read_jsonl(fh))
        cardinal.set_variables(con, cardinal.Settings())
        cardinal.run_sql(con)
        rows = inputs(con)
    finally:
        con.close()
    flags = {
        (grp, ident, code): _value(value)
        for grp, ids in result.items()
        for ident, codes in ids.items()
        for code, value in codes.items()
    }
    return flags, rows


def assert_same(analyst: Path, tmp: Path, expect_codes: set[str]) -> Counter[str]:
    night = nightly_flags(analyst)
    export, export_rows = exported(analyst, tmp / "export.jsonl")
    night_rows = night_inputs(analyst)
    for table in INPUTS:  # line numbers too: the night numbers processes in export order
        assert night_rows[table] == export_rows[table], table
    assert night == export
    codes = Counter(code for _, _, code in night)
    assert expect_codes <= set(codes), codes  # the comparison is not vacuous
    return codes


@pytest.fixture(scope="module")
def bandung(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path) -> Path:
    del bandung_dir  # skips when the captures are missing
    tmp = tmp_path_factory.mktemp("cardinal-bandung")
    load_bandung(tmp / "w.duckdb", run_date=date(2025, 10, 4))
    return publish(tmp / "w.duckdb", tmp / "analyst.duckdb")


def test_bandung_nightly_flags_equal_indicators_over_the_export(bandung: Path, tmp_path: Path):
    codes = assert_same(bandung, tmp_path, {"R003", "R018", "R028"})
    assert sum(codes.values()) > 100


def test_ocds_warehouse_flattens_the_publisher_releases(bandung: Path, tmp_path: Path):
    """Processes that came in as OCDS keep their publisher's release: the nightly flattens that
    JSON (105) instead of core, and the flags still name the process."""
    out = tmp_path / "bandung.jsonl"
    with duckdb.connect(str(bandung), read_only=True) as con:
        write_releases(con, out)
    db = tmp_path / "back.duckdb"
    with open_warehouse(db) as con:
        land(con, ocds.read_file(out, region="D107", year=2025), "t")
        build(con, run_date=date(2025, 10, 4))
        sources = con.execute("SELECT DISTINCT source FROM core.processes").fetchall()
    assert sources == [("ocds",)]
    analyst = publish(db, tmp_path / "back-analyst.duckdb")
    back = nightly_flags(analyst)
    assert back == nightly_flags(bandung)  # the same releases, the same flags
    assert_same(analyst, tmp_path, {"R003", "R018", "R028"})


def test_simulated_spse_evaluations_flag_the_same(tmp_path: Path):
    """ISB packages with SPSE's evaluation results merged onto the bids, and SPSE-only packages:
    disqualified, valid and pending bids."""
    world = World(seed=9, scale=0.1)
    with Simulator(world) as sim:
        raw: dict[str, Any] = {
            "database": {"path": str(tmp_path / "pantau.duckdb")},
            "run": {"years": [2025]},
            "regions": [{"name": "Provinsi Jawa Tengah", "kd_klpd": "D901", "kd_lpse": 901,
                         "spse_slug": "jatengprov"}],
            "sources": {
                "isb": {"enabled": True, "satudata_url": f"{sim.url}/isb-2/api/satudata"},
                "spse": {"enabled": True, "base_url": sim.url, "min_interval_seconds": 0},
            },
            "http": {"min_interval_seconds": 0, "backoff_seconds": 0.01, "max_attempts": 2,
                     "timeout_seconds": 5},
        }
        cfg = build_config(raw, secrets=isb_secrets(sim.url))
        with ThreadPoolExecutor(max_workers=4) as pool:
            summary = steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),
                                      run_date=date(2025, 10, 4))
    assert summary.failed == []
    statuses = Counter(row[3] for row in night_inputs(cfg.analyst_path)["cardinal_bids"])
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        sources = {r[0] for r in con.execute("SELECT source FROM core.processes").fetchall()}
    assert {"disqualified", "valid", "invited"} <= set(statuses), statuses
    assert {"isb", "spse"} <= sources
    assert_same(cfg.analyst_path, tmp_path, {"R003", "R018", "R024", "R035", "R038", "R058"})
