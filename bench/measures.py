"""The six measures of issue 8, each with the floor it is compared against (same run, same data).

- load: fetch + land + build core, against DuckDB ``read_json`` of the same files into tables;
- indicators: the sql/indicators stage, against one full scan of every core table;
- quiet night: the next night, every answer byte-identical, against the first night (and the
  re-download alone, its floor);
- 1% night: a night after one simulator generation (1% of packages changed), against the first
  night;
- crawl: fetching every job from a simulator that waits 50 ms per request, against
  requests x latency / allowed concurrency;
- memory: peak RSS of the night process;
- orchestration: the Prefect flow, against the same steps called as plain functions.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Self

import duckdb
import requests
from pantau.connectors import http as http_layer
from pantau.connectors import isb, spse
from pantau.connectors.base import Job
from pantau.flows import steps
from pantau.flows.config import Config, build_config, load_config
from pantau.models import transform

from bench import data, setup
from bench.sim import SimulatorProcess
from pantau.simulator.world import World

ROOT = Path(__file__).resolve().parent.parent


def run_night(config: Path, secrets: Path, mode: str = "plain", log: Path | None = None,
              env: dict[str, str] | None = None, days_later: int = 0) -> dict:
    """One night in a fresh process (its own peak RSS), ``days_later`` than today; returns its
    timings."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PANTAU_SECRETS": str(secrets), **(env or {})}
    run_date = date.today() + timedelta(days=days_later)  # noqa: DTZ011 - the night's local date
    proc = subprocess.run(
        [sys.executable, "-m", "bench.night", "--config", str(config), "--secrets", str(secrets),
         "--mode", mode, "--run-date", run_date.isoformat()],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if log:
        log.write_text(proc.stdout[-20000:] + "\n--- stderr ---\n" + proc.stderr[-20000:])
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise RuntimeError(f"night ({mode}) failed: {proc.stderr[-3000:]}")


def load_floor(root: Path, folder: Path) -> dict[str, Any]:
    """DuckDB alone: every answer file read with read_json into one table per dataset."""
    db = folder / "floor.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    started = time.perf_counter()
    rows = 0
    for dataset in sorted(p.name for p in (root / "gen0").iterdir() if p.is_dir()):
        table = dataset.replace("-", "_").lower()
        pattern = str(root / "gen0" / dataset / "*" / "*.json")
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_json('{pattern}', "
                    "format = 'array', union_by_name = true, sample_size = -1)")
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        rows += int(row[0]) if row else 0
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    con.close()
    db.unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows}


