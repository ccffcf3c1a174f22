"""Long work shows progress: live bars on a terminal, plain lines elsewhere; the night reports
its stages (fetching groups with records, building, publishing)."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from pantau.models import progress
from pipeline_helpers import make_config, run_plain

from pantau.progress import shown
from pantau.simulator.server import Simulator
from pantau.simulator.world import World


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "progress"):
            self.events.append(record.progress)


def test_a_night_reports_every_group_and_its_stages(tmp_path: Path) -> None:
    seen = _Records()
    logger = logging.getLogger(progress.LOGGER)
    logger.addHandler(seen)
    logger.setLevel(logging.INFO)
    try:
        with Simulator(World(seed=4, scale=0.1)) as sim:
            cfg = make_config(tmp_path, sim.url, [{"name": "Kota Semarang"}])
            summary = run_plain(cfg)
    finally:
        logger.removeHandler(seen)
    fetching = [e for e in seen.events if e["stage"] == "fetching"]
    total = fetching[0]["total"]
    assert total >= 1
    assert [e["done"] for e in fetching] == list(range(total + 1))  # each group once, in order
    assert fetching[-1]["records"] == sum(r.n_records for r in summary.landed)
    stages = [e["stage"] for e in seen.events]
    assert stages.index("building") > stages.index("fetching")
    assert stages[-1] == "publishing"


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with shown(out, live=False):
        progress.report("fetching", done=0, total=3, records=0)
        progress.report("fetching", done=1, total=3, records=10)  # within 5 s: not repeated
        progress.report("fetching", done=3, total=3, records=25)  # the last is always shown
        progress.report("building", what="core")
    assert out.getvalue().splitlines() == [
        "pantau: fetching 0/3 - 0 records",
        "pantau: fetching 3/3 - 25 records",
        "pantau: building - core",
    ]


def test_a_live_display_on_a_terminal() -> None:
    out = io.StringIO()
    with shown(out, live=True):
        progress.report("fetching", done=2, total=4, records=1234)
        progress.report("publishing", what="var/x.duckdb")
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out.getvalue())  # terminal control codes
    assert "fetching" in text
    assert "4/4" in text  # a finished stage is drawn complete
    assert "1,234 records" in text
    assert "publishing" in text


@pytest.mark.parametrize("live", [False, True])
def test_the_display_leaves_the_logger_as_it_found_it(live: bool) -> None:
    logger = logging.getLogger(progress.LOGGER)
    before = list(logger.handlers)
    with shown(io.StringIO(), live=live):
        assert len(logger.handlers) == len(before) + 1
    assert logger.handlers == before
