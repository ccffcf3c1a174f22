-- flag R030: Late bid won.
-- definition: a valid bid whose date is after /tender/tenderPeriod/endDate, compared as strings as
--   Cardinal does, submitted by a supplier of an active award. OCID = 1.0; that tenderer 1.0.
-- parameters: none (Cardinal's global [exclusions] and price-comparison settings only)
-- basis: OCP Cardinal R030 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: 1.0 for the process (OCID); 1.0 for the late tenderer (Tenderer).
-- Why: accepting a late bid from the eventual winner is favouritism.
-- SPSE: endDate is the end of the "Upload Dokumen Penawaran" stage; ISB publishes no
--   per-offer submission time, so SPSE-derived releases carry no bid date and R030 stays silent
--   on them (it fires on OCDS publishers that publish bid dates).
-- Source: ../shared/indicators.md §1.3 R030 (open-contracting/cardinal-rs@b04158a src/indicators/r030.rs).
-- depends: temp.cardinal_awards, temp.cardinal_bids, core.cardinal_enabled, temp.cardinal_rel
-- fills: core.cardinal_results
INSERT INTO core.cardinal_results
WITH rel AS (
    SELECT line_no, ocid, period_end AS end_date
    FROM temp.cardinal_rel
    WHERE core.cardinal_enabled('R030') AND has_awards AND has_details
),
sup AS (
    SELECT line_no, flatten(list(supplier_ids)) AS ids
    FROM temp.cardinal_awards WHERE status = 'active' AND supplier_ids IS NOT NULL GROUP BY line_no
),
late AS (
    SELECT b.line_no, rel.ocid, list_filter(b.tenderer_ids, lambda t: list_contains(sup.ids, t)) AS hit
    FROM temp.cardinal_bids b JOIN rel USING (line_no) JOIN sup USING (line_no)
    WHERE rel.end_date IS NOT NULL AND b.status = 'valid' AND b.bid_date > rel.end_date
        AND b.has_tenderers
)
SELECT line_no, 'OCID', ocid, 'R030', 1.0 FROM late WHERE len(hit) > 0
UNION ALL
SELECT line_no, 'Tenderer', hit[1], 'R030', 1.0 FROM late WHERE len(hit) > 0;
