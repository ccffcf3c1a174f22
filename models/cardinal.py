"""OCP Cardinal's red-flag indicators, computed in DuckDB by ``sql/indicators/1xx_cardinal_*.sql``.

The same SQL runs in two places: ``pantau indicators FILE.jsonl`` (this module loads the compiled
releases into ``temp.cardinal_releases`` of an in-memory database and runs the shared files), and
the nightly build, which runs every file in name order: ``100_cardinal.sql`` numbers the processes
and hands the publishers' releases of OCDS-sourced processes to the JSON flattening
(``105_cardinal_flatten.sql``), and ``106_cardinal_from_core.sql`` adds every other process
straight from core (no JSON), with the values its OCDS export would give; then the same
indicator files run. Settings are Cardinal's INI file
(``ocdscardinal init``), given to the SQL as DuckDB variables ``cardinal_*``.

Semantics: ../shared/indicators.md §1 (open-contracting/cardinal-rs@b04158a).
"""

from __future__ import annotations

import configparser
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pantau.models.settings import SettingsError as IndicatorSettingsError
from pantau.models.transform import SQL_DIR, declared

log = logging.getLogger("pantau.cardinal")

INDICATORS = (
    "R003",
    "R018",
    "R024",
    "R025",
    "R028",
    "R030",
    "R035",
    "R036",
    "R038",
    "R048",
    "R058",
)
GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
_FILE = re.compile(r"^1\d\d_cardinal_\w+\.sql$")  # Cardinal's files; shared unless they read core

# Each indicator section's keys and their types (Cardinal's Settings struct, deny_unknown_fields).
_INT, _FLOAT, _STR = "integer", "decimal", "text"
_SECTION_KEYS: dict[str, dict[str, str]] = {
    "R003": {"threshold": _INT, "procurement_methods": _STR},
    "R018": {"procurement_methods": _STR},
    "R024": {"threshold": _FLOAT},
    "R025": {"percentile": _INT, "threshold": _FLOAT},
    "R028": {},
    "R030": {},
    "R035": {"threshold": _INT},
    "R036": {},
    "R038": {
        "threshold": _FLOAT,
        "minimum_submitted_bids": _INT,
        "minimum_contracting_processes": _INT,
    },
    "R048": {"digits": _INT, "threshold": _INT, "minimum_contracting_processes": _INT},
    "R058": {"threshold": _FLOAT},
}
_GLOBAL_KEYS = {
    "currency",
    "no_price_comparison_procurement_methods",
    "price_comparison_procurement_methods",
}
# Sections of Cardinal's `prepare` command: accepted (one settings file serves both commands)
# and ignored by the indicators.
_PREPARE_SECTIONS = {
    "defaults": {
        "currency",
        "item_classification_scheme",
        "bid_status",
        "award_status",
        "party_roles",
    },
    "redactions": {"amount", "organization_id"},
    "corrections": {"award_status_by_contract_status"},
    "modifications": {
        "move_auctions",
        "prefix_buyer_or_procuring_entity_id",
        "prefix_tenderer_or_supplier_id",
        "split_procurement_method_details",
    },
    "codelists.bid_status": None,  # any key
    "codelists.award_status": None,
}


class SettingsError(IndicatorSettingsError):
    """A settings file Cardinal would refuse; the CLI prints it as a one-line reason."""


@dataclass
class Settings:
    """Cardinal settings: which indicators run and their options (None = Cardinal's default)."""

    enabled: set[str] = field(default_factory=lambda: set(INDICATORS))
    currency: str | None = None
    no_price_comparison: str | None = None
    price_comparison: str | None = None
    exclusions: str | None = None  # [exclusions] procurement_method_details
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # section -> key -> value
    r003_details: dict[str, int] = field(default_factory=dict)  # [R003.procurement_method_details]

    def option(self, code: str, key: str) -> Any:  # noqa: ANN401 - int, float or text by key
        return self.options.get(code, {}).get(key)


def pipe_list(value: str | None) -> list[str] | None:
    """Cardinal's pipe-separated sets (Rust ``split_terminator('|')``: drops a trailing '|')."""
    if value is None:
        return None
    parts = value.split("|")
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _typed(section: str, key: str, kind: str, text: str) -> int | float | str:
    text = text.strip()
    value: int | float | str = text
    try:
        if kind == _INT:
            value = int(text)
        elif kind == _FLOAT:
            value = float(text)
    except ValueError:
        value = -1
    if isinstance(value, (int, float)) and value < 0:
        raise SettingsError(f"[{section}] {key} must be a non-negative {kind}, not {text!r}")
    return value


