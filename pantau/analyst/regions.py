"""A region as an analyst names it: a watched region of the config, or a K/L/PD code or name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pantau.connectors.base import Region
from pantau.errors import UserError


@dataclass(frozen=True)
class RegionRef:
    kd_klpd: str
    name: str
    spse_slug: str | None = None


def _klpd_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str | None]]:
    try:
        return con.execute(
            "SELECT kd_klpd, name FROM main.agencies WHERE level = 'klpd' AND kd_klpd IS NOT NULL"
        ).fetchall()
    except duckdb.Error:  # an analyst copy without the agencies view
        return []


def klpd_codes(con: duckdb.DuckDBPyConnection,
               rows: list[tuple[str, str | None]] | None = None) -> dict[str, str]:
    """Each K/L/PD's lower-case name -> its kd_klpd, from the ``agencies`` view."""
    return {name.lower(): kd for kd, name in (_klpd_rows(con) if rows is None else rows) if name}


def resolve_region(watched: Sequence[Region], con: duckdb.DuckDBPyConnection,
                   value: str) -> RegionRef:
    """A watched region's name or code, or a K/L/PD code or name (from ``agencies``)."""
    text = value.strip()
    rows = _klpd_rows(con)
    codes = {kd.upper(): name or kd for kd, name in rows}  # kd_klpd -> name
    names = klpd_codes(con, rows)  # lower-case name -> kd_klpd
    for region in watched:
        if region.name.lower() == text.lower() or (region.kd_klpd or "").upper() == text.upper():
            kd = region.kd_klpd or names.get(region.name.lower())
            if not kd:
                raise UserError(f"region {region.name!r}: its K/L/PD code is not known yet "
                                "(set kd_klpd in the config, or run `pantau run` first)")
            return RegionRef(kd, region.name, region.spse_slug)
    if text.upper() in codes:
        return RegionRef(text.upper(), codes[text.upper()])
    if text.lower() in names:
        return RegionRef(names[text.lower()], value)
    if re.fullmatch(r"[DKL]\d+", text, flags=re.IGNORECASE):
        return RegionRef(text.upper(), text.upper())
    names_watched = ", ".join(repr(r.name) for r in watched) or "none configured"
    raise UserError(f"unknown region {value!r}: give a watched region ({names_watched}) "
                    "or a K/L/PD code such as D107")
