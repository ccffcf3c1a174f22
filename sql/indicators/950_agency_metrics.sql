-- core.metric_rows and core.agency_metrics: compliance metrics per K/L/PD and satuan kerja.
-- What: core.metric_rows holds, per metric, every process that counts in it with its
-- numerator and denominator contribution (`pantau explain METRIC` lists them); core.agency_metrics
-- sums them per (kd_klpd, kd_satker, year, metric), kd_satker null for the whole K/L/PD.
-- Why: advocacy needs numbers an official cannot wave away, per government and per work unit,
-- each traceable to the packages behind it.
-- Source: core.processes, core.compliance_results and core.flags (issue 5); the definitions
-- below are issue 5's. Processes without a K/L/PD code or budget year are left out (they cannot
-- be attributed). Every (kd_klpd, kd_satker, year) with at least one process gets every metric:
-- a count is 0 when nothing counts; a rate or share is null when its denominator is 0.
-- value = numerator for a count, numerator / denominator otherwise.
--
-- metric tenders_finished: tenders (kind tender) whose status is finished.
-- numerator: finished tenders (status class finished: Selesai, ...).
-- denominator: none (a count).
--
-- metric single_bid_rate: finished tenders with exactly one bid / finished tenders.
-- numerator: finished tenders whose n_bids (participants who submitted an offer) is exactly 1.
-- denominator: finished tenders. A finished tender with no recorded offers counts as 0 bids.
-- basis: OCP red flag R018 single bid (indicators.md §1.3), counted on offers, not registrations.
--
-- metric avg_bids: bids per finished tender.
-- numerator: bids (offers submitted) of finished tenders, missing counted as 0.
-- denominator: finished tenders.
--
-- metric award_near_hps_rate: finished tenders whose contract value is at least 95% of HPS /
--   finished tenders with both values.
-- numerator: finished tenders with contract value >= near_hps_ratio x HPS (95% exactly counts).
-- denominator: finished tenders with a contract value and an HPS above 0.
-- parameters: near_hps_ratio
-- basis: OCP red flag R031 close to estimate; ICW PFA-2 (indicators.md §2.1, §3).
--
-- metric failed_rate: tenders failed or cancelled / all tenders.
-- numerator: tenders whose status class is failed (gagal, batal, dibatalkan).
-- denominator: all tenders (kind tender), whatever their status.
--
-- metric non_competitive_value_share: pagu of non-tender, recorded and emergency packages /
--   pagu of all packages.
-- numerator: pagu of kinds non_tender, pencatatan_non_tender and darurat.
-- denominator: pagu of every process with a pagu (all kinds and statuses; e-purchasing orders
--   carry no pagu in ISB and so are not in it).
-- basis: OCP red flags R010/R013 non-competitive procedures (indicators.md §2.1).
--
-- metric pl_above_ceiling: count of ID-C01 flags (pengadaan langsung above its ceiling).
-- numerator: processes flagged ID-C01.
-- denominator: none (a count).
-- basis: see ID-C01 (Perpres 16/2018 Pasal 38 and 41; Perpres 46/2025).
--
-- metric flagged_share: processes with at least one flag / all processes.
-- numerator: processes with at least one flag in core.flags for the process (grp OCID): every
--   ID-C check and Cardinal indicator. PFA scores are scores every tender gets, so they count
--   only as a PFA total at or above flagged_share_pfa_min_total, when that is set.
-- denominator: all processes, every kind and status.
-- parameters: flagged_share_pfa_min_total
--
-- metric umk_value_share: contract value to small business / total contract value, where the
--   source reports it.
-- numerator: umk_value (nilai UMK) of processes that report it and have a contract value.
-- denominator: contract value of the same processes.
-- basis: Perpres 16/2018 Pasal 65 ayat (3) as amended (40% of spending to usaha kecil; ID-C05).
--
-- metric pdn_value_share: contract value to domestic products / total contract value, where the
--   source reports it.
-- numerator: pdn_value (nilai PDN) of processes that report it and have a contract value.
-- denominator: contract value of the same processes.
-- basis: PDN obligation (Perpres 16/2018 Pasal 66 as amended [U]); SE Kepala LKPP 8/2023 target.
--
-- metric epurchasing_value_share: e-purchasing value / all contract value.
-- numerator: contract value (order total) of e-purchasing processes.
-- denominator: contract value of every process that has one (all kinds: recorded and
--   self-managed packages count their total realised).
-- How: core.metric_rows, a view, has one SELECT per metric over core.processes.
-- Writing its rows (about 4 per process) was most of this file's time; the build reads them
-- once, to sum both levels into core.agency_metrics in one pass (grouping sets), and `pantau
-- explain`, which asks for one metric, computes only that metric's SELECT.
-- creates: core.metric_rows, core.metric_defs, core.agency_metrics
-- depends: core.compliance_results, core.flags, core.processes, core.setting_num,
--   core.status_classes
-- test unique: core.agency_metrics(kd_klpd, kd_satker, year, metric)
-- test not_null: core.agency_metrics(kd_klpd, year, metric, numerator)
-- test relationship: core.agency_metrics(kd_klpd) -> core.agencies(kd_klpd)
CREATE OR REPLACE VIEW core.metric_rows AS
-- NOT MATERIALIZED: each metric's SELECT scans the few columns it needs (columnar, cheap) instead
-- of the build first writing every process's 14 columns once for all eleven.
WITH p AS NOT MATERIALIZED (
    SELECT kind, source, source_id, kd_klpd, kd_satker, year, n_bids, hps, pagu, contract_value,
        umk_value, pdn_value, s.status_class, kind = 'tender' AND s.status_class = 'finished' AS tf
    FROM core.processes p
    JOIN core.status_classes s ON s.status IS NOT DISTINCT FROM p.status
    WHERE kd_klpd IS NOT NULL AND year IS NOT NULL
),
flagged AS (
    SELECT DISTINCT kind, source, source_id FROM core.compliance_results
    WHERE code NOT LIKE 'PFA%'
       OR (code = 'PFA' AND value >= core.setting_num('flagged_share_pfa_min_total'))
    UNION
    SELECT p.kind, p.source, p.source_id
    FROM core.flags f JOIN core.processes p
        ON p.source = f.source AND p.kind = f.kind AND p.source_id = f.source_id
    WHERE f.grp = 'OCID' AND f.code NOT LIKE 'ID-C%' AND f.code NOT LIKE 'PFA%'
),
-- One SELECT per metric: a reader that asks for one metric (`pantau explain`) computes only
-- its branch (DuckDB drops the others), the build's sums read them all.
r(metric, kd_klpd, kd_satker, year, kind, source, source_id, num, den) AS (
    SELECT 'tenders_finished', kd_klpd, kd_satker, year, kind, source, source_id, 1, NULL
    FROM p WHERE tf
    UNION ALL
    SELECT 'single_bid_rate', kd_klpd, kd_satker, year, kind, source, source_id,
        CASE WHEN n_bids = 1 THEN 1 ELSE 0 END, 1
    FROM p WHERE tf
    UNION ALL
    SELECT 'avg_bids', kd_klpd, kd_satker, year, kind, source, source_id, coalesce(n_bids, 0), 1
    FROM p WHERE tf
    UNION ALL
    SELECT 'award_near_hps_rate', kd_klpd, kd_satker, year, kind, source, source_id,
        CASE WHEN contract_value >= core.setting_num('near_hps_ratio') * hps THEN 1 ELSE 0 END, 1
    FROM p WHERE tf AND contract_value IS NOT NULL AND hps > 0
    UNION ALL
    SELECT 'failed_rate', kd_klpd, kd_satker, year, kind, source, source_id,
        CASE WHEN status_class = 'failed' THEN 1 ELSE 0 END, 1
    FROM p WHERE kind = 'tender'
    UNION ALL
    SELECT 'non_competitive_value_share', kd_klpd, kd_satker, year, kind, source, source_id,
        CASE WHEN kind IN ('non_tender', 'pencatatan_non_tender', 'darurat') THEN pagu ELSE 0 END,
        pagu
    FROM p WHERE pagu IS NOT NULL
    UNION ALL
    SELECT 'pl_above_ceiling', kd_klpd, kd_satker, year, kind, source, source_id, 1, NULL
    FROM p SEMI JOIN (SELECT kind, source, source_id FROM core.compliance_results
                      WHERE code = 'ID-C01') c USING (kind, source, source_id)
    UNION ALL
    SELECT 'flagged_share', p.kd_klpd, p.kd_satker, p.year, p.kind, p.source, p.source_id,
        CASE WHEN f.source_id IS NOT NULL THEN 1 ELSE 0 END, 1
    FROM p LEFT JOIN flagged f
        ON f.kind = p.kind AND f.source = p.source AND f.source_id = p.source_id
    UNION ALL
    SELECT 'umk_value_share', kd_klpd, kd_satker, year, kind, source, source_id, umk_value,
        contract_value
    FROM p WHERE umk_value IS NOT NULL AND contract_value IS NOT NULL
    UNION ALL
    SELECT 'pdn_value_share', kd_klpd, kd_satker, year, kind, source, source_id, pdn_value,
        contract_value
    FROM p WHERE pdn_value IS NOT NULL AND contract_value IS NOT NULL
    UNION ALL
    SELECT 'epurchasing_value_share', kd_klpd, kd_satker, year, kind, source, source_id,
        CASE WHEN kind = 'epurchasing' THEN contract_value ELSE 0 END, contract_value
    FROM p WHERE contract_value IS NOT NULL
)
SELECT metric, kd_klpd, kd_satker, year, kind, source, source_id,
    CAST(num AS DECIMAL(38, 2)) AS numerator, CAST(den AS DECIMAL(38, 2)) AS denominator
