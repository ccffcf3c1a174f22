"""`pantau schedule` runs a scheduled night end to end against the simulator and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pantau.commands.demo import write_demo_files
from pantau.simulator.server import Simulator
from pantau.simulator.world import World

pytestmark = pytest.mark.prefect

PANTAU = str(Path(sys.executable).parent / "pantau")


def _wait_for(path: Path, pattern: str, proc: subprocess.Popen[bytes], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = path.read_text(encoding="utf-8", errors="replace")
        if re.search(pattern, out):
            return out
        assert proc.poll() is None, out[-3000:]
        time.sleep(1)
    pytest.fail(f"{pattern!r} not seen within {seconds} s:\n{path.read_text()[-3000:]}")


def test_schedule_runs_the_night_on_its_schedule_and_stops(tmp_path: Path) -> None:
    home = tmp_path / "prefect-home"
    with Simulator(World(seed=3)) as sim:
        config, secrets = write_demo_files(tmp_path / "var", sim.url)
        env = {**os.environ, "PANTAU_SECRETS": str(secrets), "PREFECT_HOME": str(home),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               # Prefect's scheduler looks for due runs every 60 s by default; a test need not wait
               "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
               "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
        env.pop("PREFECT_API_URL", None)
        log = tmp_path / "schedule.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [PANTAU, "schedule", "--config", str(config), "--nightly", "* * * * *",
                 "--log-dir", str(tmp_path / "logs")],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            _wait_for(log, r"Flow run '[\w-]+' - Finished in state Completed", proc, 420)
            # Ctrl-C in the middle of the next night stops it too (it used to be swallowed)
            _wait_for(log, r"(?s)Finished in state Completed.*Beginning flow run", proc, 120)
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=120)
        output = log.read_text(encoding="utf-8", errors="replace")
    assert code == 0, output[-3000:]
    assert "stopped" in output
    analyst = tmp_path / "var" / "demo-analyst.duckdb"
    with duckdb.connect(str(analyst), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM tenders").fetchone()[0] > 0
    with sqlite3.connect(home / "prefect.db") as db:
        deployments = dict(db.execute("SELECT name, paused FROM deployment").fetchall())
        completed = db.execute(
            "SELECT count(*) FROM flow_run r JOIN deployment d ON r.deployment_id = d.id "
            "WHERE d.name = 'nightly' AND r.state_type = 'COMPLETED'").fetchone()[0]
    assert deployments == {"nightly": 0, "inspectorates": 0}  # not paused on shutdown
    assert completed >= 1
    # the server went with it: nothing listens on its port any more
    server_log = (tmp_path / "logs" / "prefect-server.log").read_text(errors="replace")
    port = int(re.search(r"127\.0\.0\.1:(\d+)/api", server_log).group(1))
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass


@pytest.mark.parametrize(("option", "value", "reason"), [
    ("--nightly", "61 * * * *", "[schedule] nightly: not a cron"),
    ("--timezone", "Asia/Semarang", "[schedule] timezone: unknown time zone"),
])
def test_a_bad_schedule_is_a_one_line_error_before_any_server_starts(
        tmp_path: Path, option: str, value: str, reason: str) -> None:
    done = subprocess.run([PANTAU, "schedule", option, value, "--log-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"pantau: {reason}")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "prefect-server.log").exists()
