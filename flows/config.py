"""Configuration: one typed TOML file for settings, one secrets TOML outside git.

Lookup order for the config file: ``--config``, then ``PANTAU_CONFIG``, then ``./pantau.toml``;
the file found is overlaid on the embedded defaults (``flows/default.toml``): tables merge key by
key, arrays (and ``[[regions]]``) replace. Every default value lives once, in the models below
(or in the settings class of the layer that uses it); docs/configuration.md is generated from
them (``make docs``). Every section forbids unknown keys: an error is one line naming the
section and the key. Secrets (ISB subscriber URLs, the INAPROC token, channel URLs with
tokens) come only from the file named by ``PANTAU_SECRETS`` and are never printed.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pantau.connectors import registry
from pantau.connectors.base import Region
from pantau.connectors.http import HttpSettings
from pantau.flows.schedule import Schedules
from pantau.models import cardinal
from pantau.models import settings as indicator_settings
from pantau.models.alerts import AlertSettings
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

DEFAULT_CONFIG = Path(__file__).with_name("default.toml")
JAKARTA = ZoneInfo("Asia/Jakarta")


class ConfigError(ValueError):
    """A configuration the user must fix; the CLI prints it as a one-line reason."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _this_year() -> list[int]:
    return [datetime.now(JAKARTA).year]


_SIZE = r"^\s*\d+(\.\d+)?\s*[KMGT]i?B\s*$"  # a DuckDB size such as "1GB"


class DatabaseSection(_Section):
    """``[database]``: where the warehouse lives."""

    path: str = Field("var/pantau.duckdb", description=(
        "The pipeline's own DuckDB file (one writer); relative to the config file's folder."))
    analyst_path: str | None = Field(None, description=(
        "The published read-only copy analysts open (default: the path with -analyst before "
        "its suffix)."))


class RunSection(_Section):
    """``[run]``: what the nightly run fetches and how it spreads the work."""

    years: list[int] = Field(default_factory=_this_year, description=(
        "Budget years fetched (default: the current year in Asia/Jakarta)."))
    task_runner: Literal["threads", "dask"] = Field("threads", description=(
        'Where fetches run: "threads" in this process, or "dask" (the dask extra).'))
    max_workers: int = Field(4, ge=1, description=(
        "Fetch workers (threads; with dask, threads per worker process)."))
    max_in_flight: int | None = Field(None, ge=1, description=(
        "Fetch groups being fetched at once (default: twice max_workers)."))
    # 100,000: half as many landings as 50,000, each a dozen fixed-cost statements per raw
    # table; at 1M the first night then peaked at 1483 MB (docs/operations.md, "National scale").
    max_held_records: int = Field(100_000, ge=1, description=(
        "Records fetched and not yet landed, about at most: the writer lands what has arrived "
        "once it holds half of them, and no more is fetched while it would pass them."))
    dask_address: str | None = Field(None, description=(
        'A running Dask scheduler, e.g. "tcp://host:8786" (default: a local cluster).'))
    dask_workers: int = Field(2, ge=1, description="Worker processes of the local Dask cluster.")
    memory_limit: str | None = Field(None, pattern=_SIZE, description=(
        'A cap on DuckDB\'s buffer pool, e.g. "1GB" (it spills to disk beyond it).'))
    checkpoint_threshold: str | None = Field(None, pattern=_SIZE, description=(
        'DuckDB\'s WAL size before a checkpoint while landing, e.g. "1GB".'))
    landing: Literal["duckdb", "parquet"] = Field("duckdb", description=(
        'How raw lands: "duckdb" through the flow, or "parquet" partitions written by the '
        "workers."))
    parquet_dir: str | None = Field(None, description=(
        "Where Parquet partitions go (default: raw-parquet beside the warehouse file)."))
    max_shrink: float = Field(0.2, ge=0, le=1, description=(
        "An answer with more than this share fewer records than the last landed answer of the "
        "same source, dataset, region and year (or empty where that was not) is not applied: "
        "it waits in quarantine until `pantau run --accept-shrink DATASET`."))

    @field_validator("years")
    @classmethod
    def _some_year(cls, years: list[int]) -> list[int]:
        if not years:
            raise ValueError("[run] years must list at least one budget year, e.g. years = [2025]")
        return years

    @property
    def in_flight(self) -> int:
        return self.max_in_flight or 2 * self.max_workers


