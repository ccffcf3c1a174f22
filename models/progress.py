"""Progress events of long work (a night, a large export): log records of one logger carrying a
``progress`` dict. The library only reports; the CLI decides how they look (pantau/progress.py)."""

from __future__ import annotations

import logging

LOGGER = "pantau.progress"
_log = logging.getLogger(LOGGER)


def report(stage: str, *, done: int | None = None, total: int | None = None,
           records: int | None = None, what: str = "") -> None:
    event = {"stage": stage, "done": done, "total": total, "records": records, "what": what}
    _log.info("%s %s/%s %s %s", stage, done, total, records, what, extra={"progress": event})
