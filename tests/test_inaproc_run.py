"""Issue 14 acceptance: nights fed by the INAPROC gateway.

The real Kab. Bandung ISB captures (read in place) are served by the simulator's gateway in v1
shape (several pages per dataset) and legacy shape, with the gateway's quirks (masking, the
invisible block, omitted nulls, shuffled keys, older tender versions, last_update_ref). The
gateway answers per K/L/PD, so kode_klpd=D107 leaves out PDAM Tirta Raharja (B154), which ISB's
per-LPSE answers carry. Expected figures are computed from the capture files.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pantau.connectors import inaproc, isb
from pantau.connectors.base import Provenance
from pantau.flows.config import Config
from pantau.models import partitions
from pantau.models.db import open_warehouse
from pantau.models.loader import land
from pantau.models.publish import publish
from pantau.models.transform import build
from pipeline_helpers import isb_secrets, make_config, run_plain

from pantau.simulator.faults import FaultPlan
from pantau.simulator.inaproc import SIM_TOKEN, Grant
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

TOKEN = "test-inaproc-token-6a2e90d4c1"  # noqa: S105 - a made-up token
BANDUNG = [{"name": "Kab. Bandung", "kd_klpd": "D107", "kd_lpse": 93}]
RUN_DATE = date(2025, 10, 4)
COMPARED = ("tenders", "bids", "flags", "agency_metrics")
ISB_TENDER_DATASETS = ("SPSE-TenderPengumuman", "SPSE-PesertaTender")
# The issue's figures for kode_klpd=D107 (the ISB path, per LPSE: 92, 2386, 4222 / 175 / 69, 28).
ISSUE = {"tenders": 91, "non_tenders": 2386, "participants": 4187, "offers": 174, "winners": 68,
         "single_bid": 27}


def inaproc_config(tmp: Path, url: str, *, api: str = "v1", page_size: int = 250,
                   token: str | None = TOKEN, isb_too: bool = False,
                   regions: list[dict] | None = None, sections: dict[str, Any] | None = None,
                   **settings: Any) -> Config:
    """A night of [sources.inaproc] (``settings`` are its keys) over the given regions;
    ``sections`` adds or replaces whole sections of the config."""
    sources: dict[str, Any] = {"inaproc": {"enabled": True, "base_url": f"{url}/api", "api": api,
                                           "page_size": page_size, **settings}}
    secrets: dict[str, Any] = {"inaproc": {"token": token}} if token else {}
    if isb_too:
        sources["isb"] = {"enabled": True, "satudata_url": f"{url}/isb-2/api/satudata"}
        secrets |= isb_secrets(url, tuple(isb.BY_NAME[n] for n in ISB_TENDER_DATASETS))
    return make_config(tmp, url, regions or BANDUNG, secrets=secrets,
                       extra={"sources": sources, **(sections or {})})


@pytest.fixture(scope="module")
def replay_dir(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path) -> Path:
    """The captures, linked (not copied), plus the RUP sample as the RUP dataset."""
    out = tmp_path_factory.mktemp("captures")
    for path in bandung_dir.glob("*.json"):
        (out / path.name).symlink_to(path)
    (out / "RUP-PaketPenyedia-Terumumkan.json").symlink_to(
        bandung_dir / "RUP-PaketPenyedia-Terumumkan.sample25.json")
    return out


def d107(dir_: Path, name: str) -> list[dict[str, Any]]:
    records = json.loads((dir_ / f"{name}.json").read_bytes())
    return [r for r in records if r.get("kd_klpd") == "D107"]


def expected_figures(dir_: Path) -> dict[str, int]:
    peserta = [r for r in d107(dir_, "SPSE-PesertaTender") if r.get("kd_peserta") is not None]
    offers = Counter(r["kd_tender"] for r in peserta if r.get("nilai_penawaran") is not None)
    tenders = {r["kd_tender"] for r in d107(dir_, "SPSE-TenderPengumuman")}
    return {
        "tenders": len(tenders),
        "non_tenders": len({r["kd_nontender"] for r in d107(dir_, "SPSE-NonTenderPengumuman")}),
        "participants": len(peserta),
        "offers": sum(offers.values()),
        "winners": sum(1 for r in peserta if r.get("pemenang") == 1),
        "single_bid": sum(1 for t in tenders if offers.get(t) == 1),
    }


def warehouse_figures(db: Path) -> dict[str, int]:
    sql = {
        "tenders": "SELECT count(*) FROM tenders WHERE kind = 'tender'",
        "non_tenders": "SELECT count(*) FROM tenders WHERE kind = 'non_tender'",
        "participants": "SELECT count(*) FROM bids",
        "offers": "SELECT count(*) FROM bids WHERE is_bid",
        "winners": "SELECT count(*) FROM bids WHERE is_winner",
        "single_bid": "SELECT count(*) FROM tenders WHERE kind = 'tender' AND n_bids = 1",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {k: con.execute(q).fetchone()[0] for k, q in sql.items()}  # type: ignore[index]


@pytest.fixture(scope="module")
def isb_reference(tmp_path_factory: pytest.TempPathFactory, replay_dir: Path) -> Path:
    """The ISB path on the same records (D107's), landed as the ISB connector lands them."""
    tmp = tmp_path_factory.mktemp("isb-d107")
    with open_warehouse(tmp / "w.duckdb") as con:
        for ds in isb.KEYED_DATASETS:
            path = replay_dir / f"{ds.name}.json"
            if path.exists():
                body = json.dumps(d107(replay_dir, ds.name)).encode()
                prov = Provenance("isb", f"file://{path.name}", datetime.now(UTC))
                land(con, isb.to_batch(ds, body, prov, region="D107", year=2025), "t")
        build(con, run_date=RUN_DATE)
    return publish(tmp / "w.duckdb", tmp / "analyst.duckdb")


@pytest.fixture(scope="module", params=["v1", "legacy"])
def night(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          replay_dir: Path) -> tuple[Any, Any, Simulator, str]:
    tmp = tmp_path_factory.mktemp(f"inaproc-{request.param}")
    logger = logging.getLogger()
    handler = _Capture()
    logger.addHandler(handler)
    try:
        with Simulator(replay=replay_dir, inaproc_tokens={TOKEN: Grant()}) as sim:
            cfg = inaproc_config(tmp, sim.url, api=request.param)
            summary = run_plain(cfg, RUN_DATE)
    finally:
        logger.removeHandler(handler)
    return cfg, summary, sim, "\n".join(handler.lines)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_night_lands_every_dataset(night: tuple[Any, Any, Simulator, str]) -> None:
    cfg, summary, sim, _ = night
    assert summary.failed == []
    assert {r.dataset for r in summary.landed} == set(inaproc.BY_PATH)
    assert all(r.n_quarantined == 0 for r in summary.landed)
    if cfg.sources["inaproc"].api == "v1":  # 4189 participant rows at 250 a page
        assert sim.requests["/api/v1/tender/peserta-tender"] == 17


def test_the_figures_of_the_issue(night: tuple[Any, Any, Simulator, str],
                                  replay_dir: Path) -> None:
    cfg, *_ = night
    assert expected_figures(replay_dir) == ISSUE
    assert warehouse_figures(cfg.analyst_path) == ISSUE


def _rows(db: Path, view: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = ? ORDER BY column_index", [view]).fetchall()
            if c not in {"source", "sources"}]
        listed = ", ".join(f'"{c}"' for c in columns)
        return con.execute(f"SELECT {listed} FROM main.{view} ORDER BY ALL").fetchall()


@pytest.mark.parametrize("view", COMPARED)
def test_the_same_rows_as_the_isb_path(night: tuple[Any, Any, Simulator, str],
                                       isb_reference: Path, view: str) -> None:
    cfg, *_ = night
    got, want = _rows(cfg.analyst_path, view), _rows(isb_reference, view)
    assert want
    assert got == want


@pytest.mark.parametrize("with_rup", [True, False])
def test_rup_data_lets_id_c04_fire(tmp_path: Path, replay_dir: Path, with_rup: bool) -> None:
    """The RUP sample of the captures announces no package late, so ID-C04 fires on codes
    missing from the K/L/PD's SiRUP data (id_c04_flag_code_not_in_sirup): which it can only
    do with RUP data landed."""
    datasets = ["tender/pengumuman", "tender/non-tender-pengumuman"]
    datasets += ["rup/paket-penyedia-terumumkan"] * with_rup
    with Simulator(replay=replay_dir, inaproc_tokens={TOKEN: Grant()}) as sim:
        cfg = inaproc_config(tmp_path, sim.url, datasets=datasets, sections={
            "indicators": {"id_c04_flag_code_not_in_sirup": True}})
        assert run_plain(cfg, RUN_DATE).ok
    plans = {str(r["kd_rup"]) for r in d107(replay_dir, "RUP-PaketPenyedia-Terumumkan")}
    missing = set()
    for name, key in (("SPSE-TenderPengumuman", "kd_tender"),
                      ("SPSE-NonTenderPengumuman", "kd_nontender")):
        for r in d107(replay_dir, name):
            codes = [c.strip() for c in str(r.get("kd_rup") or "").split(";") if c.strip()]
            if any(c not in plans for c in codes):
                missing.add(str(r[key]))
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        flagged = {sid for (sid,) in con.execute(
            "SELECT source_id FROM flags WHERE code = 'ID-C04' "
            "AND description LIKE '%not in the SiRUP data%'").fetchall()}
        plan_sources = con.execute("SELECT DISTINCT source FROM core.plans").fetchall()
    assert flagged == (missing if with_rup else set())
    assert plan_sources == ([("inaproc",)] if with_rup else [])
    assert len(missing) < ISSUE["tenders"] + ISSUE["non_tenders"]  # the sample's codes match


def _text_columns(con: duckdb.DuckDBPyConnection, *,
                  views_only: bool) -> list[tuple[str, str, str]]:
    kinds = "('VARCHAR', 'JSON', 'BLOB')" if not views_only else "('VARCHAR')"
    where = "schema_name = 'main'" if views_only else "TRUE"
    return con.execute(
        f"SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE {where} "
        f"AND data_type IN {kinds} AND NOT internal").fetchall()


def test_no_token_in_the_database_or_the_output(night: tuple[Any, Any, Simulator, str]) -> None:
    cfg, summary, _, logs = night
    assert TOKEN not in summary.markdown()
    assert TOKEN not in logs
    for db in (cfg.database_path, cfg.analyst_path):
        with duckdb.connect(str(db), read_only=True) as con:
            tables: dict[tuple[str, str], list[str]] = {}
            for schema, table, column in _text_columns(con, views_only=False):
                tables.setdefault((schema, table), []).append(f'CAST("{column}" AS VARCHAR)')
            assert ("raw", "inaproc_peserta_tender") in tables
            for (schema, table), columns in tables.items():
                hit = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" '
                    f"WHERE contains(concat_ws('|', {', '.join(columns)}), ?)", [TOKEN]).fetchone()
                assert hit == (0,), (schema, table)


