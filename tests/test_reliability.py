"""Issue 9: faults, crashes and hostile input; nothing lost, nothing doubled.

`make test` runs the quick variant; `make reliability` runs the full one (RELIABILITY_FULL=1:
ten kills, more regions) and prints the tally kept in RELIABILITY below.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from malformed_corpus import CORPUS, DUPLICATE_KEY, answer, good_records
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pipeline_helpers import checksums, make_config, run_plain

from pantau.simulator.faults import FaultPlan
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

FULL = os.environ.get("RELIABILITY_FULL") == "1"
ROOT = Path(__file__).resolve().parents[1]
RELIABILITY: Counter[str] = Counter()  # printed by conftest's terminal summary
NIGHT = date(2025, 10, 4)
REGIONS = [{"name": "Kab. Bandung", "kd_klpd": "D107", "kd_lpse": 93}]
if FULL:
    REGIONS += [{"name": "Kota Semarang"}, {"name": "Provinsi Jawa Tengah"}]
PROV = Provenance("isb", "http://127.0.0.1/x", datetime.now(UTC))


# Operational logs differ by design between runs (they record what happened): not compared.
def lost_and_duplicated(reference: Path, db: Path) -> tuple[int, int]:
    """Records of the reference run missing from ``db``, and duplicate processes/bids in it."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute(f"ATTACH '{reference}' AS ref (READ_ONLY)")
        lost = con.execute(
            "SELECT count(*) FROM (SELECT kind, source_id FROM ref.main.tenders "
            "EXCEPT SELECT kind, source_id FROM main.tenders)"
        ).fetchone()[0]
        lost += con.execute(
            "SELECT count(*) FROM (SELECT source_id, participant_id FROM ref.main.bids "
            "EXCEPT SELECT source_id, participant_id FROM main.bids)"
        ).fetchone()[0]
        dup = con.execute(
            "SELECT (SELECT count(*) - count(DISTINCT (kind, source_id)) FROM main.tenders) + "
            "(SELECT count(*) - count(DISTINCT (source_id, participant_id)) FROM main.bids)"
        ).fetchone()[0]
    return int(lost), int(dup)


def alerts_duplicated(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        has = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ops' "
            "AND table_name = 'alert_outbox'"
        ).fetchone()[0]
        if not has:
            return 0
        cols = [
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'ops' "
                "AND table_name = 'alert_outbox'"
            ).fetchall()
        ]
        key = "alert_key" if "alert_key" in cols else cols[0]
        return int(
            con.execute(
                f"SELECT count(*) - count(DISTINCT {key}) FROM ops.alert_outbox"
            ).fetchone()[0]
        )


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=11, scale=0.3 if not FULL else 1.0)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    """The uninterrupted, fault-free night every other run must equal."""
    tmp = tmp_path_factory.mktemp("reference")
    with Simulator(world) as sim:
        cfg = make_config(tmp, sim.url, REGIONS)
        summary = run_plain(cfg, NIGHT)
    assert summary.ok, summary.failed
    return cfg.analyst_path


# --- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "element", "reason"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_malformed_record_is_quarantined_and_its_batch_lands(
    name: str, element: bytes, reason: str
) -> None:
    good = good_records(3)
    body = answer([good[0], element, *good[1:]])
    batch = isb.to_batch(isb.BY_NAME["SPSE-TenderPengumuman"], body, PROV, region="D107", year=2025)
    assert batch.keys == ["100", "101", "102"], name
    assert len(batch.rejected) == 1, [r.reason for r in batch.rejected]
    assert reason in batch.rejected[0].reason
    assert batch.rejected[0].raw  # the bytes are kept for the quarantine
    RELIABILITY["malformed inputs tried"] += 1


def test_conflicting_duplicate_key_is_quarantined() -> None:
    _, first, second, reason = DUPLICATE_KEY
    batch = isb.to_batch(
        isb.BY_NAME["SPSE-TenderPengumuman"],
        answer([first, second]),
        PROV,
        region="D107",
        year=2025,
    )
    assert batch.keys == ["999999"]
    assert reason in batch.rejected[0].reason
    RELIABILITY["malformed inputs tried"] += 1


