"""The fused multiply-add of Cardinal's fences, emulated in SQL, against exact rationals.

Rust computes fences as ``(q3 - q1).mul_add(±1.5, c)``: a·(±1.5) + c rounded once. DuckDB has no
fma and Python 3.11 no math.fma, so core.cardinal_fma15 (105_cardinal_flatten.sql) must agree
with the exactly rounded value, here ``float(Fraction(a) * ±1.5 + Fraction(c))`` (Python's
int / int true division rounds correctly, to nearest even).
"""

from __future__ import annotations

import random
import struct
from fractions import Fraction

import duckdb
import pytest
from pantau.models.transform import SQL_DIR


def exact_fma(a: float, sign: int, c: float) -> float:
    return float(Fraction(a) * Fraction(3 * sign, 2) + Fraction(c))


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute(
        "CREATE SCHEMA core; CREATE TEMP TABLE cardinal_releases (line_no BIGINT, release JSON)"
    )
    con.execute((SQL_DIR / "indicators" / "105_cardinal_flatten.sql").read_text(encoding="utf-8"))
    yield con
    con.close()


def _cases() -> list[tuple[float, int, float]]:
    rng = random.Random(20250)
    cases = [
        (100.0 - 66.66666666666667, -1, 66.66666666666667),
        (0.0, 1, 0.5),
        (1.0 / 3, 1, 1.0),
        (0.1, -1, 0.15),
        (1e-300, 1, 1.0),
        (2.0**-53, 1, 1.0),
        (3 * 2.0**-54, 1, 1.0),
    ]
    for _ in range(3000):
        q1 = rng.choice(
            [rng.random(), rng.uniform(0, 1e6), rng.randint(0, 40) / rng.randint(1, 40)]
        )
        q3 = q1 + rng.choice([rng.random(), rng.uniform(0, 1e-10), rng.randint(0, 9) / 7])
        sign = rng.choice([1, -1])
        cases.append((q3 - q1, sign, q3 if sign > 0 else q1))
    for _ in range(2000):  # random bit patterns near ties
        c = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(52) | (1023 << 52)))[0]
        a = c * rng.choice([2.0**-k for k in range(60)]) * rng.choice([1.0, 1.0 + 2.0**-52])
        cases.append((a, rng.choice([1, -1]), c))
    return cases


def test_fma_is_correctly_rounded(con):
    cases = _cases()
    rows = con.execute(
        "SELECT core.cardinal_fma15(a, s, c) FROM (SELECT unnest($a) AS a, unnest($s) AS s, "
        "unnest($c) AS c)",
        {"a": [x[0] for x in cases], "s": [x[1] for x in cases], "c": [x[2] for x in cases]},
    ).fetchall()
    wrong = [
        (a, s, c, got[0], exact_fma(a, s, c))
        for (a, s, c), got in zip(cases, rows, strict=True)
        if got[0] != exact_fma(a, s, c)
    ]
    assert not wrong[:5], f"{len(wrong)} of {len(cases)} differ"


def test_quantile_type8(con):
    # statrs: data [0, 0, 100 x 7] -> q1 66.666..., q3 100 (Cardinal's documented R024 example).
    data = [0.0, 0.0] + [100.0] * 7
    q1, q3 = con.execute(
        "SELECT core.cardinal_q8($v, 0.25), core.cardinal_q8($v, 0.75)", {"v": data}
    ).fetchone()
    h = (9 + 1 / 3) * 0.25 + 1 / 3
    assert q1 == data[1] + (h - 2) * (data[2] - data[1])
    assert q3 == 100.0
