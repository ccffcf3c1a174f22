"""``make bench``: measure the pipeline at national scale and write bench/RESULTS.md.

    python -m bench.run                      # 10k and 100k processes, crawl, orchestration
    python -m bench.run --scales 1M          # the national scale (~20 min, ~5 GB of files)
    python -m bench.run --report-only        # rewrite RESULTS.md from bench/out/results/*.json

Each scale's figures are kept in ``bench/out/results/<scale>.json`` so that a long 1M run can
happen on its own and RESULTS.md still shows every scale measured.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bench import data, measures, report

OUT = data.OUT
RESULTS = OUT / "results"
SCALES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def bench_scale(name: str, landing: str, run: dict[str, object]) -> dict:
    n_regions = data.regions_for(SCALES[name])
    folder = OUT / "work" / name
    logs = OUT / "logs" / name
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[{name}] rendering {n_regions} regions ...", flush=True)
    started = time.perf_counter()
    data.render(n_regions, 0)
    data.render(n_regions, 1)
    print(f"[{name}] rendered in {time.perf_counter() - started:.0f}s; two nights ...", flush=True)
    result = measures.nights(n_regions, folder, run={"landing": landing, **run}, logs=logs)
    result["scale"] = name
    result["landing"] = landing
    result["run_settings"] = run
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return result


# The settings README "National scale" recommends for 2 cores (--set overrides them).
DEFAULT_RUN: dict[str, object] = {"max_workers": 2, "checkpoint_threshold": "1GB",
                                  "memory_limit": "1GB"}


def run_settings(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = dict(DEFAULT_RUN)
    for pair in pairs:
        key, _, value = pair.partition("=")
        out[key.strip()] = int(value) if value.strip().isdigit() else value.strip()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="10k,100k")
    parser.add_argument("--landing", choices=("duckdb", "parquet"), default="duckdb")
    parser.add_argument("--skip", default="", help="comma list of: crawl,orchestration")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [run] setting for the nights, e.g. --set max_workers=2")
    parser.add_argument("--orchestration-scale", default="10k", choices=tuple(SCALES))
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    if not args.report_only:
        for name in filter(None, args.scales.split(",")):
            settings = run_settings(args.set)
            # Not a [run] key: the bench's own choice, for bench/night.py (a child process).
            executor = settings.pop("bench_executor", None)
            if executor:
                os.environ["BENCH_EXECUTOR"] = str(executor)
            result = bench_scale(name, args.landing, settings)
            # Variants are kept beside the plain figures: 100k-parquet, 100k-processes.
            suffix = "" if args.landing == "duckdb" else f"-{args.landing}"
            suffix += f"-{executor}" if executor else ""
            (RESULTS / f"{name}{suffix}.json").write_text(json.dumps(result, indent=1))
            print(f"[{name}] {report.summary_line(result)}", flush=True)
        if "crawl" not in skip:
            # Many small regions, as nationally (~700 LPSE): jobs are sequential inside, so
            # with few jobs the last one alone would decide the time.
            for source, n_regions, scale in (("spse", 20, 0.01), ("isb", 40, 0.02)):
                print(f"[crawl] {source}, 50 ms per request ...", flush=True)
                crawl = measures.crawl(source, n_regions=n_regions, scale=scale)
                (RESULTS / f"crawl-{source}.json").write_text(json.dumps(crawl, indent=1))
                print(f"[crawl] {source}: {crawl['requests']} requests in {crawl['seconds']:.1f}s,"
                      f" bound {crawl['bound']:.1f}s", flush=True)
        if "orchestration" not in skip:
            print("[orchestration] Prefect flow vs plain functions ...", flush=True)
            orch = measures.orchestration(data.regions_for(SCALES[args.orchestration_scale]),
                                          OUT / "work" / "orchestration", run_settings(args.set))
            orch["scale"] = args.orchestration_scale
            suffix = "" if args.orchestration_scale == "10k" else f"-{args.orchestration_scale}"
            (RESULTS / f"orchestration{suffix}.json").write_text(json.dumps(orch, indent=1))
    path = report.write(RESULTS, Path(__file__).resolve().parent / "RESULTS.md")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
