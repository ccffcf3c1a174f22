"""Alerts in one place: messages, rules, the outbox, channels and delivery.

Flows only call these: the nightly run and the 6-hourly inspectorate flow put what the rules
find into the outbox and deliver what it still owes; ``pantau alerts`` lists and tests.
"""

from __future__ import annotations

from pantau.models.alerts.delivery import (
    AppriseSender,
    DeliveryReport,
    Sender,
    channel_secrets,
    channels,
    deliver,
    redactor,
    send_test,
)
from pantau.models.alerts.messages import JAKARTA, LANGUAGES, Alert, run_failed_alert, text
from pantau.models.alerts.outbox import channel_id, pending, put, record_delivery
from pantau.models.alerts.rules import (
    AlertSettings,
    ChangeRule,
    MetricRule,
    ProcessRule,
    Watch,
    change_alerts,
    inspectorate_alerts,
    metric_alerts,
    process_alerts,
    quality_alerts,
)

__all__ = [
    "JAKARTA",
    "LANGUAGES",
    "Alert",
    "AlertSettings",
    "AppriseSender",
    "ChangeRule",
    "DeliveryReport",
    "MetricRule",
    "ProcessRule",
    "Sender",
    "Watch",
    "change_alerts",
    "channel_id",
    "channel_secrets",
    "channels",
    "deliver",
    "inspectorate_alerts",
    "metric_alerts",
    "pending",
    "process_alerts",
    "put",
    "quality_alerts",
    "record_delivery",
    "redactor",
    "run_failed_alert",
    "send_test",
    "text",
]
