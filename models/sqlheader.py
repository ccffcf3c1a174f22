"""The one reader of the comment headers that open every file in ``sql/``.

A header is the block of ``--`` lines before the first statement. Three kinds of line:

- an entry, ``-- KIND NAME: text`` (KIND one of ``ENTRY_KINDS``): a view, a column of it, a flag, a
  metric, a Cardinal indicator; the key lines that follow belong to it until the next entry;
- a key, ``-- key: text`` (one or two lowercase-led words, e.g. ``why``, ``depends``,
  ``test unique``, ``title[id]``); the same key may repeat (``test not_null`` once per rule);
- a note, any other ``--`` line. A line that starts with two or more spaces after ``--``
  continues the line before it.

Everything that reads headers (the build's DuckDB comments, the data dictionary, ``explain``, the
report, saved questions, the dependency and data tests) reads them through ``read_header``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ENTRY_KINDS = ("view", "column", "flag", "metric", "indicator")
# With ``test KIND``: the keys about the whole file.
FILE_KEYS = ("creates", "depends", "fills", "incremental", "reads whole")

_ENTRY = re.compile(rf"^--\s*({'|'.join(ENTRY_KINDS)})\s+([\w-]+):\s*(.*)$")
_KEY = re.compile(r"^--\s?([A-Za-z][\w\[\]]*(?: [a-z_]+)?):\s*(.*)$")
_MORE = re.compile(r"^--\s{2,}(\S.*)$")


@dataclass
class Entry:
    kind: str
    name: str
    text: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        return _get(self.fields, key)


@dataclass
class Header:
    path: Path
    fields: list[tuple[str, str]] = field(default_factory=list)  # before the first entry
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        return _get(self.fields, key)

    def all(self, key: str) -> list[str]:
        """Every value of a key that may repeat (``test unique``), in file order."""
        return [v for k, v in self.fields if k == key]

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]


def _get(fields: list[tuple[str, str]], key: str) -> str | None:
    return next((v for k, v in fields if k == key), None)


def is_file_key(key: str) -> bool:
    """``FILE_KEYS`` and ``test KIND`` lines say how the whole file fits the
    build, also where they follow an entry (they close the header): never an entry's meaning."""
    key = key.strip().lower()
    return key in FILE_KEYS or key.startswith("test ")


def header_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        lines.append(line.rstrip())
    return lines


@cache
def read_header(path: Path) -> Header:
    return parse_header_text(path.read_text(encoding="utf-8"), path)


def parse_header_text(text: str, path: Path = Path()) -> Header:
    header = Header(path)
    # Where a continuation line goes: (list, index) of the last key or entry text written.
    last: tuple[list[tuple[str, str]] | Entry | list[str], int] | None = None
    for line in header_lines(text):
        if (more := _MORE.match(line)) and last is not None:
            target, at = last
            if isinstance(target, Entry):
                target.text = f"{target.text} {more.group(1)}".strip()
            elif target is header.notes:
                header.notes[at] = f"{header.notes[at]} {more.group(1)}"
            else:
                key, value = target[at]  # type: ignore[misc]
                target[at] = (key, f"{value} {more.group(1)}".strip())  # type: ignore[index]
            continue
        if entry := _ENTRY.match(line):
            kind, name, text_ = entry.groups()
            header.entries.append(Entry(kind, name, text_.strip()))
            last = (header.entries[-1], 0)
        elif key := _KEY.match(line):
            fields = header.entries[-1].fields if header.entries else header.fields
            fields.append((key.group(1).lower(), key.group(2).strip()))
            last = (fields, len(fields) - 1)
        else:
            note = line.removeprefix("--").strip()
            if note:
                header.notes.append(note)
                last = (header.notes, len(header.notes) - 1)
    return header
