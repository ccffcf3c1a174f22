-- core.processes: every contracting process of every source, one row each.
-- Why: the same package may be described by several sources (ISB and SPSE share kd_tender /
-- kd_nontender); analysts need it once. Each source contributes core.<source>_processes with
-- the same columns; where several describe the same (kind, source_id) the row is merged field
-- by field: each column takes the first non-null value in the order of preference (ISB, then
-- SPSE, then OCDS), so SPSE fills what ISB lacks (e.g. a pagu ISB left null); `source` is the
-- most preferred source and `sources` lists all that describe it.
CREATE OR REPLACE TABLE core.processes AS
WITH all_sources AS (
    -- LKPP's own data first: INAPROC (the live gateway), then ISB (090_lkpp.sql).
    SELECT *, core.lkpp_preference(source) AS preference FROM core.isb_processes
    UNION ALL BY NAME SELECT *, 2 AS preference FROM core.spse_processes
    UNION ALL BY NAME SELECT *, 3 AS preference FROM core.ocds_processes
)
-- arg_min(x, preference) skips NULLs: each column comes from the most preferred source that
-- has it.
SELECT
    arg_min(source, preference) AS source, kind, source_id,
    arg_min(kd_rup, preference) AS kd_rup,
    arg_min(kd_klpd, preference) AS kd_klpd,
    arg_min(klpd_name, preference) AS klpd_name,
    arg_min(kd_satker, preference) AS kd_satker,
    arg_min(satker_name, preference) AS satker_name,
    arg_min(kd_lpse, preference) AS kd_lpse,
    arg_min(title, preference) AS title,
    arg_min(category, preference) AS category,
    arg_min(method, preference) AS method,
    arg_min(status, preference) AS status,
    arg_min(year, preference) AS year,
    arg_min(pagu, preference) AS pagu,
    arg_min(hps, preference) AS hps,
    arg_min(contract_value, preference) AS contract_value,
    arg_min(supplier_npwp, preference) AS supplier_npwp,
    arg_min(supplier_name, preference) AS supplier_name,
    arg_min(n_participants, preference) AS n_participants,
    arg_min(n_bids, preference) AS n_bids,
    arg_min(announced_at, preference) AS announced_at,
    arg_min(awarded_at, preference) AS awarded_at,
    arg_min(pdn_value, preference) AS pdn_value,
    arg_min(umk_value, preference) AS umk_value,
    arg_min(qualification, preference) AS qualification,
    arg_min(lpse_url, preference) AS lpse_url,
    list_sort(list(DISTINCT source)) AS sources
FROM all_sources
GROUP BY kind, source_id;

-- Bids: ISB's participants, with SPSE's evaluation results (hasil page) merged onto them by
-- supplier NPWP (else by name when either NPWP is missing or masked); SPSE's bidders of a tender
-- that ISB does not match are kept as SPSE rows (a tender ISB has no participants for is all
-- SPSE). Tenders only: the view's source_id is a tender code (non-tender bids stay in
-- core.spse_bids).
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
-- OCDS bids (sql/core/300_ocds_processes.sql) of processes no other source has bids for.
UNION ALL BY NAME
SELECT * FROM core.ocds_bids o
WHERE o.source_id NOT IN (SELECT source_id FROM core.isb_bids)
    AND o.source_id NOT IN (SELECT source_id FROM core.spse_bids WHERE kind = 'tender');

-- Schedules and payments: ISB's, and SPSE's for packages ISB has none for.
CREATE OR REPLACE TABLE core.schedule AS
SELECT * FROM core.isb_schedule
UNION ALL BY NAME
SELECT * EXCLUDE (kind) FROM core.spse_schedule
WHERE kind = 'tender' AND source_id NOT IN (SELECT source_id FROM core.isb_schedule);
CREATE OR REPLACE TABLE core.realisations AS
SELECT * FROM core.isb_realisations
UNION ALL BY NAME
SELECT * FROM core.spse_realisations r
WHERE NOT EXISTS (SELECT 1 FROM core.isb_realisations i
                  WHERE i.kind = r.kind AND i.source_id = r.source_id);
CREATE OR REPLACE TABLE core.plans AS SELECT * FROM core.isb_plans;
