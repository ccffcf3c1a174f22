"""Issue 3 acceptance: the SPSE connector through the nightly steps, against the simulator.

Expected packages are computed from the simulator's own SPSE view of the world, never typed in.
"""

from __future__ import annotations

import functools
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from conftest import SHARED, require_shared
from pantau.connectors import spse
from pantau.connectors.http import HttpClient, HttpSettings, Response
from pantau.connectors.spse_pages import listing_row
from pantau.flows import steps
from pantau.flows.config import Config, build_config
from pipeline_helpers import isb_secrets

from pantau.simulator.server import Simulator
from pantau.simulator.spse import JENIS, SpseService, SpseWorld
from pantau.simulator.world import World

SEED, SCALE, YEAR = 9, 0.02, 2025  # seed 9: the first advance changes a finished package's row
FAST_HTTP = {
    "min_interval_seconds": 0,
    "backoff_seconds": 0.01,
    "max_attempts": 2,
    "timeout_seconds": 5,
}
FAST = HttpSettings(**FAST_HTTP)


def spse_config(
    tmp: Path,
    url: str,
    regions: list[dict],
    *,
    isb: bool = False,
    spse_settings: dict | None = None,
) -> Config:
    sources: dict[str, Any] = {
        "spse": {
            "enabled": True,
            "base_url": url,
            "min_interval_seconds": 0,
            **(spse_settings or {}),
        }
    }
    if isb:
        sources["isb"] = {"enabled": True, "satudata_url": f"{url}/isb-2/api/satudata"}
    raw = {
        "database": {"path": str(tmp / "pantau.duckdb")},
        "run": {"years": [YEAR]},
        "regions": regions,
        "sources": sources,
        "http": FAST_HTTP,
    }
    return build_config(raw, secrets=isb_secrets(url) if isb else {})


def run(cfg: Config) -> steps.RunSummary:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return steps.run_night(
            cfg, functools.partial(pool.submit, steps.extract_group), run_date=date(2025, 10, 4)
        )


def fetch_all(client: HttpClient, url: str, slug: str, jenis: str, region: str,
              year: int) -> tuple[spse.Batch, spse.Batch]:
    """A list's listing and the details of every package it lists (no budget)."""
    listing = spse.fetch_listing(client, url, slug, jenis, region=region, year=year)
    details, *_ = spse.fetch_details(client, url, slug, jenis, region=region, year=year,
                                     packages=spse.wanted(listing))
    return listing, details


def service(sim: Simulator) -> SpseService:
    return next(s for s in sim.services if isinstance(s, SpseService))


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def served(world: World, slug: str) -> dict[str, list[dict]]:
    """What the simulator's listings show now, per list, parsed like the connector does."""
    gen, region = SpseWorld(world), world.by_slug[slug]
    return {j: [listing_row(r, j) for r in gen.rows(j, region, YEAR)] for j in JENIS}


