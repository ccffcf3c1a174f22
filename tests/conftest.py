"""Shared fixtures: the real captures (read in place) and a warehouse built from them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pantau.models.db import open_warehouse
from pantau.models.loader import land
from pantau.models.publish import publish
from pantau.models.transform import build

SHARED = Path(__file__).resolve().parents[2] / "shared"
BANDUNG = SHARED / "data" / "isb-kab-bandung-2025"


def present(value: object) -> bool:
    """Cardinal's coverage: null and empty strings, arrays and objects are absent."""
    return value not in (None, "", [], {})


def require_shared(path: Path) -> Path:
    """Skip (with the reason) when the real captures beside the checkout are missing."""
    if not path.exists():
        pytest.skip(f"real captures not found at {path} (../shared is not beside this checkout)")
    return path


@pytest.fixture(scope="session")
def bandung_dir() -> Path:
    return require_shared(BANDUNG)


def load_bandung(db: Path, run_date: date | None = None) -> None:
    """Land every captured Kab. Bandung dataset as the connector would, then build core."""
    with open_warehouse(db) as con:
        for ds in isb.KEYED_DATASETS:
            path = BANDUNG / f"{ds.name}.json"
            if path.exists():
                prov = Provenance("isb", f"file://{path.name}", datetime.now(UTC))
                land(con, isb.to_batch(ds, path.read_bytes(), prov, region="D107", year=2025), "t")
        build(con, run_date=run_date)


@pytest.fixture(scope="session")
def bandung_analyst(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path) -> Path:
    """A published analyst copy of the real Kab. Bandung 2025 data (read-only use only)."""
    out = tmp_path_factory.mktemp("bandung")
    load_bandung(out / "w.duckdb")
    return publish(out / "w.duckdb", out / "analyst.duckdb")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a reliability run, the tally issue 9 asks for."""
    import sys  # noqa: PLC0415

    module = sys.modules.get("test_reliability")
    tally = getattr(module, "RELIABILITY", None)
    if not tally:
        return
    terminalreporter.section("reliability")
    for item in ("runs under faults", "crashes survived", "malformed inputs tried",
                 "records lost", "records duplicated", "alerts duplicated"):
        terminalreporter.write_line(f"{item}: {tally.get(item, 0)}")
