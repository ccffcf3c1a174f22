"""The benchmark's data: the simulator's ISB answers, rendered once to files and served from them.

Rendering the simulated world is the simulator's cost, not the pipeline's, so each answer is
rendered once per (scale, generation) with the simulator's own generator (in parallel, cached
under ``bench/out/data``) and then served byte for byte by a small loopback server in its own
process. The same files are what the floor (DuckDB ``read_json``) reads.

Layout: ``<root>/gen<g>/<Dataset>/<year>/<kd_klpd>.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pantau.connectors import isb

from bench.served import ServedProcess
from pantau.simulator.isb import IsbGenerator
from pantau.simulator.world import PER_SCALE, World

OUT = Path(__file__).resolve().parent / "out"
YEAR = 2025
PROCESSES_PER_REGION_YEAR = sum(PER_SCALE.values())  # at scale 1: 3680
_KEYED = re.compile(
    r"^/isb-2/api/[^/]+/json/[^/]+/(?P<dataset>[^/]+)/tipe/[^/]+/parameter/(?P<v>[^/]+)$")


def regions_for(processes: int) -> int:
    """Regions (one budget year each, at simulator scale 1) that make about ``processes``."""
    return max(1, round(processes / PROCESSES_PER_REGION_YEAR))


def world(n_regions: int, generation: int = 0) -> World:
    w = World(seed=1, scale=1.0, extra_regions=max(0, n_regions - 3))
    w.regions = w.regions[:n_regions]
    w.generation = generation
    return w


def _render_region(args: tuple[Path, int, int, int]) -> int:
    root, n_regions, generation, index = args
    w = world(n_regions, generation)
    gen = IsbGenerator(w)
    region = w.regions[index]
    n = 0
    for dataset in isb.KEYED_DATASETS:
        records = list(gen.dataset(dataset.name, region, YEAR) or [])
        path = root / f"gen{generation}" / dataset.name / str(YEAR) / f"{region.kd_klpd}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(json.dumps(records, ensure_ascii=False).encode())
        n += len(records)
    return n


def render(n_regions: int, generation: int, workers: int = 2) -> Path:
    """Render (once) every keyed ISB answer of ``n_regions`` regions; returns the scale's root."""
    root = OUT / "data" / f"r{n_regions}"
    done = root / f"gen{generation}" / "manifest.json"
    if done.is_file():
        return root
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        counts = list(pool.map(_render_region,
                               [(root, n_regions, generation, i) for i in range(n_regions)]))
    done.write_text(json.dumps({"records": sum(counts), "regions": n_regions,
                                "seconds": round(time.perf_counter() - started, 1)}))
    return root


def manifest(root: Path, generation: int) -> dict:
    return json.loads((root / f"gen{generation}" / "manifest.json").read_text())


# --- the file server ------------------------------------------------------------------------


class FileServer:
    """Serves ``<root>/gen<g>`` at ISB's keyed paths; ``POST /_sim/advance`` moves to g+1."""

    def __init__(self, root: Path, n_regions: int, latency: float = 0.0) -> None:
        self.root = root
        self.generation = 0
        self.latency = latency
        w = world(n_regions)
        self.klpd_of = {str(r.kd_lpse): r.kd_klpd for r in w.regions}
        self.klpd_of.update({r.kd_klpd: r.kd_klpd for r in w.regions})
        self.requests = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True

    def path_for(self, url_path: str) -> Path | None:
        m = _KEYED.match(url_path)
        if not m:
            return None
        values = m.group("v").split(":")
        year = next((v for v in values if re.fullmatch(r"20\d\d", v)), None)
        kd = next((self.klpd_of[v] for v in values if v in self.klpd_of and v != year), None)
        if year is None or kd is None:
            return None
        return self.root / f"gen{self.generation}" / m.group("dataset") / year / f"{kd}.json"


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            if server.latency:
                time.sleep(server.latency)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.requests += 1
            path = server.path_for(self.path.split("?")[0])
            if path is None or not path.is_file():
                self._send(200, b"URL-NOT-DEFINED", "text/plain")
                return
            self._send(200, path.read_bytes())

        def do_POST(self) -> None:
            if self.path == "/_sim/advance":
                server.generation += 1
                self._send(200, json.dumps({"generation": server.generation}).encode())
            else:
                self._send(404, b"not found", "text/plain")

        def log_message(self, *_args: object) -> None:
            return

    return Handler


class ServerProcess(ServedProcess):
    """The file server (``main`` below) in its own process."""

    def __init__(self, root: Path, n_regions: int, latency: float = 0.0) -> None:
        super().__init__("bench.data", "--root", str(root), "--regions", str(n_regions),
                         "--latency", str(latency))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--regions", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    server = FileServer(args.root, args.regions, args.latency)
    host, port = server.httpd.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        server.httpd.shutdown()


if __name__ == "__main__":
    main()
