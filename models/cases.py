"""Follow-up cases: what a watchdog did about a finding, in a durable store of their own.

The warehouse cannot hold them: the nightly writer locks it for its whole run, and a person
recording a complaint must never wait for a run nor block one. So cases live in a SQLite file
(stdlib ``sqlite3``, write-ahead log, ``synchronous=FULL``): every write is committed and on disk
before the web server answers, so a crash right after an acknowledged form loses nothing.
``models.publish`` copies them into the analyst copy as the tables ``cases`` and ``case_actions``
at each publish, and ``overdue_alerts`` raises ``case_overdue`` once per missed deadline.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from pantau.models.alerts.messages import Alert, format_date, text

SUBJECT_KINDS = ("process", "flag", "agency", "practice")
ACTION_KINDS = ("complaint", "reply", "meeting", "publication", "evidence", "note")
CHANNELS = ("e-pengaduan", "lapor_awp", "letter")
OUTCOMES = ("fixed", "partly_fixed", "not_fixed", "dismissed")

# name -> (SQLite type, Arrow type, what it means); the one schema of both stores.
CASE_COLUMNS: dict[str, tuple[str, pa.DataType, str]] = {
    "case_id": ("INTEGER PRIMARY KEY", pa.int64(), "the case's number"),
    "title": ("TEXT NOT NULL", pa.string(), "what the case is about, in a line"),
    "why": ("TEXT", pa.string(), "why it was opened"),
    "subject_kind": ("TEXT", pa.string(), "process, flag, agency or practice; null: none given"),
    "subject": ("TEXT", pa.string(), ("the process's source_id, the flag code, the K/L/PD or "
                "satker code, or the practice in words")),
    "process_source": ("TEXT", pa.string(), "the process's source (joins tenders.source)"),
    "process_kind": ("TEXT", pa.string(), "the process's kind (joins tenders.kind)"),
    "kd_klpd": ("TEXT", pa.string(), "the K/L/PD the case is about, where known"),
    "deadline": ("TEXT", pa.date32(), "the follow-up deadline"),
    "status": ("TEXT NOT NULL", pa.string(), "open or closed"),
    "outcome": ("TEXT", pa.string(), "fixed, partly_fixed, not_fixed or dismissed (closed cases)"),
    "opened_by": ("TEXT NOT NULL", pa.string(), "who opened it"),
    "opened_at": ("TEXT NOT NULL", pa.timestamp("us", "UTC"), "when it was opened"),
    "closed_by": ("TEXT", pa.string(), "who closed it"),
    "closed_at": ("TEXT", pa.timestamp("us", "UTC"), "when it was closed"),
}
ACTION_COLUMNS: dict[str, tuple[str, pa.DataType, str]] = {
    "action_id": ("INTEGER PRIMARY KEY", pa.int64(), "the action's number"),
    "case_id": ("INTEGER NOT NULL REFERENCES cases (case_id)", pa.int64(), "its case"),
    "kind": ("TEXT NOT NULL", pa.string(), ("complaint, reply, meeting, publication, evidence "
             "or note (pantau notes a deadline change and the closing)")),
    "channel": ("TEXT", pa.string(), "a complaint's channel: e-pengaduan, lapor_awp or letter"),
    "happened_on": ("TEXT", pa.date32(), "the day it happened"),
    "note": ("TEXT", pa.string(), "what happened"),
    "url": ("TEXT", pa.string(), "a link to the evidence"),
    "done_by": ("TEXT NOT NULL", pa.string(), "who recorded it"),
    "recorded_at": ("TEXT NOT NULL", pa.timestamp("us", "UTC"), "when it was recorded"),
}
TABLES = {"cases": CASE_COLUMNS, "case_actions": ACTION_COLUMNS}
DESCRIPTIONS = {
    "cases": "follow-up cases opened in pantau serve, as of the last publish",
    "case_actions": "what was done about each case (complaints, replies, meetings, evidence)",
}


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """The store, created on first use; each ``with`` block is one committed transaction."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")  # the commit is on disk before we answer
        con.execute("PRAGMA foreign_keys=ON")
        for name, columns in TABLES.items():
            cols = ", ".join(f"{c} {spec[0]}" for c, spec in columns.items())
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class Subject:
    kind: str | None = None
    ref: str | None = None
    process_source: str | None = None
    process_kind: str | None = None
    kd_klpd: str | None = None


def open_case(path: Path, *, title: str, why: str, subject: Subject, by: str,
              deadline: date | None = None) -> int:
    if not title.strip():
        raise ValueError("a case needs a title")
    if subject.kind is not None and subject.kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {subject.kind!r}")
    with connect(path) as con:
        cur = con.execute(
            "INSERT INTO cases (title, why, subject_kind, subject, process_source, process_kind, "
            "kd_klpd, deadline, status, opened_by, opened_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            (title.strip(), why.strip(), subject.kind, subject.ref, subject.process_source,
             subject.process_kind, subject.kd_klpd, deadline.isoformat() if deadline else None,
             by, _now()))
        return int(cur.lastrowid or 0)


