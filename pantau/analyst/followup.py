"""The region report's follow-up section: open cases and their age, outcomes per agency.

Read from the ``cases`` and ``case_actions`` tables the publish copies into the analyst copy
(``models.cases``); the report shows nothing of this when the copy has no such tables yet.
Rendered here from ``templates/followup.html.j2``, autoescaped, so the report's template only
places it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from pantau.models.cases import OUTCOMES

JAKARTA = ZoneInfo("Asia/Jakarta")

TEXT = {
    "id": {"title": "Tindak lanjut", "open": "Kasus terbuka", "case": "Kasus", "age": "Umur (hari)",
           "deadline": "Tenggat", "actions": "Tindakan", "last": "Tindakan terakhir",
           "outcomes": "Hasil per instansi", "agency": "Instansi", "still_open": "terbuka",
           "none": "Tidak ada kasus terbuka.", "overdue": "lewat tenggat",
           "fixed": "diperbaiki", "partly_fixed": "sebagian", "not_fixed": "tidak diperbaiki",
           "dismissed": "dihentikan"},
    "en": {"title": "Follow-up", "open": "Open cases", "case": "Case", "age": "Age (days)",
           "deadline": "Deadline", "actions": "Actions", "last": "Last action",
           "outcomes": "Outcomes per agency", "agency": "Agency", "still_open": "open",
           "none": "No open cases.", "overdue": "overdue",
           "fixed": "fixed", "partly_fixed": "partly fixed", "not_fixed": "not fixed",
           "dismissed": "dismissed"},
}



def section(con: duckdb.DuckDBPyConnection, kd_klpd: str, lang: str,
            today: date | None = None) -> Markup | None:
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND database_name = current_database()").fetchall()}
    if not {"cases", "case_actions"} <= tables:
        return None
    today = today or datetime.now(JAKARTA).date()
    rel = con.sql("""
        SELECT c.case_id, c.title, c.subject_kind, c.subject, c.deadline,
            c.opened_at, count(a.action_id) AS n_actions,
            max(a.happened_on) AS last_action
        FROM cases c LEFT JOIN case_actions a USING (case_id)
        WHERE c.status = 'open' AND c.kd_klpd = $k GROUP BY ALL ORDER BY c.opened_at""",
                  params={"k": kd_klpd})
    open_cases = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    for c in open_cases:
        opened = c["opened_at"]
        opened = opened if opened.tzinfo else opened.replace(tzinfo=UTC)
        c["age"] = (today - opened.astimezone(JAKARTA).date()).days  # days as Jakarta counts
        c["overdue"] = c["deadline"] is not None and c["deadline"] < today
    counts = ", ".join(f"count(*) FILTER (WHERE outcome = '{o}') AS {o}" for o in OUTCOMES)
    rel = con.sql(f"""
        SELECT CASE WHEN subject_kind = 'agency' THEN subject ELSE kd_klpd END AS agency,
            count(*) FILTER (WHERE status = 'open') AS open, {counts}
        FROM cases WHERE kd_klpd = $k GROUP BY ALL ORDER BY agency""", params={"k": kd_klpd})
    outcomes = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    env = Environment(loader=PackageLoader("pantau.analyst", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    html = env.get_template("followup.html.j2").render(
        t=TEXT.get(lang, TEXT["en"]), open=open_cases, outcomes=outcomes, outcome_names=OUTCOMES)
    return Markup(html)  # noqa: S704 - rendered above with autoescape