def indicators(db: Path, runs: int = 3) -> dict[str, Any]:
    """The indicator stage over the night's core tables, and one full scan of those tables,
    ``runs`` times each in turn; the medians are the figures (the stage alone moved from 7.5x to
    10.9x its scan in runs of the same code on this shared machine), every run is kept.

    Both are timed over a warm buffer pool, as a night runs the stage: right after building core
    on the same connection. One untimed scan first reads the tables in; without it the stage
    (timed first) paid for reading the file and the scan (timed after it) did not. Each run of
    the stage is rolled back, so every run starts from the night's warehouse.
    """
    con = duckdb.connect(str(db))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET VARIABLE run_date = $d", {"d": date.today()})  # noqa: DTZ011
    con.execute("SET VARIABLE run_id = 'bench'")
    # The floor scans what the indicators read: every table the core stage builds.
    built = {name.removeprefix("core.") for path in transform.sql_files("core")
             for name in transform.declared(path, "creates") if name.startswith("core.")}
    tables = sorted(r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core'").fetchall()
        if r[0] in built)

    def scan() -> float:
        started = time.perf_counter()
        for table in tables:
            con.execute(f"SELECT count(*), sum(hash(t)) FROM core.{table} AS t").fetchall()
        return time.perf_counter() - started

    def stage() -> tuple[float, dict[str, float]]:
        con.execute("BEGIN TRANSACTION")
        started = time.perf_counter()
        per_file = {}
        for path in files:
            t = time.perf_counter()
            con.execute(path.read_text(encoding="utf-8"))
            per_file[path.name] = round(time.perf_counter() - t, 3)
        seconds = time.perf_counter() - started
        con.execute("ROLLBACK")
        return seconds, per_file

    files = transform.sql_files("indicators")
    scan()  # warm-up, untimed
    measured = []
    for _ in range(runs):
        seconds, per_file = stage()
        measured.append({"seconds": seconds, "scan_seconds": scan(), "per_file": per_file})
    rows = con.execute("SELECT count(*) FROM core.processes").fetchone()
    con.close()
    median = sorted(measured, key=lambda m: m["seconds"])[len(measured) // 2]
    return {"seconds": median["seconds"],
            "scan_seconds": statistics.median(m["scan_seconds"] for m in measured),
            "files": list(median["per_file"]), "per_file": median["per_file"],
            "runs": [{k: m[k] for k in ("seconds", "scan_seconds")} for m in measured],
            "core_tables": tables, "processes": rows[0] if rows else 0}


def crawl(source: str = "isb", n_regions: int = 20, latency: float = 0.05,
          concurrency: int = 4, scale: float = 0.02) -> dict[str, Any]:
    """Every job of ``source`` (isb: the keyed datasets; spse: listing + detail pages of every
    list) for n_regions, against the simulator with ``latency`` per request."""
    world = World(seed=1, scale=scale, extra_regions=max(0, n_regions - 3))
    world.regions = world.regions[:n_regions]
    with SimulatorProcess(n_regions, scale, latency) as sim:
        http = {"min_interval_seconds": 0, "per_host_concurrency": concurrency,
                "max_attempts": 2, "timeout_seconds": 30}
        raw = {"database": {"path": "/nonexistent/unused.duckdb"},
               "run": {"years": [data.YEAR], "max_workers": concurrency},
               "regions": [{"name": r.nama_klpd, "kd_klpd": r.kd_klpd, "kd_lpse": r.kd_lpse,
                            "spse_slug": r.slug} for r in world.regions],
               "sources": {"isb": {"enabled": True,
                                   "satudata_url": f"{sim.url}/isb-2/api/satudata"},
                           "spse": {"enabled": True, "base_url": sim.url,
                                    "min_interval_seconds": 0,
                                    "per_host_concurrency": concurrency}},
               "http": http}
        cfg = build_config(raw, secrets=_secrets_dict(sim.url))
        http_layer._gates.clear()  # noqa: SLF001 - a fresh per-host gate for this concurrency
        summary = steps.RunSummary("bench", date.today(), started_at=None)  # type: ignore[arg-type]  # noqa: DTZ011
        regions, years = list(cfg.regions), [data.YEAR]
        jobs = [j for j in steps.plan(cfg, regions, years, summary) if j.source == source]
        before = sim.requests_served()
        started = time.perf_counter()
        # As the night fans out: one task per (source, region, year), its jobs in turn.
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            def fan_out(jobs: list[Job]) -> list[steps.Outcome]:
                return [o for group in pool.map(functools.partial(steps.extract_group, cfg=cfg),
                                                steps.group_jobs(jobs)) for o in group]

            outcomes = fan_out(jobs)
            if source == "spse":  # its second round: every listed package's detail pages
                details = [replace(job, dataset=f"detail/{job.dataset}",
                                   details=tuple(spse.wanted(o[0])))
                           for job, o in zip(jobs, outcomes, strict=True) if isinstance(o, list)]
                outcomes += fan_out(details)
                jobs += details
        seconds = time.perf_counter() - started
        n_requests = sim.requests_served() - before
    failed = [o for o in outcomes if isinstance(o, Exception)]
    if failed:
        raise RuntimeError(f"{len(failed)} crawl jobs failed, e.g. {failed[0]!r}")
    flat = [b for x in outcomes for b in (x if isinstance(x, list) else [x])]
    return {"source": source, "seconds": seconds, "requests": n_requests, "latency": latency,
            "concurrency": concurrency, "bound": n_requests * latency / concurrency,
            "jobs": len(jobs), "groups": len(steps.group_jobs(jobs)),
            "records": sum(len(b.keys) for b in flat),
            "rejected": sum(len(b.rejected) for b in flat),
            "loadavg": round(os.getloadavg()[0], 1),
            "what": ("ISB keyed datasets" if source == "isb"
                     else "SPSE listings + detail pages")}


def _secrets_dict(url: str) -> dict:
    import tomllib  # noqa: PLC0415

    return tomllib.loads(setup.secrets_toml(url))


def nights(n_regions: int, folder: Path, *, run: dict[str, Any] | None = None,
           logs: Path | None = None) -> dict[str, Any]:
    """First night, floor, indicators; the next night with every answer byte-identical (and
    the re-download alone, its floor); then a night after one generation (1% changed)."""
    root = data.render(n_regions, 0)
    data.render(n_regions, 1)
    w = data.world(n_regions)
    shutil.rmtree(folder, ignore_errors=True)
    out: dict[str, Any] = {"regions": n_regions, "records": data.manifest(root, 0)["records"]}
    with data.ServerProcess(root, n_regions) as server:
        config, secrets = setup.write_config(folder, server.url, w.regions, year=data.YEAR,
                                             run=run)
        out["first"] = run_night(config, secrets, log=logs and logs / "first.log")
        out["indicators"] = indicators(folder / "pantau.duckdb")
        out["same"] = run_night(config, secrets, log=logs and logs / "same.log", days_later=1)
        out["download"] = download_only(config, secrets)
        requests.post(f"{server.url}/_sim/advance", timeout=10).raise_for_status()
        out["second"] = run_night(config, secrets, log=logs and logs / "second.log",
                                  days_later=2)
        out["refetch"] = fetch_only(config, secrets)
    out["floor"] = load_floor(root, folder)
    return out


def _isb_jobs(config: Path, secrets: Path) -> tuple[Config, list[Job]]:
    """The night's config and ISB jobs, with a fresh per-host gate for the fetches."""
    os.environ["PANTAU_SECRETS"] = str(secrets)
    cfg = load_config(config)
    summary = steps.RunSummary("bench", date.today(), started_at=None)  # type: ignore[arg-type]  # noqa: DTZ011
    jobs = [j for j in steps.plan(cfg, list(cfg.regions), list(cfg.years), summary)
            if j.source == "isb"]
    http_layer._gates.clear()  # noqa: SLF001 - a fresh per-host gate
    return cfg, jobs


def download_only(config: Path, secrets: Path) -> dict[str, Any]:
    """The floor of a night whose answers are all the last ones: downloading every ISB answer
    again with the night's client and workers, reading nothing."""
    cfg, jobs = _isb_jobs(config, secrets)
    client = steps.http_client(cfg)

    def download(job: Job) -> int:
        region = job.region
        url = isb.fill_url(job.target, year=job.year or 0,
                           kd_lpse=region.kd_lpse if region else None,
                           kd_klpd=region.kd_klpd if region else None)
        return len(client.get(url, expect_json=True).body)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=cfg.run.max_workers) as pool:
        size = sum(pool.map(download, jobs))
    return {"seconds": time.perf_counter() - started, "bytes": size, "jobs": len(jobs)}


