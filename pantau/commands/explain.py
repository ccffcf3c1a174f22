"""`pantau explain FLAG|METRIC`: the definition, legal basis and rows behind one flag or metric.

The text is the catalogue of SQL headers (``models.catalogue``: the ``-- flag CODE:`` and
``-- metric NAME:`` entries of ``sql/indicators/``), so the explanation cannot drift from the
code; the rows come from the published analyst copy (``pantau.analyst.explain``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pantau.analyst import explain
from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import resolve_region
from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.models import catalogue


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="definition, legal basis and rows behind a flag or metric",
        description="Print how a flag (Cardinal's R003 ... R058, ID-C01 ... ID-C10, PFA-1 ... "
        "PFA) or a metric (single_bid_rate, ...) is defined, its legal basis and settings, and "
        "the rows behind its value for one K/L/PD and year. Without a name, list them all; "
        "--format markdown prints docs/indicators.md.",
    )
    p.add_argument("name", nargs="?", help="flag code or metric name")
    p.add_argument("--process", metavar="KIND:SOURCE_ID",
                   help="a process's history instead: what changed and when (e.g. tender:123)")
    p.add_argument("--region", help="K/L/PD code (e.g. D107) or a configured region's name")
    p.add_argument("--year", type=int, help="budget year")
    p.add_argument("--satker", help="only this satuan kerja (dotted kd_satker)")
    p.add_argument("--limit", type=int, default=30, help="rows to print (default 30)")
    p.add_argument("--format", choices=("text", "markdown"), default="text",
                   help="markdown: every flag and metric, as docs/indicators.md")
    p.add_argument("--out", type=Path, help="write the listing to this file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.process:
        cfg = load_config(args.config)
        with connect_analyst(cfg.analyst_path) as con:
            print(explain.process_history(con, args.process), end="")
        return 0
    cat = catalogue.load()
    if not args.name:
        text = (catalogue.indicators_markdown(cat) if args.format == "markdown"
                else explain.listing(cat) + "\n")
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    definition = cat.get(args.name)
    if definition is None:
        raise UserError(f"unknown flag or metric {args.name!r}: `pantau explain` lists them")
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        kd_klpd = resolve_region(cfg.regions, con, args.region).kd_klpd if args.region else None
        print(explain.explain(con, definition, kd_klpd=kd_klpd, year=args.year,
                              satker=args.satker, limit=args.limit), end="")
    return 0
