"""Scale-out (issue 8): simulator latency for crawl benchmarks, the task-runner setting (threads
or a Dask cluster), and Parquet landing giving the same tables as landing in DuckDB."""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
import requests
from pantau.connectors.base import Batch, SourceError
from pantau.flows import steps
from pantau.flows.config import ConfigError, load_config
from pipeline_helpers import isb_secrets, make_config, run_plain

from pantau.simulator.server import Simulator
from pantau.simulator.world import World

MASTER = "/isb-2/api/satudata/MasterLPSE"


def test_simulator_latency_is_added_to_every_source_request() -> None:
    with Simulator(World(seed=1, scale=0.01), latency=0.2) as sim:
        started = time.perf_counter()
        requests.get(sim.url + MASTER, timeout=5).raise_for_status()
        slow = time.perf_counter() - started
        started = time.perf_counter()
        requests.get(sim.url + "/_sim/stats", timeout=5).raise_for_status()  # admin: no latency
        admin = time.perf_counter() - started
    with Simulator(World(seed=1, scale=0.01)) as sim:  # default: none
        started = time.perf_counter()
        requests.get(sim.url + MASTER, timeout=5).raise_for_status()
        fast = time.perf_counter() - started
    assert slow >= 0.2
    assert admin < 0.15
    assert fast < 0.15


# --- the task runner: threads by default, a Dask cluster when configured ---------------------


def _write_config(folder: Path, url: str, regions: list[dict], run: dict) -> tuple[Path, Path]:
    cfg = make_config(folder, url, regions, extra={"run": {"years": [2025], **run}})
    lines = [f'[database]\npath = "{cfg.database_path}"\n', "[run]", "years = [2025]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in run.items()]
    lines += ["", "[sources.isb]", "enabled = true",
              f'satudata_url = "{url}/isb-2/api/satudata"', "", "[http]",
              "min_interval_seconds = 0", "max_attempts = 2", "timeout_seconds = 30"]
    for r in regions:
        lines += ["", "[[regions]]"] + [f"{k} = {json.dumps(v)}" for k, v in r.items()]
    config, secrets = folder / "pantau.toml", folder / "secrets.toml"
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    datasets = isb_secrets(url)["isb"]["datasets"]
    secrets.write_text("[isb.datasets]\n" + "".join(
        f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in datasets.items()), encoding="utf-8")
    return config, secrets


def test_task_runner_is_a_setting(tmp_path: Path) -> None:
    from pantau.flows.nightly import task_runner  # noqa: PLC0415 - Prefect is slow to import

    def runner(run: dict) -> object:
        return task_runner(make_config(tmp_path, "http://127.0.0.1:1", [],
                                       extra={"run": {"years": [2025], **run}}))

    assert type(runner({})).__name__ == "ThreadPoolTaskRunner"
    assert runner({"max_workers": 3})._max_workers == 3
    with pytest.raises(ConfigError, match="threads"):
        runner({"task_runner": "processes"})
    if importlib.util.find_spec("prefect_dask"):
        dask = runner({"task_runner": "dask", "dask_address": "tcp://127.0.0.1:8786"})
        assert type(dask).__name__ == "DaskTaskRunner"
        assert dask.address == "tcp://127.0.0.1:8786"


def test_fetches_fan_out_per_source_region_and_year(tmp_path: Path) -> None:
    """One task per (source, region, year), in plan order; a job that fails inside its group is
    returned in its place and the group's other jobs still give their batches."""
    world = World(seed=1, scale=0.01)
    regions = [{"name": r.nama_klpd, "kd_klpd": r.kd_klpd, "kd_lpse": r.kd_lpse}
               for r in world.regions[:2]]
    with Simulator(world) as sim:
        secrets = isb_secrets(sim.url)
        datasets = secrets["isb"]["datasets"]
        broken = "SPSE-TenderSelesai"
        datasets[broken] = datasets[broken].replace("SPSE-TenderSelesai/", "NoSuchDataset/")
        cfg = make_config(tmp_path, sim.url, regions, secrets=secrets,
                          extra={"run": {"years": [2024, 2025]}})
        summary = steps.RunSummary("t", date(2025, 10, 4), started_at=None)  # type: ignore[arg-type]
        jobs = steps.plan(cfg, list(cfg.regions), [2024, 2025], summary)
        groups = steps.group_jobs(jobs)
        assert len(groups) == 4  # 2 regions x 2 years
        assert sorted((j for g in groups for j in g), key=jobs.index) == jobs  # each job once
        assert all(list(g) == sorted(g, key=jobs.index) for g in groups)  # in plan order
        assert all(len({(j.source, j.scope, j.year) for j in g}) == 1 for g in groups)
        outcomes = steps.extract_group(groups[0], cfg)
    by_dataset = dict(zip((j.dataset for j in groups[0]), outcomes, strict=True))
    assert isinstance(by_dataset[broken], SourceError)
    others = [o for d, o in by_dataset.items() if d != broken]
    assert all(isinstance(o, Batch) for o in others)
    assert sum(len(o.keys) for o in others) > 0


@pytest.mark.slow
@pytest.mark.prefect
def test_nightly_flow_fetches_on_a_local_dask_cluster(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("prefect_dask")
    from pantau.flows.nightly import nightly, task_runner  # noqa: PLC0415 - Prefect is slow to import

    world = World(seed=1, scale=0.05)
    regions = [{"name": r.nama_klpd, "kd_klpd": r.kd_klpd, "kd_lpse": r.kd_lpse}
               for r in world.regions[:2]]
    counts = {}
    runs = {"dask": {"task_runner": "dask"},
            # Dask workers write the Parquet partitions themselves: no shared writer.
            "dask-parquet": {"task_runner": "dask", "landing": "parquet"},
            "threads": {"task_runner": "threads"}}
    with Simulator(world) as sim:
        for name, run in runs.items():
            config, secrets = _write_config(tmp_path / name, sim.url, regions,
                                            {**run, "dask_workers": 2, "max_workers": 2})
            monkeypatch.setenv("PANTAU_SECRETS", str(secrets))
            runner = task_runner(load_config(config))
            summary = nightly.with_options(task_runner=runner)(str(config))
            assert summary.ok, summary.failed
            counts[name] = _table_checksums(tmp_path / name / "pantau.duckdb")
    assert type(runner).__name__ == "ThreadPoolTaskRunner"
    assert counts["dask"] == counts["threads"] == counts["dask-parquet"]
    assert counts["dask"]["core.processes"][0] > 0
    assert list((tmp_path / "dask-parquet" / "raw-parquet" / "isb").glob("*/2025/*.parquet"))


def _table_checksums(db: Path, schemas: tuple[str, ...] = ("core",)) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every table (provenance columns aside)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
            f"({', '.join(repr(s) for s in schemas)}) ORDER BY 1, 2").fetchall()
        out = {}
        for schema, table in tables:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND "
                "table_name = ? ORDER BY column_index", [schema, table]).fetchall()]
            keep = [c for c in columns if c not in PROVENANCE]
            select = ", ".join(f'"{c}"' for c in keep)
            row = con.execute(
                f"SELECT count(*), sum(hash(({select}))) FROM {schema}.{table}").fetchone()
            out[f"{schema}.{table}"] = row
        return out
    finally:
        con.close()


