"""The one header reader: entries, keys, repeated keys, continuations and notes."""

from __future__ import annotations

from pathlib import Path

from pantau.models.sqlheader import parse_header_text, read_header
from pantau.sql import SQL_DIR

TEXT = """\
-- view demo: one row per thing.
-- why: because
--   it matters.
-- column a: the first
--   column.
-- column b: the second
-- A plain note that says nothing in particular.
-- depends: core.x, core.y
-- test unique: demo(a)
-- test unique: demo(b)
SELECT 1;
-- view not_header: after the first statement
"""


def test_entries_keys_continuations_and_notes() -> None:
    h = parse_header_text(TEXT)
    assert [(e.kind, e.name) for e in h.entries] == [("view", "demo"), ("column", "a"),
                                                     ("column", "b")]
    view, col_a, col_b = h.entries
    assert view.get("why") == "because it matters."
    assert col_a.text == "the first column."
    # key lines after an entry belong to it: the last entry here is column b
    assert col_b.fields == [("depends", "core.x, core.y"), ("test unique", "demo(a)"),
                            ("test unique", "demo(b)")]
    assert h.notes == ["A plain note that says nothing in particular."]


def test_header_keys_before_any_entry_repeat() -> None:
    h = parse_header_text("-- depends: a\n-- test not_null: t(x)\n-- test not_null: t(y)\nSELECT 1")
    assert h.get("depends") == "a"
    assert h.all("test not_null") == ["t(x)", "t(y)"]
    assert h.entries == []


def test_every_sql_file_reads_and_each_view_file_names_its_view() -> None:
    files = sorted(Path(SQL_DIR).rglob("*.sql"))
    assert files
    for path in files:
        h = read_header(path)
        if path.parent.name == "views":
            assert [e.name for e in h.of("view")] == [path.stem], path
