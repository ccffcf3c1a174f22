"""The web layer's own settings: ``[web]`` of the typed config with its paths resolved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pantau.flows.config import Config


@dataclass(frozen=True)
class WebSettings:
    query_timeout_seconds: float
    cases_path: Path
    users_file: Path
    session_idle_minutes: int
    max_rows_shown: int


def web_settings(cfg: Config) -> WebSettings:
    return WebSettings(
        query_timeout_seconds=cfg.web.query_timeout_seconds,
        cases_path=cfg.cases_path,
        users_file=cfg.base / cfg.web.users_file,
        session_idle_minutes=cfg.web.session_idle_minutes,
        max_rows_shown=cfg.web.max_rows_shown,
    )
