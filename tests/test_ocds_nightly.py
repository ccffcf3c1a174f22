"""OCDS as a nightly source: opentender.net (simulated) and publication files, end to end."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from pantau.flows import steps
from pantau.flows.config import Config
from pipeline_helpers import checksums, make_config, run_plain

from pantau.simulator.ocds import OpentenderService, icw_code, ocid
from pantau.simulator.server import Simulator
from pantau.simulator.world import SimRegion, World

YEAR = 2025
BANDUNG = {"name": "Kab. Bandung", "kd_klpd": "D107", "kd_lpse": 93}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(World(seed=11, scale=0.2)) as s:
        yield s


def bandung(sim: Simulator) -> SimRegion:
    return sim.world.by_klpd["D107"]


def served(world: World, region: SimRegion, year: int = YEAR) -> dict[str, dict[str, Any]]:
    """ocid -> the world's tender, for every tender the export serves for the LPSE and year."""
    tenders = (world.tender(region, year, i) for i in range(world.count("tender")))
    return {ocid(t): t for t in tenders}


def n_participants(world: World, region: SimRegion, year: int = YEAR) -> int:
    return sum(len(world.participants(region, year, i)) for i in range(world.count("tender")))


def ocds_config(tmp: Path, sim: Simulator, regions: list[dict], ocds: dict[str, Any]) -> Config:
    sources: dict[str, Any] = {"ocds": {"enabled": True, "min_interval_seconds": 0, **ocds}}
    if regions:
        sources["isb"] = {"enabled": True, "satudata_url": f"{sim.url}/isb-2/api/satudata"}
    return make_config(tmp, sim.url, regions, extra={"sources": sources})


