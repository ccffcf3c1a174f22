"""Config and secrets files for a benchmark night against the bench file server or simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pantau.connectors import isb

from pantau.simulator.world import SimRegion

KEY = "bench-subscriber-key-0c55"


def secrets_toml(base_url: str) -> str:
    lines = ["[isb.datasets]"]
    for n, d in enumerate(isb.KEYED_DATASETS):
        params = ("12:12/parameter/{kd_klpd}:{tahun}" if d.name == "RUP-MasterSatker" else
                  "4:12/parameter/{tahun}:{kd_klpd}" if d.name.startswith(("RUP", "Ecat")) else
                  "4:4/parameter/{tahun}:{kd_lpse}")
        url = f"{base_url}/isb-2/api/{KEY}/json/{5000 + n}/{d.name}/tipe/{params}"
        lines.append(f"{json.dumps(d.name)} = {json.dumps(url)}")
    return "\n".join(lines) + "\n"


def _value(v: Any) -> str:  # noqa: ANN401 - TOML scalars and lists
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return json.dumps(v)


def config_toml(db: Path, base_url: str, regions: list[SimRegion], *, year: int,
                run: dict[str, Any] | None = None, http: dict[str, Any] | None = None) -> str:
    run_settings = {"years": [year], **(run or {})}
    http_settings = {"min_interval_seconds": 0, "backoff_seconds": 0.05, "max_attempts": 3,
                     "timeout_seconds": 120, "per_host_concurrency": 4, **(http or {})}
    out = [f"[database]\npath = {json.dumps(str(db))}\n", "[run]"]
    out += [f"{k} = {_value(v)}" for k, v in run_settings.items()]
    # ISB's answers are what the floor reads; the INAPROC gateway (on by default) is not served.
    out += ["", "[sources.isb]", "enabled = true",
            f"satudata_url = {json.dumps(base_url + '/isb-2/api/satudata')}", "",
            "[sources.inaproc]", "enabled = false", "", "[http]"]
    out += [f"{k} = {_value(v)}" for k, v in http_settings.items()]
    for r in regions:
        out += ["", "[[regions]]", f"name = {json.dumps(r.nama_klpd)}",
                f"kd_klpd = {json.dumps(r.kd_klpd)}", f"kd_lpse = {r.kd_lpse}"]
    return "\n".join(out) + "\n"


def write_config(folder: Path, base_url: str, regions: list[SimRegion], *, year: int,
                 run: dict[str, Any] | None = None,
                 http: dict[str, Any] | None = None) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    config, secrets = folder / "pantau.toml", folder / "secrets.toml"
    config.write_text(config_toml(folder / "pantau.duckdb", base_url, regions, year=year,
                                  run=run, http=http), encoding="utf-8")
    secrets.write_text(secrets_toml(base_url), encoding="utf-8")
    return config, secrets
