"""Issue 18: a night skips what did not change. An answer whose bytes are the last landed one's
(or that the server says is Not Modified) is not parsed; the build runs only the SQL files
whose inputs changed; and after several nights of changes that equals a full rebuild."""

from __future__ import annotations

import functools
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import requests
from pantau.connectors import registry
from pantau.connectors.base import Answer, Batch, Provenance
from pantau.flows import steps
from pantau.flows.config import Config
from pantau.models import build_state
from pantau.models.db import open_warehouse
from pantau.models.loader import land_unchanged, last_answers
from pantau.models.transform import build, build_files, plan_build
from pantau.sql import SQL_DIR
from pipeline_helpers import checksums, make_config

from pantau.simulator.server import Simulator
from pantau.simulator.world import World

FIRST_NIGHT = date(2025, 10, 4)


def _regions(world: World) -> list[dict]:
    return [{"name": r.nama_klpd, "kd_klpd": r.kd_klpd, "kd_lpse": r.kd_lpse}
            for r in world.regions[:2]]


def _night(cfg: object, run_date: date, *, rebuild: bool = False) -> steps.RunSummary:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return steps.run_night(cfg, functools.partial(pool.submit, steps.extract_group),  # type: ignore[arg-type]
                               run_date=run_date, rebuild=rebuild)


def _isb(summary: steps.RunSummary) -> list:
    return [r for r in summary.landed if r.region != "*"]


def test_an_answer_the_server_says_is_not_modified_is_not_fetched_or_parsed(
        tmp_path: Path) -> None:
    world = World(seed=5, scale=0.01)
    with Simulator(world, etags=True) as sim:
        cfg = make_config(tmp_path, sim.url, _regions(world))
        first = _night(cfg, FIRST_NIGHT)
        second = _night(cfg, FIRST_NIGHT + timedelta(days=1))
        requests.post(f"{sim.url}/_sim/advance", timeout=5).raise_for_status()
        third = _night(cfg, FIRST_NIGHT + timedelta(days=2))
    assert sum(r.n_records for r in _isb(first)) > 0
    assert not any(r.unchanged for r in _isb(first))
    assert all(r.unchanged for r in _isb(second))
    assert [r.n_records for r in _isb(second)] == [r.n_records for r in _isb(first)]
    with duckdb.connect(str(cfg.database_path), read_only=True) as con:
        etags, not_modified = con.execute(
            "SELECT count(answer_etag), count(*) FILTER (WHERE n_new = 0 AND n_changed = 0) "
            "FROM ops.runs WHERE source = 'isb' AND region <> '*' AND run_id = ?",
            [second.run_id]).fetchone()
    assert etags == len(_isb(second)) == not_modified
    # The world moved on: the answers that changed are fetched and read again.
    assert sum(r.n_new + r.n_changed for r in _isb(third)) > 0
    assert any(not r.unchanged for r in _isb(third))


def test_rebuild_parses_every_answer_and_runs_every_file(tmp_path: Path) -> None:
    world = World(seed=5, scale=0.01)
    with Simulator(world) as sim:
        cfg = make_config(tmp_path, sim.url, _regions(world))
        _night(cfg, FIRST_NIGHT)
        quiet = _night(cfg, FIRST_NIGHT)
        rebuilt = _night(cfg, FIRST_NIGHT, rebuild=True)
    assert all(r.unchanged for r in _isb(quiet))
    assert {f.split("/")[0] for f in quiet.built} == {"views"}
    assert not any(r.unchanged for r in _isb(rebuilt))
    assert sum(r.n_new + r.n_changed for r in _isb(rebuilt)) == 0
    assert len(rebuilt.built) == len(build_files())


