-- Cardinal input for the nightly build: every process of core as an OCDS compiled release.
-- What: core.cardinal_releases(line_no, release) from core.ocds_releases (sql/core/700), in a
-- stable order; the files 110-129 (the same ones `pantau indicators` runs) then compute the 11
-- indicators over it, and 190_flags_cardinal.sql turns the results into flags.
-- Why: one implementation of Cardinal's semantics for files and for the warehouse.
-- Settings: DuckDB variables cardinal_* set by models.cardinal.set_variables from
-- [indicators.cardinal] in pantau.toml before the build; unset = Cardinal's defaults with all 11
-- indicators on. No currency is set: every core release is in IDR.
-- Source: ../shared/indicators.md §1.
CREATE OR REPLACE TABLE core.cardinal_releases AS
SELECT row_number() OVER (ORDER BY source, kind, source_id) AS line_no, release
FROM core.ocds_releases
WHERE release IS NOT NULL;
