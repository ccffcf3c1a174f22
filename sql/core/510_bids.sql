-- core.bids: every participant of every tender, of every source, one row each.
-- Why: competition is measured on bids; ISB lists the participants, SPSE adds how each was
-- evaluated, OCDS publishers their own bids.
-- ISB's participants, with SPSE's evaluation results (hasil page) merged onto them by
-- supplier NPWP (else by name when either NPWP is missing or masked); SPSE's bidders of a tender
-- that ISB does not match are kept as SPSE rows (a tender ISB has no participants for is all
-- SPSE). Tenders only: the view's source_id is a tender code (non-tender bids stay in
-- core.spse_bids).
-- creates: core.bids
-- depends: core.isb_bids, core.ocds_bids, core.spse_bids, core.squash
-- test unique: core.bids(source, source_id, participant_id) where participant_id IS NOT NULL
-- test not_null: core.bids(source, source_id, is_bid, is_winner)
-- test relationship: core.bids(source_id) -> core.processes(source_id)
CREATE OR REPLACE TABLE core.bids AS
WITH
-- Rows numbered in a stable order, so an ambiguous match pairs the same way every night.
i AS (SELECT *, row_number() OVER (ORDER BY source_id, participant_id) AS isb_row
      FROM core.isb_bids),
s AS (SELECT * EXCLUDE (kind),
          row_number() OVER (ORDER BY source_id, participant_id, supplier_name, supplier_npwp,
                             offer_value) AS spse_row
      FROM core.spse_bids
      WHERE kind = 'tender'),
pairs AS (
    SELECT i.isb_row, s.spse_row
    FROM i JOIN s ON s.source_id = i.source_id AND (
        s.supplier_npwp = i.supplier_npwp
        OR ((s.supplier_npwp IS NULL OR i.supplier_npwp IS NULL)
            AND lower(core.squash(s.supplier_name)) = lower(core.squash(i.supplier_name))))
    QUALIFY row_number() OVER (PARTITION BY i.isb_row ORDER BY s.spse_row) = 1
        AND row_number() OVER (PARTITION BY s.spse_row ORDER BY i.isb_row) = 1
)
SELECT i.source, i.source_id, i.participant_id, i.supplier_id,
    coalesce(i.supplier_npwp, s.supplier_npwp) AS supplier_npwp,
    coalesce(i.supplier_name, s.supplier_name) AS supplier_name,
    coalesce(i.offer_value, s.offer_value) AS offer_value,
    coalesce(i.corrected_value, s.corrected_value) AS corrected_value,
    coalesce(i.negotiated_value, s.negotiated_value) AS negotiated_value,
    i.is_winner OR coalesce(s.is_winner, false) AS is_winner,
    i.is_bid OR coalesce(s.is_bid, false) AS is_bid,
    coalesce(i.passed_administration, s.passed_administration) AS passed_administration,
    coalesce(i.passed_technical, s.passed_technical) AS passed_technical,
    coalesce(i.passed_price, s.passed_price) AS passed_price,
    coalesce(i.passed_qualification, s.passed_qualification) AS passed_qualification,
    coalesce(i.reason, s.reason) AS reason
FROM i
LEFT JOIN pairs USING (isb_row)
LEFT JOIN s USING (spse_row)
UNION ALL BY NAME
SELECT s.* EXCLUDE (spse_row) FROM s ANTI JOIN pairs USING (spse_row)
-- OCDS bids (sql/core/330_ocds_bids.sql) of processes no other source has bids for.
UNION ALL BY NAME
SELECT * FROM core.ocds_bids o
WHERE o.source_id NOT IN (SELECT source_id FROM core.isb_bids)
    AND o.source_id NOT IN (SELECT source_id FROM core.spse_bids WHERE kind = 'tender');
