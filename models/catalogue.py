"""The catalogue of what ``sql/`` documents: analyst views and their columns, flags, metrics and
saved questions, all read from the SQL headers by ``models.sqlheader.read_header``.

- a view: ``-- view NAME: what it is`` in ``sql/views/NAME.sql``, one ``-- column NAME: meaning``
  per column, and its ``Why:`` / ``Source:`` lines and notes;
- a flag: ``-- flag CODE: title`` in ``sql/indicators/`` (Cardinal's R003 ... R058, pantau's
  ID-C01 ..., ICW's PFA and PFA-1 ...), a metric: ``-- metric NAME: title``; each followed by
  ``definition``, ``numerator``, ``denominator``, ``value``, ``parameters`` and ``basis`` keys;
- a saved question: ``sql/queries/NAME.sql`` with ``title[id]``, ``title[en]``,
  ``description[id]``, ``description[en]`` and optionally ``requires: view, view``.

The build stores the view texts as DuckDB comments; ``pantau explain``, ``pantau report``,
``pantau sql --list`` and the generated docs (data dictionary, indicators) read this catalogue,
so none of them can drift from the SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pantau.models.sqlheader import Entry, Header, is_file_key, read_header
from pantau.sql import SQL_DIR

QUERIES_DIR = SQL_DIR / "queries"
# The keys of a flag or metric, in the order they are explained; any other key follows.
DEFINITION_KEYS = ("definition", "numerator", "denominator", "value", "parameters", "basis")
# A setting of core.settings is a snake_case name; a dotted ``R003.threshold`` is a Cardinal
# option ([indicators.cardinal] in pantau.toml), which core.settings does not hold.
_SETTING = re.compile(r"(?<![.\w])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.)")
_CARDINAL_OPTION = re.compile(r"\bR\d{3}(?:\.[a-z_]+)+")
_FLAG_CODE = re.compile(r"^(ID-C\d+|PFA(-\d+)?|R\d{3})$", re.IGNORECASE)


def _meaningful(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An entry's own keys, not the file's (``depends``, ``test unique``, ...) after it."""
    return [(k, v) for k, v in fields if not is_file_key(k)]


# ------------------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ViewDoc:
    """An analyst view as its header documents it."""

    name: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # its Why: / Source: lines and the header's other prose
    path: Path | None = None


def view_doc(path: Path) -> ViewDoc | None:
    """The view a ``sql/views`` file documents, or None when its header names none."""
    header = read_header(path)
    view = next(iter(header.of("view")), None)
    if view is None:
        return None
    notes = [f"{k[:1].upper()}{k[1:]}: {v}" for k, v in _meaningful(view.fields)]
    return ViewDoc(view.name, view.text, {c.name: c.text for c in header.of("column")},
                   (*notes, *header.notes), path)


def view_docs(sql_dir: Path = SQL_DIR) -> list[ViewDoc]:
    """Every documented analyst view, in file order (the build's order)."""
    folder = sql_dir / "views"
    paths = sorted(folder.glob("*.sql")) if folder.is_dir() else []
    return [doc for doc in map(view_doc, paths) if doc is not None]


# ---------------------------------------------------------------------------- flags, metrics


@dataclass(frozen=True)
class Definition:
    """A flag (``kind`` "flag", ``name`` its code) or a metric (``kind`` "metric")."""

    kind: str
    name: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def definition(self) -> str:
        return self.fields.get("definition", "")

    @property
    def basis(self) -> str:
        return self.fields.get("basis", "")

    @property
    def parameters(self) -> list[str]:
        """The core.settings names the entry's ``parameters`` line mentions."""
        return list(dict.fromkeys(_SETTING.findall(self.fields.get("parameters", ""))))

    @property
    def cardinal_options(self) -> list[str]:
        """The Cardinal options (``R003.threshold``) the ``parameters`` line mentions."""
        return list(dict.fromkeys(_CARDINAL_OPTION.findall(self.fields.get("parameters", ""))))

    def ordered_fields(self) -> list[tuple[str, str]]:
        keys = [k for k in DEFINITION_KEYS if k in self.fields]
        keys += [k for k in self.fields if k not in keys]
        return [(k, self.fields[k]) for k in keys]


