"""One night of the pipeline in a fresh process, timed by stage, with its peak RSS.

Run by the harness as ``python -m bench.night --config C --secrets S --mode plain|prefect``;
prints one JSON line. The stages are timed by wrapping the very functions ``run_night`` calls
(``land``, ``land_many``, ``land_unchanged``, ``build``, ``publish``), so nothing in the
pipeline changes for the measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import psutil
from pantau.flows import steps
from pantau.models import transform

TIMES: dict[str, float] = defaultdict(float)
PEAKS: dict[str, float] = defaultdict(float)  # peak RSS (MB) seen during each stage
_STAGE = ["fetch+land"]


STAGE_STARTS: dict[str, float] = {}  # when each build stage read its first file
FILE_PEAKS: dict[str, float] = defaultdict(float)  # peak RSS (MB) while each SQL file ran
FILE_SECONDS: dict[str, float] = defaultdict(float)  # the build's seconds in each SQL file
_FILE = [""]
_FILE_STARTED = [0.0]


def _file_switch(name: str) -> None:
    """The build moves on to the file ``name`` ("" when it ends): the last one's time is up."""
    now = time.perf_counter()
    if _FILE[0]:
        FILE_SECONDS[_FILE[0]] += now - _FILE_STARTED[0]
    _FILE[0], _FILE_STARTED[0] = name, now


class _Tracked(type(Path())):  # type: ignore[misc]
    """An SQL file path that marks itself as running when build() reads it."""

    def read_text(self, *args: object, **kwargs: object) -> str:
        if _EXECUTING[0]:  # not the build's plan, which reads every file first
            STAGE_STARTS.setdefault(self.parent.name, time.perf_counter())
            _file_switch(f"{self.parent.name}/{self.name}")
        return super().read_text(*args, **kwargs)  # type: ignore[arg-type]


_EXECUTING = [False]


def _sample_rss(stop: threading.Event) -> None:
    proc = psutil.Process()
    while not stop.wait(0.1):
        mb = proc.memory_info().rss / 2**20
        stage = _STAGE[-1]
        PEAKS[stage] = max(PEAKS[stage], mb)
        if stage == "build" and _FILE[0]:
            FILE_PEAKS[_FILE[0]] = max(FILE_PEAKS[_FILE[0]], mb)


def _timed(name: str, fn: Any) -> Any:  # noqa: ANN401 - wraps any step function
    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        if name != "land":
            _STAGE.append(name)
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - started
            if name != "land":
                _STAGE.pop()

    return wrapper


def _timed_close(open_warehouse: Any) -> Any:  # noqa: ANN401 - wraps models.db.open_warehouse
    """The warehouse's close as its own stage: it checkpoints what the night wrote (with a
    large checkpoint_threshold, everything), which would otherwise count as waiting for fetches."""

    @contextlib.contextmanager
    def opened(*args: object, **kwargs: object) -> Iterator[Any]:
        with contextlib.ExitStack() as stack:
            con = stack.enter_context(open_warehouse(*args, **kwargs))
            try:
                yield con
            finally:
                started = time.perf_counter()
                _STAGE.append("close")
                stack.close()
                _STAGE.pop()
                TIMES["close"] += time.perf_counter() - started

    return opened


def instrument() -> None:
    steps.open_warehouse = _timed_close(steps.open_warehouse)  # type: ignore[assignment]
    for name in ("land", "build", "publish", "resolve_regions", "_totals"):
        setattr(steps, name, _timed(name, getattr(steps, name)))
    # a night's arrived answers land together (loader.land_many), unchanged ones by their hash
    for name in ("land_many", "land_unchanged"):
        setattr(steps, name, _timed("land", getattr(steps, name)))
    other = getattr(steps, "inspectorate_steps", None)  # issue 6's steps, when present
    for name in ("inspectorate_step", "alert_rules_step", "delivery_step"):
        if other is not None and hasattr(other, name):
            setattr(other, name, _timed("other", getattr(other, name)))
    # build() runs the files its plan chose, reading each as it runs it: the first read of a
    # stage's file after the plan starts that stage (which splits core from the rest).
    listing, planning = transform.sql_files, transform.plan_build

    def sql_files(stage: str, *args: object, **kwargs: object) -> list[Path]:
        return [_Tracked(p) for p in listing(stage, *args, **kwargs)]  # type: ignore[arg-type]

    def plan_build(*args: object, **kwargs: object) -> object:
        build_plan = planning(*args, **kwargs)  # type: ignore[arg-type]
        _EXECUTING[0] = True
        STAGE_STARTS["plan"] = time.perf_counter()
        return build_plan

    transform.sql_files = sql_files  # type: ignore[assignment]
    transform.plan_build = plan_build  # type: ignore[assignment]
    timed_build = steps.build

    def build(*args: object, **kwargs: object) -> object:
        try:
            return timed_build(*args, **kwargs)
        finally:
            _file_switch("")

    steps.build = build  # type: ignore[assignment]