def test_no_invisible_characters_in_the_analyst_views(
        night: tuple[Any, Any, Simulator, str]) -> None:
    cfg, *_ = night
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        # The gateway did send them (test_the_gateway_sent_the_quirks_the_night_undid).
        columns = _text_columns(con, views_only=True)
        assert ("main", "tenders", "klpd_name") in columns
        for schema, table, column in columns:
            hit = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE regexp_matches("{column}", '
                "'[\u200b-\u200d\u2060-\u2064\ufeff]')").fetchone()
            assert hit == (0,), (table, column)


def test_the_gateway_sent_the_quirks_the_night_undid(replay_dir: Path) -> None:
    """What the stand-in serves is quirky (else the tests above would prove little)."""
    with Simulator(replay=replay_dir, inaproc_tokens={TOKEN: Grant()}) as sim:
        records = [r for _, r in sim.inaproc.records("tender/pengumuman", "D107", 2025, TOKEN)]
    assert len(records) > ISSUE["tenders"]  # older versions beside the latest
    assert all(inaproc.INVISIBLE.search(r["nama_klpd"]) for r in records)
    assert all("last_update_ref" in r for r in records)
    assert any("*" in r.get("nama_ppk", "") for r in records)
    assert len({tuple(r) for r in records}) > 1  # key orders differ


