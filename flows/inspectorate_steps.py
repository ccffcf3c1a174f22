"""The inspectorate and alert steps as plain functions (issue 6).

- ``inspectorate_step``: read every configured register and land it; the alerts its new
  observations cause go into the outbox inside the same landing transaction.
- ``alert_rules_step``: the rules on flags and metrics, after the nightly build.
- ``delivery_step``: send what the outbox still owes each configured channel.
- ``run_inspectorates``: the 6-hourly cycle (register, rules, views, delivery, publish) that
  ``flows/inspectorates.py`` schedules; ``notify_run_failure``: the operational alert.

The nightly ``flows/steps.run_night`` calls the first three; Prefect only wraps these functions.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

import duckdb
from pantau.connectors import inspectorates as register
from pantau.connectors.base import SourceError
from pantau.connectors.http import HttpClient, Redactor
from pantau.flows.config import Config, Region
from pantau.models import alerts
from pantau.models import cases as case_store
from pantau.models.db import WarehouseLockedError, open_warehouse, transaction
from pantau.models.loader import LandResult, land, record_failure
from pantau.models.publish import publish
from pantau.models.transform import SQL_DIR, parse_header
from pantau.registers import REGISTERS_PARENT

log = logging.getLogger("pantau.alerts")
CORE_SQL = SQL_DIR / "core" / "750_inspectorates.sql"
VIEW_SQL = tuple(SQL_DIR / "views" / f"{n}.sql" for n in
                 ("inspectorates", "inspectorate_history", "alerts"))


class Summary(Protocol):
    run_id: str
    landed: list[LandResult]
    failed: list[tuple[str, str]]
    notices: list[str]


@dataclass
class CycleSummary:
    """What one 6-hourly inspectorate cycle did (the nightly run has its own RunSummary)."""

    run_id: str
    run_date: date
    landed: list[LandResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    new_alerts: list[str] = field(default_factory=list)
    delivery: alerts.DeliveryReport | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def markdown(self) -> str:
        lines = [f"# pantau inspectorates {self.run_date}", "", f"Run `{self.run_id}`.", ""]
        lines += [f"- {r.region}: {r.n_records} observations, {r.n_new} new, "
                  f"{r.n_quarantined} rejected" for r in self.landed]
        lines += [f"- new alert: {k}" for k in self.new_alerts]
        if self.delivery and (self.delivery.sent or self.delivery.failed):
            lines.append(f"- {self.delivery.summary()}")
        lines += [f"- FAILED {label}: {reason}" for label, reason in self.failed]
        lines += [f"- {n}" for n in self.notices]
        return "\n".join(lines)


# --- settings -------------------------------------------------------------------------------


def configured(cfg: Config) -> bool:
    return cfg.inspectorates is not None


def register_sources(cfg: Config) -> list[register.RegisterSource]:
    entries = cfg.inspectorates.sources if cfg.inspectorates else []
    return [register.source_from_config(entry.model_dump(exclude_none=True), cfg.base,
                                        REGISTERS_PARENT, i)
            for i, entry in enumerate(entries)]


def redactor(cfg: Config) -> Redactor:
    return alerts.redactor(cfg.secret_values(), alerts.channels(cfg.secrets))


def inspectorate_watch(cfg: Config) -> alerts.Watch:
    watch = cfg.inspectorates.watch if cfg.inspectorates else []
    return alerts.Watch.of(watch, default_all=True)


def ensure_core(con: duckdb.DuckDBPyConnection) -> None:
    """The register's core views (idempotent), so the rules can read them before any build."""
    con.execute(CORE_SQL.read_text(encoding="utf-8"))


def refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """The inspectorate and alert analyst views, with their documentation, without a full build."""
    ensure_core(con)
    for path in VIEW_SQL:
        con.execute(path.read_text(encoding="utf-8"))
        doc = parse_header(path)
        if doc is None:
            continue
        con.execute(f"COMMENT ON VIEW main.{doc.name} IS {_quote(doc.description)}")
        for column, meaning in doc.columns.items():
            con.execute(f"COMMENT ON COLUMN main.{doc.name}.{column} IS {_quote(meaning)}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- steps ----------------------------------------------------------------------------------


def inspectorate_step(cfg: Config, con: duckdb.DuckDBPyConnection, client: HttpClient,
                      summary: Summary, *, today: date | None = None) -> list[str]:
    """Land every register; returns the keys of the alerts the landing raised."""
    if not configured(cfg):
        return []
    try:
        sources = register_sources(cfg)
    except SourceError as exc:
        summary.failed.append(("inspectorates config", str(exc)))
        return []
    if not sources:
        summary.notices.append("[inspectorates] has no sources: nothing to read")
    ensure_core(con)
    watch = inspectorate_watch(cfg)
    lang = cfg.alerts.language
    raised: list[str] = []

    def raise_alerts(tx: duckdb.DuckDBPyConnection) -> None:
        raised.extend(alerts.put(tx, alerts.inspectorate_alerts(tx, watch, lang),
                                 summary.run_id))

    for source in sources:
        started = datetime.now(UTC)
        label = f"{register.SOURCE}/{source.name}"
        try:
            batch = register.fetch(client, source, today=today)
        except SourceError as exc:
            summary.failed.append((label, str(exc)))
            record_failure(con, run_id=summary.run_id, source=register.SOURCE,
                           dataset=register.DATASET, region=source.name, year=None,
                           started_at=started, error=str(exc), url=exc.url, body=exc.body)
            continue
        summary.landed.append(land(con, batch, summary.run_id, started, then=raise_alerts))
        for rejected in batch.rejected:
            summary.notices.append(f"{label}: rejected row: {rejected.reason}")
    return raised


def alert_rules_step(cfg: Config, con: duckdb.DuckDBPyConnection, summary: Summary, *,
                     run_date: date, regions: list[Region] | None = None) -> list[str]:
    """The rules in a transaction of their own (the inspectorates flow, between builds)."""
    ensure_core(con)
    with transaction(con):
        return raise_alerts(cfg, con, summary, run_date=run_date, regions=regions)


def raise_alerts(cfg: Config, con: duckdb.DuckDBPyConnection, summary: Summary, *,
                 run_date: date, regions: list[Region] | None = None) -> list[str]:
    """Rules on the state the build rebuilt (flags, metrics) plus the inspectorate rule, in the
    caller's transaction: the nightly build passes this as its ``then``, so the alerts commit
    with the flags and metrics that raised them. Deterministic keys: nothing is raised twice."""
    settings = cfg.alerts
    lang = settings.language
    watch = settings.region_watch([*cfg.regions, *(regions or [])])
    found = [
        *alerts.inspectorate_alerts(con, inspectorate_watch(cfg), lang),
        *alerts.process_alerts(con, watch, settings.process_rule, lang, run_date,
                               summary.notices),
        *alerts.metric_alerts(con, watch, list(settings.metrics), lang, summary.notices),
        *case_store.overdue_alerts(cfg.cases_path, run_date, lang),
        *alerts.change_alerts(con, watch, list(settings.changes), lang, summary.notices),
        *alerts.quality_alerts(con, coverage_drop=settings.coverage_drop,
                               stale_days=settings.stale_days, lang=lang,
                               notices=summary.notices),
    ]
    return alerts.put(con, found, summary.run_id)


def delivery_step(cfg: Config, con: duckdb.DuckDBPyConnection, summary: Summary,
                  sender: alerts.Sender | None = None) -> alerts.DeliveryReport:
    targets = alerts.channels(cfg.secrets)
    if not targets:
        if con.execute("SELECT count(*) FROM ops.alert_outbox").fetchone()[0]:  # type: ignore[index]
            summary.notices.append("alerts raised but no channel configured "
                                   "(secrets file: [alerts] channels)")
        return alerts.DeliveryReport()
    send = sender or alerts.AppriseSender(redactor(cfg))
    report = alerts.deliver(con, targets, send, retry_days=cfg.alerts.retry_days)
    if report.sent or report.failed:
        summary.notices.append(report.summary())
    for key, channel, reason in report.failed:
        summary.notices.append(f"alert {key} to {channel} failed (retried next run): {reason}")
    return report


def run_inspectorates(cfg: Config, *, run_date: date | None = None,
                      sender: alerts.Sender | None = None,
                      client: HttpClient | None = None) -> CycleSummary:
    """The 6-hourly cycle: registers, rules, the register's views, delivery, publish."""
    summary = CycleSummary(run_id=uuid.uuid4().hex[:12],
                           run_date=run_date or datetime.now(alerts.JAKARTA).date())
    http = client or HttpClient(cfg.http, redactor(cfg))
    with open_warehouse(cfg.database_path) as con:
        summary.new_alerts += inspectorate_step(cfg, con, http, summary, today=run_date)
        summary.new_alerts += alert_rules_step(cfg, con, summary, run_date=summary.run_date)
        refresh_views(con)
        summary.delivery = delivery_step(cfg, con, summary, sender)
    publish(cfg.database_path, cfg.analyst_path, cases=cfg.cases_path)
    return summary


def notify_run_failure(cfg: Config, *, run_key: str, name: str, state: str, reason: str,
                       started_at: datetime | None = None,
                       sender: alerts.Sender | None = None) -> list[str]:
    """Tell the channels a run failed or crashed, once per run (the key is the run's id).

    Returns what happened per channel, for the log. When the warehouse cannot be opened (the
    very reason the run failed may be a lock), the message is sent directly, unrecorded.
    """
    targets = alerts.channels(cfg.secrets)
    if not targets:
        return ["no alert channels configured"]
    redact = redactor(cfg)
    send = sender or alerts.AppriseSender(redact)
    alert = alerts.run_failed_alert(
        cfg.alerts.language, run_key=run_key, name=name, state=state,
        reason=redact(reason), where=str(cfg.database_path.name),
        since=started_at or datetime.now(UTC))
    try:
        with open_warehouse(cfg.database_path) as con:
            with transaction(con):
                alerts.put(con, [alert], run_key)
            report = alerts.deliver(con, targets, send, retry_days=cfg.alerts.retry_days)
            return [f"{c}: sent" for _, c in report.sent] + \
                   [f"{c}: failed: {r}" for _, c, r in report.failed]
    except (WarehouseLockedError, duckdb.Error) as exc:
        log.warning("run-failure alert not recorded (%s); sending directly", redact(str(exc)))
        out = []
        for url in targets:
            error = send(url, alert.title, alert.message)
            out.append(f"{alerts.channel_id(url)}: {'sent' if error is None else error}")
        return out