PROVENANCE = {"fetched_at", "run_id", "source_url", "landed_at", "built_at", "generated_at",
              "taken_at",
              # raw versions (issue 16): which run saw a version come and go, and when
              "first_seen_run", "first_seen_at", "last_seen_run", "vanished_run", "seen_at",
              # and the events' numbering: one statement numbers the events of all the answers
              # of a raw table landed together (models/loader.py), a partition those of its
              # own answer, so the order across answers follows how many land in one
              # transaction; a record's own events are in order either way
              "seq"}


# --- Parquet landing -------------------------------------------------------------------------


def test_parquet_landing_gives_the_same_tables(tmp_path: Path) -> None:
    world = World(seed=3, scale=0.1)
    regions = [{"name": r.nama_klpd, "kd_klpd": r.kd_klpd, "kd_lpse": r.kd_lpse}
               for r in world.regions[:2]]
    sums = {}
    with Simulator(world) as sim:
        for landing in ("duckdb", "parquet"):
            cfg = make_config(tmp_path / landing, sim.url, regions,
                              extra={"run": {"years": [2025], "landing": landing}})
            for _night in range(2):  # the second night upserts onto the first
                summary = run_plain(cfg, run_date=date(2025, 6, 1))
                assert summary.ok, summary.failed
                sim.route("POST", "/_sim/advance", {})
            sim.world.generation = 0
            sums[landing] = _table_checksums(cfg.database_path, ("raw", "core"))
    assert sums["parquet"] == sums["duckdb"]
    assert sums["parquet"]["raw.isb_peserta_tender"][0] > 0
    parts = sorted((tmp_path / "parquet" / "raw-parquet").rglob("*.parquet"))
    relative = {p.relative_to(tmp_path / "parquet" / "raw-parquet").parts[:3] for p in parts}
    assert ("isb", "SPSE-PesertaTender", "2025") in relative
    assert {p.stem for p in parts} == {"D107", "D901"}
    # DuckDB reads the partitions in place: the records are the raw table's latest content.
    con = duckdb.connect()
    n = con.execute("SELECT count(*) FROM read_parquet(?)",
                    [str(tmp_path / "parquet" / "raw-parquet" / "isb" / "*" / "*" / "*.parquet")]
                    ).fetchone()
    assert n is not None
    assert n[0] > 0


def test_landing_setting_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="parquet"):
        make_config(tmp_path, "http://127.0.0.1:1", [],
                    extra={"run": {"years": [2025], "landing": "s3"}})
