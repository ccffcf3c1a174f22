"""Alerts: rules that write to the outbox, messages in Bahasa Indonesia or English, delivery.

The outbox (``ops.alert_outbox``) gets one row per alert, under a deterministic key, in the
transaction of the change that causes it: the inspectorate rule runs inside the landing of the
register (``loader.land(..., then=...)``). The rules on flags and metrics read state the nightly
build rebuilds as a whole; they run right after it, in their own transaction, and because their
keys are deterministic and inserts skip existing keys, evaluating them again (a rerun, the
6-hourly flow, a crash between build and evaluation) raises nothing twice and misses nothing.

Delivery is separate: every alert still within ``[alerts] retry_days`` is sent to each configured
channel that has not yet acknowledged it; each (alert, channel) attempt is recorded in
``ops.alert_deliveries``, committed one by one, so a failed channel is retried by the next run and
a delivered one is never sent again (at-least-once: a crash between the send and its record
would repeat that one message).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from pantau.connectors.inspectorates import region_key

log = logging.getLogger("pantau.alerts")
JAKARTA = ZoneInfo("Asia/Jakarta")
LANGUAGES = ("id", "en")
DEFAULT_RETRY_DAYS = 7

# --- messages -------------------------------------------------------------------------------

_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
_STATUS = {
    "id": {"joined": "sudah bergabung", "not_joined": "belum bergabung",
           "unknown": "tidak diketahui", None: "belum tercatat"},
    "en": {"joined": "joined", "not_joined": "not joined", "unknown": "unknown",
           None: "not recorded"},
}
_TEXT = {
    "id": {
        "inspectorate_title": "{name}: {status} dengan e-Pengaduan PBJ LKPP",
        "inspectorate_body": (
            "Apa yang berubah: status integrasi {name} dengan e-Pengaduan PBJ LKPP berubah "
            'dari "{previous}" menjadi "{status}".\n'
            "Di mana: {name}{code}.\n"
            'Sejak: {since} (tanggal pemeriksaan register "{source}"){previous_checked}.\n'
            "Bukti: {evidence}"
        ),
        "previous_checked": "; status sebelumnya terakhir diperiksa {date}",
        "disagree": "\nCatatan: register lain mencatat status berbeda: {others}.",
        "process_title": "Paket berisiko baru di {region}: {title}",
        "process_body": (
            'Apa: paket baru "{title}" ({kind}, kode {source_id}, sumber {source}) memenuhi '
            "aturan peringatan: {reason}.\n"
            "Di mana: {region}{satker}.\n"
            "Sejak: diumumkan {since}.\n"
            "Pagu Rp{pagu}, HPS Rp{hps}.\n"
            "Bukti: {evidence}"
        ),
        "process_reason_flags": "{n} bendera merah ({codes})",
        "process_reason_score": "skor risiko {code} = {score} (batas {limit})",
        "metric_title": "Metrik {metric} memburuk di {region}",
        "metric_body": (
            "Apa: metrik {metric} untuk tahun anggaran {year} berubah dari {previous} menjadi "
            "{value}, melewati batas {limit} ({direction}).\n"
            "Di mana: {region}{satker}.\n"
            "Sejak: snapshot {since} (sebelumnya {previous_date}).\n"
            "Bukti: pantau explain {metric}; tabel metric_history"
        ),
        "above": "lebih tinggi lebih buruk",
        "below": "lebih rendah lebih buruk",
        "run_title": "Run pantau gagal: {name}",
        "run_body": (
            'Apa: run "{name}" berakhir dengan status {state}.\n'
            "Di mana: {where}.\nSejak: {since}.\nAlasan: {reason}"
        ),
        "test_title": "Pesan uji pantau",
        "test_body": "Ini pesan uji dari pantau ({when}). Kanal ini menerima peringatan.",
    },
    "en": {
        "inspectorate_title": "{name}: {status} LKPP's e-pengaduan PBJ",
        "inspectorate_body": (
            "What changed: the e-pengaduan PBJ integration status of {name} changed from "
            '"{previous}" to "{status}".\n'
            "Where: {name}{code}.\n"
            'Since: {since} (checked_on in register "{source}"){previous_checked}.\n'
            "Evidence: {evidence}"
        ),
        "previous_checked": "; the previous status was last checked on {date}",
        "disagree": "\nNote: another register records a different status: {others}.",
        "process_title": "New high-risk procurement in {region}: {title}",
        "process_body": (
            'What: the new package "{title}" ({kind}, code {source_id}, source {source}) meets '
            "an alert rule: {reason}.\n"
            "Where: {region}{satker}.\n"
            "Since: announced {since}.\n"
            "Pagu Rp{pagu}, HPS Rp{hps}.\n"
            "Evidence: {evidence}"
        ),
        "process_reason_flags": "{n} red flags ({codes})",
        "process_reason_score": "risk score {code} = {score} (limit {limit})",
        "metric_title": "Metric {metric} worsened in {region}",
        "metric_body": (
            "What: {metric} for budget year {year} went from {previous} to {value}, past the "
            "limit {limit} ({direction}).\n"
            "Where: {region}{satker}.\n"
            "Since: snapshot {since} (previous {previous_date}).\n"
            "Evidence: pantau explain {metric}; table metric_history"
        ),
        "above": "higher is worse",
        "below": "lower is worse",
        "run_title": "pantau run failed: {name}",
        "run_body": (
            'What: the run "{name}" ended {state}.\n'
            "Where: {where}.\nSince: {since}.\nReason: {reason}"
        ),
        "test_title": "pantau test message",
        "test_body": "This is a test message from pantau ({when}). This channel receives alerts.",
    },
}


def language_of(settings: dict[str, Any]) -> str:
    lang = str(settings.get("language", "id")).lower()
    return lang if lang in LANGUAGES else "id"


def format_date(value: date | str | None, lang: str) -> str:
    if value is None:
        return "-"
    day = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
    if lang == "id":
        return f"{day.day} {_MONTHS_ID[day.month - 1]} {day.year}"
    return day.strftime("%d %B %Y").lstrip("0")


def format_rupiah(value: object) -> str:
    if value is None:
        return "-"
    return f"{float(value):,.0f}".replace(",", ".")  # type: ignore[arg-type]


def text(lang: str, template: str, /, **values: object) -> str:
    return _TEXT[lang][template].format(**values)


# --- the outbox -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    key: str
    rule: str
    subject: str
    title: str
    message: str
    language: str
    region: str | None = None
    happened_on: str | None = None
    evidence_url: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def put(con: duckdb.DuckDBPyConnection, alerts: Iterable[Alert], run_id: str) -> list[str]:
    """Insert alerts whose key is new (in the caller's transaction); returns the new keys."""
    new = []
    now = datetime.now(UTC)
    for alert in alerts:
        row = con.execute(
            """
            INSERT INTO ops.alert_outbox (key, rule, subject, region, happened_on, evidence_url,
                language, title, message, facts, created_at, run_id)
            VALUES ($key, $rule, $subject, $region, $happened_on, $evidence_url, $language,
                $title, $message, $facts, $now, $run_id)
            ON CONFLICT (key) DO NOTHING
            RETURNING key
            """,
            {"key": alert.key, "rule": alert.rule, "subject": alert.subject,
             "region": alert.region, "happened_on": alert.happened_on,
             "evidence_url": alert.evidence_url, "language": alert.language,
             "title": alert.title, "message": alert.message,
             "facts": json.dumps(alert.facts, ensure_ascii=False, default=str), "now": now,
             "run_id": run_id},
        ).fetchall()
        if row:
            new.append(alert.key)
    return new


# --- watching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    """Watched things, by K/L/PD code or by (normalised) name."""

    codes: frozenset[str]
    names: frozenset[str]
    everything: bool = False

    @classmethod
    def of(cls, entries: Iterable[str] | None, *, default_all: bool = False) -> Watch:
        items = [str(e).strip() for e in entries or [] if str(e).strip()]
        if not items:
            return cls(frozenset(), frozenset(), everything=default_all)
        codes = frozenset(e.upper() for e in items if e[:1].upper() in "KLD" and e[1:].isdigit())
        names = frozenset(region_key(e) for e in items)
        return cls(codes, names)

    def matches(self, code: str | None, name: str | None) -> bool:
        if self.everything:
            return True
        if code and code.upper() in self.codes:
            return True
        return bool(name) and region_key(str(name)) in self.names


# --- rule: inspectorate status ---------------------------------------------------------------


def inspectorate_alerts(con: duckdb.DuckDBPyConnection, watch: Watch, lang: str) -> list[Alert]:
    """A watched inspectorate whose known status (per register) changed, or that a register
    first records as joined. Compared with the last alert of the same register and
    inspectorate, so a corrected or back-dated row does not repeat an alert."""
    rows = con.execute(
        """
        SELECT k.source, k.inspectorate_id, k.inspectorate, k.kd_klpd, k.status,
            CAST(k.since AS VARCHAR), k.evidence_url, k.previous_status,
            CAST(k.previous_checked_on AS VARCHAR),
            (SELECT arg_max(o.facts ->> 'status', o.created_at) FROM ops.alert_outbox o
             WHERE o.rule = 'inspectorate_status'
               AND o.subject = k.source || '|' || k.inspectorate_id) AS last_alerted
        FROM core.inspectorate_known_status k
        ORDER BY k.inspectorate_id, k.source
        """
    ).fetchall()
    by_ident: dict[str, list[tuple[str, str]]] = {}
    for source, ident, _name, _code, status, *_ in rows:
        by_ident.setdefault(ident, []).append((source, status))
    alerts = []
    for (source, ident, name, code, status, since, evidence, previous, previous_checked,
         last_alerted) in rows:
        if not watch.matches(code, name):
            continue
        if last_alerted is not None:
            if last_alerted == status:
                continue
        elif previous is None and status != "joined":
            continue  # the first record of a not-joined inspectorate is the baseline
        statuses = _STATUS[lang]
        body = text(
            lang, "inspectorate_body", name=name, status=statuses[status],
            previous=statuses[previous], code=f" (kd_klpd {code})" if code else "",
            since=format_date(since, lang), source=source, evidence=evidence,
            previous_checked=text(lang, "previous_checked",
                                  date=format_date(previous_checked, lang))
            if previous_checked else "",
        )
        disagreeing = [f"{other}: {statuses[st]}" for other, st in by_ident[ident]
                       if other != source and st != status]
        if disagreeing:
            body += text(lang, "disagree", others="; ".join(disagreeing))
        alerts.append(Alert(
            key=f"inspectorate_status|{source}|{ident}|{status}|{since}",
            rule="inspectorate_status", subject=f"{source}|{ident}",
            title=text(lang, "inspectorate_title", name=name, status=statuses[status]),
            message=body, language=lang, region=name, happened_on=since, evidence_url=evidence,
            facts={"source": source, "inspectorate_id": ident, "status": status,
                   "previous_status": previous, "since": since, "kd_klpd": code},
        ))
    return alerts


# --- rules on flags and metrics (built by other parts of pantau) -------------------------------


def relation_columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = $s AND table_name = $n",
        {"s": schema, "n": name},
    ).fetchall()
    return {r[0] for r in rows}


