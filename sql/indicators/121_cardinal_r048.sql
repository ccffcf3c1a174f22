-- flag R048: Heterogeneous supplier.
-- definition: per supplier of active single-supplier awards, the number of distinct item
--   classification prefixes (first [R048] digits characters, default 2) it was awarded, among
--   suppliers seen in >= minimum_contracting_processes processes (default 20). Flagged when that
--   variety >= the upper fence Q3 + 1.5·IQR (or [R048] threshold); no "> 0" guard. Tenderer = variety.
-- parameters: R048.digits (default 2), R048.threshold (default: the upper fence), R048.minimum_contracting_processes (default 20)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R048 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: the number of distinct classification prefixes (Tenderer).
-- Why: a company that supplies everything from asphalt to laptops is often a front or a broker.
-- SPSE: ISB packages carry no item classification, so R048 needs an OCDS publisher with item
--   codes (UNSPSC/CPV) or e-katalog product categories; on ISB-only data it stays silent.
-- Source: ../shared/indicators.md §1.3 R048 (open-contracting/cardinal-rs@b04158a src/indicators/r048.rs).
-- creates: core.cardinal_r048_varieties, core.cardinal_r048_stats
-- depends: temp.cardinal_awards, core.cardinal_enabled, core.cardinal_fma15, core.cardinal_q8
-- fills: core.cardinal_meta, core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_r048_varieties AS
WITH a AS (
    SELECT line_no, sole_supplier AS supplier, item_class_ids FROM temp.cardinal_awards
    WHERE core.cardinal_enabled('R048') AND status = 'active' AND sole_supplier IS NOT NULL
        AND item_class_ids IS NOT NULL
),
c AS (SELECT line_no, supplier, unnest(item_class_ids) AS cid FROM a)
SELECT supplier AS id, count(DISTINCT line_no) AS n,
    CAST(count(DISTINCT left(cid, CAST(coalesce(getvariable('cardinal_r048_digits'), 2) AS BIGINT))) AS DOUBLE) AS variety
FROM c WHERE cid IS NOT NULL GROUP BY supplier
HAVING count(DISTINCT line_no) >= coalesce(getvariable('cardinal_r048_minimum_contracting_processes'), 20);

CREATE OR REPLACE TABLE core.cardinal_r048_stats AS
WITH q AS (
    SELECT core.cardinal_q8(list_sort(list(variety)), 0.25) AS q1,
        core.cardinal_q8(list_sort(list(variety)), 0.75) AS q3
    FROM core.cardinal_r048_varieties
)
SELECT q1, q3, getvariable('cardinal_r048_threshold') AS threshold,
    coalesce(CAST(getvariable('cardinal_r048_threshold') AS DOUBLE), core.cardinal_fma15(q3 - q1, 1, q3)) AS fence
FROM q;

INSERT INTO core.cardinal_results
SELECT NULL, 'Tenderer', v.id, 'R048', v.variety
FROM core.cardinal_r048_varieties v, core.cardinal_r048_stats s
WHERE v.variety >= s.fence;

INSERT INTO core.cardinal_meta
SELECT 'R048', k, v FROM core.cardinal_r048_stats,
    (VALUES ('q1'), ('q3'), ('upper_fence')) AS keys(k),
    LATERAL (SELECT CASE k WHEN 'q1' THEN q1 WHEN 'q3' THEN q3 ELSE fence END AS v)
WHERE core.cardinal_enabled('R048') AND (k = 'upper_fence' OR threshold IS NULL);
