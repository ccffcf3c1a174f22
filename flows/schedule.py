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
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from pydantic import Field

log = logging.getLogger("pantau.schedule")

SERVER_START_SECONDS = 240  # a first start migrates the store; slow disks take minutes


class ScheduleError(RuntimeError):
    """The local Prefect server would not start; the message says where its log is."""


@dataclass(frozen=True)
class Schedules:
    """``[schedule]``: when `pantau schedule` runs each flow (cron, in ``timezone``)."""

    nightly: Annotated[str, Field(description=(
        "The nightly run: every source fetched, landed, built and published."))] = "0 2 * * *"
    inspectorates: Annotated[str, Field(description=(
        "The inspectorate registers, alert rules and delivery (a change reaches staff within "
        "hours, not the next night)."))] = "0 */6 * * *"
    timezone: Annotated[str, Field(description="The time zone of both crons.")] = "Asia/Jakarta"


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
    """Run until interrupted (Ctrl-C, or SIGTERM as a service manager stops it): both flows on
    their schedules."""
    # Imported here: Prefect is slow to import, and only this command needs its server.
    from pantau.flows.inspectorates import inspectorates  # noqa: PLC0415
    from pantau.flows.nightly import nightly  # noqa: PLC0415
    from prefect import serve as prefect_serve  # noqa: PLC0415
    from prefect.deployments.runner import EntrypointType  # noqa: PLC0415
    from prefect.schedules import Cron  # noqa: PLC0415
    from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415

    try:
        ZoneInfo(schedules.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"[schedule] timezone: unknown time zone {schedules.timezone!r}, "
                            'e.g. "Asia/Jakarta"') from None
    crons = []
    for flow, key in ((nightly, "nightly"), (inspectorates, "inspectorates")):
        try:  # a typo in a cron fails now, not after the server has started
            crons.append((flow, Cron(getattr(schedules, key), timezone=schedules.timezone)))
        except ValueError as exc:
            raise ScheduleError(f"[schedule] {key}: not a cron in {schedules.timezone}: "
                                f"{getattr(schedules, key)!r} ({type(exc).__name__})") from None
    params = {"config_path": str(config_path.resolve())} if config_path else {}
    # Both signals raise KeyboardInterrupt where the main thread is. Left to itself, SIGINT
    # under asyncio.run only cancels the runner's main task, and a cancellation that lands
    # while a flow run ends is swallowed: Ctrl-C was then ignored and the nights went on.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    with local_server(log_dir) as url, temporary_settings({PREFECT_API_URL: url}):
        deployments = [
            flow.to_deployment(name=flow.name, schedule=cron, parameters=params,
                               concurrency_limit=1, entrypoint_type=EntrypointType.MODULE_PATH)
            for flow, cron in crons
        ]
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt
