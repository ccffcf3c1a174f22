"""metric_history: one snapshot per run date, kept across rebuilds; metric_trends compares them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import load_bandung
from indicator_world import World
from pantau.models.db import open_warehouse
from pantau.models.transform import build


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


def _snapshots(con):
    return con.execute(
        "SELECT snapshot_date, count(*) FROM metric_history GROUP BY 1 ORDER BY 1").fetchall()


def _value(con, day, metric="tenders_finished", year=2025):
    return con.execute(
        "SELECT value FROM metric_history WHERE snapshot_date = $d AND metric = $m "
        "AND kd_satker IS NULL AND year = $y", {"d": day, "m": metric, "y": year}).fetchone()[0]


def test_one_snapshot_per_date(world):
    world.process()
    world.build(run_date=date(2025, 10, 1))
    world.build(run_date=date(2025, 10, 2))
    assert [d for d, _ in _snapshots(world.con)] == [date(2025, 10, 1), date(2025, 10, 2)]
    n = _snapshots(world.con)[0][1]
    assert n == 22  # (K/L/PD + S1) x 11 metrics
    # the same night again: replaced, not duplicated, and with the new numbers
    world.process()
    world.build(run_date=date(2025, 10, 2), run_id="rerun")
    assert _snapshots(world.con) == [(date(2025, 10, 1), n), (date(2025, 10, 2), n)]
    assert _value(world.con, date(2025, 10, 1)) == 1
    assert _value(world.con, date(2025, 10, 2)) == 2
    assert world.con.execute("SELECT DISTINCT run_id FROM metric_history WHERE snapshot_date = "
                             "'2025-10-02'").fetchall() == [("rerun",)]


def test_trends_month_and_year(world):
    world.process(year=2024, n_bids=1)
    world.process(year=2024, n_bids=1)
    world.process(year=2025, n_bids=1)
    world.process(year=2025, n_bids=3)
    world.build(run_date=date(2025, 9, 2))
    world.build(run_date=date(2025, 9, 20))  # less than a month before the next one
    world.process(year=2025, n_bids=2)
    world.build(run_date=date(2025, 10, 2))
    rows = world.con.execute(
        "SELECT snapshot_date, is_latest, value, month_ago_date, month_ago_value, "
        "change_since_last_month, previous_year_value, change_year_on_year FROM metric_trends "
        "WHERE metric = 'single_bid_rate' AND kd_satker IS NULL AND year = 2025 "
        "ORDER BY snapshot_date").fetchall()
    assert rows[0] == (date(2025, 9, 2), False, 0.5, None, None, None, 1.0, -0.5)
    assert rows[1][3] is None  # 2025-09-20 has no snapshot a month before it
    latest = rows[2]
    assert latest[:2] == (date(2025, 10, 2), True)
    assert latest[2] == pytest.approx(1 / 3)
    assert latest[3:5] == (date(2025, 9, 2), 0.5)  # the last snapshot at least a month before
    assert latest[5] == pytest.approx(1 / 3 - 0.5)
    assert latest[6:] == pytest.approx((1.0, 1 / 3 - 1.0))


def test_history_survives_the_rebuild_in_a_real_warehouse(tmp_path: Path, bandung_dir: Path):
    """Two nightly builds of the Kab. Bandung warehouse on different dates, then a rerun."""
    db = tmp_path / "w.duckdb"
    load_bandung(db, run_date=date(2025, 10, 3))
    with open_warehouse(db) as con:
        build(con, run_date=date(2025, 10, 4), run_id="night-2")
    with open_warehouse(db) as con:
        build(con, run_date=date(2025, 10, 4), run_id="night-2-rerun")
        snaps = _snapshots(con)
        assert [d for d, _ in snaps] == [date(2025, 10, 3), date(2025, 10, 4)]
        assert snaps[0][1] == snaps[1][1] == con.execute(
            "SELECT count(*) FROM agency_metrics").fetchone()[0]
        day1 = con.execute("SELECT * EXCLUDE (snapshot_date, run_id) FROM metric_history "
                           "WHERE snapshot_date = '2025-10-03' ORDER BY ALL").fetchall()
        day2 = con.execute("SELECT * EXCLUDE (snapshot_date, run_id) FROM metric_history "
                           "WHERE snapshot_date = '2025-10-04' ORDER BY ALL").fetchall()
        assert day1 == day2  # same data, same numbers
        latest = con.execute("SELECT count(*) FROM metric_trends WHERE is_latest").fetchone()[0]
        assert latest == snaps[1][1]


def test_history_is_in_the_analyst_copy(bandung_analyst: Path):
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT snapshot_date) FROM metric_history"
                           ).fetchone()[0] == 1
