"""Helpers to run the nightly steps without Prefect against a local simulator."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from connectors import isb
from flows import steps
from pantau.config import Config, build_config

SECRET_KEY = "test-subscriber-key-8d1e0c55"  # noqa: S105 - a fake key; must never reach the database, logs or summary


def isb_secrets(base_url: str, datasets: tuple[isb.Dataset, ...] = isb.KEYED_DATASETS) -> dict:
    urls = {}
    for n, d in enumerate(datasets):
        params = (
            "12:12/parameter/{kd_klpd}:{tahun}"
            if d.name == "RUP-MasterSatker"
            else "4:12/parameter/{tahun}:{kd_klpd}"
            if d.name.startswith(("RUP", "Ecat"))
            else "4:4/parameter/{tahun}:{kd_lpse}"
        )
        urls[d.name] = f"{base_url}/isb-2/api/{SECRET_KEY}/json/{5000 + n}/{d.name}/tipe/{params}"
    return {"isb": {"datasets": urls}}


def make_config(
    tmp: Path,
    base_url: str,
    regions: list[dict],
    *,
    years: tuple[int, ...] = (2025,),
    secrets: dict | None = None,
    extra: dict | None = None,
) -> Config:
    raw = {
        "database": {"path": str(tmp / "pantau.duckdb")},
        "run": {"years": list(years)},
        "regions": regions,
        "sources": {"isb": {"enabled": True, "satudata_url": f"{base_url}/isb-2/api/satudata"}},
        "http": {
            "min_interval_seconds": 0,
            "backoff_seconds": 0.01,
            "max_attempts": 2,
            "timeout_seconds": 5,
        },
        **(extra or {}),
    }
    return build_config(raw, secrets=isb_secrets(base_url) if secrets is None else secrets)


def run_plain(cfg: Config, run_date: date | None = None) -> steps.RunSummary:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return steps.run_night(
            cfg, functools.partial(pool.submit, steps.extract), run_date=run_date
        )
