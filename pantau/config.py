"""Configuration: one TOML file for settings, one secrets TOML outside git.

Lookup order for the config file: ``--config``, then ``PANTAU_CONFIG``, then ``./pantau.toml``;
when none exists the embedded defaults (``pantau/default.toml``) apply. Secrets (ISB subscriber
URLs, API keys, channel URLs with tokens) come only from the file named by ``PANTAU_SECRETS``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).with_name("default.toml")


class ConfigError(ValueError):
    """A configuration the user must fix; the CLI prints it as a one-line reason."""


@dataclass(frozen=True)
class Region:
    name: str
    kd_klpd: str | None = None
    kd_lpse: int | None = None
    spse_slug: str | None = None

    @property
    def label(self) -> str:
        """A short, stable label used in run records and file names."""
        return self.kd_klpd or self.spse_slug or self.name


@dataclass(frozen=True)
class SourceConfig:
    name: str
    enabled: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:  # noqa: ANN401 - settings are free-form TOML
        return self.settings.get(key, default)


@dataclass(frozen=True)
class Config:
    path: Path | None
    database_path: Path
    analyst_path: Path
    years: tuple[int, ...]
    regions: tuple[Region, ...]
    sources: dict[str, SourceConfig]
    http: dict[str, Any]
    run: dict[str, Any]
    sections: dict[str, Any]
    secrets: dict[str, Any] = field(repr=False)  # never printed

    def source(self, name: str) -> SourceConfig | None:
        """The source's config when it is present and enabled, else None (it does not run)."""
        src = self.sources.get(name)
        return src if src is not None and src.enabled else None

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})

    def secret_values(self) -> list[str]:
        """Every string in the secrets file: the redactor masks each wherever it appears."""
        return [v for v in _walk_strings(self.secrets) if len(v) >= 6]


def _walk_strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _walk_strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _walk_strings(v)]
    return []


KNOWN_SECTIONS = {
    "database",
    "run",
    "regions",
    "sources",
    "http",
    "alerts",
    "inspectorates",
    "indicators",
    "metrics",
    "report",
    "schedules",
    "web",
}


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


def load_config(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = find_config_path(explicit)
    raw = _read_toml(path or DEFAULT_CONFIG, "config file")
    return build_config(raw, path=path, secrets=load_secrets())


def build_config(
    raw: dict[str, Any], *, path: Path | None = None, secrets: dict[str, Any] | None = None
) -> Config:
    unknown = set(raw) - KNOWN_SECTIONS
    if unknown:
        raise ConfigError(f"unknown section(s) in config: {', '.join(sorted(unknown))}")
    base = path.parent if path else Path()
    db = raw.get("database", {})
    db_path = base / db.get("path", "var/pantau.duckdb")
    analyst = base / db["analyst_path"] if "analyst_path" in db else _analyst_path(db_path)
    run = raw.get("run", {})
    years = tuple(int(y) for y in run.get("years", []))
    if not years:
        raise ConfigError("[run] years must list at least one budget year, e.g. years = [2025]")
    regions = tuple(_region(r) for r in raw.get("regions", []))
    if len({r.name for r in regions}) != len(regions):
        raise ConfigError("two [[regions]] share a name")
    sources = {
        name: SourceConfig(name, bool(s.get("enabled", True)), dict(s))
        for name, s in raw.get("sources", {}).items()
    }
    sections = {k: v for k, v in raw.items() if k not in {"database", "run", "regions", "sources"}}
    return Config(
        path=path,
        database_path=db_path,
        analyst_path=analyst,
        years=years,
        regions=regions,
        sources=sources,
        http=dict(raw.get("http", {})),
        run=dict(run),
        sections=sections,
        secrets=secrets or {},
    )


def _analyst_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.stem + "-analyst" + db_path.suffix)


def _region(raw: dict[str, Any]) -> Region:
    if "name" not in raw and raw.get("spse_slug"):
        raw = {**raw, "name": raw["spse_slug"]}  # an SPSE-only region may be just its slug
    if "name" not in raw:
        raise ConfigError("every [[regions]] entry needs a name")
    allowed = {"name", "kd_klpd", "kd_lpse", "spse_slug"}
    extra = set(raw) - allowed
    if extra:
        raise ConfigError(f"region {raw['name']!r}: unknown key(s) {', '.join(sorted(extra))}")
    kd_lpse = raw.get("kd_lpse")
    return Region(
        name=str(raw["name"]),
        kd_klpd=str(raw["kd_klpd"]) if raw.get("kd_klpd") else None,
        kd_lpse=int(kd_lpse) if kd_lpse is not None else None,
        spse_slug=raw.get("spse_slug"),
    )
