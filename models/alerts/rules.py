"""Alert rules: a watched inspectorate's status changing, a new process with many flags or a
high risk score, a watched metric worsening past its limit; and ``[alerts]``, their settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import duckdb
from pantau.connectors.base import Region
from pantau.connectors.inspectorates import region_key
from pantau.models.alerts.messages import JAKARTA, STATUS, Alert, format_date, format_rupiah, text
from pydantic import ConfigDict, Field, with_config

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
        statuses = STATUS[lang]
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
    min_flags: int  # distinct flag codes on one process
    score_code: str  # the flag whose value is a risk score
    min_score: float | None  # alert when that score reaches this (None: not used)
    new_days: int  # "new": announced within this many days of the run date


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


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class MetricRule:
    """``[[alerts.metrics]]``: a watched metric worsening past a limit."""

    metric: Annotated[str, Field(description="The metric (a column of agency_metrics).")]
    above: Annotated[float | None, Field(description=(
        "Alert when it rises above this (higher is worse)."))] = None
    below: Annotated[float | None, Field(description=(
        "Alert when it falls below this (lower is worse)."))] = None
    satker: Annotated[bool, Field(description=(
        "Also per satuan kerja, not only the whole K/L/PD."))] = False

    def __post_init__(self) -> None:
        if (self.above is None) == (self.below is None):
            raise ValueError(f"metric {self.metric!r}: give exactly one of above or below")

    @property
    def worse(self) -> str:
        return "above" if self.above is not None else "below"

    @property
    def limit(self) -> float:
        return self.above if self.above is not None else float(self.below or 0)

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


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class ChangeRule:
    """``[[alerts.changes]]``: a watched field of a process changing (the ``changes`` view),
    e.g. HPS raised after the announcement, the winner changed, a package with a contract
    vanished."""

    name: Annotated[str, Field(description=(
        'What the alert is called (e.g. "hps_raised", "winner_changed").'))]
    change: Annotated[Literal["changed", "vanished", "reappeared"], Field(description=(
        "The kind of change: a field changed, the process vanished or came back."))] = "changed"
    fields: Annotated[tuple[str, ...], Field(description=(
        'Watched fields of the changes view (e.g. ["hps"], ["supplier_name", '
        '"supplier_npwp"]); empty: any (for changed).'))] = ()
    direction: Annotated[Literal["any", "up", "down"], Field(description=(
        '"up": only a number that rose (e.g. HPS raised), "down": only one that fell.'))] = "any"
    with_contract: Annotated[bool, Field(description=(
        "Only processes with a contract value (e.g. a package with a contract vanished)."))] = (
        False)


def change_alerts(con: duckdb.DuckDBPyConnection, watch: Watch, rules: list[ChangeRule],
                  lang: str, notices: list[str]) -> list[Alert]:
    """A change of the ``changes`` view that a rule watches, in a watched region. Keyed by the
    change itself: every night sees it again and raises it once."""
    if not rules:
        return []
    if _find(con, "changes", {"source", "kind", "source_id", "field", "change"},
             ("main",)) is None:
        notices.append("alert rules on changes skipped: no changes view yet")
        return []
    alerts = []
    for rule in rules:
        rows = con.execute(
            """
            SELECT c.source, c.kind, c.source_id, c.field, c.old_value, c.new_value,
                CAST(c.seen_on AS VARCHAR), c.change, c.kd_klpd, c.kd_satker, c.title,
                p.klpd_name
            FROM main.changes c
            LEFT JOIN core.processes p ON p.source = c.source AND p.kind = c.kind
                AND p.source_id = c.source_id
            WHERE c.change = $change
                AND (len($fields) = 0 OR list_contains($fields, split_part(c.field, ' ', 1)))
                AND ($direction = 'any'
                     OR ($direction = 'up' AND TRY_CAST(c.new_value AS DOUBLE)
                         > TRY_CAST(c.old_value AS DOUBLE))
                     OR ($direction = 'down' AND TRY_CAST(c.new_value AS DOUBLE)
                         < TRY_CAST(c.old_value AS DOUBLE)))
                AND (NOT $with_contract OR coalesce(p.contract_value, 0) > 0)
            ORDER BY c.seen_on, c.source, c.kind, c.source_id, c.field
            """,
            {"change": rule.change, "fields": list(rule.fields), "direction": rule.direction,
             "with_contract": rule.with_contract},
        ).fetchall()
        for (source, kind, source_id, field, old, new, seen_on, change, code, satker, title,
             klpd) in rows:
            region = klpd or code or "-"
            if not watch.matches(code, klpd):
                continue
            alerts.append(Alert(
                key=(f"change|{rule.name}|{source}|{kind}|{source_id}|{field or ''}|{seen_on}|"
                     f"{new or ''}"),
                rule=rule.name, subject=f"{source}|{kind}|{source_id}",
                title=text(lang, "change_title", rule=rule.name, region=region,
                           title=str(title or source_id)[:80]),
                message=text(lang, "change_body", field=field or "-", title=title or "-",
                             kind=kind, source_id=source_id, source=source, old=old or "-",
                             new=new or "-", change=change, region=region,
                             satker=f", satker {satker}" if satker else "",
                             since=format_date(seen_on, lang)),
                language=lang, region=region, happened_on=seen_on,
                facts={"field": field, "old_value": old, "new_value": new, "change": change,
                       "kd_klpd": code},
            ))
    return alerts


def quality_alerts(con: duckdb.DuckDBPyConnection, *, coverage_drop: float | None,
                   stale_days: int | None, lang: str, notices: list[str]) -> list[Alert]:
    """A field whose coverage fell by more than ``coverage_drop`` between the last two coverage
    snapshots (core.coverage_snapshots), and a source kind whose newest record is older than
    ``stale_days`` (the data_quality view's freshness)."""
    alerts: list[Alert] = []
    if coverage_drop is not None and _find(con, "coverage_snapshots", {"snapshot_date"},
                                           ("core",)):
        rows = con.execute(
            """
            WITH s AS (
                SELECT *, dense_rank() OVER (ORDER BY snapshot_date DESC) AS back,
                    n / nullif(n_records, 0) AS share
                FROM core.coverage_snapshots
            )
            -- a field no record has any more has coverage 0
            SELECT before.source, before.dataset, before.field,
                CAST((SELECT max(snapshot_date) FROM s) AS VARCHAR), before.share,
                coalesce(now.share, 0)
            FROM s before LEFT JOIN s now ON now.back = 1 AND now.source = before.source
                AND now.dataset = before.dataset AND now.field = before.field
            WHERE before.back = 2 AND before.share - coalesce(now.share, 0) > $drop
            ORDER BY ALL
            """,
            {"drop": coverage_drop},
        ).fetchall()
        alerts += [_quality_alert(lang, "coverage_dropped", f"{source}/{dataset} {field}",
                                  since, text(lang, "coverage_what", field=field,
                                              dataset=dataset, before=f"{before:.0%}",
                                              now=f"{now:.0%}"))
                   for source, dataset, field, since, before, now in rows]
    if stale_days is not None:
        if _find(con, "data_quality", {"measure", "item", "n", "newest"}, ("main",)) is None:
            notices.append("alert rule source_stale skipped: no data_quality view yet")
            return alerts
        rows = con.execute(
            "SELECT source, dataset, n, CAST(newest AS VARCHAR) FROM main.data_quality "
            "WHERE measure = 'freshness' AND item = 'newest_record' AND n > $days ORDER BY ALL",
            {"days": stale_days},
        ).fetchall()
        alerts += [_quality_alert(lang, "source_stale", f"{source}/{dataset}", newest,
                                  text(lang, "stale_what", dataset=dataset, source=source,
                                       days=days, newest=format_date(newest, lang)))
                   for source, dataset, days, newest in rows]
    return alerts


def _quality_alert(lang: str, rule: str, subject: str, since: str, what: str) -> Alert:
    return Alert(
        key=f"{rule}|{subject}|{since}", rule=rule, subject=subject,
        title=text(lang, "quality_title", subject=subject),
        message=text(lang, "quality_body", what=what, since=format_date(since, lang)),
        language=lang, happened_on=since, facts={"subject": subject},
    )


def _klpd_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not relation_columns(con, "core", "processes") >= {"kd_klpd", "klpd_name"}:
        return {}
    rows = con.execute(
        "SELECT kd_klpd, any_value(klpd_name) FROM core.processes "
        "WHERE kd_klpd IS NOT NULL AND klpd_name IS NOT NULL GROUP BY kd_klpd"
    ).fetchall()
    return {str(c): str(n) for c, n in rows}


# --- settings -------------------------------------------------------------------------------


@with_config(ConfigDict(extra="forbid"))
@dataclass(frozen=True)
class AlertSettings:
    """``[alerts]``: the rules and the language of the messages. The channels (apprise URLs with
    tokens) are secrets: the secrets file's ``[alerts] channels = ["tgram://...", ...]``."""

    language: Annotated[Literal["id", "en"], Field(description=(
        'Language of the messages: "id" (Bahasa Indonesia) or "en".'))] = "id"
    retry_days: Annotated[int, Field(ge=1, description=(
        "Undelivered alerts are retried by every run for this many days."))] = 7
    regions: Annotated[tuple[str, ...], Field(description=(
        "Regions watched for processes and metrics, by name or K/L/PD code (default: the "
        "[[regions]])."))] = ()
    process_min_flags: Annotated[int, Field(ge=1, description=(
        "A new process with at least this many distinct flags alerts ..."))] = 2
    process_score_code: Annotated[str, Field(description=(
        "... or one whose risk score (this flag's value) ..."))] = "PFA"
    process_min_score: Annotated[float | None, Field(description=(
        "... reaches this (unset: not used)."))] = None
    process_new_days: Annotated[int, Field(ge=0, description=(
        '"New": announced within this many days of the run date.'))] = 14
    metrics: Annotated[tuple[MetricRule, ...], Field(description=(
        "Watched metrics (see its keys below)."))] = ()
    changes: Annotated[tuple[ChangeRule, ...], Field(description=(
        "Watched changes of processes (the changes view; see its keys below)."))] = ()
    coverage_drop: Annotated[float | None, Field(ge=0, le=1, description=(
        "Alert when a source field's coverage falls by more than this share between two "
        "nights (coverage_dropped; unset: not used)."))] = 0.2
    stale_days: Annotated[int | None, Field(ge=0, description=(
        "Alert when a source's newest record is older than this many days (source_stale; "
        "unset: not used)."))] = None

    @property
    def process_rule(self) -> ProcessRule:
        return ProcessRule(self.process_min_flags, self.process_score_code,
                           self.process_min_score, self.process_new_days)

    def region_watch(self, regions: Iterable[Region]) -> Watch:
        """Regions whose processes and metrics alert: ``regions`` here, else the given ones."""
        if self.regions:
            return Watch.of(self.regions)
        entries: list[str] = []
        for r in regions:
            entries += [r.name] + ([r.kd_klpd] if r.kd_klpd else [])
        return Watch.of(entries, default_all=True)
