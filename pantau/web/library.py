"""Everything the web workbench takes from the analyst library and the catalogue, in one place,
so the library can move underneath without the web code changing: re-point these names only."""

from __future__ import annotations

from pantau.analyst.connection import connect_analyst, run_sql
from pantau.analyst.regions import klpd_codes
from pantau.analyst.report import (
    METRICS,
    fmt_metric,
    fmt_number,
    fmt_rp,
    metric_label,
    spse_url,
)
from pantau.analyst.views import views_from_db
from pantau.analyst.writers import write_result
from pantau.models import catalogue
from pantau.models.catalogue import find_question, saved_questions

__all__ = [
    "METRICS",
    "catalogue",
    "connect_analyst",
    "find_question",
    "fmt_metric",
    "fmt_number",
    "fmt_rp",
    "klpd_codes",
    "metric_label",
    "run_sql",
    "saved_questions",
    "spse_url",
    "views_from_db",
    "write_result",
]
