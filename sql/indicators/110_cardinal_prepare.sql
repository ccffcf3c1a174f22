-- Cardinal step 0b: what every indicator shares, over the flattened rows.
-- What: core.cardinal_final (processes whose awards are all final), core.cardinal_currency (the
-- main currency), and the result tables every indicator file appends to, emptied.
-- Why: Cardinal's Indicators::run computes these once before calling each indicator.
-- Input: temp.cardinal_rel, temp.cardinal_bids, temp.cardinal_awards (105_cardinal_flatten.sql,
-- and in the nightly build also 106_cardinal_from_core.sql).
-- Source: ../shared/indicators.md §1.2 (open-contracting/cardinal-rs@b04158a src/lib.rs).
-- creates: core.cardinal_final, core.cardinal_currency, core.cardinal_results, core.cardinal_meta
-- depends: temp.cardinal_awards, temp.cardinal_bids, core.cardinal_enabled, temp.cardinal_rel

-- "All awards final": awards and bids/details are arrays, and every award with a string status
-- is active, cancelled or unsuccessful. complete = the active awards.
CREATE OR REPLACE TABLE core.cardinal_final AS
SELECT r.line_no, r.ocid,
    count(a.idx) FILTER (WHERE a.status = 'active') AS n_active,
    CASE WHEN count(a.idx) FILTER (WHERE a.status = 'active') = 1
        THEN any_value(a.sole_supplier) FILTER (WHERE a.status = 'active') END AS sole_active_supplier,
    coalesce(flatten(list(a.supplier_ids) FILTER (WHERE a.status = 'active')), []) AS active_supplier_ids
FROM temp.cardinal_rel r
LEFT JOIN temp.cardinal_awards a ON a.line_no = r.line_no
WHERE r.has_awards AND r.has_details
GROUP BY r.line_no, r.ocid
HAVING count(a.idx) FILTER (WHERE a.status NOT IN ('active', 'cancelled', 'unsuccessful')) = 0;

-- Main currency: the `currency` setting, else the first currency observed in file order by the
-- shared second-lowest-bid step (R024/R058) and then R036, as Cardinal folds them per release.
CREATE OR REPLACE TABLE core.cardinal_currency AS
WITH obs AS (
    SELECT b.line_no, 0 AS phase, b.idx, b.currency
    FROM temp.cardinal_bids b
    JOIN temp.cardinal_rel r USING (line_no)
    JOIN core.cardinal_final f USING (line_no)
    WHERE (core.cardinal_enabled('R024') OR core.cardinal_enabled('R058'))
        AND r.price_ok AND f.n_active = 1 AND f.sole_active_supplier IS NOT NULL
        AND b.status = 'valid' AND b.amount IS NOT NULL AND b.currency IS NOT NULL
        AND b.sole_tenderer IS NOT NULL
    UNION ALL
    SELECT b.line_no, 1, b.idx, b.currency
    FROM temp.cardinal_bids b
    JOIN temp.cardinal_rel r USING (line_no)
    WHERE core.cardinal_enabled('R036') AND r.price_ok AND b.submitted
        AND b.amount IS NOT NULL AND b.currency IS NOT NULL
        AND b.line_no IN (SELECT line_no FROM temp.cardinal_awards WHERE status = 'active')
)
SELECT coalesce(getvariable('cardinal_currency'),
                (SELECT currency FROM obs ORDER BY line_no, phase, idx LIMIT 1)) AS currency;

-- What every indicator file appends to: results (group, id, code, value) and Meta.
CREATE OR REPLACE TABLE core.cardinal_results (
    line_no BIGINT, grp VARCHAR, id VARCHAR, code VARCHAR, value DOUBLE);
CREATE OR REPLACE TABLE core.cardinal_meta (code VARCHAR, key VARCHAR, value DOUBLE);
