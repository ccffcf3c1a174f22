-- core.ocds_processes: one row per OCDS compiled release, in the columns of core.isb_processes.
-- Why: OCDS data must appear in `tenders` beside ISB/SPSE data, merged with them by 500_processes.sql.
-- Source: core.ocds_releases_in and core.ocds_awards; the mapping is in 300_ocds_releases_in.sql.
-- creates: core.ocds_processes
-- depends: core.npwp15, core.ocds_awards, core.ocds_npwp, core.ocds_releases_in, core.ocds_ts,
--   core.rupiah
CREATE OR REPLACE TABLE core.ocds_processes AS
WITH rel AS (SELECT * FROM core.ocds_releases_in),
-- The active award; for a cancelled or unsuccessful process, its (cancelled) award.
winner AS (
    SELECT ocid,
        first(amount ORDER BY status = 'active' DESC NULLS LAST, awarded_at DESC NULLS LAST) AS amount,
        first(awarded_at ORDER BY status = 'active' DESC NULLS LAST, awarded_at DESC NULLS LAST) AS awarded_at,
        first(suppliers[1] ->> 'id' ORDER BY status = 'active' DESC NULLS LAST, awarded_at DESC NULLS LAST) AS supplier_id,
        first(suppliers[1] ->> 'name' ORDER BY status = 'active' DESC NULLS LAST, awarded_at DESC NULLS LAST) AS supplier_name
    FROM core.ocds_awards GROUP BY ocid
),
party_npwp AS (
    SELECT ocid, p ->> 'id' AS id,
        CASE WHEN p -> 'identifier' ->> 'scheme' = 'ID-NPWP' THEN core.npwp15(p -> 'identifier' ->> 'id') END AS npwp
    FROM (SELECT ocid, unnest(CAST(r -> 'parties' AS JSON[])) AS p
          FROM core.ocds_releases_in WHERE json_type(r -> 'parties') = 'ARRAY')
),
bid_counts AS (
    SELECT ocid, count(*) AS n_participants,
        count(*) FILTER (WHERE coalesce(b ->> 'status', '') NOT IN ('invited', 'withdrawn')) AS n_bids
    FROM (SELECT ocid, unnest(CAST(r -> 'bids' -> 'details' AS JSON[])) AS b
          FROM core.ocds_releases_in WHERE json_type(r -> 'bids' -> 'details') = 'ARRAY')
    GROUP BY ocid
)
SELECT 'ocds' AS source, rel.kind, rel.source_id,
    CAST(rel.r -> 'planning' -> 'budget' ->> 'id' AS VARCHAR) AS kd_rup,
    regexp_replace(rel.r -> 'buyer' ->> 'id', '^pantau-klpd-', '') AS kd_klpd,
    rel.r -> 'buyer' ->> 'name' AS klpd_name,
    regexp_replace(rel.r -> 'tender' -> 'procuringEntity' ->> 'id', '^pantau-satker-', '') AS kd_satker,
    rel.r -> 'tender' -> 'procuringEntity' ->> 'name' AS satker_name,
    CAST(NULL AS INTEGER) AS kd_lpse,
    rel.r -> 'tender' ->> 'title' AS title,
    rel.r -> 'tender' ->> 'mainProcurementCategory' AS category,
    coalesce(rel.r -> 'tender' ->> 'procurementMethodDetails',
             rel.r -> 'tender' ->> 'procurementMethod') AS method,
    rel.r -> 'tender' ->> 'status' AS status,
    coalesce(rel.batch_year, year(core.ocds_ts(rel.r -> 'tender' ->> 'datePublished')),
             year(core.ocds_ts(rel.r ->> 'date'))) AS year,
    core.rupiah(rel.r -> 'planning' -> 'budget' -> 'amount' ->> 'amount') AS pagu,
    core.rupiah(rel.r -> 'tender' -> 'value' ->> 'amount') AS hps,
    core.rupiah(w.amount) AS contract_value,
    coalesce(pn.npwp, core.ocds_npwp(w.supplier_id)) AS supplier_npwp,
    w.supplier_name,
    CASE WHEN json_type(rel.r -> 'bids' -> 'details') = 'ARRAY' THEN coalesce(bc.n_participants, 0) END
        AS n_participants,
    coalesce(CASE WHEN json_type(rel.r -> 'tender' -> 'numberOfTenderers') = 'UBIGINT'
                  THEN CAST(rel.r -> 'tender' -> 'numberOfTenderers' AS BIGINT) END, bc.n_bids) AS n_bids,
    core.ocds_ts(rel.r -> 'tender' ->> 'datePublished') AS announced_at,
    w.awarded_at,
    CAST(NULL AS DECIMAL(20, 2)) AS pdn_value, CAST(NULL AS DECIMAL(20, 2)) AS umk_value,
    CAST(NULL AS VARCHAR) AS qualification, CAST(NULL AS VARCHAR) AS lpse_url
FROM rel
LEFT JOIN winner w USING (ocid)
LEFT JOIN party_npwp pn ON pn.ocid = rel.ocid AND pn.id = w.supplier_id
LEFT JOIN bid_counts bc ON bc.ocid = rel.ocid;