def detail_requests(counter: dict[str, int]) -> int:
    return sum(
        n for path, n in counter.items() if "/dt/" not in path and not path.endswith("/lelang")
    )


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three nights: a full run, a run after one generation passed, a run with no change."""
    tmp = tmp_path_factory.mktemp("spse")
    world = World(seed=SEED, scale=SCALE)
    out: dict[str, Any] = {"world": world}
    with Simulator(world) as sim:
        cfg = spse_config(tmp, sim.url, [{"spse_slug": "jatengprov"}])  # slug alone is enough
        out["cfg"] = cfg
        out["before"] = served(world, "jatengprov")
        out["first"] = run(cfg)
        out["first_requests"] = dict(sim.requests)
        out["tenders_first"] = query(
            cfg.analyst_path,
            "SELECT kind, source_id, pagu, hps, contract_value, status, source FROM tenders",
        )
        requests.post(f"{sim.url}/_sim/advance", timeout=5)
        out["after"] = served(world, "jatengprov")
        sim.requests.clear()
        out["second"] = run(cfg)
        out["second_requests"] = dict(sim.requests)
        sim.requests.clear()
        out["third"] = run(cfg)
        out["third_requests"] = dict(sim.requests)
        # the same portal fetched whole into a warehouse of its own: what night 3 must equal
        out["fresh"] = spse_config(tmp / "fresh", sim.url, [{"spse_slug": "jatengprov"}])
        run(out["fresh"])
    return out


def test_full_run_lands_exactly_what_the_portal_serves(incremental: dict[str, Any]) -> None:
    first, before = incremental["first"], incremental["before"]
    assert first.failed == []
    rows = incremental["tenders_first"]
    expected = {(row["kind"], row["kode"]) for js in before.values() for row in js}
    assert {(k, s) for k, s, *_ in rows} == expected
    assert len(rows) == len(expected)
    assert {k for k, *_ in rows} == {
        "tender",
        "non_tender",
        "pencatatan_non_tender",
        "swakelola",
        "darurat",
    }
    assert {r[-1] for r in rows} == {"spse"}
    # every package's detail pages were fetched: one detail record each, nothing quarantined
    landed = {r.dataset: r for r in first.landed}
    for jenis, js in before.items():
        assert landed[f"dt/{jenis}"].n_records == len(js)
        assert landed[f"detail/{jenis}"].n_records == len(js)
        assert landed[f"detail/{jenis}"].n_quarantined == 0
    # no page of the simulator's layouts (eproc4 and national) was set aside
    assert [d for d in landed if d.count("/") == 2] == []
    # A first fetch asks the pages a package's stage has opened: every page of a final one,
    # and of a tender still under evaluation (the simulator's one unfinished stage) not yet its
    # winner and contract pages.
    assert {r["tahap"] for j in ("lelang", "pl") for r in before[j] if not r["final"]} == {
        "Evaluasi Penawaran"}
    assert detail_requests(incremental["first_requests"]) == sum(
        len(spse.DETAIL_PAGES[j]) - (2 if j in {"lelang", "pl"} and not r["final"] else 0)
        for j, js in before.items() for r in js
    )
    assert sum(not r["final"] for j in ("lelang", "pl") for r in before[j]) > 0


def test_pagu_is_exact_from_the_detail_page(incremental: dict[str, Any]) -> None:
    world = incremental["world"]
    region = world.by_slug["jatengprov"]
    got = {
        (k, s): (pagu, hps, contract, status)
        for k, s, pagu, hps, contract, status, _ in incremental["tenders_first"]
    }
    for i in range(world.count("tender")):
        t = world.tender(region, YEAR, i)
        pagu, hps, contract, _ = got[("tender", str(t["code"]))]
        assert float(pagu) == pytest.approx(round(t["pagu"], 2), abs=0.005)
        assert float(hps) == pytest.approx(round(t["hps"], 2), abs=0.005)
    for i in range(world.count("pencatatan")):
        p = world.pencatatan(region, YEAR, i, "pencatatan")
        pagu, _, contract, status = got[("pencatatan_non_tender", str(p["code"]))]
        assert float(pagu) == pytest.approx(round(p["pagu"], 2), abs=0.005)
        assert float(contract) == pytest.approx(sum(p["payments"]), abs=0.005)
        assert status in {"Paket Sudah Selesai", "Paket Sedang Berjalan"}


def test_real_layouts_land_registrations_offers_and_winners(incremental: dict[str, Any]) -> None:
    """The simulator serves tenders in both portals' layouts, masks the participants of tenders
    still running and leaves winner tables empty until there is one (as the real portal)."""
    world, gen = incremental["world"], SpseWorld(incremental["world"])
    region = world.by_slug["jatengprov"]
    db = incremental["cfg"].analyst_path
    got = {s: rest for s, *rest in query(
        db, "SELECT source_id, n_registered, n_participants, n_bids, supplier_npwp, "
        "contract_value FROM tenders WHERE kind = 'tender'")}
    bids = dict(query(db, "SELECT source_id, count(*) FILTER (WHERE is_winner) FROM bids "
                      "GROUP BY 1"))
    layouts, masked = set(), 0
    for i in range(world.count("tender")):
        t = {**world.tender(region, YEAR, i), "i": i}
        people = world.participants(region, YEAR, i)
        winner = next((p["npwp_penyedia"] for p in people if p["winner"]), None)
        n_registered, n_participants, n_bids, npwp, contract = got[str(t["code"])]
        assert n_registered == len(people)
        value = gen.contract_value("lelang", region, YEAR, t)  # the contract, once it exists
        assert (None if contract is None else float(contract)) == (
            None if value is None else pytest.approx(value, abs=0.005))
        layouts.add(gen.eproc4(t))
        if gen.masked("lelang", t):
            masked += 1
            assert (n_participants, n_bids, npwp) == (None, None, None)
            assert str(t["code"]) not in bids
            continue
        assert (n_participants, n_bids) == (len(people), sum(p["offer"] is not None
                                                            for p in people))
        assert npwp == (re.sub(r"\D", "", winner)[-15:] if winner else None)
        assert bids.get(str(t["code"]), 0) == (1 if winner else 0)
    assert layouts == {True, False}
    assert query(db, "SELECT count(*) FROM suppliers WHERE name ILIKE 'peserta%'") == [(0,)]


def test_simulated_pages_in_each_layout_parse() -> None:
    """Every simulated tender's pages, in the layout the simulator picked, read back to what
    the world holds: masked participants before evaluation, empty winner tables."""
    world = World(seed=SEED, scale=0.3)
    service, region = SpseService(world), world.by_slug["jatengprov"]
    gen, seen = service.gen, set()
    for i in range(world.count("tender")):
        t = {**world.tender(region, YEAR, i), "i": i}
        people = world.participants(region, YEAR, i)

        def parsed(name: str, code: int = t["code"]) -> Any:
            path = dict(spse.DETAIL_PAGES["lelang"])[name].format(id=code)
            answer = service.handle_request("GET", f"/jatengprov/{path}", {})
            return spse.PARSERS[name](answer[2], path)

        peserta, hasil = parsed("peserta"), parsed("hasil")
        winners = parsed("pemenang")["pemenang"]
        masked = gen.masked("lelang", t)
        seen.add((gen.eproc4(t), masked))
        assert len(peserta) == len(people)
        assert all(p["masked"] for p in peserta) is masked
        if masked:
            assert (hasil, winners) == ([], [])
            continue
        assert [p["npwp"] for p in peserta] == [p["npwp_penyedia"] for p in people]
        winner = [p["npwp_penyedia"] for p in people if p["winner"]]
        assert [h["npwp"] for h in hasil if h["pemenang"]] == winner
        assert [w["npwp"] for w in winners] == winner
    assert seen == {(True, True), (True, False), (False, True), (False, False)}


def pages_asked(jenis: str, old: dict | None, new: dict) -> int:
    """The detail pages a night asks of a package whose listing row went from ``old`` (None:
    new) to ``new``, in the simulator's stages: a tender is under evaluation (announcement,
    schedule, participants and evaluation have filled) or final (its winner and contract pages
    too); a record is in progress or finished, and has two pages."""
    tender = jenis in {"lelang", "pl"}
    opened = (6 if new["final"] else 4) if tender else 2
    if old is None or (old != new and old["tahap"] == new["tahap"]):
        return opened  # new, or changed within its stage: every page it has opened
    if not tender:
        return 1 if old != new or not new["final"] else 0  # the payments page, until finished
    if old == new:
        return 0 if new["final"] else 3  # schedule, participants, evaluation: not settled
    # evaluation -> final: the schedule, participants and evaluation again, and the winner
    # and contract pages for the first time; the announcement has settled
    return 5


def night_pages(old_rows: dict[str, list[dict]], new_rows: dict[str, list[dict]]) -> int:
    total = 0
    for jenis in JENIS:
        old = {r["kode"]: r for r in old_rows[jenis]}
        total += sum(pages_asked(jenis, old.get(r["kode"]), r) for r in new_rows[jenis])
    return total


def test_second_run_fetches_only_changed_and_unfinished(incremental: dict[str, Any]) -> None:
    before, after = incremental["before"], incremental["after"]
    changed = {(j, r["kode"]) for j in JENIS for r in after[j]
               if {o["kode"]: o for o in before[j]}.get(r["kode"]) != r}
    # the advance changed a finished package's listing row: only the state can tell it apart
    assert any({r["kode"]: r for r in before[j]}[k]["final"] for j, k in changed
               if k in {r["kode"] for r in before[j]})
    expected = night_pages(before, after)
    assert 0 < expected < detail_requests(incremental["first_requests"]) / 2
    assert detail_requests(incremental["second_requests"]) == expected
    assert incremental["second"].failed == []
    # the third night, with nothing changed, asks the unfinished packages' unsettled pages only
    assert detail_requests(incremental["third_requests"]) == night_pages(after, after) > 0
    landed = {r.dataset: r for r in incremental["third"].landed}
    assert sum(r.n_new + r.n_changed for r in landed.values()) == 0


TENDER_FACTS = ("SELECT kind, source_id, title, pagu, hps, contract_value, status, n_registered, "
                "n_participants, n_bids, supplier_npwp, supplier_name, announced_at, kd_rup, "
                "satker_name FROM tenders WHERE source = 'spse' ORDER BY ALL")
BID_FACTS = ("SELECT source_id, supplier_npwp, supplier_name, offer_value, corrected_value, "
             "is_winner, reason FROM bids ORDER BY ALL")
SCHEDULE_FACTS = "SELECT * EXCLUDE (source) FROM schedule ORDER BY ALL"


def test_pages_carried_from_earlier_nights_equal_a_whole_fetch(
        incremental: dict[str, Any]) -> None:
    """After nights that asked only the unsettled pages, the warehouse says what one that
    fetched every package's opened pages of the same portal says."""
    night, fresh = incremental["cfg"].analyst_path, incremental["fresh"].analyst_path
    for sql in (TENDER_FACTS, BID_FACTS, SCHEDULE_FACTS):
        got = query(night, sql)
        assert got, sql
        assert got == query(fresh, sql)
    # every page a package's stage has opened is in its record, with the stage it was read at
    for jenis in JENIS:
        for kode, keys, pages_at in query(night, (
                "SELECT payload->>'kode', json_keys(payload), payload->>'pages_at' "
                f"FROM raw.spse_detail WHERE key LIKE '{jenis}|%'")):
            row = next(r for r in incremental["after"][jenis] if r["kode"] == kode)
            opened = spse.pages_due(jenis, spse.listing_stage(row))
            assert set(opened) <= set(keys), (jenis, kode)
            assert set(json.loads(pages_at)) == set(opened)


