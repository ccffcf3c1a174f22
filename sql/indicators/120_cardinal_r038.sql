-- flag R038: Excessive disqualified bids.
-- definition: per buyer, procuring entity and tenderer, ratio = disqualified / submitted bids over all
--   processes with a submitted bid. Buyers and procuring entities need >= [R038]
--   minimum_contracting_processes (default 2) submitted bids (Cardinal compares that minimum with
--   the bid count, not a process count), tenderers >= minimum_submitted_bids (default 2).
--   Flagged when ratio >= the group's upper fence Q3 + 1.5·IQR (or [R038] threshold) and the fence
--   > 0. Buyer / ProcuringEntity / Tenderer = ratio.
-- parameters: R038.threshold (default: the upper fence), R038.minimum_submitted_bids (default 2), R038.minimum_contracting_processes (default 2)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R038 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: the disqualified / submitted ratio (Buyer, ProcuringEntity or Tenderer).
-- Why: a buyer that disqualifies unusually many bids may be steering awards.
-- SPSE: buyer = the K/L/PD (kd_klpd), procuring entity = the satuan kerja (kd_satker); on
--   ISB-only data there are no disqualifications (see 118), so R038 stays silent there.
-- Source: ../shared/indicators.md §1.3 R038 (open-contracting/cardinal-rs@b04158a src/indicators/r038.rs).
-- creates: core.cardinal_r038_ratios, core.cardinal_r038_stats
-- depends: temp.cardinal_bids, core.cardinal_enabled, core.cardinal_fma15, core.cardinal_q8,
--   temp.cardinal_rel
-- fills: core.cardinal_meta, core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_r038_ratios AS
WITH sb AS (SELECT * FROM temp.cardinal_bids WHERE submitted AND core.cardinal_enabled('R038')),
proc AS (
    SELECT line_no, count(*) AS s, count(*) FILTER (WHERE status = 'disqualified') AS d
    FROM sb GROUP BY line_no
),
fr AS (
    SELECT 'Buyer' AS grp, r.buyer_id AS id, sum(d) AS num, sum(s) AS den
    FROM proc JOIN temp.cardinal_rel r USING (line_no) WHERE r.buyer_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'ProcuringEntity', r.pe_id, sum(d), sum(s)
    FROM proc JOIN temp.cardinal_rel r USING (line_no) WHERE r.pe_id IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT 'Tenderer', t, sum(CASE WHEN status = 'disqualified' THEN 1 ELSE 0 END), count(*)
    FROM (SELECT status, unnest(tenderer_ids) AS t FROM sb WHERE has_tenderers) GROUP BY ALL
)
SELECT grp, id, CAST(num AS DOUBLE) / CAST(den AS DOUBLE) AS ratio
FROM fr
WHERE den >= CASE WHEN grp = 'Tenderer' THEN coalesce(getvariable('cardinal_r038_minimum_submitted_bids'), 2)
                  ELSE coalesce(getvariable('cardinal_r038_minimum_contracting_processes'), 2) END;

CREATE OR REPLACE TABLE core.cardinal_r038_stats AS
WITH q AS (
    SELECT grp, core.cardinal_q8(list_sort(list(ratio)), 0.25) AS q1,
        core.cardinal_q8(list_sort(list(ratio)), 0.75) AS q3
    FROM core.cardinal_r038_ratios GROUP BY grp
)
SELECT grp, q1, q3, getvariable('cardinal_r038_threshold') AS threshold,
    coalesce(getvariable('cardinal_r038_threshold'), core.cardinal_fma15(q3 - q1, 1, q3)) AS fence
FROM q;

INSERT INTO core.cardinal_results
SELECT NULL, r.grp, r.id, 'R038', r.ratio
FROM core.cardinal_r038_ratios r JOIN core.cardinal_r038_stats s USING (grp)
WHERE r.ratio >= s.fence AND s.fence > 0;

INSERT INTO core.cardinal_meta
SELECT 'R038', grp || '_' || k, v FROM core.cardinal_r038_stats,
    (VALUES ('q1'), ('q3'), ('upper_fence')) AS keys(k),
    LATERAL (SELECT CASE k WHEN 'q1' THEN q1 WHEN 'q3' THEN q3 ELSE fence END AS v)
WHERE k = 'upper_fence' OR threshold IS NULL;
