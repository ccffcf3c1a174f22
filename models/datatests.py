"""Data tests declared in the headers of the SQL files, each one query that counts failing rows.

A file that creates an object states what its rows must satisfy, next to the SQL that makes them:

    -- test unique: core.processes(kind, source_id)
    -- test unique: core.bids(source, source_id, participant_id) where participant_id IS NOT NULL
    -- test not_null: core.processes(source, kind, source_id)
    -- test accepted_values: tenders(status_class) in ('finished', 'failed', 'ongoing', 'unknown')
    -- test relationship: core.bids(source_id) -> core.processes(source_id)

unique: no two rows share the columns (NULL counts as a value); not_null: no row has a NULL in
any of them; both may end in ``where CONDITION`` (the rows the rule is about). accepted_values:
every non-NULL value is in the list. relationship: every row whose columns are all set has a row
with the same values in the other object. A name without a schema is an analyst view (main).
The tests run after a build (tests/test_datatests.py, on the real Kab. Bandung data and on the
simulator's world); ``run`` returns the rules that fail, with how many rows break each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from pantau.models.sqlheader import read_header
from pantau.models.transform import build_files
from pantau.sql import SQL_DIR

KINDS = ("unique", "not_null", "accepted_values", "relationship")

_IDENT = r"[a-z_][a-z0-9_]*"
_TARGET = rf"((?:{_IDENT}\.)?{_IDENT})\s*\(\s*({_IDENT}(?:\s*,\s*{_IDENT})*)\s*\)"
_LITERAL = r"'(?:[^']|'')*'"
_FORMS = {
    "unique": re.compile(rf"^{_TARGET}(?:\s+where\s+(.+))?$", re.IGNORECASE),
    "not_null": re.compile(rf"^{_TARGET}(?:\s+where\s+(.+))?$", re.IGNORECASE),
    "accepted_values": re.compile(
        rf"^{_TARGET}\s+in\s+\(\s*({_LITERAL}(?:\s*,\s*{_LITERAL})*)\s*\)$", re.IGNORECASE),
    "relationship": re.compile(rf"^{_TARGET}\s*->\s*{_TARGET}$", re.IGNORECASE),
}


class DataTestError(ValueError):
    """A ``-- test`` line that does not read as one of the four forms."""


@dataclass(frozen=True)
class DataTest:
    kind: str
    rule: str  # the header text after "test KIND:", as written
    path: Path
    table: str  # the object whose rows the rule is about, schema-qualified
    sql: str  # one query: SELECT count(*) of the rows that break the rule

    def __str__(self) -> str:
        return f"{self.kind}: {self.rule} ({self.path.parent.name}/{self.path.name})"


@dataclass(frozen=True)
class Failure:
    test: DataTest
    rows: int


def _columns(text: str) -> list[str]:
    return [c.strip().lower() for c in text.split(",")]


def _object(name: str) -> str:
    return name.lower() if "." in name else f"main.{name.lower()}"


def compile_test(kind: str, rule: str, path: Path = Path()) -> DataTest:
    """The counting query of one declared rule."""
    form = _FORMS.get(kind)
    m = form.match(rule.strip()) if form else None
    if m is None:
        raise DataTestError(f"{path.name}: cannot read 'test {kind}: {rule}'")
    table, cols = _object(m.group(1)), _columns(m.group(2))
    if kind == "unique":
        where = f" WHERE {m.group(3)}" if m.group(3) else ""
        sql = (f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {table}{where} "
               f"GROUP BY {', '.join(cols)} HAVING count(*) > 1)")
    elif kind == "not_null":
        nulls = " OR ".join(f"{c} IS NULL" for c in cols)
        where = f" AND ({m.group(3)})" if m.group(3) else ""
        sql = f"SELECT count(*) FROM {table} WHERE ({nulls}){where}"
    elif kind == "accepted_values":
        if len(cols) != 1:
            raise DataTestError(f"{path.name}: accepted_values takes one column: {rule}")
        sql = (f"SELECT count(*) FROM {table} WHERE {cols[0]} IS NOT NULL "
               f"AND {cols[0]} NOT IN ({m.group(3)})")
    else:
        parent, keys = _object(m.group(3)), _columns(m.group(4))
        if len(keys) != len(cols):
            raise DataTestError(f"{path.name}: relationship needs equal column lists: {rule}")
        set_ = " AND ".join(f"c.{c} IS NOT NULL" for c in cols)
        same = " AND ".join(f"p.{k} = c.{c}" for c, k in zip(cols, keys, strict=True))
        sql = (f"SELECT count(*) FROM {table} c WHERE {set_} "
               f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {same})")
    return DataTest(kind, rule.strip(), path, table, sql)


def declared_tests(sql_dir: Path = SQL_DIR) -> list[DataTest]:
    """Every ``-- test KIND:`` line of every file the build runs, in build order."""
    tests = []
    for path in build_files(sql_dir):
        header = read_header(path)
        fields = [*header.fields, *(kv for e in header.entries for kv in e.fields)]
        tests += [compile_test(key.removeprefix("test "), value, path)
                  for key, value in fields if key.startswith("test ")]
    return tests


def run(con: duckdb.DuckDBPyConnection, tests: list[DataTest] | None = None) -> list[Failure]:
    """Run the tests (default: every declared one); the failing ones, with their row counts."""
    failures = []
    for test in declared_tests() if tests is None else tests:
        (rows,) = con.execute(test.sql).fetchone() or (0,)
        if rows:
            failures.append(Failure(test, int(rows)))
    return failures
