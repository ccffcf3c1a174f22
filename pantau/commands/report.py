"""`pantau report`: a region's scorecard as ONE self-contained HTML file, offline, printable.

    pantau report --region "Kota Semarang" --year 2025 --out report.html [--lang en]

Reads the published analyst copy (read-only, as ``pantau sql``). No CDN, no script, no web
font: CSS is inline, every chart is inline SVG (``pantau.svgchart``), so the file opens offline,
can be mailed, and prints to PDF (print CSS: A4, no broken charts or rows). Bahasa Indonesia by
default, English with ``--lang en``.

Contents: the scorecard (each ``agency_metrics`` metric with its trend from ``metric_history``),
charts (metric trends, packages per month, satker ranking on single-bid rate and on awards near
HPS, method mix by value), the flagged processes with links to their SPSE pages, the
inspectorates' status and history, and the definition and legal basis of every metric and flag,
read from the headers of ``sql/``. Views that are not in the analyst copy yet are named in the
report, and what can be computed from ``tenders`` is computed (and says so).
"""

from __future__ import annotations

import argparse
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment

from pantau import followup, svgchart
from pantau.config import load_config
from pantau.errors import UserError
from pantau.workbench import (
    RegionRef,
    connect_analyst,
    definitions,
    resolve_region,
    views_from_db,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
NA = "\u2013"  # en dash: no value
SPSE = "https://spse.inaproc.id"
# What each kind links to on the national SPSE (sources.md §1: /lelang/{id}/pengumumanlelang,
# /nontender/{id}/pengumumanpl).
SPSE_PAGES = {"tender": "lelang/{id}/pengumumanlelang", "non_tender": "nontender/{id}/pengumumanpl"}
MAX_FLAGGED = 100
TOP_SATKER = 15

# metric -> (Bahasa Indonesia, English, higher_is: "worse" | "better" | "")
METRICS: dict[str, tuple[str, str, str]] = {
    "tenders_finished": ("Tender selesai", "Finished tenders", ""),
    "single_bid_rate": ("Tender dengan satu penawar", "Single-bid tenders", "worse"),
    "avg_bids": ("Rata-rata penawaran per tender", "Bids per finished tender", "better"),
    "award_near_hps_rate": ("Kontrak ≥ 95% HPS", "Awards at ≥ 95% of HPS", "worse"),
    "failed_rate": ("Tender gagal atau batal", "Failed or cancelled tenders", "worse"),
    "non_competitive_value_share": ("Pagu paket non-kompetitif", "Non-competitive value share",
                                    "worse"),
    "pl_above_ceiling": ("Pengadaan langsung di atas batas nilai",
                         "Direct procurement above its ceiling", "worse"),
    "flagged_share": ("Paket dengan tanda bahaya", "Processes with a red flag", "worse"),
    "umk_value_share": ("Nilai kontrak untuk usaha kecil (UMK)", "Contract value to small business",
                        "better"),
    "pdn_value_share": ("Nilai kontrak produk dalam negeri (PDN)",
                        "Contract value to domestic products", "better"),
    "epurchasing_value_share": ("Nilai e-purchasing", "E-purchasing value share", ""),
}

# Used only when the analyst copy has no agency_metrics yet: the same definitions (issue 5),
# computed here from `tenders`, and the report says so.
FALLBACK_METRICS_SQL = """
WITH t AS (
    SELECT kd_klpd, kd_satker, year, kind, status_class, coalesce(n_bids, 0) AS n_bids, hps,
        contract_value, pagu
    FROM tenders WHERE kd_klpd = $kd_klpd AND year = $year
), lvl AS (
    SELECT kd_klpd, NULL::VARCHAR AS kd_satker, year, * EXCLUDE (kd_klpd, kd_satker, year) FROM t
    UNION ALL
    SELECT * FROM t WHERE kd_satker IS NOT NULL
), m AS (
    SELECT kd_klpd, kd_satker, year,
        count(*) FILTER (WHERE kind = 'tender' AND status_class = 'finished') AS fin,
        count(*) FILTER (WHERE kind = 'tender' AND status_class = 'finished' AND n_bids = 1)
            AS single,
        sum(n_bids) FILTER (WHERE kind = 'tender' AND status_class = 'finished') AS bids,
        count(*) FILTER (WHERE kind = 'tender' AND status_class = 'finished' AND hps > 0
            AND contract_value IS NOT NULL) AS with_hps,
        count(*) FILTER (WHERE kind = 'tender' AND status_class = 'finished' AND hps > 0
            AND contract_value >= 0.95 * hps) AS near,
        count(*) FILTER (WHERE kind = 'tender') AS all_tenders,
        count(*) FILTER (WHERE kind = 'tender' AND status_class = 'failed') AS failed,
        sum(pagu) FILTER (WHERE kind IN ('non_tender', 'pencatatan_non_tender', 'darurat'))
            AS nc_pagu,
        sum(pagu) AS all_pagu
    FROM lvl GROUP BY ALL
)
SELECT kd_klpd, kd_satker, year, metric, CAST(numerator AS DOUBLE) AS numerator,
    CAST(denominator AS DOUBLE) AS denominator,
    CASE WHEN denominator IS NULL THEN numerator
         ELSE CAST(numerator AS DOUBLE) / nullif(denominator, 0) END AS value
FROM (
    SELECT kd_klpd, kd_satker, year, 'tenders_finished' AS metric, fin AS numerator,
        NULL AS denominator FROM m
    UNION ALL SELECT kd_klpd, kd_satker, year, 'single_bid_rate', single, fin FROM m
    UNION ALL SELECT kd_klpd, kd_satker, year, 'avg_bids', bids, fin FROM m
    UNION ALL SELECT kd_klpd, kd_satker, year, 'award_near_hps_rate', near, with_hps FROM m
    UNION ALL SELECT kd_klpd, kd_satker, year, 'failed_rate', failed, all_tenders FROM m
    UNION ALL SELECT kd_klpd, kd_satker, year, 'non_competitive_value_share', nc_pagu, all_pagu
        FROM m
)
"""
FALLBACK_DEFINITIONS = {
    "tenders_finished": "tenders (kind tender) whose status is finished",
    "single_bid_rate": "finished tenders with exactly one bid / finished tenders",
    "avg_bids": "bids (offers submitted) per finished tender",
    "award_near_hps_rate": "finished tenders whose contract value is at least 95% of HPS / "
    "finished tenders with both values",
    "failed_rate": "tenders failed or cancelled / all tenders",
    "non_competitive_value_share": "pagu of non-tender, recorded and emergency packages / pagu "
    "of all packages",
}

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "title": "Rapor Pengadaan Barang/Jasa", "year": "Tahun anggaran",
        "generated": "Dibuat", "data_as_of": "Data per", "toc": "Isi",
        "scorecard": "Rapor kepatuhan", "metric": "Indikator", "value": "Nilai",
        "basis_n": "Pembilang / penyebut", "prev_year": "Tahun sebelumnya",
        "trend": "Tren", "change": "Perubahan sejak snapshot sebelumnya",
        "trends": "Tren indikator", "per_month": "Paket diumumkan per bulan",
        "ranking": "Peringkat satuan kerja", "rank_single": "Tender dengan satu penawar",
        "rank_near": "Kontrak ≥ 95% HPS", "method_mix": "Komposisi metode menurut nilai",
        "flagged": "Paket bertanda bahaya", "code": "Kode", "package": "Paket",
        "satker": "Satuan kerja", "amount": "Nilai", "why": "Alasan",
        "inspectorates": "Inspektorat dan e-pengaduan PBJ", "status": "Status",
        "since": "Sejak", "until": "Sampai", "evidence": "Bukti", "register": "Register",
        "history": "Riwayat status", "definitions": "Definisi dan dasar hukum",
        "definition": "Definisi", "legal": "Dasar hukum / rujukan", "missing": "Belum tersedia",
        "no_data": "Tidak ada data untuk bagian ini.",
        "fallback": "View agency_metrics belum ada dalam salinan analis; indikator di bawah "
        "dihitung langsung dari view tenders dengan definisi yang sama.",
        "no_history": "View metric_history belum ada: tren indikator belum dapat ditampilkan.",
        "one_snapshot": "Baru ada satu snapshot indikator; grafik tren muncul setelah malam "
        "kedua.",
        "no_flags_view": "View flags belum ada dalam salinan analis. Sebagai gantinya: tender "
        "selesai dengan satu penawar atau dengan nilai kontrak ≥ 99% HPS.",
        "no_insp": "View inspectorates belum ada dalam salinan analis.",
        "insp_other": "Tidak ada catatan untuk inspektorat daerah ini; yang dipantau:",
        "no_slug": "Slug SPSE daerah ini tidak dikonfigurasi: tautan ke SPSE tidak dibuat.",
        "min_tenders": "satuan kerja dengan paling sedikit {n} tender selesai",
        "showing": "{shown} dari {total} paket, yang paling banyak tandanya lebih dulu",
        "joined": "Sudah bergabung", "not_joined": "Belum bergabung", "unknown": "Tidak diketahui",
        "missing_views": "View yang belum ada dalam salinan analis ini",
        "footer": "Dibuat oleh pantau dari salinan analis (data terbuka LKPP). Angka dapat "
        "ditelusuri dengan `pantau explain` dan `pantau sql`.",
        "flag_count": "tanda", "lang": "id", "other": "lainnya", "one_bid": "1 penawar",
    },
    "en": {
        "title": "Public Procurement Scorecard", "year": "Budget year",
        "generated": "Generated", "data_as_of": "Data as of", "toc": "Contents",
        "scorecard": "Compliance scorecard", "metric": "Metric", "value": "Value",
        "basis_n": "Numerator / denominator", "prev_year": "Previous year",
        "trend": "Trend", "change": "Change since the previous snapshot",
        "trends": "Metric trends", "per_month": "Packages announced per month",
        "ranking": "Work-unit ranking", "rank_single": "Single-bid tenders",
        "rank_near": "Awards at ≥ 95% of HPS", "method_mix": "Method mix by value",
        "flagged": "Flagged processes", "code": "Code", "package": "Package",
        "satker": "Work unit", "amount": "Value", "why": "Why",
        "inspectorates": "Inspectorates and e-pengaduan PBJ", "status": "Status",
        "since": "Since", "until": "Until", "evidence": "Evidence", "register": "Register",
        "history": "Status history", "definitions": "Definitions and legal basis",
        "definition": "Definition", "legal": "Legal basis / reference", "missing": "Not yet",
        "no_data": "No data for this section.",
        "fallback": "The analyst copy has no agency_metrics view yet; the metrics below are "
        "computed directly from the tenders view with the same definitions.",
        "no_history": "The analyst copy has no metric_history view yet: no metric trends.",
        "one_snapshot": "Only one snapshot of the metrics so far; trend charts appear after the "
        "second night.",
        "no_flags_view": "The analyst copy has no flags view yet. Instead: finished tenders "
        "with a single bid or a contract value at ≥ 99% of HPS.",
        "no_insp": "The analyst copy has no inspectorates view yet.",
        "insp_other": "No record for this region's inspectorate; the watched ones:",
        "no_slug": "This region's SPSE slug is not configured: no links to SPSE.",
        "min_tenders": "work units with at least {n} finished tenders",
        "showing": "{shown} of {total} processes, most flags first",
        "joined": "Joined", "not_joined": "Not joined", "unknown": "Unknown",
        "missing_views": "Views this analyst copy does not have yet",
        "footer": "Made by pantau from the analyst copy (LKPP open data). Every number can be "
        "traced with `pantau explain` and `pantau sql`.",
        "flag_count": "flags", "lang": "en", "other": "other", "one_bid": "1 bid",
    },
}
REPORT_VIEWS = ("tenders", "agency_metrics", "metric_history", "flags", "inspectorates",
                "inspectorate_history", "runs", "agencies")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="a region's scorecard as one offline HTML file",
                       description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--region", required=True,
                   help="a watched region's name (see `pantau regions`) or a K/L/PD code")
    p.add_argument("--year", type=int, help="budget year (default: the latest in the data)")
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="default: id")
    p.add_argument("--min-tenders", type=int, default=3,
                   help="satker ranking: work units with at least this many finished tenders")
    p.set_defaults(func=report)


