"""Indicator and metric settings: pantau.toml ``[indicators]`` over the defaults in SQL.

The defaults, their units and legal basis live once, in ``sql/indicators/050_settings.sql``
(the build turns them into ``core.settings`` and the analyst view ``indicator_settings``). This
module only writes the configured overrides to ``core.setting_overrides``, a table the nightly
rebuild never drops, and checks them against the defaults: an unknown name or a value of the wrong
shape is a configuration error, never a silent fallback.

Call :func:`apply` on the warehouse connection before ``models.transform.build``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import duckdb
from pantau.models.db import transaction
from pantau.models.transform import SQL_DIR

SETTINGS_SQL = SQL_DIR / "indicators" / "050_settings.sql"

_OVERRIDES_DDL = """
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE IF NOT EXISTS core.setting_overrides (
    name VARCHAR PRIMARY KEY, value JSON, set_at TIMESTAMPTZ
);
"""


class SettingsError(ValueError):
    """A setting the user must fix (the config names it); the CLI prints it as one line."""


def check(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides as stored, or a SettingsError naming the first wrong one."""
    values = {name: _jsonable(name, value) for name, value in overrides.items()}
    known = defaults()
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SettingsError(f"unknown setting(s) in [indicators]: {', '.join(unknown)} "
                            f"(see the indicator_settings view for the names)")
    return {name: _check_shape(name, value, known[name]) for name, value in values.items()}


def apply(con: duckdb.DuckDBPyConnection, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Replace the stored overrides with ``overrides`` (an empty mapping restores the defaults);
    ``[indicators]`` of the config, without its ``cardinal`` table (models/cardinal.py)."""
    values = check(overrides)
    con.execute(_OVERRIDES_DDL)
    with transaction(con):
        con.execute("DELETE FROM core.setting_overrides")
        now = datetime.now(UTC)
        for name, value in sorted(values.items()):
            con.execute("INSERT INTO core.setting_overrides VALUES ($n, $v, $t)",
                        {"n": name, "v": json.dumps(value), "t": now})
    return values


def defaults() -> dict[str, Any]:
    """The default of every setting, read from the SQL in a scratch in-memory database."""
    scratch = duckdb.connect()
    try:
        scratch.execute(_OVERRIDES_DDL)
        scratch.execute(SETTINGS_SQL.read_text(encoding="utf-8"))
        rows = scratch.execute("SELECT name, default_value FROM core.setting_defaults").fetchall()
    finally:
        scratch.close()
    return {name: json.loads(value) for name, value in rows}


def _jsonable(name: str, value: object) -> Any:  # noqa: ANN401 - TOML values are free-form
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(name, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(name, v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise SettingsError(f"[indicators] {name}: unsupported value {value!r}")


def _shape(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    return "null"


def _check_shape(name: str, value: Any, default: object) -> Any:  # noqa: ANN401
    """The value as stored, or a SettingsError naming what is wrong with it."""
    want, got = _shape(default), _shape(value)
    if want == "null":  # an unset setting (off by default) takes a number
        if got != "number":
            raise SettingsError(f"[indicators] {name} must be a number, not {got}")
        return value
    if got != want:
        raise SettingsError(f"[indicators] {name} must be a {want}, not {got} ({value!r})")
    if name == "perpres_46_2025_effective_date":
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise SettingsError(f"[indicators] {name} must be a date, e.g. 2025-04-30") from None
    if name.endswith("_bands"):
        return _check_bands(name, value)
    return value


def _check_bands(name: str, bands: list[Any]) -> list[dict[str, Any]]:
    """Bands in ascending order; the open-ended last band omits its bound (TOML has no null)."""
    key = "below" if name == "pfa2_bands" else "max"
    out = []
    for band in bands:
        if not isinstance(band, dict) or "score" not in band or set(band) - {key, "score"}:
            raise SettingsError(f"[indicators] {name}: each band is {{{key} = ..., score = ...}}")
        out.append({key: band.get(key), "score": band["score"]})
    bounds = [b[key] for b in out]
    finite = [b for b in bounds if b is not None]
    if finite != sorted(finite) or None in bounds[:-1]:
        raise SettingsError(f"[indicators] {name}: bands must be in ascending order of {key}, "
                          f"the open-ended band (no {key}) last")
    return out