def test_incremental_builds_equal_full_rebuilds_night_after_night(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four nights of the simulated world changing (new packages, stages advancing, awards),
    each built incrementally, the files kept row by row recomputing only the changed processes
    after the first; after each, a copy of the warehouse rebuilt in full holds the very same
    core, indicator and analyst tables."""
    scopes: dict[int, int | None] = {}  # night -> events since, of 100_isb_processes
    entered = build_state.enter_scope

    def enter_scope(con: duckdb.DuckDBPyConnection, increment: build_state.Increment) -> None:
        if "core.isb_processes" in increment.tables and not rebuilding:
            scopes[night] = increment.since
        entered(con, increment)

    monkeypatch.setattr(build_state, "enter_scope", enter_scope)
    rebuilding = False
    world = World(seed=7, scale=0.02, change_rate=0.2)  # a fifth of the packages a night
    with Simulator(world) as sim:
        cfg = make_config(tmp_path / "night", sim.url, _regions(world))
        for night in range(4):
            run_date = FIRST_NIGHT + timedelta(days=night)
            rebuilding = False
            summary = _night(cfg, run_date)
            copy = tmp_path / f"full-{night}.duckdb"
            shutil.copy(cfg.database_path, copy)
            rebuilding = True
            with open_warehouse(copy) as con:
                build(con, run_date=run_date, run_id=summary.run_id, full=True)
            assert _models(cfg.database_path) == _models(copy), f"night {night}"
            requests.post(f"{sim.url}/_sim/advance", timeout=5).raise_for_status()
    # The first night built it whole; the later nights that ran it recomputed only the
    # processes of their events.
    assert scopes.pop(0) is None
    assert scopes
    assert all(since is not None and since > 0 for since in scopes.values()), scopes


def _models(db: Path) -> dict[str, tuple]:
    everything = checksums(db, skip=set())
    return {name: value for name, value in everything.items()
            if name.split(".")[0] in {"core", "main"} and name != "main.runs"}


@pytest.fixture
def built_once(tmp_path: Path) -> Config:
    world = World(seed=5, scale=0.01)
    with Simulator(world) as sim:
        cfg = make_config(tmp_path, sim.url, _regions(world))
        _night(cfg, FIRST_NIGHT)
    return cfg


def _run_set(cfg: Config, edited: str | None = None, run_date: date = FIRST_NIGHT) -> set[str]:
    """The files a build would run on ``run_date`` with the SQL file ``edited`` changed."""
    sql_dir = cfg.database_path.parent / "sql"
    shutil.copytree(SQL_DIR, sql_dir, dirs_exist_ok=True)
    if edited:
        path = next(sql_dir.glob(f"*/{edited}"))
        path.write_text(path.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    with open_warehouse(cfg.database_path) as con:
        steps.configure_indicators(con, cfg)
        con.execute("SET VARIABLE run_date = $d", {"d": run_date})
        return {p.name for p in plan_build(con, sql_dir=sql_dir).run}


def test_a_changed_setting_reruns_the_indicators_not_core(built_once: Config) -> None:
    changed = make_config(built_once.database_path.parent, "http://127.0.0.1:1", [],
                          extra={"indicators": {"near_hps_ratio": 0.9}})
    assert changed.database_path == built_once.database_path
    run = _run_set(changed)
    assert {"050_settings.sql", "400_pfa.sql"} <= run
    assert not {"100_isb_processes.sql", "500_processes.sql"} & run


def test_nothing_changed_runs_only_the_views(built_once: Config) -> None:
    assert _run_set(built_once) == {p.name for p in build_files() if p.parent.name == "views"}


def test_a_changed_file_runs_with_what_it_needs_and_what_needs_it(built_once: Config) -> None:
    run = _run_set(built_once, "111_cardinal_r003.sql")
    # Itself, and every file of the table it fills (the creator would empty it)...
    assert {"111_cardinal_r003.sql", "110_cardinal_prepare.sql", "112_cardinal_r018.sql"} <= run
    # ...what reads that table, and the creator of the TEMP table one of those reads.
    assert {"129_cardinal_result.sql", "190_flags_cardinal.sql", "100_cardinal.sql"} <= run
    # Untouched: the core it only reads, and what reads neither.
    assert not {"000_macros.sql", "100_isb_processes.sql", "500_processes.sql",
                "600_agencies.sql", "970_field_coverage.sql"} & run


def test_the_run_date_reruns_only_what_reads_it(built_once: Config) -> None:
    run = _run_set(built_once, run_date=FIRST_NIGHT + timedelta(days=1))
    assert {"710_ocds_run_date.sql", "960_metric_snapshots.sql",
            "975_coverage_snapshots.sql"} <= run
    assert "970_field_coverage.sql" not in run  # it reads raw only
    assert not {"100_isb_processes.sql", "500_processes.sql", "950_agency_metrics.sql"} & run


def _since(cfg: Config, change: str | None = None) -> int | None:
    """Where 100_isb_processes.sql would start if the build ran it now, after the SQL
    ``change`` (in the build's transaction, rolled back): the last event it has seen (only the
    processes of later events are recomputed) or None (it is built whole)."""
    with open_warehouse(cfg.database_path) as con:
        steps.configure_indicators(con, cfg)
        con.execute("SET VARIABLE run_date = $d", {"d": FIRST_NIGHT})
        con.execute("BEGIN TRANSACTION")
        if change:
            con.execute(change)
        # As if a record had changed with its event: the file runs.
        con.execute("UPDATE raw.isb_tender_pengumuman SET content_hash = 'x' || content_hash "
                    "WHERE key = (SELECT min(key) FROM raw.isb_tender_pengumuman)")
        build_plan = plan_build(con)
        con.execute("ROLLBACK")
    assert "100_isb_processes.sql" in {p.name for p in build_plan.run}
    return build_plan.increments["100_isb_processes.sql"].since


def test_a_file_kept_row_by_row_recomputes_the_changed_processes_when_only_records_changed(
        built_once: Config) -> None:
    with duckdb.connect(str(built_once.database_path), read_only=True) as con:
        last_event = con.execute("SELECT max(seq) FROM raw.version_events").fetchone()[0]
    assert last_event > 0
    assert _since(built_once) == last_event
    # What else it reads builds it whole: the satker list it reads whole, a migration (which
    # may rewrite raw records without events), its own table gone.
    assert _since(built_once, "UPDATE raw.isb_rup_master_satker "
                              "SET content_hash = 'x' || content_hash "
                              "WHERE key = (SELECT min(key) FROM raw.isb_rup_master_satker)"
                  ) is None
    assert _since(built_once, "INSERT INTO ops.schema_version "
                              "SELECT max(version) + 1, now() FROM ops.schema_version") is None
    assert _since(built_once, "DROP TABLE core.isb_processes") is None


def test_an_unchanged_answer_lands_its_run_row_with_the_last_counts(built_once: Config) -> None:
    with open_warehouse(built_once.database_path) as con:
        answers = last_answers(con)
        key = next(k for k in answers if k[0] == "isb")
        source, dataset, region, year = key
        table = registry.BY_NAME[source].tables[dataset]
        provenance = Provenance(source, "http://127.0.0.1/x", datetime.now(UTC))

        def batch(answer: Answer) -> Batch:
            return Batch(source, dataset, region, year, provenance, table=table, answer=answer,
                         unchanged=True)

        last = con.execute(
            "SELECT n_records, n_quarantined FROM ops.runs WHERE source = ? AND dataset = ? "
            "AND region = ? AND year = ? AND status = 'ok' ORDER BY id DESC LIMIT 1",
            list(key)).fetchall()[0]
        same, other = land_unchanged(con, [batch(answers[key]), batch(Answer("0" * 64))],
                                     "night-2", datetime.now(UTC))
        rows = con.execute(
            "SELECT status, n_records, n_new, n_changed, n_quarantined, answer_sha256, error "
            "FROM ops.runs WHERE run_id = 'night-2' ORDER BY id").fetchall()
    assert (same.unchanged, same.n_records, same.n_quarantined, same.error) == (
        True, last[0], last[1], None)
    assert not other.unchanged
    assert other.error is not None
    assert "differs" in other.error
    assert sorted(r[0] for r in rows) == ["failed", "ok"]
    ok = next(r for r in rows if r[0] == "ok")
    assert ok[1:6] == (last[0], 0, 0, last[1], answers[key].sha256)