def report(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    with connect_analyst(cfg.analyst_path) as con:
        region = resolve_region(cfg, con, args.region)
        ctx = collect(con, region, args.year, args.lang, min_tenders=args.min_tenders)
    html = render(ctx)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"{args.out}: {ctx['region'].name} {ctx['year']} ({len(html) // 1024} KiB)")
    return 0


# ----------------------------------------------------------------------------------- numbers


def fmt_number(value: float | None, lang: str, digits: int = 0) -> str:
    if value is None:
        return NA
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_rp(value: float | None, lang: str) -> str:
    if value is None:
        return NA
    units = (("T", "tn"), ("M", "bn"), ("jt", "m"))
    for (idu, enu), size in zip(units, (1e12, 1e9, 1e6), strict=True):
        if abs(value) >= size:
            return f"Rp{fmt_number(value / size, lang, 1)} {idu if lang == 'id' else enu}"
    return f"Rp{fmt_number(value, lang)}"


def metric_kind(metric: str) -> str:
    if metric.endswith(("_rate", "_share")):
        return "pct"
    if metric.startswith("avg_"):
        return "avg"
    return "count"


def fmt_metric(metric: str, value: float | None, lang: str) -> str:
    if value is None:
        return NA
    kind = metric_kind(metric)
    if kind == "pct":
        return fmt_number(100 * value, lang, 1) + "%"
    if kind == "avg":
        return fmt_number(value, lang, 1)
    return fmt_number(value, lang)


