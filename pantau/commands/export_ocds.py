"""`pantau export ocds [--region] [--year] --out FILE`: core as OCDS compiled releases (JSON Lines).

One compiled release per process (tender, bids.details with statuses, awards, contracts,
parties, planning from RUP), as ``sql/core/700_ocds_releases.sql`` maps them; valid against the
OCDS 1.1 release schema with the bid extension (``connectors/schema/``). Reads the published
analyst copy, like every export. ``core.ocds_releases`` is a view: the JSON is computed here, on
demand (no night builds it; the nightly Cardinal indicators read the same mapping without it).
A plug-in of ``pantau export`` (pantau/commands/export.py).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

from pantau.errors import UserError
from pantau.flows.config import load_config

NAME = "ocds"
HELP = "write OCDS 1.1 compiled releases of every process as JSON Lines (--out FILE.jsonl)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """`--region`, `--year` and `--out` are the export command's own options."""
    del parser


def write_releases(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    *,
    kd_klpd: str | None = None,
    year: int | None = None,
) -> int:
    """Write core.ocds_releases (filtered) to ``out``; returns how many."""
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


def export(args: argparse.Namespace) -> int:
    if not args.out:
        raise UserError("--out FILE is required (JSON Lines, one compiled release per line)")
    from pantau.workbench import connect_analyst, resolve_region  # noqa: PLC0415 - CLI only

    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        kd_klpd = resolve_region(cfg, con, args.region).kd_klpd if args.region else None
        try:
            n = write_releases(con, args.out, kd_klpd=kd_klpd, year=args.year)
        except duckdb.Error as exc:
            raise UserError(f"cannot export OCDS: {str(exc).splitlines()[0]}") from None
    print(f"{args.out}: {n} OCDS compiled releases")
    return 0
