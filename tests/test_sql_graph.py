"""The SQL files say what they need, and the build order gives it to them.

Every file of the build declares what it creates (``-- creates:``; a view file's ``-- view
NAME:`` entry), what it reads (``-- depends:``) and the tables of earlier files it appends to
(``-- fills:``). Checked here: against the build order (each dependency made by an earlier file,
or by Python before the build), against the SQL text (a simple scan of the schema-qualified
names it uses and the objects it creates, inserts into or drops), and for cycles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import pytest
from pantau.models import cardinal, catalogue
from pantau.models.datatests import declared_tests
from pantau.models.db import RAW_TABLES
from pantau.models.sqlheader import is_file_key, read_header
from pantau.models.tables import metadata
from pantau.models.transform import build_files, declared
from pantau.sql import SQL_DIR

SCHEMAS = ("raw", "core", "ops", "temp", "main")
# Made by Python before any SQL runs: the landing tables of every source (the source registry)
# and the operations and raw history tables (models/tables.py), as models/db.py
# `open_warehouse` creates them.
BEFORE_BUILD = frozenset({f"raw.{t}" for t in RAW_TABLES} | {
    t.fullname for t in metadata.tables.values() if t.schema in ("ops", "raw")})
# `pantau indicators FILE.jsonl` loads the releases itself (models/cardinal.py) before the files.
CARDINAL_INPUT = frozenset({"temp.cardinal_releases"})

_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'(?:[^']|'')*'")
_NAME = re.compile(rf"\b({'|'.join(SCHEMAS)})\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_CREATE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW|MACRO)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)", re.IGNORECASE)
_WRITE = re.compile(r"\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+([\w.]+)", re.IGNORECASE)
_DROP = re.compile(r"\bDROP\s+(?:TABLE|VIEW|MACRO)\s+(?:IF\s+EXISTS\s+)?([\w.]+)", re.IGNORECASE)
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]\w*)\b(?!\s*\.|\s*\()", re.IGNORECASE)
_CTE = re.compile(r"\b([a-z_]\w*)\s*(?:\([\w\s,]*\))?\s+AS\s+(?:MATERIALIZED\s+)?\(", re.IGNORECASE)


def qualified(name: str, *, temp: bool = False) -> str:
    name = name.lower()
    return name if "." in name else f"{'temp' if temp else 'main'}.{name}"


@dataclass
class SqlFile:
    path: Path
    creates: list[str]
    depends: list[str]
    fills: list[str]
    body: str  # the SQL without comments and string literals

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SQL_DIR))

    def scanned_creates(self) -> set[str]:
        return {qualified(m.group(2), temp=bool(m.group(1))) for m in _CREATE.finditer(self.body)}

    def scanned_writes(self) -> set[str]:
        return {qualified(m.group(1)) for m in _WRITE.finditer(self.body)}

    def scanned_drops(self) -> set[str]:
        return {qualified(m.group(1)) for m in _DROP.finditer(self.body)}

    def scanned_names(self) -> set[str]:
        return {f"{s.lower()}.{n.lower()}" for s, n in _NAME.findall(self.body)}

    def unqualified_reads(self) -> set[str]:
        ctes = {m.group(1).lower() for m in _CTE.finditer(self.body)}
        return {m.group(1).lower() for m in _FROM.finditer(self.body)} - ctes


def read(path: Path) -> SqlFile:
    creates = declared(path, "creates")
    creates += [f"main.{e.name}" for e in read_header(path).of("view")]
    text = path.read_text(encoding="utf-8")
    body = _STRING.sub("''", _COMMENT.sub("", text))
    return SqlFile(path, creates, declared(path, "depends"), declared(path, "fills"), body)


@pytest.fixture(scope="module")
def files() -> list[SqlFile]:
    return [read(p) for p in build_files()]


def test_every_file_declares_what_it_creates_and_reads(files: list[SqlFile]) -> None:
    for f in files:
        header = read_header(f.path)
        keys = {k for k, _ in [*header.fields, *(kv for e in header.entries for kv in e.fields)]}
        assert f.creates or f.fills, f"{f.name}: no -- creates: or -- fills: line"
        assert "depends" in keys, f"{f.name}: no -- depends: line (empty when it reads nothing)"


def test_declared_creates_are_what_the_sql_creates(files: list[SqlFile]) -> None:
    for f in files:
        assert set(f.creates) == f.scanned_creates(), f.name


def test_every_write_and_drop_is_declared(files: list[SqlFile]) -> None:
    for f in files:
        own = set(f.creates)
        assert f.scanned_writes() <= own | set(f.fills), f"{f.name}: INSERT/DELETE not declared"
        assert set(f.fills) <= f.scanned_writes(), f"{f.name}: -- fills: that it does not write"
        assert f.scanned_drops() <= own | set(f.depends), f"{f.name}: DROP not declared"


def test_every_name_the_sql_uses_is_declared_and_every_declared_name_is_used(
    files: list[SqlFile],
) -> None:
    views = {c for f in files for c in f.creates if c.startswith("main.")}
    for f in files:
        declared_names = set(f.creates) | set(f.depends) | set(f.fills)
        used = f.scanned_names() | {f"main.{n}" for n in f.unqualified_reads()} & views
        assert used <= declared_names, f"{f.name} reads undeclared {sorted(used - declared_names)}"
        assert set(f.depends) <= used, f"{f.name} declares unused {sorted(set(f.depends) - used)}"


def test_the_build_order_satisfies_every_dependency(files: list[SqlFile]) -> None:
    made: dict[str, str] = {}  # object -> the file that created it, so far in build order
    filled: dict[str, list[str]] = {}  # object -> the files that appended to it, so far
    dropped: set[str] = set()
    for f in files:
        for dep in [*f.depends, *f.fills]:
            assert dep in made or dep in BEFORE_BUILD, f"{f.name} needs {dep}: no earlier file"
            assert dep not in dropped, f"{f.name} reads {dep}, dropped by an earlier file"
        for obj in f.creates:
            assert obj not in made, f"{obj} created by {made[obj]} and {f.name}"
            made[obj] = f.name
        for obj in f.fills:
            filled.setdefault(obj, []).append(f.name)
        dropped |= f.scanned_drops()
    # A table is read only when it is complete: no file appends to it after a file read it.
    position = {f.name: i for i, f in enumerate(files)}
    for obj, fillers in filled.items():
        early = [f.name for f in files
                 if obj in f.depends and position[f.name] < max(position[n] for n in fillers)]
        assert not early, f"{early} read {obj} before {fillers} finished filling it"
    assert len(made) > 100  # every file of core, indicators and views took part


def test_each_data_test_is_about_an_object_its_file_creates(files: list[SqlFile]) -> None:
    creates = {f.path: set(f.creates) for f in files}
    tests = declared_tests()
    assert tests
    for test in tests:
        assert test.table in creates[test.path], test


def test_the_dependency_graph_has_no_cycle(files: list[SqlFile]) -> None:
    maker = {obj: f.name for f in files for obj in f.creates}
    graph = {f.name: {maker[d] for d in [*f.depends, *f.fills] if d in maker} - {f.name}
             for f in files}
    order = list(TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    assert sorted(order) == sorted(f.name for f in files)


def test_pantau_indicators_runs_its_files_in_an_order_that_satisfies_them() -> None:
    """`pantau indicators` runs only the shared Cardinal files: they need nothing else of core."""
    shared = cardinal.sql_files()
    every = {p.name for p in (SQL_DIR / "indicators").glob("1[0-9][0-9]_cardinal_*.sql")}
    # the night's input from core: 100 numbers core's processes, 106 flattens them
    assert {p.name for p in shared} == every - {"100_cardinal.sql", "106_cardinal_from_core.sql"}
    made = set(CARDINAL_INPUT)
    for path in shared:
        f = read(path)
        missing = set(f.depends) - made
        assert not missing, f"{f.name} needs {sorted(missing)}"
        made |= set(f.creates)


def test_the_scan_sees_what_a_file_hides() -> None:
    """The scan finds a read in a CTE-free join, ignores comments and strings."""
    text = ("-- creates: core.x\n-- depends: core.y\nCREATE TABLE core.x AS SELECT 'core.z' "
            "FROM core.y JOIN tenders t ON true; -- core.w\nINSERT INTO core.v SELECT 1;\n")
    f = SqlFile(Path(), ["core.x"], ["core.y"], [], _STRING.sub("''", _COMMENT.sub("", text)))
    assert f.scanned_names() == {"core.x", "core.y", "core.v"}
    assert f.unqualified_reads() == {"tenders"}
    assert f.scanned_writes() == {"core.v"}


def test_the_graph_and_test_lines_stay_out_of_the_flag_and_metric_texts() -> None:
    """They close headers that end in a flag or metric entry, and are about the file."""
    everything = catalogue.load()
    fields = [f for d in (*everything.flags, *everything.metrics) for f in d.fields]
    assert fields
    assert not [f for f in fields if is_file_key(f)]
