"""`pantau sql`: ad hoc SQL on the published analyst copy, read-only for real.

    pantau sql "SELECT * FROM tenders LIMIT 5"      a query
    pantau sql -f question.sql                      a file (several statements: the last's result)
    pantau sql single_bid_by_satker --var year=2024 a saved question (sql/queries/NAME.sql)
    pantau sql --list                               the saved questions: name, then title
    pantau sql --describe [VIEW]                    the analyst views and columns, described
    pantau sql --describe --format markdown         the data dictionary (docs/data-dictionary.md)
    pantau sql                                      an interactive read-only prompt (Harlequin,
                                                    read-only, when the [analyst] extra is there)

Results print as a table, or go to ``--out FILE`` as csv, json, xlsx or parquet. The connection
is made read-only by DuckDB's own settings (see ``pantau.workbench``): statements that write,
ATTACH, COPY ... TO, INSTALL/LOAD, SET and file-reading table functions are refused by DuckDB.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from pantau.errors import UserError
from pantau.flows.config import load_config
from pantau.workbench import (
    FORMATS,
    SavedQuestion,
    connect_analyst,
    data_dictionary,
    describe_json,
    describe_text,
    find_question,
    find_view,
    run_sql,
    saved_questions,
    views_from_db,
    views_from_sql,
    write_result,
)

HARLEQUIN_INIT = "SET enable_external_access = false;\nSET lock_configuration = true;\n"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql",
        help="ad hoc read-only SQL on the analyst copy; saved questions; --describe",
        description="Run SQL on the published analyst copy (read-only). QUERY is SQL text or "
        "the name of a saved question (`pantau sql --list`). Without QUERY: an interactive "
        "prompt.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="?", help="SQL text, or a saved question's name")
    p.add_argument("-f", "--file", type=Path, help="run the SQL in this file")
    p.add_argument("--format", choices=(*FORMATS, "markdown"),
                   help="table (default on screen), csv, json, xlsx, parquet; markdown with "
                   "--describe; default with --out: from its suffix")
    p.add_argument("--out", type=Path, help="write the result to this file")
    p.add_argument("--describe", nargs="?", const="", metavar="VIEW",
                   help="list the analyst views (or one view's columns) with descriptions")
    p.add_argument("--list", action="store_true", help="list the saved questions")
    p.add_argument("--lang", choices=("id", "en"), default="id",
                   help="language of saved-question titles (default: id, Bahasa Indonesia)")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="set a variable the SQL reads with getvariable('NAME'), e.g. year=2024")
    p.add_argument("--max-rows", type=int, default=40, help="rows shown on screen (default 40)")
    p.add_argument("-i", "--interactive", action="store_true",
                   help="the built-in prompt even when input is not a terminal (no Harlequin)")
    p.set_defaults(func=sql)


def sql(args: argparse.Namespace) -> int:
    if args.list:
        return list_questions(args.lang)
    if args.describe is not None:
        return describe(args)
    text, question = _query_text(args)
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        if text is None:
            return interactive(con, cfg.analyst_path, harlequin=not args.interactive)
        if question:
            _check_requires(con, question)
        _set_vars(con, args.var)
        result = run_sql(con, text)
        return output(con, result, args)


def _query_text(args: argparse.Namespace) -> tuple[str | None, SavedQuestion | None]:
    if args.file and args.query:
        raise UserError("give either QUERY or -f FILE, not both")
    if args.file:
        if not args.file.is_file():
            raise UserError(f"no such SQL file: {args.file}")
        return args.file.read_text(encoding="utf-8"), None
    if args.query:
        word = args.query.strip()
        if word.replace("_", "").replace("-", "").isalnum():
            question = find_question(word)
            if question is None:
                raise UserError(f"no saved question named {word!r} (see `pantau sql --list`)")
            return question.sql, question
        return args.query, None
    if not sys.stdin.isatty() and not args.interactive:
        piped = sys.stdin.read()
        if piped.strip():
            return piped, None
    return None, None


def _check_requires(con: duckdb.DuckDBPyConnection, question: SavedQuestion) -> None:
    present = {v.name for v in views_from_db(con)}
    missing = [v for v in question.requires if v not in present]
    if missing:
        raise UserError(f"saved question {question.name} needs the view(s) {', '.join(missing)}, "
                        "which this analyst copy does not have yet")


def _set_vars(con: duckdb.DuckDBPyConnection, pairs: list[str]) -> None:
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UserError(f"--var wants NAME=VALUE, got {pair!r}")
        typed: object = value
        with contextlib.suppress(ValueError):
            typed = int(value)
        con.execute(f"SET VARIABLE {name.strip()} = $v", {"v": typed})


def output(con: duckdb.DuckDBPyConnection, result: pa.Table | None,
           args: argparse.Namespace) -> int:
    if result is None:
        print("ok")
        return 0
    fmt = args.format
    if args.out:
        fmt = fmt or args.out.suffix.lstrip(".").lower() or "csv"
        if fmt not in FORMATS:
            raise UserError(f"say --format {'|'.join(FORMATS)} (or give --out such a suffix)")
        write_result(result, fmt, args.out, sheet="hasil")
        print(f"{args.out}: {result.num_rows} rows")
        return 0
    fmt = fmt or "table"
    if fmt in ("xlsx", "parquet"):
        raise UserError(f"--format {fmt} needs --out FILE")
    if fmt == "table":
        width = shutil.get_terminal_size((160, 40)).columns
        con.from_arrow(result).show(max_rows=args.max_rows, max_width=width)
    elif fmt == "csv":
        sys.stdout.write(result.to_pandas().to_csv(index=False))
    elif fmt == "json":
        from pantau.workbench import to_json  # noqa: PLC0415

        print(to_json(result))
    else:
        raise UserError(f"--format {fmt} is only for --describe")
    return 0


def list_questions(lang: str) -> int:
    for q in saved_questions():
        print(f"{q.name}\t{q.title_in(lang)}")
    return 0


def describe(args: argparse.Namespace) -> int:
    """From the analyst copy (with types) when it exists; the markdown data dictionary and the
    fallback come from the SQL headers, the same lines the build stores as comments."""
    if args.format == "markdown":
        views = views_from_sql()
    else:
        cfg = load_config(args.config)
        if cfg.analyst_path.is_file():
            with connect_analyst(cfg.analyst_path) as con:
                views = views_from_db(con)
        else:
            print(f"(no analyst copy at {cfg.analyst_path} yet: described from sql/views)",
                  file=sys.stderr)
            views = views_from_sql()
    if args.describe:
        views = [find_view(views, args.describe)]
    fmt = args.format or "table"
    if fmt == "markdown":
        text = data_dictionary(views)
    elif fmt == "json":
        text = describe_json(views) + "\n"
    elif fmt == "table":
        text = describe_text(views)
    else:
        raise UserError("--describe prints as table, json or markdown")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


# ----------------------------------------------------------------------------------- interactive


def interactive(con: duckdb.DuckDBPyConnection, path: Path, *, harlequin: bool = True) -> int:
    exe = shutil.which("harlequin") if harlequin else None
    if exe and sys.stdin.isatty():
        con.close()
        return _harlequin(exe, path)
    print(f"pantau sql: read-only on {path}. End statements with ';'. "
          "\\d lists views, \\d VIEW its columns, \\q quits.")
    buffer: list[str] = []
    while True:
        try:
            line = input("pantau> " if not buffer else "   ...> ")
        except EOFError:
            print()
            return 0
        stripped = line.strip()
        if not buffer and stripped in ("\\q", "exit", "quit"):
            return 0
        if not buffer and stripped.startswith("\\d"):
            _describe_command(con, stripped[2:].strip())
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            _run_and_show(con, "\n".join(buffer))
            buffer = []
        sys.stdout.flush()


def _describe_command(con: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        views = views_from_db(con)
        print(describe_text([find_view(views, name)] if name else views))
    except UserError as exc:
        print(f"pantau: {exc}")


def _run_and_show(con: duckdb.DuckDBPyConnection, text: str) -> None:
    try:
        result = run_sql(con, text)
    except UserError as exc:
        print(f"pantau: {exc}")
        return
    if result is None:
        print("ok")
    else:
        con.from_arrow(result).show(max_rows=40, max_width=shutil.get_terminal_size().columns)


def _harlequin(exe: str, path: Path) -> int:
    """Harlequin on the analyst copy, read-only, with the same settings locked by its init
    script."""
    with tempfile.TemporaryDirectory() as tmp:
        init = Path(tmp) / "init.sql"
        init.write_text(HARLEQUIN_INIT, encoding="utf-8")
        return subprocess.call([exe, "--read-only", "--init-path", str(init), str(path)])  # noqa: S603
