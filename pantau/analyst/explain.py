"""How a flag or metric is defined (from the catalogue of SQL headers) and the rows behind it
(from the analyst copy): what ``pantau explain`` prints and the report's definitions cite."""

from __future__ import annotations

import json

import duckdb

from pantau.models.catalogue import Catalogue, Definition


def listing(catalogue: Catalogue) -> str:
    lines = []
    for heading, entries in (("Flags (the flags view)", catalogue.flags),
                             ("Metrics (agency_metrics)", catalogue.metrics)):
        lines.append(f"{heading}:")
        lines += [f"  {d.name:<28} {d.title}" for d in entries]
    return "\n".join(lines)


def describe(d: Definition) -> str:
    lines = [f"{d.name}: {d.title}"]
    lines += [f"  {k}: {v}" for k, v in d.ordered_fields()]
    if d.path is not None:
        lines.append(f"  defined in: sql/indicators/{d.path.name}")
    return "\n".join(lines)


def explain(con: duckdb.DuckDBPyConnection, d: Definition, *, kd_klpd: str | None = None,
            year: int | None = None, satker: str | None = None, limit: int = 30) -> str:
    """The definition, the settings in use and the rows behind the flag or metric, for one
    K/L/PD, budget year and satker when given."""
    out = [describe(d), "", _settings(con, d)]
    where, params = _filters(kd_klpd, year, satker)
    if d.kind == "metric":
        out += ["", _metric_values(con, d.name, where, params),
                "", _metric_rows(con, d.name, where, params, limit)]
    else:
        out += ["", _flag_rows(con, d.name, where, params, limit)]
        if not params:
            out += [_organisation_rows(con, d.name, limit)]
    return "\n".join(part for part in out if part).rstrip() + "\n"


def _filters(kd_klpd: str | None, year: int | None,
             satker: str | None) -> tuple[list[str], dict[str, object]]:
    where, params = [], {}
    for col, value in (("kd_klpd", kd_klpd), ("year", year), ("kd_satker", satker)):
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


def _settings(con: duckdb.DuckDBPyConnection, d: Definition) -> str:
    lines = []
    if d.parameters:
        rows = con.execute(
            "SELECT name, value, status FROM core.settings WHERE list_contains($n, name) "
            "ORDER BY name", {"n": d.parameters},
        ).fetchall()
        lines = ["Settings in use (pantau.toml [indicators]; see the indicator_settings view):"]
        lines += [f"  {name} = {json.dumps(json.loads(value))}  [{status}]"
                  for name, value, status in rows]
    if d.cardinal_options:
        lines.append("Cardinal's options (pantau.toml [indicators.cardinal]; unset = Cardinal's "
                     "default): " + ", ".join(d.cardinal_options))
    return "\n".join(lines) or "Settings: none"


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


def _organisation_rows(con: duckdb.DuckDBPyConnection, code: str, limit: int) -> str | None:
    """Cardinal also flags buyers, procuring entities and tenderers across their processes."""
    sql = ("SELECT grp, entity_id, value FROM core.flags WHERE code = $code AND grp <> 'OCID'")
    n = (con.execute(f"SELECT count(*) FROM ({sql})", {"code": code}).fetchone() or (0,))[0]
    if not n:
        return None
    rows = _table(con, f"{sql} ORDER BY grp, value DESC, entity_id LIMIT {int(limit)}",
                  {"code": code})
    return f"\nOrganisations flagged {code} ({n}):\n{rows}"


def process_history(con: duckdb.DuckDBPyConnection, process: str) -> str:
    """``KIND:SOURCE_ID`` (or a bare source_id): the process as the tenders view has it now, and
    every change pantau saw (the changes view, oldest first)."""
    kind, _, source_id = process.rpartition(":")
    where = "source_id = $source_id" + (" AND kind = $kind" if kind else "")
    params: dict[str, object] = {"source_id": source_id, **({"kind": kind} if kind else {})}
    found = con.execute(
        f"SELECT source, kind, source_id, title, klpd_name, satker_name, status, pagu, hps, "
        f"contract_value, supplier_name, vanished_on, n_versions FROM main.tenders "
        f"WHERE {where} ORDER BY kind, source", params).fetchall()
    if not found:
        return f"no process {process} in tenders\n"
    out = []
    for (source, kind_, sid, title, klpd, satker, status, pagu, hps, contract, supplier,
         vanished_on, n_versions) in found:
        gone = f"vanished from {source} on {vanished_on}" if vanished_on else "still published"
        out += [f"{kind_} {sid} ({source}): {title}",
                (f"  {klpd or '-'}, {satker or '-'}; status {status or '-'}; {gone}; "
                 f"{n_versions or 1} version(s) seen"),
                (f"  pagu {_money(pagu)}, HPS {_money(hps)}, contract {_money(contract)}, "
                 f"winner {supplier or '-'}")]
    out += ["", "History (changes view, oldest first):", _table(
        con, f"SELECT seen_on, change, field, old_value, new_value FROM main.changes "
        f"WHERE {where}", params)]
    return "\n".join(out) + "\n"


def _money(value: object) -> str:
    return "-" if value is None else _number(float(value))  # type: ignore[arg-type]


def _scope(params: dict[str, object]) -> str:
    if not params:
        return ""
    return " in " + ", ".join(f"{k} {v}" for k, v in params.items())
