"""Region resolution: codes from LKPP's master lists, cached, and SPSE-only regions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pantau.flows import steps
from pantau.models.db import open_warehouse
from pipeline_helpers import make_config

from pantau.simulator.server import Simulator
from pantau.simulator.world import World


def resolve(cfg: steps.Config) -> tuple[list, steps.RunSummary]:
    summary = steps.RunSummary("t", date(2025, 1, 1), started_at=steps.datetime.now(steps.UTC))
    with open_warehouse(cfg.database_path) as con:
        regions = steps.resolve_regions(cfg, steps.http_client(cfg), con, "t", summary)
    return regions, summary


def test_names_resolve_to_the_master_list_codes(tmp_path: Path) -> None:
    world = World()
    with Simulator(world) as sim:
        cfg = make_config(
            tmp_path, sim.url, [{"name": "Kota Semarang"}, {"name": "Prov. Jawa Tengah"}]
        )
        regions, summary = resolve(cfg)
    expected = {r.nama_klpd: (r.kd_klpd, r.kd_lpse) for r in world.regions}
    assert [(r.kd_klpd, r.kd_lpse) for r in regions] == [
        expected["Kota Semarang"],
        expected["Provinsi Jawa Tengah"],
    ]
    assert summary.failed == []


def test_the_cached_master_list_serves_when_the_source_is_down(tmp_path: Path) -> None:
    with Simulator(World()) as sim:
        cfg = make_config(tmp_path, sim.url, [{"name": "Kota Semarang"}])
        first, _ = resolve(cfg)
    down = make_config(tmp_path, "http://127.0.0.1:9", [{"name": "Kota Semarang"}])  # nothing there
    again, summary = resolve(down)
    assert again == first
    assert any("using the cached copy" in n for n in summary.notices)


def test_an_unknown_name_fails_unless_spse_can_still_watch_it(tmp_path: Path) -> None:
    with Simulator(World()) as sim:
        regions = [{"name": "Kota Atlantis"}, {"name": "Kab. Atlantis", "spse_slug": "jatengprov"}]
        isb_only = make_config(tmp_path, sim.url, regions)
        kept, summary = resolve(isb_only)
        assert kept == []
        assert [label for label, _ in summary.failed] == [
            "resolve Kota Atlantis",
            "resolve Kab. Atlantis",
        ]
        both = make_config(
            tmp_path,
            sim.url,
            regions,
            extra={
                "sources": {
                    "isb": {"enabled": True, "satudata_url": f"{sim.url}/isb-2/api/satudata"},
                    "spse": {"enabled": True, "base_url": sim.url},
                }
            },
        )
        kept, summary = resolve(both)
    assert [r.spse_slug for r in kept] == ["jatengprov"]
    assert [label for label, _ in summary.failed] == ["resolve Kota Atlantis"]
    assert any("fetched from SPSE only" in n for n in summary.notices)
