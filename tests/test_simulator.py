"""The simulator: deterministic, internally consistent, shaped like the real captures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from pantau.simulator.isb import IsbGenerator
from pantau.simulator.server import Simulator
from pantau.simulator.world import World


def dataset(world: World, name: str, kd_klpd: str = "D107") -> list[dict]:
    return list(IsbGenerator(world).dataset(name, world.by_klpd[kd_klpd], 2025))


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = dataset(World(seed=3), "SPSE-TenderPengumuman")
    assert a == dataset(World(seed=3), "SPSE-TenderPengumuman")
    assert a != dataset(World(seed=4), "SPSE-TenderPengumuman")


def test_generated_fields_match_the_real_captures(bandung_dir: Path) -> None:
    world = World()
    for name in (
        "SPSE-TenderPengumuman",
        "SPSE-PesertaTender",
        "SPSE-TenderSelesaiNilai",
        "SPSE-NonTenderPengumuman",
        "SPSE-PencatatanNonTender",
        "Ecat-PaketEPurchasingV6",
    ):
        real = json.loads((bandung_dir / f"{name}.json").read_bytes())
        generated = dataset(world, name)
        missing = set(real[0]) - set(generated[0])
        assert not missing, (name, missing)


def test_datasets_agree_with_each_other() -> None:
    world = World(seed=7)
    tenders = {t["kd_tender"]: t for t in dataset(world, "SPSE-TenderPengumuman")}
    peserta = dataset(world, "SPSE-PesertaTender")
    nilai = dataset(world, "SPSE-TenderSelesaiNilai")
    assert {p["kd_tender"] for p in peserta} <= set(tenders)
    for n in nilai:
        assert tenders[n["kd_tender"]]["status_tender"] == "Selesai"
        winners = [p for p in peserta if p["kd_tender"] == n["kd_tender"] and p["pemenang"]]
        assert [w["kd_penyedia"] for w in winners] == [n["kd_penyedia"]]
        assert n["nilai_penawaran"] == winners[0]["nilai_penawaran"]
    # Realistic proportions: many registrations, few offers; some finished tenders without offers.
    offers = sum(p["nilai_penawaran"] is not None for p in peserta)
    assert len(peserta) > 10 * offers
    finished = [t for t in tenders.values() if t["status_tender"] == "Selesai"]
    assert len(nilai) < len(finished)


def test_the_real_quirks_are_reproduced() -> None:
    world = World()
    assert any("  " in s["nama_tahapan"] for s in dataset(world, "SPSE-JadwalTahapanTender"))
    assert all("." in n["kd_satker"] for n in dataset(world, "SPSE-TenderSelesaiNilai"))
    assert all(t["kd_satker"].isdigit() for t in dataset(world, "SPSE-TenderPengumuman"))
    stamps = [n["tgl_pengumuman_nontender"] for n in dataset(world, "SPSE-NonTenderPengumuman")]
    assert all(s.endswith(".000000Z") for s in stamps)


def test_advancing_changes_about_the_change_rate() -> None:
    world = World(seed=2, scale=4)
    before = dataset(world, "SPSE-NonTenderPengumuman")
    world.generation += 1
    after = dataset(world, "SPSE-NonTenderPengumuman")
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    assert 0 < changed < 0.03 * len(before)


def test_server_speaks_the_isb_paths() -> None:
    with Simulator(World(seed=1)) as sim:
        base = f"{sim.url}/isb-2/api"
        klpd = requests.get(f"{base}/satudata/MasterKLPD", timeout=5).json()
        assert {"Provinsi Jawa Tengah", "Kota Semarang"} <= {k["nama_klpd"] for k in klpd}
        rows = requests.get(
            f"{base}/k3y/json/1/SPSE-TenderPengumuman/tipe/4:4/parameter/2025:93", timeout=5
        ).json()
        assert rows
        assert {r["kd_lpse"] for r in rows} == {93}
        satker = requests.get(
            f"{base}/k3y/json/2/RUP-MasterSatker/tipe/12:12/parameter/D107:2025", timeout=5
        ).json()
        assert {s["kd_klpd"] for s in satker} == {"D107"}
        umum = requests.get(f"{base}/satudata/TenderUmumPublik/2025/93", timeout=5).json()
        assert "Kode Tender" in umum[0]
        assert (
            requests.get(f"{base}/satudata/TenderUmumPublik/2025/4242", timeout=5).text
            == "URL-NOT-DEFINED"
        )
        assert sim.requests["/isb-2/api/satudata/MasterKLPD"] == 1


def test_replay_serves_the_captured_bytes(bandung_dir: Path) -> None:
    with Simulator(replay=bandung_dir) as sim:
        url = f"{sim.url}/isb-2/api/k/json/1/SPSE-TenderSelesai/tipe/4:4/parameter/2025:93"
        assert (
            requests.get(url, timeout=5).content
            == (bandung_dir / "SPSE-TenderSelesai.json").read_bytes()
        )
        other_year = url.replace("2025:93", "2024:93")
        assert requests.get(other_year, timeout=5).json() == []


def test_simulator_refuses_non_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Simulator(host="0.0.0.0")  # noqa: S104 - the point of the test
