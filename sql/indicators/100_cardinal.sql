-- Cardinal input for the nightly build: which processes the indicators read, and in what order.
-- What: core.cardinal_processes: every core process, numbered (line_no) in ocid order (the order
-- `pantau export ocds` writes them, so a night and `pantau indicators` over that night's export
-- see the same "file order"), with the release-level fields of its OCDS release that Cardinal
-- reads (core.ocds_release_rows, sql/core/700_ocds_releases.sql); and
-- core.cardinal_releases(line_no, release): the publisher's compiled release of each process
-- that came in as OCDS (source 'ocds'), which 105_cardinal_flatten.sql flattens as it flattens
-- a file. Every other process is flattened straight from these rows by
-- 106_cardinal_from_core.sql. The files 110-129 (the same ones `pantau indicators` runs) then
-- compute the 11 indicators, and 190_flags_cardinal.sql turns the results into flags.
-- Why: one implementation of Cardinal's semantics for files and for the warehouse, without
-- writing and re-parsing one OCDS JSON document per process every night.
-- Settings: DuckDB variables cardinal_* set by models.cardinal.set_variables from
-- [indicators.cardinal] in pantau.toml before the build; unset = Cardinal's defaults with all 11
-- indicators on. No currency is set: every release built from core is in IDR.
-- Source: ../shared/indicators.md §1; the OCDS mapping of sql/core/700_ocds_releases.sql.
CREATE OR REPLACE TABLE core.cardinal_processes AS
SELECT row_number() OVER (ORDER BY ocid) AS line_no, source, kind, source_id, ocid,
    tender_status, method, procurement_method, buyer_id, procuring_entity_id,
    number_of_tenderers, has_tender_period, tender_period_start, tender_period_end,
    has_bid_details, has_award, award_status, award_supplier_id
FROM core.ocds_release_rows;

CREATE OR REPLACE TABLE core.cardinal_releases AS
SELECT p.line_no, o.r AS release
FROM core.cardinal_processes p
JOIN core.ocds_releases_in o ON o.kind = p.kind AND o.source_id = p.source_id
WHERE p.source = 'ocds'
ORDER BY p.line_no;