def fetch_only(config: Path, secrets: Path) -> dict[str, Any]:
    """The least any night can do when the source has no change feed: fetch and parse every
    answer again (same workers, no database)."""
    cfg, jobs = _isb_jobs(config, secrets)
    started = time.perf_counter()
    records = 0
    workers = cfg.run.max_workers
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future] = deque()
        for job in jobs:
            pending.append(pool.submit(steps.extract, job, cfg))
            if len(pending) >= 2 * workers:
                records += len(pending.popleft().result().keys)
        while pending:
            records += len(pending.popleft().result().keys)
    return {"seconds": time.perf_counter() - started, "records": records, "jobs": len(jobs)}


def orchestration(n_regions: int, folder: Path, run: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    """The same first night as plain functions and as a Prefect flow, twice: with Prefect's
    temporary API server (what ``make demo`` and a bare ``python -m flows.nightly`` do: the
    server starts with the flow) and against a running ``prefect server start`` (what a
    deployment does; the server's own start is not part of a night). Prefect's first run in a
    fresh home migrates its database: a warm-up flow runs first."""
    root = data.render(n_regions, 0)
    w = data.world(n_regions)
    out: dict[str, Any] = {"regions": n_regions}
    with (data.ServerProcess(root, n_regions) as server,
          PrefectServer(folder / "prefect-home") as api):
        modes = {"prefect-warmup": {}, "plain": {}, "prefect": {},
                 "prefect-server": {"PREFECT_API_URL": api.url}}
        for mode, env in modes.items():
            shutil.rmtree(folder / mode, ignore_errors=True)
            config, secrets = setup.write_config(folder / mode, server.url, w.regions,
                                                 year=data.YEAR, run=run)
            out[mode] = run_night(config, secrets, mode.split("-")[0], env=env)
    return out


class PrefectServer:
    """``prefect server start`` on a free loopback port with its own home, until exit."""

    def __init__(self, home: Path) -> None:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
             "127.0.0.1", "--port", str(port)], env=env, cwd=home,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> Self:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/health", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        self.proc.kill()
        raise RuntimeError("prefect server did not start within 120 s")

    def __exit__(self, *_exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
