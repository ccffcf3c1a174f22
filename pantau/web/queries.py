"""What the pages read from the analyst copy: plain parameterised SQL on its views.

User text only ever reaches DuckDB as a bound parameter; column names in ORDER BY come from
``SORTABLE``. Every function takes a cursor of the hardened read-only connection."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from pantau.web.library import METRICS, catalogue, klpd_codes

PER_PAGE = 50
SORTABLE = ("announced_at", "title", "satker_name", "supplier_name", "pagu", "hps",
            "contract_value", "n_bids", "year")
SEARCH_COLUMNS = ("source", "kind", "source_id", "kd_klpd", "year", "title", "satker_name",
                  "method", "status", "pagu", "hps", "contract_value", "supplier_name",
                  "supplier_npwp", "n_bids", "announced_at")


def rows(con: duckdb.DuckDBPyConnection, sql: str,
         params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rel = con.execute(sql, params or {})
    names = [d[0] for d in rel.description or []]
    return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]


def value(con: duckdb.DuckDBPyConnection, sql: str,
          params: dict[str, Any] | None = None) -> Any:  # noqa: ANN401 - one cell
    """The first cell (every row fetched: DuckDB wants a result finished before the next)."""
    found = con.execute(sql, params or {}).fetchall()
    return found[0][0] if found else None


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()}


# ------------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class Search:
    q: str = ""
    region: str = ""
    year: int | None = None
    kind: str = ""
    flag: str = ""
    sort: str = "announced_at"
    desc: bool = True
    page: int = 1

    @classmethod
    def of(cls, params: Any) -> Search:  # noqa: ANN401 - a request's query parameters
        year = params.get("year", "")
        page = params.get("page", "1")
        sort = params.get("sort", "announced_at")
        return cls(
            q=params.get("q", "").strip()[:200], region=params.get("region", "").strip(),
            year=int(year) if year.isdigit() else None, kind=params.get("kind", "").strip(),
            flag=params.get("flag", "").strip(),
            sort=sort if sort in SORTABLE else "announced_at",
            desc=params.get("dir", "desc") != "asc",
            page=max(1, int(page)) if page.isdigit() else 1,
        )

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses, params = ["TRUE"], {}
        if self.q:
            params["q"] = self.q
            text = ("contains(lower(t.title), lower($q)) OR contains(lower(t.satker_name), "
                    "lower($q)) OR contains(lower(t.supplier_name), lower($q)) "
                    "OR t.source_id = $q OR contains(t.kd_rup, $q)")
            digits = re.sub(r"\D", "", self.q)
            if len(digits) >= 15:
                params["npwp"] = digits[:15]
                text += " OR t.supplier_npwp = $npwp"
            clauses.append(f"({text})")
        for column, value in (("kd_klpd", self.region), ("year", self.year), ("kind", self.kind)):
            if value:
                clauses.append(f"t.{column} = ${column}")
                params[column] = value
        if self.flag:
            clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.code = $flag "
                           "AND f.source = t.source AND f.kind = t.kind "
                           "AND f.source_id = t.source_id)")
            params["flag"] = self.flag
        return " AND ".join(clauses), params


def search(con: duckdb.DuckDBPyConnection, s: Search) -> tuple[pa.Table, int]:
    """One page of processes (the rows shown, and what the download gives) and the total."""
    where, params = s.where()
    total = value(con, f"SELECT count(*) FROM tenders t WHERE {where}", params)
    order = f"t.{s.sort} {'DESC' if s.desc else 'ASC'} NULLS LAST, t.source_id"
    page = con.sql(
        f"SELECT {', '.join('t.' + c for c in SEARCH_COLUMNS)} FROM tenders t WHERE {where} "
        f"ORDER BY {order} LIMIT {PER_PAGE} OFFSET {(s.page - 1) * PER_PAGE}", params=params,
    ).to_arrow_table()
    return page, int(total or 0)


def choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[Any]]:
    return {
        "regions": rows(con, "SELECT DISTINCT t.kd_klpd AS code, any_value(t.klpd_name) AS name "
                        "FROM tenders t WHERE t.kd_klpd IS NOT NULL GROUP BY ALL ORDER BY 1"),
        "years": [r[0] for r in con.execute(
            "SELECT DISTINCT year FROM tenders WHERE year IS NOT NULL ORDER BY 1 DESC").fetchall()],
        "kinds": [r[0] for r in con.execute(
            "SELECT DISTINCT kind FROM tenders WHERE kind IS NOT NULL ORDER BY 1").fetchall()],
        "flags": [r[0] for r in con.execute(
            "SELECT DISTINCT code FROM flags WHERE source_id IS NOT NULL ORDER BY 1").fetchall()],
    }


# ----------------------------------------------------------------------------- process page


def process(con: duckdb.DuckDBPyConnection, source: str, kind: str,
            source_id: str) -> dict[str, Any] | None:
    key = {"source": source, "kind": kind, "source_id": source_id}
    found = rows(con, "SELECT * FROM tenders WHERE source = $source AND kind = $kind "
                 "AND source_id = $source_id", key)
    if not found:
        return None
    bids = rows(con, "SELECT * FROM bids WHERE source = $source AND source_id = $source_id "
                "ORDER BY is_winner DESC NULLS LAST, is_bid DESC NULLS LAST, "
                "offer_value NULLS LAST", {"source": source, "source_id": source_id}
                ) if kind == "tender" else []
    flags = rows(con, "SELECT code, value, description FROM flags WHERE source = $source "
                 "AND kind = $kind AND source_id = $source_id ORDER BY code", key)
    return {"row": found[0], "bids": bids, "flags": [explained(f) for f in flags]}


def explained(flag: dict[str, Any]) -> dict[str, Any]:
    """A flag with its title, definition and legal basis from the catalogue `pantau explain`
    reads (every flag: pantau's, Cardinal's and PFA-n); a code the catalogue does not know has
    only its one-line description from the flags view."""
    doc = catalogue.load().get(flag["code"])
    if doc is None:
        return {**flag, "title": "", "definition": flag.get("description") or "", "basis": ""}
    return {**flag, "title": doc.title,
            "definition": doc.definition or flag.get("description") or "", "basis": doc.basis}


# -------------------------------------------------------------------------- supplier, agency


def supplier(con: duckdb.DuckDBPyConnection, npwp: str) -> dict[str, Any] | None:
    found = rows(con, "SELECT * FROM suppliers WHERE npwp = $n", {"n": npwp})
    if not found:
        return None
    won = rows(con, """
        SELECT t.source, t.kind, t.source_id, t.title, t.kd_klpd, t.klpd_name, t.satker_name,
            t.year, t.contract_value, t.hps,
            list(DISTINCT f.code ORDER BY f.code) FILTER (WHERE f.code IS NOT NULL) AS codes
        FROM tenders t LEFT JOIN flags f ON f.source = t.source AND f.kind = t.kind
            AND f.source_id = t.source_id
        WHERE t.supplier_npwp = $n GROUP BY ALL
        ORDER BY t.year DESC, t.contract_value DESC NULLS LAST LIMIT 500""", {"n": npwp})
    bids = rows(con, """
        SELECT b.source, b.source_id, t.title, t.satker_name, b.offer_value, b.is_winner
        FROM bids b JOIN tenders t ON t.source = b.source AND t.source_id = b.source_id
            AND t.kind = 'tender'
        WHERE b.supplier_npwp = $n AND b.is_bid
        ORDER BY t.announced_at DESC NULLS LAST LIMIT 500""", {"n": npwp})
    return {"row": found[0], "won": won, "bids": bids}


def agency(con: duckdb.DuckDBPyConnection, kd_klpd: str, kd_satker: str | None,
           year: int | None) -> dict[str, Any] | None:
    names = rows(con, "SELECT level, name, kind FROM agencies WHERE kd_klpd = $k AND "
                 "(kd_satker = $s OR ($s IS NULL AND level = 'klpd'))",
                 {"k": kd_klpd, "s": kd_satker})
    if not names and not kd_satker:
        names = rows(con, "SELECT 'klpd' AS level, any_value(klpd_name) AS name, NULL AS kind "
                     "FROM tenders WHERE kd_klpd = $k HAVING count(*) > 0", {"k": kd_klpd})
    if not names:
        return None
    if year is None:
        year = value(con, "SELECT max(year) FROM agency_metrics WHERE kd_klpd = $k",
                     {"k": kd_klpd})
    metrics = rows(con, "SELECT metric, CAST(value AS DOUBLE) AS value, "
                   "CAST(numerator AS DOUBLE) AS numerator, "
                   "CAST(denominator AS DOUBLE) AS denominator FROM agency_metrics "
                   "WHERE kd_klpd = $k AND year = $y AND kd_satker IS NOT DISTINCT FROM $s",
                   {"k": kd_klpd, "y": year, "s": kd_satker})
    peers, peer_kind = _peers(con, kd_klpd, kd_satker, year, names[0].get("kind"))
    for m in metrics:
        values = [v for v in peers.get(m["metric"], []) if v is not None]
        m["peer_median"] = statistics.median(values) if values else None
        m["peer_n"] = len(values)
    units = rows(con, "SELECT kd_satker, any_value(satker_name) AS name, count(*) AS n "
                 "FROM tenders WHERE kd_klpd = $k AND kd_satker IS NOT NULL GROUP BY ALL "
                 "ORDER BY n DESC LIMIT 200", {"k": kd_klpd}) if not kd_satker else []
    return {"name": names[0]["name"] or kd_klpd, "kind": peer_kind, "year": year,
            "metrics": metrics, "units": units}


def _peers(con: duckdb.DuckDBPyConnection, kd_klpd: str, kd_satker: str | None,
           year: int | None, kind: str | None) -> tuple[dict[str, list[float]], str]:
    """Each metric's values at the peers: the work units of the same K/L/PD for a satker, the
    K/L/PDs of the same kind (KABUPATEN, KOTA, ...) for a K/L/PD."""
    if kd_satker:
        sql = ("SELECT metric, CAST(value AS DOUBLE) FROM agency_metrics WHERE kd_klpd = $k "
               "AND year = $y AND kd_satker IS NOT NULL")
        params: dict[str, Any] = {"k": kd_klpd, "y": year}
        label = kd_klpd
    else:
        sql = ("SELECT m.metric, CAST(m.value AS DOUBLE) FROM agency_metrics m "
               "WHERE m.year = $y AND m.kd_satker IS NULL AND m.kd_klpd IN (SELECT kd_klpd "
               "FROM agencies WHERE level = 'klpd' AND kind IS NOT DISTINCT FROM $kind)")
        params = {"y": year, "kind": kind}
        label = kind or "?"
    out: dict[str, list[float]] = {}
    for metric, value in con.execute(sql, params).fetchall():
        out.setdefault(metric, []).append(value)
    return out, label


# ------------------------------------------------------------------------------------- home


def scorecard(con: duckdb.DuckDBPyConnection, kd_klpd: str) -> dict[str, Any]:
    year = value(con, "SELECT max(year) FROM agency_metrics WHERE kd_klpd = $k", {"k": kd_klpd})
    metrics = rows(con, """
        SELECT m.metric, CAST(m.value AS DOUBLE) AS value, CAST(p.value AS DOUBLE) AS prev
        FROM agency_metrics m LEFT JOIN agency_metrics p ON p.kd_klpd = m.kd_klpd
            AND p.kd_satker IS NULL AND p.metric = m.metric AND p.year = m.year - 1
        WHERE m.kd_klpd = $k AND m.kd_satker IS NULL AND m.year = $y""",
                   {"k": kd_klpd, "y": year})
    trend = {r["metric"]: r for r in rows(con, """
        SELECT metric, arg_max(CAST(value AS DOUBLE), snapshot_date) AS last,
            CASE WHEN count(*) > 1 THEN list(CAST(value AS DOUBLE) ORDER BY snapshot_date DESC)[2]
            END AS before
        FROM metric_history WHERE kd_klpd = $k AND kd_satker IS NULL AND year = $y
        GROUP BY metric""", {"k": kd_klpd, "y": year})}
    order = list(METRICS)  # the report's order: the scorecard reads the same on both
    metrics.sort(key=lambda m: (order.index(m["metric"]) if m["metric"] in order else len(order),
                                m["metric"]))
    for m in metrics:
        t = trend.get(m["metric"])
        m["change"] = (t["last"] - t["before"]) if t and t["before"] is not None \
            and t["last"] is not None else None
    return {"year": year, "metrics": metrics}


def home(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    have = relations(con)
    return {
        "inspectorates": rows(con, "SELECT inspectorate, kd_klpd, status, since, evidence_url, "
                              "disagreement FROM inspectorates ORDER BY inspectorate LIMIT 100")
        if "inspectorates" in have else [],
        "alerts": rows(con, "SELECT created_at, rule, title, region, evidence_url FROM alerts "
                       "ORDER BY created_at DESC LIMIT 10") if "alerts" in have else [],
        "last_run": value(con, "SELECT max(finished_at) FROM runs WHERE status = 'ok'")
        if "runs" in have else None,
        "failed": rows(con, "SELECT source, dataset, region, year, error FROM runs "
                       "WHERE status = 'failed' AND run_id = (SELECT arg_max(run_id, started_at) "
                       "FROM runs) LIMIT 20") if "runs" in have else [],
    }


def watched_codes(con: duckdb.DuckDBPyConnection, configured: list[tuple[str, str | None]],
                  ) -> list[tuple[str, str]]:
    """(kd_klpd, name) of the watched regions; the regions in the data when none is configured
    (``pantau demo``)."""
    known = klpd_codes(con)  # lower-case name -> kd_klpd, as `pantau report` resolves them
    out = []
    for name, kd in configured:
        code = kd or known.get(name.lower())
        if code:
            out.append((code, name))
    if not configured:
        out = [(r[0], r[1] or r[0]) for r in con.execute(
            "SELECT kd_klpd, any_value(klpd_name) FROM tenders WHERE kd_klpd IS NOT NULL "
            "GROUP BY ALL ORDER BY count(*) DESC LIMIT 10").fetchall()]
    return out
