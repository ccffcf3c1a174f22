"""Each inspectorate's e-pengaduan PBJ status now and its history, from the analyst copy."""

from __future__ import annotations

from typing import Any

import duckdb

from pantau.errors import UserError


def status_and_history(con: duckdb.DuckDBPyConnection, inspectorate_id: str | None = None,
                       ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of the ``inspectorates`` view (inspectorate, status, since, checked_on, source,
    disagreement, by_source, evidence_url, last_evidence_url) and of ``inspectorate_history``
    (inspectorate, source, status, valid_from, valid_to, evidence_url); all, or one's."""
    try:
        current = con.execute(
            "SELECT inspectorate, status, since, checked_on, source, disagreement, "
            "by_source, evidence_url, last_evidence_url FROM main.inspectorates "
            "WHERE $w IS NULL OR inspectorate_id = $w ORDER BY inspectorate_id",
            {"w": inspectorate_id}).fetchall()
        history = con.execute(
            "SELECT inspectorate, source, status, valid_from, valid_to, evidence_url "
            "FROM main.inspectorate_history WHERE $w IS NULL OR inspectorate_id = $w "
            "ORDER BY inspectorate_id, source, valid_from", {"w": inspectorate_id}).fetchall()
    except duckdb.CatalogException:
        raise UserError("the analyst copy has no inspectorate views yet: run "
                        "`pantau inspectorates --check`") from None
    return current, history
