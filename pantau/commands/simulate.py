"""`pantau simulate`: the source simulator on a loopback port, until interrupted."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pantau.simulator.faults import FaultPlan
from pantau.simulator.inaproc import SIM_TOKEN
from pantau.simulator.registers import PATH as REGISTER_PATH
from pantau.simulator.server import Simulator
from pantau.simulator.world import World


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="serve simulated (or replayed) sources on localhost")
    p.add_argument("--port", type=int, default=8765, help="loopback port (0: any free port)")
    p.add_argument("--replay", type=Path, help="serve real captures <Dataset>.json from DIR")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    p.add_argument("--scale", type=float, default=1.0, help="multiply the generated volumes")
    p.add_argument("--extra-regions", type=int, default=0, help="add N generated regions")
    p.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                   help="share of responses that fail realistically (0-1), seeded by --seed")
    p.set_defaults(func=simulate)


def simulate(args: argparse.Namespace) -> int:
    world = World(seed=args.seed, scale=args.scale, extra_regions=args.extra_regions)
    faults = FaultPlan(args.faults, seed=args.seed) if args.faults else None
    with Simulator(world, replay=args.replay, port=args.port, faults=faults) as sim:
        print(f"pantau simulator on {sim.url}; Ctrl-C stops it\n"
              f"  INAPROC gateway  {sim.url}/api  (token {SIM_TOKEN})\n"
              f"  SPSE portal      {sim.url}/{{slug}}  (e.g. /jatengprov/lelang)\n"
              f"  ISB              {sim.url}/isb-2/api/...\n"
              f"  opentender.net   {sim.url}/api/master/lpse/\n"
              f"  register         {sim.url}{REGISTER_PATH}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
