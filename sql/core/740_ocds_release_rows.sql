-- core.ocds_release_rows: one row per core.processes row: the release-level fields, as the
-- release shows them. Read by core.ocds_releases and by the nightly Cardinal input (100, 106).
-- process_no: the row's 1-based position in core.processes, which is stored in ocid order.
-- creates: core.ocds_release_rows
-- depends: core.bids, core.ocds_award_status, core.ocds_buyer_id, core.ocds_date,
--   core.ocds_method, core.ocds_name_id, core.ocds_ocid, core.ocds_org_id, core.ocds_satker_id,
--   core.ocds_tender_statuses, core.processes, core.schedule
CREATE OR REPLACE VIEW core.ocds_release_rows AS
WITH p AS (
    SELECT p.*, p.rowid + 1 AS process_no, core.ocds_ocid(p.kind, p.source_id) AS ocid,
        s.tender_status
    FROM core.processes p
    JOIN core.ocds_tender_statuses s ON s.status IS NOT DISTINCT FROM p.status
),
period AS (
    SELECT source_id, min(starts_at) AS starts_at, max(ends_at) AS ends_at
    FROM core.schedule WHERE stage = 'upload dokumen penawaran' GROUP BY source_id
),
bids AS (
    SELECT source, source_id, count(*) AS n_details,
        min(core.ocds_org_id(supplier_npwp, supplier_id)) FILTER (WHERE is_winner) AS winner_id,  -- min: stable if listed twice
        min(supplier_name) FILTER (WHERE is_winner) AS winner_name
    FROM core.bids GROUP BY source, source_id
),
r AS (
    SELECT p.*,
        coalesce(core.ocds_org_id(p.supplier_npwp, NULL), d.winner_id,
                 core.ocds_name_id(p.supplier_name)) AS award_supplier_id,
        coalesce(p.supplier_name, d.winner_name) AS award_supplier_name,
        d.n_details, pe.starts_at AS period_start, pe.ends_at AS period_end
    FROM p
    LEFT JOIN bids d ON p.kind = 'tender' AND d.source = p.source AND d.source_id = p.source_id
    LEFT JOIN period pe ON p.kind = 'tender' AND pe.source_id = p.source_id
)
SELECT *,
    CASE WHEN kd_klpd IS NOT NULL THEN core.ocds_buyer_id(kd_klpd) END AS buyer_id,
    CASE WHEN kd_satker IS NOT NULL THEN core.ocds_satker_id(kd_satker) END AS procuring_entity_id,
    core.ocds_method(method) AS procurement_method,
    -- tender.numberOfTenderers (a JSON integer)
    n_bids AS number_of_tenderers,
    CASE WHEN period_start IS NOT NULL OR period_end IS NOT NULL THEN true END AS has_tender_period,
    core.ocds_date(period_start) AS tender_period_start,
    core.ocds_date(period_end) AS tender_period_end,
    -- bids.details is present (possibly empty)
    n_details IS NOT NULL OR n_participants = 0 AS has_bid_details,
    award_supplier_id IS NOT NULL OR contract_value IS NOT NULL OR awarded_at IS NOT NULL
        AS has_award,
    core.ocds_award_status(tender_status) AS award_status
FROM r;
