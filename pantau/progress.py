"""Progress of long work, as the person at the terminal sees it.

The library reports progress as log records of the ``pantau.progress`` logger carrying a
``progress`` dict (stage, done, total, records, what): it knows nothing about terminals. Here one
handler turns them into a live display (rich, installed with Prefect) when stderr is a terminal,
and into plain lines when it is not (a log file, cron, CI), at most one per ``PLAIN_EVERY`` seconds
within a stage.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from pantau.models.progress import LOGGER

PLAIN_EVERY = 5.0


def _event(record: logging.LogRecord) -> dict[str, Any] | None:
    event = getattr(record, "progress", None)
    return event if isinstance(event, dict) else None


class _Live(logging.Handler):
    """A rich progress bar per stage."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.bars = Progress(SpinnerColumn(), TextColumn("{task.description:<11}"), BarColumn(),
                             MofNCompleteColumn(), TextColumn("{task.fields[note]}"),
                             TimeElapsedColumn(), console=console, transient=False)
        self.tasks: dict[str, TaskID] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = _event(record)
        if event is None:
            return
        stage = str(event["stage"])
        note = _note(event)
        if stage not in self.tasks:
            if not self.tasks:
                self.bars.start()
            for other in self.tasks.values():  # a new stage: the ones before are complete
                task = self.bars.tasks[other]
                self.bars.update(other, completed=task.total or task.completed)
            self.tasks[stage] = self.bars.add_task(stage, total=event.get("total"), note=note)
        self.bars.update(self.tasks[stage], completed=event.get("done", 0), note=note,
                         total=event.get("total"))

    def close(self) -> None:
        if self.tasks:
            for task in self.bars.tasks:
                self.bars.update(task.id, completed=task.total or task.completed)
            self.bars.stop()
        super().close()


class _Plain(logging.Handler):
    """One line per stage change, and within a stage one line per PLAIN_EVERY seconds."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.stage: str | None = None
        self.last = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        event = _event(record)
        if event is None:
            return
        now = time.monotonic()
        stage = str(event["stage"])
        finished = event.get("total") is not None and event.get("done") == event.get("total")
        if stage == self.stage and now - self.last < PLAIN_EVERY and not finished:
            return
        self.stage, self.last = stage, now
        count = (f" {event.get('done', 0)}/{event['total']}" if event.get("total") is not None
                 else "")
        note = _note(event)
        self.stream.write(f"pantau: {stage}{count}{' - ' + note if note else ''}\n")
        self.stream.flush()


def _note(event: dict[str, Any]) -> str:
    parts = []
    if event.get("records") is not None:
        parts.append(f"{event['records']:,} records")
    if event.get("what"):
        parts.append(str(event["what"]))
    return ", ".join(parts)


@contextmanager
def shown(stream: TextIO | None = None, *, live: bool | None = None) -> Iterator[None]:
    """Show the ``pantau.progress`` records emitted inside the block."""
    stream = stream or sys.stderr
    live = stream.isatty() if live is None else live
    handler: logging.Handler = (_Live(Console(file=stream, force_terminal=True)) if live
                                else _Plain(stream))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
