"""`pantau export`: hand an analyst view to someone as Excel, CSV, Parquet or JSON.

``pantau export --view tenders --region "Kota Semarang" --year 2025 --format xlsx --out t.xlsx``
reads the published analyst copy (read-only, as ``pantau sql``). The Excel file has readable
headers (each column's description from the view's SQL header, with the column name under it),
rupiah formatting on money columns, frozen header rows, a filter, and a "Keterangan" sheet that
says what was exported, when, with which filters.

Other exports plug in as a positional word: ``pantau export ocds ...`` is handled by a module
``pantau.commands.export_<word>`` that defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``export(args) -> int``; the default word is ``view``.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pantau.errors import UserError
from pantau.flows.config import Config, load_config
from pantau.workbench import (
    View,
    connect_analyst,
    find_view,
    query_error,
    resolve_region,
    views_from_db,
    write_result,
)

# Exporters other than `view`, each in its own module (absent modules are skipped).
EXPORTER_MODULES = ("pantau.commands.export_ocds",)
EXPORT_FORMATS = ("xlsx", "csv", "parquet", "json")
EXCEL_MAX_ROWS = 1_048_576 - 2  # two header rows
RUPIAH_FORMAT = '"Rp" #,##0'
MONEY_NAMES = ("pagu", "hps")


def _exporters() -> dict[str, Any]:
    found = {}
    for name in EXPORTER_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found[mod.NAME] = mod
    return found


def register(sub: argparse._SubParsersAction) -> None:
    plugins = _exporters()
    kinds = ["view", *plugins]
    p = sub.add_parser(
        "export",
        help="export an analyst view to Excel, CSV, Parquet or JSON",
        description="Export an analyst view from the published analyst copy. "
        + " ".join(f"`pantau export {k}`: {m.HELP}." for k, m in plugins.items()),
    )
    p.add_argument("what", nargs="?", default="view", choices=kinds,
                   help="what to export (default: view)")
    p.add_argument("--view", help="the analyst view, e.g. tenders (see `pantau sql --describe`)")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="default: from --out's suffix")
    p.add_argument("--region", help="a watched region's name or a K/L/PD code (e.g. D107)")
    p.add_argument("--year", type=int, help="budget year")
    p.add_argument("--out", type=Path, help="the file to write")
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {"view": export_view}
    for kind, mod in plugins.items():
        mod.add_arguments(p)
        handlers[kind] = mod.export
    p.set_defaults(func=lambda args: handlers[args.what](args))


def export_view(args: argparse.Namespace) -> int:
    if not args.view:
        raise UserError("--view NAME is required (see `pantau sql --describe` for the views)")
    if not args.out:
        raise UserError("--out FILE is required")
    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"say --format {'|'.join(EXPORT_FORMATS)} (or give --out such a suffix)")
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        view = find_view(views_from_db(con), args.view)
        where, params, filters = _filters(cfg, con, view, args)
        sql = f'SELECT * FROM main."{view.name}"' + (" WHERE " + " AND ".join(where) if where
                                                      else "")
        try:
            table = con.sql(sql, params=params or None).to_arrow_table()
        except duckdb.Error as exc:
            raise query_error(exc) from None
    if fmt == "xlsx" and table.num_rows > EXCEL_MAX_ROWS:
        raise UserError(f"{table.num_rows} rows do not fit in one Excel sheet: use --format "
                        "parquet or csv, or narrow it with --region / --year")
    about = {
        "view": view.name,
        "description": view.description,
        "filters": ", ".join(f"{k} = {v}" for k, v in filters.items()) or "-",
        "rows": str(table.num_rows),
        "exported_at": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "source": "pantau analyst copy (published after the last nightly run)",
    }
    write_result(table, fmt, args.out, sheet=view.name, columns=view.column_docs(), about=about)
    print(f"{args.out}: {table.num_rows} rows of {view.name}"
          + (f" ({about['filters']})" if filters else ""))
    return 0


def _filters(
    cfg: Config, con: duckdb.DuckDBPyConnection, view: View, args: argparse.Namespace,
) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    names = {c.name for c in view.columns}
    where: list[str] = []
    params: dict[str, Any] = {}
    filters: dict[str, str] = {}
    if args.region:
        if "kd_klpd" not in names:
            raise UserError(f"view {view.name} has no kd_klpd column: --region cannot apply")
        region = resolve_region(cfg, con, args.region)
        where.append("kd_klpd = $kd_klpd")
        params["kd_klpd"] = region.kd_klpd
        filters["region"] = f"{region.name} ({region.kd_klpd})"
    if args.year is not None:
        if "year" not in names:
            raise UserError(f"view {view.name} has no year column: --year cannot apply")
        where.append("year = $year")
        params["year"] = args.year
        filters["year"] = str(args.year)
    return where, params, filters


# ------------------------------------------------------------------------------------- Excel


def sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, "_")
    return name[:31] or "data"


def readable(column: str, description: str) -> str:
    """The header an official reads: the column's description, capitalised; else its name."""
    text = description.strip() or column.replace("_", " ")
    return text[:1].upper() + text[1:]


