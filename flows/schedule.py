"""Both deployments on their schedules, in one long-running process (`pantau schedule`).

Prefect's temporary API runs no scheduler (STACK-NOTES.md), so a schedule needs a real Prefect
server. Rather than ask a small NGO to keep a server, a work pool and a worker alive, this starts
``prefect server start`` on a free loopback port itself (its store in the Prefect home), waits
for its health check, and serves the nightly and inspectorates deployments from this process:
one run at a time per flow, schedules left active when the process stops (a restart resumes
them), the server stopped with it. People who already run a Prefect server keep using
prefect.yaml (``prefect deploy --all`` and a worker).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

log = logging.getLogger("pantau.schedule")

SERVER_START_SECONDS = 240  # a first start migrates the store; slow disks take minutes


class ScheduleError(RuntimeError):
    """The local Prefect server would not start; the message says where its log is."""


@dataclass(frozen=True)
class Schedules:
    nightly: str = "0 2 * * *"  # cron: 02:00, after the day's announcements
    inspectorates: str = "0 */6 * * *"  # cron: a register change reaches staff within hours
    timezone: str = "Asia/Jakarta"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prefect_cli() -> str:
    beside = Path(sys.executable).parent / "prefect"  # the venv's, even when not on PATH
    return str(beside) if beside.exists() else "prefect"


@contextmanager
def local_server(log_dir: Path, *, port: int | None = None) -> Iterator[str]:
    """A ``prefect server start`` of our own on loopback; yields its API URL."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_dir.mkdir(parents=True, exist_ok=True)
    server_log = log_dir / "prefect-server.log"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    with server_log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own venv's prefect, fixed arguments
            [_prefect_cli(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True)
    try:
        _wait_healthy(url, proc, server_log)
        log.info("local Prefect server at %s (log: %s)", url, server_log)
        yield url
    finally:
        _stop(proc)


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], server_log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ScheduleError(f"the local Prefect server exited ({proc.returncode}); "
                                f"see {server_log}")
        try:
            if requests.get(f"{url}/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    _stop(proc)
    raise ScheduleError(f"the local Prefect server did not answer within "
                        f"{SERVER_START_SECONDS} s; see {server_log}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)  # the server's own workers too
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def serve(config_path: Path | None, schedules: Schedules, log_dir: Path) -> None:
    """Run until interrupted (Ctrl-C, SIGTERM): both flows on their schedules."""
    with local_server(log_dir) as url:
        # Imported here: Prefect reads its settings at import, and the flows import it.
        from pantau.flows.inspectorates import inspectorates  # noqa: PLC0415
        from pantau.flows.nightly import nightly  # noqa: PLC0415
        from prefect import serve as prefect_serve  # noqa: PLC0415
        from prefect.deployments.runner import EntrypointType  # noqa: PLC0415
        from prefect.schedules import Cron  # noqa: PLC0415
        from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415

        params = {"config_path": str(config_path.resolve())} if config_path else {}
        with temporary_settings({PREFECT_API_URL: url}):
            deployments = [
                flow.to_deployment(
                    name=flow.name, schedule=Cron(cron, timezone=schedules.timezone),
                    parameters=params, concurrency_limit=1,
                    entrypoint_type=EntrypointType.MODULE_PATH)
                for flow, cron in ((nightly, schedules.nightly),
                                   (inspectorates, schedules.inspectorates))
            ]
            prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)
