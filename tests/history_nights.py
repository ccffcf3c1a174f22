"""Nights of the real Kab. Bandung captures, edited as a source rewriting its packages would:
night 2 raises one ongoing tender's HPS, drops one package with a contract from every dataset
and changes one tender's winner (another company, at another price: its award moves close to
HPS, which the metrics see); night 3 sends half of the tender announcements."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from conftest import BANDUNG
from pantau.connectors import isb
from pantau.connectors.base import Provenance
from pantau.models.db import open_warehouse
from pantau.models.loader import LandResult, ShrinkGuard, land
from pantau.models.transform import build

Records = list[dict[str, Any]]
Edit = Callable[[str, Records], Records]
NIGHT_1, NIGHT_2, NIGHT_3 = date(2025, 10, 4), date(2025, 10, 5), date(2025, 10, 6)
ANNOUNCEMENTS = "SPSE-TenderPengumuman"
WINNERS = "SPSE-TenderSelesaiNilai"


def capture(name: str) -> Records:
    return json.loads((BANDUNG / f"{name}.json").read_bytes())


@dataclass(frozen=True)
class Night2:
    """What night 2 changes, chosen from the captures (never typed in)."""

    hps_tender: int  # an ongoing tender: announced, no result yet
    old_hps: float
    new_hps: float
    dropped: int  # a finished tender with a contract
    winner_tender: int
    old_winner: tuple[str, str]  # (nama_penyedia, npwp_penyedia)
    new_winner: tuple[str, str]
    old_contract: float
    new_contract: float  # 99% of HPS, where the old one was below 95%

    @classmethod
    def choose(cls) -> Night2:
        announced = capture(ANNOUNCEMENTS)
        winners = capture(WINNERS)
        finished = {r["kd_tender"] for r in winners} | {
            r["kd_tender"] for r in capture("SPSE-TenderSelesai")}
        ongoing = next(r for r in announced
                       if r["kd_tender"] not in finished and r["hps"] is not None)
        announced_ids = {r["kd_tender"] for r in announced}
        with_contract = [r for r in winners if r["kd_tender"] in announced_ids
                         and r["nilai_kontrak"]]
        dropped = with_contract[0]
        changed = next(r for r in with_contract[1:] if r["nilai_kontrak"] < 0.95 * r["hps"])
        other = next(r for r in winners if r["npwp_penyedia"] != changed["npwp_penyedia"])
        return cls(
            hps_tender=ongoing["kd_tender"], old_hps=ongoing["hps"],
            new_hps=round(ongoing["hps"] * 1.15, 2),
            dropped=dropped["kd_tender"], winner_tender=changed["kd_tender"],
            old_winner=(changed["nama_penyedia"], changed["npwp_penyedia"]),
            new_winner=(other["nama_penyedia"], other["npwp_penyedia"]),
            old_contract=changed["nilai_kontrak"],
            new_contract=round(changed["hps"] * 0.99, 2),
        )

    def edit(self, dataset: str, records: Records) -> Records:
        out = []
        for record in records:
            if record.get("kd_tender") == self.dropped:
                continue  # deleted from the portal: gone from every dataset
            edited = dict(record)
            if dataset == ANNOUNCEMENTS and record["kd_tender"] == self.hps_tender:
                edited["hps"] = self.new_hps
            if dataset == WINNERS and record["kd_tender"] == self.winner_tender:
                edited["nama_penyedia"], edited["npwp_penyedia"] = self.new_winner
                edited["nilai_kontrak"] = self.new_contract
            out.append(edited)
        return out


def half_the_announcements(dataset: str, records: Records) -> Records:
    return records[: len(records) // 2] if dataset == ANNOUNCEMENTS else records


def unchanged(_dataset: str, records: Records) -> Records:
    return records


def land_night(db: Path, night: date, run_id: str, edit: Edit = unchanged, *,
               guard: ShrinkGuard | None = None) -> list[LandResult]:
    """Land every captured dataset as fetched at noon UTC of ``night``, edited, then build."""
    results = []
    with open_warehouse(db) as con:
        for ds in isb.KEYED_DATASETS:
            path = BANDUNG / f"{ds.name}.json"
            if not path.exists():
                continue
            body = json.dumps(edit(ds.name, capture(ds.name))).encode()
            prov = Provenance("isb", f"file://{path.name}",
                              datetime(night.year, night.month, night.day, 12, tzinfo=UTC))
            batch = isb.to_batch(ds, body, prov, region="D107", year=2025)
            results.append(land(con, batch, run_id, guard=guard))
        build(con, run_date=night, run_id=run_id)
    return results