def fmt_part(metric: str, value: float | None, lang: str) -> str:
    """A numerator or denominator: rupiah for value shares, else a count."""
    if value is None:
        return NA
    return fmt_rp(value, lang) if metric.endswith("value_share") else fmt_number(value, lang)


def metric_label(metric: str, lang: str) -> str:
    known = METRICS.get(metric)
    return (known[0] if lang == "id" else known[1]) if known else metric


# ------------------------------------------------------------------------------------ collect


@dataclass
class Ctx:
    con: duckdb.DuckDBPyConnection
    region: RegionRef
    year: int
    lang: str
    views: dict[str, set[str]] = field(default_factory=dict)

    def has(self, view: str, *columns: str) -> bool:
        return view in self.views and set(columns) <= self.views[view]

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        rel = self.con.sql(sql, params=params or None)
        names = rel.columns
        return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]


def collect(con: duckdb.DuckDBPyConnection, region: RegionRef, year: int | None, lang: str,
            *, min_tenders: int = 3) -> dict[str, Any]:
    views = {v.name: {c.name for c in v.columns} for v in views_from_db(con)}
    if "tenders" not in views:
        raise UserError("the analyst copy has no tenders view: run `pantau run` first")
    if year is None:
        year = con.execute("SELECT max(year) FROM tenders WHERE kd_klpd = $k",
                           {"k": region.kd_klpd}).fetchall()[0][0]
        if year is None:
            raise UserError(f"no processes of {region.name} ({region.kd_klpd}) in the analyst copy")
    c = Ctx(con, region, int(year), lang, views)
    t = TEXT[lang]
    ctx: dict[str, Any] = {
        "t": t, "lang": lang, "region": region, "year": c.year,
        "generated": datetime.now(JAKARTA).strftime("%Y-%m-%d %H:%M WIB"),
        "missing_views": [v for v in REPORT_VIEWS if v not in views],
        "data_as_of": _data_as_of(c), "notes": {},
    }
    metrics, ctx["metrics_fallback"] = _metrics(c)
    history = _history(c)
    ctx["scorecard"] = _scorecard(c, metrics, history)
    ctx["trend_charts"], ctx["notes"]["trends"] = _trend_charts(c, history)
    ctx["month_chart"] = _month_chart(c)
    ctx["rank_single"], ctx["rank_near"] = _rankings(c, metrics, min_tenders)
    ctx["rank_note"] = t["min_tenders"].format(n=min_tenders)
    ctx["method_chart"] = _method_chart(c)
    ctx["flagged"], ctx["flagged_total"], ctx["flags_fallback"] = _flagged(c)
    ctx["no_slug"] = not region.spse_slug
    ctx["inspectorates"], ctx["insp_history"], ctx["insp_other"] = _inspectorates(c)
    ctx["definitions"] = _definitions(metrics, ctx["flagged"], ctx["metrics_fallback"],
                                      _flag_descriptions(c))
    ctx["followup"] = followup.section(con, region.kd_klpd, lang)  # None before cases exist
    return ctx


