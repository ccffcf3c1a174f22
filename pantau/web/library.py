"""Everything the web workbench takes from the analyst library, in one place, so the library
can move underneath without the web code changing: re-point these names only."""

from __future__ import annotations

from pantau.commands.explain import load_docs, lookup
from pantau.commands.report import (
    METRICS,
    fmt_metric,
    fmt_number,
    fmt_rp,
    metric_label,
    spse_url,
)
from pantau.workbench import (
    connect_analyst,
    definitions,
    find_question,
    run_sql,
    saved_questions,
    views_from_db,
    views_from_sql,
    write_result,
)

__all__ = [
    "METRICS",
    "connect_analyst",
    "definitions",
    "find_question",
    "fmt_metric",
    "fmt_number",
    "fmt_rp",
    "load_docs",
    "lookup",
    "metric_label",
    "run_sql",
    "saved_questions",
    "spse_url",
    "views_from_db",
    "views_from_sql",
    "write_result",
]
