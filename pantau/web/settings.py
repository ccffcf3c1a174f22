"""``[web]`` settings, read in one place so a typed config can replace this function alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pantau.config import Config, ConfigError
from pantau.models import cases

DEFAULTS = {"query_timeout_seconds": 30, "session_idle_minutes": 60, "max_rows_shown": 500,
            "users_file": "var/web-users.txt"}


@dataclass(frozen=True)
class WebSettings:
    query_timeout_seconds: float
    cases_path: Path
    users_file: Path
    session_idle_minutes: int
    max_rows_shown: int


def web_settings(cfg: Config) -> WebSettings:
    raw = cfg.sections.get("web", {})
    unknown = set(raw) - {*DEFAULTS, "cases_path"}
    if unknown:
        raise ConfigError(f"[web]: unknown key(s) {', '.join(sorted(unknown))}")
    base = cfg.path.parent if cfg.path else Path()
    values = {**DEFAULTS, **raw}
    try:
        return WebSettings(
            query_timeout_seconds=float(values["query_timeout_seconds"]),
            cases_path=cases.store_path(raw, base),
            users_file=base / str(values["users_file"]),
            session_idle_minutes=int(values["session_idle_minutes"]),
            max_rows_shown=int(values["max_rows_shown"]),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[web]: {exc}") from None
