"""`pantau export`: hand an analyst view to someone as Excel, CSV, Parquet or JSON.

``pantau export --view tenders --region "Kota Semarang" --year 2025 --format xlsx --out t.xlsx``
reads the published analyst copy (read-only, as ``pantau sql``); the Excel file is described in
``pantau.analyst.excel``. ``pantau export ocds ...`` writes core's OCDS compiled releases
(``pantau/commands/export_ocds.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pantau.analyst.connection import connect_analyst
from pantau.analyst.excel import EXCEL_MAX_ROWS
from pantau.analyst.exports import export_view
from pantau.analyst.writers import write_result
from pantau.commands import export_ocds
from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.progress import shown

EXPORT_FORMATS = ("xlsx", "csv", "parquet", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export an analyst view to Excel, CSV, Parquet or JSON",
        description="Export an analyst view from the published analyst copy. "
        f"`pantau export ocds`: {export_ocds.HELP}.",
    )
    p.add_argument("what", nargs="?", default="view", choices=("view", "ocds"),
                   help="what to export (default: view)")
    p.add_argument("--view", help="the analyst view, e.g. tenders (see `pantau sql --describe`)")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="default: from --out's suffix")
    p.add_argument("--region", help="a watched region's name or a K/L/PD code (e.g. D107)")
    p.add_argument("--year", type=int, help="budget year")
    p.add_argument("--out", type=Path, help="the file to write")
    p.set_defaults(func=lambda args: (export_ocds.export if args.what == "ocds" else view)(args))


def view(args: argparse.Namespace) -> int:
    if not args.view:
        raise UserError("--view NAME is required (see `pantau sql --describe` for the views)")
    if not args.out:
        raise UserError("--out FILE is required")
    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"say --format {'|'.join(EXPORT_FORMATS)} (or give --out such a suffix)")
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        done = export_view(cfg.regions, con, args.view, region=args.region, year=args.year)
    if fmt == "xlsx" and done.table.num_rows > EXCEL_MAX_ROWS:
        raise UserError(f"{done.table.num_rows} rows do not fit in one Excel sheet: use --format "
                        "parquet or csv, or narrow it with --region / --year")
    about = done.about()
    with shown():
        write_result(done.table, fmt, args.out, sheet=done.view.name,
                     columns=done.view.column_docs(), about=about)
    print(f"{args.out}: {done.table.num_rows} rows of {done.view.name}"
          + (f" ({about['filters']})" if done.filters else ""))
    return 0
