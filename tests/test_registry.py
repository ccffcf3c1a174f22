"""One registry of sources: the warehouse, the loader, the config and the night all read it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pantau.connectors import isb, ocds, registry, spse
from pantau.connectors.base import Batch, Provenance
from pantau.flows import steps
from pantau.flows.config import SourcesSection, build_config
from pantau.models.db import open_warehouse
from pantau.models.loader import land


def test_every_declared_table_exists_in_a_new_warehouse(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        tables = {t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'").fetchall()}
    declared = {t for s in registry.SOURCES for t in s.tables.values()}
    assert declared <= tables
    assert {d.table for d in isb.ALL_DATASETS} | {spse.RAW_LISTING, spse.RAW_DETAIL,
                                                  ocds.RAW_TABLE} <= declared


def test_the_config_has_a_section_for_every_source_with_settings() -> None:
    with_settings = {s.name for s in registry.SOURCES if s.settings is not None}
    assert set(SourcesSection.model_fields) == with_settings
    assert {s.name for s in registry.FETCHED} == with_settings


def test_a_batch_lands_in_its_own_table_and_an_undeclared_one_is_refused(
    tmp_path: Path,
) -> None:
    prov = Provenance("ocds", "https://example.org/x.json", datetime.now(UTC))
    batch = Batch("ocds", ocds.DATASET, "r", None, prov, table=ocds.RAW_TABLE)
    batch.add("ocds-1", '{"ocid": "ocds-1"}')
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert land(con, batch, "run").n_new == 1
        rows = con.execute(f"SELECT key FROM raw.{ocds.RAW_TABLE}").fetchall()
        assert rows == [("ocds-1",)]
        stray = Batch("ocds", ocds.DATASET, "r", None, prov, table="no_such_table")
        with pytest.raises(KeyError, match="no_such_table"):
            land(con, stray, "run")


def test_the_night_plans_every_enabled_source_from_the_registry(tmp_path: Path) -> None:
    url = "http://127.0.0.1:1"
    cfg = build_config({
        "regions": [{"name": "Kab. Bandung", "kd_klpd": "D107", "kd_lpse": 93,
                     "spse_slug": "bandungkab"}],
        "sources": {"isb": {"satudata_url": f"{url}/satudata"},
                    "spse": {"base_url": url, "lists": ["pl"]},
                    "ocds": {"publications": ["releases.json"], "opentender_lpse": ["17"]}},
    }, path=tmp_path / "pantau.toml")
    summary = steps.RunSummary("r", date(2025, 6, 1), datetime.now(UTC))
    jobs = steps.plan(cfg, list(cfg.regions), [2025], summary)
    by_source = {s: [j for j in jobs if j.source == s] for s in ("isb", "spse", "ocds")}
    # No keyed ISB URLs in the secrets: the public tender list stands in, one job.
    assert [(j.dataset, j.target) for j in by_source["isb"]] == [
        ("TenderUmumPublik", f"{url}/satudata/TenderUmumPublik/2025/93")]
    assert [(j.dataset, j.scope, j.target) for j in by_source["spse"]] == [
        ("pl", "D107", f"{url}/bandungkab")]
    assert [(j.dataset, j.scope, j.target) for j in by_source["ocds"]] == [
        ("publication", "releases.json", str(tmp_path / "releases.json")),
        ("opentender", "opentender-17", ocds.OPENTENDER_URL)]
    assert len(summary.notices) == len(isb.KEYED_DATASETS)  # each keyed dataset skipped, said
    disabled = build_config({"sources": {"spse": {"enabled": False, "base_url": url}},
                             "regions": [{"spse_slug": "x"}]})
    assert steps.plan(disabled, list(disabled.regions), [2025], summary) == []
