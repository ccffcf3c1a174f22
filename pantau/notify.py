"""Sending one message to one channel through apprise, with its tokens kept out of every log.

Channel URLs (``tgram://<token>/<chat>``, ``mailto://user:pass@host``, ``json://host/path``, ...)
come from the secrets file. apprise and urllib3 log the URLs they contact at DEBUG level, so while
pantau sends, a filter on their loggers masks every configured secret in every record; the reason
a send failed is taken from apprise's own warnings, masked the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import parse_qsl, unquote, urlsplit

from pantau.connectors.http import Redactor

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
