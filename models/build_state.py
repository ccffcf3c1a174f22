"""Which SQL files a build must run: those whose inputs changed since they last ran (issue 18).

Like dbt's ``state:modified+``, read from the files' own headers. A file's fingerprint is the
hash of its text, of the DuckDB variables it can read (``run_date`` only where its text reads
it, ``run_id`` never), and of the fingerprints of what it reads (``-- depends:``) and appends
to (``-- fills:``): an object made by an earlier file has that file's fingerprint, any other
(a raw table, ``ops.runs``, the setting overrides that Python writes into a table the file
creates if missing) the hash of its rows. A file runs when its
fingerprint differs from the one stored when it last ran, or an object it creates is missing;
then so does everything downstream, whose fingerprints change with it. Two closures keep a
partial build whole:

- a file that reads a build-time TEMP object runs that object's creator too (TEMP objects last
  only for the build's connection);
- the files that create and fill one table run together (a filler alone would append twice).

The views stage always runs: views cost nothing to replace. ``full`` runs everything. The stored
fingerprints (``ops.build_state``) are written in the transaction of the files they describe.

A file that runs need not recompute every row. One whose header says ``-- incremental: TABLE``
keeps TABLE row by row by process code (a raw key's first part, before ``|``): it reads its
inputs through ``in_scope(key)`` and replaces only the rows ``in_scope`` of its process column.
It runs so, recomputing the processes of the raw.version_events since it last ran, when nothing
but raw records changed upstream: its second fingerprint (``ops.build_increments``), which is
the first with every raw table left out, is the one stored, and the raw tables it reads whole
(``-- reads whole:``, e.g. a satker list every process is joined to) are part of it. Otherwise
(and with ``full``) its tables are dropped and ``in_scope`` is true: it builds them whole. A 1%
night changes every (region, year) but only 1% of processes (bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

# run_date changes every night: it counts only where a file reads it. run_id labels what a file
# writes, and is left out: a file that is not run keeps the label of the run that last ran it.
_RUN_DATE, _RUN_ID = "run_date", "run_id"
_BUILD_WHOLE = "build_whole"  # set by enter_scope for the file it runs, not an input


@dataclass(frozen=True)
class SqlFile:
    path: Path
    stage: str
    creates: tuple[str, ...]
    depends: tuple[str, ...]
    fills: tuple[str, ...]
    text: str
    incremental: tuple[str, ...] = ()  # the tables it keeps by process code
    reads_whole: tuple[str, ...] = ()  # raw tables it reads unscoped (an incremental file)


@dataclass(frozen=True)
class Increment:
    """How an incremental file runs: ``since`` the last event it has seen, or whole (None)."""

    tables: tuple[str, ...]
    since: int | None


@dataclass(frozen=True)
class BuildPlan:
    run: tuple[Path, ...]  # in build order
    fingerprints: dict[str, str]  # file name -> fingerprint, of every file of the build
    stored: dict[str, str]  # file name -> fingerprint when it last ran
    increments: dict[str, Increment] = field(default_factory=dict)  # incremental files that run
    # file name -> fingerprint without the raw records, of every incremental file
    raw_free: dict[str, str] = field(default_factory=dict)
    events_seq: int = 0  # the last raw.version_events row when the plan was made


def plan(con: duckdb.DuckDBPyConnection, files: list[SqlFile], *, full: bool) -> BuildPlan:
    """The files to run; a database without ``ops.build_state`` (a scratch database, not a
    warehouse) is built whole, and nothing is recorded there."""
    if not _tracked(con):
        return BuildPlan(tuple(f.path for f in files), {}, {},
                         {f.path.name: Increment(f.incremental, None) for f in files
                          if f.incremental})
    stored = dict(con.execute("SELECT file, fingerprint FROM ops.build_state").fetchall())
    existing = _existing(con)
    fingerprinter = _Fingerprinter(con)
    fingerprints: dict[str, str] = {}
    raw_free: dict[str, str] = {}
    changed: set[str] = set()
    for f in files:
        if f.stage == "views":  # always replaced, so no fingerprint to keep
            changed.add(f.path.name)
            continue
        fingerprints[f.path.name], fingerprint_raw_free = fingerprinter.file(f)
        if f.incremental:
            raw_free[f.path.name] = fingerprint_raw_free
        missing = any(obj not in existing for obj in f.creates if not obj.startswith("temp."))
        if full or missing or stored.get(f.path.name) != fingerprints[f.path.name]:
            changed.add(f.path.name)
    run = _closure(files, changed)
    last = {file: (fingerprint, seq) for file, fingerprint, seq in con.execute(
        "SELECT file, fingerprint, events_seq FROM ops.build_increments").fetchall()}
    increments = {}
    for f in files:
        if f.path.name in run and f.incremental:
            fingerprint, since = last.get(f.path.name, (None, None))
            if (full or fingerprint != raw_free[f.path.name]
                    or any(obj not in existing for obj in f.incremental)):
                since = None  # built whole
            increments[f.path.name] = Increment(f.incremental, since)
    return BuildPlan(tuple(f.path for f in files if f.path.name in run), fingerprints, stored,
                     increments, raw_free, _events_seq(con))


class _Fingerprinter:
    """Each file's fingerprint, in build order: its text, the variables it reads and what made
    each of its inputs; and the same without the raw records, which an incremental file keeps:
    a raw table by its name and the warehouse's schema version (a migration may rewrite raw
    records without an event), but the ones it reads whole."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._variables = _variables(con)
        row = con.execute("SELECT max(version) FROM ops.schema_version").fetchone()
        self._schema_version = row[0] if row else None
        # object -> fingerprint of what made and filled it so far, with and without raw records
        self._made_by: dict[str, str] = {}
        self._made_raw_free: dict[str, str] = {}
        self._external: dict[str, str] = {}

    def file(self, f: SqlFile) -> tuple[str, str]:
        digest, digest_raw_free = hashlib.sha256(f.text.encode()), hashlib.sha256(f.text.encode())
        for name in sorted(set(self._variables) - {_RUN_ID, _BUILD_WHOLE}):
            if name != _RUN_DATE or f"getvariable('{_RUN_DATE}')" in f.text:
                for d in (digest, digest_raw_free):
                    d.update(f"\0{name}={self._variables[name]}".encode())
        for obj in (*f.depends, *f.fills, *_written_elsewhere(f)):
            digest.update(f"\0{obj}={self._made(obj)}".encode())
            raw_free = (f"{obj}@{self._schema_version}" if obj.startswith("raw.")
                        else f"{obj}={self._made(obj, raw_free=True)}")
            digest_raw_free.update(f"\0{raw_free}".encode())
        for obj in f.reads_whole:
            digest_raw_free.update(f"\0whole {obj}={self._made(obj)}".encode())
        fingerprint, fingerprint_raw_free = digest.hexdigest(), digest_raw_free.hexdigest()
        for obj in (*f.creates, *f.fills):
            self._made_by[obj] = hashlib.sha256(
                f"{self._made_by.get(obj, '')}{fingerprint}".encode()).hexdigest()
            self._made_raw_free[obj] = hashlib.sha256(
                f"{self._made_raw_free.get(obj, '')}{fingerprint_raw_free}".encode()).hexdigest()
        return fingerprint, fingerprint_raw_free

    def _made(self, obj: str, *, raw_free: bool = False) -> str:
        made = self._made_raw_free if raw_free else self._made_by
        if obj in made:
            return made[obj]
        if obj not in self._external:
            self._external[obj] = _object_fingerprint(self._con, obj)
        return self._external[obj]


