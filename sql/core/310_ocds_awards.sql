-- core.ocds_awards: every award of every OCDS compiled release (its status, amount, date and
-- suppliers), read once for core.ocds_processes and core.ocds_bids.
-- Source: core.ocds_releases_in (300_ocds_releases_in.sql, where the mapping is written down).
-- creates: core.ocds_awards
-- depends: core.ocds_releases_in, core.ocds_ts
CREATE OR REPLACE TABLE core.ocds_awards AS
SELECT ocid, a ->> 'status' AS status, a -> 'value' ->> 'amount' AS amount,
    core.ocds_ts(a ->> 'date') AS awarded_at,
    CAST(a -> 'suppliers' AS JSON[]) AS suppliers
FROM (SELECT ocid, unnest(CAST(r -> 'awards' AS JSON[])) AS a
      FROM core.ocds_releases_in WHERE json_type(r -> 'awards') = 'ARRAY');
