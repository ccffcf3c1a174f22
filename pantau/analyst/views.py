"""The analyst views: as the SQL headers document them (``models.catalogue``) and as the analyst
copy holds them (with types, and the comments the build stored from the same headers)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pantau.errors import UserError
from pantau.models.catalogue import view_docs
from pantau.sql import SQL_DIR


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


def views_from_sql(sql_dir: Path = SQL_DIR) -> list[View]:
    """The analyst views as their SQL headers document them (the source of the DuckDB comments
    the build stores), sorted by name."""
    views = [View(d.name, d.description, [Column(k, v) for k, v in d.columns.items()],
                  list(d.notes)) for d in view_docs(sql_dir)]
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