def enter_scope(con: duckdb.DuckDBPyConnection, increment: Increment) -> None:
    """Define ``in_scope(key)`` for an incremental file about to run: the processes of the
    events since it last ran, or, building whole, every key (and its tables dropped first, so
    that they take the columns the file's SQL gives them); ``getvariable('build_whole')`` says
    which."""
    con.execute(f"SET VARIABLE {_BUILD_WHOLE} = $whole", {"whole": increment.since is None})
    if increment.since is None:
        for table in increment.tables:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("CREATE OR REPLACE TEMP MACRO in_scope(key) AS true")
        return
    con.execute("CREATE OR REPLACE TEMP TABLE build_scope AS SELECT DISTINCT "
                "split_part(key, '|', 1) AS code FROM raw.version_events WHERE seq > $since",
                {"since": increment.since})
    con.execute("CREATE OR REPLACE TEMP MACRO in_scope(key) AS "
                "split_part(key, '|', 1) IN (SELECT code FROM build_scope)")


def record(con: duckdb.DuckDBPyConnection, build_plan: BuildPlan, run_id: str,
           files: set[str]) -> None:
    """The fingerprints of the build's ``files`` (by name), in the transaction they ran in; a
    file's row keeps the run that last built it with other inputs."""
    if not build_plan.fingerprints:  # not a warehouse: nothing to keep
        return
    gone = set(build_plan.stored) - set(build_plan.fingerprints)
    if gone:
        con.executemany("DELETE FROM ops.build_state WHERE file = ?", [(n,) for n in gone])
    new = [(name, fp, run_id) for name, fp in build_plan.fingerprints.items()
           if name in files and build_plan.stored.get(name) != fp]
    if new:
        con.executemany("INSERT OR REPLACE INTO ops.build_state VALUES (?, ?, ?, now())", new)
    # An incremental file that did not run had the same inputs: it has seen the events too.
    con.execute("DELETE FROM ops.build_increments WHERE NOT list_contains($files, file)",
                {"files": sorted(build_plan.raw_free)})
    increments = [(name, fp, build_plan.events_seq) for name, fp in build_plan.raw_free.items()
                  if name in files]
    if increments:
        con.executemany("INSERT OR REPLACE INTO ops.build_increments VALUES (?, ?, ?)",
                        increments)


