"""The wheel carries everything pantau needs: built from a clean clone, installed into a fresh
virtual environment, run from a directory outside any checkout.

The fresh environment gets the wheel alone (``--no-deps``); its dependencies come from this test
environment's site-packages through a ``.pth`` line, which adds that folder to ``sys.path`` without
running its ``.pth`` files, so the checkout's editable install stays invisible: every ``pantau``
module, SQL file, register and default the commands use must come from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.prefect


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the wheel is built from a clean clone of it")
    clone = tmp / "clone"
    _run(["git", "clone", "-q", str(ROOT), str(clone)], tmp)
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "-w", str(dist), str(clone)], tmp)
    wheel = next(dist.glob("pantau-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     tmp).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          str(wheel)], tmp)
    return venv


def test_wheel_holds_one_package_with_its_data(installed: Path) -> None:
    wheel = next((installed.parent / "dist").glob("pantau-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("pantau-")}
    assert tops == {"pantau"}
    sql = {n for n in names if n.endswith(".sql")}
    assert len(sql) == len(list((ROOT / "sql").rglob("*.sql")))
    assert "pantau/registers/inspectorates.csv" in names
    # every module of every folder the namespace maps (an explicit package list forgets some)
    folders = {"pantau": "pantau", "connectors": "pantau/connectors", "models": "pantau/models",
               "flows": "pantau/flows", "sql": "pantau/sql", "registers": "pantau/registers"}
    for folder, package in folders.items():
        for module in (ROOT / folder).rglob("*.py"):
            inside = module.relative_to(ROOT / folder).as_posix()
            if folder == "pantau" and inside.split("/")[0] in folders:
                continue
            assert f"{package}/{inside}" in names, inside


def test_demo_and_explain_from_the_installed_wheel(installed: Path,
                                                  tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANTAU_", "PREFECT_"))}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
            "PYTHONDONTWRITEBYTECODE": "1"}
    pantau = str(installed / "bin" / "pantau")
    located = _run([str(installed / "bin" / "python"), "-c",
                    "import pantau, pantau.sql; print(pantau.__file__, pantau.sql.SQL_DIR)"],
                   elsewhere, env).stdout
    assert str(ROOT) not in located
    demo = _run([pantau, "demo"], elsewhere, env)
    assert "tenders" in demo.stdout
    config = next(elsewhere.glob("var/demo*/pantau.toml"))
    explained = _run([pantau, "explain", "R003", "--config", str(config)], elsewhere, env)
    assert "R003" in explained.stdout
