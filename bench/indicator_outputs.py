"""Time the indicator stage per file and fingerprint everything it writes, on a built warehouse.

    python -m bench.indicator_outputs WAREHOUSE --save before.json      # fingerprint, timings
    python -m bench.indicator_outputs WAREHOUSE --compare before.json   # same outputs as then?
    python -m bench.indicator_outputs WAREHOUSE --before OLD/sql --runs 5   # old, new by turns

Runs every ``sql/indicators`` file in order in one transaction (as ``bench.measures.indicators``
does), fingerprints each table and view the files declare under ``-- creates:`` (row count and an
order-independent content hash, column types), then rolls back: the warehouse is left as it
was. A rewrite of an indicator file must leave every fingerprint unchanged; ``--runs`` repeats
the stage to give a median time per file; ``--before`` runs an older ``sql/`` by turns with this
one (the same load on both) and compares their outputs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
from pantau.models import transform
from pantau.sql import SQL_DIR

# Written by the build, not derived from its input: left out of the fingerprint.
VOLATILE = {"taken_at"}
RUN_DATE = date(2025, 12, 31)  # fixed, so the snapshot tables fingerprint the same every run


def _relations(con: duckdb.DuckDBPyConnection, sql_dir: Path) -> list[str]:
    """The tables and views the indicator files declare that exist after the stage."""
    declared = {name for path in transform.sql_files("indicators", sql_dir)
                for name in transform.declared(path, "creates")}
    present = {f"{s}.{n}".lower() for s, n in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return sorted(declared & present)


def _fingerprint(con: duckdb.DuckDBPyConnection, name: str) -> list[object]:
    """Row count, content hash, and the columns with their types, in order."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name || '.' || table_name = ? ORDER BY column_index", [name]).fetchall()
    kept = ", ".join(f'"{c}"' for c, _ in columns if c not in VOLATILE)
    row = con.execute(
        f"SELECT count(*), CAST(coalesce(sum(hash(t)), 0) AS VARCHAR) "
        f"FROM (SELECT {kept} FROM {name}) AS t").fetchone()
    shape = ", ".join(f"{c} {t}" for c, t in columns)
    return [row[0], row[1], shape] if row else [0, "0", shape]


def run_stage(db: Path, sql_dir: Path, *, snapshot: bool
              ) -> tuple[dict[str, float], dict[str, list[object]]]:
    """One run of the stage: seconds per file, and (if asked) every output's fingerprint."""
    con = duckdb.connect(str(db))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET VARIABLE run_date = $d", {"d": RUN_DATE})
    con.execute("SET VARIABLE run_id = 'bench'")
    con.execute("BEGIN TRANSACTION")
    seconds = {}
    for path in transform.sql_files("indicators", sql_dir):
        started = time.perf_counter()
        con.execute(path.read_text(encoding="utf-8"))
        seconds[path.name] = time.perf_counter() - started
    prints = ({name: _fingerprint(con, name) for name in _relations(con, sql_dir)}
              if snapshot else {})
    con.execute("ROLLBACK")
    con.close()
    return seconds, prints


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    names = {name for r in runs for name in r}
    return {name: statistics.median(r.get(name, 0.0) for r in runs) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="runs to take the median of")
    parser.add_argument("--save", type=Path, help="write fingerprints and timings here")
    parser.add_argument("--compare", type=Path, help="fingerprints to compare with")
    parser.add_argument("--before", type=Path, metavar="SQL_DIR",
                        help="an older sql/ (git archive): run it by turns with this one; compare")
    args = parser.parse_args()
    dirs = [SQL_DIR] if args.before is None else [args.before, SQL_DIR]
    runs: dict[Path, list[tuple[dict[str, float], dict[str, list[object]]]]] = {d: [] for d in dirs}
    if args.runs > 1:  # the first run reads the file from disk: warm the cache for all alike
        run_stage(args.warehouse, SQL_DIR, snapshot=False)
    for i in range(args.runs):  # by turns: a busy machine slows both alike
        for d in dirs:
            runs[d].append(run_stage(args.warehouse, d, snapshot=i == 0))
    now = _medians([r[0] for r in runs[SQL_DIR]])
    old = _medians([r[0] for r in runs[args.before]]) if args.before else {}
    for name in sorted(now.keys() | old.keys(), key=lambda n: -max(now.get(n, 0), old.get(n, 0))):
        before = f"{old[name]:8.3f} -> " if name in old else ""
        print(f"{before}{now.get(name, 0):8.3f}  {name}")
    total = statistics.median(sum(r[0].values()) for r in runs[SQL_DIR])
    if args.before:
        was = statistics.median(sum(r[0].values()) for r in runs[args.before])
        print(f"{was:8.3f} -> {total:8.3f}  total (median of {args.runs})")
    else:
        print(f"{total:8.3f}  total (median of {args.runs})")
    prints = runs[SQL_DIR][0][1]
    if args.save:
        args.save.write_text(json.dumps({"outputs": prints, "per_file": now,
                                         "seconds": round(total, 3)}, indent=1))
    reference = (json.loads(args.compare.read_text())["outputs"] if args.compare
                 else runs[args.before][0][1] if args.before else None)
    if reference is not None:
        differ = sorted(n for n in reference.keys() | prints.keys()
                        if reference.get(n) != prints.get(n))
        for name in differ:
            print(f"DIFFERS {name}: {reference.get(name)} -> {prints.get(name)}")
        print(f"{len(prints)} outputs, {len(differ)} differ")
        if differ:
            sys.exit(1)


if __name__ == "__main__":
    main()