FROM r;

CREATE OR REPLACE TABLE core.metric_defs AS
SELECT * FROM (VALUES
    (1, 'tenders_finished', 'count'), (2, 'single_bid_rate', 'rate'), (3, 'avg_bids', 'rate'),
    (4, 'award_near_hps_rate', 'rate'), (5, 'failed_rate', 'rate'),
    (6, 'non_competitive_value_share', 'rate'), (7, 'pl_above_ceiling', 'count'),
    (8, 'flagged_share', 'rate'), (9, 'umk_value_share', 'rate'), (10, 'pdn_value_share', 'rate'),
    (11, 'epurchasing_value_share', 'rate')
) AS t(ord, metric, shape);

CREATE OR REPLACE TABLE core.agency_metrics AS
WITH units AS (
    SELECT DISTINCT kd_klpd, kd_satker, year FROM core.processes
    WHERE kd_klpd IS NOT NULL AND year IS NOT NULL AND kd_satker IS NOT NULL
    UNION
    SELECT DISTINCT kd_klpd, NULL, year FROM core.processes
    WHERE kd_klpd IS NOT NULL AND year IS NOT NULL
),
-- One pass over the rows for both levels; a row without a satker counts only for its K/L/PD.
sums AS (
    SELECT metric, kd_klpd, CASE WHEN GROUPING(kd_satker) = 0 THEN kd_satker END AS kd_satker,
        year, sum(numerator) AS numerator, sum(denominator) AS denominator
    FROM core.metric_rows
    GROUP BY GROUPING SETS ((metric, kd_klpd, kd_satker, year), (metric, kd_klpd, year))
    HAVING GROUPING(kd_satker) = 1 OR kd_satker IS NOT NULL
)
SELECT u.kd_klpd, u.kd_satker, u.year, d.metric,
    CAST(CASE WHEN d.shape = 'count' THEN coalesce(s.numerator, 0)
              ELSE CAST(s.numerator AS DOUBLE) / nullif(CAST(s.denominator AS DOUBLE), 0) END
         AS DOUBLE) AS value,
    CAST(coalesce(s.numerator, 0) AS DOUBLE) AS numerator,
    CAST(CASE WHEN d.shape = 'rate' THEN coalesce(s.denominator, 0) END AS DOUBLE) AS denominator
FROM units u CROSS JOIN core.metric_defs d
LEFT JOIN sums s ON s.metric = d.metric AND s.kd_klpd = u.kd_klpd AND s.year = u.year
    AND s.kd_satker IS NOT DISTINCT FROM u.kd_satker
ORDER BY u.kd_klpd, u.year, u.kd_satker NULLS FIRST, d.ord;
