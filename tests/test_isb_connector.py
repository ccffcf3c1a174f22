"""The ISB connector on the real Kab. Bandung captures and on what the real ISB sends wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pantau.connectors import isb
from pantau.connectors.base import Provenance, SourceError, canonical_json, canonical_json_fast

PROV = Provenance("isb", "http://127.0.0.1/x", datetime.now(UTC))


def batch_of(name: str, body: bytes) -> isb.Batch:  # type: ignore[name-defined]
    return isb.to_batch(isb.BY_NAME[name], body, PROV, region="D107", year=2025)


@pytest.mark.parametrize("dataset", [d.name for d in isb.KEYED_DATASETS])
def test_every_captured_record_is_kept_or_explained(bandung_dir: Path, dataset: str) -> None:
    path = bandung_dir / f"{dataset}.json"
    if not path.exists():
        pytest.skip(f"no capture of {dataset} in {bandung_dir}")
    records = json.loads(path.read_bytes())
    batch = batch_of(dataset, path.read_bytes())
    # Every published record lands (realisation rows included: they have no duplicates).
    assert len(batch.keys) == len(records), [r.reason for r in batch.rejected][:3]
    assert batch.rejected == []
    assert len(set(batch.keys)) == len(batch.keys)


@pytest.mark.parametrize("dataset", [d.name for d in isb.KEYED_DATASETS])
def test_every_real_answer_is_vouched_for_by_the_fast_path(bandung_dir: Path, dataset: str) -> None:
    names = (f"{dataset}.json", f"{dataset}.sample25.json")
    path = next((bandung_dir / n for n in names if (bandung_dir / n).exists()), None)
    if path is None:
        pytest.skip(f"no capture of {dataset} in {bandung_dir}")
    body = path.read_bytes()
    parsed = isb.parse_answer(body, url=PROV.url, fast=True)
    # _fast_batch raises when it cannot vouch for a record: the answer would be read again.
    fast = isb._fast_batch(isb.BY_NAME[dataset], parsed.elements, PROV, region="D107", year=2025)
    exact = exact_batch_of(dataset, body)
    assert (fast.keys, fast.payloads) == (exact.keys, exact.payloads)


@pytest.mark.parametrize(
    ("record", "vouched"),
    [
        ({"product_ids": "5fadf708-110f-4778-9789-b07918ad909e-4f3dfb67-721c"}, True),  # "9e-"
        ({"nama_paket": "Kabel 1x-0.00001 mm [ISB] {x}", "pagu": 0.5}, True),
        ({"nama_paket": "9e-1", "x": 1.5e-07}, False),  # the float is written otherwise
        ({"nama_paket": "9e-1", "x": -0.00001}, False),
        ({"nama_paket": "9e-1", "x": [1.5e-07]}, False),  # nested: not looked into
        ({"nama_paket": "9e-1", "x": 0.0, "y": 0.0001}, True),
    ],
)
def test_fast_canonical_text_is_the_exact_one(record: dict, vouched: bool) -> None:
    fast = canonical_json_fast(record)
    assert (fast is not None) == vouched
    assert fast is None or fast == canonical_json(record)


def test_payload_is_the_record_exactly_as_published(bandung_dir: Path) -> None:
    body = (bandung_dir / "SPSE-TenderSelesaiNilai.json").read_bytes()
    batch = batch_of("SPSE-TenderSelesaiNilai", body)
    assert batch.records == json.loads(body)


def test_kd_satker_is_numeric_text_in_one_dataset_and_dotted_in_another(bandung_dir: Path) -> None:
    pengumuman = json.loads((bandung_dir / "SPSE-TenderPengumuman.json").read_bytes())
    nilai = json.loads((bandung_dir / "SPSE-TenderSelesaiNilai.json").read_bytes())
    assert all(r["kd_satker"].isdigit() for r in pengumuman)
    # ... and in TenderSelesaiNilai the dotted code (one record even carries a bare "01"):
    # core takes the dotted kd_satker_str from the announcement (test_isb_replay_run.py).
    assert sum("." in r["kd_satker"] for r in nilai) >= 0.9 * len(nilai)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-11", datetime(2025, 2, 11)),  # noqa: DTZ001 - WIB wall-clock
        ("2025-02-11 10:00:00", datetime(2025, 2, 11, 10)),  # noqa: DTZ001
        ("2025-01-31 14:00:00.000000Z", datetime(2025, 1, 31, 14)),  # noqa: DTZ001
        ("2024-08-29T10:00:01.679000Z", datetime(2024, 8, 29, 10, 0, 1)),  # noqa: DTZ001
    ],
)
def test_the_three_date_formats(text: str, expected: datetime) -> None:
    assert isb.parse_isb_datetime(text) == expected


def test_non_json_answer_is_an_error_that_keeps_the_body() -> None:
    with pytest.raises(SourceError, match="not JSON") as info:
        batch_of("SPSE-TenderPengumuman", b"URL-NOT-DEFINED")
    assert info.value.body == b"URL-NOT-DEFINED"


@pytest.mark.parametrize("wrapper", ["data", "result"])
def test_wrapped_answers_are_unwrapped(wrapper: str) -> None:
    body = json.dumps({wrapper: [{"kd_tender": 1, "pagu": 5}]}).encode()
    assert batch_of("SPSE-TenderPengumuman", body).keys == ["1"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"pagu": 1}, "missing natural key field 'kd_tender'"),
        ({"kd_tender": 1, "pagu": "satu juta"}, "pagu is not a number"),
        ({"kd_tender": 1, "pagu": -5}, "pagu is negative"),
        ({"kd_tender": 1, "hps": 1e20}, "hps is implausibly large"),
        ({"kd_tender": 1, "tgl_pengumuman_tender": "2025-02-31 10:00:00"}, "impossible date"),
        ({"kd_tender": [1]}, "natural key field 'kd_tender' is a list"),
        ([1, 2], "not an object"),
    ],
)
def test_a_bad_record_is_rejected_with_its_reason_and_the_rest_kept(
    record: object, reason: str
) -> None:
    good = {"kd_tender": 7, "pagu": 100}
    batch = batch_of("SPSE-TenderPengumuman", json.dumps([good, record]).encode())
    assert batch.keys == ["7"]
    assert len(batch.rejected) == 1
    assert reason in batch.rejected[0].reason
    assert json.loads(batch.rejected[0].raw) == record


def test_a_syntactically_broken_record_does_not_sink_its_page() -> None:
    body = b'[{"kd_tender": 1}, {"kd_tender": 2, "nama_paket": "\xff\xfe"}, {"kd_tender": 3,]'
    batch = batch_of("SPSE-TenderPengumuman", body)
    assert batch.keys == ["1"]
    assert sorted(r.reason for r in batch.rejected) == [
        (
            "record is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 17 (char 16)"
        ),
        "record is not valid UTF-8",
    ]


def test_duplicate_keys_identical_collapse_conflicting_are_quarantined() -> None:
    rows = [{"kd_tender": 1, "pagu": 5}, {"kd_tender": 1, "pagu": 5}, {"kd_tender": 1, "pagu": 6}]
    batch = batch_of("SPSE-TenderPengumuman", json.dumps(rows).encode())
    assert batch.keys == ["1"]
    assert [r.reason for r in batch.rejected] == [
        "duplicate natural key '1' with different content"
    ]


def test_realisation_rows_are_keyed_by_package_and_content(bandung_dir: Path) -> None:
    body = (bandung_dir / "SPSE-PencatatanNonTenderRealisasi.json").read_bytes()
    first = batch_of("SPSE-PencatatanNonTenderRealisasi", body).keys
    assert first == batch_of("SPSE-PencatatanNonTenderRealisasi", body).keys  # stable
    assert all(k.split("|")[0].isdigit() for k in first)


def test_url_placeholders_are_filled_and_a_missing_code_is_a_clear_error() -> None:
    template = "http://h/isb-2/api/KEY/json/1/X/tipe/4:4/parameter/{tahun}:{kd_lpse}"
    assert isb.fill_url(template, year=2025, kd_lpse=93, kd_klpd=None).endswith("/2025:93")
    with pytest.raises(SourceError, match=r"needs \{kd_lpse\}"):
        isb.fill_url(template, year=2025, kd_lpse=None, kd_klpd="D107")


@pytest.mark.parametrize(
    ("name", "rows", "field", "expected"),
    [
        (
            "Provinsi Jawa Tengah",
            [{"nama_klpd": "Prov. Jawa Tengah", "kd_klpd": "X"}],
            "nama_klpd",
            "X",
        ),
        (
            "Kota Semarang",
            [
                {"nama_lpse": "LPSE Kota Semarang", "kd_lpse": 9},
                {"nama_lpse": "LPSE Kabupaten Semarang", "kd_lpse": 8},
            ],
            "nama_lpse",
            9,
        ),
        (
            "Kab. Bandung",
            [{"nama_klpd": "Kabupaten Bandung", "kd_klpd": "D107"}],
            "nama_klpd",
            "D107",
        ),
    ],
)
def test_regions_resolve_by_name(name: str, rows: list, field: str, expected: object) -> None:
    hit = isb.match_by_name(name, rows, field)
    assert expected in hit.values()


def test_unknown_and_ambiguous_region_names_are_errors() -> None:
    with pytest.raises(SourceError, match="not found"):
        isb.match_by_name("Kota Atlantis", [{"nama_klpd": "Kota Semarang"}], "nama_klpd")
    rows = [{"nama_klpd": "Kota Semarang"}, {"nama_klpd": "kota  semarang"}]
    with pytest.raises(SourceError, match="ambiguous"):
        isb.match_by_name("Kota Semarang", rows, "nama_klpd")


def exact_batch_of(name: str, body: bytes) -> isb.Batch:  # type: ignore[name-defined]
    """The answer read by json and checked record by record (the path before orjson)."""
    parsed = isb.parse_answer(body, url=PROV.url, fast=False)
    return isb._exact_batch(isb.BY_NAME[name], parsed, PROV, region="D107", year=2025)


@pytest.mark.parametrize(
    "number",
    [
        "18446744073709551616",  # beyond 64 bits: orjson would read a float
        "-9223372036854775809",
        "123456789012345678901234567890",
        "18446744073709551615",  # the largest orjson reads exactly
        "1e16",
        "1.5e-07",  # json writes 1.5e-07, orjson 1.5e-7
        "0.00001",  # json writes 1e-05, orjson 0.00001
        "0.0001",
        "-0",
        "-0.0",
        "1e400",  # infinity in json, refused by orjson
        "NaN",
    ],
)
@pytest.mark.parametrize("field", ["x", "pagu", "kd_tender"])
def test_the_fast_path_stores_what_the_exact_path_stores(number: str, field: str) -> None:
    record = '{"kd_tender": 7, "pagu": 100, "nama_paket": "e-purchasing 0.0000"}'
    other = '{"kd_tender": 8, "tgl_pengumuman_tender": "2025-01-31 14:00:00.000000Z"}'
    body = f'[{other}, {record[:-1]}, "{field}": {number}}}]'.encode()
    fast = batch_of("SPSE-TenderPengumuman", body)
    exact = exact_batch_of("SPSE-TenderPengumuman", body)
    assert (fast.keys, fast.payloads, fast.rejected) == (exact.keys, exact.payloads, exact.rejected)
    if field == "x" and "e" not in number.lower() and "." not in number and number != "NaN":
        assert f'"x":{int(number)}' in fast.payloads[1]  # an integer stays that integer


def test_big_integers_are_kept_exactly() -> None:
    body = b'[{"kd_tender": 18446744073709551616, "pagu": 5, "x": -9223372036854775809}]'
    batch = batch_of("SPSE-TenderPengumuman", body)
    assert batch.keys == ["18446744073709551616"]
    assert json.loads(batch.payloads[0])["x"] == -9223372036854775809
