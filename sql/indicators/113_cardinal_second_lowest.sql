-- Cardinal shared step for R024 and R058: the relative gap between the winning bid and the
-- lowest other valid bid of each process.
-- What: per process that passes the price-comparison filter, whose awards are all final and that
-- has exactly one active award with exactly one supplier (a string id): over valid bids with a
-- numeric amount in the main currency and exactly one tenderer (a string id), winner amount =
-- the lowest bid of the supplier, lowest non-winner = the lowest other bid (first in document
-- order on ties); kept when lowest non-winner >= winner (else the award was not on price).
-- difference = (lowest non-winner - winner) / winner.
-- Why: a competitor bidding just above the winner (R024) or a winner far below everyone else
-- (R058) are signs of cover bidding or of an abnormally low tender.
-- SPSE: valid bids are the offers that passed evaluation (passed_* columns where SPSE publishes
-- them); ISB publishes no evaluation results, so there every offer of a finished tender counts
-- as valid and the winner is the pemenang.
-- Source: ../shared/indicators.md §1.3 (open-contracting/cardinal-rs@b04158a src/indicators/util.rs).
-- creates: core.cardinal_slbr
-- depends: temp.cardinal_bids, core.cardinal_currency, core.cardinal_enabled, core.cardinal_final,
--   temp.cardinal_rel
CREATE OR REPLACE TABLE core.cardinal_slbr AS
WITH proc AS (
    SELECT f.line_no, f.ocid, f.sole_active_supplier AS supplier
    FROM core.cardinal_final f JOIN temp.cardinal_rel r USING (line_no)
    WHERE (core.cardinal_enabled('R024') OR core.cardinal_enabled('R058'))
        AND r.price_ok AND f.n_active = 1 AND f.sole_active_supplier IS NOT NULL
),
vb AS (
    SELECT b.line_no, b.idx, b.sole_tenderer AS tenderer, b.amount, p.supplier
    FROM temp.cardinal_bids b
    JOIN proc p USING (line_no)
    CROSS JOIN core.cardinal_currency c
    WHERE b.status = 'valid' AND b.amount IS NOT NULL AND b.currency = c.currency
        AND b.sole_tenderer IS NOT NULL
),
w AS (
    SELECT line_no, any_value(supplier) AS winner_id,
        min(amount) FILTER (WHERE tenderer = supplier) AS winner_amount,
        min(amount) FILTER (WHERE tenderer <> supplier) AS lnw_amount,
        first(tenderer ORDER BY amount, idx) FILTER (WHERE tenderer <> supplier) AS lnw_id
    FROM vb GROUP BY line_no
)
SELECT w.line_no, p.ocid, w.winner_id, w.lnw_id,
    (w.lnw_amount - w.winner_amount) / w.winner_amount AS diff
FROM w JOIN proc p USING (line_no)
WHERE w.winner_amount IS NOT NULL AND w.lnw_amount IS NOT NULL AND w.lnw_amount >= w.winner_amount
QUALIFY row_number() OVER (PARTITION BY p.ocid ORDER BY w.line_no DESC) = 1;