def test_state_lives_with_the_data(incremental: dict[str, Any]) -> None:
    db = incremental["cfg"].database_path
    rows = query(
        db,
        "SELECT count(*), count(*) FILTER (WHERE payload->>'listing_hash' IS NULL) "
        "FROM raw.spse_detail",
    )
    assert rows[0][0] == sum(len(js) for js in incremental["after"].values())
    assert rows[0][1] == 0


# --- ISB and SPSE describing the same packages ----------------------------------------------


def test_isb_and_spse_merge_into_one_row_and_fill_bids(tmp_path: Path) -> None:
    world = World(seed=SEED, scale=SCALE)
    with Simulator(world) as sim:
        cfg = spse_config(
            tmp_path,
            sim.url,
            [
                {
                    "name": "Provinsi Jawa Tengah",
                    "kd_klpd": "D901",
                    "kd_lpse": 901,
                    "spse_slug": "jatengprov",
                }
            ],
            isb=True,
        )
        summary = run(cfg)
    assert [f for f in summary.failed if f[0].startswith("spse")] == []
    db = cfg.analyst_path
    dupes = query(db, "SELECT kind, source_id FROM tenders GROUP BY ALL HAVING count(*) > 1")
    assert dupes == []
    both = query(
        db,
        "SELECT kind, count(*) FROM tenders WHERE sources = ['isb', 'spse'] "
        "GROUP BY kind ORDER BY kind",
    )
    assert dict(both) == {
        "non_tender": world.count("non_tender"),
        "pencatatan_non_tender": world.count("pencatatan"),
        "swakelola": world.count("swakelola"),
        "tender": world.count("tender"),
    }
    assert query(db, "SELECT DISTINCT source FROM tenders WHERE kind = 'darurat'") == [("spse",)]
    # every SPSE bidder matched its ISB participant by NPWP: no extra rows, results filled in
    n_bids = query(db, "SELECT count(*) FROM bids")[0][0]
    region = world.by_slug["jatengprov"]
    participants = [
        p for i in range(world.count("tender")) for p in world.participants(region, YEAR, i)
    ]
    assert n_bids == len(participants)
    offers = query(db, "SELECT source, passed_administration, offer_value FROM bids WHERE is_bid")
    assert offers
    assert {s for s, _, _ in offers} == {"isb"}
    assert all(adm is True for _, adm, _ in offers)  # from SPSE's hasil page


