-- Cardinal step 0a, nightly: every process built from core, flattened without writing its JSON.
-- What: appends to temp.cardinal_rel, temp.cardinal_bids and temp.cardinal_awards (the shapes of
-- 105_cardinal_flatten.sql) one row per process, bids.details entry and award of each process
-- whose source is not 'ocds' (those keep their publisher's release, flattened by 105), from
-- temp.cardinal_processes (100_cardinal.sql: the rows of core.ocds_release_rows) and
-- core.ocds_bid_rows: the same rows and macros the OCDS export core.ocds_releases assembles into
-- JSON (sql/core/700_ocds_mapping.sql). Each column is what 105 would read from that process's
-- exported release: ocid; pmd = the method as published (procurementMethodDetails); pm =
-- procurementMethod; buyer and procuring entity ids; releases whose tender status is
-- 'cancelled' or whose method is in [exclusions] skipped; bid status (invited/disqualified/
-- valid/pending), one tenderer per bid (its organisation id, when known), amount as DOUBLE in
-- 'IDR'; no bid date; at most one award (status, one supplier) with no items.
-- Why: the nightly build used to write every process as an OCDS JSON document and parse it back
-- field by field (36 s of the 42 s indicator stage at 1M processes, and the night's memory
-- peak); the typed rows give the same indicator input from one pass over core.
-- Source: ../shared/indicators.md §1.2; the mapping rules of sql/core/700_ocds_mapping.sql.
-- tests/test_cardinal_nightly.py checks these rows and the nightly flags against
-- `pantau indicators` over `pantau export ocds` of the same warehouse.
-- creates: core.cardinal_from_core
-- depends: core.cardinal_list, core.cardinal_price_ok, core.ocds_amount, core.ocds_bid_rows,
--   core.ocds_currency, temp.cardinal_processes
-- fills: temp.cardinal_awards, temp.cardinal_bids, temp.cardinal_rel

-- The processes read from core: not from an OCDS publisher, and not skipped as 105 skips.
CREATE OR REPLACE MACRO core.cardinal_from_core(source, tender_status, method) AS
    source <> 'ocds' AND tender_status <> 'cancelled'
    AND NOT coalesce(list_contains(core.cardinal_list('cardinal_exclusions'), method), false);

INSERT INTO temp.cardinal_rel BY NAME
SELECT line_no, ocid,
    method AS pmd,
    procurement_method AS pm,
    buyer_id,
    procuring_entity_id AS pe_id,
    has_award AS has_awards,
    coalesce(has_bid_details, false) AS has_details,
    core.cardinal_price_ok(method) AS price_ok,
    CASE WHEN number_of_tenderers >= 0 THEN number_of_tenderers END AS number_of_tenderers,
    CASE WHEN has_tender_period THEN tender_period_start END AS period_start,
    CASE WHEN has_tender_period THEN tender_period_end END AS period_end
FROM temp.cardinal_processes
WHERE core.cardinal_from_core(source, tender_status, method);

-- A process with bids has bids.details (has_bid_details), so its bids need no join to it.
INSERT INTO temp.cardinal_bids BY NAME
SELECT b.process_no AS line_no, b.ocid, b.idx, b.status,
    b.status NOT IN ('invited', 'withdrawn') AS submitted,
    core.ocds_amount(b.offer_value) AS amount,
    core.ocds_currency(b.offer_value) AS currency,
    b.org_id IS NOT NULL AS has_tenderers,
    CASE WHEN b.org_id IS NOT NULL THEN 1 END AS n_tenderers,
    CASE WHEN b.org_id IS NOT NULL THEN [b.org_id] END AS tenderer_ids,
    b.org_id AS sole_tenderer,
    CAST(NULL AS VARCHAR) AS bid_date
FROM core.ocds_bid_rows b
WHERE core.cardinal_from_core(b.source, b.tender_status, b.method);

INSERT INTO temp.cardinal_awards BY NAME
SELECT line_no, ocid, 0 AS idx, award_status AS status,
    CASE WHEN award_supplier_id IS NOT NULL THEN 1 END AS n_suppliers,
    CASE WHEN award_supplier_id IS NOT NULL THEN [award_supplier_id] END AS supplier_ids,
    award_supplier_id AS sole_supplier,
    CAST(NULL AS VARCHAR[]) AS item_class_ids
FROM temp.cardinal_processes
WHERE has_award AND core.cardinal_from_core(source, tender_status, method);
