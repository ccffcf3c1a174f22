"""A deterministic simulated procurement world, shaped like the real Kab. Bandung 2025 captures.

Every record is a pure function of (seed, region, year, kind, index, generation): any dataset
can be produced alone, in any order, and always agrees with the others (a tender's participants,
schedule and result describe the same tender). Proportions follow the real captures: per region
and year about 90 tenders (74% finished, 16% failed, 10% running; ~46 registrations and ~2 offers
each; one in eight finished tenders has no recorded offer), 2400 non-tenders, 380 recorded
non-tenders, 210 swakelola packages and 600 e-purchasing orders, times ``scale``.

``generation`` models time passing: each generation changes ``change_rate`` of the packages
(status, values, stage), so an incremental run has something to find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

# Simulated regions. The codes of Jawa Tengah and Kota Semarang are NOT the real ones (those are
# unknown, sources.md §6): they exist so that the default config resolves in the demo.
BASE_REGIONS = (
    ("D107", "Kab. Bandung", "KABUPATEN", 93, "LPSE Kabupaten Bandung", "bandungkab"),
    ("D901", "Provinsi Jawa Tengah", "PROVINSI", 901, "LPSE Provinsi Jawa Tengah", "jatengprov"),
    ("D902", "Kota Semarang", "KOTA", 902, "LPSE Kota Semarang", "semarangkota"),
)
PER_SCALE = {"tender": 90, "non_tender": 2400, "pencatatan": 380, "swakelola": 210, "ecat": 600}
CATEGORIES = (
    ("Pengadaan Barang", 0.35),
    ("Pekerjaan Konstruksi", 0.25),
    ("Jasa Lainnya", 0.25),
    ("Jasa Konsultansi Badan Usaha Non Konstruksi", 0.10),
    ("Jasa Konsultansi Badan Usaha Konstruksi", 0.05),
)
SATKER_NAMES = (
    "DINAS PENDIDIKAN",
    "DINAS KESEHATAN",
    "DINAS PEKERJAAN UMUM DAN TATA RUANG",
    "DINAS PERHUBUNGAN",
    "DINAS LINGKUNGAN HIDUP",
    "SEKRETARIAT DAERAH",
    "SEKRETARIAT DPRD",
    "BADAN PERENCANAAN PEMBANGUNAN DAERAH",
    "DINAS SOSIAL",
    "DINAS KETENAGAKERJAAN",
    "RUMAH SAKIT UMUM DAERAH",
    "DINAS PERUMAHAN DAN KAWASAN PERMUKIMAN",
    "INSPEKTORAT DAERAH",
    "BADAN KEPEGAWAIAN DAERAH",
    "DINAS KOMUNIKASI DAN INFORMATIKA",
    "SATUAN POLISI PAMONG PRAJA",
)
WORDS = (
    "Pembangunan",
    "Rehabilitasi",
    "Pemeliharaan",
    "Pengadaan",
    "Belanja",
    "Jalan",
    "Gedung",
    "Kantor",
    "Sekolah",
    "Jembatan",
    "Saluran",
    "Drainase",
    "Alat",
    "Kesehatan",
    "Komputer",
    "Kendaraan",
    "Konsultansi",
    "Pengawasan",
    "Perencanaan",
    "Teknis",
    "Wilayah",
    "Kecamatan",
    "Puskesmas",
    "Taman",
    "Pasar",
    "Irigasi",
    "Makan",
    "Minum",
    "Bahan",
    "Cetak",
)
TENDER_STAGES = (
    "Pengumuman pascakualifikasi",
    "Download dokumen pemilihan dan kualifikasi",
    "Penjelasan dokumen lelang",
    "Upload Dokumen Penawaran",
    (
        "Pembukaan file dokumen penawaran  (dokumen penawaran harga, administrasi dan teknis) "
        "serta dokumen kualifikasi"
    ),
    "Pembuktian kualifikasi",
    "Penetapan pemenang",
    "Pengumuman pemenang",
    "Masa Sanggah Hasil Lelang",
    "Surat penunjukan penyedia barang/jasa",
    "Penandatanganan  kontrak",
)


@dataclass(frozen=True)
class SimRegion:
    index: int
    kd_klpd: str
    nama_klpd: str
    jenis_klpd: str
    kd_lpse: int
    nama_lpse: str
    slug: str


def regions(extra: int = 0) -> list[SimRegion]:
    """The three named regions plus ``extra`` generated ones (for national-scale benchmarks)."""
    out = [SimRegion(i, *r) for i, r in enumerate(BASE_REGIONS)]
    for n in range(extra):
        i = len(out)
        out.append(
            SimRegion(
                i,
                f"D{1000 + n}",
                f"Kab. Simulasi {n + 1:03d}",
                "KABUPATEN",
                1000 + n,
                f"LPSE Kabupaten Simulasi {n + 1:03d}",
                f"simulasi{n + 1:03d}",
            )
        )
    return out


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _money(rng: random.Random, low: float, high: float) -> float:
    # Log-uniform: many small packages, a few very large ones, as in the real data.
    value = low * (high / low) ** rng.random()
    return round(value, rng.choice((0, 0, 2)))


def _title(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(3, 8)))


def _npwp(n: int) -> str:
    digits = f"{(n * 7919 + 104729) % 10**15:015d}"
    return f"{digits[0:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:15]}"


class World:
    def __init__(
        self, seed: int = 1, scale: float = 1.0, extra_regions: int = 0, change_rate: float = 0.01
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.generation = 0
        self.change_rate = change_rate
        self.regions = regions(extra_regions)
        self.by_klpd = {r.kd_klpd: r for r in self.regions}
        self.by_lpse = {r.kd_lpse: r for r in self.regions}
        self.by_slug = {r.slug: r for r in self.regions}

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *parts))))

    def count(self, kind: str) -> int:
        return max(1, round(PER_SCALE[kind] * self.scale))

    def version(self, kind: str, code: int) -> int:
        """How many generations so far changed this package (0 = as first published)."""
        return sum(
            1
            for g in range(1, self.generation + 1)
            if self.rng("change", g, kind, code).random() < self.change_rate
        )

    # --- shared parties ---------------------------------------------------------------------

    def satkers(self, region: SimRegion) -> list[dict]:
        out = []
        for i, name in enumerate(SATKER_NAMES):
            out.append(
                {
                    "kd_satker": 60000 + region.index * 100 + i,
                    "kd_satker_spse": f"{12000 + region.index * 100 + i}{region.kd_lpse:03d}",
                    "kd_satker_str": f"{1 + i % 7}.{i:02d}.0.00.0.00.{region.index % 100:02d}.0000",
                    "nama_satker": name,
                }
            )
        return out

    @cached_property
    def _supplier_pool(self) -> int:
        return max(50, round(300 * self.scale))

    def supplier(self, region: SimRegion, n: int) -> dict:
        code = region.index * 1_000_000 + n
        rng = self.rng("supplier", code)
        prefix = rng.choice(("CV.", "PT.", "CV", "PT"))
        npwp = _npwp(code + 1)
        return {
            "kd_penyedia": 5_000_000 + code,
            "nama_penyedia": f"{prefix} {' '.join(rng.sample(WORDS, 2)).upper()} {n}",
            "npwp_penyedia": npwp,
            "npwp16": "0" + npwp.replace(".", "").replace("-", ""),
        }

    # --- packages ---------------------------------------------------------------------------

    def _base(self, region: SimRegion, year: int, kind: str, i: int) -> tuple[random.Random, dict]:
        code = (region.index * 10_000_000 + i) * 1000 + 10_000_000_000
        rng = self.rng(kind, code)
        satker = rng.choice(self.satkers(region))
        start = datetime(year, 1, 6)  # noqa: DTZ001 - WIB wall-clock, as ISB writes
        start += timedelta(days=rng.randint(0, 300), hours=rng.randint(8, 16))
        return rng, {
            "code": code,
            "satker": satker,
            "start": start,
            "version": self.version(kind, code),
            "kd_rup": str(40_000_000 + region.index * 1_000_000 + rng.randint(0, 999_999)),
            "category": _pick(rng, CATEGORIES),
        }

    def tender(self, region: SimRegion, year: int, i: int) -> dict:
        rng, b = self._base(region, year, "tender", i)
        pagu = _money(rng, 2e8, 2e10)
        hps = round(pagu * rng.uniform(0.9, 1.0), 2)
        status = _pick(rng, (("Selesai", 0.74), ("Gagal/Batal", 0.16), ("Berlangsung", 0.10)))
        if b["version"] % 2 == 1 and status == "Berlangsung":
            status = "Selesai"  # a change over time: the running tender finished
        n_reg = max(1, int(rng.expovariate(1 / 46)))
        n_offers = (
            0
            if status != "Selesai" and rng.random() < 0.5
            else min(n_reg, rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5)))
        )
        if status == "Selesai" and rng.random() < 0.125:
            n_offers = 0  # finished without recorded offers: a real quirk
        consult = b["category"].startswith("Jasa Konsultansi")
        return {
            **b,
            "pagu": pagu,
            "hps": hps,
            "status": status,
            "n_reg": n_reg,
            "n_offers": n_offers,
            "method": "Seleksi" if consult else "Tender",
            "title": _title(rng),
            "seed": rng.random(),
        }

    def participants(self, region: SimRegion, year: int, i: int) -> list[dict]:
        t = self.tender(region, year, i)
        rng = self.rng("peserta", t["code"])
        picks = rng.sample(range(self._supplier_pool), min(t["n_reg"], self._supplier_pool))
        offers = []
        for j, n in enumerate(picks):
            s = self.supplier(region, n)
            offer = None
            if j < t["n_offers"]:
                offer = round(t["hps"] * rng.uniform(0.78, 0.999), 2)
            offers.append({**s, "kd_peserta": t["code"] + 100 + j, "offer": offer})
        bidders = [o for o in offers if o["offer"] is not None]
        winner = (
            min(bidders, key=lambda o: o["offer"]) if bidders and t["status"] == "Selesai" else None
        )
        for o in offers:
            o["winner"] = o is winner
        return offers

    def non_tender(self, region: SimRegion, year: int, i: int) -> dict:
        rng, b = self._base(region, year, "non_tender", i)
        consult = b["category"].startswith("Jasa Konsultansi")
        ceiling = 1e8 if consult else 2e8
        # A few packages sit just under the ceiling, and a very few above it: what ID-C01/C03 find.
        roll = rng.random()
        if roll < 0.01:
            pagu = ceiling * rng.uniform(1.01, 1.5)
        elif roll < 0.06:
            pagu = ceiling * rng.uniform(0.95, 0.999)
        else:
            pagu = _money(rng, 5e6, ceiling)
        hps = round(pagu * rng.uniform(0.95, 1.0), 2)
        status = _pick(rng, (("Selesai", 0.60), ("Berlangsung", 0.30), ("Gagal/Batal", 0.10)))
        if b["version"] % 2 == 1 and status == "Berlangsung":
            status = "Selesai"
        supplier = self.supplier(region, rng.randrange(self._supplier_pool))
        value = round(hps * rng.uniform(0.9, 0.999), 2)
        return {
            **b,
            "pagu": round(pagu, 2),
            "hps": hps,
            "status": status,
            "title": _title(rng),
            "method": "Penunjukan Langsung" if rng.random() < 0.01 else "Pengadaan Langsung",
            "supplier": supplier,
            "value": value,
        }

    def pencatatan(self, region: SimRegion, year: int, i: int, kind: str) -> dict:
        rng, b = self._base(region, year, kind, i)
        pagu = _money(rng, 1e6, 2e8)
        n_pay = rng.randint(1, 3)
        payments = [round(pagu * rng.uniform(0.1, 0.9) / n_pay, 0) for _ in range(n_pay)]
        supplier = self.supplier(region, rng.randrange(self._supplier_pool))
        return {
            **b,
            "pagu": pagu,
            "payments": payments,
            "title": _title(rng),
            "supplier": supplier,
            "tipe": rng.randint(1, 4),
            "status_ket": "Paket Selesai"
            if rng.random() < 0.9 or b["version"]
            else "Paket Sedang Berjalan",
        }

    def ecat(self, region: SimRegion, year: int, i: int) -> dict:
        rng, b = self._base(region, year, "ecat", i)
        return {
            **b,
            "total": _money(rng, 5e5, 5e9),
            "title": _title(rng),
            "kd_paket": f"01K{b['code']:023d}"[:26],
            "status": "COMPLETED" if b["version"] or rng.random() < 0.7 else "ON_PROCESS",
        }
