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

from pantau.connectors.base import SourceError
from pantau.errors import UserError
from pantau.flows.config import ConfigError
from pantau.models.db import WarehouseLockedError
from pantau.models.settings import SettingsError

# One module per command, in the order `pantau --help` lists them.
COMMAND_MODULES = (
    "pantau.commands.demo",
    "pantau.commands.run",
    "pantau.commands.schedule",
    "pantau.commands.simulate",
    "pantau.commands.sql",
    "pantau.commands.export",
    "pantau.commands.report",
    "pantau.commands.regions",
    "pantau.commands.inspectorates",
    "pantau.commands.alerts",
    "pantau.commands.indicators",
    "pantau.commands.explain",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pantau",
        description="Procurement-transparency monitoring for Indonesian watchdogs.",
    )
    _common_options(parser, None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    # The same options after the command (`pantau run --config F`): there they default to
    # SUPPRESS, so that one given before the command is not reset by the subcommand's parser.
    for command in sub.choices.values():
        _common_options(command, argparse.SUPPRESS)
    return parser


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--config", default=default,
                        help="config TOML (default: $PANTAU_CONFIG, ./pantau.toml)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        default=False if default is None else default, help="log debug detail")


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
    except (UserError, ConfigError, SettingsError, SourceError, WarehouseLockedError) as exc:
        print(f"pantau: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pantau: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
