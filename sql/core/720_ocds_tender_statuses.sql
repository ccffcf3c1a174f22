-- core.ocds_tender_statuses: tender.status of each status text in core.processes (a handful of
-- texts: mapped once each).
-- creates: core.ocds_tender_statuses
-- depends: core.ocds_tender_status, core.processes
CREATE OR REPLACE VIEW core.ocds_tender_statuses AS
SELECT status, core.ocds_tender_status(status) AS tender_status
FROM (SELECT DISTINCT status FROM core.processes);
