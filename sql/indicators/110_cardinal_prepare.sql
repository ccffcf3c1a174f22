-- Cardinal step 0: the compiled releases of core.cardinal_releases, flattened for the indicators.
-- What: one row per release (core.cardinal_rel), bid (core.cardinal_bids) and award
-- (core.cardinal_awards); the releases Cardinal skips globally are dropped here; the main
-- currency is chosen; the result tables every indicator file appends to are emptied.
-- Why: the 11 indicator files (111-122) share these shapes and rules, exactly as Cardinal's
-- Indicators::run does before calling each indicator, so the conformance fixtures pass bit for bit.
-- Source: ../shared/indicators.md §1.2 (open-contracting/cardinal-rs@b04158a src/lib.rs):
-- a release is skipped when /ocid is not a string, /tender/status is "cancelled", or
-- /tender/procurementMethodDetails is in [exclusions] procurement_method_details. Only JSON
-- strings count as ids/statuses and only JSON numbers as amounts (no coercion, as Cardinal).
-- Input: core.cardinal_releases(line_no BIGINT, release JSON), in file order. The command
-- `pantau indicators` fills it from a JSON Lines file; the nightly build from core
-- (100_cardinal.sql). Settings are DuckDB variables cardinal_* (models/cardinal.py); an unset
-- variable means Cardinal's default, and an unset cardinal_enabled means all 11 indicators.

CREATE OR REPLACE MACRO core.cardinal_str(j) AS CASE WHEN json_type(j) = 'VARCHAR' THEN j ->> '$' END;
CREATE OR REPLACE MACRO core.cardinal_num(j) AS
    CASE WHEN json_type(j) IN ('UBIGINT', 'BIGINT', 'DOUBLE', 'HUGEINT') THEN CAST(j AS DOUBLE) END;
CREATE OR REPLACE MACRO core.cardinal_list(name) AS coalesce(getvariable(name), []::VARCHAR[]);
CREATE OR REPLACE MACRO core.cardinal_enabled(code) AS
    getvariable('cardinal_enabled') IS NULL OR list_contains(getvariable('cardinal_enabled'), code);

-- Price-comparison filter (R024, R028, R036, R058): an allow-list, when set, replaces the deny-list.
CREATE OR REPLACE MACRO core.cardinal_price_ok(pmd) AS CASE
    WHEN len(core.cardinal_list('cardinal_price_comparison')) > 0
        THEN coalesce(list_contains(core.cardinal_list('cardinal_price_comparison'), pmd), false)
    WHEN pmd IS NULL THEN true
    ELSE NOT list_contains(core.cardinal_list('cardinal_no_price_comparison'), pmd)
    END;

-- Hyndman-Fan type 8 quantile of a sorted list, as Rust statrs 0.16 computes it:
-- h = (n + 1/3)·tau + 1/3, k = trunc(h); x1 if k <= 0, xn if k >= n, else x_k + (h-k)(x_k+1 - x_k).
CREATE OR REPLACE MACRO core.cardinal_q8(v, tau) AS CASE
    WHEN v IS NULL OR len(v) = 0 THEN 'NaN'::DOUBLE
    ELSE list_transform(
        [(CAST(len(v) AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)) * CAST(tau AS DOUBLE)
            + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)],
        lambda h: CASE
            WHEN floor(h) <= 0 OR tau = 0 THEN v[1]
            WHEN floor(h) >= len(v) OR tau = 1 THEN v[len(v)]
            ELSE v[CAST(floor(h) AS BIGINT)] + (h - floor(h))
                * (v[CAST(floor(h) AS BIGINT) + 1] - v[CAST(floor(h) AS BIGINT)])
            END)[1]
    END;

