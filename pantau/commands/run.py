"""`pantau run`: the nightly flow once, now."""

from __future__ import annotations

import argparse
from datetime import date

from pantau import logs
from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.progress import shown


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the nightly flow once (fetch, land, build, publish)")
    p.add_argument(
        "--region", action="append", help="only this region (name or kd_klpd); repeatable"
    )
    p.add_argument("--year", action="append", type=int, help="only this budget year; repeatable")
    p.add_argument("--date", type=date.fromisoformat, help="the night being run (default today)")
    p.add_argument(
        "--accept-shrink", action="append", metavar="DATASET", default=[],
        help=("apply this dataset's answer although it shrank past [run] max_shrink (once you "
              "have looked at it in quarantine); repeatable"),
    )
    p.add_argument(
        "--rebuild", action="store_true",
        help=("parse every answer again, even one the same as last night's, and rebuild every "
              "model, not only those whose inputs changed (after an upgrade, or to check)"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pantau.flows.nightly import RunFailedError, nightly, task_runner  # noqa: PLC0415 - Prefect is slow to import

    logs.quiet_tracebacks(verbose=args.verbose)  # Prefect has set up its handlers by now
    cfg = load_config(args.config)
    flow = nightly.with_options(task_runner=task_runner(cfg))
    try:
        with shown():
            flow(
                config_path=str(cfg.path) if cfg.path else None,
                regions=args.region,
                years=args.year,
                run_date=args.date,
                accept_shrink=args.accept_shrink,
                rebuild=args.rebuild,
            )
    except RunFailedError as exc:
        lines = [f"the night ran, but {len(exc.failed)} dataset(s) failed (exit code 1):"]
        lines += [f"  {label}: {reason}" for label, reason in exc.failed]
        lines.append(f"  the full log is {logs.log_file()}")
        raise UserError("\n".join(lines)) from None
    return 0
