"""Build core and the analyst views from raw by running the SQL files in ``sql/``.

``sql/core/*.sql`` run first, in file-name order, then ``sql/views/*.sql``. A view file's header
documents it (``-- view NAME: what it is`` and one ``-- column NAME: meaning`` per column, read by
``models.catalogue``); the build stores those texts as DuckDB comments, so ``pantau sql
--describe`` and the data dictionary are read from the same lines as the SQL, and cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from pantau.models import build_state
from pantau.models.catalogue import ViewDoc, view_doc, view_docs
from pantau.models.db import transaction
from pantau.models.sqlheader import read_header
from pantau.sql import SQL_DIR

JAKARTA = ZoneInfo("Asia/Jakarta")
STAGES = ("core", "indicators", "views")  # build order; a missing folder is skipped


def sql_files(stage: str, sql_dir: Path = SQL_DIR) -> list[Path]:
    folder = sql_dir / stage
    return sorted(folder.glob("*.sql")) if folder.is_dir() else []


def build_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """Every file the build runs, in the order it runs them (stage, then file name).

    Each file's header names what it creates (``-- creates:``, or the ``-- view NAME:`` entry),
    what it reads (``-- depends:``) and the tables of earlier files it appends to (``-- fills:``);
    tests/test_sql_graph.py checks that this order satisfies them."""
    return [path for stage in STAGES for path in sql_files(stage, sql_dir)]


def declared(path: Path, key: str) -> list[str]:
    """The comma-separated names a file's header gives under ``key`` (``depends``, ``creates``,
    ``fills``), lower-case, in file order; the key may repeat and may follow an entry."""
    header = read_header(path)
    values = [*header.all(key), *(v for e in header.entries for k, v in e.fields if k == key)]
    return [name.strip().lower() for value in values for name in value.split(",") if name.strip()]


def plan_build(con: duckdb.DuckDBPyConnection, *, full: bool = False,
               sql_dir: Path = SQL_DIR) -> build_state.BuildPlan:
    """The files a build would run now (the variables it reads set first), and why it would."""
    files = [_sql_file(path, sql_dir) for path in build_files(sql_dir)]
    return build_state.plan(con, files, full=full)


def _sql_file(path: Path, sql_dir: Path) -> build_state.SqlFile:
    views = [f"main.{e.name}" for e in read_header(path).of("view")]
    creates = [*declared(path, "creates"), *views]
    return build_state.SqlFile(path, path.relative_to(sql_dir).parts[0], tuple(creates),
                               tuple(declared(path, "depends")), tuple(declared(path, "fills")),
                               path.read_text(encoding="utf-8"),
                               tuple(declared(path, "incremental")),
                               tuple(declared(path, "reads whole")))


# The catalogue's view reader under the name the inspectorate flow and older callers use.
parse_header = view_doc


def build(
    con: duckdb.DuckDBPyConnection, *, run_date: date | None = None, run_id: str = "manual",
    sql_dir: Path = SQL_DIR, then: Callable[[duckdb.DuckDBPyConnection], object] | None = None,
    full: bool = False,
) -> list[str]:
    """Run the SQL files whose inputs changed since they last ran (``full``: every file);
    returns the files run. Raises on the first error. ``models/build_state.py`` says how a
    file's inputs are told apart.

    Core commits on its own, with its fingerprints: the indicators then read it committed,
    which DuckDB scans several times faster than a transaction's own new rows (ID-C03 over 1M
    processes: 0.3 s against 1.9 s, docs/operations.md). The indicators, the views and what
    ``then`` writes (the alerts the new flags and metrics raise) commit together, or not at all;
    a failure there leaves core built, and the next build runs only the rest.

    The SQL can read ``getvariable('run_date')`` (the night being built, for snapshots) and
    ``getvariable('run_id')``.
    """
    ran: list[str] = []
    con.execute("SET VARIABLE run_date = $d", {"d": run_date or datetime.now(JAKARTA).date()})
    con.execute("SET VARIABLE run_id = $r", {"r": run_id})
    with transaction(con):
        build_plan = plan_build(con, full=full, sql_dir=sql_dir)
        ran += _run(con, build_plan, run_id, sql_dir, STAGES[:1])
    with transaction(con):
        ran += _run(con, build_plan, run_id, sql_dir, STAGES[1:])
        for doc in view_docs(sql_dir):
            _comment(con, doc)
        if then is not None:
            then(con)
    return ran


def _run(con: duckdb.DuckDBPyConnection, build_plan: build_state.BuildPlan, run_id: str,
         sql_dir: Path, stages: tuple[str, ...]) -> list[str]:
    """The planned files of ``stages``, and their fingerprints, in the caller's transaction."""
    files = [path for stage in stages for path in sql_files(stage, sql_dir)]
    ran = []
    for path in (path for path in build_plan.run if path in files):
        if path.name in build_plan.increments:
            build_state.enter_scope(con, build_plan.increments[path.name])
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise RuntimeError(f"{path.relative_to(sql_dir)}: {exc}") from exc
        ran.append(str(path.relative_to(sql_dir)))
    build_state.record(con, build_plan, run_id, {path.name for path in files})
    return ran


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment(con: duckdb.DuckDBPyConnection, doc: ViewDoc) -> None:
    con.execute(f"COMMENT ON VIEW main.{doc.name} IS {_quote(doc.description)}")
    for column, text in doc.columns.items():
        con.execute(f"COMMENT ON COLUMN main.{doc.name}.{column} IS {_quote(text)}")
