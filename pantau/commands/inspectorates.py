"""`pantau inspectorates`: e-pengaduan PBJ status of each inspectorate now, and its history."""

from __future__ import annotations

import argparse

import duckdb

from pantau.connectors.inspectorates import region_key
from pantau.errors import UserError
from pantau.flows.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("inspectorates",
                       help="inspectorates' e-pengaduan PBJ status now and its history")
    p.add_argument("name", nargs="?", help="only this inspectorate (name or region name)")
    p.add_argument("--check", action="store_true",
                   help="read the registers now (and raise/deliver alerts) before showing")
    p.set_defaults(func=inspectorates)


def inspectorates(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    if args.check:
        from pantau.flows.inspectorate_steps import run_inspectorates  # noqa: PLC0415 - only here

        summary = run_inspectorates(cfg)
        print(summary.markdown(), end="\n\n")
    if not cfg.analyst_path.is_file():
        raise UserError(f"no analyst copy at {cfg.analyst_path}: run `pantau run` or "
                        "`pantau inspectorates --check` first")
    wanted = region_key(args.name) if args.name else None
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        try:
            current = con.execute(
                "SELECT inspectorate, status, since, checked_on, source, disagreement, "
                "by_source, evidence_url, last_evidence_url FROM main.inspectorates "
                "WHERE $w IS NULL OR inspectorate_id = $w ORDER BY inspectorate_id",
                {"w": wanted}).fetchall()
            history = con.execute(
                "SELECT inspectorate, source, status, valid_from, valid_to, evidence_url "
                "FROM main.inspectorate_history WHERE $w IS NULL OR inspectorate_id = $w "
                "ORDER BY inspectorate_id, source, valid_from", {"w": wanted}).fetchall()
        except duckdb.CatalogException:
            raise UserError("the analyst copy has no inspectorate views yet: run "
                            "`pantau inspectorates --check`") from None
    print("Current status (e-pengaduan PBJ)")
    for name, status, since, checked, source, disagree, by_source, evidence, last in current:
        flag = "  [registers disagree: " + by_source + "]" if disagree else ""
        print(f"  {name}: {status} since {since} (checked {checked}, {source}){flag}")
        print(f"    evidence: {evidence}")
        if last != evidence:
            print(f"    latest check: {last}")
    if not current:
        print("  (none)")
    print("\nHistory")
    for name, source, status, valid_from, valid_to, evidence in history:
        print(f"  {name}\t{source}\t{status}\t{valid_from} .. {valid_to or 'now'}\t{evidence}")
    return 0
