-- flag R035: All except winning bid disqualified.
-- definition: awards all final (several active allowed); S = suppliers of active awards, V = tenderers
--   of valid bids, D = tenderers of disqualified bids. Flagged when |V| = 1, V = S and
--   |D \ V| >= [R035] threshold (default 1, at least 1). OCID = |D \ V|; the winner Tenderer 0.0.
-- parameters: R035.threshold (default 1)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R035 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: |D \ V|, the disqualified other tenderers (OCID); the winner Tenderer 0.0.
-- Why: disqualifying every competitor hands the contract to one pre-chosen company.
-- SPSE: disqualified = failed an evaluation stage (passed_administration/technical/price/
--   qualification false in SPSE's hasil evaluasi). ISB publishes no evaluation results, so ISB
--   offers are all valid and R035 cannot fire on ISB-only data: absence of a flag there is not
--   evidence of a clean evaluation.
-- Source: ../shared/indicators.md §1.3 R035 (open-contracting/cardinal-rs@b04158a src/indicators/r035.rs).
-- depends: temp.cardinal_bids, core.cardinal_enabled, core.cardinal_final
-- fills: core.cardinal_results
INSERT INTO core.cardinal_results
WITH f AS (
    SELECT line_no, ocid, list_sort(list_distinct(active_supplier_ids)) AS s
    FROM core.cardinal_final WHERE core.cardinal_enabled('R035')
),
b AS (
    SELECT line_no,
        list_sort(list_distinct(coalesce(flatten(list(tenderer_ids) FILTER (WHERE status = 'valid')), []))) AS v,
        list_distinct(coalesce(flatten(list(tenderer_ids) FILTER (WHERE status = 'disqualified')), [])) AS d
    FROM temp.cardinal_bids WHERE has_tenderers GROUP BY line_no
),
x AS (
    SELECT f.line_no, f.ocid, b.v, len(list_filter(b.d, lambda t: NOT list_contains(b.v, t))) AS n
    FROM f JOIN b USING (line_no)
    WHERE len(b.v) = 1 AND b.v = f.s
)
SELECT line_no, 'OCID', ocid, 'R035', CAST(n AS DOUBLE) FROM x
WHERE n >= greatest(coalesce(getvariable('cardinal_r035_threshold'), 1), 1)
UNION ALL
SELECT line_no, 'Tenderer', v[1], 'R035', 0.0 FROM x
WHERE n >= greatest(coalesce(getvariable('cardinal_r035_threshold'), 1), 1);
