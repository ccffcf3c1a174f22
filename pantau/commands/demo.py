"""`pantau demo`: the whole nightly path on the embedded defaults, against the simulator.

Starts the simulator on a free loopback port, writes a demo config and secrets file under
``var/demo/`` (the secrets hold simulated subscriber URLs with a made-up key, to show that keys
never reach the database or the logs), runs the nightly flow once into ``var/demo.duckdb``, then
prints three example questions answered from the analyst copy.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pantau.analyst.connection import connect_analyst
from pantau.connectors import isb
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

DEMO_KEY = "demo-9f8e7d6c-5b4a-4392-8170-subscriber"  # a made-up ISB subscriber key
EXAMPLES = (
    (
        "Tenders per K/L/PD and status",
        (
            "SELECT klpd_name, status, count(*) AS tenders, sum(pagu) AS pagu FROM tenders "
            "WHERE kind = 'tender' GROUP BY ALL ORDER BY ALL"
        ),
    ),
    (
        "Finished tenders that drew a single bid",
        (
            "SELECT klpd_name, source_id, left(title, 40) AS title, hps, contract_value "
            "FROM tenders WHERE kind = 'tender' AND status_class = 'finished' AND n_bids = 1 "
            "ORDER BY hps DESC LIMIT 5"
        ),
    ),
    (
        "Suppliers winning most often",
        "SELECT name, n_wins, n_bids FROM suppliers ORDER BY n_wins DESC, name LIMIT 5",
    ),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the nightly flow on the simulator and show examples")
    p.add_argument("--dir", type=Path, default=Path("var"), help="where the demo writes")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=demo)


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def write_demo_files(out: Path, sim_url: str) -> tuple[Path, Path]:
    """A config (the embedded defaults pointed at the simulator) and a secrets file."""
    out.mkdir(parents=True, exist_ok=True)
    # Laid over the embedded defaults (its regions, registers and alert rules) by load_config.
    lines = [
        "# Written by `pantau demo`: the embedded defaults, pointed at the local simulator.",
        "[database]",
        f"path = {_toml_value(str((out / 'demo.duckdb').resolve()))}",
        "[sources.isb]",
        f"satudata_url = {_toml_value(sim_url + '/isb-2/api/satudata')}",
        "[http]",
        "min_interval_seconds = 0",
        "per_host_concurrency = 4",
    ]
    config = out / "demo" / "pantau.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    secrets = out / "demo" / "secrets.toml"
    urls = [
        f'"{d.name}" = "{sim_url}/isb-2/api/{DEMO_KEY}/json/{1000 + n}/{d.name}/tipe/'
        + (
            '12:12/parameter/{kd_klpd}:{tahun}"'
            if d.name == "RUP-MasterSatker"
            else '4:12/parameter/{tahun}:{kd_klpd}"'
            if d.name.startswith(("RUP", "Ecat"))
            else '4:4/parameter/{tahun}:{kd_lpse}"'
        )
        for n, d in enumerate(isb.KEYED_DATASETS)
    ]
    secrets.write_text("[isb.datasets]\n" + "\n".join(urls) + "\n", encoding="utf-8")
    secrets.chmod(0o600)  # as a secrets file should be (pantau doctor checks it)
    return config, secrets


def demo(args: argparse.Namespace) -> int:
    from pantau.commands.run import run  # noqa: PLC0415

    with Simulator(World(seed=args.seed)) as sim:
        print(f"simulator listening on {sim.url}", flush=True)
        config, secrets = write_demo_files(args.dir, sim.url)
        os.environ["PANTAU_SECRETS"] = str(secrets)
        run(argparse.Namespace(config=str(config), region=None, year=None, date=None,
                               accept_shrink=[], verbose=args.verbose))
    from pantau.flows.config import load_config  # noqa: PLC0415

    analyst = load_config(str(config)).analyst_path
    with connect_analyst(analyst) as con:
        for title, query in EXAMPLES:
            print(f'\n## {title}\n$ pantau sql "{query}"\n')
            print(con.sql(query))  # DuckDB's own table: rupiah stay exact decimals
    print(f"\nThe analyst copy is {analyst}; try:")
    print(f'  pantau --config {config} sql "SELECT * FROM tenders LIMIT 5"')
    return 0
