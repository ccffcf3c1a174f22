"""Issue 16: raw storage grows with changes, not with nights.

One night of N tender announcements (the real Kab. Bandung records as templates, each copy its
own kd_tender) is landed, then 30 more nights in which 1% of the records change their HPS. The
warehouse's used storage (DuckDB ``pragma_database_size``: used blocks, after a checkpoint) and
its file size are measured after the first night and after the last; the growth must stay
within about 30% of one night's size. Writes its section of bench/RESULTS.md.

    PYTHONPATH=. .venv/bin/python -m bench.history [--records N] [--nights 30]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pantau.models.db import open_warehouse
from pantau.models.loader import land

from bench.report import HISTORY_SECTION, machine, write_section

BANDUNG = Path(__file__).resolve().parents[2] / "shared" / "data" / "isb-kab-bandung-2025"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = HISTORY_SECTION
ANNOUNCEMENTS = next(d for d in isb.KEYED_DATASETS if d.name == "SPSE-TenderPengumuman")
CHANGED_SHARE = 0.01
MAX_GROWTH = 0.3  # the bound, of one night's size


def announcements(n: int) -> list[dict]:
    templates = json.loads((BANDUNG / f"{ANNOUNCEMENTS.name}.json").read_bytes())
    return [{**templates[i % len(templates)], "kd_tender": 90_000_000_000 + i} for i in range(n)]


def land_night(db: Path, records: list[dict], night: int) -> None:
    prov = Provenance("isb", "bench://history",
                      datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=night))
    batch = isb.to_batch(ANNOUNCEMENTS, json.dumps(records).encode(), prov, region="D107",
                         year=2025)
    with open_warehouse(db) as con:
        land(con, batch, f"night-{night}")
        con.execute("CHECKPOINT")


def used_bytes(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        block_size, used = con.execute(
            "SELECT block_size, used_blocks FROM pragma_database_size()").fetchone()
    return int(block_size) * int(used)


def measure(n_records: int, nights: int) -> dict[str, float]:
    rng = random.Random(16)
    records = announcements(n_records)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        started = time.perf_counter()
        land_night(db, records, 0)
        first_used, first_file = used_bytes(db), db.stat().st_size
        for night in range(1, nights + 1):
            for i in rng.sample(range(n_records), int(n_records * CHANGED_SHARE)):
                records[i] = {**records[i], "hps": round(records[i]["hps"] * 1.01, 2)}
            land_night(db, records, night)
        with duckdb.connect(str(db), read_only=True) as con:
            n_versions = con.execute("SELECT count(*) FROM raw.versions").fetchone()[0]
        return {"records": n_records, "nights": nights, "versions": n_versions,
                "first_used": first_used, "last_used": used_bytes(db),
                "first_file": first_file, "last_file": db.stat().st_size,
                "seconds": time.perf_counter() - started}


def section(r: dict[str, float]) -> str:
    growth = r["last_used"] / r["first_used"] - 1
    file_growth = r["last_file"] / r["first_file"] - 1
    mb = 2**20
    verdict = "met" if growth <= MAX_GROWTH else "**not met**"
    intro = (f"Written by `python -m bench.history`: {r['records']:,} tender announcements (the "
             f"Kab. Bandung records as templates), then {r['nights']} nights with "
             f"{CHANGED_SHARE:.0%} of them changed each; {r['versions']:,} versions kept.")
    used = (f"| used storage (blocks) | {r['first_used'] / mb:.1f} MB | "
            f"{r['last_used'] / mb:.1f} MB | {growth:.0%} | ≤ ~{MAX_GROWTH:.0%} | {verdict} |")
    file = (f"| file size | {r['first_file'] / mb:.1f} MB | {r['last_file'] / mb:.1f} MB "
            f"| {file_growth:.0%} | | |")
    note = (f"{r['seconds']:.0f} s for all nights. The file also holds the blocks that the "
            "nightly upserts of changed records freed: DuckDB reuses free blocks but never "
            "shrinks the file (a copy, as `publish` makes, has only the used ones).")
    return "\n".join([
        SECTION, "", intro, "", *machine(), "",
        "| measure | after night 1 | after the last night | growth | target | |",
        "|---|---:|---:|---:|---|---|", used, file, "", note, "",
    ])


def write(text: str, target: Path = RESULTS) -> None:
    """Replace this section of RESULTS.md (bench/report.py keeps it when it rewrites the rest)."""
    write_section(SECTION, text, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--nights", type=int, default=30)
    args = parser.parse_args()
    text = section(measure(args.records, args.nights))
    write(text)
    print(text)


if __name__ == "__main__":
    main()