def _data_as_of(c: Ctx) -> str | None:
    if not c.has("runs", "finished_at", "status"):
        return None
    value = c.con.execute("SELECT max(finished_at) FROM runs WHERE status = 'ok'").fetchall()[0][0]
    return value.strftime("%Y-%m-%d %H:%M WIB") if value else None


def _metrics(c: Ctx) -> tuple[list[dict[str, Any]], bool]:
    cols = ("kd_klpd", "kd_satker", "year", "metric", "value", "numerator", "denominator")
    if c.has("agency_metrics", *cols):
        return c.rows(
            "SELECT kd_klpd, kd_satker, year, metric, CAST(value AS DOUBLE) AS value, "
            "CAST(numerator AS DOUBLE) AS numerator, CAST(denominator AS DOUBLE) AS denominator "
            "FROM agency_metrics WHERE kd_klpd = $kd_klpd AND year IN ($year, $year - 1)",
            kd_klpd=c.region.kd_klpd, year=c.year), False
    return c.rows(FALLBACK_METRICS_SQL, kd_klpd=c.region.kd_klpd, year=c.year), True


def _history(c: Ctx) -> dict[str, list[tuple[str, float]]] | None:
    if not c.has("metric_history", "snapshot_date", "kd_klpd", "kd_satker", "year", "metric",
                 "value"):
        return None
    rows = c.rows("SELECT metric, snapshot_date, CAST(value AS DOUBLE) AS value "
                  "FROM metric_history WHERE kd_klpd = $kd_klpd AND kd_satker IS NULL "
                  "AND year = $year ORDER BY snapshot_date",
                  kd_klpd=c.region.kd_klpd, year=c.year)
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in rows:
        out[r["metric"]].append((str(r["snapshot_date"]), r["value"]))
    return dict(out)


def _order(metric: str) -> tuple[int, str]:
    names = list(METRICS)
    return (names.index(metric) if metric in names else len(names), metric)


def _scorecard(c: Ctx, metrics: list[dict[str, Any]],
               history: dict[str, list[tuple[str, float]]] | None) -> list[dict[str, Any]]:
    this = {m["metric"]: m for m in metrics if m["kd_satker"] is None and m["year"] == c.year}
    prev = {m["metric"]: m for m in metrics if m["kd_satker"] is None and m["year"] == c.year - 1}
    rows = []
    for name in sorted(this, key=_order):
        m = this[name]
        points = (history or {}).get(name, [])
        change = None
        if len(points) > 1 and points[-1][1] is not None and points[-2][1] is not None:
            change = points[-1][1] - points[-2][1]
        direction = METRICS.get(name, ("", "", ""))[2]
        judged = ""
        if change and direction:
            judged = "worse" if (change > 0) == (direction == "worse") else "better"
        rows.append({
            "metric": name, "label": metric_label(name, c.lang),
            "value": fmt_metric(name, m["value"], c.lang),
            "parts": (fmt_part(name, m["numerator"], c.lang) + (
                f" / {fmt_part(name, m['denominator'], c.lang)}"
                if m["denominator"] is not None else "")),
            "prev": fmt_metric(name, prev[name]["value"], c.lang) if name in prev else NA,
            "spark": svgchart.spark(metric_label(name, c.lang), [v for _, v in points])
            if points else None,
            "change": (("+" if change > 0 else "") + fmt_metric(name, change, c.lang)
                       if change is not None and metric_kind(name) != "pct" else
                       ("+" if change > 0 else "") + fmt_number(100 * change, c.lang, 1) + " pp"
                       if change is not None else ""),
            "judged": judged,
        })
    return rows


