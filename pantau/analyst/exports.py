"""What ``pantau export`` hands over: an analyst view, filtered by region and year, or core's
OCDS compiled releases as JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pantau.analyst.connection import query_error
from pantau.analyst.regions import resolve_region
from pantau.analyst.views import View, find_view, views_from_db
from pantau.connectors.base import Region
from pantau.errors import UserError


@dataclass
class ViewExport:
    view: View
    table: pa.Table
    filters: dict[str, str]  # what was asked, as the Keterangan sheet says it

    def about(self) -> dict[str, str]:
        return {
            "view": self.view.name,
            "description": self.view.description,
            "filters": ", ".join(f"{k} = {v}" for k, v in self.filters.items()) or "-",
            "rows": str(self.table.num_rows),
            "exported_at": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "source": "pantau analyst copy (published after the last nightly run)",
        }


def export_view(watched: Sequence[Region], con: duckdb.DuckDBPyConnection, name: str, *,
                region: str | None = None, year: int | None = None) -> ViewExport:
    """The rows of one analyst view, for one region (its kd_klpd) and budget year if given."""
    view = find_view(views_from_db(con), name)
    names = {c.name for c in view.columns}
    where: list[str] = []
    params: dict[str, Any] = {}
    filters: dict[str, str] = {}
    if region:
        if "kd_klpd" not in names:
            raise UserError(f"view {view.name} has no kd_klpd column: --region cannot apply")
        ref = resolve_region(watched, con, region)
        where.append("kd_klpd = $kd_klpd")
        params["kd_klpd"] = ref.kd_klpd
        filters["region"] = f"{ref.name} ({ref.kd_klpd})"
    if year is not None:
        if "year" not in names:
            raise UserError(f"view {view.name} has no year column: --year cannot apply")
        where.append("year = $year")
        params["year"] = year
        filters["year"] = str(year)
    sql = f'SELECT * FROM main."{view.name}"' + (" WHERE " + " AND ".join(where) if where else "")
    try:
        table = con.sql(sql, params=params or None).to_arrow_table()
    except duckdb.Error as exc:
        raise query_error(exc) from None
    return ViewExport(view, table, filters)


def write_releases(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    kd_klpd: str | None = None,
    year: int | None = None,
) -> int:
    """Write core.ocds_releases (filtered) to ``out`` as JSON Lines; returns how many."""
    where, params = [], {}
    if kd_klpd is not None:
        where.append("region = $kd_klpd")
        params["kd_klpd"] = kd_klpd
    if year is not None:
        where.append("year = $year")
        params["year"] = year
    sql = "SELECT CAST(release AS VARCHAR) FROM core.ocds_releases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY ocid"
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8") as fh:
        cursor = con.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            for (text,) in rows:
                # Re-serialised compactly so every line is one JSON document.
                fh.write(json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")))
                fh.write("\n")
                n += 1
    tmp.replace(out)
    return n