def test_a_package_isb_and_inaproc_both_describe_shows_once(
        tmp_path: Path, replay_dir: Path) -> None:
    with Simulator(replay=replay_dir, inaproc_tokens={TOKEN: Grant()}) as sim:
        cfg = inaproc_config(tmp_path, sim.url, isb_too=True,
                             datasets=["tender/pengumuman", "tender/peserta-tender"])
        summary = run_plain(cfg, RUN_DATE)
    assert not [f for f in summary.failed if f[0].startswith("inaproc/")]
    pengumuman = json.loads((replay_dir / "SPSE-TenderPengumuman.json").read_bytes())
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        rows = dict(con.execute("SELECT source_id, sources FROM tenders WHERE kind = 'tender'"
                                ).fetchall())
        n_bids = con.execute("SELECT count(*) FROM bids").fetchone()[0]  # type: ignore[index]
    assert set(rows) == {str(r["kd_tender"]) for r in pengumuman}  # ISB's 92, once each
    for r in pengumuman:
        want = ["inaproc", "isb"] if r["kd_klpd"] == "D107" else ["isb"]
        assert rows[str(r["kd_tender"])] == want
    peserta = json.loads((replay_dir / "SPSE-PesertaTender.json").read_bytes())
    assert n_bids == sum(1 for r in peserta if r.get("kd_peserta") is not None)  # not twice


