"""Publish the analyst copy: the file analysts open, never the pipeline's own.

DuckDB allows one read-write process or many readers, never both (STACK-NOTES, "Concurrency").
So after each run the warehouse file is copied whole into a temporary file beside the analyst
copy and moved over it with an atomic rename: readers that have the old copy open keep it, new
readers get the new one, and the nightly writer never waits for a person.

The copy is of the file's bytes, once the run has closed the warehouse and everything is
checkpointed into it (no write-ahead log left beside it): a closed DuckDB file is a complete,
consistent database. ``COPY FROM DATABASE`` (the way STACK-NOTES describes) re-encodes every
table through a second buffer pool instead: at 1M processes it took 40 s and 8 GB of memory, where
the kernel's file copy takes seconds and no process memory (bench/RESULTS.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
from pantau.models import cases as case_store


def publish(warehouse: Path, analyst: Path, *, cases: Path | None = None) -> Path:
    """Copy the closed ``warehouse`` to ``analyst`` atomically; the caller must have closed it.
    With ``cases`` (the follow-up store, ``models.cases``) its tables go into the copy too."""
    analyst.parent.mkdir(parents=True, exist_ok=True)
    # A run killed mid-publish leaves its temporary copy behind; only one writer runs at a time
    # (it holds the warehouse), so any leftover is stale.
    for stale in analyst.parent.glob(f".{analyst.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    _checkpoint(warehouse)
    tmp = analyst.with_name(f".{analyst.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(warehouse, tmp)  # sendfile/copy_file_range: in the kernel, no buffers here
        if cases is not None:
            _write_cases(tmp, cases)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(analyst)  # atomic: readers see the old file or the new, never half
    return analyst


def _checkpoint(warehouse: Path) -> None:
    """Fold any write-ahead log into the file (a clean close already does; a killed run may not
    have), so that the file alone is the whole database."""
    duckdb.connect(str(warehouse)).close()  # opening replays the WAL; closing checkpoints it
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} is still there after a checkpoint: not publishing a part")


def _write_cases(copy: Path, store: Path) -> None:
    """The follow-up cases as tables of the copy, read from their SQLite file through Arrow
    (DuckDB's sqlite extension would have to be downloaded)."""
    with duckdb.connect(str(copy)) as con:
        for name, table in case_store.arrow_tables(store).items():
            con.register("incoming", table)
            con.execute(f"CREATE OR REPLACE TABLE main.{name} AS SELECT * FROM incoming")
            con.unregister("incoming")
            about = _literal(case_store.DESCRIPTIONS[name])
            con.execute(f"COMMENT ON TABLE main.{name} IS {about}")
            for column, (_, _, doc) in case_store.TABLES[name].items():
                con.execute(f"COMMENT ON COLUMN main.{name}.{column} IS {_literal(doc)}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # COMMENT ON takes no parameters
