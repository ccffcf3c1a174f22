"""`pantau report`: a region's scorecard as ONE self-contained HTML file, offline, printable.

    pantau report --region "Kota Semarang" --year 2025 --out report.html [--lang en]

Reads the published analyst copy (read-only, as ``pantau sql``); what the report holds is
described in ``pantau.analyst.report``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import resolve_region
from pantau.analyst.report import collect, render
from pantau.flows.config import load_config
from pantau.progress import shown


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="a region's scorecard as one offline HTML file",
                       description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--region", required=True,
                   help="a watched region's name (see `pantau regions`) or a K/L/PD code")
    p.add_argument("--year", type=int, help="budget year (default: the latest in the data)")
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="default: id")
    p.add_argument("--min-tenders", type=int, default=3,
                   help="satker ranking: work units with at least this many finished tenders")
    p.set_defaults(func=report)


def report(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con, shown():
        region = resolve_region(cfg.regions, con, args.region)
        ctx = collect(con, region, args.year, args.lang, min_tenders=args.min_tenders)
    html = render(ctx)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"{args.out}: {ctx['region'].name} {ctx['year']} ({len(html) // 1024} KiB)")
    return 0
