"""`pantau doctor` passes on the demo's config and fails, naming the fix, for each thing a new
operator gets wrong: a misspelt key, a wrong SPSE slug, an unreachable source, a secrets file
inside a repository (and one every user can read)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pantau.connectors import inaproc

from pantau.cli import main
from pantau.commands.demo import write_demo_files
from pantau.simulator.server import Simulator
from pantau.simulator.world import World


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(World(seed=5)) as running:
        yield running


@pytest.fixture
def demo(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    config, secrets = write_demo_files(tmp_path / "var", sim.url)
    monkeypatch.setenv("PANTAU_SECRETS", str(secrets))
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    return config, secrets


def doctor(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["doctor", "--config", str(config)])
    return code, capsys.readouterr().out.splitlines()


def failures(lines: list[str]) -> dict[str, str]:
    """check -> 'verdict || fix' of every FAIL line."""
    out = {}
    for i, line in enumerate(lines):
        if line.startswith("FAIL"):
            check, verdict = line[6:].split("  ", 1)
            fix = lines[i + 1].strip() if i + 1 < len(lines) else ""
            out[check.strip()] = f"{verdict.strip()} || {fix}"
    return out


def test_the_demo_config_passes(demo: tuple[Path, Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(demo[0], capsys)
    assert code == 0, "\n".join(lines)
    assert failures(lines) == {}
    checks = [line[6:].split("  ", 1)[0].strip() for line in lines if line.startswith("ok")]
    assert {"config", "secrets file", "source inaproc", "warehouse", "prefect home"} <= set(checks)
    assert lines[-1].endswith("checks passed.")
    verdicts = {line[6:].split("  ", 1)[0].strip(): line[6:].split("  ", 1)[1].strip()
                for line in lines if line.startswith("ok")}
    assert verdicts["source inaproc"] == (
        f"the token is accepted and granted all {len(inaproc.DATASETS)} dataset(s)")
    for region in World(seed=5).regions[1:]:  # the demo's regions: Jawa Tengah, Kota Semarang
        assert verdicts[f"codes {region.nama_klpd}"] == (
            f"kd_klpd {region.kd_klpd} agrees with LKPP's satker list")


def test_a_missing_inaproc_token(demo: tuple[Path, Path],
                                 capsys: pytest.CaptureFixture[str]) -> None:
    demo[1].write_text("[isb.datasets]\n", encoding="utf-8")  # the secrets, without a token
    code, lines = doctor(demo[0], capsys)
    assert code == 1
    assert failures(lines)["source inaproc"] == (
        "no INAPROC token: set [inaproc] token in the secrets file || fix: get one in the "
        'Developer Portal and set [inaproc] token = "..." in the secrets file (docs/inaproc.md)')


def test_a_kd_klpd_the_satker_list_names_otherwise(demo: tuple[Path, Path], sim: Simulator,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = demo[0]
    config.write_text(config.read_text(encoding="utf-8").replace(
        'name = "Kota Semarang"', 'name = "Kota Atlantis"'), encoding="utf-8")
    code, lines = doctor(config, capsys)
    assert code == 1
    semarang = next(r for r in sim.world.regions if r.nama_klpd == "Kota Semarang")
    assert failures(lines)["codes Kota Atlantis"] == (
        f"Kota Atlantis has kd_klpd {semarang.kd_klpd}, which LKPP's satker list names "
        "'Kota Semarang': check the code || fix: check kd_klpd of Kota Atlantis (or its name)")


def test_a_misspelt_key(demo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config = demo[0]
    config.write_text(config.read_text(encoding="utf-8") + "\n[run]\nmax_worker = 2\n",
                      encoding="utf-8")
    code, lines = doctor(config, capsys)
    assert code == 1
    assert failures(lines)["config"] == (
        "config: unknown key 'max_worker' in [run] || "
        "fix: correct the section and key named (docs/configuration.md lists every key)")


def test_a_wrong_spse_slug(demo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    config = demo[0]  # the demo scrapes the simulator's SPSE portal
    assert "[sources.spse]" in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + (
        '\n[[regions]]\nname = "Kota Nowhere"\nspse_slug = "nowherekota"\n'), encoding="utf-8")
    code, lines = doctor(config, capsys)
    assert code == 1
    failed = failures(lines)
    assert "SPSE slug 'nowherekota' not found" in failed["source spse nowherekota"]
    assert "fix: set spse_slug of Kota Nowhere" in failed["source spse nowherekota"]


def test_an_unreachable_source(demo: tuple[Path, Path],
                               capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens once the socket is closed
    config = demo[0]
    text = config.read_text(encoding="utf-8")
    start = text.index("base_url = ")
    end = text.index("\n", start)
    text = text[:start] + f'base_url = "http://127.0.0.1:{closed}/api"' + text[end:]
    config.write_text(text.replace("[http]\n", "[http]\nmax_attempts = 1\n"), encoding="utf-8")
    code, lines = doctor(config, capsys)
    assert code == 1
    failed = failures(lines)["source inaproc"]
    assert failed.startswith("unreachable: ")
    assert failed.endswith("fix: check this machine's network (proxy, DNS) and the source's "
                           "base_url")


def test_a_secrets_file_inside_a_repository(demo: tuple[Path, Path], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    inside = repo / "secrets.toml"
    inside.write_bytes(demo[1].read_bytes())
    inside.chmod(0o600)
    monkeypatch.setenv("PANTAU_SECRETS", str(inside))
    code, lines = doctor(demo[0], capsys)
    assert code == 1
    failed = failures(lines)["secrets file"]
    assert f"is inside the repository {repo}" in failed
    assert "fix: move it outside any checkout" in failed


def test_a_secrets_file_every_user_can_read(demo: tuple[Path, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    demo[1].chmod(0o644)
    code, lines = doctor(demo[0], capsys)
    assert code == 1
    assert failures(lines)["secrets file"].endswith(f"fix: chmod 600 {demo[1].resolve()}")
