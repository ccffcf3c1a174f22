-- flag R028: Identical bid prices.
-- definition: within a process that passes the price-comparison filter, walking its submitted bids
--   (any status but invited/withdrawn) in document order, a bid whose (amount, currency) was last
--   seen on a bid of a different set of tenderer ids ({A,Z} = {Z,A}). OCID = 1.0; each tenderer of
--   both bids Tenderer = 1.0. Only the last id-set seen per price is compared, as Cardinal does.
-- parameters: none (Cardinal's global [exclusions] and price-comparison settings only)
-- basis: OCP Cardinal R028 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: 1.0 for the process (OCID); 1.0 for each tenderer of both bids (Tenderer).
-- Why: two companies offering exactly the same price rarely happens without coordination.
-- SPSE: submitted bids are the participants with an offer (nilai_penawaran), compared on the
--   offer as submitted, before correction.
-- Source: ../shared/indicators.md §1.3 R028 (open-contracting/cardinal-rs@b04158a src/indicators/r028.rs).
-- depends: temp.cardinal_bids, core.cardinal_enabled, temp.cardinal_rel
-- fills: core.cardinal_results
INSERT INTO core.cardinal_results
WITH b AS (
    SELECT b.line_no, b.ocid, b.idx, b.amount, b.currency,
        list_sort(list_distinct(b.tenderer_ids)) AS ids
    FROM temp.cardinal_bids b JOIN temp.cardinal_rel r USING (line_no)
    WHERE core.cardinal_enabled('R028') AND r.price_ok AND b.submitted AND b.has_tenderers
        AND b.amount IS NOT NULL AND b.currency IS NOT NULL AND len(b.tenderer_ids) > 0
),
l AS (
    SELECT *, lag(ids) OVER (PARTITION BY line_no, amount, currency ORDER BY idx) AS prev FROM b
),
f AS (SELECT * FROM l WHERE prev IS NOT NULL AND ids <> prev)
SELECT line_no, 'OCID', ocid, 'R028', 1.0 FROM f
UNION ALL
SELECT line_no, 'Tenderer', unnest(list_concat(ids, prev)), 'R028', 1.0 FROM f;