def parse_settings(text: str, *, source: str = "settings") -> Settings:
    """Parse Cardinal's INI text; an unknown section or key is an error, as in Cardinal."""
    parser = configparser.ConfigParser(
        interpolation=None,
        comment_prefixes=(";", "#"),
        inline_comment_prefixes=None,
        strict=True,
        default_section="\0no-default",
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign] # keys are case-sensitive
    try:
        parser.read_string("[\0global]\n" + text, source=source)
    except configparser.Error as exc:
        raise SettingsError(f"{source}: not a valid INI file: {exc}".replace("\0", "")) from None
    settings = Settings(enabled=set())
    for section in parser.sections():
        items = dict(parser.items(section))
        if section == "\0global":
            _check_keys("top level", items, _GLOBAL_KEYS)
            settings.currency = items.get("currency")
            settings.no_price_comparison = items.get("no_price_comparison_procurement_methods")
            settings.price_comparison = items.get("price_comparison_procurement_methods")
        elif section == "exclusions":
            _check_keys(section, items, {"procurement_method_details"})
            settings.exclusions = items.get("procurement_method_details")
        elif section == "R003.procurement_method_details":
            settings.r003_details = {k: int(_typed(section, k, _INT, v)) for k, v in items.items()}
        elif section in _SECTION_KEYS:
            keys = _SECTION_KEYS[section]
            _check_keys(section, items, set(keys))
            settings.enabled.add(section)
            settings.options[section] = {
                k: _typed(section, k, keys[k], v) for k, v in items.items()
            }
        elif section in _PREPARE_SECTIONS:
            allowed = _PREPARE_SECTIONS[section]
            if allowed is not None:
                _check_keys(section, items, allowed)
        else:
            raise SettingsError(f"{source}: unknown section [{section}]")
    return settings


def _check_keys(section: str, items: Mapping[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(items) - allowed)
    if unknown:
        raise SettingsError(
            f"unknown key {unknown[0]!r} in {section}"
            + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "")
        )


def settings_from_mapping(values: Mapping[str, Any]) -> Settings:
    """Settings from a config mapping such as ``[indicators.cardinal]`` in pantau.toml.

    The mapping mirrors the INI: top-level keys, an ``exclusions`` table and one table per
    indicator (``R003 = {threshold = 15}``). Unlike the INI, where a missing section disables
    its indicator, a nightly config only overrides: all 11 run unless ``enabled = [...]`` lists
    the ones to run (so setting one threshold never silently switches the others off).
    """
    values = dict(values)
    enabled = values.pop("enabled", None)
    lines: list[str] = []
    sections: list[str] = []
    for key, value in values.items():
        if not isinstance(value, Mapping):
            lines.append(f"{key} = {value}")
            continue
        sections.append(f"[{key}]")
        sections.extend(f"{k} = {v}" for k, v in value.items() if not isinstance(v, Mapping))
        for k, v in value.items():
            if isinstance(v, Mapping):
                sections.append(f"[{key}.{k}]")
                sections.extend(f"{kk} = {vv}" for kk, vv in v.items())
    settings = parse_settings("\n".join(lines + sections), source="[indicators.cardinal]")
    if enabled is None:
        settings.enabled = set(INDICATORS)
    else:
        unknown = set(enabled) - set(INDICATORS)
        if unknown:
            raise SettingsError(f"[indicators.cardinal] enabled names unknown indicator(s): "
                              f"{', '.join(sorted(unknown))}")
        settings.enabled = set(enabled)
    return settings


