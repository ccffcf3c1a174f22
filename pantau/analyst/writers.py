"""A result (an Arrow table) written as csv, json, parquet, xlsx or text."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pantau.analyst.excel import write_xlsx
from pantau.errors import UserError

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
        write_xlsx(table, out, sheet=sheet, columns=columns or {}, about=about or {})
    elif fmt == "table":
        out.write_text(table.to_pandas().to_string(index=False) + "\n", encoding="utf-8")
    else:
        raise UserError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
