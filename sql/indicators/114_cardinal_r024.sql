-- flag R024: Price close to winning bid.
-- definition: the difference of 113 (lowest other valid bid vs winner, relative) is at or below the
--   lower fence Q1 - 1.5·IQR of all differences (type-8 quartiles, fused multiply-add), or below
--   [R024] threshold; skipped unless Q1 > 0 and the fence > 0 (most differences 0 would otherwise
--   flag everything). OCID = difference; the winner and the lowest other bidder get Tenderer 0.0.
-- parameters: R024.threshold (default: the lower fence)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R024 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: the relative difference for the process (OCID); the winner and the lowest other bidder get Tenderer 0.0.
-- Why: a losing bid a hair above the winner suggests a cover bid prepared with the winner.
-- SPSE: differences use the offers (nilai_penawaran) of the bidders that passed evaluation; a
--   tender decided on quality (the lowest offer did not win) is left out, as in Cardinal.
-- Source: ../shared/indicators.md §1.3 R024 (open-contracting/cardinal-rs@b04158a src/indicators/r024.rs).
-- creates: core.cardinal_r024_stats
-- depends: core.cardinal_enabled, core.cardinal_fma15, core.cardinal_q8, core.cardinal_slbr
-- fills: core.cardinal_meta, core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_r024_stats AS
WITH d AS (SELECT list_sort(list(diff)) AS v FROM core.cardinal_slbr),
q AS (SELECT core.cardinal_q8(v, 0.25) AS q1, core.cardinal_q8(v, 0.75) AS q3 FROM d)
SELECT q1, q3, getvariable('cardinal_r024_threshold') AS threshold,
    coalesce(getvariable('cardinal_r024_threshold'), core.cardinal_fma15(q3 - q1, -1, q1)) AS fence
FROM q;

INSERT INTO core.cardinal_results
WITH f AS (
    SELECT s.* FROM core.cardinal_slbr s, core.cardinal_r024_stats q
    WHERE core.cardinal_enabled('R024') AND s.diff <= q.fence
        AND (q.threshold IS NOT NULL OR q.q1 > 0) AND q.fence > 0
)
SELECT line_no, 'OCID', ocid, 'R024', diff FROM f
UNION ALL SELECT line_no, 'Tenderer', winner_id, 'R024', 0.0 FROM f
UNION ALL SELECT line_no, 'Tenderer', lnw_id, 'R024', 0.0 FROM f;

INSERT INTO core.cardinal_meta
SELECT 'R024', k, v FROM core.cardinal_r024_stats,
    (VALUES ('q1'), ('q3'), ('lower_fence')) AS keys(k),
    LATERAL (SELECT CASE k WHEN 'q1' THEN q1 WHEN 'q3' THEN q3 ELSE fence END AS v)
WHERE core.cardinal_enabled('R024') AND (k = 'lower_fence' OR threshold IS NULL);
