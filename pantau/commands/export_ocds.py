"""`pantau export ocds [--region] [--year] --out FILE`: core as OCDS compiled releases (JSON Lines).

One compiled release per process (tender, bids.details with statuses, awards, contracts,
parties, planning from RUP), as ``sql/core/700_ocds_mapping.sql`` maps them; valid against the
official OCDS 1.1.5 release schema with the bid extension (tests/test_ocds.py validates the
export of the real Kab. Bandung data). Reads the published analyst copy, like every export.
``core.ocds_releases`` is a view: the JSON is computed on demand
(``pantau.analyst.exports.write_releases``; no night builds it; the nightly Cardinal indicators
read the same mapping without it). Called by ``pantau export`` for ``what`` = ocds.
"""

from __future__ import annotations

import argparse

import duckdb

from pantau.analyst.connection import connect_analyst
from pantau.analyst.exports import write_releases
from pantau.analyst.regions import resolve_region
from pantau.errors import UserError
from pantau.flows.config import load_config

HELP = "write OCDS 1.1 compiled releases of every process as JSON Lines (--out FILE.jsonl)"


def export(args: argparse.Namespace) -> int:
    if not args.out:
        raise UserError("--out FILE is required (JSON Lines, one compiled release per line)")
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        kd_klpd = resolve_region(cfg.regions, con, args.region).kd_klpd if args.region else None
        try:
            n = write_releases(con, args.out, kd_klpd=kd_klpd, year=args.year)
        except duckdb.Error as exc:
            raise UserError(f"cannot export OCDS: {str(exc).splitlines()[0]}") from None
    print(f"{args.out}: {n} OCDS compiled releases")
    return 0
