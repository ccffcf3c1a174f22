"""The nightly run's steps as plain functions: what to fetch, fetching, landing, building.

``run_night`` strings them together given a ``submit`` function (Prefect's ``task.submit`` in
the flow, a thread pool's ``submit`` in plain runs), so the flow and the benchmarks run the very
same steps. Business rules live in connectors/, models/ and sql/; this module only wires them.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import duckdb
from pantau.connectors import isb, registry, spse
from pantau.connectors.base import Answer, Batch, Job, PlanRequest, Region, SourceError
from pantau.connectors.http import HttpClient, HttpSettings, Redactor
from pantau.flows import inspectorate_steps
from pantau.flows.config import Config
from pantau.models import cardinal, partitions, progress, spse_state
from pantau.models import settings as indicator_settings
from pantau.models.db import open_warehouse, transaction
from pantau.models.loader import (
    AnswerKey,
    LandResult,
    ShrinkGuard,
    close_versions,
    land,
    land_many,
    land_unchanged,
    last_answers,
    optimistic,
    record_failure,
)
from pantau.models.publish import publish
from pantau.models.transform import build

log = logging.getLogger("pantau.run")


@dataclass
class RunSummary:
    run_id: str
    run_date: date
    started_at: datetime
    landed: list[LandResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (job label, reason)
    notices: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)  # the SQL files the build ran
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
    source = cfg.source(isb.SOURCE)
    needs = [r for r in cfg.regions if r.kd_klpd is None or r.kd_lpse is None]
    if not needs or source is None:
        return list(cfg.regions)
    satudata = source.satudata_url
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


def plan(cfg: Config, regions: list[Region], years: list[int], summary: RunSummary,
         answers: Mapping[AnswerKey, Answer] | None = None) -> list[Job]:
    """The night's jobs: every enabled source of the registry plans its own, from its settings
    and its secrets. Each job carries the answer last landed for it (``answers``, from the
    warehouse). What a source skipped, and why, becomes a notice."""
    jobs: list[Job] = []
    for source in registry.FETCHED:
        settings = cfg.source(source.name)
        if settings is None or source.plan is None:
            continue
        request = PlanRequest(regions, years, cfg.secrets.get(source.name, {}), cfg.base)
        jobs += source.plan(settings, request)
        summary.notices += request.notices
    if answers:
        jobs = [replace(j, last_answer=answers.get((j.source, j.dataset, j.scope, j.year)))
                for j in jobs]
    return jobs


def plan_spse_details(cfg: Config, con: duckdb.DuckDBPyConnection, regions: list[Region],
                      summary: RunSummary) -> list[Job]:
    """SPSE's detail jobs, planned once tonight's listings have landed: what is due, from the
    warehouse, within each host's request budget less what the listings spent."""
    settings = cfg.source(spse.SOURCE)
    if not isinstance(settings, spse.SpseSettings):
        return []
    due = spse_state.due_details(con, summary.run_id, datetime.now(UTC))
    return spse.plan_details(settings, regions, due,
                             spse_state.listing_requests(con, summary.run_id), summary.notices)


def group_jobs(jobs: list[Job]) -> list[tuple[Job, ...]]:
    """The unit of fan-out: the jobs of one (source, region, year), in plan order. One task per
    group rather than per dataset keeps a national night at a few hundred task runs: each task
    run costs the orchestrator state changes and logs, whatever its size."""
    groups: dict[tuple[str, str, int | None], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.source, job.scope, job.year), []).append(job)
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
        except Exception as exc:  # landed as this job's failure by _land_groups
            outcomes.append(exc)
    return outcomes


def extract(job: Job, cfg: Config) -> Batch | list[Batch]:
    """Fetch and parse one job (runs in a worker; touches no database). With [run] landing =
    "parquet" the worker also writes the records to their partition (models/partitions.py) and
    hands back only keys and the partition's path."""
    batch = _fetch(job, cfg)
    if cfg.run.landing != "parquet" or (isinstance(batch, Batch) and batch.unchanged):
        return batch
    base = cfg.parquet_root
    if isinstance(batch, list):
        return [partitions.write(one, base) for one in batch]
    return partitions.write(batch, base)