def _find(con: duckdb.DuckDBPyConnection, name: str, needed: set[str],
          schemas: tuple[str, ...] = ("core", "main")) -> str | None:
    for schema in schemas:
        if needed <= relation_columns(con, schema, name):
            return f"{schema}.{name}"
    return None


@dataclass(frozen=True)
class ProcessRule:
    min_flags: int = 2  # distinct flag codes on one process
    score_code: str = "PFA"  # the flag whose value is a risk score
    min_score: float | None = None  # alert when that score reaches this (None: not used)
    new_days: int = 14  # "new": announced within this many days of the run date

    @classmethod
    def of(cls, settings: dict[str, Any]) -> ProcessRule:
        score = settings.get("process_min_score")
        return cls(min_flags=int(settings.get("process_min_flags", 2)),
                   score_code=str(settings.get("process_score_code", "PFA")),
                   min_score=float(score) if score is not None else None,
                   new_days=int(settings.get("process_new_days", 14)))


def process_alerts(con: duckdb.DuckDBPyConnection, watch: Watch, rule: ProcessRule, lang: str,
                   run_date: date, notices: list[str]) -> list[Alert]:
    """A new process in a watched region with enough flags, or a risk score at or over a limit."""
    flags = _find(con, "flags", {"source", "source_id", "code", "value"})
    processes = _find(con, "processes", {"source", "kind", "source_id", "kd_klpd", "klpd_name",
                                         "title", "announced_at"}, ("core",))
    if flags is None or processes is None:
        notices.append("alert rule risky_process skipped: no flags table yet")
        return []
    since = datetime.combine(run_date - timedelta(days=rule.new_days), datetime.min.time(),
                             JAKARTA)
    # Score components (PFA-1, PFA-2, ...) are scores, not flags; buyer- and tenderer-level
    # results (grp other than OCID) are not about one process.
    columns = relation_columns(con, *flags.split("."))
    process_level = "(f.grp IS NULL OR f.grp = 'OCID')" if "grp" in columns else "TRUE"
    # ISB reuses a package code across kinds: with a kind, a flag names exactly one process.
    same_kind = " AND f.kind = p.kind" if "kind" in columns else ""
    rows = con.execute(
        f"""
        SELECT p.source, p.kind, p.source_id, p.kd_klpd, p.klpd_name, p.satker_name, p.title,
            p.pagu, p.hps, CAST(timezone('Asia/Jakarta', p.announced_at) AS DATE) AS announced,
            coalesce(list(DISTINCT f.code ORDER BY f.code)
                     FILTER (WHERE NOT starts_with(f.code, $score_code)), []) AS codes,
            count(DISTINCT f.code) FILTER (WHERE NOT starts_with(f.code, $score_code))
                AS n_flags,
            max(TRY_CAST(f.value AS DOUBLE)) FILTER (WHERE f.code = $score_code) AS score
        FROM {processes} p
        JOIN {flags} f ON f.source = p.source AND f.source_id = p.source_id{same_kind}
        WHERE p.announced_at >= $since AND {process_level}
        GROUP BY ALL
        HAVING n_flags >= $min_flags OR ($min_score IS NOT NULL AND score >= $min_score)
        ORDER BY announced, p.source, p.source_id
        """,
        {"score_code": rule.score_code, "since": since, "min_flags": rule.min_flags,
         "min_score": rule.min_score},
    ).fetchall()
    alerts = []
    for (source, kind, source_id, code, klpd, satker, title, pagu, hps, announced, codes,
         n_flags, score) in rows:
        if not watch.matches(code, klpd):
            continue
        reasons = []
        if n_flags >= rule.min_flags:
            reasons.append(text(lang, "process_reason_flags", n=n_flags, codes=", ".join(codes)))
        if rule.min_score is not None and score is not None and score >= rule.min_score:
            reasons.append(text(lang, "process_reason_score", code=rule.score_code,
                                score=f"{score:g}", limit=f"{rule.min_score:g}"))
        region = klpd or code or "-"
        evidence = f"pantau sql \"SELECT * FROM flags WHERE source_id = '{source_id}'\""
        alerts.append(Alert(
            key=f"risky_process|{source}|{kind}|{source_id}", rule="risky_process",
            subject=f"{source}|{kind}|{source_id}",
            title=text(lang, "process_title", region=region, title=str(title)[:80]),
            message=text(lang, "process_body", title=title, kind=kind, source_id=source_id,
                         source=source, reason="; ".join(reasons), region=region,
                         satker=f", {satker}" if satker else "",
                         since=format_date(announced, lang), pagu=format_rupiah(pagu),
                         hps=format_rupiah(hps), evidence=evidence),
            language=lang, region=region, happened_on=str(announced), evidence_url=None,
            facts={"codes": codes, "n_flags": n_flags, "score": score, "kd_klpd": code},
        ))
    return alerts


