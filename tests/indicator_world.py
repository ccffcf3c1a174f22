"""A hand-made world for the compliance checks and metrics: core rows written directly.

The build runs the real macros, the real indicator and metric SQL and the real views (through
``models.transform.build`` with a private ``sql_dir``); only the core tables come from here
instead of from raw, so each test states exactly the processes it needs.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from pantau.models import settings
from pantau.models.transform import SQL_DIR, build

WIB = ZoneInfo("Asia/Jakarta")

# The files of issue 5 (compliance checks, PFA, metrics, history) and their views.
INDICATOR_FILES = (
    "050_settings.sql", "200_compliance_base.sql", "210_id_c01.sql", "220_id_c02.sql",
    "230_id_c03.sql", "240_id_c04.sql", "260_id_c06.sql", "280_id_c08.sql", "300_id_c10.sql",
    "400_pfa.sql", "490_flags_compliance.sql", "950_agency_metrics.sql",
    "960_metric_snapshots.sql",
)
VIEW_FILES = ("agency_metrics.sql", "metric_history.sql", "metric_trends.sql",
              "indicator_settings.sql")

# Stands in for 900_flags.sql (owned by issue 4): flags = Cardinal's (optional) + ours.
FLAGS_SQL = """
CREATE TABLE IF NOT EXISTS core.flags_cardinal (source VARCHAR, kind VARCHAR, source_id VARCHAR,
    code VARCHAR, value DOUBLE, grp VARCHAR, entity_id VARCHAR, description VARCHAR);
CREATE OR REPLACE TABLE core.flags AS
SELECT source, kind, source_id, code, value, grp, entity_id, description FROM core.flags_cardinal
UNION ALL
SELECT source, kind, source_id, code, value, grp, entity_id, description
FROM core.flags_compliance;
"""

FIXTURE_DDL = """
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS fixture;
CREATE TABLE fixture.processes (
    source VARCHAR, kind VARCHAR, source_id VARCHAR, kd_rup VARCHAR, kd_klpd VARCHAR,
    klpd_name VARCHAR, kd_satker VARCHAR, satker_name VARCHAR, kd_lpse INTEGER, title VARCHAR,
    category VARCHAR, method VARCHAR, status VARCHAR, year INTEGER, pagu DECIMAL(20, 2),
    hps DECIMAL(20, 2), contract_value DECIMAL(20, 2), supplier_npwp VARCHAR,
    supplier_name VARCHAR, n_participants BIGINT, n_bids BIGINT, announced_at TIMESTAMPTZ,
    awarded_at TIMESTAMPTZ, pdn_value DECIMAL(20, 2), umk_value DECIMAL(20, 2),
    qualification VARCHAR, lpse_url VARCHAR, sources VARCHAR[]
);
CREATE TABLE fixture.schedule (
    source VARCHAR, source_id VARCHAR, stage_id VARCHAR, stage_name VARCHAR, stage VARCHAR,
    starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ
);
CREATE TABLE fixture.plans (
    source VARCHAR, kd_rup VARCHAR, kd_klpd VARCHAR, kd_satker VARCHAR, title VARCHAR,
    pagu DECIMAL(20, 2), method VARCHAR, category VARCHAR, year INTEGER, status_ukm VARCHAR,
    status_pdn VARCHAR, announced_at TIMESTAMPTZ
);
"""

CORE_SQL = """
CREATE OR REPLACE TABLE core.processes AS SELECT * FROM fixture.processes;
CREATE OR REPLACE TABLE core.schedule AS SELECT * FROM fixture.schedule;
CREATE OR REPLACE TABLE core.plans AS SELECT * FROM fixture.plans;
"""

_ids = itertools.count(1)


def wib(day: str, time: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=WIB)


class World:
    def __init__(self, tmp_path: Path, con: duckdb.DuckDBPyConnection | None = None) -> None:
        self.con = con or duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(FIXTURE_DDL)
        self.sql_dir = tmp_path / "sql"
        for sub in ("core", "indicators", "views"):
            (self.sql_dir / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(SQL_DIR / "core" / "000_macros.sql", self.sql_dir / "core")
        (self.sql_dir / "core" / "500_fixture.sql").write_text(CORE_SQL, encoding="utf-8")
        shutil.copy(SQL_DIR / "core" / "505_status_classes.sql", self.sql_dir / "core")
        for name in INDICATOR_FILES:
            shutil.copy(SQL_DIR / "indicators" / name, self.sql_dir / "indicators")
        (self.sql_dir / "indicators" / "900_flags.sql").write_text(FLAGS_SQL, encoding="utf-8")
        for name in VIEW_FILES:
            shutil.copy(SQL_DIR / "views" / name, self.sql_dir / "views")

    def process(self, **kw: Any) -> str:
        """Add a process; unspecified fields get a plain finished tender of D001 / satker S1."""
        row: dict[str, Any] = {
            "source": "isb", "kind": "tender", "source_id": f"P{next(_ids)}", "kd_rup": "R1",
            "kd_klpd": "D001", "klpd_name": "Kab. Contoh", "kd_satker": "S1",
            "satker_name": "Dinas Contoh", "title": "Pembangunan jalan desa contoh",
            "category": "Pekerjaan Konstruksi", "method": "Tender", "status": "Selesai",
            "year": 2025, "announced_at": wib("2025-03-03"), "sources": ["isb"],
        }
        row.update(kw)
        cols = list(row)
        self.con.execute(
            f"INSERT INTO fixture.processes ({', '.join(cols)}) "
            f"VALUES ({', '.join('$' + c for c in cols)})", row)
        return row["source_id"]

    def stage(self, source_id: str, stage: str, starts_at: datetime, ends_at: datetime) -> None:
        self.con.execute(
            "INSERT INTO fixture.schedule VALUES ('isb', $id, 's', $st, $st, $a, $b)",
            {"id": source_id, "st": stage, "a": starts_at, "b": ends_at})

    def plan(self, kd_rup: str, announced_at: datetime, kd_klpd: str = "D001",
             year: int = 2025) -> None:
        self.con.execute(
            "INSERT INTO fixture.plans (source, kd_rup, kd_klpd, year, announced_at) "
            "VALUES ('isb', $r, $k, $y, $a)",
            {"r": kd_rup, "k": kd_klpd, "y": year, "a": announced_at})

    def build(self, run_date: date = date(2025, 10, 3), overrides: dict[str, Any] | None = None,
              run_id: str = "test") -> duckdb.DuckDBPyConnection:
        settings.apply(self.con, overrides or {})
        build(self.con, run_date=run_date, run_id=run_id, sql_dir=self.sql_dir)
        return self.con

    def flags(self, code: str) -> dict[str, float]:
        rows = self.con.execute(
            "SELECT source_id, value FROM core.flags_compliance WHERE code = $c", {"c": code}
        ).fetchall()
        return dict(rows)

    def metric(self, metric: str, kd_satker: str | None = None,
               kd_klpd: str = "D001", year: int = 2025) -> tuple[Any, Any, Any]:
        row = self.con.execute(
            "SELECT value, numerator, denominator FROM agency_metrics WHERE metric = $m "
            "AND kd_klpd = $k AND year = $y AND kd_satker IS NOT DISTINCT FROM $s",
            {"m": metric, "k": kd_klpd, "y": year, "s": kd_satker}).fetchone()
        assert row is not None, f"no agency_metrics row for {metric}"
        return row
