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
fingerprints (``ops.build_state``) are written in the build's transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

# run_date changes every night: it counts only where a file reads it. run_id labels what a file
# writes, and is left out: a file that is not run keeps the label of the run that last ran it.
_RUN_DATE, _RUN_ID = "run_date", "run_id"


@dataclass(frozen=True)
class SqlFile:
    path: Path
    stage: str
    creates: tuple[str, ...]
    depends: tuple[str, ...]
    fills: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class BuildPlan:
    run: tuple[Path, ...]  # in build order
    fingerprints: dict[str, str]  # file name -> fingerprint, of every file of the build
    stored: dict[str, str]  # file name -> fingerprint when it last ran


def plan(con: duckdb.DuckDBPyConnection, files: list[SqlFile], *, full: bool) -> BuildPlan:
    """The files to run; a database without ``ops.build_state`` (a scratch database, not a
    warehouse) is built whole, and nothing is recorded there."""
    if not _tracked(con):
        return BuildPlan(tuple(f.path for f in files), {}, {})
    stored = dict(con.execute("SELECT file, fingerprint FROM ops.build_state").fetchall())
    variables = _variables(con)
    existing = _existing(con)
    made_by: dict[str, str] = {}  # object -> fingerprint of what made and filled it so far
    external: dict[str, str] = {}
    fingerprints: dict[str, str] = {}
    changed: set[str] = set()
    for f in files:
        if f.stage == "views":  # always replaced, so no fingerprint to keep
            changed.add(f.path.name)
            continue
        digest = hashlib.sha256(f.text.encode())
        for name in sorted(set(variables) - {_RUN_ID}):
            if name != _RUN_DATE or f"getvariable('{_RUN_DATE}')" in f.text:
                digest.update(f"\0{name}={variables[name]}".encode())
        for obj in (*f.depends, *f.fills, *_written_elsewhere(f)):
            if obj not in made_by and obj not in external:
                external[obj] = _object_fingerprint(con, obj)
            digest.update(f"\0{obj}={made_by.get(obj) or external[obj]}".encode())
        fingerprint = digest.hexdigest()
        fingerprints[f.path.name] = fingerprint
        for obj in (*f.creates, *f.fills):
            made_by[obj] = hashlib.sha256(f"{made_by.get(obj, '')}{fingerprint}".encode()
                                          ).hexdigest()
        missing = any(obj not in existing for obj in f.creates if not obj.startswith("temp."))
        if full or missing or stored.get(f.path.name) != fingerprint:
            changed.add(f.path.name)
    return BuildPlan(tuple(f.path for f in files if f.path.name in _closure(files, changed)),
                     fingerprints, stored)


def record(con: duckdb.DuckDBPyConnection, build_plan: BuildPlan, run_id: str) -> None:
    """The fingerprints of the build that just ran (in its transaction); a file's row keeps the
    run that last built it with other inputs."""
    if not build_plan.fingerprints:  # not a warehouse: nothing to keep
        return
    gone = set(build_plan.stored) - set(build_plan.fingerprints)
    if gone:
        con.executemany("DELETE FROM ops.build_state WHERE file = ?", [(n,) for n in gone])
    new = [(name, fp, run_id) for name, fp in build_plan.fingerprints.items()
           if build_plan.stored.get(name) != fp]
    if new:
        con.executemany("INSERT OR REPLACE INTO ops.build_state VALUES (?, ?, ?, now())", new)


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
