-- flag ID-C10: submission period shorter than the minimum for its method.
-- definition: a tender whose bid-upload stage (schedule stage 'upload dokumen penawaran') lasts
--   from its start to its end strictly less than the minimum number of days configured for its
--   method (mtd_pemilihan as published, e.g. Tender, Seleksi; matched case-insensitively).
--   Exact durations (fractional days), not rounded; a method without a configured minimum is
--   not checked. When a tender has several such stages, the longest counts.
-- parameters: id_c10_min_days, id_c10_stages
-- basis: Peraturan LKPP 12/2021 sets the tender timelines, but its minima are not verified
--   (indicators.md §5.2, §6 q4): no minimum ships as a default; the historical Perpres 54/2010
--   rule is not applied. Cf. OCP Cardinal R003 (short submission period, indicators.md §1.3).
-- value: the submission period in days.
-- Why: too short a window keeps out bidders who were not told in advance.
-- depends: core.schedule, core.setting, core.setting_list, core.squash, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
WITH periods AS (
    SELECT p.kind, p.source, p.source_id, p.method,
        max(epoch(s.ends_at - s.starts_at)) / 86400.0 AS days
    FROM temp.compliance_base p
    JOIN core.schedule s ON s.source = p.source AND s.source_id = p.source_id
    WHERE p.kind = 'tender' AND list_contains(core.setting_list('id_c10_stages'), s.stage)
      AND s.starts_at IS NOT NULL AND s.ends_at IS NOT NULL
    GROUP BY ALL
),
minima AS (
    SELECT k AS method, CAST(json_extract_string(j, k) AS DOUBLE) AS min_days
    FROM (SELECT j, unnest(json_keys(j)) AS k
          FROM (SELECT core.setting('id_c10_min_days') AS j))
)
SELECT p.kind, p.source, p.source_id, 'ID-C10', p.days,
    format('{}: submission period {} days < minimum {} days', p.method, round(p.days, 2),
           m.min_days)
FROM periods p JOIN minima m ON lower(m.method) = lower(core.squash(p.method))
WHERE p.days < m.min_days;