def _closure(files: list[SqlFile], changed: set[str]) -> set[str]:
    """``changed`` with the creators of the TEMP objects its files read, and every file of a
    table's create-and-fill group any of its files is in."""
    creator = {obj: f.path.name for f in files for obj in f.creates}
    group: dict[str, set[str]] = {}
    for f in files:
        for obj in (*f.creates, *f.fills):
            group.setdefault(obj, set()).add(f.path.name)
    by_name = {f.path.name: f for f in files}
    run, todo = set(), list(changed)
    while todo:
        name = todo.pop()
        if name in run:
            continue
        run.add(name)
        f = by_name[name]
        todo += [creator[obj] for obj in f.depends if obj.startswith("temp.") and obj in creator]
        for obj in (*f.creates, *f.fills):
            todo += group[obj]
    return run


def _written_elsewhere(f: SqlFile) -> list[str]:
    """The tables ``f`` creates only where missing and never writes: Python writes their rows
    before the build (the setting overrides), so those rows are an input of ``f``."""
    out = []
    for obj in f.creates:
        name = re.escape(obj)
        created = rf"CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+{name}\b"
        written = rf"\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+{name}\b"
        if re.search(created, f.text, re.IGNORECASE) and not re.search(written, f.text,
                                                                       re.IGNORECASE):
            out.append(obj)
    return out


def _tracked(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                      "current_database() AND schema_name = 'ops' AND table_name = 'build_state'"
                      ).fetchone()
    return bool(row and row[0])


def _events_seq(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT max(seq) FROM raw.version_events").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _variables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {name: str(value) for name, value in con.execute(
        "SELECT name, value FROM duckdb_variables()").fetchall()}


def _existing(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        """
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE database_name = current_database()
        UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views()
        WHERE database_name = current_database() AND NOT internal
        UNION ALL SELECT schema_name || '.' || function_name FROM duckdb_functions()
        WHERE database_name = current_database() AND function_type LIKE '%macro%'
        """
    ).fetchall()
    return {name.lower() for (name,) in rows}


# Columns that say when, where from and by which run a row came, not what it holds: two
# warehouses that landed the same records in other runs hold the same inputs. A raw payload is
# summed up by its content hash; a vanished mark counts, not the run that made it.
_NOT_CONTENT = frozenset({"payload", "fetched_at", "source_url", "run_id", "first_seen_run",
                          "first_seen_at", "last_seen_run", "seen_at", "set_at"})


def _object_fingerprint(con: duckdb.DuckDBPyConnection, obj: str) -> str:
    """The hash of an input no build file makes: the count and the content of its rows, or
    "absent"."""
    schema, _, table = obj.partition(".")
    columns = [name for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ?",
        [schema, table]).fetchall()]
    if not columns:
        return "absent"
    listed = ", ".join(f'"{c}" IS NULL' if c == "vanished_run" else f'"{c}"'
                       for c in columns if c not in _NOT_CONTENT)
    row = con.execute(f'SELECT count(*), bit_xor(hash({listed or "0"})) FROM "{schema}"."{table}"'
                      ).fetchone()
    return f"{row[0]}:{row[1]}" if row else "absent"
