"""The simulator in its own process (so that rendering pages does not share the GIL with the
crawler being measured): ``python -m bench.sim --regions N --scale S --latency L``."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from typing import Self

import requests

from pantau.simulator.server import Simulator
from pantau.simulator.world import World


class SimulatorProcess:
    def __init__(self, n_regions: int, scale: float, latency: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sim", "--regions", str(n_regions), "--scale",
             str(scale), "--latency", str(latency)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("http://"):
            self.proc.kill()
            raise RuntimeError(f"simulator did not start: {line!r}")
        self.url = line.strip()

    def requests_served(self) -> int:
        stats = requests.get(f"{self.url}/_sim/stats", timeout=10).json()
        return sum(n for path, n in stats.items() if not path.startswith("/_sim/"))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


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
