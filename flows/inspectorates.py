"""The inspectorate flow: registers, alert rules and delivery, every 6 hours.

Deployed by prefect.yaml as ``inspectorates``. The nightly flow does the same work as part of its
run; this one exists so that a change in a register (say, Kota Semarang's inspectorate joining
e-pengaduan PBJ) reaches the channels within hours, not the next night, and so that an alert a
channel missed is retried. The steps are plain functions in ``flows/inspectorate_steps.py``.
"""

from __future__ import annotations

from datetime import date

from pantau.flows import inspectorate_steps
from pantau.flows.config import load_config
from pantau.flows.nightly import RunFailedError, notify_failure
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact


@flow(name="inspectorates", log_prints=False, on_failure=[notify_failure],
      on_crashed=[notify_failure])
def inspectorates(config_path: str | None = None,
                  run_date: date | None = None) -> inspectorate_steps.CycleSummary:
    cfg = load_config(config_path)
    logger = get_run_logger()
    summary = inspectorate_steps.run_inspectorates(cfg, run_date=run_date)
    report = summary.markdown()
    print(report)  # the summary is for the person who ran it, too
    create_markdown_artifact(report, key="inspectorates-summary",
                             description="pantau inspectorate registers and alerts")
    logger.info("%d new alert(s)", len(summary.new_alerts))
    if not summary.ok:
        raise RunFailedError(summary.failed)
    return summary
