-- view changes: one row per observed change of a watched field of a process, and per process that vanished from its source or came back.
-- Why: sources overwrite their packages (HPS raised after the announcement, the schedule moved, the winner or contract value changed, a package deleted from the portal); the change is often the story, and pantau keeps every version to show it.
-- Source: core.changes (sql/core/800_history.sql), from the versions in raw.versions and raw.version_events.
-- column source: where the process comes from (isb, ...)
-- column kind: tender, non_tender, pencatatan_non_tender, swakelola or epurchasing
-- column source_id: the source's package code as text, as in tenders
-- column field: the watched field (pagu, hps, status, method, kd_rup, announced_at, awarded_at, supplier_name, supplier_npwp, contract_value, offer_value, schedule_start, schedule_end, supplier_code), followed by the stage or bidder code where the record is one of several; null for vanished and reappeared
-- column old_value: the value before, as the source published it
-- column new_value: the value after, as the source published it
-- column seen_on: the date (WIB) of the fetch that first saw the new value, or the process gone or back
-- column change: changed, vanished (a complete answer no longer holds the process) or reappeared
-- column kd_klpd: K/L/PD code of the process
-- column kd_satker: the buying work unit's dotted code
-- column title: package name (nama paket)
-- depends: core.changes, core.processes
CREATE OR REPLACE VIEW main.changes AS
SELECT c.source, c.kind, c.source_id, c.field, c.old_value, c.new_value, c.seen_on, c.change,
    p.kd_klpd, p.kd_satker, p.title
FROM core.changes c
LEFT JOIN core.processes p ON p.source = c.source AND p.kind = c.kind
    AND p.source_id = c.source_id
ORDER BY c.seen_on, c.seq;