class RegionEntry(_Section):
    """``[[regions]]``: a watched region; codes are resolved from LKPP's master lists by name
    when absent (never guess them)."""

    name: str | None = Field(None, description="The region's name (default: its spse_slug).")
    kd_klpd: str | None = Field(None, description="LKPP's K/L/PD code, e.g. \"D107\".")
    kd_lpse: int | None = Field(None, description="LKPP's LPSE code.")
    spse_slug: str | None = Field(None, description=(
        "Its slug on the SPSE portal, or a legacy portal's whole URL."))
    watched: bool = Field(default=True, description=(
        "SPSE: its detail pages are fetched every night, before other regions', within "
        "[sources.spse] max_requests_per_night; false for the regions of a national crawl "
        "that may wait a night or more."))

    def region(self) -> Region:
        if not (self.name or self.spse_slug):
            raise ValueError("every [[regions]] entry needs a name")
        return Region(str(self.name or self.spse_slug), self.kd_klpd, self.kd_lpse,
                      self.spse_slug, self.watched)


class RegisterEntry(_Section):
    """One entry of ``[inspectorates] sources``: a register or published list."""

    name: str | None = Field(None, description="A label (default: from the file name).")
    url: str | None = Field(None, description="Where it is published (or give path).")
    path: str | None = Field(None, description=(
        "A file, read beside the config file, then from the package's registers."))
    format: Literal["csv", "json", "html"] | None = Field(None, description=(
        "Its format (default: from the suffix)."))
    columns: dict[str, str] | None = Field(None, description=(
        "html: field -> column header (at least inspectorate and status)."))
    status_map: dict[str, str] | None = Field(None, description=(
        'Its own words for a status, e.g. {"Terintegrasi" = "joined"}.'))
    table: str | None = Field(None, description="html: CSS selector of the table.")


class InspectoratesSection(_Section):
    """``[inspectorates]``: the APIP registers of e-pengaduan PBJ (issue 6), read every six
    hours and in the night."""

    sources: tuple[RegisterEntry, ...] = Field((), description=(
        "The registers read (see the entry's keys below)."))
    watch: tuple[str, ...] = Field((), description=(
        "Watched inspectorates, by K/L/PD code or region name (empty: every one)."))


class IndicatorsSection(BaseModel):
    """``[indicators]``: overrides of the indicator settings (names, defaults, units and legal
    basis: the ``indicator_settings`` view), and ``[indicators.cardinal]``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    cardinal: dict[str, Any] | None = Field(None, description=(
        "Cardinal's settings: enabled indicators and their options."))

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _known(self) -> IndicatorsSection:
        try:
            if self.overrides:
                indicator_settings.check(self.overrides)
        except indicator_settings.SettingsError as exc:
            raise ValueError(str(exc)) from None
        try:
            if self.cardinal is not None:
                cardinal.settings_from_mapping(self.cardinal)
        except indicator_settings.SettingsError as exc:
            raise ValueError(f"[indicators.cardinal] {exc}") from None
        return self


class WebSection(_Section):
    """``[web]``: ``pantau serve``, the web workbench (issue 17). Without users it serves only
    a loopback address."""

    query_timeout_seconds: float = Field(30, gt=0, description=(
        "A query of the SQL page is interrupted after this many seconds."))
    cases_path: str = Field("var/cases.sqlite", description=(
        "The follow-up cases (SQLite), published into the analyst copy as `cases` and "
        "`case_actions`; relative to the config file's folder."))
    users_file: str = Field("var/web-users.txt", description=(
        "Who may log in: `pantau users add NAME` writes argon2 hashes here; relative to the "
        "config file's folder."))
    session_idle_minutes: int = Field(60, ge=1, description=(
        "A session ends after this many minutes without a request."))
    max_rows_shown: int = Field(500, ge=1, description=(
        "SQL results shown on the page (a download has every row)."))


def _sources_model() -> type[BaseModel]:
    """``[sources.<name>]`` for every registered source with settings (connectors/registry)."""
    fields: dict[str, Any] = {
        s.name: (s.settings | None, Field(None, description=s.settings.__doc__))
        for s in registry.SOURCES if s.settings is not None
    }
    return create_model("SourcesSection", __config__=ConfigDict(extra="forbid", frozen=True),
                        **fields)


SourcesSection = _sources_model()


class ConfigFile(_Section):
    """The shape of pantau.toml, section by section."""

    database: DatabaseSection = Field(default_factory=DatabaseSection)
    run: RunSection = Field(default_factory=RunSection)
    http: HttpSettings = Field(default_factory=HttpSettings, description=(
        "``[http]``: how every request behaves (a source may be politer: its own settings)."))
    regions: list[RegionEntry] = Field(default_factory=list)
    sources: SourcesSection = Field(default_factory=SourcesSection)  # type: ignore[valid-type]
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    schedule: Schedules = Field(default_factory=Schedules)
    inspectorates: InspectoratesSection | None = None
    indicators: IndicatorsSection = Field(default_factory=IndicatorsSection)
    web: WebSection = Field(default_factory=WebSection)


@dataclass(frozen=True)
class Config:
    """A loaded configuration: the validated sections, composed; each layer is handed its own."""

    path: Path | None  # the user's file (None: the embedded defaults only)
    database_path: Path
    analyst_path: Path
    run: RunSection
    http: HttpSettings
    regions: tuple[Region, ...]
    sources: Mapping[str, Any]  # name -> the settings of each source configured in [sources]
    alerts: AlertSettings
    schedule: Schedules
    inspectorates: InspectoratesSection | None
    indicators: IndicatorsSection
    web: WebSection
    secrets: Mapping[str, Any] = field(repr=False)  # never printed

    @property
    def base(self) -> Path:
        """The folder relative paths in the config are read from."""
        return self.path.parent if self.path else Path()

    @property
    def cases_path(self) -> Path:
        """The follow-up store: the web writes it, publish copies it, the overdue rule reads it."""
        return self.base / self.web.cases_path

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(self.run.years)

    @property
    def parquet_root(self) -> Path:
        """[run] parquet_dir (default: raw-parquet beside the warehouse file)."""
        if self.run.parquet_dir:
            path = Path(self.run.parquet_dir)
            return path if path.is_absolute() else self.base / path
        return self.database_path.parent / "raw-parquet"

    def source(self, name: str) -> Any:  # noqa: ANN401 - each source has its own settings class
        """The source's settings when it is configured and enabled, else None (it does not run)."""
        settings = self.sources.get(name)
        return settings if settings is not None and settings.enabled else None

    def secret_values(self) -> list[str]:
        return secret_strings(self.secrets)


