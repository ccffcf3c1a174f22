"""A region's scorecard as ONE self-contained HTML file, offline, printable (``pantau report``).

No CDN, no script, no web font: the CSS (``templates/report.css``) is inlined by the template
(``templates/report.html.j2``), every chart is inline SVG (``pantau.analyst.svgchart``), so the
file opens offline, can be mailed, and prints to PDF (print CSS: A4, no broken charts or rows).
Bahasa Indonesia by default, English with ``lang="en"``.

Contents: the scorecard (each ``agency_metrics`` metric with its trend from ``metric_history``),
charts (metric trends, packages per month, satker ranking on single-bid rate and on awards near
HPS, method mix by value), the flagged processes with links to their SPSE pages, the
inspectorates' status and history, and the definition and legal basis of every metric and flag,
from the catalogue of SQL headers (``models.catalogue``, as ``pantau explain``). Views that are
not in the analyst copy yet are named in the report; metrics are never recomputed here.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, PackageLoader

from pantau.analyst import followup, svgchart
from pantau.analyst.regions import RegionRef
from pantau.analyst.views import views_from_db
from pantau.errors import UserError
from pantau.models import catalogue, progress

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
        "no_metrics": "View agency_metrics belum ada dalam salinan analis: rapor indikator "
        "muncul setelah `pantau run` berikutnya.",
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
        "changes": "Apa yang berubah", "field": "Isian", "old": "Sebelumnya", "new": "Menjadi",
        "seen_on": "Terlihat", "changes_note": "Perubahan isian yang dipantau dan paket yang "
        "hilang dari sumber (view changes; riwayat satu paket: pantau explain --process "
        "JENIS:KODE).",
        "quality": "Mutu data", "flag_cov": "Bendera yang dapat dihitung",
        "coverage": "Cakupan", "computable": "Hasil", "checks": "Pemeriksaan konsistensi",
        "failing": "Gagal", "freshness": "Kesegaran (hari)", "low_coverage": "Isian dengan "
        "cakupan di bawah 50%",
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
        "no_metrics": "The analyst copy has no agency_metrics view yet: the scorecard appears "
        "after the next `pantau run`.",
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
        "changes": "What changed", "field": "Field", "old": "Before", "new": "After",
        "seen_on": "Seen", "changes_note": "Changes of watched fields and packages gone from "
        "their source (the changes view; one package's history: pantau explain --process "
        "KIND:CODE).",
        "quality": "Data quality", "flag_cov": "Flags the data can support",
        "coverage": "Coverage", "computable": "Result", "checks": "Consistency checks",
        "failing": "Failing", "freshness": "Freshness (days)", "low_coverage": "Fields below "
        "50% coverage",
    },
}
REPORT_VIEWS = ("tenders", "agency_metrics", "metric_history", "flags", "inspectorates",
                "inspectorate_history", "runs", "agencies", "changes", "data_quality",
                "flag_coverage")
MAX_CHANGES = 50  # rows of the changes section, newest first


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
    sections = 5
    progress.report("collecting", done=0, total=sections, what="scorecard")
    metrics, ctx["metrics_missing"] = _metrics(c)
    history = _history(c)
    ctx["scorecard"] = _scorecard(c, metrics, history)
    progress.report("collecting", done=1, total=sections, what="charts")
    ctx["trend_charts"], ctx["notes"]["trends"] = _trend_charts(c, history)
    ctx["month_chart"] = _month_chart(c)
    progress.report("collecting", done=2, total=sections, what="rankings")
    ctx["rank_single"], ctx["rank_near"] = _rankings(c, metrics, min_tenders)
    ctx["rank_note"] = t["min_tenders"].format(n=min_tenders)
    ctx["method_chart"] = _method_chart(c)
    progress.report("collecting", done=3, total=sections, what="flagged processes")
    ctx["flagged"], ctx["flagged_total"], ctx["flags_fallback"] = _flagged(c)
    ctx["no_slug"] = not region.spse_slug
    progress.report("collecting", done=4, total=sections, what="inspectorates")
    ctx["inspectorates"], ctx["insp_history"], ctx["insp_other"] = _inspectorates(c)
    ctx["definitions"] = _definitions(metrics, ctx["flagged"])
    ctx["followup"] = followup.section(con, region.kd_klpd, lang)  # None before cases exist
    ctx["changes"] = _changes(c)
    ctx["flag_cov"], ctx["checks"], ctx["freshness"], ctx["low_coverage"] = _quality(c)
    progress.report("collecting", done=sections, total=sections, what="definitions")
    return ctx


def _changes(c: Ctx) -> list[dict[str, Any]] | None:
    """The region's changes, newest first (None: the copy has no changes view)."""
    if not c.has("changes", "kd_klpd", "seen_on", "change"):
        return None
    return c.rows("SELECT c.seen_on, c.change, c.kind, c.source_id, c.title, c.field, "
                  "c.old_value, c.new_value FROM changes c WHERE c.kd_klpd = $kd_klpd "
                  f"ORDER BY c.seen_on DESC, c.source_id, c.field LIMIT {MAX_CHANGES}",
                  kd_klpd=c.region.kd_klpd)