def set_variables(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Hand the settings to the SQL as DuckDB variables (unset = Cardinal's default)."""
    r003_keys = sorted(settings.r003_details)
    values: dict[str, Any] = {
        "cardinal_enabled": sorted(settings.enabled),
        "cardinal_currency": settings.currency,
        "cardinal_no_price_comparison": pipe_list(settings.no_price_comparison),
        "cardinal_price_comparison": pipe_list(settings.price_comparison),
        "cardinal_exclusions": pipe_list(settings.exclusions),
        "cardinal_r003_threshold": settings.option("R003", "threshold"),
        "cardinal_r003_procurement_methods": pipe_list(
            settings.option("R003", "procurement_methods")
        ),
        "cardinal_r003_pmd_keys": r003_keys,
        "cardinal_r003_pmd_values": [settings.r003_details[k] for k in r003_keys],
        "cardinal_r018_procurement_methods": pipe_list(
            settings.option("R018", "procurement_methods")
        ),
        "cardinal_r024_threshold": settings.option("R024", "threshold"),
        "cardinal_r025_percentile": settings.option("R025", "percentile"),
        "cardinal_r025_threshold": settings.option("R025", "threshold"),
        "cardinal_r035_threshold": settings.option("R035", "threshold"),
        "cardinal_r038_threshold": settings.option("R038", "threshold"),
        "cardinal_r038_minimum_submitted_bids": settings.option("R038", "minimum_submitted_bids"),
        "cardinal_r038_minimum_contracting_processes": settings.option(
            "R038", "minimum_contracting_processes"
        ),
        "cardinal_r048_digits": settings.option("R048", "digits"),
        "cardinal_r048_threshold": settings.option("R048", "threshold"),
        "cardinal_r048_minimum_contracting_processes": settings.option(
            "R048", "minimum_contracting_processes"
        ),
        "cardinal_r058_threshold": settings.option("R058", "threshold"),
    }
    casts = {"cardinal_r003_pmd_values": "BIGINT[]", "cardinal_r003_pmd_keys": "VARCHAR[]"}
    for name, value in values.items():
        if value is None:
            con.execute(f"RESET VARIABLE {name}")
            continue
        if isinstance(value, list):
            cast = casts.get(name, "VARCHAR[]")
        elif isinstance(value, float):
            cast = "DOUBLE"
        elif isinstance(value, int):
            cast = "BIGINT"
        else:
            cast = "VARCHAR"
        con.execute(f"SET VARIABLE {name} = CAST($v AS {cast})", {"v": value})


def sql_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """The Cardinal files `pantau indicators` runs: those whose ``-- depends:`` name only
    Cardinal's own objects (core.cardinal_* and its TEMP tables temp.cardinal_*, its input loaded
    from the file); the files that read core (100, 106: the night's input) run in the nightly
    build only."""
    return sorted(
        p
        for p in (sql_dir / "indicators").glob("*.sql")
        if _FILE.match(p.name)
        and all(d.startswith(("core.cardinal_", "temp.cardinal_")) for d in declared(p, "depends"))
    )


def read_jsonl(lines: Iterable[bytes]) -> list[tuple[int, str]]:
    """(line number, JSON text) of each line that is JSON; others skipped as Cardinal does."""
    rows = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue  # blank lines are skipped silently
        try:
            text = raw.decode("utf-8")
            json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            log.warning("Line %d is invalid JSON, skipping. [%s]", number, exc)
            continue
        rows.append((number, text))
    return rows


def load_releases(con: duckdb.DuckDBPyConnection, rows: list[tuple[int, str]]) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    table = pa.table(
        {
            "line_no": pa.array([r[0] for r in rows], pa.int64()),
            "release": pa.array([r[1] for r in rows], pa.string()),
        }
    )
    con.register("cardinal_input", table)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cardinal_releases AS "
        "SELECT line_no, CAST(release AS JSON) AS release FROM cardinal_input"
    )
    con.unregister("cardinal_input")


def run_sql(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> None:
    for path in sql_files(sql_dir):
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise RuntimeError(f"{path.name}: {exc}") from exc


def results(con: duckdb.DuckDBPyConnection, *, meta: bool = True) -> dict[str, Any]:
    """Cardinal's output: group -> id -> code -> value, plus Meta (rounded to 4 decimals)."""
    out: dict[str, Any] = {}
    rows = con.execute("SELECT grp, id, code, value FROM core.cardinal_result").fetchall()
    by_group: dict[str, dict[str, dict[str, float | None]]] = {}
    for grp, ident, code, value in rows:
        by_group.setdefault(grp, {}).setdefault(ident, {})[code] = _finite(value)
    for grp in GROUPS:
        if grp in by_group:
            out[grp] = {k: dict(sorted(v.items())) for k, v in sorted(by_group[grp].items())}
    if meta:
        meta_rows = con.execute("SELECT code, key, value FROM core.cardinal_meta").fetchall()
        if meta_rows:
            out["Meta"] = {}
            for code, key, value in sorted(meta_rows):
                out["Meta"].setdefault(code, {})[key] = _finite(_round4(value))
    return out


def _finite(value: float | None) -> float | None:
    # serde_json writes NaN and infinities as null.
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return value


def _round4(value: float | None) -> float | None:
    """Rust's ``(v * 10_000.0).round() / 10_000.0``: halves round away from zero."""
    if value is None or math.isnan(value) or math.isinf(value):
        return value
    scaled = value * 10_000.0
    whole = math.trunc(scaled)
    if abs(scaled - whole) >= 0.5:
        whole += int(math.copysign(1, scaled))
    return whole / 10_000.0


def indicators(lines: Iterable[bytes], settings: Settings, *, meta: bool = True) -> dict[str, Any]:
    """Run the indicators over JSON Lines of compiled releases; Cardinal's result dict."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        load_releases(con, read_jsonl(lines))
        set_variables(con, settings)
        run_sql(con)
        return results(con, meta=meta)
    finally:
        con.close()


def dumps(result: Mapping[str, Any]) -> str:
    """Compact JSON as Cardinal prints it (serde_json: no spaces)."""
    return json.dumps(result, separators=(",", ":"), ensure_ascii=False)


def configure(con: duckdb.DuckDBPyConnection, indicators_section: Mapping[str, Any]) -> Settings:
    """Set the nightly build's Cardinal variables from ``[indicators.cardinal]`` (call before
    ``models.transform.build``); without that table all 11 run with Cardinal's defaults."""
    table = indicators_section.get("cardinal")
    settings = settings_from_mapping(table) if isinstance(table, Mapping) else Settings()
    set_variables(con, settings)
    return settings
