"""`pantau users add NAME`: a web user, with an argon2 hash in ``[web] users_file``.

The password is asked twice on a terminal; piped, the first line of standard input is it (for
scripts and tests). `pantau users list` prints the names.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.web import users
from pantau.web.settings import web_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="web users of `pantau serve`",
                       description=__doc__.split("\n\n")[0] if __doc__ else None)
    action = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = action.add_parser("add", help="add a user, or set a user's password")
    add.add_argument("name")
    action.add_parser("list", help="the users' names")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = web_settings(load_config(args.config)).users_file
    if args.action == "list":
        for name in users.load(path):
            print(name)
        return 0
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UserError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        users.add(path, args.name, password)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"{path}: {args.name} can log in")
    return 0
