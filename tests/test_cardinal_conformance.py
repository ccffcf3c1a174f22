"""Cardinal conformance: every case of Cardinal's own indicator test suite, exactly.

Cases: ../shared/data/cardinal-fixtures (open-contracting/cardinal-rs tests/fixtures/indicators,
MIT). Settings come from the file name as Cardinal's build.rs derives them, plus the two global
settings every Cardinal test sets (../shared/indicators.md §1.5); results are compared with the
`.expected` file as dicts with exactly equal floats, without Meta.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import pytest
from pantau.models import cardinal

from pantau.commands import indicators as indicators_command

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "data" / "cardinal-fixtures"
CASES = sorted(p.stem for p in FIXTURES.glob("*.jsonl")) if FIXTURES.is_dir() else []

pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason=f"Cardinal fixtures not found at {FIXTURES} (../shared missing)"
)


def settings_ini(stem: str) -> str:
    """The INI Cardinal's build.rs would build for this fixture name."""
    parts = stem.replace("+", "|").split("-")
    code, rest = parts[0], parts[1:]
    lines = [
        "no_price_comparison_procurement_methods = NPC",
        "[exclusions]",
        "procurement_method_details = EXC",
        f"[{code}]",
    ]
    if len(rest) == 2:
        lines.append(f"{rest[0]} = {rest[1]}")
    elif len(rest) > 2:
        lines.append(f"[{code}.{rest[0]}]")
        pairs = rest[1:]
        lines.extend(f"{k} = {int(v)}" for k, v in zip(pairs[::2], pairs[1::2], strict=True))
    return "\n".join(lines) + "\n"


def run_cli(argv: list[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    indicators_command.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = args.func(args)
    return code, out.getvalue()


def test_all_fifteen_cases_are_present():
    assert len(CASES) == 15


@pytest.mark.parametrize("stem", CASES)
def test_conformance(stem: str, tmp_path: Path):
    settings = tmp_path / "settings.ini"
    settings.write_text(settings_ini(stem), encoding="utf-8")
    code, out = run_cli(
        ["indicators", str(FIXTURES / f"{stem}.jsonl"), "--settings", str(settings), "--no-meta"]
    )
    assert code == 0
    expected = json.loads((FIXTURES / f"{stem}.expected").read_text(encoding="utf-8"))
    assert json.loads(out) == expected


def test_meta_matches_cardinal_documented_example():
    # docs/cli/indicators/index.md: R024 Meta q1 = 66.6667, q3 = 100, lower_fence = 16.6667.
    lines = (FIXTURES / "R024.jsonl").read_bytes().splitlines()
    settings = cardinal.parse_settings(settings_ini("R024"))
    result = cardinal.indicators(lines, settings)
    assert result["Meta"]["R024"] == {"q1": 66.6667, "q3": 100.0, "lower_fence": 16.6667}


def test_unknown_setting_is_an_error(tmp_path: Path):
    with pytest.raises(cardinal.SettingsError, match="unknown key"):
        cardinal.parse_settings("[R024]\nthreshhold = 0.1\n")
    with pytest.raises(cardinal.SettingsError, match="unknown section"):
        cardinal.parse_settings("[R999]\n")


def test_invalid_and_blank_lines_are_skipped():
    lines = [
        b'{"ocid":"a","tender":{"numberOfTenderers":1,"procurementMethod":"open"}}',
        b"",
        b"{not json",
        b'{"ocid":"b","tender":{"numberOfTenderers":1,"procurementMethod":"open"}}',
    ]
    result = cardinal.indicators(lines, cardinal.parse_settings("[R018]\n"), meta=False)
    assert result == {"OCID": {"a": {"R018": 1.0}, "b": {"R018": 1.0}}}


def test_nightly_settings_from_config_table():
    con = __import__("duckdb").connect()
    settings = cardinal.configure(
        con,
        {
            "cardinal": {
                "currency": "IDR",
                "R003": {"threshold": 7, "procurement_method_details": {"x": 3}},
            }
        },
    )
    # A nightly table overrides: setting R003's threshold keeps the other ten running ...
    assert settings.enabled == set(cardinal.INDICATORS)
    assert con.execute(
        "SELECT getvariable('cardinal_r003_threshold'), getvariable('cardinal_currency')"
    ).fetchone() == (7, "IDR")
    assert cardinal.configure(con, {}).enabled == set(cardinal.INDICATORS)
    assert con.execute("SELECT getvariable('cardinal_r003_threshold')").fetchone() == (None,)
    # ... and `enabled` chooses which run; an unknown name is an error, not ignored.
    assert cardinal.configure(con, {"cardinal": {"enabled": ["R018"]}}).enabled == {"R018"}
    with pytest.raises(cardinal.SettingsError, match="R999"):
        cardinal.configure(con, {"cardinal": {"enabled": ["R999"]}})
