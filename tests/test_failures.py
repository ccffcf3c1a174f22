"""A failed night reads as sentences: one line per failed dataset, no traceback without -v, the
detail in the log file the message names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pantau.connectors import inaproc

from pantau.cli import main
from pantau.commands.demo import DEMO_TOKEN, write_demo_files
from pantau.simulator.inaproc import Grant
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

PANTAU = str(Path(sys.executable).parent / "pantau")


@pytest.mark.prefect
def test_a_failed_night_prints_sentences_and_logs_the_traceback(tmp_path: Path) -> None:
    # The demo's token is not granted one dataset: it fails for every region, the rest lands.
    granted = Grant(apis=frozenset(inaproc.BY_PATH) - {"tender/pengumuman"})
    with Simulator(World(seed=2), inaproc_tokens={DEMO_TOKEN: granted}) as sim:
        config, secrets = write_demo_files(tmp_path / "var", sim.url)
        env = {**os.environ, "PANTAU_SECRETS": str(secrets),
               "PREFECT_HOME": str(tmp_path / "prefect")}
        done = subprocess.run([PANTAU, "run", "--config", str(config)], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=600, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("pantau: the night ran, but 2 dataset(s) failed"))
    failed = lines[start + 1:start + 3]
    assert all(line.strip().startswith("inaproc/tender/pengumuman ") for line in failed)
    assert all("HTTP 403" in line and "not granted" in line for line in failed)
    named = lines[start + 3].split("the full log is ", 1)[1]
    log = Path(named)
    assert log.parent == tmp_path / "var" / "logs"
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert "# pantau nightly run" in done.stdout  # the summary still goes to the terminal
    # progress, as plain lines since stderr is no terminal here: every stage of the night
    for stage in ("pantau: fetching 0/", "pantau: building", "pantau: publishing"):
        assert stage in done.stderr


def test_an_unexpected_failure_is_one_sentence_naming_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PANTAU_CONFIG", raising=False)
    code = main(["simulate", "--port", "99999"])  # the socket layer refuses: not a user error
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("pantau: simulate failed: OverflowError: ")
    log = tmp_path / "var" / "logs"
    assert str(log) in err
    (written,) = log.glob("pantau-*.log")
    assert "Traceback" in written.read_text(encoding="utf-8")
