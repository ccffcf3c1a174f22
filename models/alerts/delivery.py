"""Delivery: what the outbox still owes each configured channel, sent through apprise.

Every alert still within ``[alerts] retry_days`` is sent to each configured channel that has not
yet acknowledged it; each (alert, channel) attempt is recorded in ``ops.alert_deliveries``,
committed one by one, so a failed channel is retried by the next run and a delivered one is never
sent again (at-least-once: a crash between the send and its record would repeat that one
message). Channel URLs (``tgram://<token>/<chat>``, ``mailto://user:pass@host``, ...) come from
the secrets file's ``[alerts] channels``; apprise and urllib3 log the URLs they contact at DEBUG
level, so while pantau sends, a filter on their loggers masks every configured secret in every
record, and the reason a send failed is taken from apprise's own warnings, masked the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb
from pantau.connectors.http import Redactor
from pantau.models.alerts.messages import JAKARTA, text
from pantau.models.alerts.outbox import channel_id, pending, record_delivery

log = logging.getLogger("pantau.alerts")

# send(url, title, body) -> None on success, or the (redacted) reason it failed.
Sender = Callable[[str, str, str], "str | None"]


@dataclass
class DeliveryReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (alert key, channel id)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (+ reason)

    def summary(self) -> str:
        return f"{len(self.sent)} alert message(s) delivered, {len(self.failed)} failed"


def deliver(con: duckdb.DuckDBPyConnection, channels: list[str], send: Sender, *,
            retry_days: int) -> DeliveryReport:
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


# --- channels -------------------------------------------------------------------------------


def channels(secrets: Mapping[str, Any]) -> list[str]:
    """The secrets file's ``[alerts] channels``."""
    return [str(c) for c in secrets.get("alerts", {}).get("channels", []) if str(c).strip()]


def redactor(secret_values: list[str], targets: list[str]) -> Redactor:
    """Masks every secret and every part of a channel URL that may be a token."""
    return Redactor([*secret_values, *(part for url in targets for part in channel_secrets(url))])


def send_test(targets: list[str], lang: str, send: Sender) -> list[tuple[str, str | None]]:
    """A test message to each channel: (channel id, None or the reason it failed)."""
    when = datetime.now(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
    return [(channel_id(url), send(url, text(lang, "test_title"),
                                   text(lang, "test_body", when=when)))
            for url in targets]


# --- apprise --------------------------------------------------------------------------------

_LOGGERS = ("apprise", "urllib3.connectionpool", "urllib3.util.retry", "urllib3.response",
            "mail.log", "smtplib")
_lock = threading.Lock()


def channel_secrets(url: str) -> list[str]:
    """The parts of a channel URL that may be a token, as the libraries log them: the URL,
    its user and password, every path segment and query value (6+ characters), and the host
    when it is not a host name (``tgram://<bot token>/...``, ``slack://<token>/...``)."""
    parts = urlsplit(url)
    found = [url]
    with suppress(ValueError):
        found += [parts.username or "", parts.password or ""]
    host = parts.netloc.rsplit("@", 1)[-1]
    if host and "." not in host:
        found += [host, unquote(host)]
    found += [unquote(seg) for seg in parts.path.split("/")]
    found += parts.path.split("/")
    found += [v for _, v in parse_qsl(parts.query)]
    return [f for f in found if len(f) >= 6]


class _Masking(logging.Filter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        return True


class _Collect(logging.Handler):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(logging.WARNING)
        self.redact = redact
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(self.redact(record.getMessage()))


@contextmanager
def masked_logs(redact: Redactor) -> Iterator[_Collect]:
    """Mask secrets in the sending libraries' log records; collect apprise's warnings."""
    masking = _Masking(redact)
    collect = _Collect(redact)
    with _lock:
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(masking)
        apprise_log = logging.getLogger("apprise")
        apprise_log.addHandler(collect)
        try:
            yield collect
        finally:
            apprise_log.removeHandler(collect)
            for name in _LOGGERS:
                logging.getLogger(name).removeFilter(masking)


class AppriseSender:
    """``send(url, title, body)`` -> None when delivered, else the redacted reason."""

    def __init__(self, redact: Redactor, *, timeout: float = 30) -> None:
        self.redact = redact
        self.timeout = timeout

    def __call__(self, url: str, title: str, body: str) -> str | None:
        import apprise  # noqa: PLC0415 - loading its plugins takes seconds; only when sending

        self.redact.add(*channel_secrets(url))
        with masked_logs(self.redact) as collected:
            try:
                app = apprise.Apprise()
                if not app.add(url):
                    return "channel URL not understood by apprise"
                result = app.notify(body=body, title=title, timeout=self.timeout)
            except Exception as exc:
                return self.redact(f"{type(exc).__name__}: {exc}")[:300]
        if result:
            return None
        reason = collected.messages[-1] if collected.messages else "apprise reported a failure"
        return self.redact(reason)[:300]