@dataclass(frozen=True)
class MetricRule:
    metric: str
    limit: float
    worse: str  # "above" (higher is worse) or "below"
    satker: bool = False  # also per satuan kerja, not only the whole K/L/PD

    @classmethod
    def all_of(cls, settings: dict[str, Any]) -> list[MetricRule]:
        rules = []
        for raw in settings.get("metrics", []):
            if "above" in raw:
                rules.append(cls(str(raw["metric"]), float(raw["above"]), "above",
                                 bool(raw.get("satker", False))))
            elif "below" in raw:
                rules.append(cls(str(raw["metric"]), float(raw["below"]), "below",
                                 bool(raw.get("satker", False))))
        return rules

    def past(self, value: float | None) -> bool:
        if value is None:
            return False
        return value > self.limit if self.worse == "above" else value < self.limit


def metric_alerts(con: duckdb.DuckDBPyConnection, watch: Watch, rules: list[MetricRule],
                  lang: str, notices: list[str]) -> list[Alert]:
    """A watched metric whose latest snapshot is past its limit while the one before was not."""
    if not rules:
        return []
    history = _find(con, "metric_history",
                    {"snapshot_date", "kd_klpd", "kd_satker", "year", "metric", "value"},
                    ("main", "core"))
    if history is None:
        notices.append("alert rule metric_worsened skipped: no metric_history yet")
        return []
    names = _klpd_names(con)
    alerts = []
    for rule in rules:
        rows = con.execute(
            f"""
            WITH h AS (
                SELECT kd_klpd, kd_satker, year, CAST(snapshot_date AS DATE) AS snapshot_date,
                    TRY_CAST(value AS DOUBLE) AS value
                FROM {history} WHERE metric = $metric AND ($satker OR kd_satker IS NULL)
            ), ranked AS (
                SELECT *, lag(value) OVER w AS previous, lag(snapshot_date) OVER w AS prev_date,
                    row_number() OVER (PARTITION BY kd_klpd, kd_satker, year
                                       ORDER BY snapshot_date DESC) AS rn
                FROM h
                WINDOW w AS (PARTITION BY kd_klpd, kd_satker, year ORDER BY snapshot_date)
            )
            SELECT kd_klpd, kd_satker, year, CAST(snapshot_date AS VARCHAR), value, previous,
                CAST(prev_date AS VARCHAR)
            FROM ranked WHERE rn = 1 AND previous IS NOT NULL
            ORDER BY ALL
            """,
            {"metric": rule.metric, "satker": rule.satker},
        ).fetchall()
        for code, satker, year, snap, value, previous, prev_date in rows:
            region = names.get(code, code)
            if not watch.matches(code, region):
                continue
            if not rule.past(value) or rule.past(previous):
                continue
            alerts.append(Alert(
                key=f"metric_worsened|{rule.metric}|{code}|{satker or ''}|{year}|{snap}",
                rule="metric_worsened", subject=f"{rule.metric}|{code}|{satker or ''}|{year}",
                title=text(lang, "metric_title", metric=rule.metric, region=region),
                message=text(lang, "metric_body", metric=rule.metric, year=year,
                             previous=f"{previous:.4g}", value=f"{value:.4g}",
                             limit=f"{rule.limit:g}", direction=text(lang, rule.worse),
                             region=region, satker=f", satker {satker}" if satker else "",
                             since=format_date(snap, lang),
                             previous_date=format_date(prev_date, lang)),
                language=lang, region=region, happened_on=snap,
                facts={"metric": rule.metric, "value": value, "previous": previous,
                       "limit": rule.limit, "worse": rule.worse, "kd_klpd": code},
            ))
    return alerts


