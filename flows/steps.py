"""The nightly run's steps as plain functions: what to fetch, fetching, landing, building.

``run_night`` strings them together given a ``submit`` function (Prefect's ``task.submit`` in
the flow, a thread pool's ``submit`` in plain runs), so the flow and the benchmarks run the very
same steps. Business rules live in connectors/, models/ and sql/; this module only wires them.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
from pantau.connectors import isb, ocds, spse
from pantau.connectors.base import Batch, SourceError
from pantau.connectors.http import HttpClient, Redactor
from pantau.flows import inspectorate_steps
from pantau.models import cardinal, partitions
from pantau.models import settings as indicator_settings
from pantau.models.db import open_warehouse, transaction
from pantau.models.loader import LandResult, land, record_failure
from pantau.models.publish import publish
from pantau.models.spse_state import known_details
from pantau.models.transform import build

from pantau.config import Config, ConfigError, Region

log = logging.getLogger("pantau.run")


@dataclass(frozen=True)
class Job:
    """One fetch: a dataset of a source for one region and year."""

    source: str
    dataset: str
    region: Region
    year: int | None
    url: str = field(repr=False)  # may hold a subscriber key: never logged or stored
    # SPSE: (code, listing-row hash) pairs whose detail pages need no refetch (from the warehouse)
    known: frozenset[tuple[str, str]] = field(default=frozenset(), repr=False, compare=False)

    @property
    def label(self) -> str:
        year = f" {self.year}" if self.year else ""
        return f"{self.source}/{self.dataset} {self.region.label}{year}"


@dataclass
class RunSummary:
    run_id: str
    run_date: date
    started_at: datetime
    landed: list[LandResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (job label, reason)
    notices: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def markdown(self) -> str:
        lines = [
            f"# pantau nightly run {self.run_date}",
            "",
            (
                f"Run `{self.run_id}`, {self.started_at:%Y-%m-%d %H:%M} UTC, "
                f"{'all datasets landed' if self.ok else f'{len(self.failed)} failed'}."
            ),
            "",
            "| dataset | region | year | records | new | changed | quarantined |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r.dataset} | {r.region} | {r.year or ''} | {r.n_records} | {r.n_new} | "
            f"{r.n_changed} | {r.n_quarantined} |"
            for r in self.landed
        ]
        if self.failed:
            lines += ["", "## Failed", ""]
            lines += [f"- {label}: {reason}" for label, reason in self.failed]
        if self.notices:
            lines += ["", "## Notices", ""] + [f"- {n}" for n in self.notices]
        if self.totals:
            lines += ["", "## Analyst views", ""]
            lines += [f"- `{view}`: {n} rows" for view, n in self.totals.items()]
        return "\n".join(lines)


def http_client(cfg: Config) -> HttpClient:
    return HttpClient(cfg.http, Redactor(cfg.secret_values()))


# --- regions --------------------------------------------------------------------------------


def resolve_regions(cfg: Config, client: HttpClient, con: duckdb.DuckDBPyConnection,
                    run_id: str, summary: RunSummary) -> list[Region]:
    """Fill in missing kd_klpd / kd_lpse from LKPP's master lists (landed, and reused when the
    master list cannot be fetched)."""
    source = cfg.source("isb")
    needs = [r for r in cfg.regions if r.kd_klpd is None or r.kd_lpse is None]
    if not needs or source is None:
        return list(cfg.regions)
    satudata = str(source.get("satudata_url"))
    masters: dict[str, list[dict[str, Any]]] = {}
    for dataset in (isb.MASTER_KLPD, isb.MASTER_LPSE):
        started = datetime.now(UTC)
        try:
            batch = isb.fetch_master(client, satudata, dataset)
            land(con, batch, run_id, started)
        except SourceError as exc:
            summary.notices.append(f"{dataset.name} unavailable ({exc}); using the cached copy")
            record_failure(con, run_id=run_id, source="isb", dataset=dataset.name, region="*",
                           year=None, started_at=started, error=str(exc), url=exc.url,
                           body=exc.body)
        rows = con.execute(f"SELECT payload FROM raw.{dataset.table}").fetchall()
        masters[dataset.name] = [_json(row[0]) for row in rows]
    resolved = []
    for region in cfg.regions:
        try:
            resolved.append(_resolve(region, masters))
        except SourceError as exc:
            if region.spse_slug and cfg.source("spse"):
                # Still watchable on SPSE by its slug; only its ISB datasets are missing.
                summary.notices.append(f"{exc}; {region.name} is fetched from SPSE only")
                resolved.append(region)
            else:
                summary.failed.append((f"resolve {region.name}", str(exc)))
    return resolved


def _json(value: object) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)  # type: ignore[arg-type]


def _resolve(region: Region, masters: dict[str, list[dict[str, Any]]]) -> Region:
    kd_klpd, kd_lpse = region.kd_klpd, region.kd_lpse
    if kd_klpd is None:
        kd_klpd = str(isb.match_by_name(region.name, masters["MasterKLPD"], "nama_klpd")["kd_klpd"])
    if kd_lpse is None:
        kd_lpse = int(isb.match_by_name(region.name, masters["MasterLPSE"], "nama_lpse")["kd_lpse"])
    return replace(region, kd_klpd=kd_klpd, kd_lpse=kd_lpse)


# --- planning and fetching ------------------------------------------------------------------


def plan_isb(cfg: Config, regions: list[Region], years: list[int],
             summary: RunSummary) -> list[Job]:
    source = cfg.source("isb")
    if source is None:
        return []
    regions = [r for r in regions if r.kd_klpd or r.kd_lpse]  # others are SPSE-only
    urls: dict[str, str] = cfg.secrets.get("isb", {}).get("datasets", {})
    unknown = set(urls) - {d.name for d in isb.KEYED_DATASETS}
    if unknown:
        summary.notices.append(f"secrets name unknown ISB dataset(s): {', '.join(sorted(unknown))}")
    jobs = []
    for dataset in isb.KEYED_DATASETS:
        template = urls.get(dataset.name)
        if template is None:
            summary.notices.append(f"isb/{dataset.name}: skipped, no dataset URL configured")
            continue
        jobs += [Job("isb", dataset.name, r, y, template) for r in regions for y in years]
    if "SPSE-TenderPengumuman" not in urls:
        # No keyed tender list: the public satudata list stands in for it.
        satudata = str(source.get("satudata_url")).rstrip("/")
        jobs += [
            Job("isb", "TenderUmumPublik", r, y, f"{satudata}/TenderUmumPublik/{y}/{r.kd_lpse}")
            for r in regions for y in years if r.kd_lpse is not None
        ]
    return jobs


def plan_spse(cfg: Config, regions: list[Region], years: list[int], summary: RunSummary,
              known: dict[tuple[str, str], frozenset[tuple[str, str]]]) -> list[Job]:
    """One job per (region with an spse_slug, year, package list); ``known`` is the
    incremental state read from the warehouse before anything is submitted."""
    source = cfg.source("spse")
    if source is None:
        return []
    base = str(source.get("base_url", spse.DEFAULT_BASE_URL))
    lists = [j for j in source.get("lists", spse.JENIS) if j in spse.JENIS]
    jobs = []
    for r in regions:
        if not r.spse_slug:
            summary.notices.append(f"spse: {r.name} has no spse_slug; skipped")
            continue
        jobs += [Job("spse", j, r, y, spse.portal_base(base, r.spse_slug),
                     known.get((r.label, j), frozenset())) for y in years for j in lists]
    return jobs


def plan_ocds(cfg: Config, years: list[int], summary: RunSummary) -> list[Job]:
    """[sources.ocds]: every publication once a night, and opentender.net's export of each
    configured LPSE code (ICW's own codes) for each year. Without opentender_lpse nothing is
    pulled from opentender (never the whole country)."""
    source = cfg.source("ocds")
    if source is None:
        return []
    jobs = [Job("ocds", "publication", Region(ocds.publication_name(str(p))), None, str(p))
            for p in _as_list(source.get("publications"))]
    codes = [str(c) for c in _as_list(source.get("opentender_lpse"))]
    if not codes:
        if source.get("opentender_url"):
            summary.notices.append("ocds: no opentender_lpse configured; nothing pulled from "
                                   "opentender.net (list the LPSE codes of its LPSE list)")
        return jobs
    base = str(source.get("opentender_url", ocds.OPENTENDER_URL))
    return jobs + [Job("ocds", "opentender", Region(f"opentender-{c}"), y, base)
                   for y in years for c in codes]


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def group_jobs(jobs: list[Job]) -> list[tuple[Job, ...]]:
    """The unit of fan-out: the jobs of one (source, region, year), in plan order. One task per
    group rather than per dataset keeps a national night at a few hundred task runs: each task
    run costs the orchestrator state changes and logs, whatever its size."""
    groups: dict[tuple[str, str, int | None], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.source, job.region.label, job.year), []).append(job)
    return [tuple(group) for group in groups.values()]


# What a group's fetch gives per job: its batch (SPSE: listing and details), or the error that
# stopped it, returned rather than raised so the group's other jobs still land.
Outcome = Batch | list[Batch] | Exception


def extract_group(jobs: tuple[Job, ...], cfg: Config) -> list[Outcome]:
    """Fetch a group's jobs one after another (runs in a worker; touches no database)."""
    outcomes: list[Outcome] = []
    for job in jobs:
        try:
            outcomes.append(extract(job, cfg))
        except Exception as exc:  # landed as this job's failure by _land_group
            outcomes.append(exc)
    return outcomes


def extract(job: Job, cfg: Config) -> Batch | list[Batch]:
    """Fetch and parse one job (runs in a worker; touches no database). With [run] landing =
    "parquet" the worker also writes the records to their partition (models/partitions.py) and
    hands back only keys and the partition's path."""
    batch = _fetch(job, cfg)
    if partitions.landing(cfg) != "parquet":
        return batch
    base = partitions.root(cfg)
    if isinstance(batch, list):
        return [partitions.write(one, base) for one in batch]
    return partitions.write(batch, base)


def _fetch(job: Job, cfg: Config) -> Batch | list[Batch]:
    if job.source == "spse":
        source = cfg.source("spse")
        settings = source.settings if source else {}
        client = HttpClient(spse.http_settings(cfg.http, settings), Redactor(cfg.secret_values()))
        return spse.fetch(client, str(settings.get("base_url", spse.DEFAULT_BASE_URL)),
                          job.region.spse_slug or "", job.dataset, region=job.region.label,
                          year=job.year or 0, known=job.known,
                          page_size=int(settings.get("page_size", spse.DEFAULT_PAGE_SIZE)))
    if job.source == "ocds":
        source = cfg.source("ocds")
        settings = source.settings if source else {}
        client = HttpClient(ocds.http_settings(cfg.http, settings), Redactor(cfg.secret_values()))
        if job.dataset == "opentender":
            code = job.region.name.removeprefix("opentender-")
            return list(ocds.fetch_opentender(client, job.url, year=job.year or 0,
                                              region=job.region.label, lpse=[code]))
        base = cfg.path.parent if cfg.path else Path()
        return ocds.fetch_publication(client, job.url, base=base, region=job.region.label)
    return isb.fetch_keyed(http_client(cfg), isb.BY_NAME[job.dataset], job.url,
                           region=job.region.label, year=job.year or 0,
                           kd_lpse=job.region.kd_lpse, kd_klpd=job.region.kd_klpd)


# submit(group, cfg) -> a future of extract_group(group, cfg): Prefect's extract_task.submit in
# the flow, functools.partial(pool.submit, extract_group) in plain runs.
Submit = Callable[[tuple[Job, ...], Config], Future[list[Outcome]]]


def run_night(
    cfg: Config,
    submit: Submit,
    *,
    only_regions: list[str] | None = None,
    years: list[int] | None = None,
    run_date: date | None = None,
) -> RunSummary:
    """Resolve regions, fetch every job in parallel, land each as it arrives, build, publish."""
    summary = RunSummary(run_id=uuid.uuid4().hex[:12], run_date=run_date or date.today(),  # noqa: DTZ011
                         started_at=datetime.now(UTC))
    run_years = years or list(cfg.years)
    with open_warehouse(cfg.database_path) as con:
        tune(con, cfg)
        regions = resolve_regions(cfg, http_client(cfg), con, summary.run_id, summary)
        if only_regions:
            wanted = {r.lower() for r in only_regions}
            regions = [r for r in regions
                       if {r.name.lower(), (r.kd_klpd or "").lower(), (r.spse_slug or "").lower()}
                       & wanted]
        jobs = plan_isb(cfg, regions, run_years, summary)
        jobs += plan_spse(cfg, regions, run_years, summary, known_details(con))
        jobs += plan_ocds(cfg, run_years, summary)
        started = datetime.now(UTC)
        # Land in plan order (the same data lands the same way), with at most `window` jobs in
        # flight: fetching stays ahead of landing without holding a whole night in memory.
        window = in_flight(cfg)
        pending: deque[tuple[tuple[Job, ...], Future[list[Outcome]]]] = deque()
        for group in group_jobs(jobs):
            pending.append((group, submit(group, cfg)))
            if len(pending) >= window:
                _land_group(con, *pending.popleft(), summary, started)
        while pending:
            _land_group(con, *pending.popleft(), summary, started)
        # Inspectorate registers (whenever [inspectorates] is configured) and alerts: issue 6.
        inspectorate_steps.inspectorate_step(cfg, con, http_client(cfg), summary, today=run_date)
        indicator_settings.apply_config(con, cfg)  # [indicators]: thresholds, windows, bands
        cardinal.configure(con, cfg.section("indicators"))  # [indicators.cardinal]
        build(con, run_date=summary.run_date, run_id=summary.run_id,
              then=functools.partial(_raise_alerts, cfg, summary, regions))
        inspectorate_steps.delivery_step(cfg, con, summary)
        summary.totals = _totals(con)
    publish(cfg.database_path, cfg.analyst_path, cases=inspectorate_steps.cases_path(cfg))
    summary.finished_at = datetime.now(UTC)
    return summary


def _raise_alerts(cfg: Config, summary: RunSummary, regions: list[Region],
                  con: duckdb.DuckDBPyConnection) -> None:
    inspectorate_steps.raise_alerts(cfg, con, summary, run_date=summary.run_date, regions=regions)


def in_flight(cfg: Config) -> int:
    """[run] max_in_flight: groups fetched but not yet landed (default twice max_workers)."""
    workers = int(cfg.run.get("max_workers", 4))
    return max(1, int(cfg.run.get("max_in_flight", 2 * workers)))


_SIZE = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)