def secret_strings(secrets: Mapping[str, Any]) -> list[str]:
    """Every string in a secrets file: the redactor masks each wherever it appears."""
    return [v for v in _walk_strings(secrets) if len(v) >= 6]


def _walk_strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _walk_strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _walk_strings(v)]
    return []


# --- loading --------------------------------------------------------------------------------


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    env = os.environ.get("PANTAU_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"PANTAU_CONFIG points to a missing file: {path}")
        return path
    local = Path("pantau.toml")
    return local if local.is_file() else None


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from exc


def load_secrets() -> dict[str, Any]:
    env = os.environ.get("PANTAU_SECRETS")
    if not env:
        return {}
    path = Path(env)
    if not path.is_file():
        raise ConfigError(f"PANTAU_SECRETS points to a missing file: {path}")
    return _read_toml(path, "secrets file")


def overlay(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, anything else (arrays too) replaces."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = overlay(out[key], value)
        else:
            out[key] = value
    return out


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config_path(explicit)
    raw = _read_toml(DEFAULT_CONFIG, "embedded defaults")
    if path is not None:
        raw = overlay(raw, _read_toml(path, "config file"))
    return build_config(raw, path=path, secrets=load_secrets())


def build_config(
    raw: Mapping[str, Any], *, path: Path | None = None, secrets: Mapping[str, Any] | None = None
) -> Config:
    """Validate a whole configuration (no overlay: ``load_config`` overlays the defaults)."""
    try:
        file = ConfigFile.model_validate(raw)
        regions = tuple(r.region() for r in file.regions)
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from None
    except ValueError as exc:
        raise ConfigError(f"config: {exc}") from None
    if len({r.name for r in regions}) != len(regions):
        raise ConfigError("config: two [[regions]] share a name")
    base = path.parent if path else Path()
    db_path = base / file.database.path
    analyst = (base / file.database.analyst_path if file.database.analyst_path
               else db_path.with_name(db_path.stem + "-analyst" + db_path.suffix))
    sources = {name: s for name, s in file.sources if s is not None}
    return Config(path=path, database_path=db_path, analyst_path=analyst, run=file.run,
                  http=file.http, regions=regions, sources=sources, alerts=file.alerts,
                  schedule=file.schedule,
                  inspectorates=file.inspectorates, indicators=file.indicators, web=file.web,
                  secrets=dict(secrets or {}))


# --- one-line errors ------------------------------------------------------------------------

_MESSAGES = {
    "int_type": "must be a whole number", "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number", "float_type": "must be a number",
    "float_parsing": "must be a number", "bool_type": "must be true or false",
    "bool_parsing": "must be true or false", "string_type": "must be text",
    "list_type": "must be a list", "tuple_type": "must be a list",
    "dict_type": "must be a table", "model_type": "must be a table",
    "dataclass_type": "must be a table", "model_attributes_type": "must be a table",
    "missing": "is required", "missing_argument": "is required",
    "string_pattern_mismatch": "must be a size such as '1GB'",  # the only pattern: DuckDB sizes
}
_UNKNOWN = {"extra_forbidden", "unexpected_keyword_argument"}


def _section(loc: tuple[int | str, ...]) -> str:
    """``('alerts', 'metrics', 0)`` -> ``[[alerts.metrics]] #1``; ``('run',)`` -> ``[run]``."""
    names = [str(p) for p in loc if isinstance(p, str)]
    index = next((p for p in loc if isinstance(p, int)), None)
    if index is not None:
        return f"[[{'.'.join(names)}]] #{index + 1}"
    return f"[{'.'.join(names)}]"


def describe(exc: ValidationError) -> str:
    """The first error of a validation, in one line naming the section and the key."""
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind in _UNKNOWN:
        if len(loc) == 1:
            return f"config: unknown section [{loc[0]}]"
        return f"config: unknown key {str(loc[-1])!r} in {_section(loc[:-1])}"
    if kind == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"config: {reason}" if "[" in reason else f"config: {_section(loc)}: {reason}"
    reason = _MESSAGES.get(kind) or error["msg"].replace("Input should be", "must be")
    *section, key = loc if isinstance(loc[-1], str) else (*loc, "")
    return f"config: {_section(tuple(section))} {key}: {reason}"


# --- docs/configuration.md ------------------------------------------------------------------


def _type_of(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return " \\| ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        kinds = [_type_of(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " \\| ".join(kinds) + " (optional)"
    if "$ref" in prop:
        return "table"
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    return {"integer": "whole number", "number": "number", "string": "text",
            "boolean": "true/false", "object": "table"}.get(str(kind), "any")


def _default_of(prop: Mapping[str, Any]) -> str:
    if "default" not in prop or prop["default"] is None:
        return "(unset)"
    return f"`{json.dumps(prop['default'], ensure_ascii=False)}`"


def _ref(prop: Mapping[str, Any]) -> str | None:
    for candidate in (prop, prop.get("items", {}), *prop.get("anyOf", [])):
        if "$ref" in candidate:
            return str(candidate["$ref"]).rsplit("/", 1)[-1]
        if candidate.get("type") == "array" and "$ref" in candidate.get("items", {}):
            return str(candidate["items"]["$ref"]).rsplit("/", 1)[-1]
    return None


def _doc(text: str | None) -> str:
    return " ".join((text or "").replace("``", "`").split())


def configuration_markdown() -> str:
    """docs/configuration.md: every section and key, its type, default and meaning."""
    schema = ConfigFile.model_json_schema()
    defs = schema["$defs"]
    lines = [
        "# Configuration",
        "",
        "Generated from `flows/config.py` and the settings classes it composes (`make docs`;",
        "a test fails when this file differs). pantau reads `--config`, else `$PANTAU_CONFIG`,",
        "else `./pantau.toml`, over the embedded defaults (`flows/default.toml`): tables merge",
        "key by key, arrays and `[[regions]]` replace. An unknown section or key is an error",
        "naming both. Secrets (ISB dataset URLs, the INAPROC token, alert channels) belong in",
        "the file named by `PANTAU_SECRETS`, never here (see `secrets.example.toml`).",
    ]

    def section(title: str, name: str, prefix: str) -> None:
        model = defs[name]
        lines.extend(["", f"## `{title}`", "", _doc(model.get("description")), "",
                      "| key | type | default | meaning |", "|---|---|---|---|"])
        nested = []
        required = set(model.get("required", []))
        for key, prop in model.get("properties", {}).items():
            ref = _ref(prop)
            if ref and ref != name and defs[ref].get("properties"):
                array = prop.get("type") == "array" or any(
                    p.get("type") == "array" for p in prop.get("anyOf", []))
                nested.append((f"[{prefix}.{key}]" if array else f"{prefix}.{key}", ref))
                continue
            default = "(required)" if key in required else _default_of(prop)
            lines.append(f"| `{key}` | {_type_of(prop)} | {default} | "
                         f"{_doc(prop.get('description'))} |")
        for sub_title, ref in nested:
            section(f"[{sub_title}]", ref, sub_title.strip("[]"))

    for key, prop in schema["properties"].items():
        ref = _ref(prop)
        if key == "sources":
            for source, sprop in defs[str(ref)]["properties"].items():
                section(f"[sources.{source}]", str(_ref(sprop)), f"sources.{source}")
        elif key == "regions":
            section("[[regions]]", str(ref), "regions")
        else:
            section(f"[{key}]", str(ref), key)
    return "\n".join(lines) + "\n"