def _fetch(job: Job, cfg: Config) -> Batch | list[Batch]:
    """The job's source fetches it, with its own HTTP settings (its politeness)."""
    source = registry.BY_NAME[job.source]
    settings = cfg.source(job.source)
    if source.fetch is None or settings is None:
        raise SourceError(f"{job.source} is not enabled")  # the plan came from another config
    return source.fetch(job, settings, _client(settings.http(cfg.http),
                                               tuple(cfg.secret_values())))


@functools.lru_cache(maxsize=16)
def _client(settings: HttpSettings, secrets: tuple[str, ...]) -> HttpClient:
    """One client per settings for every job of a fetch round (``fetch_and_land`` drops them
    when it ends): its sessions (one a worker thread) keep their connections open from one
    request to the next, where a client a job opened a connection (and a requests session)
    for each of a national night's thousands of answers."""
    return HttpClient(settings, Redactor(list(secrets)))


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
    accept_shrink: tuple[str, ...] = (),
    rebuild: bool = False,
) -> RunSummary:
    """Resolve regions, fetch every job in parallel, land each as it arrives, build, publish.
    ``accept_shrink`` names the datasets whose shrunken answer a person has looked at.
    ``rebuild``: parse every answer even where it is the last landed one, and rebuild every
    model, not only those whose inputs changed (after an upgrade, or to check)."""
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
        started = datetime.now(UTC)
        guard = ShrinkGuard(cfg.run.max_shrink, frozenset(accept_shrink), cfg.alerts.language)
        answers = None if rebuild else last_answers(con)
        fetch_and_land(cfg, con, submit, plan(cfg, regions, run_years, summary, answers),
                       summary, started, guard)
        # SPSE's detail pages: a second round, once every listing has landed, so that the
        # night's request budget goes first to watched regions across all of them.
        fetch_and_land(cfg, con, submit, plan_spse_details(cfg, con, regions, summary), summary,
                       started, guard, stage="fetching details")
        review(cfg, con, regions, summary)
        # Inspectorate registers (whenever [inspectorates] is configured) and alerts: issue 6.
        inspectorate_steps.inspectorate_step(cfg, con, http_client(cfg), summary, today=run_date)
        progress.report("building", what="core, flags, metrics, views")
        configure_indicators(con, cfg)
        summary.built = build(con, run_date=summary.run_date, run_id=summary.run_id,
                              then=functools.partial(_raise_alerts, cfg, summary, regions),
                              full=rebuild)
        inspectorate_steps.delivery_step(cfg, con, summary)
        summary.totals = _totals(con)
    progress.report("publishing", what=str(cfg.analyst_path))
    publish(cfg.database_path, cfg.analyst_path, cases=cfg.cases_path)
    summary.finished_at = datetime.now(UTC)
    return summary


def fetch_and_land(cfg: Config, con: duckdb.DuckDBPyConnection, submit: Submit,
                   jobs: list[Job], summary: RunSummary, started: datetime,
                   guard: ShrinkGuard, stage: str = "fetching") -> None:
    """Fetch the jobs in parallel and land the groups as they arrive, in plan order (the same
    data lands the same way), progress as ``stage``.

    Each landing transaction costs a few ms per statement whatever its size (loader.land_many),
    so the writer lands what has arrived once it holds half of ``[run] max_held_records``
    parsed records: on a first night every couple of regions, on a night of few changes (whose
    unchanged answers hold none) dozens of fetch groups at once. At most ``in_flight`` groups
    are fetched at a time, and no more while what has arrived, with each group being fetched
    counted as the average one so far, would pass ``max_held_records``: the night never holds
    more than a few regions' records in memory."""
    if not jobs:
        return
    try:
        with _writer_first(con):
            _fetch_and_land(cfg, con, submit, jobs, summary, started, guard, stage)
    finally:
        # The round's clients go: one that is gone no longer holds its host back
        # (connectors/http.py), so tomorrow's settings are tomorrow's alone.
        _client.cache_clear()
    with transaction(con):  # the versions the groups replaced, marked in one scan
        close_versions(con)


