"""What one upsert costs in DuckDB as its table grows: the measured reason landing is not
within 2x of ``read_json``, and the route to it.

``python -m bench.upsert`` builds a keyed table the shape of a raw table (``key`` primary key,
region, payload, hash) at several sizes in a file on disk, and times one answer's statements
against it (800 records, a typical ISB answer), each in a transaction rolled back, the median
of ``--runs``:

- a plain ``INSERT`` of 800 new keys (the primary-key index checks each: the floor);
- ``INSERT ... ON CONFLICT (key) DO UPDATE`` of the same 800 new keys, and of 800 keys already
  there (``models/loader.land``'s statement; ``raw.versions`` is written the same way once per
  fetch group);
- the semi-join that would tell the new keys from the others without it.

Then the whole landing of one answer (``models/loader.land`` and its versions flush) into a
warehouse whose raw table holds ``--land-rows`` records, with upserts and inside
``loader.optimistic`` (plain inserts), by turns.

It writes its section of bench/RESULTS.md (``--no-write``: print only).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pantau.models import loader
from pantau.models.db import open_warehouse, transaction

from bench.report import UPSERT_SECTION, machine, report_section

RESULTS = Path(__file__).with_name("RESULTS.md")
ANSWER = 800  # records: 3.17 M in 4,081 answers at 1M processes
PAYLOAD = "repeat('x', 200)"  # the key is what the statements differ on, not the payload


def _timed(con: duckdb.DuckDBPyConnection, sql: str, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        con.execute("BEGIN TRANSACTION")
        started = time.perf_counter()
        con.execute(sql)
        seconds.append(time.perf_counter() - started)
        con.execute("ROLLBACK")
    return statistics.median(seconds)


def measure(con: duckdb.DuckDBPyConnection, rows: int, runs: int) -> dict[str, float]:
    """Grow ``t`` to ``rows`` rows and time the statements of one answer against it."""
    have = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
    # Keys in no order, as a raw table's are: codes are national sequences, landed region by
    # region, so a table's blocks each hold keys from the whole range.
    con.execute(f"""
        INSERT INTO t SELECT md5('k' || i), 'r' || (i % 300), '{{"v": "' || {PAYLOAD} || '"}}',
            md5('h' || i) FROM range({have}, {rows}) r(i)""")
    con.execute("CHECKPOINT")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE answer_new AS SELECT md5('n' || i) AS key, 'r0' AS region,
            '{{}}' AS payload, md5('n' || i) AS content_hash FROM range({ANSWER}) r(i)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE answer_known AS SELECT key, region, '{{}}' AS payload,
            md5(key || 'x') AS content_hash FROM t USING SAMPLE {ANSWER} ROWS""")
    upsert = ("INSERT INTO t SELECT * FROM {} ON CONFLICT (key) DO UPDATE SET "
              "payload = excluded.payload, content_hash = excluded.content_hash")
    statements: dict[str, str] = {
        "plain insert, new keys": "INSERT INTO t SELECT * FROM answer_new",
        "upsert, new keys": upsert.format("answer_new"),
        "upsert, known keys": upsert.format("answer_known"),
        "semi-join on the keys": (
            "CREATE OR REPLACE TEMP TABLE found AS SELECT key FROM t "
            "WHERE key IN (SELECT key FROM answer_new)"),
    }
    return {name: _timed(con, sql, runs) for name, sql in statements.items()}


def _answer(region: str, first_key: int, night: int) -> isb.Batch:  # type: ignore[name-defined]
    """An answer of ``ANSWER`` tender announcements with keys from ``first_key``."""
    prov = Provenance("isb", "http://127.0.0.1/bench", datetime(2025, 10, 4, tzinfo=UTC)
                      + timedelta(days=night))
    records = [{"kd_tender": first_key + i, "pagu": i, "nama_paket": "x" * 300}
               for i in range(ANSWER)]
    return isb.to_batch(isb.BY_NAME["SPSE-TenderPengumuman"], json.dumps(records).encode(),
                        prov, region=region, year=2025)


