-- core.ocds_releases_in: the OCDS compiled releases (any publisher), each with the core package
-- it describes (kind, source_id), and the two value parsers every OCDS file uses (core.ocds_ts,
-- core.ocds_npwp); 310-330_ocds_*.sql read them into core.ocds_awards, _processes and _bids.
-- Why: OCDS data (opentender.net, other publishers, pantau's own export read back) must appear
-- in `tenders` and `bids` beside ISB/SPSE data, with the same columns.
-- Source: raw.ocds_compiled_release (connectors/ocds.py), one compiled release per ocid.
-- Mapping (the inverse of 700_ocds_mapping.sql, so pantau's export reads back unchanged):
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
-- creates: core.ocds_ts, core.ocds_npwp, core.ocds_releases_in
-- depends: core.isb_processes, core.npwp15, core.spse_processes, raw.ocds_compiled_release
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