def _trend_charts(c: Ctx, history: dict[str, list[tuple[str, float]]] | None,
                  ) -> tuple[list[Any], str | None]:
    t = TEXT[c.lang]
    if history is None:
        return [], t["no_history"]
    snapshots = {d for points in history.values() for d, _ in points}
    if len(snapshots) < 2:
        return [], t["one_snapshot"]
    charts = []
    for name in sorted(history, key=_order):
        points = history[name]
        title = metric_label(name, c.lang)

        def fmt(v: float, name: str = name) -> str:
            return fmt_metric(name, v, c.lang)

        charts.append({"title": title,
                       "svg": svgchart.line(title, {title: points}, fmt=fmt)})
    return charts, None


def _month_chart(c: Ctx) -> Any:  # noqa: ANN401 - Markup or None
    if not c.has("tenders", "announced_at", "kind"):
        return None
    rows = c.rows(
        "SELECT strftime(announced_at, '%Y-%m') AS month, CASE WHEN kind IN ('tender', "
        "'non_tender', 'epurchasing') THEN kind ELSE 'other' END AS k, count(*) AS n "
        "FROM tenders WHERE kd_klpd = $kd_klpd AND year = $year AND announced_at IS NOT NULL "
        "AND year(announced_at) BETWEEN $year - 1 AND $year GROUP BY ALL ORDER BY ALL",
        kd_klpd=c.region.kd_klpd, year=c.year)
    if not rows:
        return None
    names = {"tender": "tender", "non_tender": "non-tender", "epurchasing": "e-purchasing",
             "other": TEXT[c.lang]["other"]}
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    months = sorted({r["month"] for r in rows})
    counts = {(r["k"], r["month"]): r["n"] for r in rows}
    for k in ("tender", "non_tender", "epurchasing", "other"):
        if any(key[0] == k for key in counts):
            series[names[k]] = [(m, float(counts.get((k, m), 0))) for m in months]
    title = TEXT[c.lang]["per_month"]
    return svgchart.line(title, dict(series), fmt=lambda v: fmt_number(v, c.lang),
                         width=720, height=230)


def _satker_names(c: Ctx) -> dict[str, str]:
    names: dict[str, str] = {}
    with contextlib.suppress(duckdb.Error):
        for r in c.rows("SELECT kd_satker, any_value(satker_name) AS name FROM tenders "
                        "WHERE kd_klpd = $k AND kd_satker IS NOT NULL GROUP BY ALL",
                        k=c.region.kd_klpd):
            names[r["kd_satker"]] = r["name"] or r["kd_satker"]
    if c.has("agencies", "kd_satker", "name", "kd_klpd"):
        for r in c.rows("SELECT kd_satker, name FROM agencies WHERE kd_klpd = $k AND "
                        "kd_satker IS NOT NULL AND name IS NOT NULL", k=c.region.kd_klpd):
            names.setdefault(r["kd_satker"], r["name"])
    return names


def _rankings(c: Ctx, metrics: list[dict[str, Any]], min_tenders: int) -> tuple[Any, Any]:
    names = _satker_names(c)
    charts = []
    for metric, color in (("single_bid_rate", svgchart.PALETTE[1]),
                          ("award_near_hps_rate", svgchart.PALETTE[3])):
        rows = [m for m in metrics if m["metric"] == metric and m["kd_satker"] is not None
                and m["year"] == c.year and m["value"] is not None
                and (m["denominator"] or 0) >= min_tenders]
        rows.sort(key=lambda m: (-m["value"], -(m["denominator"] or 0)))
        items = [(names.get(m["kd_satker"], m["kd_satker"]), m["value"],
                  (f"{fmt_metric(metric, m['value'], c.lang)} "
                  f"({fmt_number(m['numerator'], c.lang)}/{fmt_number(m['denominator'], c.lang)})"))
                 for m in rows[:TOP_SATKER]]
        charts.append(svgchart.hbar(metric_label(metric, c.lang), items, color=color,
                                    max_value=1.0) if items else None)
    return charts[0], charts[1]


def _method_chart(c: Ctx) -> Any:  # noqa: ANN401 - Markup or None
    rows = c.rows(
        "SELECT coalesce(method, kind) AS method, "
        "CAST(sum(coalesce(contract_value, hps, pagu)) AS DOUBLE) AS value, count(*) AS n "
        "FROM tenders WHERE kd_klpd = $kd_klpd AND year = $year GROUP BY ALL "
        "HAVING sum(coalesce(contract_value, hps, pagu)) > 0 ORDER BY value DESC",
        kd_klpd=c.region.kd_klpd, year=c.year)
    total = sum(r["value"] for r in rows) or 1.0
    items = [(f"{r['method']} ({fmt_number(r['n'], c.lang)})", r["value"],
              f"{fmt_rp(r['value'], c.lang)} · {fmt_number(100 * r['value'] / total, c.lang, 1)}%")
             for r in rows]
    return svgchart.hbar(TEXT[c.lang]["method_mix"], items, color=svgchart.PALETTE[2],
                         label_width=260) if items else None


