-- core.ocds_bids: every bids.details entry of every OCDS compiled release, in the columns of
-- core.isb_bids (is_winner from the active award's suppliers; passed_* null: OCDS has one status).
-- Source: core.ocds_releases_in and core.ocds_awards; the mapping is in 300_ocds_releases_in.sql.
-- creates: core.ocds_bids
-- depends: core.npwp15, core.ocds_awards, core.ocds_npwp, core.ocds_releases_in, core.rupiah
CREATE OR REPLACE TABLE core.ocds_bids AS
WITH b AS (
    SELECT ocid, kind, source_id, unnest(CAST(r -> 'bids' -> 'details' AS JSON[])) AS bid
    FROM core.ocds_releases_in
    WHERE json_type(r -> 'bids' -> 'details') = 'ARRAY'
),
suppliers AS (
    SELECT ocid, list(s ->> 'id') AS ids
    FROM (SELECT ocid, unnest(suppliers) AS s FROM core.ocds_awards
          WHERE status = 'active' OR status IS NULL
              OR ocid NOT IN (SELECT ocid FROM core.ocds_awards WHERE status = 'active'))
    GROUP BY ocid
),
npwp AS (
    SELECT ocid, p ->> 'id' AS id,
        CASE WHEN p -> 'identifier' ->> 'scheme' = 'ID-NPWP' THEN core.npwp15(p -> 'identifier' ->> 'id') END AS npwp
    FROM (SELECT ocid, unnest(CAST(r -> 'parties' AS JSON[])) AS p
          FROM core.ocds_releases_in WHERE json_type(r -> 'parties') = 'ARRAY')
)
SELECT 'ocds' AS source, b.source_id,
    b.bid ->> 'id' AS participant_id,
    regexp_replace(b.bid -> 'tenderers' -> 0 ->> 'id', '^pantau-penyedia-', '') AS supplier_id,
    coalesce(n.npwp, core.ocds_npwp(b.bid -> 'tenderers' -> 0 ->> 'id')) AS supplier_npwp,
    b.bid -> 'tenderers' -> 0 ->> 'name' AS supplier_name,
    core.rupiah(b.bid -> 'value' ->> 'amount') AS offer_value,
    CAST(NULL AS DECIMAL(20, 2)) AS corrected_value,
    CAST(NULL AS DECIMAL(20, 2)) AS negotiated_value,
    coalesce(list_contains(s.ids, b.bid -> 'tenderers' -> 0 ->> 'id'), false) AS is_winner,
    coalesce(b.bid ->> 'status', '') NOT IN ('invited', 'withdrawn') AS is_bid,
    CAST(NULL AS BOOLEAN) AS passed_administration,
    CAST(NULL AS BOOLEAN) AS passed_technical,
    CAST(NULL AS BOOLEAN) AS passed_price,
    CAST(NULL AS BOOLEAN) AS passed_qualification,
    CASE WHEN b.bid ->> 'status' IS NOT NULL THEN 'OCDS bid status: ' || (b.bid ->> 'status') END AS reason
FROM b
LEFT JOIN suppliers s ON s.ocid = b.ocid
LEFT JOIN npwp n ON n.ocid = b.ocid AND n.id = b.bid -> 'tenderers' -> 0 ->> 'id';
