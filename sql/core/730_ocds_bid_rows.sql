-- core.ocds_bid_rows: one row per bids.details entry of a release built from core (kind
-- 'tender'; the bids of the process's own source); idx = its 0-based position in the release's
-- bids.details; process_no, method and tender_status = its process's, as in
-- core.ocds_release_rows. Read by core.ocds_releases and by the nightly Cardinal input (106).
-- creates: core.ocds_bid_rows
-- depends: core.bids, core.ocds_bid_status, core.ocds_ocid, core.ocds_org_id,
--   core.ocds_tender_statuses, core.processes
CREATE OR REPLACE VIEW core.ocds_bid_rows AS
WITH b AS (
    SELECT b.source, b.source_id, p.rowid + 1 AS process_no,
        p.method, s.tender_status, b.participant_id,
        core.ocds_bid_status(b.is_bid, b.passed_administration, b.passed_technical,
                             b.passed_price, b.passed_qualification, s.tender_status) AS status,
        core.ocds_org_id(b.supplier_npwp, b.supplier_id) AS org_id,
        b.supplier_name, b.supplier_npwp, b.offer_value, b.is_winner
    FROM core.bids b
    JOIN core.processes p ON p.kind = 'tender' AND p.source_id = b.source_id AND p.source = b.source
    JOIN core.ocds_tender_statuses s ON s.status IS NOT DISTINCT FROM p.status
)
-- ocid after the window: the sort need not carry it
SELECT *, core.ocds_ocid('tender', source_id) AS ocid,
    -- Ties on participant_id are broken on everything a details entry shows: a stable order.
    row_number() OVER (PARTITION BY process_no ORDER BY participant_id, org_id, supplier_name,
                                                        offer_value, status) - 1 AS idx
FROM b;
