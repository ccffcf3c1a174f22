-- flag R058: Heavily discounted bid.
-- definition: the difference of 113 is at or above the upper fence Q3 + 1.5·IQR of all differences (or
--   [R058] threshold), with the fence > 0. OCID = difference; the winner Tenderer 0.0.
-- parameters: R058.threshold (default: the upper fence)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R058 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: the relative difference for the process (OCID); the winner Tenderer 0.0.
-- Why: a winner far below every other bidder may plan to recover the gap through contract
--   amendments, or the others were never meant to win.
-- SPSE: SPSE evaluates abnormally low offers ("harga penawaran di bawah 80% HPS" clarification);
--   a flag here means the winner's offer is far below the next valid offer.
-- Source: ../shared/indicators.md §1.3 R058 (open-contracting/cardinal-rs@b04158a src/indicators/r058.rs).
-- creates: core.cardinal_r058_stats
-- depends: core.cardinal_enabled, core.cardinal_fma15, core.cardinal_q8, core.cardinal_slbr
-- fills: core.cardinal_meta, core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_r058_stats AS
WITH d AS (SELECT list_sort(list(diff)) AS v FROM core.cardinal_slbr),
q AS (SELECT core.cardinal_q8(v, 0.25) AS q1, core.cardinal_q8(v, 0.75) AS q3 FROM d)
SELECT q1, q3, getvariable('cardinal_r058_threshold') AS threshold,
    coalesce(getvariable('cardinal_r058_threshold'), core.cardinal_fma15(q3 - q1, 1, q3)) AS fence
FROM q;

INSERT INTO core.cardinal_results
WITH f AS (
    SELECT s.* FROM core.cardinal_slbr s, core.cardinal_r058_stats q
    WHERE core.cardinal_enabled('R058') AND s.diff >= q.fence AND q.fence > 0
)
SELECT line_no, 'OCID', ocid, 'R058', diff FROM f
UNION ALL SELECT line_no, 'Tenderer', winner_id, 'R058', 0.0 FROM f;

INSERT INTO core.cardinal_meta
SELECT 'R058', k, v FROM core.cardinal_r058_stats,
    (VALUES ('q1'), ('q3'), ('upper_fence')) AS keys(k),
    LATERAL (SELECT CASE k WHEN 'q1' THEN q1 WHEN 'q3' THEN q3 ELSE fence END AS v)
WHERE core.cardinal_enabled('R058') AND (k = 'upper_fence' OR threshold IS NULL);
