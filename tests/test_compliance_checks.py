"""ID-C01 ... ID-C10 and the PFA scores on hand-made processes, edges at every threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from indicator_world import World, wib
from pantau.flows.config import load_config
from pantau.models.settings import SettingsError, apply
from pantau.models.transform import build

PL = {"kind": "non_tender", "method": "Pengadaan Langsung", "status": "Selesai"}
JT = 1_000_000


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


# --- ID-C01 pengadaan langsung above its ceiling -------------------------------------------

def test_c01_ceilings_at_and_above(world):
    at_goods = world.process(**PL, category="Pengadaan Barang", hps=200 * JT)
    over_goods = world.process(**PL, category="Pengadaan Barang", hps=200 * JT + 1)
    at_other = world.process(**PL, category="Jasa Lainnya", hps=200 * JT)
    over_other = world.process(**PL, category="Jasa Lainnya", hps=200_000_000.01)
    at_cons = world.process(**PL, category="Jasa Konsultansi Badan Usaha Non Konstruksi",
                            hps=100 * JT)
    over_cons = world.process(**PL, category="Jasa Konsultansi Perorangan Konstruksi",
                              hps=100 * JT + 1)
    tender = world.process(category="Pengadaan Barang", hps=900 * JT)  # not PL
    world.build()
    flags = world.flags("ID-C01")
    assert set(flags) == {over_goods, over_other, over_cons}
    assert flags[over_goods] == 200 * JT + 1
    assert not {at_goods, at_other, at_cons, tender} & set(flags)


def test_c01_works_ceiling_follows_perpres_46_2025_date(world):
    before = world.process(**PL, category="Pekerjaan Konstruksi", hps=300 * JT,
                           announced_at=wib("2025-04-29", "23:59"))
    on_day = world.process(**PL, category="Pekerjaan Konstruksi", hps=300 * JT,
                           announced_at=wib("2025-04-30", "00:00"))
    at_400 = world.process(**PL, category="Pekerjaan Konstruksi", hps=400 * JT,
                           announced_at=wib("2025-06-01"))
    over_400 = world.process(**PL, category="Pekerjaan Konstruksi", hps=400 * JT + 1,
                             announced_at=wib("2025-06-01"))
    unknown_day = world.process(**PL, category="Pekerjaan Konstruksi", hps=300 * JT,
                                announced_at=None)
    world.build()
    assert set(world.flags("ID-C01")) == {before, over_400}
    assert not {on_day, at_400, unknown_day} & set(world.flags("ID-C01"))
    # the date is a setting: moved later, the June package falls under the Rp200 jt ceiling
    world.build(overrides={"perpres_46_2025_effective_date": "2025-07-01"})
    assert set(world.flags("ID-C01")) == {before, on_day, at_400, over_400}


def test_c01_value_is_hps_else_pagu(world):
    by_pagu = world.process(**(PL | {"kind": "pencatatan_non_tender"}), category="Pengadaan Barang",
                            hps=None, pagu=250 * JT)
    hps_zero = world.process(**PL, category="Pengadaan Barang", hps=0, pagu=250 * JT)
    hps_under = world.process(**PL, category="Pengadaan Barang", hps=150 * JT, pagu=250 * JT)
    world.build()
    flags = world.flags("ID-C01")
    assert set(flags) == {by_pagu, hps_zero}
    assert hps_under not in flags
    desc = world.con.execute("SELECT description FROM core.flags_compliance WHERE "
                             "source_id = $i", {"i": by_pagu}).fetchone()[0]
    assert "pagu Rp250.000.000 > ceiling Rp200.000.000" in desc


# --- ID-C02 consultancy above Rp100 jt not by seleksi ---------------------------------------

def test_c02_consultancy_method(world):
    cons = "Jasa Konsultansi Badan Usaha Non Konstruksi"
    seleksi = world.process(category=cons, method="Seleksi", hps=500 * JT)
    pl_over = world.process(**PL, category=cons, hps=100 * JT + 1)
    pl_at = world.process(**PL, category=cons, hps=100 * JT)
    tender = world.process(category=cons, method="Tender", hps=300 * JT)
    penunjukan = world.process(kind="non_tender", category=cons, method="Penunjukan Langsung",
                               hps=300 * JT)
    goods = world.process(**PL, category="Pengadaan Barang", hps=150 * JT)
    no_method = world.process(category=cons, method=None, hps=300 * JT)
    world.build()
    assert set(world.flags("ID-C02")) == {pl_over, tender}
    assert not {seleksi, pl_at, penunjukan, goods, no_method} & set(world.flags("ID-C02"))
    # consultancy PL above the ceiling is both C01 and C02
    assert pl_over in world.flags("ID-C01")


# --- ID-C03 split packages -------------------------------------------------------------------

def _pl(world, day, value, **kw):
    args = {**PL, "category": "Pengadaan Barang", "supplier_npwp": "011111111111000",
            "hps": value, "announced_at": wib(day)} | kw
    return world.process(**args)


def test_c03_two_within_window_over_ceiling(world):
    a = _pl(world, "2025-03-01", 150 * JT)
    b = _pl(world, "2025-03-31", 60 * JT)  # 30 days later: inside the default window
    world.build()
    flags = world.flags("ID-C03")
    assert set(flags) == {a, b}
    assert flags[a] == 210 * JT


def test_c03_edges(world):
    # 31 days apart: outside the window
    _pl(world, "2025-03-01", 150 * JT, supplier_npwp="1")
    _pl(world, "2025-04-01", 60 * JT, supplier_npwp="1")
    # together exactly at the ceiling: not over it
    _pl(world, "2025-03-01", 100 * JT, supplier_npwp="2")
    _pl(world, "2025-03-02", 100 * JT, supplier_npwp="2")
    # different supplier, satker or category: no group
    _pl(world, "2025-03-01", 150 * JT, supplier_npwp="3")
    _pl(world, "2025-03-02", 150 * JT, supplier_npwp="4")
    _pl(world, "2025-03-01", 150 * JT, supplier_npwp="5", kd_satker="S1")
    _pl(world, "2025-03-02", 150 * JT, supplier_npwp="5", kd_satker="S2")
    _pl(world, "2025-03-01", 150 * JT, supplier_npwp="6", category="Jasa Lainnya")
    _pl(world, "2025-03-02", 150 * JT, supplier_npwp="6")
    # one above the ceiling is ID-C01, not part of a split; a cancelled one bought nothing
    _pl(world, "2025-03-01", 250 * JT, supplier_npwp="7")
    _pl(world, "2025-03-02", 150 * JT, supplier_npwp="7")
    _pl(world, "2025-03-01", 150 * JT, supplier_npwp="8", status="Gagal/Batal")
    _pl(world, "2025-03-02", 150 * JT, supplier_npwp="8")
    world.build()
    assert world.flags("ID-C03") == {}


def test_c03_window_is_a_setting_and_chains(world):
    a = _pl(world, "2025-01-01", 80 * JT)
    b = _pl(world, "2025-02-20", 80 * JT)  # 50 days after a
    c = _pl(world, "2025-03-01", 80 * JT)  # 9 days after b
    world.build()
    assert world.flags("ID-C03") == {}  # b + c = 160 jt, a is alone in 30 days
    world.build(overrides={"id_c03_window_days": 60})
    flags = world.flags("ID-C03")
    assert set(flags) == {a, b, c}
    assert flags[a] == 240 * JT  # all three fit in the 60 days from a


# --- ID-C04 RUP -----------------------------------------------------------------------------

def test_c04_missing_and_late_rup(world):
    no_code = world.process(kd_rup=None)
    blank = world.process(kind="non_tender", method="Pengadaan Langsung", kd_rup=" ")
    recorded = world.process(kind="pencatatan_non_tender", kd_rup=None)  # not a tender/non-tender
    no_klpd = world.process(kd_rup=None, kd_klpd=None)  # list source without RUP codes
    late = world.process(kd_rup="R10;R11", announced_at=wib("2025-03-03", "09:00"))
    same = world.process(kd_rup="R12", announced_at=wib("2025-03-03", "09:00"))
    early = world.process(kd_rup="R13", announced_at=wib("2025-03-03", "09:00"))
    unknown = world.process(kd_rup="R99")
    world.plan("R10", wib("2025-01-01"))
    world.plan("R11", wib("2025-03-05", "09:00"))
    world.plan("R12", wib("2025-03-03", "09:00"))
    world.plan("R13", wib("2025-03-01"))
    world.build()
    flags = world.flags("ID-C04")
    assert set(flags) == {no_code, blank, late}
    assert flags[late] == pytest.approx(2.0)
    assert not {recorded, no_klpd, same, early, unknown} & set(flags)
    world.build(overrides={"id_c04_flag_code_not_in_sirup": True})
    assert unknown in world.flags("ID-C04")


# --- ID-C06 small-business reservation ------------------------------------------------------

def test_c06_reservation(world):
    at_15m = world.process(pagu=15_000_000_000, qualification="Non Kecil")
    over_15m = world.process(pagu=15_000_000_001, qualification="Non Kecil")
    menengah = world.process(pagu=4_000 * JT, qualification="Menengah")
    kecil = world.process(pagu=4_000 * JT, qualification="Kecil")
    unknown = world.process(pagu=4_000 * JT, qualification=None)
    consult = world.process(pagu=4_000 * JT, qualification="Menengah",
                            category="Jasa Konsultansi Badan Usaha Konstruksi", method="Seleksi")
    world.build()
    flags = world.flags("ID-C06")
    assert set(flags) == {at_15m, menengah}
    assert flags[at_15m] == 15_000_000_000
    assert not {over_15m, kecil, unknown, consult} & set(flags)


# --- ID-C08 contract above HPS --------------------------------------------------------------

def test_c08_contract_above_hps(world):
    equal = world.process(hps=500 * JT, contract_value=500 * JT)
    above = world.process(hps=500 * JT, contract_value=500_000_000.01)
    no_hps = world.process(hps=None, contract_value=500 * JT)
    world.build()
    flags = world.flags("ID-C08")
    assert set(flags) == {above}
    assert flags[above] == pytest.approx(1.00000000002)
    assert not {equal, no_hps} & set(flags)


# --- ID-C10 submission period ---------------------------------------------------------------

def test_c10_needs_configured_minimum(world):
    short = world.process()
    world.stage(short, "upload dokumen penawaran", wib("2025-03-03", "08:00"),
                wib("2025-03-04", "08:00"))
    world.build()
    assert world.flags("ID-C10") == {}  # no verified minimum ships by default


def test_c10_minimum_per_method(world):
    start = wib("2025-03-03", "08:00")
    exact = world.process(method="Tender")
    world.stage(exact, "upload dokumen penawaran", start, start + timedelta(days=3))
    short = world.process(method="Tender")
    world.stage(short, "upload dokumen penawaran", start, start + timedelta(days=3, seconds=-1))
    other_stage = world.process(method="Tender")
    world.stage(other_stage, "penjelasan dokumen lelang", start, start + timedelta(hours=1))
    seleksi = world.process(method="Seleksi", category="Jasa Konsultansi Badan Usaha Konstruksi")
    world.stage(seleksi, "upload dokumen penawaran", start, start + timedelta(days=4))
    unconfigured = world.process(method="Tender Cepat")
    world.stage(unconfigured, "upload dokumen penawaran", start, start + timedelta(hours=2))
    world.build(overrides={"id_c10_min_days": {"Tender": 3, "Seleksi": 5}})
    flags = world.flags("ID-C10")
    assert set(flags) == {short, seleksi}
    assert flags[seleksi] == pytest.approx(4.0)


# --- PFA ------------------------------------------------------------------------------------

def _pfa(world, code):
    return {k: int(v) for k, v in world.flags(code).items()}


@pytest.mark.parametrize(("days", "score"), [
    (0, 1), (25, 1), (26, 2), (35, 2), (36, 3), (45, 3), (46, 4), (70, 4), (71, 5),
])
def test_pfa1_bands(world, days, score):
    pid = world.process(announced_at=wib("2025-02-01", "15:00"),
                        awarded_at=wib("2025-02-01", "08:00") + timedelta(days=days))
    world.build()
    assert _pfa(world, "PFA-1") == {pid: score}


@pytest.mark.parametrize(("contract", "score"), [
    (100_000_001, 5),                  # above HPS
    (100_000_000, 5), (99_000_001, 5),  # 0 % and 0.999999 % below
    (99_000_000, 4), (98_000_000, 3), (97_000_000, 2), (96_000_000, 1),  # 1, 2, 3, 4 %
    (92_000_001, 1), (92_000_000, 2), (88_000_000, 3), (84_000_000, 4),  # 7.99.., 8, 12, 16 %
    (80_000_001, 4), (80_000_000, 5), (10_000_000, 5),  # 19.99.., 20, 90 %
])
def test_pfa2_bands(world, contract, score):
    pid = world.process(hps=100 * JT, contract_value=contract)
    world.build()
    assert _pfa(world, "PFA-2") == {pid: score}


@pytest.mark.parametrize(("contract", "score"), [
    (0, 1), (500 * JT, 1), (500 * JT + 1, 2), (1_000 * JT, 2), (1_000 * JT + 1, 3),
    (5_000 * JT, 3), (5_000 * JT + 1, 4), (10_000 * JT, 4), (10_000 * JT + 1, 5),
])
def test_pfa3_bands(world, contract, score):
    pid = world.process(contract_value=contract)
    world.build()
    assert _pfa(world, "PFA-3") == {pid: score}


def test_pfa_total_needs_every_enabled_indicator(world):
    full = world.process(announced_at=wib("2025-02-01"), awarded_at=wib("2025-03-20"),
                         hps=100 * JT, contract_value=95 * JT)  # 47 days, 5 %, 95 jt
    no_award = world.process(hps=100 * JT, contract_value=95 * JT, awarded_at=None)
    non_tender = world.process(**PL, category="Pengadaan Barang", hps=100 * JT,
                               contract_value=95 * JT, awarded_at=wib("2025-03-20"))
    world.build()
    assert _pfa(world, "PFA") == {full: 4 + 1 + 1}
    assert no_award in world.flags("PFA-2")
    assert non_tender not in world.flags("PFA-3")  # PFA scores tenders only by default
    assert world.flags("PFA-4") == world.flags("PFA-6") == world.flags("PFA-7") == {}


def test_pfa_configured_indicators_join_the_total(world):
    a = world.process(title="Jalan", supplier_npwp="1", announced_at=wib("2025-11-03"),
                      awarded_at=wib("2025-11-13"), hps=100 * JT, contract_value=90 * JT)
    b = world.process(title="Pembangunan gedung serbaguna kecamatan", supplier_npwp="1",
                      announced_at=wib("2025-05-05"), awarded_at=wib("2025-05-15"),
                      hps=100 * JT, contract_value=90 * JT)
    world.build(overrides={
        "pfa4_bands": [{"max": 20, "score": 5}, {"max": 40, "score": 4}, {"score": 1}],
        "pfa6_q4_score": 3, "pfa6_other_score": 1,
        "pfa7_bands": [{"max": 1, "score": 1}, {"max": 2, "score": 2}, {"score": 5}],
    })
    assert _pfa(world, "PFA-4") == {a: 5, b: 4}
    assert _pfa(world, "PFA-6") == {a: 3, b: 1}
    assert _pfa(world, "PFA-7") == {a: 2, b: 2}
    # PFA-1 = 1 (10 days), PFA-2 = 2 (10 % below), PFA-3 = 1
    assert _pfa(world, "PFA") == {a: 1 + 2 + 1 + 5 + 3 + 2, b: 1 + 2 + 1 + 4 + 1 + 2}


def test_flags_shape(world):
    pid = world.process(**PL, category="Pengadaan Barang", hps=300 * JT)
    world.build()
    row = world.con.execute(
        "SELECT source, kind, source_id, code, value, grp, entity_id FROM core.flags "
        "WHERE code = 'ID-C01'").fetchone()
    assert row == ("isb", "non_tender", pid, "ID-C01", 300 * JT, "OCID", pid)
    cols = [c[0] for c in world.con.execute("DESCRIBE core.flags_compliance").fetchall()]
    assert cols == ["source", "kind", "source_id", "code", "value", "grp", "entity_id",
                    "description"]


# --- settings -------------------------------------------------------------------------------

def test_settings_are_validated(world):
    with pytest.raises(SettingsError, match="unknown setting"):
        world.build(overrides={"id_c01_ceiling_gods": 1})
    with pytest.raises(SettingsError, match="must be a number"):
        world.build(overrides={"id_c03_window_days": "30"})
    with pytest.raises(SettingsError, match="ascending"):
        world.build(overrides={"pfa1_bands": [{"max": 30, "score": 1}, {"max": 20, "score": 2}]})
    with pytest.raises(SettingsError, match="must be a date"):
        world.build(overrides={"perpres_46_2025_effective_date": "soon"})


def test_settings_view_shows_overrides_and_basis(world):
    world.build(overrides={"id_c03_window_days": 90})
    rows = dict(world.con.execute(
        "SELECT name, (value, overridden, status) FROM indicator_settings").fetchall())
    assert rows["id_c03_window_days"] == ("90", True, "configured")
    assert rows["id_c01_ceiling_goods"] == ("200000000", False, "law")
    assert rows["perpres_46_2025_effective_date"][2] == "secondary"
    # back to the defaults when the config no longer sets it
    world.build()
    assert world.con.execute("SELECT value FROM indicator_settings WHERE name = "
                             "'id_c03_window_days'").fetchone()[0] == "30"


def test_settings_from_pantau_toml(world, tmp_path):
    cfg_path = tmp_path / "pantau.toml"
    cfg_path.write_text(
        "[run]\nyears = [2025]\n[indicators]\nperpres_46_2025_effective_date = 2025-07-01\n"
        'id_c10_min_days = { "Tender" = 3, "Seleksi" = 3 }\n'
        "pfa4_bands = [{ max = 20, score = 5 }, { max = 40, score = 4 }, { score = 1 }]\n",
        encoding="utf-8")
    late = world.process(**PL, category="Pekerjaan Konstruksi", hps=300 * JT,
                         announced_at=wib("2025-06-30"))
    apply(world.con, load_config(cfg_path).indicators.overrides)
    build(world.con, sql_dir=world.sql_dir)
    assert late in world.flags("ID-C01")
    values = dict(world.con.execute("SELECT name, value FROM core.settings WHERE overridden"
                                    ).fetchall())
    assert values == {
        "perpres_46_2025_effective_date": '"2025-07-01"',
        "id_c10_min_days": '{"Tender": 3, "Seleksi": 3}',
        "pfa4_bands": '[{"max": 20, "score": 5}, {"max": 40, "score": 4}, '
                      '{"max": null, "score": 1}]',
    }