def query(cfg: Config, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(cfg.database_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_simulator_speaks_opentender(sim: Simulator) -> None:
    lpse = requests.get(f"{sim.url}/api/master/lpse/?year={YEAR}&format=json", timeout=10).json()
    codes = [row["code"] for row in lpse["results"]]
    assert sorted(set(codes)) == sorted(icw_code(r) for r in sim.world.regions)
    assert len(codes) > len(set(codes))  # codes repeat, as in the real list
    code = icw_code(bandung(sim))
    answer = requests.get(
        f"{sim.url}/api/tender/export-ocds-batch/?year={YEAR}&lpse={code}", timeout=10
    )
    assert answer.headers["Content-Type"] == "application/zip"
    valid, invalid = [], []
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        for name in archive.namelist():
            try:
                valid.append(json.loads(archive.read(name)))
            except ValueError:
                invalid.append(name)
    assert len(invalid) == 1
    ocids = {r["ocid"] for package in valid for r in package["releases"]}
    assert ocids == set(served(sim.world, bandung(sim)))
    unknown = requests.get(
        f"{sim.url}/api/tender/export-ocds-batch/?year={YEAR}&lpse=x", timeout=10
    )
    assert unknown.status_code == 404


def test_opentender_night_lands_merges_quarantines_and_reruns_unchanged(
    sim: Simulator, tmp_path: Path
) -> None:
    region = bandung(sim)
    code = icw_code(region)
    cfg = ocds_config(tmp_path, sim, [], {"opentender_url": sim.url, "opentender_lpse": [code]})
    summary = run_plain(cfg)
    assert summary.ok, summary.failed
    expected = served(sim.world, region)

    rows = query(cfg, "SELECT key, region, year, payload FROM raw.ocds_compiled_release")
    assert {r[0] for r in rows} == set(expected)
    assert {(r[1], r[2]) for r in rows} == {(f"opentender-{code}", YEAR)}
    compiled = {r[0]: json.loads(r[3]) for r in rows}
    won = [o for o, t in expected.items() if t["status"] == "Selesai" and t["n_offers"]]
    assert won
    for o in won:  # merged: the tender release's fields and the award release's, together
        release = compiled[o]
        assert release["tender"]["title"] == expected[o]["title"]
        assert release["tender"]["status"] == "complete"
        assert [a["status"] for a in release["awards"]] == ["active"]
        statuses = {b["status"] for b in release["bids"]["details"] if "value" in b}
        assert statuses == {"valid"}

    tenders = query(
        cfg,
        "SELECT source_id, source, title, hps, n_bids FROM main.tenders WHERE source = 'ocds'",
    )
    assert {t[0] for t in tenders} == set(expected)  # OCDS alone: the ocid is the source_id
    by_id = {t[0]: t for t in tenders}
    for o, t in expected.items():
        assert by_id[o][2] == t["title"]
        assert float(by_id[o][3]) == pytest.approx(t["hps"])
        assert by_id[o][4] == t["n_offers"]
    n_bids = query(cfg, "SELECT count(*) FROM main.bids WHERE source = 'ocds'")[0][0]
    assert n_bids == n_participants(sim.world, region)

    quarantined = query(cfg, "SELECT source, region, year, reason FROM main.quarantine")
    assert len(quarantined) == 1
    source, qregion, qyear, reason = quarantined[0]
    assert (source, qregion, qyear) == ("ocds", f"opentender-{code}", YEAR)
    assert "amendment.json: invalid JSON" in reason
    [landed] = summary.landed
    assert (landed.n_records, landed.n_new, landed.n_quarantined) == (len(expected),) * 2 + (1,)

    before = checksums(cfg.database_path)
    again = run_plain(cfg)
    assert again.ok
    assert [(r.n_new, r.n_changed) for r in again.landed] == [(0, 0)]
    assert checksums(cfg.database_path) == before
    assert query(cfg, "SELECT count(*) FROM main.quarantine")[0][0] == 1


def test_a_package_isb_also_describes_shows_once(sim: Simulator, tmp_path: Path) -> None:
    region = bandung(sim)
    cfg = ocds_config(
        tmp_path,
        sim,
        [BANDUNG],
        {"opentender_url": sim.url, "opentender_lpse": [icw_code(region)]},
    )
    summary = run_plain(cfg)
    assert summary.ok, summary.failed
    codes = {str(t["code"]) for t in served(sim.world, region).values()}
    rows = query(
        cfg,
        "SELECT source_id, count(*), any_value(source), any_value(sources) FROM main.tenders "
        "WHERE kind = 'tender' AND source_id IN (SELECT unnest(?)) GROUP BY source_id",
        [sorted(codes)],
    )
    assert {r[0] for r in rows} == codes
    assert {(r[1], r[2], tuple(r[3])) for r in rows} == {(1, "isb", ("isb", "ocds"))}
    # No row of its own for an ocid, and the bids are ISB's (no duplicates from OCDS).
    assert query(cfg, "SELECT count(*) FROM main.tenders WHERE source = 'ocds'")[0][0] == 0
    assert query(cfg, "SELECT count(*) FROM main.bids WHERE source = 'ocds'")[0][0] == 0


def test_publication_file_beside_the_config(sim: Simulator, tmp_path: Path) -> None:
    region = bandung(sim)
    folder = tmp_path / "ocds"
    folder.mkdir()
    (folder / "bandung.zip").write_bytes(OpentenderService(sim.world).export(region, YEAR))
    cfg = ocds_config(tmp_path, sim, [], {"publications": ["ocds/bandung.zip", "ocds/gone.json"]})
    cfg = dataclasses.replace(cfg, path=tmp_path / "pantau.toml")  # read beside this file
    summary = run_plain(cfg)

    assert [label for label, _ in summary.failed] == ["ocds/publication gone.json"]
    assert "not found" in summary.failed[0][1]
    keys = query(cfg, "SELECT key FROM raw.ocds_compiled_release WHERE region = 'bandung.zip'")
    assert {k for (k,) in keys} == set(served(sim.world, region))
    years = query(cfg, "SELECT DISTINCT year FROM main.tenders WHERE source = 'ocds'")
    assert years == [(YEAR,)]  # no batch year: the year of datePublished
    reasons = query(cfg, "SELECT reason FROM main.quarantine WHERE region = 'bandung.zip'")
    assert len(reasons) == 1
    assert "amendment.json: invalid JSON" in reasons[0][0]


def test_without_opentender_lpse_nothing_is_pulled(sim: Simulator, tmp_path: Path) -> None:
    cfg = ocds_config(tmp_path, sim, [], {"opentender_url": sim.url})
    summary = steps.RunSummary("r", date(2025, 6, 1), datetime.now(UTC))
    assert steps.plan(cfg, [], [YEAR], summary) == []
    assert len(summary.notices) == 1
    assert "opentender_lpse" in summary.notices[0]
    cfg = ocds_config(tmp_path, sim, [], {"opentender_lpse": ["7", "9"]})
    jobs = steps.plan(cfg, [], [2024, 2025], summary)
    assert [(j.dataset, j.scope, j.year) for j in jobs] == [
        ("opentender", "opentender-7", 2024),
        ("opentender", "opentender-9", 2024),
        ("opentender", "opentender-7", 2025),
        ("opentender", "opentender-9", 2025),
    ]
    assert {j.target for j in jobs} == {"https://opentender.net"}
    assert [j.params["lpse"] for j in jobs] == ["7", "9", "7", "9"]
