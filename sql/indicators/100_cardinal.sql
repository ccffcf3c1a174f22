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
-- writing and re-parsing one OCDS JSON document per process every night. Only the ocids and
-- keys are sorted to number the processes (sorting the whole rows by ocid took 1 s at 1M), and
-- nothing is written to the warehouse that the night does not keep.
-- Settings: DuckDB variables cardinal_* set by models.cardinal.set_variables from
-- [indicators.cardinal] in pantau.toml before the build; unset = Cardinal's defaults with all 11
-- indicators on. No currency is set: every release built from core is in IDR.
-- Source: ../shared/indicators.md §1; the OCDS mapping of sql/core/700_ocds_mapping.sql.
-- creates: temp.cardinal_processes, temp.cardinal_releases
-- depends: core.ocds_release_rows, core.ocds_releases_in, core.processes
CREATE OR REPLACE TEMP TABLE cardinal_processes AS
-- ocid order is (kind, source_id) order: core.ocds_ocid is 'ocds-pantau-' || kind || '-' ||
-- source_id, and '-' sorts before every letter, digit and '_' a kind is made of. Sorting on the
-- columns skips the 12 characters every ocid starts with (tests/test_cardinal_nightly.py holds
-- the numbering to `pantau indicators` over the export, which reads the ocids).
WITH numbered AS (
    SELECT source, kind, source_id, row_number() OVER (ORDER BY kind, source_id) AS line_no
    FROM core.processes
)
SELECT n.line_no, r.source, r.kind, r.source_id, r.ocid,
    r.tender_status, r.method, r.procurement_method, r.buyer_id, r.procuring_entity_id,
    r.number_of_tenderers, r.has_tender_period, r.tender_period_start, r.tender_period_end,
    r.has_bid_details, r.has_award, r.award_status, r.award_supplier_id
FROM core.ocds_release_rows r
JOIN numbered n ON n.source = r.source AND n.kind = r.kind AND n.source_id = r.source_id;

CREATE OR REPLACE TEMP TABLE cardinal_releases AS
SELECT p.line_no, o.r AS release
FROM temp.cardinal_processes p
JOIN core.ocds_releases_in o ON o.kind = p.kind AND o.source_id = p.source_id
WHERE p.source = 'ocds'
ORDER BY p.line_no;
