"""The simulator in its own process (so that rendering pages does not share the GIL with the
crawler being measured): ``python -m bench.sim --regions N --scale S --latency L``."""

from __future__ import annotations

import argparse
import time

import requests

from bench.served import ServedProcess
from pantau.simulator.server import Simulator
from pantau.simulator.world import World


class SimulatorProcess(ServedProcess):
    """The simulator (``main`` below) in its own process, with ``latency`` per request."""

    def __init__(self, n_regions: int, scale: float, latency: float) -> None:
        super().__init__("bench.sim", "--regions", str(n_regions), "--scale", str(scale),
                         "--latency", str(latency))

    def requests_served(self) -> int:
        stats = requests.get(f"{self.url}/_sim/stats", timeout=10).json()
        return sum(n for path, n in stats.items() if not path.startswith("/_sim/"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, required=True)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    world = World(seed=1, scale=args.scale, extra_regions=max(0, args.regions - 3))
    world.regions = world.regions[:args.regions]
    world.by_klpd = {r.kd_klpd: r for r in world.regions}
    world.by_lpse = {r.kd_lpse: r for r in world.regions}
    world.by_slug = {r.slug: r for r in world.regions}
    sim = Simulator(world, latency=args.latency).start()
    print(sim.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
