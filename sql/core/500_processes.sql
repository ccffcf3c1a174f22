-- core.processes: every contracting process of every source, one row each.
-- Why: the same package may be described by several sources (ISB and SPSE share kd_tender /
-- kd_nontender); analysts need it once. Each source contributes core.<source>_processes with
-- the same columns; where several describe the same (kind, source_id) the row is merged field
-- by field: each column takes the first non-null value in the order of preference (INAPROC,
-- ISB, then SPSE, then OCDS), so SPSE fills what ISB lacks (e.g. a pagu ISB left null); `source` is the
-- most preferred source and `sources` lists all that describe it.
-- Stored in ocid order, the order the OCDS export and Cardinal's "file order" read: a row's
-- position (rowid) is its number there (process_no, sql/core/740_ocds_release_rows.sql), so the
-- nightly indicators need not sort 1M keys again. ocid order is (kind, source_id) order:
-- core.ocds_ocid is 'ocds-pantau-' || kind || '-' || source_id, and '-' sorts before every
-- letter, digit and '_' a kind is made of (tests/test_cardinal_nightly.py holds the numbering
-- to `pantau indicators` over the export, which reads the ocids).
-- creates: core.processes
-- depends: core.isb_processes, core.lkpp_preference, core.ocds_processes, core.spse_processes
-- test unique: core.processes(kind, source_id)
-- test not_null: core.processes(source, kind, source_id, sources)
-- test accepted_values: core.processes(source) in ('inaproc', 'isb', 'spse', 'ocds')
-- test accepted_values: core.processes(kind) in ('tender', 'non_tender', 'pencatatan_non_tender',
--   'swakelola', 'darurat', 'epurchasing')
CREATE OR REPLACE TABLE core.processes AS
WITH all_sources AS (
    -- registrations, masked ones too (SPSE); ISB lists every registered participant
    SELECT * REPLACE (coalesce(n_registered, n_participants) AS n_registered)
    FROM (
        -- LKPP's own data first: INAPROC (the live gateway), then ISB (090_lkpp.sql).
        SELECT *, core.lkpp_preference(source) AS preference FROM core.isb_processes
        UNION ALL BY NAME SELECT *, 2 AS preference FROM core.spse_processes
        UNION ALL BY NAME SELECT *, 3 AS preference FROM core.ocds_processes
    )
),
-- Most processes have one source: only the others are merged, a single source's row is taken
-- as it is. Merging every row (27 arg_min states per process) spilled to disk under a 1 GB
-- memory_limit: 7 s to 13 s at 1M processes, against 1.4 s to 2.1 s this way, the same rows.
several AS (
    SELECT kind, source_id FROM all_sources GROUP BY ALL HAVING count(*) > 1
)
-- arg_min(x, preference) skips NULLs: each column comes from the most preferred source that
-- has it.
SELECT
    arg_min(source, preference) AS source, kind, source_id,
    arg_min(kd_rup, preference) AS kd_rup,
    arg_min(kd_klpd, preference) AS kd_klpd,
    arg_min(klpd_name, preference) AS klpd_name,
    arg_min(kd_satker, preference) AS kd_satker,
    arg_min(satker_name, preference) AS satker_name,
    arg_min(kd_lpse, preference) AS kd_lpse,
    arg_min(title, preference) AS title,
    arg_min(category, preference) AS category,
    arg_min(method, preference) AS method,
    arg_min(status, preference) AS status,
    arg_min(year, preference) AS year,
    arg_min(pagu, preference) AS pagu,
    arg_min(hps, preference) AS hps,
    arg_min(contract_value, preference) AS contract_value,
    arg_min(supplier_npwp, preference) AS supplier_npwp,
    arg_min(supplier_name, preference) AS supplier_name,
    arg_min(n_participants, preference) AS n_participants,
    arg_min(n_bids, preference) AS n_bids,
    arg_min(n_registered, preference) AS n_registered,
    arg_min(announced_at, preference) AS announced_at,
    arg_min(awarded_at, preference) AS awarded_at,
    arg_min(pdn_value, preference) AS pdn_value,
    arg_min(umk_value, preference) AS umk_value,
    arg_min(qualification, preference) AS qualification,
    arg_min(lpse_url, preference) AS lpse_url,
    list_sort(list(DISTINCT source)) AS sources
FROM all_sources SEMI JOIN several USING (kind, source_id)
GROUP BY kind, source_id
-- The merged rows come first, so their column order is the table's; a single row's columns
-- are matched to it by name.
UNION ALL BY NAME
SELECT * EXCLUDE (preference), [source] AS sources
FROM all_sources ANTI JOIN several USING (kind, source_id)
ORDER BY kind, source_id;
