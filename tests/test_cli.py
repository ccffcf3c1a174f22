"""The `pantau` command line: help everywhere, one-line errors, the demo end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pantau.cli import build_parser, main
from pantau.commands.demo import DEMO_TOKEN

ROOT = Path(__file__).resolve().parents[1]


def pantau(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pantau.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"demo", "run", "simulate", "sql", "regions"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        assert name in capsys.readouterr().out


def test_bad_config_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "pantau.toml"
    bad.write_text("[run]\nyears = []\n", encoding="utf-8")
    assert main(["--config", str(bad), "regions"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("pantau: config: [run] years must list at least one budget year, "
                   "e.g. years = [2025]")
    assert main(["--config", str(tmp_path / "missing.toml"), "regions"]) == 1
    assert "config file not found" in capsys.readouterr().err


def test_unknown_config_section_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "pantau.toml"
    cfg.write_text("[run]\nyears = [2025]\n[sourcez]\n", encoding="utf-8")
    assert main(["--config", str(cfg), "regions"]) == 1
    assert capsys.readouterr().err.strip() == "pantau: config: unknown section [sourcez]"


def test_config_and_verbose_before_or_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pantau --config F regions` and `pantau regions --config F` read the same file; so does
    -v in either place."""
    cfg = tmp_path / "pantau.toml"
    cfg.write_text('[[regions]]\nname = "Kabupaten Wonosobo"\nkd_klpd = "D333"\n',
                   encoding="utf-8")
    outputs = []
    for argv in (["--config", str(cfg), "regions"], ["regions", "--config", str(cfg)],
                 ["-v", "regions", "--config", str(cfg)], ["regions", "-v", "--config", str(cfg)]):
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out)
    assert "Kabupaten Wonosobo" in outputs[0]
    assert "Provinsi Jawa Tengah" not in outputs[0]  # [[regions]] replace the defaults' regions
    assert outputs == [outputs[0]] * 4
    parser = build_parser()
    for argv in (["-v", "run"], ["run", "-v"], ["run", "--verbose"]):
        assert parser.parse_args(argv).verbose is True
    assert parser.parse_args(["run"]).verbose is False
    args = parser.parse_args(["--config", "a.toml", "run"])
    assert args.config == "a.toml"  # not reset by the command's own (absent) option
    assert parser.parse_args(["run", "--config", "b.toml"]).config == "b.toml"
    assert parser.parse_args(["run"]).config is None
    assert main(["run", "--config", str(tmp_path / "missing.toml")]) == 1
    assert "config file not found" in capsys.readouterr().err


@pytest.mark.prefect
def test_demo_runs_the_real_flow_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"  # a Prefect store of this run only, scanned below
    result = pantau("demo", "--dir", str(tmp_path / "var"), env={"PREFECT_HOME": str(home)})
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "# pantau nightly run" in out
    assert "all datasets landed" in out
    assert "Finished tenders that drew a single bid" in out
    # every kind of source landed in the one night: the gateway, the portal, OCDS, a register
    landed = out[out.index("What landed from each source"):out.index("## Tenders per")]
    for source in ("inaproc", "spse", "ocds", "inspectorates"):
        row = next(line for line in landed.splitlines() if f" {source} " in line)
        assert int(row.split("│")[3]) > 0, row  # records
        assert int(row.split("│")[5]) == 0, row  # failed
    assert "pantau serve" in out
    assert "pantau report" in out
    analyst = tmp_path / "var" / "demo-analyst.duckdb"
    assert analyst.is_file()
    secrets = (tmp_path / "var" / "demo" / "secrets.toml").read_text(encoding="utf-8")
    assert DEMO_TOKEN in secrets  # the made-up INAPROC token is in the secrets file ...
    assert DEMO_TOKEN not in out + result.stderr  # ... and nowhere else
    assert DEMO_TOKEN.encode() not in analyst.read_bytes()
    assert DEMO_TOKEN.encode() not in (tmp_path / "var" / "demo.duckdb").read_bytes()
    # Prefect's own store (flow and task runs, logs, the summary artifact) holds no key either.
    prefect_files = [p for p in home.rglob("*") if p.is_file()]
    assert prefect_files
    assert not [p for p in prefect_files if DEMO_TOKEN.encode() in p.read_bytes()]
