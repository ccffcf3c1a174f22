-- Cardinal step 0a: compiled releases (JSON) flattened into the rows the indicators read.
-- What: temp.cardinal_releases(line_no BIGINT, release JSON) becomes one row per release
-- (temp.cardinal_rel), bid (temp.cardinal_bids) and award (temp.cardinal_awards), with the fields
-- the indicator files 110-122 read as typed columns; the releases Cardinal skips globally are
-- dropped here. Also the macros every Cardinal file uses.
-- Why: the 11 indicator files share these shapes and rules, exactly as Cardinal's
-- Indicators::run does before calling each indicator, so the conformance fixtures pass bit for bit.
-- Input: `pantau indicators` fills temp.cardinal_releases from a JSON Lines file, in file order;
-- the nightly build (100_cardinal.sql) with the publishers' releases of OCDS-sourced processes
-- only, and 106_cardinal_from_core.sql then adds every other process from core, with the same
-- columns and values this file would give its OCDS export (sql/core/700_ocds_mapping.sql).
-- Settings are DuckDB variables cardinal_* (models/cardinal.py); an unset variable means
-- Cardinal's default, and an unset cardinal_enabled means all 11 indicators.
-- Source: ../shared/indicators.md §1.2 (open-contracting/cardinal-rs@b04158a src/lib.rs):
-- a release is skipped when /ocid is not a string, /tender/status is "cancelled", or
-- /tender/procurementMethodDetails is in [exclusions] procurement_method_details. Only JSON
-- strings count as ids/statuses and only JSON numbers as amounts (no coercion, as Cardinal).
-- Columns: cardinal_rel(line_no, ocid, pmd, pm, buyer_id, pe_id, has_awards,
-- has_details, price_ok, number_of_tenderers [a JSON non-negative integer], period_start,
-- period_end [strings of /tender/tenderPeriod]); cardinal_bids(line_no, ocid, idx, status,
-- submitted, amount, currency, has_tenderers, n_tenderers, tenderer_ids, sole_tenderer,
-- bid_date); cardinal_awards(line_no, ocid, idx, status, n_suppliers, supplier_ids,
-- sole_supplier, item_class_ids [string /items/*/classification/id, when /items is an array]).
-- One file for the flattening: `pantau indicators` and the night run it as one step, and its
-- macros exist for its three tables.
-- creates: core.cardinal_str, core.cardinal_num, core.cardinal_list, core.cardinal_enabled,
--   core.cardinal_price_ok, core.cardinal_q8, core.cardinal_two_sum, core.cardinal_fma15,
--   temp.cardinal_rel, temp.cardinal_bids, temp.cardinal_awards
-- depends: temp.cardinal_releases

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

CREATE OR REPLACE TEMP TABLE cardinal_rel AS
WITH src AS (
    SELECT line_no, release AS r,
        core.cardinal_str(release -> 'ocid') AS ocid,
        CASE WHEN json_type(release -> 'tender') = 'OBJECT' THEN release -> 'tender' END AS tender
    FROM temp.cardinal_releases
    WHERE json_type(release) = 'OBJECT'
)
SELECT line_no, ocid,
    core.cardinal_str(tender -> 'procurementMethodDetails') AS pmd,
    core.cardinal_str(tender -> 'procurementMethod') AS pm,
    CASE WHEN json_type(r -> 'buyer') = 'OBJECT' THEN core.cardinal_str(r -> 'buyer' -> 'id') END AS buyer_id,
    CASE WHEN json_type(tender -> 'procuringEntity') = 'OBJECT'
        THEN core.cardinal_str(tender -> 'procuringEntity' -> 'id') END AS pe_id,
    coalesce(json_type(r -> 'awards') = 'ARRAY', false) AS has_awards,
    coalesce(json_type(r -> 'bids') = 'OBJECT' AND json_type(r -> 'bids' -> 'details') = 'ARRAY', false)
        AS has_details,
    core.cardinal_price_ok(core.cardinal_str(tender -> 'procurementMethodDetails')) AS price_ok,
    CASE WHEN json_type(tender -> 'numberOfTenderers') = 'UBIGINT'
        THEN CAST(tender -> 'numberOfTenderers' AS UBIGINT) END AS number_of_tenderers,
    CASE WHEN json_type(tender -> 'tenderPeriod') = 'OBJECT'
        THEN core.cardinal_str(tender -> 'tenderPeriod' -> 'startDate') END AS period_start,
    CASE WHEN json_type(tender -> 'tenderPeriod') = 'OBJECT'
        THEN core.cardinal_str(tender -> 'tenderPeriod' -> 'endDate') END AS period_end
FROM src
WHERE ocid IS NOT NULL
    AND coalesce(core.cardinal_str(tender -> 'status'), '') <> 'cancelled'
    AND NOT coalesce(list_contains(core.cardinal_list('cardinal_exclusions'),
                                   core.cardinal_str(tender -> 'procurementMethodDetails')), false);

CREATE OR REPLACE TEMP TABLE cardinal_bids AS
WITH b AS (
    SELECT r.line_no, r.ocid,
        unnest(CAST(c.release -> 'bids' -> 'details' AS JSON[])) AS bid,
        unnest(range(CAST(json_array_length(c.release -> 'bids' -> 'details') AS BIGINT))) AS idx
    FROM temp.cardinal_rel r JOIN temp.cardinal_releases c USING (line_no)
    WHERE r.has_details
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

CREATE OR REPLACE TEMP TABLE cardinal_awards AS
WITH a AS (
    SELECT r.line_no, r.ocid,
        unnest(CAST(c.release -> 'awards' AS JSON[])) AS award,
        unnest(range(CAST(json_array_length(c.release -> 'awards') AS BIGINT))) AS idx
    FROM temp.cardinal_rel r JOIN temp.cardinal_releases c USING (line_no)
    WHERE r.has_awards
),
s AS (
    SELECT *,
        CASE WHEN json_type(award -> 'suppliers') = 'ARRAY' THEN CAST(award -> 'suppliers' AS JSON[]) END AS suppliers
    FROM a
)
SELECT line_no, ocid, idx,
    core.cardinal_str(award -> 'status') AS status,
    len(suppliers) AS n_suppliers,
    list_filter(list_transform(suppliers, lambda x: core.cardinal_str(x -> 'id')),
                lambda x: x IS NOT NULL) AS supplier_ids,
    CASE WHEN len(suppliers) = 1 THEN core.cardinal_str(suppliers[1] -> 'id') END AS sole_supplier,
    CASE WHEN json_type(award -> 'items') = 'ARRAY' THEN list_filter(list_transform(
        CAST(award -> 'items' AS JSON[]),
        lambda i: CASE WHEN json_type(i -> 'classification') = 'OBJECT'
            THEN core.cardinal_str(i -> 'classification' -> 'id') END),
        lambda x: x IS NOT NULL) END AS item_class_ids
FROM s;
