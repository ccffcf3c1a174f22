"""Scale-out (issue 8): simulator latency for crawl benchmarks, the task-runner setting (threads
or a Dask cluster), and Parquet landing giving the same tables as landing in DuckDB."""

from __future__ import annotations

import time

import requests

from pantau.simulator.server import Simulator
from pantau.simulator.world import World

MASTER = "/isb-2/api/satudata/MasterLPSE"


def test_simulator_latency_is_added_to_every_source_request() -> None:
    with Simulator(World(seed=1, scale=0.01), latency=0.2) as sim:
        started = time.perf_counter()
        requests.get(sim.url + MASTER, timeout=5).raise_for_status()
        slow = time.perf_counter() - started
        started = time.perf_counter()
        requests.get(sim.url + "/_sim/stats", timeout=5).raise_for_status()  # admin: no latency
        admin = time.perf_counter() - started
    with Simulator(World(seed=1, scale=0.01)) as sim:  # default: none
        started = time.perf_counter()
        requests.get(sim.url + MASTER, timeout=5).raise_for_status()
        fast = time.perf_counter() - started
    assert slow >= 0.2
    assert admin < 0.15
    assert fast < 0.15