-- Error-free sum: a + b = s + e exactly (Knuth's TwoSum).
CREATE OR REPLACE MACRO core.cardinal_two_sum(a, b) AS list_transform([a + b],
    lambda s: {'s': s, 'e': (a - (s - (s - a))) + (b - (s - a))})[1];

-- Fences as Rust computes them: (q3 - q1).mul_add(±1.5, c), a fused multiply-add rounded once.
-- DuckDB has no fma, so the exact value a·(±1.5) + c is carried as r + w + v (TwoSum steps; a·0.5
-- is exact) and rounded once to nearest-even by hand. tests/test_cardinal_fma.py checks it against
-- exact rational arithmetic.
CREATE OR REPLACE MACRO core.cardinal_fma15(a, sgn, c) AS
list_transform([core.cardinal_two_sum(CAST(sgn AS DOUBLE) * a, CAST(sgn AS DOUBLE) * a * 0.5)], lambda pe:
 list_transform([core.cardinal_two_sum(pe.s, CAST(c AS DOUBLE))], lambda st:
  list_transform([core.cardinal_two_sum(st.e, pe.e)], lambda uv:
   list_transform([core.cardinal_two_sum(st.s, uv.s)], lambda rw:
    list_transform([core.cardinal_two_sum(rw.e, uv.e)], lambda zz:
     CASE
      WHEN zz.s = 0 OR isnan(rw.s) OR isinf(rw.s) THEN rw.s
      ELSE list_transform(
        [(nextafter(rw.s, CASE WHEN zz.s > 0 THEN 'inf'::DOUBLE ELSE '-inf'::DOUBLE END) - rw.s) / 2],
        lambda half: CASE
          WHEN abs(zz.s) < abs(half) THEN rw.s
          WHEN abs(zz.s) > 2 * abs(half) THEN rw.s + zz.s
          WHEN abs(zz.s) > abs(half) THEN rw.s + 2 * half
          WHEN zz.e = 0 THEN rw.s + half
          WHEN sign(zz.e) = sign(half) THEN rw.s + 2 * half
          ELSE rw.s
          END)[1]
     END)[1])[1])[1])[1])[1];

CREATE OR REPLACE TABLE core.cardinal_rel AS
WITH src AS (
    SELECT line_no, release AS r,
        core.cardinal_str(release -> 'ocid') AS ocid,
        CASE WHEN json_type(release -> 'tender') = 'OBJECT' THEN release -> 'tender' END AS tender
    FROM core.cardinal_releases
    WHERE json_type(release) = 'OBJECT'
)
SELECT line_no, ocid, r, tender,
    core.cardinal_str(tender -> 'procurementMethodDetails') AS pmd,
    core.cardinal_str(tender -> 'procurementMethod') AS pm,
    CASE WHEN json_type(r -> 'buyer') = 'OBJECT' THEN core.cardinal_str(r -> 'buyer' -> 'id') END AS buyer_id,
    CASE WHEN json_type(tender -> 'procuringEntity') = 'OBJECT'
        THEN core.cardinal_str(tender -> 'procuringEntity' -> 'id') END AS pe_id,
    coalesce(json_type(r -> 'awards') = 'ARRAY', false) AS has_awards,
    coalesce(json_type(r -> 'bids') = 'OBJECT' AND json_type(r -> 'bids' -> 'details') = 'ARRAY', false)
        AS has_details,
    core.cardinal_price_ok(core.cardinal_str(tender -> 'procurementMethodDetails')) AS price_ok
FROM src
WHERE ocid IS NOT NULL
    AND coalesce(core.cardinal_str(tender -> 'status'), '') <> 'cancelled'
    AND NOT coalesce(list_contains(core.cardinal_list('cardinal_exclusions'),
                                   core.cardinal_str(tender -> 'procurementMethodDetails')), false);

CREATE OR REPLACE TABLE core.cardinal_bids AS
WITH b AS (
    SELECT line_no, ocid,
        unnest(CAST(r -> 'bids' -> 'details' AS JSON[])) AS bid,
        unnest(range(CAST(json_array_length(r -> 'bids' -> 'details') AS BIGINT))) AS idx
    FROM core.cardinal_rel WHERE has_details
),
t AS (
    SELECT *,
        CASE WHEN json_type(bid -> 'tenderers') = 'ARRAY' THEN CAST(bid -> 'tenderers' AS JSON[]) END AS tenderers,
        CASE WHEN json_type(bid -> 'value') = 'OBJECT' THEN bid -> 'value' END AS val
    FROM b
)
SELECT line_no, ocid, idx,
    core.cardinal_str(bid -> 'status') AS status,
    coalesce(core.cardinal_str(bid -> 'status') NOT IN ('invited', 'withdrawn'), false) AS submitted,
    core.cardinal_num(val -> 'amount') AS amount,
    core.cardinal_str(val -> 'currency') AS currency,
    tenderers IS NOT NULL AS has_tenderers,
    len(tenderers) AS n_tenderers,
    list_filter(list_transform(tenderers, lambda x: core.cardinal_str(x -> 'id')),
                lambda x: x IS NOT NULL) AS tenderer_ids,
    CASE WHEN len(tenderers) = 1 THEN core.cardinal_str(tenderers[1] -> 'id') END AS sole_tenderer,
    core.cardinal_str(bid -> 'date') AS bid_date
FROM t;

CREATE OR REPLACE TABLE core.cardinal_awards AS
WITH a AS (
    SELECT line_no, ocid,
        unnest(CAST(r -> 'awards' AS JSON[])) AS award,
        unnest(range(CAST(json_array_length(r -> 'awards') AS BIGINT))) AS idx
    FROM core.cardinal_rel WHERE has_awards
),
s AS (
    SELECT *,
        CASE WHEN json_type(award -> 'suppliers') = 'ARRAY' THEN CAST(award -> 'suppliers' AS JSON[]) END AS suppliers
    FROM a
)
SELECT line_no, ocid, idx, award,
    core.cardinal_str(award -> 'status') AS status,
    len(suppliers) AS n_suppliers,
    list_filter(list_transform(suppliers, lambda x: core.cardinal_str(x -> 'id')),
                lambda x: x IS NOT NULL) AS supplier_ids,
    CASE WHEN len(suppliers) = 1 THEN core.cardinal_str(suppliers[1] -> 'id') END AS sole_supplier
FROM s;

-- "All awards final": awards and bids/details are arrays, and every award with a string status
-- is active, cancelled or unsuccessful. complete = the active awards.
CREATE OR REPLACE TABLE core.cardinal_final AS
SELECT r.line_no, r.ocid,
    count(a.idx) FILTER (WHERE a.status = 'active') AS n_active,
    CASE WHEN count(a.idx) FILTER (WHERE a.status = 'active') = 1
        THEN any_value(a.sole_supplier) FILTER (WHERE a.status = 'active') END AS sole_active_supplier,
    coalesce(flatten(list(a.supplier_ids) FILTER (WHERE a.status = 'active')), []) AS active_supplier_ids
FROM core.cardinal_rel r
LEFT JOIN core.cardinal_awards a ON a.line_no = r.line_no
WHERE r.has_awards AND r.has_details
GROUP BY r.line_no, r.ocid
HAVING count(a.idx) FILTER (WHERE a.status NOT IN ('active', 'cancelled', 'unsuccessful')) = 0;

-- Main currency: the `currency` setting, else the first currency observed in file order by the
-- shared second-lowest-bid step (R024/R058) and then R036, as Cardinal folds them per release.
CREATE OR REPLACE TABLE core.cardinal_currency AS
WITH obs AS (
    SELECT b.line_no, 0 AS phase, b.idx, b.currency
    FROM core.cardinal_bids b
    JOIN core.cardinal_rel r USING (line_no)
    JOIN core.cardinal_final f USING (line_no)
    WHERE (core.cardinal_enabled('R024') OR core.cardinal_enabled('R058'))
        AND r.price_ok AND f.n_active = 1 AND f.sole_active_supplier IS NOT NULL
        AND b.status = 'valid' AND b.amount IS NOT NULL AND b.currency IS NOT NULL
        AND b.sole_tenderer IS NOT NULL
    UNION ALL
    SELECT b.line_no, 1, b.idx, b.currency
    FROM core.cardinal_bids b
    JOIN core.cardinal_rel r USING (line_no)
    WHERE core.cardinal_enabled('R036') AND r.price_ok AND b.submitted
        AND b.amount IS NOT NULL AND b.currency IS NOT NULL
        AND b.line_no IN (SELECT line_no FROM core.cardinal_awards WHERE status = 'active')
)
SELECT coalesce(getvariable('cardinal_currency'),
                (SELECT currency FROM obs ORDER BY line_no, phase, idx LIMIT 1)) AS currency;

-- What every indicator file appends to: results (group, id, code, value) and Meta.
CREATE OR REPLACE TABLE core.cardinal_results (
    line_no BIGINT, grp VARCHAR, id VARCHAR, code VARCHAR, value DOUBLE);
CREATE OR REPLACE TABLE core.cardinal_meta (code VARCHAR, key VARCHAR, value DOUBLE);