def is_rupiah(column: str, description: str, dtype: pa.DataType) -> bool:
    numeric = pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(
        dtype)
    money = ("rupiah" in description.lower() or column in MONEY_NAMES
             or column.endswith(("_value", "_rp")))
    return numeric and money


def _cell_value(value: Any) -> Any:  # noqa: ANN401 - any cell value
    if isinstance(value, list):
        return "; ".join("" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, bytes):
        return value.hex()
    return value


def write_xlsx(table: pa.Table, out: Path, *, sheet: str, columns: dict[str, str],
               about: dict[str, str]) -> None:
    """One sheet of data (row 1: readable headers, row 2: column names, both frozen) and a
    "Keterangan" sheet describing the export and every column."""
    from openpyxl import Workbook  # noqa: PLC0415 - only when Excel is asked for

    wb = Workbook(write_only=True)
    _data_sheet(wb.create_sheet(sheet_title(sheet)), table, columns)
    _about_sheet(wb.create_sheet("Keterangan"), table.column_names, columns, about)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415

    return {"fill": PatternFill("solid", fgColor="DDE7F0"), "bold": Font(bold=True),
            "small": Font(italic=True, size=9, color="555555"),
            "wrap": Alignment(wrap_text=True, vertical="top")}


def _styled(ws: Any, value: Any, *, font: Any = None, fill: Any = None,  # noqa: ANN401
            alignment: Any = None, number_format: str | None = None) -> Any:  # noqa: ANN401
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    cell = WriteOnlyCell(ws, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell


def _formats(table: pa.Table, columns: dict[str, str]) -> list[str | None]:
    out: list[str | None] = []
    for f in table.schema:
        if is_rupiah(f.name, columns.get(f.name, ""), f.type):
            out.append(RUPIAH_FORMAT)
        elif pa.types.is_timestamp(f.type):
            out.append("yyyy-mm-dd hh:mm")
        elif pa.types.is_date(f.type):
            out.append("yyyy-mm-dd")
        else:
            out.append(None)
    return out


def _data_sheet(ws: Any, table: pa.Table, columns: dict[str, str]) -> None:  # noqa: ANN401
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    st = _styles()
    names = table.column_names
    formats = _formats(table, columns)
    for i, name in enumerate(names):
        sample = table.column(i).slice(0, 200).to_pylist()
        longest = max((len(str(_cell_value(v))) for v in sample if v is not None), default=0)
        width = max(10, min(45, max(len(name) + 2, longest + 2 + (6 if formats[i] else 0))))
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(max(1, len(names)))}{table.num_rows + 2}"
    ws.append([_styled(ws, readable(n, columns.get(n, "")), font=st["bold"], fill=st["fill"],
                       alignment=st["wrap"]) for n in names])
    ws.append([_styled(ws, n, font=st["small"], fill=st["fill"]) for n in names])
    for batch in table.to_batches(max_chunksize=5000):
        cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for r in range(batch.num_rows):
            row = []
            for i, fmt in enumerate(formats):
                value = _cell_value(cols[i][r])
                row.append(_styled(ws, value, number_format=fmt)
                           if fmt and value is not None else value)
            ws.append(row)


def _about_sheet(ws: Any, names: list[str], columns: dict[str, str],  # noqa: ANN401
                 about: dict[str, str]) -> None:
    st = _styles()
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    labels = {"view": "Tabel (view)", "description": "Isi", "filters": "Filter",
              "rows": "Jumlah baris", "exported_at": "Diekspor", "source": "Sumber"}
    for key, value in about.items():
        ws.append([_styled(ws, labels.get(key, key), font=st["bold"]), value])
    ws.append([])
    ws.append([_styled(ws, text, font=st["bold"], fill=st["fill"])
               for text in ("Kolom", "Keterangan (column description)")])
    for name in names:
        ws.append([name, columns.get(name, "")])