@contextmanager
def _writer_first(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The fetch threads parse in Python while the writer waits for DuckDB with the GIL
    released; each time it comes back it waits for a parser to give the GIL up, up to the
    switch interval (5 ms), and a landing makes a dozen statements a table. A shorter interval
    while landing hands the GIL back sooner. DuckDB runs the writer's statements on its own
    thread alone meanwhile: its worker threads would only take the two cores from the parsers,
    and every statement would wait for one to be scheduled (lone 1% nights at 1M, one after
    the other: 102 s with two threads, 84 s with one). The build after it has them all again."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    row = con.execute("SELECT current_setting('threads')").fetchone()
    threads = int(row[0]) if row else 1
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {threads}")
        sys.setswitchinterval(interval)


def _fetch_and_land(cfg: Config, con: duckdb.DuckDBPyConnection, submit: Submit,
                    jobs: list[Job], summary: RunSummary, started: datetime,
                    guard: ShrinkGuard, stage: str) -> None:
    todo = deque(group_jobs(jobs))
    total, budget = len(todo), cfg.run.max_held_records
    most_groups = 8 * cfg.run.in_flight  # what one transaction holds, and a crash fetches again
    pending: deque[tuple[tuple[Job, ...], Future[list[Outcome]]]] = deque()
    done: set[int] = set()  # the futures whose fetch has finished (Prefect's have no done())
    held: dict[int, int] = {}  # the parsed records of each finished future
    finished = threading.Event()
    seen = seen_records = landed = records = 0  # the groups that have arrived, their records
    progress.report(stage, done=0, total=total, records=0)

    def on_done(future: Future[list[Outcome]]) -> None:
        done.add(id(future))
        finished.set()

    while todo or pending:
        finished.clear()  # before looking, so that a fetch ending meanwhile wakes the wait
        # one look at what has finished for the whole round: a fetch that ends while the
        # round counts would otherwise be done in one line and not yet held in the next
        ended = {id(f) for _, f in pending if id(f) in done}
        fetching = len(pending) - len(ended)
        for _, future in pending:
            if id(future) in ended and id(future) not in held:
                held[id(future)] = _parsed_records(future)
                seen, seen_records = seen + 1, seen_records + held[id(future)]
        expected = sum(held.values()) + fetching * seen_records // max(seen, 1)
        if (todo and fetching < cfg.run.in_flight and expected < budget
                and len(pending) < most_groups):
            group = todo.popleft()
            future = submit(group, cfg)
            future.add_done_callback(on_done)
            pending.append((group, future))
            continue
        n = 0
        while n < len(pending) and id(pending[n][1]) in ended:
            n += 1
        arrived = sum(held[id(f)] for _, f in list(pending)[:n])
        if n and (2 * arrived >= budget or fetching == 0 or n == most_groups
                  or (todo and expected >= budget)):
            groups = [pending.popleft() for _ in range(n)]
            for _, future in groups:
                done.discard(id(future))  # ids are reused
                held.pop(id(future))
            records += _land_groups(con, groups, summary, started, guard)
            landed += n
            progress.report(stage, done=landed, total=total, records=records)
        else:
            finished.wait()


def _parsed_records(future: Future[list[Outcome]]) -> int:
    """The records a finished fetch holds in memory until it lands."""
    try:
        outcomes = future.result()
    except Exception:  # landed as the group's failure by _land_groups
        return 0
    return sum(len(b.keys) for o in outcomes if not isinstance(o, Exception)
               for b in (o if isinstance(o, list) else [o]))


def review(cfg: Config, con: duckdb.DuckDBPyConnection, regions: list[Region],
           summary: RunSummary) -> None:
    """Each enabled source's notices about the regions from what has landed (INAPROC: a
    kd_klpd that LKPP's satker list names otherwise)."""
    for source in registry.SOURCES:
        if source.review is None or cfg.source(source.name) is None:
            continue
        tables = source.tables

        def records(dataset: str, tables: Mapping[str, str] = tables) -> list[dict[str, Any]]:
            rows = con.execute(f"SELECT payload FROM raw.{tables[dataset]}").fetchall()
            return [_json(row[0]) for row in rows]

        summary.notices += source.review(regions, records)


def _raise_alerts(cfg: Config, summary: RunSummary, regions: list[Region],
                  con: duckdb.DuckDBPyConnection) -> None:
    inspectorate_steps.raise_alerts(cfg, con, summary, run_date=summary.run_date, regions=regions)


def configure_indicators(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """``[indicators]``: the thresholds, windows and bands the indicator SQL reads."""
    indicator_settings.apply(con, cfg.indicators.overrides)
    cardinal.configure(con, cfg.indicators.model_dump(exclude_none=True))


def tune(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """[run] memory_limit and checkpoint_threshold (DuckDB sizes such as "1GB", checked by the
    config) for big nights: a cap on DuckDB's buffer pool (it spills to disk beyond it), and
    fewer WAL checkpoints while landing (each rewrites the primary-key indexes)."""
    for key, value in (("memory_limit", cfg.run.memory_limit),
                       ("checkpoint_threshold", cfg.run.checkpoint_threshold)):
        if value is not None:
            con.execute(f"SET {key} = '{value.strip()}'")


def _land_groups(con: duckdb.DuckDBPyConnection,
                 arrived: list[tuple[tuple[Job, ...], Future[list[Outcome]]]],
                 summary: RunSummary, started: datetime,
                 guard: ShrinkGuard | None = None) -> int:
    """Land the outcomes of groups that have arrived; returns the number of records landed."""
    jobs: list[Job] = []
    outcomes: list[Outcome] = []
    for group, future in arrived:
        try:
            outcomes += future.result()
        except Exception as exc:  # the task itself failed (e.g. its worker died): so did its jobs
            outcomes += [exc] * len(group)
        jobs += group
    # The groups land in one transaction: each commit syncs the WAL (~7 ms), and each statement
    # costs a few ms at national scale, which loader.land_many shares between the answers of a
    # table. A crash loses at most the groups being landed, which the rerun fetches again. The
    # transaction may run twice (loader.optimistic): what it tells the summary is kept until it
    # has committed.
    def land_all() -> tuple[list[LandResult], list[tuple[str, str]]]:
        landed: list[LandResult] = []
        failed: list[tuple[str, str]] = []
        unchanged = [(job, o) for job, o in zip(jobs, outcomes, strict=True)
                     if isinstance(o, Batch) and o.unchanged]
        results = land_unchanged(con, [b for _, b in unchanged], summary.run_id, started)
        for (job, _), result in zip(unchanged, results, strict=True):
            landed.append(result)
            if result.error:
                failed.append((job.label, result.error))
        fetched: list[tuple[Job, Batch]] = []
        for job, outcome in zip(jobs, outcomes, strict=True):
            if isinstance(outcome, Exception):
                failed.append(_record_job_failure(con, job, outcome, summary.run_id,
                                                  started))
                continue
            batches = outcome if isinstance(outcome, list) else [outcome]  # SPSE: + details
            fetched += [(job, spse_state.carry_earlier_pages(con, b))
                        for b in batches if not b.unchanged]
        batches = [b for _, b in fetched]
        results = land_many(con, batches, summary.run_id, started, guard=guard,
                            thens=[spse_state.mark_fetched(b, summary.run_id) for b in batches])
        for (job, batch), result in zip(fetched, results, strict=True):
            landed.append(result)
            if result.shrank_from is not None:  # held back: the run names it
                failed.append((job.label, (
                    f"source shrank: {result.n_records} records where the last landed "
                    f"answer had {result.shrank_from}; kept in quarantine, not applied "
                    f"(after a look: pantau run --accept-shrink {batch.dataset})")))
        return landed, failed

    landed, failed = optimistic(con, land_all)
    summary.landed += landed
    summary.failed += failed
    return sum(r.n_records for r in landed)


def _record_job_failure(con: duckdb.DuckDBPyConnection, job: Job, exc: Exception,
                        run_id: str, started: datetime) -> tuple[str, str]:
    """A source error keeps its redacted URL and body; anything else (a bug, an unexpected
    answer) is recorded with its redacted message. The other jobs go on either way. Returns
    the failure as the run's summary names it."""
    if isinstance(exc, SourceError):
        reason, url, body = str(exc), exc.url, exc.body
    else:
        reason, url, body = Redactor(job_secrets(job))(f"{type(exc).__name__}: {exc}"), None, None
    record_failure(con, run_id=run_id, source=job.source, dataset=job.dataset,
                   region=job.scope, year=job.year, started_at=started, error=reason,
                   url=url, body=body)
    return job.label, reason


def job_secrets(job: Job) -> list[str]:
    """The job's own target is a secret too (it may carry a subscriber key), as is its
    credential (a token)."""
    return [s for s in (job.target, job.credential) if s]


ANALYST_VIEWS = ("tenders", "bids", "agencies", "suppliers", "flags", "agency_metrics",
                 "inspectorates", "alerts")


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    out = {}
    for view in ANALYST_VIEWS:
        row = con.execute(f"SELECT count(*) FROM main.{view}").fetchone()
        out[view] = int(row[0]) if row else 0
    return out
