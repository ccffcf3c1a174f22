"""`pantau serve`: the web workbench on the analyst copy (issue 17; see ``pantau.web.app``).

    pantau serve [--host 127.0.0.1] [--port 8080] [--ssl-certfile F --ssl-keyfile F]

Without users (`pantau users add NAME`) it serves only a loopback address: the person at the
machine. With users every page needs a login.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket

from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.web import users
from pantau.web.settings import web_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="the web workbench: search, processes, SQL, cases",
                       description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--ssl-certfile", help="serve HTTPS with this certificate (cookies: Secure)")
    p.add_argument("--ssl-keyfile", help="the certificate's key")
    p.set_defaults(func=serve)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(host, None))
        except OSError:
            return False


def serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only this command needs the server

    from pantau.web.app import create_app  # noqa: PLC0415

    cfg = load_config(args.config)
    settings = web_settings(cfg)
    if not is_loopback(args.host) and not users.load(settings.users_file):
        raise UserError(f"refusing to serve {args.host} without users: anyone on the network "
                        f"could enter. Add one with `pantau users add NAME` ({settings.users_file})"
                        ", or serve 127.0.0.1")
    app = create_app(cfg, settings)
    print(f"pantau serve: http{'s' if args.ssl_certfile else ''}://{args.host}:{args.port}/ "
          f"on {cfg.analyst_path}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    return 0
