"""Issue 18: SPSE detail fetches within a nightly request budget per host
(connectors/spse_budget.py), as a planner and through two nights against the simulator."""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
from pantau.connectors import spse
from pantau.connectors.base import Region
from pantau.connectors.spse_budget import FINAL, Candidate, choose, closeness, stage
from test_spse_run import SCALE, SEED, query, run, served, spse_config

from pantau.simulator.server import Simulator
from pantau.simulator.world import World


def cand(key: str, *, group: str = "g", cost: int = 2, watched: bool = False,
         reason: str = "unfinished", nights: int = 0, near: float = 0.0) -> Candidate:
    return Candidate(key, group, cost, watched, reason, nights, near)  # type: ignore[arg-type]


def keys(cs: list[Candidate]) -> list[str]:
    return [c.key for c in cs]


def test_watched_first_then_new_and_changed_then_unfinished_by_priority() -> None:
    candidates = [
        cand("old-unfinished", nights=5),  # priority 6
        cand("near-award", nights=2, near=1.0),  # priority 6 too: the key decides the tie
        cand("fresh-unfinished", nights=1),  # priority 2
        cand("new", reason="new"),
        cand("changed", reason="changed", nights=3),  # a changed row waiting 3 nights: before new
        cand("watched-unfinished", watched=True, nights=0),
    ]
    # Sessions: one group, so 1 + 2 per package; 9 requests fit four packages.
    choice = choose(candidates, budget=9)
    assert keys(choice.fetch) == ["watched-unfinished", "changed", "new", "near-award"]
    assert keys(choice.deferred) == ["old-unfinished", "fresh-unfinished"]
    assert choice.requests == 9


def test_a_package_that_does_not_fit_is_deferred_and_a_cheaper_one_after_it_taken() -> None:
    choice = choose([cand("tender", cost=6, reason="new"), cand("record", cost=2)], budget=5)
    assert keys(choice.fetch) == ["record"]
    assert keys(choice.deferred) == ["tender"]
    assert choice.requests == 3  # its two pages and the session


def test_each_group_pays_its_session_once() -> None:
    candidates = [cand("a1", group="a"), cand("a2", group="a"), cand("b1", group="b")]
    assert choose(candidates, budget=8).requests == 8  # 1 + 2 + 2, then 1 + 2
    assert keys(choose(candidates, budget=7).deferred) == ["b1"]


def test_carry_over_a_deferred_package_comes_back_a_night_older_and_goes_first() -> None:
    night1 = choose([cand("a", reason="new"), cand("b", reason="new")], budget=3)
    assert keys(night1.fetch) == ["a"]
    assert keys(night1.deferred) == ["b"]
    # Next night: b is still new, listed a night ago; a is unfinished, fetched last night; two
    # packages appeared, named to sort before b. New ones before unfinished, b (a night older)
    # first of them.
    night2 = choose([cand("a", nights=1), cand("b", reason="new", nights=1),
                     cand("a2", reason="new"), cand("a3", reason="new")], budget=5)
    assert keys(night2.fetch) == ["b", "a2"]
    assert keys(night2.deferred) == ["a3", "a"]


def test_closeness_from_the_stage() -> None:
    assert closeness("Pengumuman Pascakualifikasi") == 0.0
    assert closeness("Pendaftaran dan Download Dokumen Pengadaan") == 0.2
    assert closeness("Upload Dokumen Penawaran") == 0.4
    assert closeness("Evaluasi Penawaran") == 0.6  # evaluation, though it names the offers
    assert closeness("Pengumuman Pemenang") == 0.8  # award, though it says "pengumuman"
    assert closeness("Penandatanganan Kontrak") == 1.0
    assert closeness("Paket Sedang Berjalan") == 0.5
    assert closeness("Tender Ulang") == 0.0
    assert closeness("Tender Batal", final=True) == 1.0


