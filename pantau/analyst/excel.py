"""An analyst view or result as an Excel workbook an official can read.

Readable headers (each column's description from the view's SQL header, with the column name
under it), rupiah formatting on money columns, frozen header rows, a filter, and a "Keterangan"
sheet that says what was exported, when, with which filters, and what every column means.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from pantau.models import progress

EXCEL_MAX_ROWS = 1_048_576 - 2  # two header rows
RUPIAH_FORMAT = '"Rp" #,##0'
MONEY_NAMES = ("pagu", "hps")


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
    written = 0
    for batch in table.to_batches(max_chunksize=5000):
        progress.report("writing", done=written, total=table.num_rows, what=str(ws.title))
        written += batch.num_rows
        cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for r in range(batch.num_rows):
            row = []
            for i, fmt in enumerate(formats):
                value = _cell_value(cols[i][r])
                row.append(_styled(ws, value, number_format=fmt)
                           if fmt and value is not None else value)
            ws.append(row)
    progress.report("writing", done=written, total=table.num_rows, what=str(ws.title))


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
