"""`pantau demo`: the whole nightly path on the embedded defaults, against the simulator.

Starts the simulator on a free loopback port, writes a demo config and secrets file under
``var/demo/`` (the embedded defaults with every kind of source from the simulator: LKPP's data
from its INAPROC gateway, the tenders of its SPSE portal with their detail pages, opentender.net's
OCDS export, and the inspectorate register published at a URL; the secrets hold a made-up token
the simulator accepts, to show that tokens never reach the database or the logs), runs the
nightly flow once into ``var/demo.duckdb``, then prints what landed from each source, three
example questions answered from the analyst copy, and where to go next.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path

from pantau.analyst.connection import connect_analyst
from pantau.flows.config import DEFAULT_CONFIG
from pantau.simulator.inaproc import SIM_TOKEN
from pantau.simulator.ocds import icw_code
from pantau.simulator.registers import PATH as REGISTER_PATH
from pantau.simulator.server import Simulator
from pantau.simulator.world import World
from pantau.simulator.world import regions as simulated_regions

# The simulator's made-up INAPROC token (a real one never leaves the secrets file).
DEMO_TOKEN = SIM_TOKEN
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


# Per source: datasets landed, records received and set aside in the night just run.
LANDED = (
    "SELECT source, count(DISTINCT dataset) AS datasets, sum(n_records) AS records, "
    "sum(n_quarantined) AS quarantined, count(*) FILTER (status <> 'ok') AS failed FROM runs "
    "WHERE run_id = (SELECT max_by(run_id, started_at) FROM runs) GROUP BY source ORDER BY source"
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
    ]
    # The default regions, with the simulated world's own codes for them (simulator/world.py).
    simulated = {r.nama_klpd: r for r in simulated_regions()}
    defaults = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))["regions"]
    names = {region["name"] for region in defaults}
    for region in defaults:
        sim = simulated.get(region["name"])
        codes = ({"kd_klpd": sim.kd_klpd, "kd_lpse": sim.kd_lpse, "spse_slug": sim.slug}
                 if sim else {})
        lines.append("[[regions]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in {**region, **codes}.items()]
    icw = [icw_code(r) for r in simulated.values() if r.nama_klpd in names]
    lines += [
        "[sources.inaproc]",
        f"base_url = {_toml_value(sim_url + '/api')}",
        "[sources.spse]",  # the tenders only: every package's detail pages would take minutes
        "enabled = true",
        f"base_url = {_toml_value(sim_url)}",
        'lists = ["lelang"]',
        "min_interval_seconds = 0",
        "[sources.ocds]",
        "enabled = true",
        f"opentender_url = {_toml_value(sim_url)}",
        f"opentender_lpse = {_toml_value(icw)}",
        "min_interval_seconds = 0",
        "[inspectorates]",
        "sources = " + _toml_value([{"name": "pantau-register", "format": "csv",
                                     "url": sim_url + REGISTER_PATH}]),
        "[http]",
        "min_interval_seconds = 0",
        "per_host_concurrency = 4",
    ]
    config = out / "demo" / "pantau.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    secrets = out / "demo" / "secrets.toml"
    secrets.write_text(f"[inaproc]\ntoken = {_toml_value(DEMO_TOKEN)}\n", encoding="utf-8")
    secrets.chmod(0o600)  # as a secrets file should be (pantau doctor checks it)
    return config, secrets


def demo(args: argparse.Namespace) -> int:
    from pantau.commands.run import run  # noqa: PLC0415

    world = World(seed=args.seed)
    with Simulator(world) as sim:
        print(f"simulator listening on {sim.url} (INAPROC gateway: {sim.url}/api)", flush=True)
        config, secrets = write_demo_files(args.dir, sim.url)
        os.environ["PANTAU_SECRETS"] = str(secrets)
        run(argparse.Namespace(config=str(config), region=None, year=None, date=None,
                               accept_shrink=[], rebuild=False, verbose=args.verbose))
    from pantau.flows.config import load_config  # noqa: PLC0415

    analyst = load_config(str(config)).analyst_path
    with connect_analyst(analyst) as con:
        print("\n## What landed from each source\n")
        print(con.sql(LANDED))
        for title, query in EXAMPLES:
            print(f'\n## {title}\n$ pantau sql "{query}"\n')
            print(con.sql(query))  # DuckDB's own table: rupiah stay exact decimals
    print(f"\nThe analyst copy is {analyst}. Next:")
    print(f"  pantau serve --config {config}        # the workbench, http://127.0.0.1:8080")
    print(f'  pantau report --config {config} --region "Kota Semarang" --out var/rapor.html')
    print(f'  pantau sql --config {config} "SELECT * FROM tenders LIMIT 5"')
    return 0
