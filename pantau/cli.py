"""``pantau``: one entry point, a thin layer over the library.

Each command lives in its own module under ``pantau/commands/`` with ``register(subparsers)``
that adds its parser and sets ``func``. Exit codes: 0 success; 1 with a one-line reason on
stderr for any failure a user can act on (bad config, unreachable source, database locked).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from pantau.config import ConfigError
from pantau.connectors.base import SourceError
from pantau.errors import UserError
from pantau.models.db import WarehouseLockedError

# One module per command, in the order `pantau --help` lists them.
COMMAND_MODULES = (
    "pantau.commands.demo",
    "pantau.commands.run",
    "pantau.commands.simulate",
    "pantau.commands.sql",
    "pantau.commands.export",
    "pantau.commands.report",
    "pantau.commands.regions",
    "pantau.commands.inspectorates",
    "pantau.commands.alerts",
    "pantau.commands.indicators",
    "pantau.commands.explain",
    "pantau.commands.serve",
    "pantau.commands.users",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pantau",
        description="Procurement-transparency monitoring for Indonesian watchdogs.",
    )
    parser.add_argument("--config", help="config TOML (default: $PANTAU_CONFIG, ./pantau.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UserError, ConfigError, SourceError, WarehouseLockedError) as exc:
        print(f"pantau: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pantau: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
