"""The nightly flow: every configured source, region and year, landed, built and published.

Deployed by prefect.yaml as ``nightly`` (02:00 Asia/Jakarta). The steps are plain functions in
``flows/steps.py``; here they become Prefect tasks run by the configured task runner, and the
run's summary becomes a Prefect markdown artifact.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pantau.flows import inspectorate_steps, steps
from pantau.flows.config import Config, ConfigError, load_config
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner


class RunFailedError(RuntimeError):
    """Some datasets could not be fetched; the others landed. The message names them."""

    def __init__(self, failed: list[tuple[str, str]]) -> None:
        names = "; ".join(f"{label} ({reason})" for label, reason in failed)
        super().__init__(f"{len(failed)} failed: {names}")
        self.failed = failed  # (what, one-line reason)


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:  # noqa: ANN401
    """on_failure / on_crashed hook: tell the alert channels, once per flow run (issue 6)."""
    try:
        cfg = load_config((flow_run.parameters or {}).get("config_path"))
        results = inspectorate_steps.notify_run_failure(
            cfg, run_key=f"{flow.name}:{flow_run.id}", name=f"{flow.name} {flow_run.name}",
            state=str(state.name), reason=str(state.message or state.name),
            started_at=flow_run.start_time)
        get_run_logger().info("run-failure alert: %s", "; ".join(results))
    except Exception as exc:  # a hook must not hide the run's own failure
        logging.getLogger("pantau.alerts").warning("run-failure alert failed: %s",
                                                   type(exc).__name__)


def _group_name() -> str:
    jobs = task_run.parameters["jobs"]
    first = jobs[0]
    year = f" {first.year}" if first.year else ""
    return f"extract {first.source} {first.scope}{year} ({len(jobs)} datasets)"


@task(name="extract", cache_policy=NO_CACHE, task_run_name=_group_name)
def extract_task(jobs: tuple[steps.Job, ...], cfg: Config) -> list[steps.Outcome]:
    return steps.extract_group(jobs, cfg)


def task_runner(cfg: Config) -> TaskRunner:
    """[run] task_runner: "threads" (default: max_workers threads in this process) or "dask"
    (prefect-dask, the optional ``dask`` extra): dask_address = "tcp://host:8786" sends the
    fetches to a running Dask cluster; without it a local cluster of dask_workers processes
    starts with the flow. Landing and building stay in the flow's process (one writer)."""
    run = cfg.run
    if run.task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=run.max_workers)
    try:
        from prefect_dask import DaskTaskRunner  # noqa: PLC0415 - optional extra
    except ImportError:
        raise ConfigError('[run] task_runner = "dask" needs prefect-dask: '
                          'pip install "pantau[dask]"') from None
    if run.dask_address:
        return DaskTaskRunner(address=run.dask_address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": run.dask_workers, "threads_per_worker": run.max_workers,
        "processes": True, "dashboard_address": None,
    })


@flow(name="nightly", log_prints=False, on_failure=[notify_failure],
      on_crashed=[notify_failure])
def nightly(
    config_path: str | None = None,
    regions: list[str] | None = None,
    years: list[int] | None = None,
    run_date: date | None = None,
    accept_shrink: list[str] | None = None,
    rebuild: bool = False,
) -> steps.RunSummary:
    cfg = load_config(config_path)
    logger = get_run_logger()
    summary = steps.run_night(cfg, extract_task.submit, only_regions=regions, years=years,
                              run_date=run_date, accept_shrink=tuple(accept_shrink or ()),
                              rebuild=rebuild)
    report = summary.markdown()
    print(report)
    create_markdown_artifact(report, key="nightly-summary", description="pantau nightly run")
    logger.info("landed %d datasets, %d failed", len(summary.landed), len(summary.failed))
    if not summary.ok:
        raise RunFailedError(summary.failed)
    return summary
