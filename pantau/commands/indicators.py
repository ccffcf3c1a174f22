"""`pantau indicators FILE.jsonl`: OCP Cardinal's red-flag indicators over OCDS compiled releases.

A stand-in for ``ocdscardinal indicators``: the same settings file (``--settings``, Cardinal's
INI; without it all 11 indicators run with Cardinal's defaults) and the same output JSON
(group -> id -> code -> value, plus ``Meta`` unless ``--no-meta``). The computation is the SQL in
``sql/indicators/1xx_cardinal_*.sql``, the same files the nightly build runs over core.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pantau.errors import UserError
from pantau.models import cardinal


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "indicators",
        help="compute Cardinal's red-flag indicators over OCDS compiled releases (JSON Lines)",
        description="Read OCDS compiled releases, one per line, and print OCP Cardinal's "
        "indicator results as JSON (same settings file and output as `ocdscardinal indicators`).",
    )
    p.add_argument("file", type=Path, help="JSON Lines of compiled releases ('-' for stdin)")
    p.add_argument(
        "--settings",
        type=Path,
        help="Cardinal settings INI (default: all 11 indicators, Cardinal's defaults)",
    )
    p.add_argument("--no-meta", action="store_true", help="omit the Meta key")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.settings is None:
        settings = cardinal.Settings()
    else:
        if not args.settings.is_file():
            raise UserError(f"settings file not found: {args.settings}")
        try:
            settings = cardinal.parse_settings(
                args.settings.read_text(encoding="utf-8"), source=str(args.settings)
            )
        except cardinal.SettingsError as exc:
            raise UserError(str(exc)) from None
    if str(args.file) == "-":
        result = cardinal.indicators(sys.stdin.buffer, settings, meta=not args.no_meta)
    else:
        if not args.file.is_file():
            raise UserError(f"file not found: {args.file}")
        with args.file.open("rb") as fh:
            result = cardinal.indicators(fh, settings, meta=not args.no_meta)
    print(cardinal.dumps(result))
    return 0
