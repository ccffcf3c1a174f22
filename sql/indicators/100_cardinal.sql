-- Cardinal input for the nightly build: which processes the indicators read, and in what order.
-- What: temp.cardinal_processes (a TEMP table of the build's connection: only 106 and
-- 190_flags_cardinal.sql read it; a migration drops the old core table): every core
-- process, numbered (line_no) in ocid order (the order `pantau export ocds` writes them, so a
-- night and `pantau indicators` over that night's export see the same "file order"), with the
-- release-level fields of its OCDS release that Cardinal reads (core.ocds_release_rows,
-- sql/core/740_ocds_release_rows.sql); and
-- temp.cardinal_releases(line_no, release): the publisher's compiled release of each process
-- that came in as OCDS (source 'ocds'), which 105_cardinal_flatten.sql flattens as it flattens
-- a file. Every other process is flattened straight from these rows by
-- 106_cardinal_from_core.sql. The files 110-129 (the same ones `pantau indicators` runs) then
-- compute the 11 indicators, and 190_flags_cardinal.sql turns the results into flags.
-- Why: one implementation of Cardinal's semantics for files and for the warehouse, without
-- writing and re-parsing one OCDS JSON document per process every night. core.processes is
-- stored in ocid order, so line_no is the row's process_no and nothing is sorted here
-- (numbering 1M processes by sort and join took 1 s); nothing is written to the warehouse
-- that the night does not keep.
-- Settings: DuckDB variables cardinal_* set by models.cardinal.set_variables from
-- [indicators.cardinal] in pantau.toml before the build; unset = Cardinal's defaults with all 11
-- indicators on. No currency is set: every release built from core is in IDR.
-- Source: ../shared/indicators.md §1; the OCDS mapping of sql/core/700_ocds_mapping.sql.
-- creates: temp.cardinal_processes, temp.cardinal_releases
-- depends: core.ocds_release_rows, core.ocds_releases_in
CREATE OR REPLACE TEMP TABLE cardinal_processes AS
-- tests/test_cardinal_nightly.py holds this numbering to `pantau indicators` over the export,
-- which reads the ocids.
SELECT process_no AS line_no, source, kind, source_id, ocid,
    tender_status, method, procurement_method, buyer_id, procuring_entity_id,
    number_of_tenderers, has_tender_period, tender_period_start, tender_period_end,
    has_bid_details, has_award, award_status, award_supplier_id
FROM core.ocds_release_rows;

CREATE OR REPLACE TEMP TABLE cardinal_releases AS
SELECT p.line_no, o.r AS release
FROM temp.cardinal_processes p
JOIN core.ocds_releases_in o ON o.kind = p.kind AND o.source_id = p.source_id
WHERE p.source = 'ocds'
ORDER BY p.line_no;
