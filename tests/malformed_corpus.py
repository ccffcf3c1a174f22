"""Hostile and broken inputs, each one element of an ISB SPSE-TenderPengumuman answer.

Every entry is (name, raw bytes of one array element, a fragment of the reason pantau must give).
They are mixed into an answer with good records: each must land in quarantine with a readable
reason while every good record lands.
"""

from __future__ import annotations

import json

GOOD_DATE = "2025-02-11 10:00:00"


def _rec(**fields: object) -> bytes:
    base: dict[str, object] = {
        "kd_tender": 990001,
        "nama_paket": "Rehabilitasi Jalan",
        "pagu": 100_000_000,
        "hps": 99_000_000,
        "tgl_pengumuman_tender": GOOD_DATE,
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not _DROP}).encode()


_DROP = object()
_n = iter(range(990100, 999999))


def _k() -> int:
    return next(_n)


NOT_A_NUMBER = "is not a number"
IMPOSSIBLE = "impossible date"
NOT_JSON = "not valid JSON"

CORPUS: list[tuple[str, bytes, str]] = [
    # wrong types
    ("pagu as Indonesian text", _rec(kd_tender=_k(), pagu="1.000.000"), NOT_A_NUMBER),
    ("pagu as rupiah text", _rec(kd_tender=_k(), pagu="Rp 1.000.000,00"), NOT_A_NUMBER),
    ("pagu as list", _rec(kd_tender=_k(), pagu=[1]), NOT_A_NUMBER),
    ("pagu as object", _rec(kd_tender=_k(), pagu={"v": 1}), NOT_A_NUMBER),
    ("pagu as boolean", _rec(kd_tender=_k(), pagu=True), NOT_A_NUMBER),
    ("hps as word", _rec(kd_tender=_k(), hps="abc"), NOT_A_NUMBER),
    ("pagu with decimal comma", _rec(kd_tender=_k(), pagu="1,5"), NOT_A_NUMBER),
    # negative and enormous amounts
    ("negative pagu", _rec(kd_tender=_k(), pagu=-1), "is negative"),
    ("negative hps cents", _rec(kd_tender=_k(), hps=-0.01), "is negative"),
    ("pagu 10^16", _rec(kd_tender=_k(), pagu=1e16), "implausibly large"),
    ("pagu 10^308", _rec(kd_tender=_k(), pagu=1e308), "implausibly large"),
    (
        "pagu NaN",
        _rec(kd_tender=_k()).replace(b'"pagu": 100000000', b'"pagu": NaN'),
        "not a finite number",
    ),
    (
        "pagu Infinity",
        _rec(kd_tender=_k()).replace(b'"pagu": 100000000', b'"pagu": Infinity'),
        "not a finite number",
    ),
    (
        "NaN in a free field",
        _rec(kd_tender=_k()).replace(b'"nama_paket"', b'"x": NaN, "nama_paket"'),
        "NaN or Infinity",
    ),
    ("hex number", _rec(kd_tender=_k()).replace(b'"pagu": 100000000', b'"pagu": 0x10'), NOT_JSON),
    (
        "leading zeros",
        _rec(kd_tender=_k()).replace(b'"pagu": 100000000', b'"pagu": 00123'),
        NOT_JSON,
    ),
    (
        "explicit plus sign",
        _rec(kd_tender=_k()).replace(b'"pagu": 100000000', b'"pagu": +5'),
        NOT_JSON,
    ),
    # missing or broken keys
    ("no kd_tender", _rec(kd_tender=_DROP), "missing natural key field 'kd_tender'"),
    ("null kd_tender", _rec(kd_tender=None), "missing natural key field"),
    ("empty kd_tender", _rec(kd_tender=""), "missing natural key field"),
    ("blank kd_tender", _rec(kd_tender="   "), "missing natural key field"),
    ("kd_tender list", _rec(kd_tender=[1, 2]), "is a list"),
    ("kd_tender object", _rec(kd_tender={"id": 1}), "is a dict"),
    ("kd_tender boolean", _rec(kd_tender=True), "is a bool"),
    ("kd_tender 10k chars", _rec(kd_tender="9" * 10_000), "longer than 200 characters"),
    # impossible dates
    (
        "31 Februari 2025",
        _rec(kd_tender=_k(), tgl_pengumuman_tender="31 Februari 2025"),
        IMPOSSIBLE,
    ),
    ("2025-02-31", _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-02-31"), IMPOSSIBLE),
    ("month 13", _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-13-01"), IMPOSSIBLE),
    (
        "29 Feb of a common year",
        _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-02-29 10:00:00"),
        IMPOSSIBLE,
    ),
    ("31 April", _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-04-31"), IMPOSSIBLE),
    ("hour 25", _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-02-11 25:00:00"), IMPOSSIBLE),
    ("minute 61", _rec(kd_tender=_k(), tgl_pengumuman_tender="2025-02-11 10:61:00"), IMPOSSIBLE),
    ("zero date", _rec(kd_tender=_k(), tgl_pengumuman_tender="0000-00-00 00:00:00"), IMPOSSIBLE),
    ("a word for a date", _rec(kd_tender=_k(), tgl_pengumuman_tender="kemarin"), IMPOSSIBLE),
    (
        "date as number",
        _rec(kd_tender=_k(), tgl_pengumuman_tender=20250211),
        "is not a date string",
    ),
    (
        "date as list",
        _rec(kd_tender=_k(), tgl_pengumuman_tender=["2025-02-11"]),
        "is not a date string",
    ),
    # encodings
    (
        "raw 0xFF 0xFE bytes",
        _rec(kd_tender=_k()).replace(b"Jalan", b"Jalan \xff\xfe"),
        "not valid UTF-8",
    ),
    (
        "latin-1 e-acute",
        _rec(kd_tender=_k()).replace(b"Jalan", b"Jalan Cikal\xe9"),
        "not valid UTF-8",
    ),
    (
        "overlong UTF-8",
        _rec(kd_tender=_k()).replace(b"Jalan", b"Jalan \xc0\xaf"),
        "not valid UTF-8",
    ),
    (
        "lone surrogate escape",
        _rec(kd_tender=_k()).replace(b"Jalan", b"Jalan \\ud800"),
        "invalid unicode",
    ),
    ("raw newline in string", _rec(kd_tender=_k()).replace(b"Jalan", b"Ja\nlan"), NOT_JSON),
    # nesting and size
    ("nested 40 deep", _rec(kd_tender=_k(), x=json.loads("[" * 40 + "]" * 40)), "nested deeper"),
    (
        "nested 100000 deep",
        b'{"kd_tender": 5, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "nested too deeply",
    ),
    ("2 MB string", _rec(kd_tender=_k(), nama_paket="x" * 2_000_000), "larger than"),
    # not a record at all
    (
        "HTML where a record belongs",
        b'"<html><body>Maaf, terjadi error</body></html>"',
        "not an object",
    ),
    ("HTML fragment unquoted", b"<tr><td>1</td></tr>", NOT_JSON),
    ("a number", b"42", "not an object"),
    ("null", b"null", "not an object"),
    ("an array", b"[1, 2, 3]", "not an object"),
    # syntax
    ("truncated object", b'{"kd_tender": 5, "pagu": 10', NOT_JSON),
    ("trailing garbage", b'{"kd_tender": 6} xyz', NOT_JSON),
    ("single quotes", b"{'kd_tender': 7}", NOT_JSON),
    ("unquoted key", b"{kd_tender: 8}", NOT_JSON),
    ("comment", b'{"kd_tender": 9 /* c */}', NOT_JSON),
    ("trailing comma", b'{"kd_tender": 10,}', NOT_JSON),
]

# Two records with the same kd_tender and different content: the second is quarantined.
DUPLICATE_KEY = (
    "duplicate kd_tender, other content",
    _rec(kd_tender=999999, pagu=5),
    _rec(kd_tender=999999, pagu=6),
    "duplicate natural key",
)


def good_records(n: int) -> list[bytes]:
    return [_rec(kd_tender=100 + i, nama_paket=f"Paket baik {i}") for i in range(n)]


def answer(elements: list[bytes]) -> bytes:
    return b"[" + b",\n".join(elements) + b"]"
