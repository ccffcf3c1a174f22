-- flag R025: Excessive unsuccessful bids.
-- definition: per tenderer, over processes whose awards are final with one active award to one
--   supplier: denominator = processes in which it had a valid single-tenderer bid (once each),
--   numerator = those it won; ratio = numerator/denominator. Flagged when the denominator >= the
--   [R025] percentile (default 75th) of all denominators and the ratio <= the lower fence
--   Q1 - 1.5·IQR of all ratios (or [R025] threshold), with Q1 > 0 and fence > 0. Tenderer = ratio.
-- parameters: R025.percentile (default 75), R025.threshold (default: the lower fence)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R025 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: the tenderer's win ratio (group Tenderer).
-- Why: a company that bids often and almost never wins may be a cover bidder in a cartel.
-- SPSE: a participant's offers in finished tenders (ISB: every offer; SPSE: offers that passed
--   evaluation); tenderers are keyed by NPWP where known.
-- Source: ../shared/indicators.md §1.3 R025 (open-contracting/cardinal-rs@b04158a src/indicators/r025.rs).
-- creates: core.cardinal_r025_tenderers, core.cardinal_r025_stats
-- depends: temp.cardinal_bids, core.cardinal_enabled, core.cardinal_final, core.cardinal_fma15,
--   core.cardinal_q8
-- fills: core.cardinal_meta, core.cardinal_results
CREATE OR REPLACE TABLE core.cardinal_r025_tenderers AS
WITH proc AS (
    SELECT line_no, sole_active_supplier AS supplier FROM core.cardinal_final
    WHERE n_active = 1 AND sole_active_supplier IS NOT NULL AND core.cardinal_enabled('R025')
),
vt AS (
    SELECT DISTINCT b.line_no, b.sole_tenderer AS tenderer, p.supplier
    FROM temp.cardinal_bids b JOIN proc p USING (line_no)
    WHERE b.status = 'valid' AND b.sole_tenderer IS NOT NULL
)
SELECT tenderer AS id, count(*) FILTER (WHERE tenderer = supplier) AS num, count(*) AS den,
    CAST(count(*) FILTER (WHERE tenderer = supplier) AS DOUBLE) / CAST(count(*) AS DOUBLE) AS ratio
FROM vt GROUP BY tenderer;

CREATE OR REPLACE TABLE core.cardinal_r025_stats AS
WITH d AS (
    SELECT list_sort(list(CAST(den AS DOUBLE))) AS dens, list_sort(list(ratio)) AS ratios
    FROM core.cardinal_r025_tenderers
),
q AS (
    SELECT core.cardinal_q8(dens, CAST(coalesce(getvariable('cardinal_r025_percentile'), 75) AS DOUBLE)
                                  / CAST(100 AS DOUBLE)) AS upper_fence,
        core.cardinal_q8(ratios, 0.25) AS q1, core.cardinal_q8(ratios, 0.75) AS q3
    FROM d
)
SELECT upper_fence, q1, q3, getvariable('cardinal_r025_threshold') AS threshold,
    coalesce(getvariable('cardinal_r025_threshold'), core.cardinal_fma15(q3 - q1, -1, q1)) AS lower_fence
FROM q;

INSERT INTO core.cardinal_results
SELECT NULL, 'Tenderer', t.id, 'R025', t.ratio
FROM core.cardinal_r025_tenderers t, core.cardinal_r025_stats q
WHERE CAST(t.den AS DOUBLE) >= q.upper_fence AND t.ratio <= q.lower_fence
    AND (q.threshold IS NOT NULL OR q.q1 > 0) AND q.lower_fence > 0;

INSERT INTO core.cardinal_meta
SELECT 'R025', k, v FROM core.cardinal_r025_stats,
    (VALUES ('q1'), ('q3'), ('lower_fence'), ('upper_fence')) AS keys(k),
    LATERAL (SELECT CASE k WHEN 'q1' THEN q1 WHEN 'q3' THEN q3 WHEN 'lower_fence' THEN lower_fence
                           ELSE upper_fence END AS v)
WHERE core.cardinal_enabled('R025') AND (k IN ('lower_fence', 'upper_fence') OR threshold IS NULL);
