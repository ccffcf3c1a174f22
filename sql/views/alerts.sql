-- view alerts: every alert pantau raised, with what was delivered where.
-- Why: staff see what the alert channels were told and what has not reached a channel yet.
-- Source: ops.alert_outbox (written in the transaction of the change that caused the alert) and ops.alert_deliveries (one row per alert and channel).
-- Channels are named by their scheme and a hash of their URL: the URLs carry tokens and are
-- never stored.
-- column key: the alert's deterministic key (the same change always gives the same key, so it is raised once)
-- column rule: inspectorate_status, risky_process, metric_worsened, run_failed, case_overdue (a follow-up case past its deadline)
-- column subject: what the alert is about (register and inspectorate, process, metric, run)
-- column region: where, in words
-- column happened_on: since when (the day a status was observed, a process announced, a snapshot taken)
-- column evidence_url: the link to the evidence
-- column language: id (Bahasa Indonesia) or en
-- column title: the message's title
-- column message: the message as sent
-- column created_at: when the alert was raised, WIB
-- column run_id: the run that raised it
-- column channels_sent: channels it reached
-- column channels_failed: channels that failed at the last attempt (retried by the next run)
-- column attempts: delivery attempts over all channels
-- column last_error: the last delivery error (secrets redacted)
-- depends: ops.alert_deliveries, ops.alert_outbox
CREATE OR REPLACE VIEW main.alerts AS
SELECT o.key, o.rule, o.subject, o.region, o.happened_on, o.evidence_url, o.language,
    o.title, o.message, timezone('Asia/Jakarta', o.created_at) AS created_at, o.run_id,
    coalesce(list(d.channel ORDER BY d.channel) FILTER (WHERE d.status = 'sent'), [])
        AS channels_sent,
    coalesce(list(d.channel ORDER BY d.channel) FILTER (WHERE d.status = 'failed'), [])
        AS channels_failed,
    coalesce(sum(d.attempts), 0) AS attempts,
    arg_max(d.error, d.last_attempt_at) FILTER (WHERE d.status = 'failed') AS last_error
FROM ops.alert_outbox o
LEFT JOIN ops.alert_deliveries d ON d.alert_key = o.key
GROUP BY ALL
ORDER BY created_at DESC, o.key;