def test_a_fetch_asks_the_pages_a_stage_has_opened_until_they_settle() -> None:
    # the stages of the real listings (sources.md §1.3, ../shared/data/spse-dt-lelang-2021/)
    assert stage("Pengumuman Pascakualifikasi") == 0.0
    assert stage("Pengumuman Pascakualifikasi [...]") is None  # more stages beside it
    assert stage("Masa Sanggah Hasil Tender") == stage("Pengumuman Pemenang") == 0.8
    assert stage("Tender Sudah Selesai", final=True) == FINAL
    assert stage("Paket Sedang Berjalan") == 0.5
    assert stage("Tidak Ada Jadwal") is None
    every = tuple(name for name, _ in spse.DETAIL_PAGES["lelang"])
    assert spse.pages_due("lelang", None) == every  # a stage no rule knows: every page
    assert spse.pages_due("lelang", 0.0) == ("pengumuman", "peserta", "jadwal")
    assert spse.pages_due("lelang", 0.4) == ("pengumuman", "peserta", "jadwal", "hasil")
    assert spse.pages_due("lelang", 0.6) == ("pengumuman", "peserta", "jadwal", "hasil")
    at_award = dict.fromkeys(spse.pages_due("lelang", 0.8), 0.8)
    assert spse.pages_due("lelang", 1.0, at_award) == (
        "jadwal", "hasil", "pemenang", "pemenang_berkontrak")  # participants settled at award
    at_contract = dict.fromkeys(every, 1.0)
    assert spse.pages_due("lelang", FINAL, at_contract) == ("jadwal", "pemenang_berkontrak")
    assert spse.pages_due("lelang", FINAL, dict.fromkeys(every, FINAL)) == ()
    assert spse.pages_due("lelang", FINAL, dict.fromkeys(every, FINAL), again=True) == every
    assert spse.pages_due("nonspk", 0.5, {"pengumuman": 0.5, "realisasi": 0.5}) == (
        "realisasi",)
    # a page read at a stage no rule knew is not settled
    assert spse.pages_due("nonspk", FINAL, {"pengumuman": None, "realisasi": None}) == (
        "pengumuman", "realisasi")


def test_due_asks_again_what_changed_within_a_stage() -> None:
    def due(reason: str, tahap: str, fetched_stage: float) -> spse.Due:
        return spse.Due("a", "lelang", 2026, "1", "{}", final=False, tahap=tahap,
                        reason=reason,  # type: ignore[arg-type]
                        nights_waiting=0, fetched_stage=fetched_stage,
                        pages_at={"pengumuman": 0.6, "jadwal": 0.6, "peserta": 0.6,
                                  "hasil": 0.6})
    assert due("unfinished", "Evaluasi Penawaran", 0.6).pages() == (
        "peserta", "jadwal", "hasil")
    # a new name, value or badge at the same stage: the announcement too
    assert due("changed", "Evaluasi Penawaran", 0.6).pages() == (
        "pengumuman", "peserta", "jadwal", "hasil")
    assert due("changed", "Penetapan Pemenang", 0.6).pages() == (
        "peserta", "jadwal", "hasil", "pemenang")


def test_carry_pages_keeps_what_was_not_asked_and_drops_what_was_set_aside() -> None:
    earlier = spse.canonical_json({
        "jenis": "lelang", "kode": "1", "quarantined": [], "stage": 0.6,
        "pages_at": {"pengumuman": 0.0, "jadwal": 0.6, "peserta": 0.6},
        "pengumuman": {"nama_paket": "A"}, "jadwal": [{"tahap": "old"}], "peserta": [1]})
    tonight = spse.canonical_json({
        "jenis": "lelang", "kode": "1", "quarantined": ["peserta"], "stage": 0.8,
        "pages_at": {"jadwal": 0.8}, "jadwal": [{"tahap": "new"}]})
    got = json.loads(spse.carry_pages(earlier, tonight))
    assert got["pengumuman"] == {"nama_paket": "A"}  # not asked: carried with its stage
    assert got["jadwal"] == [{"tahap": "new"}]
    assert "peserta" not in got  # asked and set aside: absent, and asked again
    assert got["pages_at"] == {"pengumuman": 0.0, "jadwal": 0.8}
    assert (got["stage"], got["quarantined"]) == (0.8, ["peserta"])
    assert spse.carry_pages(None, tonight) == tonight


def test_plan_details_spends_each_hosts_budget_less_its_listings() -> None:
    settings = spse.SpseSettings(base_url="https://spse.example", max_requests_per_night=10)
    regions = [Region("a", spse_slug="a"), Region("b", spse_slug="b", watched=False),
               Region("legacy", spse_slug="https://lpse.legacy.example/eproc4", watched=False)]
    due = [spse.Due(label, "nonspk", 2026, f"{label}{i}", f'{{"kode":"{label}{i}"}}',
                    final=False, tahap=None, reason="new", nights_waiting=0)
           for label in ("a", "b", "https://lpse.legacy.example/eproc4") for i in range(3)]
    listed = {("a", "nonspk", 2026): 3, ("b", "nonspk", 2026): 2,
              ("https://lpse.legacy.example/eproc4", "nonspk", 2026): 3}
    notices: list[str] = []
    jobs = spse.plan_details(settings, regions, due, listed, notices)
    by_scope = {j.scope: j for j in jobs}
    # spse.example: 10 - 5 for listings; a (watched) takes 1 + 2 + 2 of the rest: b gets none.
    assert [len(by_scope[s].details) for s in ("a", "b")] == [2, 0]
    assert [by_scope[s].deferred for s in ("a", "b")] == [1, 3]
    # the legacy portal is its own host with its own budget: 10 - 3 = 7 = 1 + 2 + 2 + 2
    legacy = by_scope["https://lpse.legacy.example/eproc4"]
    assert (len(legacy.details), legacy.deferred) == (3, 0)
    assert notices == [("spse: 4 of 6 detail fetches at spse.example deferred to the next "
                        "night (budget 10: listings 5, details 5)")]


