"""The outbox: one row per alert under a deterministic key (``ops.alert_outbox``), and each
(alert, channel) attempt (``ops.alert_deliveries``).

An alert is put in the transaction of the change that causes it: the inspectorate rule runs
inside the landing of the register (``loader.land(..., then=...)``); the rules on flags and
metrics run right after the nightly build. Their keys are deterministic and inserts skip
existing keys, so evaluating them again (a rerun, the 6-hourly flow, a crash between build and
evaluation) raises nothing twice and misses nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import duckdb
from pantau.models.alerts.messages import Alert


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


def channel_id(url: str) -> str:
    """How a channel is named in the database and logs: never its URL (it carries the token)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else "channel"
    return f"{scheme}:{hashlib.sha256(url.encode()).hexdigest()[:10]}"



def pending(con: duckdb.DuckDBPyConnection, channels: list[str],
            retry_days: int, now: datetime | None = None) -> list[tuple[str, str, str, str]]:
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
