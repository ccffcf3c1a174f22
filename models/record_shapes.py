"""A raw record's shape: its keys and which of them it fills, read once when it lands (issue 18).

``core.field_coverage`` (sql/indicators/970_field_coverage.sql) counts the records of each
source dataset that fill each field. Reading the keys of every payload of raw at each build was
the dearest step of the indicator stage (12 s of 22 s at 1M processes, for a few hundred
distinct shapes), so the loader reads a content's shape when it lands: each raw row holds the
md5 of its shape (``shape``) and ``raw.record_shapes`` each distinct shape once; the coverage
counts rows by shape. A field is filled when it is not null and not an empty string, array or
object, as OCP Cardinal's coverage counts it (json_extract writes values minified, so an empty
value has one spelling).
"""

from __future__ import annotations

import duckdb

_EMPTY = "('null', '\"\"', '[]', '{}')"


def _keys(payload: str) -> str:
    return f"json_keys({payload})"


def _filled(payload: str) -> str:
    # '$.*' gives the values in the order of json_keys: one read for all fields, not one a field
    return (f"list_transform(json_extract({payload}, '$.*'), "
            f"lambda v: CAST(v AS VARCHAR) NOT IN {_EMPTY})")


def shape(payload: str) -> str:
    """SQL: the shape id of the JSON record that the expression ``payload`` holds."""
    return f"md5(to_json({{'keys': {_keys(payload)}, 'filled': {_filled(payload)}}}))"


def known(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The shapes ``raw.record_shapes`` holds: a landing with none new skips ``add``."""
    return {shape for (shape,) in con.execute("SELECT shape FROM raw.record_shapes").fetchall()}


def add(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Write the shapes of ``relation``'s rows (its ``shape`` and ``payload``) that
    ``raw.record_shapes`` lacks: one payload of each is read again."""
    con.execute(
        f"""
        INSERT INTO raw.record_shapes (shape, keys, filled)
        SELECT shape, to_json({_keys("payload")}), to_json({_filled("payload")})
        FROM (SELECT shape, any_value(payload) AS payload FROM {relation}
              WHERE shape IS NOT NULL AND shape NOT IN (SELECT shape FROM raw.record_shapes)
              GROUP BY shape)
        """)