def spse_url(slug: str | None, kind: str, source_id: str) -> str | None:
    page = SPSE_PAGES.get(kind)
    if not slug or not page or not source_id:
        return None
    return f"{SPSE}/{slug}/{page.format(id=source_id)}"


def _flagged(c: Ctx) -> tuple[list[dict[str, Any]], int, bool]:
    params = {"kd_klpd": c.region.kd_klpd, "year": c.year}
    base = ("SELECT t.kind, t.source_id, t.title, t.satker_name, "
            "CAST(coalesce(t.contract_value, t.hps, t.pagu) AS DOUBLE) AS amount, ")
    if c.has("flags", "source_id", "code"):
        join = "t.source_id = f.source_id"
        if c.has("flags", "source"):
            join += " AND t.source = f.source"
        if c.has("flags", "kind"):
            join += " AND t.kind = f.kind"
        grp = " AND f.grp = 'OCID'" if c.has("flags", "grp") else ""
        # A description many processes share is the indicator's generic text (it is in the
        # definitions); only process-specific ones say why this one was flagged.
        why = ("left(string_agg(DISTINCT f.description, '; ') FILTER (WHERE f.description NOT IN "
               "(SELECT description FROM flags WHERE description IS NOT NULL GROUP BY ALL "
               "HAVING count(*) >= 3)), 300)" if c.has("flags", "description") else "NULL")
        sql = (base + f"list(DISTINCT f.code ORDER BY f.code) AS codes, {why} AS why "
               f"FROM flags f JOIN tenders t ON {join} WHERE t.kd_klpd = $kd_klpd "
               f"AND t.year = $year AND f.code NOT LIKE 'PFA%'{grp} GROUP BY ALL")
        fallback = False
    else:
        params["one_bid"] = TEXT[c.lang]["one_bid"]
        sql = (base + "list_filter([CASE WHEN n_bids = 1 THEN $one_bid END, CASE WHEN hps > 0 "
               "AND contract_value >= 0.99 * hps THEN '≥99% HPS' END], lambda x: x IS NOT NULL) "
               "AS codes, NULL AS why FROM tenders t WHERE t.kd_klpd = $kd_klpd "
               "AND t.year = $year AND t.kind = 'tender' AND t.status_class = 'finished' "
               "AND (n_bids = 1 OR (hps > 0 AND contract_value >= 0.99 * hps))")
        fallback = True
    total = c.con.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0]
    rows = c.rows(f"SELECT * FROM ({sql}) ORDER BY len(codes) DESC, amount DESC NULLS LAST "
                  f"LIMIT {MAX_FLAGGED}", **params)
    for r in rows:
        r["url"] = spse_url(c.region.spse_slug, r["kind"], r["source_id"])
        r["amount_text"] = fmt_rp(r["amount"], c.lang)
    return rows, total, fallback


def _inspectorates(c: Ctx) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]], bool]:
    if not c.has("inspectorates", "inspectorate", "status"):
        return None, [], False
    match = "(coalesce(kd_klpd, '') = $kd OR lower(inspectorate) LIKE '%' || lower($name) || '%'"
    if c.has("inspectorates", "inspectorate_id"):
        match += " OR inspectorate_id = lower($name)"
    match += ")"
    p = {"kd": c.region.kd_klpd, "name": c.region.name}
    cols = c.views["inspectorates"]
    wanted = [x for x in ("inspectorate", "kd_klpd", "status", "since", "checked_on",
                          "evidence_url", "source", "by_source") if x in cols]
    current = c.rows(f"SELECT {', '.join(wanted)} FROM inspectorates WHERE {match}", **p)
    other = False
    if not current:
        current = c.rows(f"SELECT {', '.join(wanted)} FROM inspectorates")
        other = bool(current)
    history: list[dict[str, Any]] = []
    if c.has("inspectorate_history", "inspectorate", "status", "valid_from"):
        hcols = c.views["inspectorate_history"]
        hwanted = [x for x in ("inspectorate", "source", "status", "valid_from", "valid_to",
                               "evidence_url") if x in hcols]
        names = sorted({r["inspectorate"] for r in current})
        history = c.rows(f"SELECT {', '.join(hwanted)} FROM inspectorate_history "
                         "WHERE list_contains($names, inspectorate) ORDER BY inspectorate, "
                         "valid_from", names=names)
    for r in current + history:
        r["status_text"] = TEXT[c.lang].get(str(r.get("status")), str(r.get("status")))
    return current, history, other


