"""OCDS in and out: the connector's shapes and quarantine, the nightly flags, and the round trip
of the real Kab. Bandung data through `pantau export ocds` and back through the connector."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import jsonschema
import pytest
from conftest import load_bandung
from ocds_schema import official_release_schema
from pantau.connectors import ocds
from pantau.connectors.base import Provenance
from pantau.models.db import open_warehouse
from pantau.models.loader import land
from pantau.models.transform import build

from pantau.commands.export_ocds import write_releases

PROV = Provenance("ocds", "file://test", datetime(2025, 1, 1, tzinfo=UTC))


def release(ocid: str, rid: str, date: str, **fields: object) -> dict:
    return {
        "ocid": ocid,
        "id": rid,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        **fields,
    }


def test_release_package_is_merged_with_ocdsmerge():
    def tenderer(**ids: str) -> dict:
        listed = [{"scheme": scheme, "id": i} for scheme, i in ids.items()]
        return {"id": "org", "name": "PT A", "additionalIdentifiers": listed}

    old_tenderer = tenderer(NPWP="012345678901000", NIB="9120001234567")
    new_tenderer = tenderer(NIB="9120001234567")
    package = {
        "releases": [
            release(
                "ocds-1",
                "a",
                "2025-01-01T00:00:00Z",
                tender={"id": "t", "title": "old"},
                bids={"details": [{"id": "b1", "status": "pending", "tenderers": [old_tenderer]}]},
            ),
            release(
                "ocds-1",
                "b",
                "2025-02-01T00:00:00Z",
                tender={"id": "t", "title": "new"},
                bids={
                    "details": [
                        {"id": "b1", "status": "valid", "tenderers": [new_tenderer]},
                        {"id": "b2", "status": "valid"},
                    ]
                },
            ),
        ]
    }
    batch = ocds.to_batch(json.dumps(package).encode(), PROV, region="x", year=2025)
    assert batch.keys == ["ocds-1"]
    compiled = batch.records[0]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["title"] == "new"
    assert [b["status"] for b in compiled["bids"]["details"]] == ["valid", "valid"]
    # The bid extension's tenderers merge by id, their additionalIdentifiers as a whole list:
    # the later release's list replaces the earlier one.
    assert compiled["bids"]["details"][0]["tenderers"] == [new_tenderer]


def test_record_package_json_lines_concatenated_and_zip_with_quarantine():
    record_package = {
        "records": [
            {
                "ocid": "ocds-2",
                "compiledRelease": release("ocds-2", "c", "2025-01-01T00:00:00Z")
                | {"tag": ["compiled"]},
            }
        ]
    }
    jsonl = "\n".join(
        [
            json.dumps(release("ocds-3", "a", "2025-01-01T00:00:00Z")),
            '{"ocid": "broken", ',
            json.dumps(release("ocds-4", "a", "2025-01-01T00:00:00Z")),
        ]
    )
    concatenated = json.dumps(
        release("ocds-5", "a", "2025-01-01T00:00:00Z"), indent=2
    ) + json.dumps(release("ocds-6", "a", "2025-01-01T00:00:00Z"), indent=2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("records.json", json.dumps(record_package))
        zf.writestr("lines.jsonl", jsonl)
        zf.writestr("concat.json", concatenated)
        zf.writestr("bad.json", b"\xff\xfe not json")
        zf.writestr("odd.json", json.dumps({"releases": [42]}))
    batch = ocds.to_batch(buf.getvalue(), PROV, region="x", year=2025)
    assert batch.keys == ["ocds-2", "ocds-3", "ocds-4", "ocds-5", "ocds-6"]
    reasons = " | ".join(r.reason for r in batch.rejected)
    assert "lines.jsonl: invalid JSON" in reasons
    assert "bad.json: invalid JSON" in reasons
    assert "not an OCDS object" in reasons
    assert len(batch.rejected) == 3


@pytest.fixture(scope="module")
def bandung_db(tmp_path_factory: pytest.TempPathFactory, bandung_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("ocds") / "w.duckdb"
    load_bandung(db)
    return db


def test_nightly_flags_view_has_cardinal_indicators(bandung_db: Path):
    with duckdb.connect(str(bandung_db), read_only=True) as con:
        single = con.execute(
            "SELECT count(*) FROM main.tenders WHERE kind = 'tender' AND n_bids = 1 "
            "AND (lower(method) LIKE 'tender%' OR lower(method) LIKE 'seleksi%') "
            "AND core.ocds_tender_status(status) <> 'cancelled'"
        ).fetchone()[0]
        flagged = con.execute("SELECT count(*) FROM main.flags WHERE code = 'R018'").fetchone()[0]
        assert flagged == single > 0
        row = con.execute(
            "SELECT source, grp, value, description FROM main.flags WHERE code = 'R018' LIMIT 1"
        ).fetchone()
        assert row[:3] == ("isb", "OCID", 1.0)
        assert "single bid" in row[3]
        documented, columns = con.execute(
            "SELECT count(comment), count(*) FROM duckdb_columns() WHERE table_name = 'flags' "
            "AND schema_name = 'main'"
        ).fetchone()
        assert documented == columns >= 7


def test_export_validates_and_reads_back_the_same_tenders_and_bids(
    bandung_db: Path, tmp_path: Path
):
    out = tmp_path / "bandung.jsonl"
    with duckdb.connect(str(bandung_db), read_only=True) as con:
        n = write_releases(con, out, kd_klpd="D107", year=2025)
        keys = (
            "kind, source_id, kd_rup, kd_klpd, klpd_name, kd_satker, satker_name, title, "
            "method, pagu, hps, contract_value, supplier_npwp, supplier_name, "
            "n_participants, n_bids, announced_at, awarded_at"
        )
        # The export names a winner that only the participant list (pemenang) knows: expect it.
        tenders = con.execute(
            f"SELECT {keys} FROM (SELECT * REPLACE ("
            "coalesce(t.supplier_npwp, w.supplier_npwp) AS supplier_npwp, "
            "coalesce(t.supplier_name, w.supplier_name) AS supplier_name) "
            "FROM main.tenders t LEFT JOIN (SELECT source_id, any_value(supplier_npwp) AS "
            "supplier_npwp, any_value(supplier_name) AS supplier_name FROM main.bids "
            "WHERE is_winner GROUP BY source_id) w ON t.kind = 'tender' "
            "AND w.source_id = t.source_id AND t.supplier_npwp IS NULL "
            "AND t.supplier_name IS NULL) WHERE kd_klpd = 'D107' AND year = 2025 "
            "ORDER BY kind, source_id"
        ).fetchall()
        bid_keys = (
            "source_id, participant_id, supplier_npwp, supplier_name, offer_value, "
            "is_winner, is_bid"
        )
        # In OCDS the winner is an organisation: a company registered twice in one tender wins
        # with both of its participant rows.
        bids = con.execute(
            f"SELECT {bid_keys} FROM (SELECT * REPLACE (is_winner OR coalesce(supplier_npwp IN "
            "(SELECT w.supplier_npwp FROM main.bids w WHERE w.is_winner "
            "AND w.source_id = b.source_id), false) AS is_winner) FROM main.bids b) "
            "WHERE source_id IN (SELECT source_id FROM main.tenders WHERE kind = 'tender' "
            "AND kd_klpd = 'D107' AND year = 2025) ORDER BY ALL"
        ).fetchall()
    assert n == len(tenders) > 3000

    # Every release is valid against the official release schema with the bid extension:
    # types, required fields, closed codelists and date-time formats.
    validator = jsonschema.Draft4Validator(
        official_release_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    assert "date-time" in validator.format_checker.checkers
    lines = out.read_text(encoding="utf-8").splitlines()
    for line in lines:
        errors = sorted(validator.iter_errors(json.loads(line)), key=str)
        assert not errors, f"{json.loads(line)['ocid']}: {errors[0].message}"

    batch = ocds.read_file(out, region="D107", year=2025)
    assert not batch.rejected
    assert len(batch.keys) == n
    back = tmp_path / "back.duckdb"
    with open_warehouse(back) as con:
        land(con, batch, "t")
        build(con)
        got = con.execute(
            f"SELECT {keys} FROM main.tenders WHERE source = 'ocds' ORDER BY kind, source_id"
        ).fetchall()
        got_bids = con.execute(
            f"SELECT {bid_keys} FROM main.bids WHERE source = 'ocds' ORDER BY ALL"
        ).fetchall()
    assert got == tenders
    assert got_bids == bids