def measure_land(path: Path, rows: int, runs: int) -> dict[str, float]:
    """One new answer landed and committed (records, versions, events, run row) into a
    warehouse of ``rows`` records, by turns with upserts and optimistic (plain inserts)."""
    with open_warehouse(path) as con:
        for n in range(rows // ANSWER):  # keys spread over the range, as codes are
            loader.land(con, _answer(f"R{n}", n * ANSWER * 7 + 1, 0), "r0")
        con.execute("CHECKPOINT")
        seconds: dict[str, list[float]] = {"land with upserts": [], "land optimistic": []}
        for run in range(runs * 2):
            batch = _answer(f"N{run}", 10**9 + run * ANSWER, 1)
            started = time.perf_counter()
            if run % 2:
                loader.optimistic(con, lambda b=batch, r=run: loader.land(con, b, f"r{r}"))
                seconds["land optimistic"].append(time.perf_counter() - started)
            else:
                with transaction(con):
                    loader.land(con, batch, f"r{run}")
                seconds["land with upserts"].append(time.perf_counter() - started)
    return {name: statistics.median(s) for name, s in seconds.items()}


def section(args: argparse.Namespace, figures: dict[int, dict[str, float]],
            landing: dict[str, float], seconds: float) -> str:
    names = list(next(iter(figures.values())))
    floor = names[0]
    lines = [
        UPSERT_SECTION, "",
        (f"Written by `python -m bench.upsert`: one answer's statements ({ANSWER} records) "
         "against a keyed table the shape of a raw table, in a file on disk, each in a "
         f"transaction rolled back, the median of {args.runs}; {seconds:.0f} s in all. The "
         "floor is the plain insert (its primary-key index checks every new key)."), "",
        *machine(), "",
        "| rows in the table | " + " | ".join(names) + " | upsert / plain |",
        "|---:|" + "---:|" * (len(names) + 1),
    ]
    for rows, got in figures.items():
        ratio = got["upsert, new keys"] / got[floor]
        lines.append(f"| {rows:,} | " + " | ".join(f"{got[n] * 1000:.1f} ms" for n in names)
                     + f" | {ratio:.0f}x |")
    small, big = figures[min(figures)], figures[max(figures)]
    growth = {n: big[n] / small[n] for n in names}
    lines += ["", (
        f"From {min(figures):,} to {max(figures):,} rows: "
        + ", ".join(f"{n} {growth[n]:.1f}x" for n in names) + f"; at {max(figures):,} rows "
        f"the upsert of new keys costs {big['upsert, new keys'] / big[floor]:.0f}x the plain "
        "insert. An upsert is one statement per answer into its raw table and one into "
        "`raw.versions` per fetch group: where it grows with its table, so would a night's "
        "cost per answer, which is why the night's fetch groups land with plain inserts "
        "first (`loader.optimistic`) and upsert only where one meets a key already there."),
        "",
        (f"One answer landed whole and committed into a warehouse of {args.land_rows:,} "
         "records (its raw table's rows and as many versions), median of "
         f"{args.runs} by turns: with upserts {landing['land with upserts'] * 1000:.1f} ms, "
         f"optimistic (plain inserts; `loader.optimistic`, what the night does) "
         f"{landing['land optimistic'] * 1000:.1f} ms."), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", default="30000,300000,3000000",
                        help="table sizes, ascending")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--land-rows", type=int, default=300_000,
                        help="records in the warehouse one answer is landed into")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    args = parser.parse_args()
    started = time.perf_counter()
    figures: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "upsert.duckdb"))
        con.execute("SET memory_limit = '1GB'")
        con.execute("CREATE TABLE t (key VARCHAR PRIMARY KEY, region VARCHAR, payload JSON, "
                    "content_hash VARCHAR)")
        for rows in sorted(int(n) for n in args.rows.split(",")):
            figures[rows] = measure(con, rows, args.runs)
            print(rows, {k: round(v, 4) for k, v in figures[rows].items()}, flush=True)
        con.close()
        landing = measure_land(Path(tmp) / "warehouse.duckdb", args.land_rows, args.runs)
        print(landing, flush=True)
    text = section(args, figures, landing, time.perf_counter() - started)
    report_section(UPSERT_SECTION, text, RESULTS, write=not args.no_write)


if __name__ == "__main__":
    main()