def _definitions(metrics: list[dict[str, Any]], flagged: list[dict[str, Any]],
                 fallback: bool, described: dict[str, str]) -> list[dict[str, str]]:
    docs = {(d.kind, d.name): d for d in definitions()}
    out = []
    for name in sorted({m["metric"] for m in metrics}, key=_order):
        d = docs.get(("metric", name))
        text = FALLBACK_DEFINITIONS.get(name, "") if (fallback or not d) else ". ".join(
            x for x in (d.title.rstrip("."), _field(d.fields, "numerator"),
                        _field(d.fields, "denominator"))
            if x)
        out.append({"name": name, "label": METRICS.get(name, (name, name))[0],
                    "definition": text, "basis": d.basis if d else "",
                    "source": d.path.name if d and d.path else ""})
    for code in sorted({code for r in flagged for code in r["codes"]}):
        d = docs.get(("flag", code))
        if d:
            text = d.fields.get("definition") or described.get(code) or d.definition or d.title
            out.append({"name": code, "label": d.title, "definition": text,
                        "basis": d.basis, "source": d.path.name if d.path else ""})
        elif code in described:
            out.append({"name": code, "label": "", "definition": described[code], "basis": "",
                        "source": ""})
    return out


def _flag_descriptions(c: Ctx) -> dict[str, str]:
    """Each flag code's one-line description from the flags view (for codes whose SQL header
    pantau cannot parse)."""
    if not c.has("flags", "code", "description"):
        return {}
    return {r["code"]: r["d"] for r in c.rows(
        "SELECT code, min(description) AS d FROM flags GROUP BY code")}


def _field(fields: dict[str, str], key: str) -> str:
    return f"{key.capitalize()}: {fields[key].rstrip('.')}" if fields.get(key) else ""


# ------------------------------------------------------------------------------------- render


def render(ctx: dict[str, Any]) -> str:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(TEMPLATE).render(**ctx)


