"""The region report's follow-up section: open cases and their age, outcomes per agency.

Read from the ``cases`` and ``case_actions`` tables the publish copies into the analyst copy
(``models.cases``); the report shows nothing of this when the copy has no such tables yet.
Rendered here, autoescaped, so the report's template only places it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment
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

TEMPLATE = """<section id="followup">
<h2>{{ t.title }}</h2>
<h3>{{ t.open }}</h3>
{% if open %}
<table><thead><tr><th>{{ t.case }}</th><th>{{ t.age }}</th><th>{{ t.deadline }}</th>
<th>{{ t.actions }}</th><th>{{ t.last }}</th></tr></thead><tbody>
{% for c in open %}
<tr><td>#{{ c.case_id }} {{ c.title }}{% if c.subject %}<br><span class="meta">{{ c.subject_kind }}
{{ c.subject }}</span>{% endif %}</td><td class="num">{{ c.age }}</td>
<td>{{ c.deadline or "\u2013" }}{% if c.overdue %} <strong>{{ t.overdue }}</strong>{% endif %}</td>
<td class="num">{{ c.n_actions }}</td><td>{{ c.last_action or "\u2013" }}</td></tr>
{% endfor %}
</tbody></table>
{% else %}<p>{{ t.none }}</p>{% endif %}
{% if outcomes %}
<h3>{{ t.outcomes }}</h3>
<table><thead><tr><th>{{ t.agency }}</th><th>{{ t.still_open }}</th>
{% for o in outcome_names %}<th>{{ t[o] }}</th>{% endfor %}</tr></thead><tbody>
{% for r in outcomes %}<tr><td>{{ r.agency }}</td><td class="num">{{ r.open }}</td>
{% for o in outcome_names %}<td class="num">{{ r[o] }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>
{% endif %}
</section>
"""


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
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    html = env.from_string(TEMPLATE).render(t=TEXT.get(lang, TEXT["en"]), open=open_cases,
                                            outcomes=outcomes, outcome_names=OUTCOMES)
    return Markup(html)  # noqa: S704 - rendered above with autoescape