def test_the_whole_corpus_in_one_answer_through_the_pipeline(
    tmp_path: Path, bandung_dir: Path
) -> None:
    replay = tmp_path / "replay"
    replay.mkdir()
    good = good_records(20)
    elements = [*good[:10], *(c[1] for c in CORPUS), DUPLICATE_KEY[1], DUPLICATE_KEY[2], *good[10:]]
    (replay / "SPSE-TenderPengumuman.json").write_bytes(answer(elements))
    for other in ("SPSE-PesertaTender", "SPSE-TenderSelesai"):
        (replay / f"{other}.json").write_bytes((bandung_dir / f"{other}.json").read_bytes())
    with Simulator(replay=replay) as sim:
        cfg = make_config(tmp_path, sim.url, REGIONS[:1])
        run_plain(cfg, NIGHT)
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as con:
        landed = con.execute("SELECT count(*) FROM raw.isb_tender_pengumuman").fetchone()[0]
        reasons = con.execute(
            "SELECT reason FROM quarantine WHERE dataset = 'SPSE-TenderPengumuman'"
        ).fetchall()
    assert landed == len(good) + 1  # the first of the duplicate pair lands
    assert len(reasons) == len(CORPUS) + 1
    assert all(r and len(r) > 10 for (r,) in reasons)


# --- faults ------------------------------------------------------------------------------------


def test_a_night_under_20_percent_faults_ends_with_the_same_tables(
    tmp_path: Path, world: World, reference: Path
) -> None:
    faults = FaultPlan(0.2, seed=3, stall_seconds=1.0)
    with Simulator(world, faults=faults) as sim:
        cfg = make_config(tmp_path, sim.url, REGIONS, extra={})
        cfg = replace(cfg, http=replace(cfg.http, timeout_seconds=0.5, max_attempts=6))
        summary = run_plain(cfg, NIGHT)
        RELIABILITY["runs under faults"] += 1
        if not summary.ok:  # retries ran out somewhere: the run says exactly what is missing ...
            assert all(label.startswith("isb/") for label, _ in summary.failed)
            summary = run_plain(cfg, NIGHT)  # ... and the next run fills it in
            RELIABILITY["runs under faults"] += 1
    assert summary.ok, summary.failed
    assert sum(faults.injected.values()) > 0
    assert checksums(cfg.analyst_path) == checksums(reference)
    lost, dup = lost_and_duplicated(reference, cfg.analyst_path)
    RELIABILITY["records lost"] += lost
    RELIABILITY["records duplicated"] += dup
    assert (lost, dup) == (0, 0)


# --- crashes -----------------------------------------------------------------------------------

CHILD = """
import sys
from datetime import date
from pathlib import Path
sys.path[:0] = [{root!r}, {tests!r}]
from pipeline_helpers import checksums, make_config, run_plain
cfg = make_config(Path({tmp!r}), {url!r}, {regions!r})
run_plain(cfg, date(2025, 10, 4))
"""


def test_killed_runs_then_a_rerun_equal_an_uninterrupted_run(
    tmp_path: Path, world: World, reference: Path
) -> None:
    kills = 10 if FULL else 2
    rng = random.Random(42)
    with Simulator(world) as sim:
        code = CHILD.format(
            root=str(ROOT),
            tests=str(ROOT / "tests"),
            tmp=str(tmp_path),
            url=sim.url,
            regions=REGIONS,
        )
        for _ in range(kills):
            child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
            time.sleep(rng.uniform(1.0, 6.0))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                RELIABILITY["crashes survived"] += 1
            child.wait()
        final = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert final.returncode == 0, final.stderr[-2000:]
    analyst = tmp_path / "pantau-analyst.duckdb"
    assert checksums(analyst) == checksums(reference)
    lost, dup = lost_and_duplicated(reference, analyst)
    RELIABILITY["records lost"] += lost
    RELIABILITY["records duplicated"] += dup
    alerts = alerts_duplicated(tmp_path / "pantau.duckdb")
    RELIABILITY["alerts duplicated"] += alerts
    assert (lost, dup, alerts) == (0, 0, 0)
    assert not list(tmp_path.glob(".*.tmp")), "a killed publish left its temporary file"


# --- analysts during a run -----------------------------------------------------------------------


def test_an_open_analyst_session_neither_blocks_nor_sees_half_written_data(
    tmp_path: Path, world: World
) -> None:
    with Simulator(world) as sim:
        cfg = make_config(tmp_path, sim.url, REGIONS[:1])
        run_plain(cfg, NIGHT)
        analyst = duckdb.connect(str(cfg.analyst_path), read_only=True)
        before = analyst.execute("SELECT count(*), sum(pagu) FROM tenders").fetchone()
        json.loads(
            __import__("requests").post(f"{sim.url}/_sim/advance", timeout=5).text
        )  # the sources change overnight
        second = run_plain(cfg, date(2025, 10, 5))  # the writer does not wait for the analyst
        during = analyst.execute("SELECT count(*), sum(pagu) FROM tenders").fetchone()
        analyst.close()
    assert second.ok
    assert during == before  # the open session keeps its consistent snapshot
    with duckdb.connect(str(cfg.analyst_path), read_only=True) as fresh:
        changed = fresh.execute(
            f"SELECT sum(n_changed) FROM runs WHERE run_id = '{second.run_id}'"
        ).fetchone()[0]
    assert changed > 0  # and a new session sees the new night