def add_action(path: Path, case_id: int, *, kind: str, by: str, happened_on: date | None,
               note: str = "", url: str | None = None, channel: str | None = None) -> int:
    if kind not in ACTION_KINDS:
        raise ValueError(f"unknown action {kind!r}")
    if channel and channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if url and not url.startswith(("https://", "http://")):
        raise ValueError("an evidence link starts with https:// or http://")
    with connect(path) as con:
        _require(con, case_id)
        return _action(con, case_id, kind, by, happened_on, note, url, channel)


def _action(con: sqlite3.Connection, case_id: int, kind: str, by: str, happened_on: date | None,
            note: str = "", url: str | None = None, channel: str | None = None) -> int:
    cur = con.execute(
        "INSERT INTO case_actions (case_id, kind, channel, happened_on, note, url, done_by, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (case_id, kind, channel or None, happened_on.isoformat() if happened_on else None,
         note.strip(), url or None, by, _now()))
    return int(cur.lastrowid or 0)


def _require(con: sqlite3.Connection, case_id: int) -> sqlite3.Row:
    row = con.execute("SELECT * FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    if row is None:
        raise KeyError(case_id)
    return row


def set_deadline(path: Path, case_id: int, deadline: date | None, *, by: str) -> None:
    with connect(path) as con:
        _require(con, case_id)
        con.execute("UPDATE cases SET deadline = ? WHERE case_id = ?",
                    (deadline.isoformat() if deadline else None, case_id))
        # the change itself is an action, so the history says who moved the deadline
        _action(con, case_id, "note", by, datetime.now(UTC).date(),
                f"deadline: {deadline.isoformat() if deadline else '-'}")


def close_case(path: Path, case_id: int, outcome: str, *, by: str, note: str = "") -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    with connect(path) as con:
        _require(con, case_id)
        con.execute("UPDATE cases SET status = 'closed', outcome = ?, closed_by = ?, "
                    "closed_at = ? WHERE case_id = ?", (outcome, by, _now(), case_id))
        _action(con, case_id, "note", by, datetime.now(UTC).date(),
                f"closed: {outcome}" + (f". {note.strip()}" if note.strip() else ""))


def get_case(path: Path, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    with connect(path) as con:
        row = con.execute("SELECT * FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        if row is None:
            return None
        actions = con.execute("SELECT * FROM case_actions WHERE case_id = ? "
                              "ORDER BY happened_on, action_id", (case_id,)).fetchall()
        return dict(row), [dict(a) for a in actions]


def list_cases(path: Path, *, status: str | None = None) -> list[dict[str, Any]]:
    with connect(path) as con:
        where = "WHERE status = ?" if status else ""
        rows = con.execute(
            f"SELECT c.*, (SELECT count(*) FROM case_actions a WHERE a.case_id = c.case_id) "
            f"AS n_actions FROM cases c {where} ORDER BY status DESC, deadline IS NULL, deadline, "
            f"case_id DESC", (status,) if status else ()).fetchall()
        return [dict(r) for r in rows]


def arrow_tables(path: Path) -> dict[str, pa.Table]:
    """Both tables as Arrow, typed (empty when there is no store yet): what publish writes."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    if path.is_file():
        with connect(path) as con:
            for name in TABLES:
                rows[name] = [dict(r) for r in con.execute(f"SELECT * FROM {name}")]
    out = {}
    for name, columns in TABLES.items():
        schema = pa.schema([(c, spec[1]) for c, spec in columns.items()])
        data = {c: [_typed(r[c], spec[1]) for r in rows[name]] for c, spec in columns.items()}
        out[name] = pa.Table.from_pydict(data, schema=schema)
    return out


def _typed(value: Any, dtype: pa.DataType) -> Any:  # noqa: ANN401 - a cell
    if value is None:
        return None
    if pa.types.is_date32(dtype):
        return date.fromisoformat(value)
    if pa.types.is_timestamp(dtype):
        return datetime.fromisoformat(value)
    return value


def overdue_alerts(path: Path, today: date, lang: str) -> list[Alert]:
    """``case_overdue`` for each open case past its deadline; the key holds the deadline, so
    each missed deadline is raised once (a new deadline can be missed again)."""
    if not path.is_file():
        return []
    with connect(path) as con:
        rows = con.execute("SELECT case_id, title, deadline, kd_klpd FROM cases "
                           "WHERE status = 'open' AND deadline < ?",
                           (today.isoformat(),)).fetchall()
    return [Alert(
        key=f"case_overdue|{r['case_id']}|{r['deadline']}", rule="case_overdue",
        subject=f"case {r['case_id']}",
        title=text(lang, "case_title", title=r["title"]),
        message=text(lang, "case_body", case_id=r["case_id"], title=r["title"],
                     deadline=format_date(r["deadline"], lang)),
        language=lang, region=r["kd_klpd"], happened_on=r["deadline"],
        facts={"case_id": r["case_id"]}) for r in rows]
