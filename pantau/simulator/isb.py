"""The ISB protocol over the simulated world (or over replayed real files).

Paths, as LKPP serves them (../shared/sources.md §2.1-2.2):
- ``/isb-2/api/satudata/MasterKLPD``, ``/MasterLPSE``, ``/TenderUmumPublik/{tahun}/{kd_lpse}``;
- ``/isb-2/api/{key}/json/{service}/{Dataset}/tipe/{types}/parameter/{values}``, where the
  values are ``{tahun}:{kd_lpse}`` (SPSE), ``{tahun}:{kd_klpd}`` (SiRUP, e-katalog) or
  ``{kd_klpd}:{tahun}`` (RUP-MasterSatker).
An unknown dataset or parameter answers the plain text ``URL-NOT-DEFINED``, as ISB does.
Generated records carry the real field names and quirks: numeric vs dotted ``kd_satker``, three
date formats, double-spaced stage names, null offers for registrations without a bid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pantau.simulator.world import TENDER_STAGES, SimRegion, World

NOT_DEFINED = "URL-NOT-DEFINED"
_KEYED = re.compile(
    r"^/isb-2/api/(?P<key>[^/]+)/json/(?P<service>[^/]+)/(?P<dataset>[^/]+)"
    r"/tipe/(?P<types>[^/]+)/parameter/(?P<values>[^/]+)$"
)
_SATUDATA = re.compile(r"^/isb-2/api/satudata/(?P<name>\w+)(?:/(?P<tahun>\d+)/(?P<lpse>\d+))?$")


def _dt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _dt_z(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.000000Z")


def _mak(package: dict) -> str:
    """Mata anggaran kegiatan: the budget line, shaped like the real ones."""
    unit = package["satker"]["kd_satker_str"][:4]
    return f"{unit}.2.01.{package['code'] % 10000:04d}.5.1.02.01.01.0001."


def _region_fields(r: SimRegion, year: int) -> dict[str, Any]:
    return {
        "tahun_anggaran": year,
        "kd_klpd": r.kd_klpd,
        "nama_klpd": r.nama_klpd,
        "jenis_klpd": r.jenis_klpd,
    }


def _satker_fields(s: dict) -> dict[str, Any]:
    return {
        "kd_satker": s["kd_satker_spse"],
        "kd_satker_str": s["kd_satker_str"],
        "nama_satker": s["nama_satker"],
    }


class IsbGenerator:
    """Records of each ISB dataset for one (region, year), generated from the world."""

    def __init__(self, world: World) -> None:
        self.w = world

    def dataset(self, name: str, r: SimRegion, year: int) -> Iterator[dict] | None:
        fn: Callable[[SimRegion, int], Iterator[dict]] | None = {
            "SPSE-TenderPengumuman": self.tender_pengumuman,
            "SPSE-TenderSelesai": self.tender_selesai,
            "SPSE-TenderSelesaiNilai": self.tender_selesai_nilai,
            "SPSE-PesertaTender": self.peserta,
            "SPSE-JadwalTahapanTender": self.jadwal,
            "SPSE-NonTenderPengumuman": self.non_tender_pengumuman,
            "SPSE-NonTenderSelesai": self.non_tender_selesai,
            "SPSE-PencatatanNonTender": self.pencatatan_non_tender,
            "SPSE-PencatatanNonTenderRealisasi": self.pencatatan_non_tender_realisasi,
            "SPSE-PencatatanSwakelola": self.pencatatan_swakelola,
            "SPSE-PencatatanSwakelolaRealisasi": self.pencatatan_swakelola_realisasi,
            "RUP-MasterSatker": self.master_satker,
            "RUP-StrukturAnggaranPD": self.struktur_anggaran,
            "RUP-PaketPenyedia-Terumumkan": self.rup_paket_penyedia,
            "Ecat-PaketEPurchasingV6": self.ecat,
        }.get(name)
        return fn(r, year) if fn else None

    def _tenders(self, r: SimRegion, year: int) -> Iterator[tuple[int, dict]]:
        for i in range(self.w.count("tender")):
            yield i, self.w.tender(r, year, i)

    def tender_pengumuman(self, r: SimRegion, year: int) -> Iterator[dict]:
        for _, t in self._tenders(r, year):
            yield {
                **_region_fields(r, year),
                "list_tahun_anggaran": str(year),
                **_satker_fields(t["satker"]),
                "kd_lpse": r.kd_lpse,
                "nama_lpse": r.nama_lpse,
                "kd_tender": t["code"],
                "kd_pkt_dce": t["code"] - 231000,
                "kd_rup": t["kd_rup"],
                "nama_paket": t["title"],
                "pagu": t["pagu"],
                "hps": t["hps"],
                "sumber_dana": "APBD",
                "kualifikasi_paket": "Kecil" if t["pagu"] < 15e9 else None,
                "jenis_pengadaan": t["category"],
                "mtd_pemilihan": t["method"],
                "mtd_evaluasi": "Harga Terendah Sistem Gugur"
                if t["method"] == "Tender"
                else "Kualitas dan Biaya",
                "mtd_kualifikasi": "Pascakualifikasi Satu File",
                "kontrak_pembayaran": "Lumsum",
                "status_tender": t["status"],
                "tanggal_status": (t["start"] + timedelta(days=60)).strftime("%Y-%m-%d"),
                "versi_tender": 1 + t["version"],
                "ket_ditutup": None,
                "ket_diulang": None,
                "tgl_buat_paket": _dt(t["start"] - timedelta(days=10)),
                "tgl_kolektif_kolegial": _dt(t["start"] - timedelta(days=1)),
                "tgl_pengumuman_tender": _dt(t["start"]),
                "nip_ppk": "197001012000011001",
                "nama_ppk": "PPK SIMULASI",
                "nip_pokja": "197001012000011002;197001012000011003",
                "nama_pokja": "Pokja Satu;Pokja Dua",
                "lokasi_pekerjaan": r.nama_klpd,
                "url_lpse": f"https://spse.inaproc.id/{r.slug}",
                "_event_date": f"{year}-10-03",
            }

    def _winner(self, r: SimRegion, year: int, i: int) -> dict | None:
        return next((p for p in self.w.participants(r, year, i) if p["winner"]), None)

    def tender_selesai(self, r: SimRegion, year: int) -> Iterator[dict]:
        for _, t in self._tenders(r, year):
            if t["status"] != "Selesai":
                continue
            yield {
                **_region_fields(r, year),
                **_satker_fields(t["satker"]),
                "kd_lpse": r.kd_lpse,
                "kd_tender": t["code"],
                "kd_rup": t["kd_rup"],
                "nama_paket": t["title"],
                "pagu": t["pagu"],
                "hps": t["hps"],
                "jenis_pengadaan": t["category"],
                "mtd_pemilihan": t["method"],
                "status_tender": t["status"],
                "mak": _mak(t),
                "tgl_pengumuman_tender": _dt(t["start"]),
                "tgl_penetapan_pemenang": _dt(
                    t["start"] + timedelta(days=21 + int(t["seed"] * 60))
                ),
            }

    def tender_selesai_nilai(self, r: SimRegion, year: int) -> Iterator[dict]:
        for i, t in self._tenders(r, year):
            win = self._winner(r, year, i) if t["status"] == "Selesai" else None
            if win is None:
                continue
            offer = win["offer"]
            nego = round(offer * 0.995, 2) if t["method"] == "Seleksi" else offer
            yield {
                **_region_fields(r, year),
                "kd_satker": t["satker"]["kd_satker_str"],
                "nama_satker": t["satker"]["nama_satker"],
                "kd_lpse": r.kd_lpse,
                "kd_tender": t["code"],
                "kd_paket": t["code"] - 231000,
                "kd_rup_paket": t["kd_rup"],
                "pagu": t["pagu"],
                "hps": t["hps"],
                "nilai_penawaran": offer,
                "nilai_terkoreksi": offer,
                "nilai_negosiasi": nego,
                "nilai_kontrak": nego,
                "tgl_pengumuman_tender": t["start"].strftime("%Y-%m-%d"),
                "tgl_penetapan_pemenang": (
                    t["start"] + timedelta(days=21 + int(t["seed"] * 60))
                ).strftime("%Y-%m-%d"),
                "kd_penyedia": win["kd_penyedia"],
                "nama_penyedia": win["nama_penyedia"],
                "npwp_penyedia": win["npwp_penyedia"],
                "npwp_16_penyedia": win["npwp16"],
                "nilai_pdn_kontrak": nego,
                "nilai_umk_kontrak": nego if t["pagu"] < 15e9 else 0,
                "_event_date": f"{year}-10-03",
            }

    def peserta(self, r: SimRegion, year: int) -> Iterator[dict]:
        for i, t in self._tenders(r, year):
            for p in self.w.participants(r, year, i):
                yield {
                    **{k: v for k, v in _region_fields(r, year).items() if k != "nama_klpd"},
                    "kd_satker": t["satker"]["kd_satker_spse"],
                    "kd_satker_str": t["satker"]["kd_satker_str"],
                    "kd_lpse": r.kd_lpse,
                    "kd_tender": t["code"],
                    "kd_pkt_dce": t["code"] - 231000,
                    "kd_peserta": p["kd_peserta"],
                    "kd_penyedia": p["kd_penyedia"],
                    "nama_penyedia": p["nama_penyedia"],
                    "npwp_penyedia": p["npwp_penyedia"],
                    "npwp_penyedia_16": p["npwp16"],
                    "nilai_penawaran": p["offer"],
                    "nilai_terkoreksi": p["offer"],
                    "pemenang": int(p["winner"]),
                    "pemenang_terverifikasi": int(p["winner"]),
                    "alasan": None,
                }

    def jadwal(self, r: SimRegion, year: int) -> Iterator[dict]:
        for _, t in self._tenders(r, year):
            at = t["start"]
            for n, name in enumerate(TENDER_STAGES):
                days = 8 if name == "Upload Dokumen Penawaran" else 1 + (n % 3)
                end = at + timedelta(days=days)
                yield {
                    "tahun_anggaran": year,
                    "kd_klpd": r.kd_klpd,
                    "kd_satker": t["satker"]["kd_satker_spse"],
                    "kd_satker_str": t["satker"]["kd_satker_str"],
                    "kd_lpse": r.kd_lpse,
                    "kd_tender": t["code"],
                    "kd_tahapan": 18800 + n,
                    "nama_tahapan": name,
                    "kd_akt": 170 + n,
                    "nama_akt": None,
                    "tgl_awal": _dt(at),
                    "tgl_akhir": _dt(end),
                    "_event_date": f"{year}-10-03",
                }
                at = end

    def _non_tenders(self, r: SimRegion, year: int) -> Iterator[dict]:
        for i in range(self.w.count("non_tender")):
            yield self.w.non_tender(r, year, i)

    def non_tender_pengumuman(self, r: SimRegion, year: int) -> Iterator[dict]:
        for n in self._non_tenders(r, year):
            yield {
                **_region_fields(r, year),
                **_satker_fields(n["satker"]),
                "lls_id": n["code"],
                "kd_lpse": r.kd_lpse,
                "nama_lpse": r.nama_lpse,
                "kd_nontender": n["code"],
                "kd_pkt_dce": n["code"] + 190000,
                "kd_rup": n["kd_rup"],
                "nama_paket": n["title"],
                "pagu": n["pagu"],
                "hps": n["hps"],
                "sumber_dana": "APBD",
                "mak": _mak(n),
                "kualifikasi_paket": "Kecil",
                "jenis_pengadaan": n["category"],
                "mtd_pemilihan": n["method"],
                "kontrak_pembayaran": "Lumsum",
                "status_nontender": n["status"],
                "versi_nontender": 1 + n["version"],
                "ket_diulang": None,
                "ket_ditutup": None,
                "tgl_buat_paket": _dt(n["start"] - timedelta(days=9)),
                "tgl_kolektif_kolegial": _dt(n["start"] - timedelta(hours=3)),
                "tgl_pengumuman_nontender": _dt_z(n["start"]),
                "nip_nama_ppk": "197001012000011001 - PPK SIMULASI",
                "nip_nama_pokja": None,
                "nip_nama_pp": "197001012000011004 - PP SIMULASI",
                "url_lpse": f"https://spse.inaproc.id/{r.slug}",
                "repeat_order": "Tidak",
            }

    def non_tender_selesai(self, r: SimRegion, year: int) -> Iterator[dict]:
        for n in self._non_tenders(r, year):
            if n["status"] != "Selesai":
                continue
            s = n["supplier"]
            yield {
                **_region_fields(r, year),
                "lpse_id": r.kd_lpse,
                **_satker_fields(n["satker"]),
                "kd_lpse": r.kd_lpse,
                "nama_lpse": r.nama_lpse,
                "kd_nontender": n["code"],
                "kd_pkt_dce": n["code"] + 190000,
                "kd_rup": n["kd_rup"],
                "nama_paket": n["title"],
                "pagu": n["pagu"],
                "hps": n["hps"],
                "nilai_penawaran": n["value"],
                "nilai_terkoreksi": n["value"],
                "nilai_negosiasi": n["value"],
                "nilai_kontrak": n["value"],
                "nilai_pdn_kontrak": n["value"],
                "nilai_umk_kontrak": n["value"],
                "sumber_dana": "APBD",
                "mak": _mak(n),
                "kualifikasi_paket": "Kecil",
                "jenis_pengadaan": n["category"],
                "mtd_pemilihan": n["method"],
                "kontrak_pembayaran": "Lumsum",
                "status_nontender": n["status"],
                "tgl_pengumuman_nontender": _dt(n["start"]),
                "tgl_selesai_nontender": _dt(n["start"] + timedelta(days=12)),
                "kd_penyedia": s["kd_penyedia"],
                "nama_penyedia": s["nama_penyedia"],
                "npwp_penyedia": s["npwp_penyedia"],
                "npwp16_penyedia": s["npwp16"],
                "url_lpse": f"https://spse.inaproc.id/{r.slug}",
                "tgl_penarikan": f"{year}-10-03",
            }

    def _pencatatan(self, r: SimRegion, year: int, kind: str) -> Iterator[dict]:
        count = self.w.count("pencatatan" if kind == "pencatatan" else "swakelola")
        for i in range(count):
            yield self.w.pencatatan(r, year, i, kind)

    def pencatatan_non_tender(self, r: SimRegion, year: int) -> Iterator[dict]:
        for p in self._pencatatan(r, year, "pencatatan"):
            total = sum(p["payments"])
            yield {
                **_region_fields(r, year),
                **_satker_fields(p["satker"]),
                "kd_lpse": r.kd_lpse,
                "kd_nontender_pct": p["code"],
                "kd_pkt_dce": p["code"] + 7000,
                "kd_rup": p["kd_rup"],
                "nama_paket": p["title"],
                "pagu": p["pagu"],
                "total_realisasi": total,
                "nilai_pdn_pct": total,
                "nilai_umk_pct": total,
                "sumber_dana": "APBD",
                "uraian_pekerjaan": f"<p>{p['title']}</p>",
                "informasi_lainnya": None,
                "kategori_pengadaan": "Pengadaan Barang",
                "mtd_pemilihan": "Pengadaan Langsung",
                "bukti_pembayaran": "NonSPK",
                "status_nontender_pct": "Aktif",
                "status_nontender_pct_ket": p["status_ket"],
                "alasan_pembatalan": None,
                "nip_ppk": "197001012000011001",
                "nama_ppk": "PPK SIMULASI",
                "tgl_buat_paket": p["start"].strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                "tgl_mulai_paket": _dt(p["start"]),
                "tgl_selesai_paket": _dt(p["start"] + timedelta(days=30)),
                "_event_date": f"{year}-10-03",
            }

    def pencatatan_non_tender_realisasi(self, r: SimRegion, year: int) -> Iterator[dict]:
        for p in self._pencatatan(r, year, "pencatatan"):
            for k, value in enumerate(p["payments"]):
                yield {
                    **_region_fields(r, year),
                    **_satker_fields(p["satker"]),
                    "kd_lpse": r.kd_lpse,
                    "nama_lpse": r.nama_lpse,
                    "kd_nontender_pct": p["code"],
                    "kd_paket_dce": p["code"] + 7000,
                    "kd_rup_paket": p["kd_rup"],
                    "nama_paket": p["title"],
                    "pagu": p["pagu"],
                    "jenis_realisasi": "Kwitansi",
                    "no_realisasi": f"BKU_{k:03d}",
                    "tgl_realisasi": _dt_z(p["start"] + timedelta(days=5 + k)),
                    "nilai_realisasi": value,
                    "dok_realisasi": None,
                    "ket_realisasi": p["title"],
                    "nama_penyedia": p["supplier"]["nama_penyedia"],
                    "npwp_penyedia": p["supplier"]["npwp_penyedia"],
                    "nip_ppk": "197001012000011001",
                    "nama_ppk": "PPK SIMULASI",
                    "_event_date": f"{year}-10-03",
                }

    def pencatatan_swakelola(self, r: SimRegion, year: int) -> Iterator[dict]:
        for p in self._pencatatan(r, year, "swakelola"):
            total = sum(p["payments"])
            yield {
                **_region_fields(r, year),
                **_satker_fields(p["satker"]),
                "kd_rup": p["kd_rup"],
                "kd_lpse": r.kd_lpse,
                "kd_swakelola_pct": p["code"],
                "kd_pkt_dce": p["code"] + 50000,
                "nama_paket": p["title"],
                "pagu": p["pagu"],
                "total_realisasi": total,
                "nilai_pdn_pct": 0,
                "nilai_umk_pct": 0,
                "sumber_dana": "APBD",
                "uraian_pekerjaan": "",
                "informasi_lainnya": None,
                "tipe_swakelola": p["tipe"],
                "tipe_swakelola_nama": f"Tipe {p['tipe']}",
                "status_swakelola_pct": "Aktif",
                "status_swakelola_pct_ket": p["status_ket"],
                "alasan_pembatalan": None,
                "nip_ppk": "197001012000011001",
                "nama_ppk": "PPK SIMULASI",
                "tgl_buat_paket": _dt(p["start"]),
                "tgl_mulai_paket": _dt(p["start"]),
                "tgl_selesai_paket": _dt(p["start"] + timedelta(days=60)),
                "_event_date": f"{year}-10-03",
            }

    def pencatatan_swakelola_realisasi(self, r: SimRegion, year: int) -> Iterator[dict]:
        for p in self._pencatatan(r, year, "swakelola"):
            for k, value in enumerate(p["payments"]):
                yield {
                    "tahun_anggaran": year,
                    "kd_klpd": r.kd_klpd,
                    "kd_satker": str(p["satker"]["kd_satker"]),
                    "kd_lpse": r.kd_lpse,
                    "kd_swakelola_pct": p["code"],
                    "jenis_realisasi": "Bukti Pembelian",
                    "no_realisasi": f"{k:06d}/UP/{year}",
                    "tgl_realisasi": _dt(p["start"] + timedelta(days=3 + k)),
                    "nilai_realisasi": value,
                    "dok_realisasi": None,
                    "ket_realisasi": "",
                    "nama_pelaksana": p["satker"]["nama_satker"],
                    "npwp_pelaksana": "0001206424445000",
                    "nip_ppk": 197006281990031003,
                    "nama_ppk": "PPK SIMULASI",
                    "_event_date": f"{year}-10-03",
                }

    def master_satker(self, r: SimRegion, _year: int) -> Iterator[dict]:
        for s in self.w.satkers(r):
            yield {
                "kd_satker": s["kd_satker"],
                "kd_satker_str": s["kd_satker_str"],
                "nama_satker": s["nama_satker"],
                "alamat": None,
                "telepon": None,
                "fax": None,
                "kodepos": None,
                "status_satker": "Aktif",
                "ket_satker": "Satker/OPD Non-BLU/BLUD",
                "jenis_satker": "SKPD",
                "kd_klpd": r.kd_klpd,
                "nama_klpd": r.nama_klpd,
                "jenis_klpd": r.jenis_klpd,
                "kode_eselon": None,
            }

    def struktur_anggaran(self, r: SimRegion, year: int) -> Iterator[dict]:
        for s in self.w.satkers(r):
            rng = self.w.rng("anggaran", r.kd_klpd, year, s["kd_satker"])
            operasi, modal = round(rng.uniform(5e9, 3e11)), round(rng.uniform(0, 1.5e11))
            yield {
                "tahun_anggaran": year,
                "kd_klpd": r.kd_klpd,
                "nama_klpd": r.nama_klpd,
                "kd_satker": s["kd_satker"],
                "kd_satker_str": s["kd_satker_str"],
                "nama_satker": s["nama_satker"],
                "belanja_operasi": operasi,
                "belanja_modal": modal,
                "belanja_btt": 0,
                "belanja_non_pengadaan": 0,
                "belanja_pengadaan": operasi + modal,
                "total_belanja": operasi + modal,
            }

    def rup_paket_penyedia(self, r: SimRegion, year: int) -> Iterator[dict]:
        for _, t in self._tenders(r, year):
            yield {
                "tahun_anggaran": year,
                "kd_rup": t["kd_rup"],
                "kd_klpd": r.kd_klpd,
                "kd_satker": t["satker"]["kd_satker"],
                "kd_satker_str": t["satker"]["kd_satker_str"],
                "nama_paket": t["title"],
                "pagu": t["pagu"],
                "metode_pengadaan": t["method"],
                "jenis_pengadaan": t["category"],
                "status_pdn": "PDN",
                "status_ukm": "UKM",
                "status_umumkan_rup": "Terumumkan",
                "status_aktif_rup": True,
                "tgl_pengumuman_paket": _dt(t["start"] - timedelta(days=30)),
            }

    def ecat(self, r: SimRegion, year: int) -> Iterator[dict]:
        for i in range(self.w.count("ecat")):
            e = self.w.ecat(r, year, i)
            yield {
                "tahun_anggaran": year,
                "jenis_instansi": r.jenis_klpd,
                "nama_instansi": r.nama_klpd,
                "nama_satker": e["satker"]["nama_satker"],
                "kd_klpd": r.kd_klpd,
                "kd_satker_str": e["satker"]["kd_satker_str"],
                "kd_paket": e["kd_paket"],
                "kd_rup": e["kd_rup"],
                "rup_nama_pkt": e["title"],
                "sumber_dana": "APBD",
                "mak": _mak(e),
                "product_ids": f"{e['code']:x}-{i:04x}",
                "kd_penyedia_v6": f"01J{e['code'] % 10**12:023d}"[:26],
                "kd_penyedia_sikap": 4000000 + i,
                "jml_jenis_produk": 1 + i % 9,
                "jml_produk": 1 + i % 50,
                "ongkir": 0,
                "total_harga": e["total"],
                "tgl_order": e["start"].strftime("%Y-%m-%d"),
                "status_pkt": e["status"],
                "status_pengiriman": "COMPLETED",
            }

    def tender_umum_publik(self, r: SimRegion, year: int) -> Iterator[dict]:
        # satudata's public list: field names with spaces (sources.md §2.1).
        for _, t in self._tenders(r, year):
            yield {
                "Kode Tender": t["code"],
                "Nama Paket": t["title"],
                "Pagu": t["pagu"],
                "HPS": t["hps"],
                "LPSE": r.kd_lpse,
                "Tahun Anggaran": year,
                "Instansi": r.nama_klpd,
                "Satuan Kerja": t["satker"]["nama_satker"],
                "Jenis Pengadaan": t["category"],
                "Metode Pengadaan": t["method"],
                "Tahap": t["status"],
            }


class IsbService:
    """Answers ISB paths from generated data, or from real files when replaying."""

    def __init__(self, world: World, replay: Path | None = None) -> None:
        self.world = world
        self.gen = IsbGenerator(world)
        self.replay = replay

    def handle(self, path: str) -> tuple[int, str, bytes] | None:
        """(status, content type, body) for an ISB path, or None if the path is not ISB's."""
        if m := _SATUDATA.match(path):
            return self._satudata(m.group("name"), m.group("tahun"), m.group("lpse"))
        if m := _KEYED.match(path):
            return self._keyed(m.group("dataset"), m.group("values"))
        return None

    def _satudata(self, name: str, tahun: str | None, lpse: str | None) -> tuple[int, str, bytes]:
        if name == "MasterKLPD":
            return _json(
                [
                    {
                        "kd_klpd": r.kd_klpd,
                        "nama_klpd": r.nama_klpd,
                        "jenis_klpd": r.jenis_klpd,
                        "kd_provinsi": None,
                        "kd_kabupaten": None,
                    }
                    for r in self._regions()
                ]
            )
        if name == "MasterLPSE":
            lpses = {r.kd_lpse: r.nama_lpse for r in self._regions()}
            return _json(
                [
                    {"kd_lpse": code, "nama_lpse": name, "_event_date": "2026-01-16"}
                    for code, name in lpses.items()
                ]
            )
        if name == "TenderUmumPublik" and tahun and lpse:
            region = self.world.by_lpse.get(int(lpse))
            if region is None or self.replay:
                return _text(NOT_DEFINED)
            return _json(list(self.gen.tender_umum_publik(region, int(tahun))))
        return _text(NOT_DEFINED)

    def _keyed(self, dataset: str, values: str) -> tuple[int, str, bytes]:
        params = _params(values)
        if params is None:
            return _text(NOT_DEFINED)
        year, kd_lpse, kd_klpd = params
        if self.replay:
            return self._replayed(dataset, year, kd_lpse, kd_klpd)
        region = (
            self.world.by_lpse.get(kd_lpse) if kd_lpse else self.world.by_klpd.get(kd_klpd or "")
        )
        if region is None:
            return _json([])
        records = self.gen.dataset(dataset, region, year)
        if records is None:
            return _text(NOT_DEFINED)
        return _json(list(records))

    def _replayed(
        self, dataset: str, year: int, kd_lpse: int | None, kd_klpd: str | None
    ) -> tuple[int, str, bytes]:
        path = self.replay / f"{dataset}.json" if self.replay else None
        if path is None or not path.is_file():
            return _text(NOT_DEFINED)
        try:
            records = json.loads(path.read_bytes())
        except ValueError:
            records = None
        if not isinstance(records, list):
            return 200, "application/json", path.read_bytes()  # replay odd answers as they are

        def wanted(rec: object) -> bool:
            if not isinstance(rec, dict):
                return True  # keep malformed records: the connector must quarantine them
            return (
                rec.get("tahun_anggaran") in (None, year)
                and (kd_lpse is None or rec.get("kd_lpse") in (None, kd_lpse))
                and (kd_klpd is None or rec.get("kd_klpd") in (None, kd_klpd))
            )

        if all(wanted(r) for r in records):
            return 200, "application/json", path.read_bytes()  # byte for byte, as captured
        return _json([r for r in records if wanted(r)])

    def _regions(self) -> list[Any]:
        if not self.replay:
            return self.world.regions
        # Replay: the master lists are what the replayed files themselves name.
        seen: dict[str, Any] = {}
        for path in sorted(self.replay.glob("SPSE-*.json")):
            try:
                records = json.loads(path.read_bytes())
            except ValueError:
                continue
            for rec in records if isinstance(records, list) else []:
                if (
                    isinstance(rec, dict)
                    and rec.get("kd_klpd")
                    and rec.get("nama_lpse")
                    and rec["kd_klpd"] not in seen
                ):
                    seen[rec["kd_klpd"]] = SimRegion(
                        len(seen),
                        rec["kd_klpd"],
                        rec.get("nama_klpd") or rec["kd_klpd"],
                        rec.get("jenis_klpd") or "",
                        int(rec["kd_lpse"]),
                        rec["nama_lpse"],
                        "",
                    )
        return list(seen.values())


def _params(values: str) -> tuple[int, int | None, str | None] | None:
    year = kd_lpse = kd_klpd = None
    for value in values.split(":"):
        if re.fullmatch(r"(19|20)\d\d", value) and year is None:
            year = int(value)
        elif re.fullmatch(r"\d+", value):
            kd_lpse = int(value)
        elif re.fullmatch(r"[A-Z]\w+", value):
            kd_klpd = value
        else:
            return None
    return (year, kd_lpse, kd_klpd) if year else None


def _json(records: list) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(records, ensure_ascii=False).encode()


def _text(text: str) -> tuple[int, str, bytes]:
    return 200, "text/plain", text.encode()
