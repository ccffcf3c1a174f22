"""`pantau regions`: the regions the config watches, and their codes once resolved."""

from __future__ import annotations

import argparse

import duckdb

from pantau.flows.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regions", help="list watched regions and their resolved codes")
    p.set_defaults(func=regions)


def regions(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    known: dict[str, tuple[str, str]] = {}
    if cfg.analyst_path.is_file():
        with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
            rows = con.execute(
                "SELECT kd_klpd, name FROM main.agencies WHERE level = 'klpd'"
            ).fetchall()
            known = {name.lower(): (kd, name) for kd, name in rows if name}
    for r in cfg.regions:
        code = r.kd_klpd or known.get(r.name.lower(), ("(resolved at the next run)",))[0]
        lpse = r.kd_lpse if r.kd_lpse is not None else "-"
        print(f"{r.name}\tkd_klpd={code}\tkd_lpse={lpse}\tspse_slug={r.spse_slug or '-'}")
    return 0