def listing_requests(n_rows: int, page_size: int = spse.DEFAULT_PAGE_SIZE) -> int:
    """The session, the pages with rows, and the empty last page asked twice."""
    return 1 + math.ceil(n_rows / page_size) + 2


def test_deferred_details_land_the_next_night_and_runs_show_the_carry_over(
        tmp_path: Path) -> None:
    world = World(seed=SEED, scale=SCALE)
    watched, other = (served(world, s)["nonspk"] for s in ("jatengprov", "semarangkota"))
    pages = len(spse.DETAIL_PAGES["nonspk"])
    listings = listing_requests(len(watched)) + listing_requests(len(other))
    fits = len(other) - 1  # the other region gets all but one package the first night
    budget = listings + (1 + pages * len(watched)) + (1 + pages * fits)
    with Simulator(world) as sim:
        cfg = spse_config(tmp_path, sim.url, [
            {"spse_slug": "jatengprov"}, {"spse_slug": "semarangkota", "watched": False}],
            spse_settings={"lists": ["nonspk"], "max_requests_per_night": budget})
        first = run(cfg)
        night1 = query(cfg.database_path, "SELECT run_id FROM runs LIMIT 1")[0][0]
        with duckdb.connect(str(cfg.database_path)) as con:  # as landed before raw had a dataset
            con.execute("UPDATE raw.spse_listing SET dataset = NULL")
        second = run(cfg)
    assert first.failed == second.failed == []
    rows = query(cfg.database_path, """
        SELECT run_id, dataset, region, n_records, n_requests, n_deferred FROM runs
        WHERE source = 'spse' ORDER BY started_at, dataset, region""")
    one = {(d, r): (n, req, deferred) for run_id, d, r, n, req, deferred in rows
           if run_id == night1}
    assert one == {
        ("dt/nonspk", "jatengprov"): (len(watched), listing_requests(len(watched)), None),
        ("dt/nonspk", "semarangkota"): (len(other), listing_requests(len(other)), None),
        ("detail/nonspk", "jatengprov"): (len(watched), 1 + pages * len(watched), 0),
        ("detail/nonspk", "semarangkota"): (fits, 1 + pages * fits, 1),
    }
    assert sum(req for req, in query(cfg.database_path, f"""
        SELECT n_requests FROM runs WHERE run_id = '{night1}'""")) == budget
    assert any("1 of " in n and "deferred to the next night" in n for n in first.notices)
    # New packages go first; among them the final ones (their outcome is published): the one
    # deferred is the other region's last package in progress.
    in_progress = sorted(r["kode"] for r in other if not r["final"])
    deferred_kode = in_progress[-1]
    fetched1 = {k for (k,) in query(cfg.database_path, f"""
        SELECT key FROM raw.spse_detail WHERE region = 'semarangkota' AND run_id = '{night1}'""")}
    assert f"nonspk|{deferred_kode}" not in fetched1
    assert len(fetched1) == fits
    # The second night fetches it (still new), with the watched region's unfinished packages.
    two = {(d, r): (n, deferred) for run_id, d, r, n, _, deferred in rows
           if run_id != night1 and d.startswith("detail/")}
    unfinished_watched = sum(not r["final"] for r in watched)
    unfinished_other = len(in_progress) - 1  # fetched the first night, still not final
    assert two == {("detail/nonspk", "jatengprov"): (unfinished_watched, 0),
                   ("detail/nonspk", "semarangkota"): (1 + unfinished_other, 0)}
    [(fetched_at_run,)] = query(cfg.database_path, f"""
        SELECT run_id FROM ops.spse_fetches WHERE key = 'nonspk|{deferred_kode}'""")
    assert fetched_at_run != night1
    assert len(second.notices) == len(first.notices) - 1  # no deferral notice the second night
