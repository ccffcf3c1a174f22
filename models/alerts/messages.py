"""Alert messages in Bahasa Indonesia or English: the texts, dates and amounts they use, and
the alert itself as the outbox stores it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
LANGUAGES = ("id", "en")


_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
              "September", "Oktober", "November", "Desember")
STATUS = {
    "id": {"joined": "sudah bergabung", "not_joined": "belum bergabung",
           "unknown": "tidak diketahui", None: "belum tercatat"},
    "en": {"joined": "joined", "not_joined": "not joined", "unknown": "unknown",
           None: "not recorded"},
}
_TEXT = {
    "id": {
        "inspectorate_title": "{name}: {status} dengan e-Pengaduan PBJ LKPP",
        "inspectorate_body": (
            "Apa yang berubah: status integrasi {name} dengan e-Pengaduan PBJ LKPP berubah "
            'dari "{previous}" menjadi "{status}".\n'
            "Di mana: {name}{code}.\n"
            'Sejak: {since} (tanggal pemeriksaan register "{source}"){previous_checked}.\n'
            "Bukti: {evidence}"
        ),
        "previous_checked": "; status sebelumnya terakhir diperiksa {date}",
        "disagree": "\nCatatan: register lain mencatat status berbeda: {others}.",
        "process_title": "Paket berisiko baru di {region}: {title}",
        "process_body": (
            'Apa: paket baru "{title}" ({kind}, kode {source_id}, sumber {source}) memenuhi '
            "aturan peringatan: {reason}.\n"
            "Di mana: {region}{satker}.\n"
            "Sejak: diumumkan {since}.\n"
            "Pagu Rp{pagu}, HPS Rp{hps}.\n"
            "Bukti: {evidence}"
        ),
        "process_reason_flags": "{n} bendera merah ({codes})",
        "process_reason_score": "skor risiko {code} = {score} (batas {limit})",
        "metric_title": "Metrik {metric} memburuk di {region}",
        "metric_body": (
            "Apa: metrik {metric} untuk tahun anggaran {year} berubah dari {previous} menjadi "
            "{value}, melewati batas {limit} ({direction}).\n"
            "Di mana: {region}{satker}.\n"
            "Sejak: snapshot {since} (sebelumnya {previous_date}).\n"
            "Bukti: pantau explain {metric}; tabel metric_history"
        ),
        "above": "lebih tinggi lebih buruk",
        "below": "lebih rendah lebih buruk",
        "run_title": "Run pantau gagal: {name}",
        "run_body": (
            'Apa: run "{name}" berakhir dengan status {state}.\n'
            "Di mana: {where}.\nSejak: {since}.\nAlasan: {reason}"
        ),
        "case_title": "Tindak lanjut lewat tenggat: {title}",
        "case_body": "Kasus #{case_id} \u201c{title}\u201d belum ditutup, tenggat {deadline}.",
        "shrank_title": "Sumber menyusut: {subject}",
        "shrank_body": (
            "Apa: jawaban {subject} hanya berisi {n} catatan, jawaban terakhir yang dimuat "
            "berisi {last}; jawaban ini tidak diterapkan dan menunggu di karantina.\n"
            "Di mana: {region}.\nSejak: {since}.\n"
            "Tindakan: periksa, lalu pantau run --accept-shrink {dataset}"
        ),
        "quality_title": "Mutu data turun: {subject}",
        "quality_body": "Apa: {what}.\nSejak: {since}.\nBukti: view data_quality",
        "coverage_what": ('isian "{field}" pada {dataset} kini terisi {now} dari catatan, '
                          "sebelumnya {before}"),
        "stale_what": "catatan terbaru {source} {dataset} berumur {days} hari ({newest})",
        "change_title": "{rule} di {region}: {title}",
        "change_body": (
            'Apa: {field} paket "{title}" ({kind}, kode {source_id}, sumber {source}) '
            'berubah dari "{old}" menjadi "{new}" ({change}).\n'
            "Di mana: {region}{satker}.\nSejak: {since}.\n"
            "Bukti: pantau explain --process {kind}:{source_id}"
        ),
        "test_title": "Pesan uji pantau",
        "test_body": "Ini pesan uji dari pantau ({when}). Kanal ini menerima peringatan.",
    },
    "en": {
        "inspectorate_title": "{name}: {status} LKPP's e-pengaduan PBJ",
        "inspectorate_body": (
            "What changed: the e-pengaduan PBJ integration status of {name} changed from "
            '"{previous}" to "{status}".\n'
            "Where: {name}{code}.\n"
            'Since: {since} (checked_on in register "{source}"){previous_checked}.\n'
            "Evidence: {evidence}"
        ),
        "previous_checked": "; the previous status was last checked on {date}",
        "disagree": "\nNote: another register records a different status: {others}.",
        "process_title": "New high-risk procurement in {region}: {title}",
        "process_body": (
            'What: the new package "{title}" ({kind}, code {source_id}, source {source}) meets '
            "an alert rule: {reason}.\n"
            "Where: {region}{satker}.\n"
            "Since: announced {since}.\n"
            "Pagu Rp{pagu}, HPS Rp{hps}.\n"
            "Evidence: {evidence}"
        ),
        "process_reason_flags": "{n} red flags ({codes})",
        "process_reason_score": "risk score {code} = {score} (limit {limit})",
        "metric_title": "Metric {metric} worsened in {region}",
        "metric_body": (
            "What: {metric} for budget year {year} went from {previous} to {value}, past the "
            "limit {limit} ({direction}).\n"
            "Where: {region}{satker}.\n"
            "Since: snapshot {since} (previous {previous_date}).\n"
            "Evidence: pantau explain {metric}; table metric_history"
        ),
        "above": "higher is worse",
        "below": "lower is worse",
        "run_title": "pantau run failed: {name}",
        "run_body": (
            'What: the run "{name}" ended {state}.\n'
            "Where: {where}.\nSince: {since}.\nReason: {reason}"
        ),
        "case_title": "Follow-up overdue: {title}",
        "case_body": ("Case #{case_id} \u201c{title}\u201d is still open; its deadline was "
                      "{deadline}."),
        "shrank_title": "Source shrank: {subject}",
        "shrank_body": (
            "What: the answer of {subject} holds only {n} records where the last landed answer "
            "held {last}; it was not applied and waits in quarantine.\n"
            "Where: {region}.\nSince: {since}.\n"
            "Action: have a look, then pantau run --accept-shrink {dataset}"
        ),
        "quality_title": "Data quality dropped: {subject}",
        "quality_body": "What: {what}.\nSince: {since}.\nEvidence: the data_quality view",
        "coverage_what": ('the field "{field}" of {dataset} is now filled in {now} of the '
                          "records, {before} before"),
        "stale_what": "the newest record of {source} {dataset} is {days} days old ({newest})",
        "change_title": "{rule} in {region}: {title}",
        "change_body": (
            'What: {field} of the package "{title}" ({kind}, code {source_id}, source '
            '{source}) went from "{old}" to "{new}" ({change}).\n'
            "Where: {region}{satker}.\nSince: {since}.\n"
            "Evidence: pantau explain --process {kind}:{source_id}"
        ),
        "test_title": "pantau test message",
        "test_body": "This is a test message from pantau ({when}). This channel receives alerts.",
    },
}


def format_date(value: date | str | None, lang: str) -> str:
    if value is None:
        return "-"
    day = date.fromisoformat(str(value)[:10]) if not isinstance(value, date) else value
    if lang == "id":
        return f"{day.day} {_MONTHS_ID[day.month - 1]} {day.year}"
    return day.strftime("%d %B %Y").lstrip("0")


def format_rupiah(value: object) -> str:
    if value is None:
        return "-"
    return f"{float(value):,.0f}".replace(",", ".")  # type: ignore[arg-type]


def text(lang: str, template: str, /, **values: object) -> str:
    return _TEXT[lang][template].format(**values)


@dataclass(frozen=True)
class Alert:
    key: str
    rule: str
    subject: str
    title: str
    message: str
    language: str
    region: str | None = None
    happened_on: str | None = None
    evidence_url: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def run_failed_alert(lang: str, *, run_key: str, name: str, state: str, reason: str,
                     where: str, since: datetime) -> Alert:
    when = since.astimezone(JAKARTA)
    return Alert(
        key=f"run_failed|{run_key}", rule="run_failed", subject=run_key,
        title=text(lang, "run_title", name=name),
        message=text(lang, "run_body", name=name, state=state, where=where,
                     since=f"{format_date(when.date(), lang)} {when:%H:%M} WIB",
                     reason=reason[:500]),
        language=lang, region=where, happened_on=when.isoformat(timespec="seconds"),
        facts={"state": state, "name": name},
    )


def source_shrank_alert(lang: str, *, key: str, source: str, dataset: str, region: str,
                        year: int | None, n_records: int, n_last: int, since: datetime) -> Alert:
    """An answer held back by the shrinkage guard (models/loader.py); ``key`` names it."""
    when = since.astimezone(JAKARTA)
    subject = f"{source}/{dataset} {region}{f' {year}' if year else ''}"
    return Alert(
        key=f"source_shrank|{key}", rule="source_shrank", subject=subject,
        title=text(lang, "shrank_title", subject=subject),
        message=text(lang, "shrank_body", subject=subject, n=n_records, last=n_last,
                     region=region, dataset=dataset,
                     since=f"{format_date(when.date(), lang)} {when:%H:%M} WIB"),
        language=lang, region=region, happened_on=when.isoformat(timespec="seconds"),
        facts={"n_records": n_records, "n_last": n_last, "dataset": dataset},
    )
