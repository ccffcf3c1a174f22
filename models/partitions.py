"""Raw landing as Parquet partitions: ``<root>/<source>/<dataset>/<year>/<region>.parquet``.

With ``[run] landing = "parquet"`` each fetch task writes its batch to its own partition file
(in the worker, on local disk or a shared volume), so any number of workers land in parallel
and never share the warehouse's one writer; the batch that travels back to the flow carries
only its keys and the file's path. The flow then merges each partition into its raw table with
one ``INSERT ... SELECT FROM read_parquet(...)`` (the same upsert and run records as
``models.loader.land``), and the core SQL builds from raw as before, so both landings give the
same tables (tests/test_scale_out.py). The partitions stay as the latest answer of every
(source, dataset, year, region): DuckDB reads them in place (``read_parquet`` with
``hive_partitioning`` off; the path is the partition).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pantau.connectors.base import Batch, change_hashes

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class PartitionBatch(Batch):
    """A batch whose records are in a Parquet partition (``path``), not in ``payloads``."""

    path: str = ""


def partition_path(base: Path, batch: Batch) -> Path:
    def part(value: object) -> str:
        return _UNSAFE.sub("_", str(value if value is not None else "all")) or "_"

    return (base / part(batch.source) / part(batch.dataset) / part(batch.year)
            / f"{part(batch.region)}.parquet")


def write(batch: Batch, base: Path) -> PartitionBatch:
    """Write the batch's records to its partition (atomically); return the light batch."""
    path = partition_path(base, batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    prov = batch.provenance
    n = len(batch.keys)
    table = pa.table({
        "key": pa.array(batch.keys, pa.string()),
        "payload": pa.array(batch.payloads, pa.string()),
        "hash": pa.array(change_hashes(batch), pa.string()),  # null: the loader's md5(payload)
        "source_url": pa.array([prov.url] * n, pa.string()),
        "fetched_at": pa.array([prov.fetched_at] * n, pa.timestamp("us", tz="UTC")),
    })
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)
    return PartitionBatch(batch.source, batch.dataset, batch.region, batch.year, prov,
                          table=batch.table, keys=list(batch.keys), payloads=[],
                          rejected=list(batch.rejected), complete=batch.complete,
                          requests=batch.requests, deferred=batch.deferred, path=str(path))
