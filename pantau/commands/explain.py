"""`pantau explain FLAG|METRIC`: the definition, legal basis and rows behind one flag or metric.

The text comes from the headers of the SQL files that compute them (``sql/indicators/``), so the
explanation cannot drift from the code: a block starts with ``-- flag CODE: title`` or
``-- metric NAME: title`` and continues with ``-- key: text`` lines (definition, parameters,
basis, value, numerator, denominator), indented ``--   text`` lines continuing the previous key.
The rows are read from the published analyst copy, opened read-only.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pantau.errors import UserError
from pantau.flows.config import Config, load_config
from pantau.models.transform import SQL_DIR

_START = re.compile(r"^--\s*(flag|metric)\s+([\w-]+):\s*(.*)$")
_KEY = re.compile(r"^--\s(\w+):\s*(.*)$")
_MORE = re.compile(r"^--\s{2,}(\S.*)$")
_ORDER = ("definition", "numerator", "denominator", "value", "parameters", "basis")


@dataclass
class Doc:
    kind: str  # flag or metric
    name: str
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def parameters(self) -> list[str]:
        text = self.fields.get("parameters", "")
        return re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text)


def load_docs(sql_dir: Path = SQL_DIR) -> dict[str, Doc]:
    """Every documented flag and metric, by upper-case code / lower-case metric name."""
    docs: dict[str, Doc] = {}
    folder = sql_dir / "indicators"
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        for doc in _parse(path):
            docs[_key(doc.name)] = doc
    return docs


def _key(name: str) -> str:
    return name.upper() if re.match(r"^(ID-|PFA|R\d)", name, re.IGNORECASE) else name.lower()


def _parse(path: Path) -> list[Doc]:
    docs: list[Doc] = []
    current: Doc | None = None
    last: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            if line.strip():
                break
            continue
        if m := _START.match(line):
            current = Doc(m.group(1), m.group(2), m.group(3).strip(), path=path)
            docs.append(current)
            last = "title"
        elif current is None:
            continue
        elif (m := _MORE.match(line)) and last:
            if last == "title":
                current.title += " " + m.group(1).strip()
            else:
                current.fields[last] += " " + m.group(1).strip()
        elif m := _KEY.match(line):
            last = m.group(1).lower()
            current.fields[last] = (current.fields.get(last, "") + " " + m.group(2)).strip()
            # "numerator: ...; denominator: ..." on one line
            if last == "numerator" and "; denominator:" in current.fields[last]:
                num, den = current.fields[last].split("; denominator:", 1)
                current.fields["numerator"], current.fields["denominator"] = num, den.strip()
        else:
            last = None
    return docs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explain", help="definition, legal basis and rows behind a flag or metric",
        description="Print how a flag (ID-C01 ... ID-C10, PFA-1 ... PFA) or a metric "
        "(single_bid_rate, ...) is defined, its legal basis and settings, and the rows behind "
        "its value for one K/L/PD and year. Without a name, list them all.",
    )
    p.add_argument("name", nargs="?", help="flag code or metric name")
    p.add_argument("--region", help="K/L/PD code (e.g. D107) or a configured region's name")
    p.add_argument("--year", type=int, help="budget year")
    p.add_argument("--satker", help="only this satuan kerja (dotted kd_satker)")
    p.add_argument("--limit", type=int, default=30, help="rows to print (default 30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    docs = load_docs()
    if not args.name:
        print(listing(docs))
        return 0
    doc, code = lookup(docs, args.name)
    if not cfg.analyst_path.is_file():
        raise UserError(f"no analyst copy at {cfg.analyst_path}: run `pantau run` first")
    region = resolve_region(cfg, args.region)
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        print(explain(con, doc, code=code, region=region, year=args.year,
                      satker=args.satker, limit=args.limit))
    return 0


def lookup(docs: dict[str, Doc], name: str) -> tuple[Doc, str]:
    """The documentation block and the flag code or metric name; PFA-1 ... use PFA's block."""
    key = _key(name)
    doc = docs.get(key) or (docs.get("PFA") if re.fullmatch(r"PFA-\d", key) else None)
    if doc is None:
        raise UserError(f"unknown flag or metric {name!r}: `pantau explain` lists them")
    return doc, key if doc.kind == "flag" else doc.name


def resolve_region(cfg: Config, region: str | None) -> str | None:
    if region is None:
        return None
    for r in cfg.regions:
        if region.lower() == r.name.lower() and r.kd_klpd:
            return r.kd_klpd
    return region


def listing(docs: dict[str, Doc]) -> str:
    lines = []
    for kind, heading in (("flag", "Flags"), ("metric", "Metrics (agency_metrics)")):
        lines.append(f"{heading}:")
        lines += [f"  {d.name:<28} {d.title}" for d in docs.values() if d.kind == kind]
    return "\n".join(lines)


def describe(doc: Doc) -> str:
    lines = [f"{doc.name}: {doc.title}"]
    keys = [k for k in _ORDER if k in doc.fields]
    keys += [k for k in doc.fields if k not in keys]
    lines += [f"  {k}: {doc.fields[k]}" for k in keys]
    if doc.path is not None:
        lines.append(f"  defined in: sql/indicators/{doc.path.name}")
    return "\n".join(lines)


