"""`pantau regions`: the regions the config watches, and their codes once resolved."""

from __future__ import annotations

import argparse

from pantau.analyst.connection import connect_analyst
from pantau.analyst.regions import klpd_codes
from pantau.flows.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regions", help="list watched regions and their resolved codes")
    p.set_defaults(func=regions)


def regions(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    known: dict[str, str] = {}  # lower-case name -> kd_klpd, once a run has resolved them
    if cfg.analyst_path.is_file():
        with connect_analyst(cfg.analyst_path) as con:
            known = klpd_codes(con)
    for r in cfg.regions:
        code = r.kd_klpd or known.get(r.name.lower(), "(resolved at the next run)")
        lpse = r.kd_lpse if r.kd_lpse is not None else "-"
        print(f"{r.name}\tkd_klpd={code}\tkd_lpse={lpse}\tspse_slug={r.spse_slug or '-'}")
    return 0