def _definition(entry: Entry, header: Header) -> Definition:
    return Definition(entry.kind, entry.name, entry.text.rstrip("."),
                      dict(_meaningful(entry.fields)), header.path)


def key(name: str) -> str:
    """How a flag or metric is looked up: codes upper case (``id-c01`` is ID-C01), metrics lower."""
    return name.upper() if _FLAG_CODE.match(name) else name.lower()


# ---------------------------------------------------------------------------- saved questions


@dataclass(frozen=True)
class SavedQuestion:
    name: str
    path: Path
    title: dict[str, str]
    description: dict[str, str]
    requires: list[str]
    sql: str

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.title.get("id") or ""

    def description_in(self, lang: str) -> str:
        return (self.description.get(lang) or self.description.get("en")
                or self.description.get("id") or "")


def _by_language(header: Header, name: str) -> dict[str, str]:
    found = {}
    for k, v in header.fields:
        if m := re.fullmatch(rf"{name}\[(\w+)\]", k):
            found[m.group(1)] = v
    return found


def saved_question(path: Path) -> SavedQuestion:
    header = read_header(path)
    requires = [r.strip() for line in header.all("requires") for r in line.split(",")
                if r.strip()]
    return SavedQuestion(path.stem, path, _by_language(header, "title"),
                         _by_language(header, "description"), requires,
                         path.read_text(encoding="utf-8"))


def saved_questions(queries_dir: Path = QUERIES_DIR) -> list[SavedQuestion]:
    return [saved_question(p) for p in sorted(queries_dir.glob("*.sql"))]


def find_question(name: str, queries_dir: Path = QUERIES_DIR) -> SavedQuestion | None:
    path = queries_dir / f"{name}.sql"
    return saved_question(path) if re.fullmatch(r"[\w-]+", name) and path.is_file() else None


# ------------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Catalogue:
    views: list[ViewDoc]
    flags: list[Definition]  # in file order: Cardinal's, then ID-C*, then PFA*
    metrics: list[Definition]
    questions: list[SavedQuestion]

    def get(self, name: str) -> Definition | None:
        """A flag by its code (any case) or a metric by its name."""
        wanted = key(name)
        return next((d for d in (*self.flags, *self.metrics) if key(d.name) == wanted), None)

    def flag_codes(self) -> list[str]:
        return [d.name for d in self.flags]


@cache
def load(sql_dir: Path = SQL_DIR) -> Catalogue:
    flags: list[Definition] = []
    metrics: list[Definition] = []
    folder = sql_dir / "indicators"
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        header = read_header(path)
        flags += [_definition(e, header) for e in header.of("flag")]
        metrics += [_definition(e, header) for e in header.of("metric")]
    return Catalogue(view_docs(sql_dir), flags, metrics, saved_questions(sql_dir / "queries"))


# ------------------------------------------------------------------------ docs/indicators.md


def indicators_markdown(catalogue: Catalogue) -> str:
    """``docs/indicators.md``: every flag and metric with its definition, parameters and basis."""
    lines = [
        "# Indicators: pantau's flags and metrics",
        "",
        ("<!-- Generated from the headers of sql/indicators/*.sql by `pantau explain --format "
         "markdown` (`make docs`). Do not edit by hand: tests/test_catalogue.py fails when this "
         "file and the SQL disagree. -->"),
        "",
        ("A flag marks one process (or organisation) in the `flags` view; a metric is a number "
         "per K/L/PD, satuan kerja and budget year in `agency_metrics`. `pantau explain NAME` "
         "prints the same text with the settings in use and the rows behind a value."),
    ]
    for heading, entries in (("Flags", catalogue.flags), ("Metrics", catalogue.metrics)):
        lines += ["", f"## {heading}", ""]
        lines += [f"- [`{d.name}`](#{d.name.lower()}): {_md(d.title)}" for d in entries]
        for d in entries:
            lines += ["", f"### {d.name}", "", _md(d.title) + ".", ""]
            lines += [f"- **{k}**: {_md(v)}" for k, v in d.ordered_fields()]
            if d.path is not None:
                lines.append(f"- **defined in**: `sql/indicators/{d.path.name}`")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")
