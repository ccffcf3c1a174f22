"""Where a command's log goes, and what the terminal shows of it.

Everything at INFO and above (DEBUG with ``-v``) goes to a log file with its tracebacks, masked
by the same redactor as the HTTP layer; the terminal shows warnings and errors as one line each,
without tracebacks unless ``-v``. So a failed night reads as sentences, and the detail is one
``less`` away in the file the message names.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from pantau.connectors.http import Redactor

# Prefect's loggers write to the terminal through handlers of their own (not propagated).
PREFECT_LOGGERS = ("prefect", "prefect.flow_runs", "prefect.task_runs", "docket")
# What the last ``setup`` installed: a second ``main()`` in one process (the tests call it
# many times) replaces them instead of writing twice, or to a stream closed since.


class _Masked(logging.Filter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        return True


class _WithoutTraceback(logging.Formatter):
    """Formats a record as its handler did, less the traceback (restored afterwards, so the
    log file's handler still writes it)."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def setup(log_dir: Path, *, verbose: bool, redact: Redactor) -> Path:
    """Log to ``log_dir/pantau-YYYYMMDD.log`` and a terse terminal; returns the file's path."""
    # A second call (tests run ``main`` many times in one process) replaces the handlers of the
    # first, which may write to streams that are closed by now.
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "pantau", False)]:
        root.removeHandler(old)
        for name in PREFECT_LOGGERS:
            logging.getLogger(name).removeHandler(old)
        old.close()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"pantau-{datetime.now().astimezone():%Y%m%d}.log"
    file = logging.FileHandler(path, encoding="utf-8")
    file.setLevel(logging.DEBUG if verbose else logging.INFO)
    file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file.addFilter(_Masked(redact))
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terse = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    terminal.setFormatter(terse if verbose else _WithoutTraceback(terse))
    file.pantau = terminal.pantau = True  # type: ignore[attr-defined]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(file)
    root.addHandler(terminal)
    quiet_tracebacks(verbose=verbose, file=file)
    return path


def log_file() -> Path | None:
    """The file ``setup`` logs to, if any."""
    handler = next((h for h in logging.getLogger().handlers
                    if isinstance(h, logging.FileHandler)), None)
    return Path(handler.baseFilename) if handler else None


def quiet_tracebacks(*, verbose: bool, file: logging.Handler | None = None) -> None:
    """Call again once Prefect is imported (it sets up its own handlers then): its records reach
    the log file too, and its terminal output loses tracebacks unless ``-v``."""
    file = file or next((h for h in logging.getLogger().handlers
                         if isinstance(h, logging.FileHandler)), None)
    for name in PREFECT_LOGGERS:
        logger = logging.getLogger(name)
        if file is not None and not logger.propagate and file not in logger.handlers:
            logger.addHandler(file)
        if verbose:
            continue
        for handler in logger.handlers:
            if handler is not file and not isinstance(handler.formatter, _WithoutTraceback):
                handler.setFormatter(_WithoutTraceback(handler.formatter))