def tune(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """[run] memory_limit and checkpoint_threshold (DuckDB sizes such as "1GB") for big nights:
    a cap on DuckDB's buffer pool (it spills to disk beyond it), and fewer WAL checkpoints
    while landing (each rewrites the primary-key indexes)."""
    for key in ("memory_limit", "checkpoint_threshold"):
        value = cfg.run.get(key)
        if value is None:
            continue
        if not _SIZE.fullmatch(str(value).strip()):
            raise ConfigError(f"[run] {key} must be a size such as '1GB', not {value!r}")
        con.execute(f"SET {key} = '{str(value).strip()}'")


def _land_group(con: duckdb.DuckDBPyConnection, group: tuple[Job, ...],
                future: Future[list[Outcome]], summary: RunSummary, started: datetime) -> None:
    try:
        outcomes: list[Outcome] = future.result()
    except Exception as exc:  # the task itself failed (e.g. its worker died): so did its jobs
        outcomes = [exc] * len(group)
    # A group lands in one transaction: each commit syncs the WAL (~7 ms), and a national night
    # has thousands of datasets but a few hundred groups. A crash loses at most the group being
    # landed, which the rerun fetches again.
    with transaction(con):
        for job, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, Exception):
                _record_job_failure(con, job, outcome, summary, started)
                continue
            batches = outcome if isinstance(outcome, list) else [outcome]  # SPSE: + details
            summary.landed += [land(con, b, summary.run_id, started) for b in batches]


def _record_job_failure(con: duckdb.DuckDBPyConnection, job: Job, exc: Exception,
                        summary: RunSummary, started: datetime) -> None:
    """A source error keeps its redacted URL and body; anything else (a bug, an unexpected
    answer) is recorded with its redacted message. The other jobs go on either way."""
    if isinstance(exc, SourceError):
        reason, url, body = str(exc), exc.url, exc.body
    else:
        reason, url, body = Redactor(job_secrets(job))(f"{type(exc).__name__}: {exc}"), None, None
    summary.failed.append((job.label, reason))
    record_failure(con, run_id=summary.run_id, source=job.source, dataset=job.dataset,
                   region=job.region.label, year=job.year, started_at=started, error=reason,
                   url=url, body=body)


def job_secrets(job: Job) -> list[str]:
    """The job's own URL is a secret too (it may carry a subscriber key)."""
    return [job.url]


ANALYST_VIEWS = ("tenders", "bids", "agencies", "suppliers", "flags", "agency_metrics",
                 "inspectorates", "alerts")


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for view in ANALYST_VIEWS:
        row = con.execute(f"SELECT count(*) FROM main.{view}").fetchone()
        out[view] = int(row[0]) if row else 0
    return out