def _quality(c: Ctx) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]],
                              list[dict[str, Any]], list[dict[str, Any]]]:
    """flag_coverage of the region, and data_quality's checks, freshness and weak fields."""
    flag_cov = (c.rows("SELECT code, input, n_processes, coverage, flagged FROM flag_coverage "
                       "WHERE kd_klpd = $kd_klpd ORDER BY code", kd_klpd=c.region.kd_klpd)
                if c.has("flag_coverage", "kd_klpd", "flagged") else None)
    if not c.has("data_quality", "measure", "item"):
        return flag_cov, [], [], []
    checks = c.rows("SELECT dataset, item, n_records, n FROM data_quality "
                    "WHERE measure = 'check' AND n > 0 ORDER BY dataset, item")
    freshness = c.rows("SELECT source, dataset, item, n, newest FROM data_quality "
                       "WHERE measure = 'freshness' ORDER BY source, dataset, item")
    low = c.rows("SELECT dataset, item, share FROM data_quality WHERE measure = 'coverage' "
                 "AND share < 0.5 ORDER BY dataset, share, item")
    for row in low:
        row["share_text"] = fmt_number(100 * row["share"], c.lang, 1) + "%"
    for row in flag_cov or []:
        row["coverage_text"] = ("-" if row["coverage"] is None
                                else fmt_number(100 * row["coverage"], c.lang, 1) + "%")
    return flag_cov, checks, freshness, low


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
    return [], True


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


def _definitions(metrics: list[dict[str, Any]],
                 flagged: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The catalogue's definition of every metric shown and every flag code listed."""
    cat = catalogue.load()
    out = []
    for name in sorted({m["metric"] for m in metrics}, key=_order):
        d = cat.get(name)
        text = ". ".join(x for x in (d.title, _field(d.fields, "numerator"),
                                     _field(d.fields, "denominator")) if x) if d else ""
        out.append({"name": name, "label": METRICS.get(name, (name, name))[0],
                    "definition": text, "basis": d.basis if d else "",
                    "source": d.path.name if d and d.path else ""})
    for code in sorted({code for r in flagged for code in r["codes"]}):
        d = cat.get(code)  # None for the stand-in codes of a copy without the flags view
        if d is not None:
            out.append({"name": code, "label": d.title, "definition": d.definition,
                        "basis": d.basis, "source": d.path.name if d.path else ""})
    return out


def _field(fields: dict[str, str], key: str) -> str:
    return f"{key.capitalize()}: {fields[key].rstrip('.')}" if fields.get(key) else ""


# ------------------------------------------------------------------------------------- render


def render(ctx: dict[str, Any]) -> str:
    env = Environment(loader=PackageLoader("pantau.analyst", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**ctx)
