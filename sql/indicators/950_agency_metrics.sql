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
-- numerator: finished tenders (status class finished: Selesai, ...); denominator: none (a count).
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
-- numerator: processes flagged ID-C01; denominator: none (a count).
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
CREATE OR REPLACE TABLE core.metric_rows AS
WITH base AS (
    SELECT b.*
    FROM core.compliance_base b
    WHERE b.kd_klpd IS NOT NULL AND b.year IS NOT NULL
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
c01 AS (SELECT DISTINCT kind, source, source_id FROM core.compliance_results WHERE code = 'ID-C01'),
tf AS (SELECT * FROM base WHERE kind = 'tender' AND status_class = 'finished'),
rows AS (
    SELECT 'tenders_finished' AS metric, *, 1.0 AS num, NULL AS den FROM tf
    UNION ALL BY NAME
    SELECT 'single_bid_rate' AS metric, *, CASE WHEN n_bids = 1 THEN 1.0 ELSE 0.0 END AS num,
        1.0 AS den FROM tf
    UNION ALL BY NAME
    SELECT 'avg_bids' AS metric, *, coalesce(n_bids, 0) AS num, 1.0 AS den FROM tf
    UNION ALL BY NAME
    SELECT 'award_near_hps_rate' AS metric, *,
        CASE WHEN contract_value >= core.setting_num('near_hps_ratio') * hps THEN 1.0 ELSE 0.0 END
            AS num, 1.0 AS den
    FROM tf WHERE contract_value IS NOT NULL AND hps > 0
    UNION ALL BY NAME
    SELECT 'failed_rate' AS metric, *, CASE WHEN status_class = 'failed' THEN 1.0 ELSE 0.0 END
        AS num, 1.0 AS den
    FROM base WHERE kind = 'tender'
    UNION ALL BY NAME
    SELECT 'non_competitive_value_share' AS metric, *,
        CASE WHEN kind IN ('non_tender', 'pencatatan_non_tender', 'darurat')
             THEN pagu ELSE 0.0 END AS num, pagu AS den
    FROM base WHERE pagu IS NOT NULL
    UNION ALL BY NAME
    SELECT 'pl_above_ceiling' AS metric, b.*, 1.0 AS num, NULL AS den
    FROM base b SEMI JOIN c01 USING (kind, source, source_id)
    UNION ALL BY NAME
    SELECT 'flagged_share' AS metric, b.*,
        CASE WHEN f.source_id IS NOT NULL THEN 1.0 ELSE 0.0 END AS num, 1.0 AS den
    FROM base b LEFT JOIN flagged f USING (kind, source, source_id)
    UNION ALL BY NAME
    SELECT 'umk_value_share' AS metric, *, umk_value AS num,
        contract_value AS den
    FROM base
    WHERE umk_value IS NOT NULL AND contract_value IS NOT NULL
    UNION ALL BY NAME
    SELECT 'pdn_value_share' AS metric, *, pdn_value AS num,
        contract_value AS den
    FROM base
    WHERE pdn_value IS NOT NULL AND contract_value IS NOT NULL
    UNION ALL BY NAME
    SELECT 'epurchasing_value_share' AS metric, *,
        CASE WHEN kind = 'epurchasing' THEN contract_value ELSE 0.0 END AS num,
        contract_value AS den
    FROM base WHERE contract_value IS NOT NULL
)
SELECT metric, kd_klpd, kd_satker, year, kind, source, source_id,
    CAST(num AS DECIMAL(38, 2)) AS numerator, CAST(den AS DECIMAL(38, 2)) AS denominator
FROM rows;

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
sums AS (
    SELECT metric, kd_klpd, kd_satker, year, sum(numerator) AS numerator,
        sum(denominator) AS denominator
    FROM core.metric_rows WHERE kd_satker IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT metric, kd_klpd, NULL, year, sum(numerator), sum(denominator)
    FROM core.metric_rows
    GROUP BY metric, kd_klpd, year
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