def run(config: Path, mode: str, run_date: date | None = None) -> dict[str, Any]:
    from pantau.flows.config import load_config  # noqa: PLC0415 - after PANTAU_SECRETS is set

    cfg = load_config(config)
    instrument()
    stop = threading.Event()
    sampler = threading.Thread(target=_sample_rss, args=(stop,), daemon=True)
    sampler.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    io_stalled = io_stall_seconds()
    if mode == "prefect":
        from pantau.flows.nightly import nightly, task_runner  # noqa: PLC0415 - Prefect only when asked

        summary = nightly.with_options(task_runner=task_runner(cfg))(str(config),
                                                                     run_date=run_date)
    else:
        workers = cfg.run.max_workers
        # BENCH_EXECUTOR=processes: parse in worker processes, as task_runner = "dask" does
        # across machines (threads share one core's worth of Python under the GIL).
        pool_class = (ProcessPoolExecutor if os.environ.get("BENCH_EXECUTOR") == "processes"
                      else ThreadPoolExecutor)
        with pool_class(max_workers=workers) as pool:
            summary = steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),
                                      run_date=run_date)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    stop.set()
    accounted = sum(TIMES.values())
    if "plan" in STAGE_STARTS:
        # Core: from the plan (its fingerprints) to the first file of a later stage.
        after_core = min((STAGE_STARTS[s] for s in ("indicators", "views") if s in STAGE_STARTS),
                         default=STAGE_STARTS["plan"])
        TIMES["build_core"] = max(0.0, after_core - STAGE_STARTS.get("core", after_core))
        TIMES["build_rest"] = TIMES["build"] - TIMES["build_core"]
        TIMES["build_files"] = len(summary.built)
    return {
        "mode": mode,
        "total": total,
        # CPU seconds of all the night's threads: what a shared machine's load does not inflate.
        "cpu": round(cpu, 3),
        **{k: round(v, 3) for k, v in TIMES.items()},
        "fetch_wait": round(total - accounted, 3),
        "records": sum(r.n_records for r in summary.landed),
        "answers_unchanged": sum(r.unchanged for r in summary.landed),
        "answers": len(summary.landed),
        "new": sum(r.n_new for r in summary.landed),
        "changed": sum(r.n_changed for r in summary.landed),
        "failed": len(summary.failed),
        "totals": summary.totals,
        "loadavg": round(os.getloadavg()[0], 1),  # the machine is shared: how busy it was
        # Share of the night some task waited on the disk (Linux PSI): a shared VM's disk
        # throttles, and then every stage slows alike.
        "io_stall": round((io_stall_seconds() - io_stalled) / total, 2),
        # Sampled, not ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a night run
        # after the harness has read a big warehouse would report the harness's peak.
        "peak_rss_mb": max(PEAKS.values(), default=0.0),
        "peak_rss_by_stage": {k: round(v) for k, v in PEAKS.items()},
        "peak_rss_by_sql_file": dict(sorted(((k, round(v)) for k, v in FILE_PEAKS.items()),
                                            key=lambda kv: -kv[1])[:8]),
        "seconds_by_sql_file": dict(sorted(((k, round(v, 2)) for k, v in FILE_SECONDS.items()),
                                           key=lambda kv: -kv[1])[:8]),
    }


def io_stall_seconds() -> float:
    """Seconds some task has waited on I/O since boot (/proc/pressure/io; 0 without PSI)."""
    try:
        line = Path("/proc/pressure/io").read_text().splitlines()[0]
    except (OSError, IndexError):
        return 0.0
    return int(line.rsplit("total=", 1)[1]) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--secrets", type=Path, required=True)
    parser.add_argument("--mode", choices=("plain", "prefect"), default="plain")
    parser.add_argument("--run-date", type=date.fromisoformat, help="the night (default today)")
    args = parser.parse_args()
    os.environ["PANTAU_SECRETS"] = str(args.secrets)
    result = run(args.config, args.mode, args.run_date)
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
