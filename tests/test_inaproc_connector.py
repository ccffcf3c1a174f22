"""The INAPROC connector: the real records of ../shared/inaproc.md §4.1, paging, ingest rules and
every documented error, against a scripted loopback gateway."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pantau.connectors import inaproc
from pantau.connectors.base import Provenance
from pantau.connectors.http import HttpClient, HttpSettings

TOKEN = "test-inaproc-token-0b7d51e2"  # noqa: S105 - a made-up token
PROV = Provenance("inaproc", "http://127.0.0.1/x", datetime.now(UTC))
FAST = HttpSettings(min_interval_seconds=0, backoff_seconds=0.01, max_attempts=3,
                    timeout_seconds=5)

# ../shared/inaproc.md §4.1, verbatim. The reference doc itself elides a few values as
# "(unnamed repository)": those fields are left out, except the natural keys kd_nontender and
# kd_tender, whose stand-ins are marked ELIDED_*.
ELIDED_KD_NONTENDER = 99_000_001
ELIDED_KD_TENDER = 99_000_002
SWAKELOLA_D228 = {
    "jenis_klpd": "KABUPATEN", "kd_klpd": "D228", "kd_klpd_penyelenggara": None,
    "kd_rup": 42496468, "kd_rup_lokal": None, "kd_satker": 182444,
    "kd_satker_str": "3.27.0.00.0.00.01.0000", "nama_klpd": "Kab. Kotawaringin Barat",
    "nama_klpd_penyelenggara": None,
    "nama_paket": "Belanja Kursus Singkat/Pelatihan Peningkatan Kapasitas Tim Pendataan",
    "nama_ppk": "H**** P******", "nama_satker": "Dinas Pertanian",
    "nama_satker_penyelenggara": None, "nip_ppk": "***************001", "pagu": 245000000,
    "status_aktif_rup": True, "status_delete_rup": False, "status_umumkan_rup": "Terumumkan",
    "tahun_anggaran": 2026, "tgl_akhir_pelaksanaan_kontrak": "2026-08-01",
    "tgl_awal_pelaksanaan_kontrak": "2026-06-01", "tgl_buat_paket": "2026-02-20T00:00:00Z",
    "tgl_pengumuman_paket": "2026-02-20T09:13:57.916Z", "tipe_swakelola": 3,
    "uraian_pekerjaan": "Satuan Biaya Pendidikan dan Pelatihan; Satuan Biaya Pendidikan dan "
    "Pelatihan; ",
    "username_ppk": "**********************393", "volume_pekerjaan": "1 Paket",
}
STRUKTUR_D228 = {
    "belanja_btt": 0, "belanja_modal": 0, "belanja_non_pengadaan": 435684000, "kd_klpd": "D228",
    "kd_satker": 83087, "kd_satker_str": "2.15.0.00.0.00.01.0000",
    "nama_klpd": "Kab. Kotawaringin Barat", "nama_satker": "Dinas Perhubungan",
    "tahun_anggaran": 2026,
}
NON_TENDER_SELESAI_K34 = {
    "npwp_penyedia": "31.205.079.2-429.000", "kd_satker": "9878194", "jenis_klpd": "KEMENTERIAN",
    "kabkota": "Bandung (Kota)", "kd_penyedia": 27308014, "sumber_dana": "APBN",
    "kualifikasi_paket": "Kecil", "tgl_pengumuman_nontender": "2026-04-10T16:00:00Z",
    "tgl_selesai_nontender": "2026-04-16T18:00:00Z",
    "nama_paket": "Pengadaan Bahan Pelatihan Berbasis Kompetensi BBPVP Bandung di UPT BLK Garut",
    "url_lpse": "https://lpse.kemnaker.go.id/eproc4", "mak": "DL.4057.SCO.010.061.0A.521211",
    "nilai_penawaran": 166035425.04, "provinsi": "Jawa Barat",
    "nama_klpd": "Kementerian Ketenagakerjaan", "kd_klpd": "K34", "lpse_id": 194,
    "kd_nontender": ELIDED_KD_NONTENDER, "status_nontender": "Selesai", "kd_lpse": 194,
    "jenis_pengadaan": "Pengadaan Barang", "nama_lpse": "LPSE Kementerian Ketenagakerjaan",
    "mtd_pemilihan": "Pengadaan Langsung", "hps": 166339655.06, "kd_satker_str": "452542",
    "nilai_terkoreksi": 166035425.04, "pagu": 197046000, "kontrak_pembayaran": "Harga Satuan",
    "tahun_anggaran": 2026, "nilai_negosiasi": 165834111, "nama_penyedia": "CV.ASDARA GRAFIKA",
    "nama_satker": "Balai Besar Pelatihan Vokasi dan Produktivitas Bandung",
    "kd_rup": "66815271", "last_update_ref": "df598390-3017-5a5c-b652-8a0c2e7896ed.Uuy3X1-q…",
}
PENGUMUMAN_K34 = {  # abridged in the doc too
    "kd_tender": ELIDED_KD_TENDER, "versi_tender": 1, "mtd_pemilihan": "Seleksi",
    "mtd_evaluasi": "Kualitas dan Biaya", "mtd_kualifikasi": "Pra Dua File Kualitas Biaya",
    "kgr_id": 5, "kgr_nama": "Jasa Konsultansi Badan Usaha Konstruksi", "hps": 204201377,
    "pagu": 300000000, "status_tender": "Selesai", "tgl_pengumuman_tender": "2025-07-30T17:00:00Z",
    "tanggal_status": "2026-06-04T00:00:00Z", "url_lpse": "https://lpse.kemnaker.go.id/eproc4",
    "nama_pokja": "A**** S**** P******;A****** …", "kd_rup": "54327298",
}
EPURCHASING_V6 = {
    "order_id": "01KJ4AX4ADH6M66C5NPFXMJF95", "kode_penyedia": "01JWBCNH9AHC3V2J8YS213ZKZ8",
    "product_id": "bfb0e981-…", "rup_code": "65819141", "order_date": "2026-02-23T00:00:00Z",
    "fiscal_year": 2026, "status": "PAYMENT_OUTSIDE_SYSTEM", "shipment_status": "COMPLETED",
    "total": 119700000, "total_qty": 100, "shipping_fee": 0, "count_product": 1, "rekan_id": 0,
    "flag_minikom": "Tidak", "mak": "DN.2175.BDC.003.051.0A.524114", "kode_satker": "626041",
}
REAL = (
    ("rup/paket-swakelola-terumumkan", SWAKELOLA_D228, "42496468"),
    ("rup/struktur-anggaran-pd", STRUKTUR_D228, "83087|2026"),
    ("tender/non-tender-selesai", NON_TENDER_SELESAI_K34, str(ELIDED_KD_NONTENDER)),
    ("tender/pengumuman", PENGUMUMAN_K34, f"{ELIDED_KD_TENDER}|1"),
    ("ekatalog/paket-e-purchasing", EPURCHASING_V6, "01KJ4AX4ADH6M66C5NPFXMJF95"),
)
WATERMARK = "\u2063" + "\u200b\u200c\u200d\u2060" * 17 + "\u2064"  # the 68-character block


def batch_of(path: str, records: list[Any]) -> inaproc.InaprocBatch:
    return inaproc.to_batch(inaproc.BY_PATH[path], records, PROV, region="D228", year=2026)


@pytest.mark.parametrize(("path", "record", "key"), REAL, ids=[r[0] for r in REAL])
def test_the_real_records_parse(path: str, record: dict[str, Any], key: str) -> None:
    batch = batch_of(path, [record])
    assert batch.rejected == []
    assert batch.keys == [key]
    stored = batch.records[0]
    # As published, less its null fields (the ingest rule), masked officials untouched.
    assert stored == {k: v for k, v in record.items() if v is not None}
    for field in ("nama_ppk", "nip_ppk", "username_ppk", "nama_pokja"):
        assert stored.get(field) == record.get(field)


def test_the_invisible_block_is_stripped_from_every_string() -> None:
    marked = {**SWAKELOLA_D228, "nama_klpd": SWAKELOLA_D228["nama_klpd"] + WATERMARK,
              "nama_satker": "\ufeff" + SWAKELOLA_D228["nama_satker"] + WATERMARK}
    (stored,) = batch_of("rup/paket-swakelola-terumumkan", [marked]).records
    assert stored["nama_klpd"] == "Kab. Kotawaringin Barat"
    assert stored["nama_satker"] == "Dinas Pertanian"
    assert not inaproc.INVISIBLE.search(json.dumps(stored, ensure_ascii=False))


def test_omitted_nulls_and_shuffled_keys_store_the_same_text_and_hash() -> None:
    complete = SWAKELOLA_D228
    sparse = {k: complete[k] for k in reversed(list(complete)) if complete[k] is not None}
    a = batch_of("rup/paket-swakelola-terumumkan", [complete])
    b = batch_of("rup/paket-swakelola-terumumkan", [sparse])
    assert len(sparse) < len(complete)
    assert (a.keys, a.payloads, a.hashes) == (b.keys, b.payloads, b.hashes)


def test_last_update_ref_is_kept_but_is_no_change() -> None:
    first = {**NON_TENDER_SELESAI_K34, "last_update_ref": "d9f02209.rkvd0C5x4Wfh_LH7.INjL"}
    again = {**NON_TENDER_SELESAI_K34, "last_update_ref": "5c1e0a7b.Q2w3e4r5t6y7u8i9.ZxCv"}
    a, b = batch_of("tender/non-tender-selesai", [first]), batch_of("tender/non-tender-selesai",
                                                                   [again])
    assert a.records[0]["last_update_ref"] == first["last_update_ref"]
    assert a.payloads != b.payloads
    assert a.hashes == b.hashes
    changed = {**again, "nilai_negosiasi": 1}
    assert batch_of("tender/non-tender-selesai", [changed]).hashes != a.hashes


def test_versions_of_one_tender_are_separate_raw_records() -> None:
    v2 = {**PENGUMUMAN_K34, "versi_tender": 2, "hps": 200000000}
    batch = batch_of("tender/pengumuman", [PENGUMUMAN_K34, v2])
    assert batch.keys == [f"{ELIDED_KD_TENDER}|1", f"{ELIDED_KD_TENDER}|2"]


def test_a_record_that_is_not_data_is_quarantined() -> None:
    batch = batch_of("tender/non-tender-selesai",
                     [{**NON_TENDER_SELESAI_K34, "hps": "banyak"}, NON_TENDER_SELESAI_K34])
    assert len(batch.keys) == 1
    assert [r.reason for r in batch.rejected] == ["hps is not a number: 'banyak'"]


# --- against a scripted gateway ---------------------------------------------------------------

Answer = tuple[int, dict[str, str], bytes]


class Gateway:
    """A loopback server answering GETs with ``script(path, query, headers)``."""

    def __init__(self, script: Callable[[str, dict[str, str], dict[str, str]], Answer]) -> None:
        self.calls: list[tuple[str, dict[str, str], dict[str, str]]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                headers = dict(self.headers)
                gateway.calls.append((parts.path, query, headers))
                status, extra, body = script(parts.path, query, headers)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/api"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def gateway() -> Iterator[Callable[..., Gateway]]:
    made: list[Gateway] = []
    inaproc.forget_blocks()

    def make(script: Callable[[str, dict[str, str], dict[str, str]], Answer]) -> Gateway:
        made.append(Gateway(script))
        return made[-1]

    yield make
    for g in made:
        g.close()
    inaproc.forget_blocks()


JSON = {"Content-Type": "application/json"}


def envelope(data: list[Any] | None, *, has_more: bool = False, cursor: str | None = None,
             **extra: Any) -> bytes:
    return json.dumps({"success": True, "data": data,
                       "meta": {"limit": 2, "has_more": has_more, "cursor": cursor}, **extra}
                      ).encode()


def fetch(g: Gateway, path: str = "rup/paket-swakelola-terumumkan", *, api: str = "v1",
          token: str | None = TOKEN, page_size: int = 2) -> inaproc.InaprocBatch:
    return inaproc.fetch(HttpClient(FAST), inaproc.BY_PATH[path], base_url=g.base, api=api,
                         token=token, kd_klpd="D228", year=2026, region="D228",
                         page_size=page_size)


def records(n: int) -> list[dict[str, Any]]:
    return [{**SWAKELOLA_D228, "kd_rup": 42496468 + i} for i in range(n)]


def test_v1_pages_by_cursor_until_has_more_is_false(gateway: Callable[..., Gateway]) -> None:
    rows = records(5)
    pages = {None: (rows[:2], inaproc.cursor_for(11)), inaproc.cursor_for(11):
             (rows[2:4], inaproc.cursor_for(22)), inaproc.cursor_for(22): (rows[4:], None)}

    def script(path: str, query: dict[str, str], _h: dict[str, str]) -> Answer:
        assert path == "/api/v1/rup/paket-swakelola-terumumkan"
        data, nxt = pages[query.get("cursor")]
        # The last page keeps a cursor but says has_more false, as the real gateway does.
        return 200, JSON, envelope(data, has_more=nxt is not None, cursor=nxt or "eyJpZCI6MX0=")

    g = gateway(script)
    batch = fetch(g)
    assert batch.keys == [str(r["kd_rup"]) for r in rows]
    assert [c[1].get("cursor") for c in g.calls] == [None, inaproc.cursor_for(11),
                                                    inaproc.cursor_for(22)]
    first = g.calls[0]
    assert (first[1]["kode_klpd"], first[1]["tahun"], first[1]["limit"]) == ("D228", "2026", "2")
    assert first[2]["Authorization"] == f"Bearer {TOKEN}"
    assert first[2]["Accept"] == "application/json"
    assert TOKEN not in batch.provenance.url


def test_an_answer_the_same_as_the_last_landed_one_is_not_read_again(
        gateway: Callable[..., Gateway]) -> None:
    rows = records(3)
    pages = {None: (rows[:2], inaproc.cursor_for(11)), inaproc.cursor_for(11): (rows[2:], None)}

    def script(_path: str, query: dict[str, str], _h: dict[str, str]) -> Answer:
        data, nxt = pages[query.get("cursor")]
        return 200, JSON, envelope(data, has_more=nxt is not None, cursor=nxt)

    g = gateway(script)
    first = fetch(g)
    assert first.answer is not None
    assert not first.unchanged
    again = inaproc.fetch(HttpClient(FAST), inaproc.BY_PATH["rup/paket-swakelola-terumumkan"],
                          base_url=g.base, api="v1", token=TOKEN, kd_klpd="D228", year=2026,
                          region="D228", page_size=2, last=first.answer)
    # Every page was asked (the gateway has no validators), none was normalised or checked.
    assert len(g.calls) == 4
    assert again.unchanged
    assert again.answer == first.answer
    assert again.keys == again.hashes == []
    # One page differs: the answer is read as always.
    pages[inaproc.cursor_for(11)] = ([{**rows[2], "nama_paket": "Paket lain"}], None)
    changed = inaproc.fetch(HttpClient(FAST), inaproc.BY_PATH["rup/paket-swakelola-terumumkan"],
                            base_url=g.base, api="v1", token=TOKEN, kd_klpd="D228", year=2026,
                            region="D228", page_size=2, last=first.answer)
    assert not changed.unchanged
    assert changed.keys == first.keys
    assert changed.answer != first.answer


def test_the_default_page_size_is_the_gateway_maximum() -> None:
    assert inaproc.DEFAULT_PAGE_SIZE == 1000


def test_data_null_is_an_empty_page_and_rs_is_data(gateway: Callable[..., Gateway]) -> None:
    g = gateway(lambda *_: (200, JSON, envelope(None)))
    assert fetch(g).keys == []
    rs = json.dumps({"success": True, "rs": records(1), "meta": {"has_more": False}}).encode()
    g2 = gateway(lambda *_: (200, JSON, rs))
    assert fetch(g2).keys == ["42496468"]


def test_a_repeated_cursor_is_an_error_not_a_loop(gateway: Callable[..., Gateway]) -> None:
    same = inaproc.cursor_for(7)
    g = gateway(lambda *_: (200, JSON, envelope(records(1), has_more=True, cursor=same)))
    with pytest.raises(inaproc.InaprocError, match="repeated cursor") as err:
        fetch(g)
    assert "rup/paket-swakelola-terumumkan" in str(err.value)
    assert len(g.calls) == 2


def test_paging_stops_at_the_page_guard(gateway: Callable[..., Gateway],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inaproc, "MAX_PAGES", 3)
    ids = iter(range(1, 100))
    g = gateway(lambda *_: (200, JSON, envelope(records(1), has_more=True,
                                                 cursor=inaproc.cursor_for(next(ids)))))
    with pytest.raises(inaproc.InaprocError, match="more than 3 pages"):
        fetch(g)


def test_legacy_is_one_bare_array(gateway: Callable[..., Gateway]) -> None:
    g = gateway(lambda *_: (200, JSON, json.dumps(records(3)).encode()))
    batch = fetch(g, api="legacy")
    assert len(batch.keys) == 3
    assert [c[0] for c in g.calls] == ["/api/legacy/rup/paket-swakelola-terumumkan"]
    assert "limit" not in g.calls[0][1]


def test_a_legacy_only_dataset_is_asked_of_legacy_in_a_v1_run(
        gateway: Callable[..., Gateway]) -> None:
    g = gateway(lambda *_: (200, JSON, json.dumps([STRUKTUR_D228]).encode()))
    assert fetch(g, "rup/struktur-anggaran-pd").keys == ["83087|2026"]
    assert g.calls[0][0] == "/api/legacy/rup/struktur-anggaran-pd"


def test_history_kaji_ulang_asks_both_package_kinds(gateway: Callable[..., Gateway]) -> None:
    row = {"kd_rup_lama": 1, "kd_rup_baru": 2, "jenis_revisi": "SATUKEBANYAK"}
    g = gateway(lambda _p, q, _h: (200, JSON, envelope([{**row, "jenis_paket":
                                                         q["jenis_paket"]}])))
    batch = fetch(g, "rup/history-kaji-ulang")
    assert [c[1]["jenis_paket"] for c in g.calls] == ["PENYEDIA", "SWAKELOLA"]
    assert len(batch.keys) == 2


def test_rate_limit_exhausted_waits_for_the_reset(gateway: Callable[..., Gateway],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    # The connector's own clock (the HTTP layer's per-host gate sleeps on the real one).
    monkeypatch.setattr(inaproc, "time", SimpleNamespace(
        sleep=slept.append, time=time.time, monotonic=time.monotonic))
    limits = {**JSON, "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0",
              "X-RateLimit-Reset": "7"}
    g = gateway(lambda *_: (200, limits, envelope(records(1))))
    fetch(g)
    assert slept == [7.0]


def test_429_is_retried_after_retry_after(gateway: Callable[..., Gateway]) -> None:
    answers = iter([(429, {**JSON, "Retry-After": "0", "X-RateLimit-Remaining": "0"},
                     b'{"error":"API Rate Limit Exceeded"}'),
                    (500, JSON, b'{"error":"internal"}'),
                    (200, JSON, envelope(records(1)))])
    g = gateway(lambda *_: next(answers))
    assert fetch(g).keys == ["42496468"]
    assert len(g.calls) == 3


def test_no_token_says_token_and_asks_nothing(gateway: Callable[..., Gateway]) -> None:
    g = gateway(lambda *_: (200, JSON, envelope([])))
    with pytest.raises(inaproc.InaprocError) as err:
        fetch(g, token=None)
    assert str(err.value) == ("inaproc/rup/paket-swakelola-terumumkan: no INAPROC token: set "
                              "[inaproc] token in the secrets file")
    assert g.calls == []


TYK = {**JSON, "X-Generator": "tyk.io"}
ERRORS = (
    (401, TYK, b'{"error":"Key has expired, please renew"}',
     ("HTTP 401", "Key has expired, please renew", "missing, wrong or expired")),
    (403, TYK, b'{"error":"Access to this API has been disallowed"}',
     ("HTTP 403", "not granted", "IP is not registered")),
    (400, JSON, b'{"success":false,"error":{"code":"BAD_REQUEST","message":"Parameter Kurang"}}',
     ("HTTP 400", "BAD_REQUEST: Parameter Kurang")),
    (200, JSON, b'{"success":false,"error":{"code":"E_SYNC","message":"Data sedang diperbarui"}}',
     ("success=false", "E_SYNC: Data sedang diperbarui")),
)


@pytest.mark.parametrize(("status", "extra", "body", "says"), ERRORS,
                         ids=["401", "403", "400", "success-false"])
def test_each_error_is_one_line_naming_the_dataset(
        gateway: Callable[..., Gateway], status: int, extra: dict[str, str], body: bytes,
        says: tuple[str, ...]) -> None:
    g = gateway(lambda *_: (status, extra, body))
    with pytest.raises(inaproc.InaprocError) as err:
        fetch(g)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("inaproc/rup/paket-swakelola-terumumkan: ")
    for part in says:
        assert part in message
    assert len(g.calls) == 1  # none of these is worth a retry
    assert err.value.body == body  # kept for the quarantine


CLOUDFLARE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script>"
              b"window._cf_chl_opt={cZone: 'data.inaproc.id',cType: 'managed'}</script></body>"
              b"</html>")
AKSES_DITOLAK = b"<html><body><h1>Akses Ditolak</h1><p>Ray ID: 8f1e2d3c4b5a6978</p></body></html>"


@pytest.mark.parametrize(("status", "page"), [(403, CLOUDFLARE), (200, AKSES_DITOLAK)],
                         ids=["cloudflare-challenge", "akses-ditolak"])
def test_the_firewall_page_fails_once_without_a_retry_storm(
        gateway: Callable[..., Gateway], status: int, page: bytes) -> None:
    g = gateway(lambda *_: (status, {"Content-Type": "text/html"}, page))
    with pytest.raises(inaproc.InaprocError) as err:
        fetch(g)
    assert "firewall" in str(err.value)
    assert "register this machine's public IP" in str(err.value)
    assert len(g.calls) == 1
    # The next dataset is not asked at all while the block is remembered.
    with pytest.raises(inaproc.InaprocError, match="firewall"):
        fetch(g, "tender/pengumuman")
    assert len(g.calls) == 1


def test_every_dataset_of_the_issue_is_known() -> None:
    wanted = {
        "tender/pengumuman", "tender/tender-selesai", "tender/tender-selesai-nilai",
        "tender/peserta-tender", "tender/jadwal-tahapan-tender", "tender/non-tender-pengumuman",
        "tender/non-tender-selesai", "tender/jadwal-tahapan-non-tender",
        "tender/pencatatan-non-tender", "tender/pencatatan-non-tender-realisasi",
        "tender/pencatatan-swakelola", "tender/pencatatan-swakelola-realisasi",
        "tender/tender-ekontrak-kontrak", "tender/non-tender-ekontrak-kontrak",
        "rup/master-satker", "rup/paket-penyedia-terumumkan", "rup/paket-swakelola-terumumkan",
        "rup/history-kaji-ulang", "rup/struktur-anggaran-pd", "ekatalog/paket-e-purchasing",
        "ekatalog-archive/paket-e-purchasing",
    }
    assert set(inaproc.BY_PATH) == wanted
    assert inaproc.BY_PATH["rup/struktur-anggaran-pd"].generations == ("legacy",)
    assert len({d.table for d in inaproc.DATASETS}) == len(inaproc.DATASETS)


def test_cursors_are_base64_of_the_id() -> None:
    # The real cursor of inaproc.md §2.1.
    assert inaproc.record_id_of("eyJpZCI6OTIyMjgxNjgzMzI1MTk4MzY5NH0=") == 9222816833251983694
    assert inaproc.cursor_for(9222816833251983694) == "eyJpZCI6OTIyMjgxNjgzMzI1MTk4MzY5NH0="
