"""core.wib_day: an instant's WIB calendar day by arithmetic, as timezone() through ICU says."""

from __future__ import annotations

import duckdb
from pantau.sql import SQL_DIR


def test_wib_day_is_the_jakarta_calendar_day_of_every_instant():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute((SQL_DIR / "core" / "000_macros.sql").read_text(encoding="utf-8"))
    # every 7 minutes from 1964 (WIB's fixed UTC+7) to 2040, and the day's edges around 17:00 UTC
    rows = con.execute(
        """
        WITH t AS (
            SELECT unnest(generate_series(TIMESTAMPTZ '1964-01-01 00:00:00+00',
                                          TIMESTAMPTZ '2040-01-01 00:00:00+00',
                                          INTERVAL 7 MINUTE)) AS ts
            UNION ALL SELECT TIMESTAMPTZ '2025-04-29 16:59:59.999999+00'
            UNION ALL SELECT TIMESTAMPTZ '2025-04-29 17:00:00+00'
        )
        SELECT count(*),
            count(*) FILTER (WHERE core.wib_day(ts)
                             IS DISTINCT FROM CAST(timezone('Asia/Jakarta', ts) AS DATE))
        FROM t
        """).fetchone()
    assert rows[0] > 5_000_000
    assert rows[1] == 0
    edges = con.execute(
        "SELECT core.wib_day(TIMESTAMPTZ '2025-04-29 16:59:59.999999+00'), "
        "core.wib_day(TIMESTAMPTZ '2025-04-29 17:00:00+00'), "
        "core.wib_day(CAST(NULL AS TIMESTAMPTZ))").fetchone()
    assert [str(d) if d else d for d in edges] == ["2025-04-29", "2025-04-30", None]
