"""`pantau sql`: ad hoc SQL on the published analyst copy, read-only."""

from __future__ import annotations

import argparse

import duckdb

from pantau.config import load_config
from pantau.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sql", help="run a read-only query on the analyst copy")
    p.add_argument("query", help="the SQL query")
    p.set_defaults(func=sql)


def sql(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    if not cfg.analyst_path.is_file():
        raise UserError(f"no analyst copy at {cfg.analyst_path}: run `pantau run` first")
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        try:
            print(con.sql(args.query).df().to_string(index=False))
        except duckdb.Error as exc:
            raise UserError(str(exc).splitlines()[0]) from None
    return 0
