"""The analyst workbench's shared parts: the read-only connection, the catalogue of analyst views,
saved questions and result writers. Used by ``pantau sql``, ``pantau export`` and ``pantau report``.

Analysts only ever open the published analyst copy (``models.publish``), never the pipeline's own
file, so a session can stay open through a nightly run (STACK-NOTES, "Concurrency"). The
connection is read-only by DuckDB's own settings, fixed when it opens and then locked: writes,
ATTACH, COPY ... TO, INSTALL/LOAD, SET and table functions reading or writing files are refused by
DuckDB itself; there is no keyword filter to get around.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pantau.errors import UserError
from pantau.flows.config import Config
from pantau.models.transform import SQL_DIR, sql_files, view_docs

QUERIES_DIR = SQL_DIR / "queries"

# Set when the connection opens; lock_configuration comes last and freezes all of them.
READ_ONLY_CONFIG: dict[str, Any] = {
    "access_mode": "READ_ONLY",
    "enable_external_access": False,  # no file or network access from SQL (COPY, read_csv, ATTACH)
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,  # SET / RESET / PRAGMA that change settings are refused
}

# DuckDB's reason (a fragment of its message) -> what the analyst is told.
_REFUSALS = (
    ("in-memory database in read-only mode", "attaching other databases is disabled"),
    ("read-only mode", ("it would change the database, and the analyst copy is read-only "
     "(scratch work can go in CREATE TEMP TABLE)")),
    ("file system operations are disabled", ("reading or writing files outside the database is "
     "disabled (save a result with --out FILE --format csv|json|xlsx|parquet)")),
    ("external extensions is disabled", "installing or loading extensions is disabled"),
    ("configuration has been locked", "changing settings (SET, RESET, PRAGMA) is disabled"),
)


def connect_analyst(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published analyst copy, with file access and settings
    locked."""
    if not Path(path).is_file():
        raise UserError(f"no analyst copy at {path}: run `pantau run` (or `pantau demo`) first")
    try:
        return duckdb.connect(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))
    except duckdb.Error as exc:
        raise UserError(f"cannot open the analyst copy {path}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def refusal_reason(exc: BaseException) -> str | None:
    """Why the read-only settings refused a statement, or None when it failed for another
    reason."""
    text = str(exc)
    for fragment, reason in _REFUSALS:
        if fragment in text:
            return reason
    return None


# A refused statement's own kind names the reason better than the error that refused it.
_REFUSED_KINDS = {
    "ATTACH": "attaching other databases is disabled",
    "DETACH": "detaching databases is disabled",
    "LOAD": "installing or loading extensions is disabled",
    "SET": "changing settings (SET, RESET, PRAGMA) is disabled",
    "PRAGMA": "changing settings (SET, RESET, PRAGMA) is disabled",
}


def query_error(exc: duckdb.Error, statement: str = "") -> UserError:
    """The one-line reason the CLI prints for a failing or refused statement."""
    reason = refusal_reason(exc)
    if reason:
        reason = _REFUSED_KINDS.get(statement, reason)
        kind = f" ({statement})" if statement else ""
        return UserError(f"refused{kind}: pantau sql is read-only: {reason}. "
                         f"[{_first_line(exc)}]")
    return UserError(f"query failed: {_first_line(exc)}")


def run_sql(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table | None:
    """Run every statement of ``text``; the last one's result as an Arrow table (None when the
    last statement returns nothing)."""
    try:
        statements = con.extract_statements(text)
    except duckdb.Error as exc:
        raise query_error(exc) from None
    if not statements:
        raise UserError("no SQL statement given")
    result = None
    for stmt in statements:
        kind = str(stmt.type).rsplit(".", 1)[-1]
        try:
            rel = con.sql(stmt.query)
            result = rel.to_arrow_table() if rel is not None else None
        except duckdb.Error as exc:
            raise query_error(exc, kind) from None
    return result


# ---------------------------------------------------------------- the catalogue of analyst views


@dataclass
class Column:
    name: str
    description: str = ""
    type: str = ""


@dataclass
class View:
    name: str
    description: str
    columns: list[Column] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the header's other lines (Why:, Source:)

    def column_docs(self) -> dict[str, str]:
        return {c.name: c.description for c in self.columns}


_HEADER_NOTE = re.compile(r"^--\s?(?!\s*(view|column)\s+\w+:)(.*)$")


def views_from_sql(sql_dir: Path = SQL_DIR) -> list[View]:
    """The analyst views as their SQL headers document them (the source of the DuckDB comments
    the build stores), sorted by name."""
    views = []
    for doc in view_docs(sql_dir):
        notes = []
        if doc.path:
            for line in doc.path.read_text(encoding="utf-8").splitlines():
                if not line.startswith("--"):
                    if line.strip():
                        break
                    continue
                m = _HEADER_NOTE.match(line)
                if m and m.group(2).strip():
                    notes.append(m.group(2).strip())
        views.append(View(doc.name, doc.description,
                          [Column(k, v) for k, v in doc.columns.items()], notes))
    return sorted(views, key=lambda v: v.name)


def views_from_db(con: duckdb.DuckDBPyConnection) -> list[View]:
    """The analyst views present in a database, with the comments the build stored on them."""
    rows = con.execute(
        "SELECT v.view_name, coalesce(v.comment, ''), c.column_name, c.data_type, "
        "coalesce(c.comment, '') FROM duckdb_views() v JOIN duckdb_columns() c "
        "ON c.database_name = v.database_name AND c.schema_name = v.schema_name "
        "AND c.table_name = v.view_name "
        "WHERE v.database_name = current_database() AND v.schema_name = 'main' "
        "AND NOT v.internal AND NOT v.temporary ORDER BY v.view_name, c.column_index"
    ).fetchall()
    views: dict[str, View] = {}
    for name, description, column, dtype, comment in rows:
        view = views.setdefault(name, View(name, description))
        view.columns.append(Column(column, comment, dtype))
    return list(views.values())


def find_view(views: list[View], name: str) -> View:
    for v in views:
        if v.name == name:
            return v
    known = ", ".join(v.name for v in views) or "none"
    raise UserError(f"no analyst view named {name!r} (views: {known})")


def describe_text(views: list[View]) -> str:
    out = []
    for v in views:
        out.append(f"{v.name}: {v.description}")
        width = max((len(c.name) for c in v.columns), default=0)
        twidth = max((len(c.type) for c in v.columns), default=0)
        for c in v.columns:
            typ = f"  {c.type:<{twidth}}" if twidth else ""
            out.append(f"  {c.name:<{width}}{typ}  {c.description}".rstrip())
        out.append("")
    return "\n".join(out)


def data_dictionary(views: list[View]) -> str:
    """``docs/data-dictionary.md``: every analyst view and column, from the SQL headers."""
    lines = [
        "# Data dictionary: pantau's analyst views",
        "",
        ("<!-- Generated from the headers of sql/views/*.sql by "
        "`pantau sql --describe --format markdown` (`make docs`). Do not edit by hand: "
        "tests/test_workbench.py fails when this file and the SQL disagree. -->"),
        "",
        ("Every view lives in the analyst copy's default schema: `SELECT * FROM tenders`. "
        "Timestamps are Asia/Jakarta (WIB) wall-clock time; money is in rupiah. "
        "`pantau sql --describe [VIEW]` prints the same text from the analyst copy."),
        "",
    ]
    lines += [f"- [`{v.name}`](#{v.name}): {v.description}" for v in views]
    for v in views:
        lines += ["", f"## {v.name}", "", v.description, ""]
        if v.notes:
            lines += [_md(" ".join(v.notes)), ""]
        lines += ["| column | meaning |", "|---|---|"]
        lines += [f"| `{c.name}` | {_md(c.description)} |" for c in v.columns]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def describe_json(views: list[View]) -> str:
    return json.dumps(
        [{"view": v.name, "description": v.description,
          "columns": [{"name": c.name, "type": c.type, "description": c.description}
                      for c in v.columns]} for v in views],
        ensure_ascii=False, indent=2,
    )


# ---------------------------------------------------------------------------- saved questions


@dataclass
class SavedQuestion:
    name: str
    path: Path
    title: dict[str, str]
    description: dict[str, str]
    requires: list[str]
    sql: str

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.title.get("id") or ""

    def description_in(self, lang: str) -> str:
        return (self.description.get(lang) or self.description.get("en")
                or self.description.get("id") or "")


_Q_KEY = re.compile(r"^--\s*(title|description)\s*\[(id|en)\]\s*:\s*(.*)$")
_Q_REQUIRES = re.compile(r"^--\s*requires\s*:\s*(.*)$")
_Q_CONT = re.compile(r"^--\s{2,}(\S.*)$")


def parse_question(path: Path) -> SavedQuestion:
    """A saved question: ``-- title[id]:``, ``-- title[en]:``, ``-- description[id]:``,
    ``-- description[en]:`` (continued on lines indented by two or more spaces) and optionally
    ``-- requires: view, view`` before the SQL."""
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    requires: list[str] = []
    current: tuple[dict[str, str], str] | None = None
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        if m := _Q_KEY.match(line):
            target = title if m.group(1) == "title" else description
            target[m.group(2)] = m.group(3).strip()
            current = (target, m.group(2))
        elif m := _Q_REQUIRES.match(line):
            requires += [r.strip() for r in m.group(1).split(",") if r.strip()]
            current = None
        elif (m := _Q_CONT.match(line)) and current:
            target, lang = current
            target[lang] = f"{target[lang]} {m.group(1).strip()}".strip()
        else:
            current = None
    return SavedQuestion(path.stem, path, title, description, requires, text)


def saved_questions(queries_dir: Path = QUERIES_DIR) -> list[SavedQuestion]:
    return [parse_question(p) for p in sorted(queries_dir.glob("*.sql"))]


def find_question(name: str, queries_dir: Path = QUERIES_DIR) -> SavedQuestion | None:
    path = queries_dir / f"{name}.sql"
    return parse_question(path) if re.fullmatch(r"[\w-]+", name) and path.is_file() else None


# ------------------------------------------------------------------------------ other SQL headers


@dataclass
class Definition:
    """A flag or metric as its SQL header defines it: ``-- flag CODE: title`` or
    ``-- metric NAME: title``, then ``-- definition:``, ``-- basis:`` ... lines."""

    kind: str
    name: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def definition(self) -> str:
        return self.fields.get("definition") or self.fields.get("what", "")

    @property
    def basis(self) -> str:
        return (self.fields.get("basis") or self.fields.get("legal basis")
                or self.fields.get("source", ""))


_DEF_START = re.compile(r"^--\s*(flag|metric)\s+([\w.-]+)\s*:\s*(.*)$")
_CARDINAL_START = re.compile(r"^--\s*Cardinal\s+(R\d{3})\s+(.*)$")  # sql/indicators/1xx
_DEF_FIELD = re.compile(r"^--\s?([A-Za-z][A-Za-z ]{0,20}):\s*(.*)$")


def definitions(sql_dir: Path = SQL_DIR) -> list[Definition]:
    """Every ``-- flag`` and ``-- metric`` block in the comment lines of sql/**/*.sql."""
    found = []
    for stage in ("indicators", "views"):
        for path in sql_files(stage, sql_dir):
            found += _definitions_in(path)
    return found


def _definitions_in(path: Path) -> list[Definition]:
    found: list[Definition] = []
    current: Definition | None = None
    key: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            current = key = None
            continue
        m = _DEF_START.match(line)
        c = None if m else _CARDINAL_START.match(line)
        if m or c:
            kind, name, title = (m.groups() if m else ("flag", c.group(1), c.group(2)))
            current = Definition(kind, name, title.strip().rstrip("."), path=path)
            found.append(current)
            key = "title"
        elif current is None:
            continue
        elif m := _DEF_FIELD.match(line):
            key = m.group(1).strip().lower()
            current.fields[key] = m.group(2).strip()
        elif key == "title" and (m := _Q_CONT.match(line)):
            current.title = f"{current.title} {m.group(1).strip()}"
        elif key and (m := _Q_CONT.match(line)):
            current.fields[key] = f"{current.fields[key]} {m.group(1).strip()}".strip()
        else:
            key = None
    return found


# ----------------------------------------------------------------------------------- writing out


FORMATS = ("table", "csv", "json", "xlsx", "parquet")


def _plain(value: Any) -> Any:  # noqa: ANN401 - any cell value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_json(table: pa.Table) -> str:
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    return json.dumps(rows, ensure_ascii=False, indent=1, default=str)


def write_result(
    table: pa.Table, fmt: str, out: Path, *, sheet: str = "hasil",
    columns: dict[str, str] | None = None, about: dict[str, str] | None = None,
) -> None:
    """Write a result to ``out`` in ``fmt`` (csv, json, parquet, xlsx; table writes text)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, out)
    elif fmt == "csv":
        table.to_pandas().to_csv(out, index=False)
    elif fmt == "json":
        out.write_text(to_json(table) + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        from pantau.commands.export import write_xlsx  # noqa: PLC0415 - no import cycle

        write_xlsx(table, out, sheet=sheet, columns=columns or {}, about=about or {})
    elif fmt == "table":
        out.write_text(table.to_pandas().to_string(index=False) + "\n", encoding="utf-8")
    else:
        raise UserError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


# ------------------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class RegionRef:
    kd_klpd: str
    name: str
    spse_slug: str | None = None


def resolve_region(cfg: Config, con: duckdb.DuckDBPyConnection, value: str) -> RegionRef:
    """A watched region's name (from the config) or a K/L/PD code or name (from ``agencies``)."""
    text = value.strip()
    names: dict[str, str] = {}  # lower-case name -> kd_klpd
    codes: dict[str, str] = {}  # kd_klpd -> name
    try:
        rows = con.execute(
            "SELECT kd_klpd, name FROM main.agencies WHERE level = 'klpd' AND kd_klpd IS NOT NULL"
        ).fetchall()
    except duckdb.Error:
        rows = []
    for kd, name in rows:
        codes[kd.upper()] = name or kd
        if name:
            names[name.lower()] = kd
    for region in cfg.regions:
        if region.name.lower() == text.lower() or (region.kd_klpd or "").upper() == text.upper():
            kd = region.kd_klpd or names.get(region.name.lower())
            if not kd:
                raise UserError(f"region {region.name!r}: its K/L/PD code is not known yet "
                                "(set kd_klpd in the config, or run `pantau run` first)")
            return RegionRef(kd, region.name, region.spse_slug)
    if text.upper() in codes:
        return RegionRef(text.upper(), codes[text.upper()])
    if text.lower() in names:
        return RegionRef(names[text.lower()], value)
    if re.fullmatch(r"[DKL]\d+", text, flags=re.IGNORECASE):
        return RegionRef(text.upper(), text.upper())
    watched = ", ".join(repr(r.name) for r in cfg.regions) or "none configured"
    raise UserError(f"unknown region {value!r}: give a watched region ({watched}) "
                    "or a K/L/PD code such as D107")
