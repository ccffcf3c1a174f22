"""opentender.net (ICW) over the simulated world: its LPSE list and its per-LPSE OCDS export.

Paths, as Kingfisher Collect uses them (../shared/sources.md §3):
- ``GET /api/master/lpse/?year=Y&format=json``: ``{"results": [{"code": ..., "name": ...}]}``;
  the codes are ICW's own (not LKPP's kd_lpse) and, as on the real API, one repeats;
- ``GET /api/tender/export-ocds-batch/?year=Y&lpse=C``: a ZIP of OCDS release packages of the
  LPSE's tenders of year Y. Member ``tender.json`` has one ``tender`` release per tender (bids
  pending or invited); ``result.json`` the later release of each decided tender (``award`` with
  the winner and final bid statuses, or a cancellation), so a compiled release needs merging;
  ``amendment.json`` is invalid JSON (cut short), as some of the real export is: a reader must
  quarantine it and keep the rest.

The tenders are the world's (same codes, values and participants as the ISB and SPSE
simulators), so ``tender.id`` is LKPP's kd_tender. The ocid prefix is made up: opentender's real
one is unknown (sources.md §3).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from typing import Any

from pantau.simulator.world import SimRegion, World

OCID_PREFIX = "ocds-sim1cw-"
LPSE_LIST = "/api/master/lpse/"
EXPORT = "/api/tender/export-ocds-batch/"
Answer = tuple[int, str, bytes]
CATEGORY = {"Pengadaan Barang": "goods", "Pekerjaan Konstruksi": "works"}


def icw_code(region: SimRegion) -> str:
    """ICW's code of the region's LPSE (its own numbering, unlike LKPP's kd_lpse)."""
    return str(region.index + 1)


def ocid(tender: dict[str, Any]) -> str:
    return f"{OCID_PREFIX}{tender['code']}"


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"


def _amount(value: float) -> dict[str, Any]:
    return {"amount": value, "currency": "IDR"}


def _npwp(supplier: dict[str, Any]) -> str:
    return supplier["npwp_penyedia"].replace(".", "").replace("-", "")


def _org(supplier: dict[str, Any]) -> dict[str, str]:
    return {"id": f"ID-NPWP-{_npwp(supplier)}", "name": supplier["nama_penyedia"]}


class OpentenderService:
    """Answers opentender.net's API paths from the world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_code = {icw_code(r): r for r in world.regions}

    def handle_request(self, method: str, path: str, form: dict[str, list[str]]) -> Answer | None:
        if method != "GET" or path not in {LPSE_LIST, EXPORT}:
            return None
        year = (form.get("year") or [""])[0]
        if not year.isdigit():
            return 400, "application/json", b'{"detail": "year is required"}'
        if path == LPSE_LIST:
            rows = [{"code": icw_code(r), "name": r.nama_lpse} for r in self.world.regions]
            rows.append(rows[0])  # codes can repeat, as in the real list
            return 200, "application/json", json.dumps({"results": rows}).encode()
        region = self.by_code.get((form.get("lpse") or [""])[0])
        if region is None:
            return 404, "application/json", b'{"detail": "Not found."}'
        return 200, "application/zip", self.export(region, int(year))

    def releases(self, region: SimRegion, year: int) -> tuple[list[dict], list[dict]]:
        """(tender releases, result releases) of the region's tenders of the year."""
        tenders, results = [], []
        for i in range(self.world.count("tender")):
            t = self.world.tender(region, year, i)
            people = self.world.participants(region, year, i)
            tenders.append(self._tender_release(region, t, people))
            result = self._result_release(t, people)
            if result is not None:
                results.append(result)
        return tenders, results

    def export(self, region: SimRegion, year: int) -> bytes:
        tenders, results = self.releases(region, year)
        amended = {
            **tenders[0],
            "id": f"{tenders[0]['ocid']}-amendment",
            "tag": ["tenderAmendment"],
        }
        broken = json.dumps(self._package([amended]))
        members = {
            "tender.json": json.dumps(self._package(tenders)),
            "result.json": json.dumps(self._package(results)),
            "amendment.json": broken[: len(broken) // 2],  # cut short: invalid JSON
        }
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in members.items():
                info = zipfile.ZipInfo(f"{icw_code(region)}-{year}/{name}", (2024, 1, 1, 0, 0, 0))
                archive.writestr(info, text, zipfile.ZIP_DEFLATED)
        return out.getvalue()

    @staticmethod
    def _package(releases: list[dict]) -> dict[str, Any]:
        return {
            "uri": "https://opentender.net/api/tender/export-ocds-batch/",
            "version": "1.1",
            "publishedDate": "2024-01-01T00:00:00+07:00",
            "publisher": {"name": "Indonesia Corruption Watch (simulated)"},
            "releases": releases,
        }

    def _tender_release(self, region: SimRegion, t: dict, people: list[dict]) -> dict[str, Any]:
        satker = t["satker"]
        buyer = {"id": region.kd_klpd, "name": region.nama_klpd}
        entity = {"id": satker["kd_satker_str"], "name": satker["nama_satker"]}
        return {
            "ocid": ocid(t),
            "id": f"{ocid(t)}-tender",
            "date": _date(t["start"]),
            "tag": ["tender"],
            "initiationType": "tender",
            "language": "id",
            "parties": [
                {**buyer, "roles": ["buyer"]},
                {**entity, "roles": ["procuringEntity"]},
                *(
                    {
                        **_org(p),
                        "roles": ["tenderer"],
                        "identifier": {"scheme": "ID-NPWP", "id": _npwp(p)},
                    }
                    for p in people
                ),
            ],
            "buyer": buyer,
            "planning": {"budget": {"id": t["kd_rup"], "amount": _amount(t["pagu"])}},
            "tender": {
                "id": str(t["code"]),
                "title": t["title"],
                "status": "active",
                "procurementMethod": "open",
                "procurementMethodDetails": t["method"],
                "mainProcurementCategory": CATEGORY.get(t["category"], "services"),
                "value": _amount(t["hps"]),
                "procuringEntity": entity,
                "datePublished": _date(t["start"]),
            },
            "bids": {
                "details": [
                    {
                        "id": str(p["kd_peserta"]),
                        "status": "pending" if p["offer"] is not None else "invited",
                        "tenderers": [_org(p)],
                        **({"value": _amount(p["offer"])} if p["offer"] is not None else {}),
                    }
                    for p in people
                ]
            },
        }

    def _result_release(self, t: dict, people: list[dict]) -> dict[str, Any] | None:
        """The award (final bid statuses), or the cancellation; None while the tender runs."""
        decided = t["start"] + timedelta(days=30 + int(t["seed"] * 30))
        release: dict[str, Any] = {"ocid": ocid(t), "date": _date(decided), "language": "id"}
        winner = next((p for p in people if p["winner"]), None)
        if winner is not None:
            return {
                **release,
                "id": f"{ocid(t)}-award",
                "tag": ["award"],
                "tender": {"id": str(t["code"]), "status": "complete"},
                "bids": {
                    "details": [
                        {"id": str(p["kd_peserta"]), "status": "valid"}
                        for p in people
                        if p["offer"] is not None
                    ]
                },
                "awards": [
                    {
                        "id": f"{t['code']}-1",
                        "status": "active",
                        "date": _date(decided),
                        "value": _amount(winner["offer"]),
                        "suppliers": [_org(winner)],
                    }
                ],
                "parties": [{**_org(winner), "roles": ["tenderer", "supplier"]}],
            }
        if t["status"] == "Berlangsung":
            return None
        status = "cancelled" if t["status"] == "Gagal/Batal" else "unsuccessful"
        return {
            **release,
            "id": f"{ocid(t)}-{status}",
            "tag": ["tenderCancellation" if status == "cancelled" else "tenderUpdate"],
            "tender": {"id": str(t["code"]), "status": status},
        }
