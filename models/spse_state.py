"""The SPSE connector's incremental state, read from the data it describes.

Each landed SPSE detail record carries the hash of the listing row it was fetched for and
whether the package was final then (``connectors/spse.py``). So the state is the data: it is
written in the same transaction as the detail record, and a detail that failed (quarantined)
leaves no state behind, so the next run fetches it again.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
from pantau.connectors.spse import RAW_DETAIL

Known = dict[tuple[str, str], frozenset[tuple[str, str]]]  # (slug label, jenis) -> (kode, hash)


def known_details(con: duckdb.DuckDBPyConnection) -> Known:
    """(region label, jenis) -> the (code, listing-row hash) pairs whose detail needs no refetch:
    fetched while the listing showed that very row, and final then."""
    rows = con.execute(
        f"""
        SELECT region, payload->>'jenis', payload->>'kode', payload->>'listing_hash'
        FROM raw.{RAW_DETAIL}
        WHERE TRY_CAST(payload->>'final' AS BOOLEAN)
        """
    ).fetchall()
    out: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for region, jenis, kode, row_hash in rows:
        out[(region, jenis)].add((kode, row_hash))
    return {k: frozenset(v) for k, v in out.items()}
