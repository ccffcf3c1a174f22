"""`pantau alerts`: the alerts raised and where they went; `pantau alerts test` tries channels."""

from __future__ import annotations

import argparse

import duckdb

from pantau.errors import UserError
from pantau.flows.config import Config, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="list alerts (--pending: not yet delivered); "
                                      "`alerts test` sends a test message to each channel")
    p.add_argument("action", nargs="?", choices=("list", "test"), default="list")
    p.add_argument("--pending", action="store_true",
                   help="only alerts some configured channel has not received yet")
    p.add_argument("--limit", type=int, default=50, help="at most this many alerts (list)")
    p.set_defaults(func=alerts_command)


def alerts_command(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    if args.action == "test":
        return _test(cfg)
    return _list(cfg, pending_only=args.pending, limit=args.limit)


def _test(cfg: Config) -> int:
    from pantau.models import alerts  # noqa: PLC0415 - keeps --help fast

    targets = alerts.channels(cfg.secrets)
    if not targets:
        raise UserError("no alert channels: set [alerts] channels in the secrets file "
                        "(PANTAU_SECRETS)")
    send = alerts.AppriseSender(alerts.redactor(cfg.secret_values(), targets))
    failed = 0
    for channel, error in alerts.send_test(targets, cfg.alerts.language, send):
        print(f"{channel}\t{'ok' if error is None else 'FAILED: ' + error}")
        failed += error is not None
    return 1 if failed else 0


def _list(cfg: Config, *, pending_only: bool, limit: int) -> int:
    from pantau.models.alerts import channels, pending  # noqa: PLC0415 - keeps --help fast

    path = cfg.analyst_path
    if not path.is_file():
        raise UserError(f"no analyst copy at {path}: run `pantau run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            rows = con.execute(
                "SELECT key, rule, created_at, title, channels_sent, channels_failed, "
                "last_error FROM main.alerts ORDER BY created_at DESC, key").fetchall()
        except duckdb.CatalogException:
            raise UserError("the analyst copy has no alerts view yet: run `pantau run`") from None
        owed: dict[str, list[str]] = {}
        for key, channel, *_ in pending(con, channels(cfg.secrets), cfg.alerts.retry_days):
            owed.setdefault(key, []).append(channel)
    if pending_only:
        rows = [r for r in rows if r[0] in owed]
    for key, rule, created, title, sent, failed, error in rows[:limit]:
        print(f"{created:%Y-%m-%d %H:%M}\t{rule}\t{title}")
        print(f"    key {key}; sent to {', '.join(sent) or '-'}"
              + (f"; pending {', '.join(owed[key])}" if key in owed else "")
              + (f"; failed {', '.join(failed)}: {error}" if failed else ""))
    if not rows:
        print("(no pending alerts)" if pending_only else "(no alerts)")
    return 0
