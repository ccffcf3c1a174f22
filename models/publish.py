"""Publish the analyst copy: the file analysts open, never the pipeline's own.

DuckDB allows one read-write process or many readers, never both (STACK-NOTES, "Concurrency").
So after each run the warehouse is copied whole into a temporary file beside the analyst copy and
moved over it with an atomic rename: readers that have the old copy open keep it, new readers get
the new one, and the nightly writer never waits for a person.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def publish(warehouse: Path, analyst: Path) -> Path:
    analyst.parent.mkdir(parents=True, exist_ok=True)
    # A run killed mid-publish leaves its temporary copy behind; only one writer runs at a time
    # (it holds the warehouse), so any leftover is stale.
    for stale in analyst.parent.glob(f".{analyst.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    tmp = analyst.with_name(f".{analyst.name}.{os.getpid()}.tmp")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_path(warehouse)}' AS warehouse (READ_ONLY)")
        con.execute(f"ATTACH '{_path(tmp)}' AS published")
        con.execute("COPY FROM DATABASE warehouse TO published")
        con.execute("DETACH published")
        con.execute("DETACH warehouse")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    tmp.replace(analyst)  # atomic: readers see the old file or the new, never half
    return analyst


def _path(path: Path) -> str:
    return str(path).replace("'", "''")
