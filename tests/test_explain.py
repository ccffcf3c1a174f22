"""`pantau explain`: definition and legal basis from the catalogue of SQL headers, rows from the
analyst copy."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from indicator_world import World
from pantau.models import catalogue
from pantau.sql import SQL_DIR

from pantau import cli
from pantau.analyst import explain

CHECKS = ("ID-C01", "ID-C02", "ID-C03", "ID-C04", "ID-C06", "ID-C08", "ID-C10", "PFA", "PFA-1",
          "PFA-2", "PFA-3")
CARDINAL = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
METRICS = (
    "tenders_finished", "single_bid_rate", "avg_bids", "award_near_hps_rate", "failed_rate",
    "non_competitive_value_share", "pl_above_ceiling", "flagged_share", "umk_value_share",
    "pdn_value_share", "epurchasing_value_share",
)


def docs() -> dict[str, catalogue.Definition]:
    cat = catalogue.load()
    return {catalogue.key(d.name): d for d in (*cat.flags, *cat.metrics)}


def test_every_check_and_metric_is_documented():
    docs_ = docs()
    for code in (*CHECKS, *CARDINAL):
        doc = docs_[code]
        assert doc.kind == "flag"
        for key in ("definition", "parameters", "basis", "value"):
            assert doc.fields.get(key), f"{code} has no {key}"
    for name in METRICS:
        doc = docs_[name]
        assert doc.kind == "metric"
        assert doc.title, name
        assert doc.fields.get("numerator"), name
    assert "Perpres 16/2018 Pasal 38" in docs_["ID-C01"].fields["basis"]
    assert "perpres_46_2025_effective_date" in docs_["ID-C01"].parameters
    assert docs_["single_bid_rate"].fields["denominator"].startswith("finished tenders")
    assert docs_["R003"].cardinal_options[0] == "R003.threshold"
    assert "pfa2_bands" in docs_["PFA-2"].parameters
    # metric names in the view's documentation are the ones defined
    view = (SQL_DIR / "views" / "agency_metrics.sql").read_text(encoding="utf-8")
    assert all(name in view for name in METRICS)


def test_parameters_exist_as_settings(tmp_path):
    con = World(tmp_path).build()
    names = {r[0] for r in con.execute("SELECT name FROM core.settings").fetchall()}
    for doc in docs().values():
        assert set(doc.parameters) <= names, (doc.name, set(doc.parameters) - names)


def test_explain_flag_on_hand_made_world(tmp_path):
    world = World(tmp_path)
    pid = world.process(kind="non_tender", method="Pengadaan Langsung",
                        category="Pengadaan Barang", hps=250_000_000, title="Pengadaan laptop")
    world.process(kind="non_tender", method="Pengadaan Langsung", category="Pengadaan Barang",
                  hps=250_000_000, kd_klpd="D002")
    con = world.build()
    doc = docs()["ID-C01"]
    text = explain.explain(con, doc, kd_klpd="D001", year=2025)
    assert "Pengadaan Langsung" in text
    assert "Pasal 38" in text
    assert "id_c01_ceiling_goods = 200000000  [law]" in text
    assert "Rows of ID-C01 (1 processes in kd_klpd D001, year 2025" in text
    assert pid in text
    assert "Pengadaan laptop" in text


def test_explain_metric_lists_the_rows_behind_it(tmp_path):
    world = World(tmp_path)
    one = world.process(n_bids=1, title="Tender satu penawar")
    world.process(n_bids=3, kd_satker="S2")
    con = world.build()
    text = explain.explain(con, docs()["single_bid_rate"], kd_klpd="D001", year=2025)
    assert "finished tenders whose n_bids" in text
    assert "0.5" in text  # the K/L/PD value
    assert "2 processes, 1 with a non-zero numerator" in text
    assert text.index(one) < text.index("S2")  # the one-bid tender first
    only_s2 = explain.explain(con, docs()["single_bid_rate"], kd_klpd="D001", satker="S2")
    assert one not in only_s2


def _config(tmp_path: Path, analyst: Path) -> Path:
    cfg = tmp_path / "pantau.toml"
    cfg.write_text(
        f"[database]\npath = '{tmp_path / 'w.duckdb'}'\nanalyst_path = '{analyst}'\n"
        "[run]\nyears = [2025]\n[[regions]]\nname = 'Kabupaten Bandung'\nkd_klpd = 'D107'\n",
        encoding="utf-8")
    return cfg


def test_cli_explain_on_bandung(tmp_path, bandung_analyst: Path, capsys):
    cfg = _config(tmp_path, bandung_analyst)
    assert cli.main(["--config", str(cfg), "explain", "single_bid_rate",
                     "--region", "Kabupaten Bandung", "--year", "2025", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    with duckdb.connect(str(bandung_analyst), read_only=True) as con:
        num, den = con.execute(
            "SELECT numerator, denominator FROM agency_metrics WHERE metric = 'single_bid_rate' "
            "AND kd_klpd = 'D107' AND year = 2025 AND kd_satker IS NULL").fetchone()
    assert f"{int(den)} processes, {int(num)} with a non-zero numerator" in out
    assert "R018" in out  # its basis

    assert cli.main(["--config", str(cfg), "explain", "id-c01", "--region", "D107"]) == 0
    out = capsys.readouterr().out
    assert "Rows of ID-C01 (" in out
    assert "Pasal 41" in out

    assert cli.main(["--config", str(cfg), "explain", "PFA-2", "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert "Rows of PFA-2 (" in out
    assert "opentender.net" in out

    assert cli.main(["--config", str(cfg), "explain"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in (*CHECKS, *CARDINAL, *METRICS))

    assert cli.main(["--config", str(cfg), "explain", "r018", "--region", "D107"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("R018: Single bid received")
    assert "Rows of R018 (" in out
    assert "R018.procurement_methods" in out


def test_cli_explain_errors(tmp_path, capsys):
    cfg = _config(tmp_path, tmp_path / "missing.duckdb")
    assert cli.main(["--config", str(cfg), "explain", "no_such_metric"]) == 1
    assert "unknown flag or metric" in capsys.readouterr().err
    assert cli.main(["--config", str(cfg), "explain", "failed_rate"]) == 1
    assert "no analyst copy" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["ID-C03", "PFA", "PFA-1", "R003", "flagged_share"])
def test_describe_is_plain_text(name):
    text = explain.describe(docs()[name])
    assert text.startswith(name)
    assert "definition:" in text or "numerator:" in text
