-- flag R036: Lowest bid disqualified.
-- definition: in a process that passes the price-comparison filter and has an active award, the lowest
--   submitted bid with a numeric amount in the main currency (the first in document order on a
--   tie) is disqualified, and some valid bid has an amount. OCID = 1.0.
-- parameters: none (Cardinal's global [exclusions] and price-comparison settings only)
-- basis: OCP Cardinal R036 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: 1.0 for the process (group OCID).
-- Why: throwing out the cheapest offer is how a preferred, dearer bidder is made to win.
-- SPSE: disqualified = failed evaluation (SPSE hasil evaluasi); ISB has no evaluation results,
--   so on ISB-only data R036 cannot fire (see 118).
-- Source: ../shared/indicators.md §1.3 R036 (open-contracting/cardinal-rs@b04158a src/indicators/r036.rs).
-- depends: temp.cardinal_awards, temp.cardinal_bids, core.cardinal_currency,
--   core.cardinal_enabled, temp.cardinal_rel
-- fills: core.cardinal_results
INSERT INTO core.cardinal_results
WITH rel AS (
    SELECT line_no, ocid FROM temp.cardinal_rel
    WHERE core.cardinal_enabled('R036') AND price_ok
        AND line_no IN (SELECT line_no FROM temp.cardinal_awards WHERE status = 'active')
),
lowest AS (
    SELECT b.line_no, first(b.status ORDER BY b.amount, b.idx) AS status
    FROM temp.cardinal_bids b JOIN rel USING (line_no) CROSS JOIN core.cardinal_currency c
    WHERE b.submitted AND b.amount IS NOT NULL AND b.currency = c.currency
    GROUP BY b.line_no
)
SELECT l.line_no, 'OCID', rel.ocid, 'R036', 1.0
FROM lowest l JOIN rel USING (line_no)
WHERE l.status = 'disqualified'
    AND l.line_no IN (SELECT line_no FROM temp.cardinal_bids WHERE status = 'valid' AND amount IS NOT NULL);