CSS = """
:root { --ink: #1d2630; --muted: #5b6670; --line: #d5dbe0; --accent: #1f6f8b;
  --worse: #b3261e; --better: #2e7d32; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1000px; padding: 24px 28px 40px; line-height: 1.45; font-size: 14px; }
header { border-bottom: 4px solid var(--accent); margin-bottom: 18px; padding-bottom: 10px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h1 small { display: block; font-size: 15px; color: var(--muted); font-weight: normal; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); color: var(--accent); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); font-size: 12.5px; }
.note { background: #fff7e0; border-left: 4px solid #d9a400; padding: 6px 10px; margin: 8px 0;
  font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 6px; text-align: left;
  vertical-align: top; }
th { background: #eef3f6; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.big { font-size: 16px; font-weight: 600; }
.worse { color: var(--worse); } .better { color: var(--better); }
.grid { display: flex; flex-wrap: wrap; gap: 12px 18px; }
.grid figure { margin: 0; width: 360px; }
figure { margin: 6px 0 14px; }
figcaption { font-size: 12.5px; color: var(--muted); margin-bottom: 2px; }
svg.chart { max-width: 100%; height: auto; display: block; }
.code { display: inline-block; background: #f3e3ea; color: #7a1f4b; border-radius: 3px;
  padding: 0 5px; margin: 0 3px 2px 0; font-size: 11.5px; white-space: nowrap;
  text-decoration: none; }
.status-joined { color: var(--better); font-weight: 600; }
.status-not_joined { color: var(--worse); font-weight: 600; }
nav ol { columns: 2; font-size: 13px; margin: 4px 0; }
a { color: var(--accent); }
footer { margin-top: 30px; border-top: 1px solid var(--line); padding-top: 8px;
  color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5px; }
  nav { display: none; }
  .grid figure { width: 48%; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .note { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ t.lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }} — {{ region.name }} {{ year }}</title>
<style>""" + CSS + """</style>
</head>
<body>
<header>
<h1>{{ t.title }}<small>{{ region.name }} ({{ region.kd_klpd }}) ·
{{ t.year }} {{ year }}</small></h1>
<div class="meta">{{ t.generated }}: {{ generated }}
{% if data_as_of %} · {{ t.data_as_of }}: {{ data_as_of }}{% endif %}</div>
{% if missing_views %}
<div class="note">{{ t.missing_views }}: {{ missing_views | join(", ") }}</div>
{% endif %}
</header>
<nav><strong>{{ t.toc }}</strong><ol>
<li><a href="#scorecard">{{ t.scorecard }}</a></li><li><a href="#trends">{{ t.trends }}</a></li>
<li><a href="#ranking">{{ t.ranking }}</a></li><li><a href="#methods">{{ t.method_mix }}</a></li>
<li><a href="#flagged">{{ t.flagged }}</a></li>
<li><a href="#inspectorates">{{ t.inspectorates }}</a></li>
<li><a href="#definitions">{{ t.definitions }}</a></li></ol></nav>

<section id="scorecard">
<h2>{{ t.scorecard }}</h2>
{% if metrics_fallback %}<div class="note">{{ t.fallback }}</div>{% endif %}
{% if scorecard %}
<table><thead><tr><th>{{ t.metric }}</th><th>{{ t.value }}</th><th>{{ t.basis_n }}</th>
<th>{{ t.prev_year }}</th><th>{{ t.trend }}</th></tr></thead><tbody>
{% for r in scorecard %}
<tr><td>{{ r.label }}<br><span class="meta">{{ r.metric }}</span></td>
<td class="num big">{{ r.value }}</td><td class="num">{{ r.parts }}</td>
<td class="num">{{ r.prev }}</td>
<td>{% if r.spark %}{{ r.spark }}{% endif %}
{% if r.change %}<span class="{{ r.judged }}" title="{{ t.change }}">{{ r.change }}</span>
{% endif %}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>{{ t.no_data }}</p>{% endif %}
</section>

<section id="trends">
<h2>{{ t.trends }}</h2>
{% if notes.trends %}<div class="note">{{ notes.trends }}</div>{% endif %}
<div class="grid">
{% for ch in trend_charts %}
<figure><figcaption>{{ ch.title }}</figcaption>{{ ch.svg }}</figure>
{% endfor %}
</div>
{% if month_chart %}
<figure><figcaption>{{ t.per_month }}</figcaption>{{ month_chart }}</figure>
{% endif %}
</section>

<section id="ranking">
<h2>{{ t.ranking }}</h2>
<p class="meta">{{ rank_note }}</p>
<h3>{{ t.rank_single }}</h3>
{% if rank_single %}<figure>{{ rank_single }}</figure>{% else %}<p>{{ t.no_data }}</p>{% endif %}
<h3>{{ t.rank_near }}</h3>
{% if rank_near %}<figure>{{ rank_near }}</figure>{% else %}<p>{{ t.no_data }}</p>{% endif %}
</section>

<section id="methods">
<h2>{{ t.method_mix }}</h2>
{% if method_chart %}<figure>{{ method_chart }}</figure>{% else %}<p>{{ t.no_data }}</p>{% endif %}
</section>

<section id="flagged">
<h2>{{ t.flagged }}</h2>
{% if flags_fallback %}<div class="note">{{ t.no_flags_view }}</div>{% endif %}
{% if no_slug %}<div class="note">{{ t.no_slug }}</div>{% endif %}
{% if flagged %}
<p class="meta">{{ t.showing.format(shown=flagged | length, total=flagged_total) }}</p>
<table><thead><tr><th>{{ t.code }}</th><th>{{ t.package }}</th><th>{{ t.satker }}</th>
<th>{{ t.amount }}</th></tr></thead><tbody>
{% for f in flagged %}
<tr><td>{% for code in f.codes %}<a class="code" href="#def-{{ code }}">{{ code }}</a>
{% endfor %}</td>
<td>{% if f.url %}<a href="{{ f.url }}">{{ f.title }}</a>{% else %}{{ f.title }}{% endif %}<br>
<span class="meta">{{ f.kind }} {{ f.source_id }}{% if f.why %} · {{ f.why }}{% endif %}</span></td>
<td>{{ f.satker_name }}</td><td class="num">{{ f.amount_text }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>{{ t.no_data }}</p>{% endif %}
</section>

<section id="inspectorates">
<h2>{{ t.inspectorates }}</h2>
{% if inspectorates is none %}<div class="note">{{ t.no_insp }}</div>
{% else %}
{% if insp_other %}<div class="note">{{ t.insp_other }}</div>{% endif %}
{% if inspectorates %}
<table><thead><tr><th>Inspektorat</th><th>{{ t.status }}</th><th>{{ t.since }}</th>
<th>{{ t.register }}</th><th>{{ t.evidence }}</th></tr></thead><tbody>
{% for r in inspectorates %}
<tr><td>{{ r.inspectorate }}</td><td class="status-{{ r.status }}">{{ r.status_text }}</td>
<td>{{ r.since or "" }}</td><td>{{ r.by_source or r.source or "" }}</td>
<td>{% if r.evidence_url %}
<a href="{{ r.evidence_url }}">{{ r.evidence_url | truncate(60) }}</a>
{% endif %}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>{{ t.no_data }}</p>{% endif %}
{% if insp_history %}
<h3>{{ t.history }}</h3>
<table><thead><tr><th>Inspektorat</th><th>{{ t.register }}</th><th>{{ t.status }}</th>
<th>{{ t.since }}</th><th>{{ t.until }}</th><th>{{ t.evidence }}</th></tr></thead><tbody>
{% for r in insp_history %}
<tr><td>{{ r.inspectorate }}</td><td>{{ r.source or "" }}</td>
<td class="status-{{ r.status }}">{{ r.status_text }}</td><td>{{ r.valid_from or "" }}</td>
<td>{{ r.valid_to or "" }}</td>
<td>{% if r.evidence_url %}
<a href="{{ r.evidence_url }}">{{ r.evidence_url | truncate(60) }}</a>
{% endif %}</td></tr>
{% endfor %}
</tbody></table>
{% endif %}
{% endif %}
</section>

{{ followup or "" }}
<section id="definitions">
<h2>{{ t.definitions }}</h2>
<table><thead><tr><th>{{ t.metric }}</th><th>{{ t.definition }}</th><th>{{ t.legal }}</th></tr>
</thead><tbody>
{% for d in definitions %}
<tr id="def-{{ d.name }}"><td><strong>{{ d.name }}</strong><br>
<span class="meta">{{ d.label }}</span></td>
<td>{{ d.definition }}</td><td>{{ d.basis }}
{% if d.source %}<br><span class="meta">sql: {{ d.source }}</span>{% endif %}</td></tr>
{% endfor %}
</tbody></table>
</section>

<footer>{{ t.footer }}</footer>
</body>
</html>
"""