# --- failures -------------------------------------------------------------------------------


def _api_requests(sim: Simulator) -> int:
    return sum(n for path, n in sim.requests.items() if path.startswith("/api/"))


def test_the_firewall_fails_the_run_once_with_its_reason(tmp_path: Path) -> None:
    with Simulator(World(), inaproc_firewall=True, inaproc_tokens={TOKEN: Grant()}) as sim:
        summary = run_plain(inaproc_config(tmp_path, sim.url))
    assert not summary.ok
    assert len(summary.failed) == len(inaproc.DATASETS)
    assert all("firewall" in reason for _, reason in summary.failed)
    assert _api_requests(sim) == 1  # no retry storm: the other datasets were not asked


def test_a_run_without_a_token_says_token(tmp_path: Path) -> None:
    with Simulator(World()) as sim:
        summary = run_plain(inaproc_config(tmp_path, sim.url, token=None))
    assert not summary.ok
    assert {reason.split(": ", 1)[1] for _, reason in summary.failed} == {inaproc.NO_TOKEN}
    assert _api_requests(sim) == 0


def test_a_dataset_not_granted_is_skipped_and_the_others_land(tmp_path: Path) -> None:
    datasets = ["tender/pengumuman", "tender/peserta-tender", "tender/tender-selesai"]
    granted = frozenset(inaproc.BY_PATH) - {"tender/peserta-tender"}
    with Simulator(World(), inaproc_tokens={TOKEN: Grant(apis=granted)}) as sim:
        summary = run_plain(inaproc_config(tmp_path, sim.url, datasets=datasets))
    assert not summary.ok
    ((label, reason),) = summary.failed
    assert label == "inaproc/tender/peserta-tender D107 2025"
    assert "HTTP 403" in reason
    assert "not granted" in reason
    assert {r.dataset for r in summary.landed} == set(datasets) - {"tender/peserta-tender"}
    with duckdb.connect(str(tmp_path / "pantau-analyst.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tenders WHERE kind = 'tender'").fetchone()[0]


def test_a_token_scoped_to_one_klpd_gets_no_data_for_another(tmp_path: Path) -> None:
    world = World()
    other = world.regions[1]
    regions = [*BANDUNG, {"name": other.nama_klpd, "kd_klpd": other.kd_klpd,
                          "kd_lpse": other.kd_lpse}]
    with Simulator(world, inaproc_tokens={TOKEN: Grant(klpd=frozenset({"D107"}))}) as sim:
        summary = run_plain(inaproc_config(tmp_path, sim.url, regions=regions,
                                           datasets=["tender/pengumuman"]))
    assert summary.ok
    by_region = {r.region: r.n_records for r in summary.landed}
    assert by_region[other.kd_klpd] == 0
    assert by_region["D107"] > 0


def test_a_night_under_gateway_faults_lands_the_same(tmp_path: Path) -> None:
    datasets = ["tender/pengumuman", "rup/paket-penyedia-terumumkan"]
    with Simulator(World()) as sim:
        clean_cfg = inaproc_config(tmp_path / "clean", sim.url, token=SIM_TOKEN, page_size=10,
                                   datasets=datasets)
        clean = run_plain(clean_cfg, RUN_DATE)
    faults = FaultPlan(0.2, seed=3, kinds=("http_500", "http_503", "truncated"))
    with Simulator(World(), faults=faults) as sim:
        cfg = inaproc_config(tmp_path / "faulty", sim.url, token=SIM_TOKEN, page_size=10,
                             datasets=datasets, sections={"http": {
                                 "min_interval_seconds": 0, "backoff_seconds": 0.01,
                                 "max_attempts": 10, "timeout_seconds": 5}})
        faulty = run_plain(cfg, RUN_DATE)
    assert clean.ok
    assert faulty.ok, faulty.failed
    assert faults.injected["rate_limited"] > 0  # 429 with Retry-After and X-RateLimit-*
    assert sum(faults.injected.values()) > faults.injected["rate_limited"]
    assert warehouse_figures(cfg.analyst_path) == warehouse_figures(clean_cfg.analyst_path)


def test_a_region_name_the_gateway_disagrees_with_is_a_notice(tmp_path: Path) -> None:
    world = World()
    named_wrong = [{"name": "Kota Atlantis", "kd_klpd": "D107", "kd_lpse": 93}]
    with Simulator(world, inaproc_tokens={TOKEN: Grant()}) as sim:
        summary = run_plain(inaproc_config(tmp_path, sim.url, regions=named_wrong,
                                           datasets=["rup/master-satker"]))
    assert summary.ok
    name = world.by_klpd["D107"].nama_klpd
    assert summary.notices == [(f"inaproc: Kota Atlantis has kd_klpd D107, which LKPP's satker "
                                f"list names {name!r}: check the code")]


@pytest.mark.parametrize("landing", ["duckdb", "parquet"])
def test_a_new_last_update_ref_alone_lands_as_no_change(tmp_path: Path, replay_dir: Path,
                                                        landing: str) -> None:
    """The loader compares the connector's change hash (without last_update_ref), in either
    landing: the second night's record is no change, and is not rewritten."""
    record = d107(replay_dir, "SPSE-NonTenderSelesai")[0]
    ds = inaproc.BY_PATH["tender/non-tender-selesai"]
    results = []
    with open_warehouse(tmp_path / "w.duckdb") as con:
        for night, ref in enumerate(("d9f02209.rkvd0C5x4Wfh_LH7", "5c1e0a7b.Q2w3e4r5t6y7u8i9")):
            prov = Provenance("inaproc", "http://127.0.0.1/x", datetime.now(UTC))
            batch = inaproc.to_batch(ds, [{**record, "last_update_ref": ref}], prov,
                                     region="D107", year=2025)
            if landing == "parquet":
                batch = partitions.write(batch, tmp_path / "parquet")
            results.append(land(con, batch, f"night-{night}"))
        stored = con.execute("SELECT payload->>'last_update_ref' "
                             "FROM raw.inaproc_non_tender_selesai").fetchall()
    assert [(r.n_new, r.n_changed) for r in results] == [(1, 0), (0, 0)]
    assert stored == [("d9f02209.rkvd0C5x4Wfh_LH7",)]  # unchanged content is not rewritten
