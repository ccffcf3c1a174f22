"""``pantau``: one entry point, a thin layer over the library.

Each command lives in its own module under ``pantau/commands/`` with ``register(subparsers)``
that adds its parser and sets ``func``. Exit codes: 0 success; 1 with a one-line reason on
stderr for any failure a user can act on (bad config, unreachable source, database locked).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from pathlib import Path

from pantau import logs
from pantau.connectors.base import SourceError
from pantau.connectors.http import Redactor
from pantau.errors import UserError
from pantau.flows.config import ConfigError, load_config, load_secrets, secret_strings
from pantau.models.db import WarehouseLockedError
from pantau.models.settings import SettingsError

# One module per command, in the order `pantau --help` lists them.
COMMAND_MODULES = (
    "pantau.commands.demo",
    "pantau.commands.run",
    "pantau.commands.doctor",
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
    "pantau.commands.serve",
    "pantau.commands.users",
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
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    log_file = logs.setup(_log_dir(args.config), verbose=args.verbose, redact=_redactor())
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
    except Exception as exc:  # a bug or an unforeseen failure: a sentence here, detail in the log
        # INFO: to the log file only (the terminal shows warnings and up)
        logging.getLogger("pantau").info("pantau %s failed", args.command, exc_info=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"pantau: {args.command} failed: {type(exc).__name__}: {first} "
              f"(the traceback is in {log_file.resolve()}; -v shows it here)", file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 1


# Prefect's settings for a process that may run outside the checkout (where prefect.toml sets
# them): no analytics (with it, ephemeral runs log alarming "database is locked" tracebacks),
# and time for its temporary API server to start on a busy machine.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def _log_dir(config: str | None) -> Path:
    """``logs/`` beside the warehouse (var/logs by default), or ./var/logs without a config."""
    try:
        return load_config(config).database_path.parent / "logs"
    except ConfigError:
        return Path("var/logs")


def _redactor() -> Redactor:
    try:
        secrets = load_secrets()
    except ConfigError:  # the command itself will say what is wrong with the file
        secrets = {}
    return Redactor(secret_strings(secrets))


if __name__ == "__main__":
    sys.exit(main())
