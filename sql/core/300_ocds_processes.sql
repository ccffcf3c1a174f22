-- core.ocds_processes and core.ocds_bids: OCDS compiled releases (any publisher) as core rows.
-- Why: OCDS data (opentender.net, other publishers, pantau's own export read back) must appear
-- in `tenders` and `bids` beside ISB/SPSE data, with the same columns.
-- Source: raw.ocds_compiled_release (connectors/ocds.py), one compiled release per ocid.
-- Mapping (the inverse of 700_ocds_releases.sql, so pantau's export reads back unchanged):
-- * an ocid 'ocds-pantau-<kind>-<source_id>' gives back kind and source_id; any other ocid has
--   kind 'tender' for open/selective methods and 'non_tender' otherwise, and source_id =
--   tender.id when ISB or SPSE describe a process of that kind with that code (opentender.net
--   republishes LKPP's packages: the same package shows once, merged), else the ocid itself;
-- * buyer and procuringEntity ids lose pantau's 'pantau-klpd-' / 'pantau-satker-' prefixes;
-- * supplier NPWP from the party identifier (scheme ID-NPWP) or an 'IDN-NPWP-' id;
-- * n_bids = tender.numberOfTenderers when an integer, else bids that are not invited or
--   withdrawn; n_participants = all bids.details;
-- * pagu = planning.budget.amount, hps = tender.value; contract value, award date and supplier
--   from the active award (for a cancelled or unsuccessful process, from its cancelled award);
-- * year = the source's budget year (the landed batch's year), else the year of datePublished;
-- * bids: every bids.details entry; is_bid unless invited/withdrawn; is_winner when a tenderer is
--   a supplier of an active award (of the cancelled one in a cancelled process); OCDS publishes
--   one status, not per-stage results, so passed_*
--   stay null and reason keeps the status ('OCDS bid status: disqualified').
CREATE OR REPLACE MACRO core.ocds_ts(s) AS TRY_CAST(s AS TIMESTAMPTZ);
CREATE OR REPLACE MACRO core.ocds_npwp(org_id) AS
    CASE WHEN org_id LIKE 'IDN-NPWP-%' THEN core.npwp15(org_id[10:]) END;

CREATE OR REPLACE TABLE core.ocds_releases_in AS
WITH k AS (
    SELECT key AS ocid, year AS batch_year, payload AS r,
        regexp_extract(key, '^ocds-pantau-(tender|non_tender|pencatatan_non_tender|swakelola|darurat|epurchasing)-(.+)$',
                       ['kind', 'id']) AS parsed
    FROM raw.ocds_compiled_release
),
typed AS (
    SELECT ocid, batch_year, r, nullif(parsed.id, '') AS pantau_id,
        r -> 'tender' ->> 'id' AS tender_id,
        coalesce(nullif(parsed.kind, ''),
                 CASE WHEN r -> 'tender' ->> 'procurementMethod' IN ('open', 'selective')
                      THEN 'tender' ELSE 'non_tender' END) AS kind
    FROM k
),
-- Packages ISB or SPSE describe: an OCDS process of the same kind and tender.id is that package.
known AS (
    SELECT DISTINCT kind, source_id FROM (
        SELECT kind, source_id FROM core.isb_processes
        UNION ALL SELECT kind, source_id FROM core.spse_processes)
)
SELECT t.ocid, t.batch_year, t.r, t.kind,
    coalesce(t.pantau_id, known.source_id, t.ocid) AS source_id
FROM typed t
LEFT JOIN known ON t.pantau_id IS NULL AND known.kind = t.kind AND known.source_id = t.tender_id;

CREATE OR REPLACE TABLE core.ocds_awards AS
SELECT ocid, a ->> 'status' AS status, a -> 'value' ->> 'amount' AS amount,
    core.ocds_ts(a ->> 'date') AS awarded_at,
    CAST(a -> 'suppliers' AS JSON[]) AS suppliers
FROM (SELECT ocid, unnest(CAST(r -> 'awards' AS JSON[])) AS a
      FROM core.ocds_releases_in WHERE json_type(r -> 'awards') = 'ARRAY');

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