# --- failure modes ----------------------------------------------------------------------------


def test_unknown_slug_is_a_clear_failure(tmp_path: Path) -> None:
    with Simulator(World(seed=SEED, scale=SCALE)) as sim:
        cfg = spse_config(tmp_path, sim.url, [{"name": "Kota Semarang", "spse_slug": "semarang"}])
        summary = run(cfg)
    assert len(summary.failed) == len(JENIS)
    for label, reason in summary.failed:
        assert label.startswith("spse/")
        assert reason.startswith(f"SPSE slug 'semarang' not found at {sim.url}")
    runs = query(cfg.database_path, "SELECT status, error FROM ops.runs WHERE source = 'spse'")
    assert {s for s, _ in runs} == {"failed"}
    quarantined = query(cfg.database_path, "SELECT raw FROM ops.quarantine WHERE source = 'spse'")
    assert quarantined
    assert all(b"Halaman yang dituju tidak ditemukan" in bytes(r) for (r,) in quarantined)


@pytest.mark.parametrize("stale_answer", ["403", "error"])
def test_expired_token_is_renewed_once(stale_answer: str) -> None:
    world = World(seed=SEED, scale=SCALE)
    with Simulator(world) as sim:
        svc = service(sim)
        svc.stale_answer = stale_answer
        portal = spse.Portal(HttpClient(FAST), sim.url, "jatengprov")
        portal.open()
        first, _ = portal.listing_page("pl", YEAR, 0, 10, 1)
        svc.expire_tokens()  # the session ends mid-run
        result = portal.listing("pl", YEAR, page_size=10)
    assert portal.renewals == 1
    assert [r["kode"] for r in first.rows] == [r["kode"] for r in result.rows[:10]]
    assert len(result.rows) == world.count("non_tender")