def _klpd_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not relation_columns(con, "core", "processes") >= {"kd_klpd", "klpd_name"}:
        return {}
    rows = con.execute(
        "SELECT kd_klpd, any_value(klpd_name) FROM core.processes "
        "WHERE kd_klpd IS NOT NULL AND klpd_name IS NOT NULL GROUP BY kd_klpd"
    ).fetchall()
    return {str(c): str(n) for c, n in rows}


def run_failed_alert(lang: str, *, run_key: str, name: str, state: str, reason: str,
                     where: str, since: datetime) -> Alert:
    when = since.astimezone(JAKARTA)
    return Alert(
        key=f"run_failed|{run_key}", rule="run_failed", subject=run_key,
        title=text(lang, "run_title", name=name),
        message=text(lang, "run_body", name=name, state=state, where=where,
                     since=f"{format_date(when.date(), lang)} {when:%H:%M} WIB",
                     reason=reason[:500]),
        language=lang, region=where, happened_on=when.isoformat(timespec="seconds"),
        facts={"state": state, "name": name},
    )


# --- delivery -------------------------------------------------------------------------------


def channel_id(url: str) -> str:
    """How a channel is named in the database and logs: never its URL (it carries the token)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "channel"
    return f"{scheme}:{hashlib.sha256(url.encode()).hexdigest()[:10]}"


# send(url, title, body) -> None on success, or the (redacted) reason it failed.
Sender = Callable[[str, str, str], "str | None"]


@dataclass
class DeliveryReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (alert key, channel id)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (+ reason)

    def summary(self) -> str:
        return f"{len(self.sent)} alert message(s) delivered, {len(self.failed)} failed"


def pending(con: duckdb.DuckDBPyConnection, channels: list[str],
            retry_days: int = DEFAULT_RETRY_DAYS,
            now: datetime | None = None) -> list[tuple[str, str, str, str]]:
    """(alert key, channel id, title, message) still to deliver, oldest first."""
    if not channels:
        return []
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retry_days)
    ids = [channel_id(c) for c in channels]
    rows = con.execute(
        """
        SELECT o.key, c.channel, o.title, o.message
        FROM ops.alert_outbox o
        CROSS JOIN (SELECT unnest($ids) AS channel, generate_subscripts($ids, 1) AS n) c
        WHERE o.created_at >= $cutoff
          AND NOT EXISTS (SELECT 1 FROM ops.alert_deliveries d
                          WHERE d.alert_key = o.key AND d.channel = c.channel
                            AND d.status = 'sent')
        ORDER BY o.created_at, o.key, c.n
        """,
        {"ids": ids, "cutoff": cutoff},
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def deliver(con: duckdb.DuckDBPyConnection, channels: list[str], send: Sender, *,
            retry_days: int = DEFAULT_RETRY_DAYS) -> DeliveryReport:
    by_id = {channel_id(c): c for c in channels}
    report = DeliveryReport()
    for key, channel, title, message in pending(con, channels, retry_days):
        error = send(by_id[channel], title, message)
        record_delivery(con, key, channel, error)
        if error is None:
            report.sent.append((key, channel))
        else:
            report.failed.append((key, channel, error))
            log.warning("alert %s not delivered to %s: %s", key, channel, error)
    return report


def record_delivery(con: duckdb.DuckDBPyConnection, key: str, channel: str,
                    error: str | None) -> None:
    now = datetime.now(UTC)
    con.execute(
        """
        INSERT INTO ops.alert_deliveries (alert_key, channel, status, attempts, first_attempt_at,
            last_attempt_at, delivered_at, error)
        VALUES ($key, $channel, $status, 1, $now, $now, $delivered, $error)
        ON CONFLICT (alert_key, channel) DO UPDATE SET
            status = excluded.status, attempts = ops.alert_deliveries.attempts + 1,
            last_attempt_at = excluded.last_attempt_at, delivered_at = excluded.delivered_at,
            error = excluded.error
        """,
        {"key": key, "channel": channel, "status": "sent" if error is None else "failed",
         "now": now, "delivered": now if error is None else None, "error": error},
    )
