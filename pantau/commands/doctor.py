"""`pantau doctor`: checks that tonight's run can work, each with a verdict and what to do."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check config, secrets, sources, channels, warehouse and "
                                      "Prefect home; exit 0 only when every check passes")
    p.add_argument("--send-test", action="store_true",
                   help="send each alert channel a test message")
    p.set_defaults(func=doctor)


def doctor(args: argparse.Namespace) -> int:
    from pantau.flows.doctor import diagnose  # noqa: PLC0415 - imports every connector

    findings = diagnose(args.config, send_test=args.send_test)
    width = max(len(f.check) for f in findings)
    for f in findings:
        print(f"{'ok  ' if f.ok else 'FAIL'}  {f.check:<{width}}  {f.verdict}")
        if not f.ok and f.fix:
            print(f"      {'':<{width}}  fix: {f.fix}")
    failed = sum(not f.ok for f in findings)
    print(f"\n{len(findings) - failed} of {len(findings)} checks passed"
          + ("." if not failed else f"; {failed} to fix before the next run."))
    return 1 if failed else 0
