"""Each page of `pantau serve` on the Kab. Bandung warehouse (issue 17: every page < 1 s).

    PYTHONPATH=. .venv/bin/python -m bench.web [--runs 5]

Builds the warehouse from the real captures beside the checkout (as the tests do), publishes the
analyst copy, and times every page through Starlette's TestClient (the whole application, its
middleware and templates, without the network): the first answer (cold: the connection opens,
templates compile) and the median of the next runs. Downloads are timed too but not judged
against the page target. Prints the figures; ``--write`` also writes them, with the machine and
the date, as their section of bench/RESULTS.md (kept when ``make bench`` rewrites the rest).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pantau.flows.config import build_config
from pantau.models.publish import publish
from starlette.testclient import TestClient

from bench.report import WEB_SECTION, machine, write_section
from pantau.web.app import create_app

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = WEB_SECTION
TARGET_SECONDS = 1.0


def build(tmp: Path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import (  # noqa: PLC0415 - the tests' own loader
        BANDUNG,
        load_bandung,
        require_shared,
    )

    require_shared(BANDUNG)
    load_bandung(tmp / "w.duckdb")
    return publish(tmp / "w.duckdb", tmp / "analyst.duckdb", cases=tmp / "cases.sqlite")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pantau-bench-web-") as folder:
        tmp = Path(folder)
        analyst = build(tmp)
        cfg = build_config({
            "database": {"path": str(tmp / "w.duckdb"), "analyst_path": str(analyst)},
            "run": {"years": [2025]},
            "regions": [{"name": "Kabupaten Bandung", "kd_klpd": "D107",
                         "spse_slug": "bandungkab"}],
            "web": {"cases_path": str(tmp / "cases.sqlite"),
                    "users_file": str(tmp / "users.txt")},
        })
        client = TestClient(create_app(cfg))
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/cases").text)
        case = client.post("/cases", data={"csrf_token": token.group(1) if token else "",
                                           "title": "bench"}, follow_redirects=False)
        listing = client.get("/tenders", params={"kind": "tender"}).text
        process = re.search(r'href="(/process/[^"]+)"', listing)
        supplier = re.search(r'href="(/supplier/[^"]+)"', listing)
        question = (REPO / "sql" / "queries" / "single_bid_by_satker.sql").read_text()
        pages: list[tuple[str, str, dict | None]] = [
            ("GET", "/", None), ("GET", "/tenders", None),
            ("GET", "/tenders?q=jalan&sort=hps&dir=desc", None),
            ("GET", "/tenders?kind=tender&flag=R003&page=2", None),
            ("GET", "/tenders/download/xlsx?kind=tender", None),
            ("GET", process.group(1) if process else "/", None),
            ("GET", supplier.group(1) if supplier else "/", None),
            ("GET", "/agency/D107", None), ("GET", "/sql", None),
            ("POST", "/sql", {"query": question}),
            ("POST", "/sql", {"query": "SELECT * FROM tenders", "download": "csv"}),
            ("POST", "/sql", {"query": "SELECT * FROM tenders", "download": "xlsx"}),
            ("GET", "/cases", None), ("GET", case.headers.get("location", "/cases"), None),
        ]
        print(f"{'page':<58} {'cold s':>8} {'median s':>9}  status")
        worst = 0.0
        for method, url, form in pages:
            times = []
            status = 0
            for _ in range(args.runs + 1):
                started = time.perf_counter()
                if method == "GET":
                    r = client.get(url)
                else:
                    r = client.post(url, data={"csrf_token": token.group(1) if token else "",
                                               **(form or {})})
                times.append(time.perf_counter() - started)
                status = r.status_code
            median = statistics.median(times[1:])
            # A download of a whole view is a file being written, not a page: shown, not judged
            # (openpyxl's styled Excel writer is most of it).
            is_page = "download" not in url and not (form or {}).get("download")
            worst = max(worst, median) if is_page else worst
            label = f"{method} {url}" + (f" [{form.get('download', 'query')}]" if form else "")
            print(f"{label[:58]:<58} {times[0]:>8.3f} {median:>9.3f}  {status}")
            rows.append(f"| `{label}` | {times[0]:.3f} | {median:.3f} | {status} | "
                        f"{'page' if is_page else 'download (not judged)'} |")
        verdict = "met" if worst < TARGET_SECONDS else "NOT met"
        print(f"slowest page (median) {worst:.3f} s: target < {TARGET_SECONDS:g} s {verdict}")
    if args.write:
        write_section(SECTION, "\n".join([
            SECTION, "",
            (f"`python -m bench.web --runs {args.runs}`: every page of `pantau serve` on the real "
            "Kab. Bandung warehouse through the whole application (middleware, templates), "
            "the first answer and the median of the next runs."), "", *machine(), "",
            "| request | cold s | median s | status | |", "|---|---:|---:|---|---|", *rows, "",
            f"Slowest page (median): {worst:.3f} s; target < {TARGET_SECONDS:g} s: {verdict}.",
            "",
        ]), RESULTS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
