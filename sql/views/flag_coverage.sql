-- view flag_coverage: which flags each region's data can support: per K/L/PD and flag, the share of the processes it applies to whose inputs the source publishes.
-- Why: a flag computed on data that lacks its inputs reads as "no red flags" when nothing could be seen; below the coverage threshold the flag shows as "not computable", never as 0.
-- Source: core.processes, core.schedule, core.bids and core.flags; the inputs each flag reads are those of its definition (pantau explain CODE).
-- column kd_klpd: K/L/PD code
-- column klpd_name: name of the K/L/PD
-- column code: the flag (as in the flags view)
-- column input: what the flag reads: schedule (stage dates), bids (the number of bids), offers (bid amounts), supplier (the winner's NPWP), contract_hps (contract value and HPS), contract (contract value), award_dates (announcement and winner determination), pagu_method, pagu_method_category, split (pagu, satker and date), announced (the process itself), pagu_qualification
-- column kinds: the process kinds the flag applies to
-- column n_processes: processes of those kinds in the K/L/PD
-- column n_with_input: of them, those whose inputs are published
-- column coverage: n_with_input / n_processes (null when there is no process)
-- column threshold: the least coverage for the flag to be computable (0.5)
-- column computable: coverage at or over the threshold
-- column n_flagged: processes with the flag; null when not computable
-- column flagged: n_flagged as text, or "not computable"
-- depends: core.bids, core.flags, core.processes, core.schedule
-- test unique: flag_coverage(kd_klpd, code)
-- test not_null: flag_coverage(kd_klpd, code, flagged)
CREATE OR REPLACE VIEW main.flag_coverage AS
WITH inputs AS (
    SELECT * FROM (VALUES
        ('R003', 'schedule', ['tender']), ('R018', 'bids', ['tender']),
        ('R024', 'offers', ['tender']), ('R025', 'offers', ['tender']),
        ('R028', 'offers', ['tender']), ('R030', 'offers', ['tender']),
        ('R035', 'offers', ['tender']), ('R036', 'offers', ['tender']),
        ('R038', 'offers', ['tender']), ('R048', 'supplier', ['tender']),
        ('R058', 'offers', ['tender']),
        ('ID-C01', 'pagu_method', ['non_tender', 'pencatatan_non_tender']),
        ('ID-C02', 'pagu_method_category', ['tender', 'non_tender']),
        ('ID-C03', 'split', ['non_tender', 'pencatatan_non_tender']),
        ('ID-C04', 'announced', ['tender', 'non_tender']),
        ('ID-C06', 'pagu_qualification', ['tender', 'non_tender']),
        ('ID-C08', 'contract_hps', ['tender', 'non_tender']),
        ('ID-C10', 'schedule', ['tender']),
        ('PFA-1', 'award_dates', ['tender']), ('PFA-2', 'contract_hps', ['tender']),
        ('PFA-3', 'contract', ['tender'])
    ) AS t(code, input, kinds)
),
scheduled AS (SELECT DISTINCT source, source_id FROM core.schedule),
offered AS (SELECT DISTINCT source, source_id FROM core.bids WHERE offer_value IS NOT NULL),
p AS (
    SELECT p.kd_klpd, p.klpd_name, p.kind, p.source, p.source_id, MAP {
        'schedule': s.source_id IS NOT NULL,
        'bids': p.n_bids IS NOT NULL,
        'offers': o.source_id IS NOT NULL,
        'supplier': p.supplier_npwp IS NOT NULL,
        'contract_hps': p.contract_value IS NOT NULL AND p.hps IS NOT NULL,
        'contract': p.contract_value IS NOT NULL,
        'award_dates': p.announced_at IS NOT NULL AND p.awarded_at IS NOT NULL,
        'pagu_method': p.pagu IS NOT NULL AND p.method IS NOT NULL,
        'pagu_method_category': p.pagu IS NOT NULL AND p.method IS NOT NULL
            AND p.category IS NOT NULL,
        'split': p.pagu IS NOT NULL AND p.kd_satker IS NOT NULL AND p.announced_at IS NOT NULL,
        'announced': true,
        'pagu_qualification': p.pagu IS NOT NULL AND p.qualification IS NOT NULL
    } AS has
    FROM core.processes p
    LEFT JOIN scheduled s ON s.source = p.source AND s.source_id = p.source_id
        AND p.kind = 'tender'
    LEFT JOIN offered o ON o.source = p.source AND o.source_id = p.source_id
        AND p.kind = 'tender'
    WHERE p.kd_klpd IS NOT NULL
),
regions AS (SELECT kd_klpd, any_value(klpd_name) AS klpd_name FROM p GROUP BY ALL),
counted AS (
    SELECT r.kd_klpd, r.klpd_name, i.code, i.input, i.kinds,
        count(p.source_id) AS n_processes,
        count(p.source_id) FILTER (WHERE p.has[i.input]) AS n_with_input
    FROM regions r CROSS JOIN inputs i
    LEFT JOIN p ON p.kd_klpd = r.kd_klpd AND list_contains(i.kinds, p.kind)
    GROUP BY ALL
),
flagged AS (
    SELECT p.kd_klpd, f.code, count(DISTINCT (f.source, f.kind, f.source_id)) AS n
    FROM core.flags f JOIN core.processes p USING (source, kind, source_id)
    GROUP BY ALL
),
judged AS (
    SELECT c.*, round(c.n_with_input / nullif(c.n_processes, 0), 4) AS coverage,
        0.5 AS threshold
    FROM counted c
)
SELECT j.kd_klpd, j.klpd_name, j.code, j.input, j.kinds, j.n_processes, j.n_with_input,
    j.coverage, j.threshold, coalesce(j.coverage >= j.threshold, false) AS computable,
    CASE WHEN j.coverage >= j.threshold THEN coalesce(f.n, 0) END AS n_flagged,
    CASE WHEN j.coverage >= j.threshold THEN CAST(coalesce(f.n, 0) AS VARCHAR)
        ELSE 'not computable' END AS flagged
FROM judged j LEFT JOIN flagged f USING (kd_klpd, code)
ORDER BY j.kd_klpd, j.code;