def explain(con: duckdb.DuckDBPyConnection, doc: Doc, *, code: str | None = None,
            region: str | None = None, year: int | None = None, satker: str | None = None,
            limit: int = 30) -> str:
    out = [describe(doc), "", _settings(con, doc.parameters)]
    where, params = _filters(region, year, satker)
    if doc.kind == "metric":
        out += ["", _metric_values(con, doc.name, where, params),
                "", _metric_rows(con, doc.name, where, params, limit)]
    else:
        out += ["", _flag_rows(con, code or doc.name, where, params, limit)]
    return "\n".join(part for part in out if part is not None).rstrip() + "\n"


def _filters(region: str | None, year: int | None,
             satker: str | None) -> tuple[list[str], dict[str, object]]:
    where, params = [], {}
    for col, value in (("kd_klpd", region), ("year", year), ("kd_satker", satker)):
        if value is not None:
            where.append(f"{col} = ${col}")
            params[col] = value
    return where, params


def _table(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> str:
    frame = con.execute(sql, params).df()
    if frame.empty:
        return "  (no rows)"
    return frame.to_string(index=False, max_colwidth=140, float_format=_number)


def _number(v: float) -> str:
    """Rupiah with thousands separators, rates and scores with four significant digits."""
    return f"{v:,.0f}".replace(",", ".") if abs(v) >= 1000 else f"{v:.4g}"


def _settings(con: duckdb.DuckDBPyConnection, names: list[str]) -> str:
    if not names:
        return "Settings: none"
    rows = con.execute(
        "SELECT name, value, status FROM core.settings WHERE list_contains($n, name) ORDER BY name",
        {"n": names},
    ).fetchall()
    lines = ["Settings in use (pantau.toml [indicators]; see the indicator_settings view):"]
    lines += [f"  {name} = {json.dumps(json.loads(value))}  [{status}]"
              for name, value, status in rows]
    return "\n".join(lines)


def _metric_values(con: duckdb.DuckDBPyConnection, metric: str, where: list[str],
                   params: dict[str, object]) -> str:
    cond = " AND ".join(["metric = $metric", *where])
    if "kd_satker" not in params:
        cond += " AND kd_satker IS NULL"
    sql = f"""SELECT kd_klpd, kd_satker, year, value, numerator, denominator
              FROM core.agency_metrics WHERE {cond} ORDER BY kd_klpd, year"""
    return "Value (agency_metrics):\n" + _table(con, sql, {**params, "metric": metric})


def _metric_rows(con: duckdb.DuckDBPyConnection, metric: str, where: list[str],
                 params: dict[str, object], limit: int) -> str:
    cond = " AND ".join(["r.metric = $metric", *(f"r.{w}" for w in where)])
    total = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE r.numerator <> 0) FROM core.metric_rows r "
        f"WHERE {cond}", {**params, "metric": metric},
    ).fetchone() or (0, 0)
    sql = f"""
        SELECT r.kind, r.source_id, r.kd_satker, p.title, p.method, p.status,
            CAST(r.numerator AS DOUBLE) AS numerator, CAST(r.denominator AS DOUBLE) AS denominator
        FROM core.metric_rows r
        LEFT JOIN core.processes p USING (kind, source, source_id)
        WHERE {cond}
        ORDER BY r.numerator DESC, r.denominator DESC NULLS LAST, r.source_id
        LIMIT {int(limit)}"""
    head = (f"Rows behind the value (core.metric_rows): {total[0]} processes, "
            f"{total[1]} with a non-zero numerator; largest first:")
    return head + "\n" + _table(con, sql, {**params, "metric": metric})


def _flag_rows(con: duckdb.DuckDBPyConnection, code: str, where: list[str],
               params: dict[str, object], limit: int) -> str:
    cond = " AND ".join(["f.code = $code", *(f"p.{w}" for w in where)])
    # pantau's own checks keep the process kind (source_id alone is not unique across kinds);
    # other flags (Cardinal) are joined on source and source_id.
    sql = f"""
        WITH f AS (
            SELECT kind, source, source_id, code, value, description FROM core.compliance_results
            UNION ALL
            SELECT p.kind, f.source, f.source_id, f.code, f.value, f.description
            FROM core.flags f JOIN core.processes p USING (source, kind, source_id)
            WHERE f.grp = 'OCID' AND f.code NOT LIKE 'ID-C%' AND f.code NOT LIKE 'PFA%'
        )
        SELECT f.kind, f.source_id, p.kd_klpd, p.kd_satker, p.year, p.title, f.value,
            f.description
        FROM f JOIN core.processes p USING (kind, source, source_id)
        WHERE {cond}"""
    n = (con.execute(f"SELECT count(*) FROM ({sql})", {**params, "code": code}).fetchone()
         or (0,))[0]
    head = f"Rows of {code} ({n} processes{_scope(params)}; largest value first):"
    rows = _table(con, f"{sql} ORDER BY f.value DESC, f.source_id LIMIT {int(limit)}",
                  {**params, "code": code})
    return head + "\n" + rows


def _scope(params: dict[str, object]) -> str:
    if not params:
        return ""
    return " in " + ", ".join(f"{k} {v}" for k, v in params.items())
