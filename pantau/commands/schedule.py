"""`pantau schedule`: the nightly and inspectorates flows on their schedules, until Ctrl-C."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.flows.schedule import ScheduleError, serve


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schedule",
        help="run both flows on their schedules in this one process (starts its own Prefect "
             "server); Ctrl-C stops it",
    )
    p.add_argument("--nightly", metavar="CRON", help="the nightly run (default: [schedule])")
    p.add_argument("--inspectorates", metavar="CRON",
                   help="the inspectorate registers and alerts (default: [schedule])")
    p.add_argument("--timezone", help="of both schedules (default: [schedule])")
    p.add_argument("--log-dir", type=Path, default=Path("var/logs"),
                   help="where the local Prefect server writes its log (default var/logs)")
    p.set_defaults(func=schedule)


def schedule(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    given = {k: v for k, v in (("nightly", args.nightly), ("inspectorates", args.inspectorates),
                               ("timezone", args.timezone)) if v}
    schedules = replace(cfg.schedule, **given)
    print(f"pantau schedule: nightly {schedules.nightly!r}, inspectorates "
          f"{schedules.inspectorates!r} ({schedules.timezone}); Ctrl-C stops", flush=True)
    try:
        serve(cfg.path, schedules, args.log_dir)
    except ScheduleError as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        pass
    print("pantau schedule: stopped; the schedules stay active for the next start", flush=True)
    return 0