def test_sessions_that_keep_expiring_during_a_run(tmp_path: Path) -> None:
    world = World(seed=SEED, scale=SCALE)
    with Simulator(world) as sim:
        service(sim).token_lifetime = 2  # every session ends after two listing pages
        cfg = spse_config(
            tmp_path,
            sim.url,
            [{"spse_slug": "jatengprov"}],
            spse_settings={"lists": ["pl"], "page_size": 10},
        )
        summary = run(cfg)
        token_pages = sim.requests["/jatengprov/lelang"]
    assert summary.failed == []
    assert {r.dataset: r.n_records for r in summary.landed} == {
        "dt/pl": world.count("non_tender"),
        "detail/pl": world.count("non_tender"),
    }
    # The last page comes back empty and is asked once more to confirm the end.
    pages = -(-world.count("non_tender") // 10) + 2
    # Renewed each time the session ended; the detail round (after every listing) opens one.
    assert token_pages == 1 + (pages - 1) // 2 + 1


def test_a_token_that_will_not_renew_fails_with_the_body() -> None:
    with Simulator(World(seed=SEED, scale=SCALE)) as sim:
        svc = service(sim)
        svc.stale_answer = "error"
        portal = spse.Portal(HttpClient(FAST), sim.url, "jatengprov")
        portal.token = "stale"  # noqa: S105 - a token the portal never issued
        svc.break_listing("pl", 5)  # and the renewed one gets an error page too
        with pytest.raises(spse.SpseError, match="error page") as err:
            portal.listing("pl", YEAR, page_size=10)
    assert b"Maaf, terjadi error pada aplikasi SPSE" in (err.value.body or b"")


def test_429_with_retry_after_is_honoured() -> None:
    world = World(seed=SEED, scale=SCALE)
    with Simulator(world) as sim:
        service(sim).throttle(1, retry_after=1)
        started = time.monotonic()
        listing, details = fetch_all(HttpClient(FAST), sim.url, "jatengprov", "nonspk",
                                     "jatengprov", YEAR)
        elapsed = time.monotonic() - started
        throttled = sim.requests["/jatengprov/lelang"]
    assert elapsed >= 1.0  # waited as told, not the 0.01 s backoff
    assert throttled == 3  # the 429, the retry, then the detail round's own session
    assert len(listing.keys) == len(details.keys) == world.count("pencatatan")


def test_persistent_429_fails_the_run_row(tmp_path: Path) -> None:
    with Simulator(World(seed=SEED, scale=SCALE)) as sim:
        service(sim).throttle(100, retry_after=0)
        cfg = spse_config(
            tmp_path,
            sim.url,
            [{"spse_slug": "jatengprov"}],
            spse_settings={"lists": ["darurat-list"]},
        )
        summary = run(cfg)
    assert [label for label, _ in summary.failed] == ["spse/darurat-list jatengprov 2025"]
    assert "HTTP 429" in summary.failed[0][1]
    runs = query(cfg.database_path, "SELECT status FROM ops.runs WHERE source = 'spse'")
    assert runs == [("failed",)]


def test_html_error_page_in_place_of_json(tmp_path: Path) -> None:
    world = World(seed=SEED, scale=SCALE)
    with Simulator(world) as sim:
        service(sim).break_listing("nonspk")
        cfg = spse_config(tmp_path, sim.url, [{"spse_slug": "jatengprov"}])
        summary = run(cfg)
    assert [label for label, _ in summary.failed] == ["spse/nonspk jatengprov 2025"]
    assert "error page" in summary.failed[0][1]
    db = cfg.database_path
    failed = query(db, "SELECT dataset, error FROM ops.runs WHERE status = 'failed'")
    assert [d for d, _ in failed] == ["nonspk"]
    [(raw,)] = query(db, "SELECT raw FROM ops.quarantine WHERE dataset = 'nonspk'")
    assert b"Maaf, terjadi error pada aplikasi SPSE." in bytes(raw)
    # the other lists landed; nothing of the broken one was half-landed
    kinds = dict(query(cfg.analyst_path, "SELECT kind, count(*) FROM tenders GROUP BY kind"))
    assert "pencatatan_non_tender" not in kinds
    assert kinds["non_tender"] == world.count("non_tender")


def test_a_detail_page_error_quarantines_that_package_only() -> None:
    # Replay the real captures: 25 nonspk rows, detail pages captured for one package only.
    captures = require_shared(SHARED / "data" / "spse-national-2026")
    with Simulator(replay=captures) as sim:
        listing, details = fetch_all(HttpClient(FAST), sim.url, "nasional", "nonspk", "nasional",
                                     2026)
    assert len(listing.keys) == 25
    assert details.keys == ["nonspk|10942236000"]
    [record] = details.records
    assert record["pengumuman"]["nilai_pagu_paket"] == 3_800_000
    assert record["realisasi"]["nilai_total_realisasi"] == 266_400
    assert len(details.rejected) == 24
    assert all(b"Halaman yang dituju tidak ditemukan" in r.raw for r in details.rejected)


def test_region_given_by_slug_alone_and_legacy_base() -> None:
    cfg = build_config({"run": {"years": [2025]}, "regions": [{"spse_slug": "jatengprov"}]})
    assert cfg.regions[0].name == "jatengprov"
    assert cfg.regions[0].label == "jatengprov"
    assert (
        spse.portal_base("https://spse.inaproc.id/", "jatengprov")
        == "https://spse.inaproc.id/jatengprov"
    )
    assert (
        spse.portal_base("https://spse.inaproc.id", "https://lpse.semarangkota.go.id/eproc4/")
        == "https://lpse.semarangkota.go.id/eproc4"
    )


class _FakeClient:
    """Answers the session page only; the cookie jar is what the portal would have set."""

    def __init__(self, body: bytes, cookie: str | None) -> None:
        self.session = requests.Session()
        if cookie:
            self.session.cookies.set("SPSE_SESSION", cookie)
        self.body = body

    def get(self, url: str) -> Response:
        return Response(200, url, self.body, {}, datetime.now(UTC))


@pytest.mark.parametrize(
    ("body", "cookie"),
    [
        (b"<html><body><div class='content'>x</div></body></html>", "abc-___AT=c00k1e&___TS=1"),
        (b"<html><body><script>d.authenticityToken = 'c00k1e';</script></body></html>", None),
    ],
)
def test_token_from_cookie_or_page_script(body: bytes, cookie: str | None) -> None:
    portal = spse.Portal(_FakeClient(body, cookie), "http://x", "s")  # type: ignore[arg-type]
    assert portal.open() == "c00k1e"


def test_no_token_is_an_error_with_the_body() -> None:
    body = b"<html><body><div class='content'>x</div></body></html>"
    with pytest.raises(spse.SpseError, match="no authenticityToken") as err:
        spse.Portal(_FakeClient(body, None), "http://x", "s").open()  # type: ignore[arg-type]
    assert err.value.body == body
