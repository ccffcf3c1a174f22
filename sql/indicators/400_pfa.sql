-- flag PFA-1: ICW PFA-1, days from announcement to winner determination, scored 1-5.
-- definition: WIB calendar days from a tender's announcement to its winner determination,
--   scored by the bands pfa1_bands (0-25 = 1, 26-35 = 2, 36-45 = 3, 46-70 = 4, > 70 = 5;
--   ICW does not state the unit).
-- parameters: pfa_kinds, pfa1_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA-2: ICW PFA-2, contract value against HPS, scored 1-5.
-- definition: above HPS = pfa2_above_hps_score (5), else the discount below HPS in percent,
--   scored by the bands pfa2_bands (< 1 = 5, < 2 = 4, < 3 = 3, < 4 = 2, < 8 = 1, < 12 = 2,
--   < 16 = 3, < 20 = 4, >= 20 = 5: both too close to HPS and far below it are risky).
-- parameters: pfa_kinds, pfa2_above_hps_score, pfa2_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA-3: ICW PFA-3, contract value, scored 1-5.
-- definition: the contract value, scored by the bands pfa3_bands (<= 500 jt = 1, <= 1 M = 2,
--   <= 5 M = 3, <= 10 M = 4, > 10 M = 5).
-- parameters: pfa_kinds, pfa3_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA-4: ICW PFA-4, title length, scored only when configured.
-- definition: the length of the package title, scored by the bands pfa4_bands; ICW's bands are
--   not published in full, so none ship and PFA-4 is off until configured.
-- parameters: pfa_kinds, pfa4_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA-6: ICW PFA-6, announced in quarter 4, scored only when configured.
-- definition: pfa6_q4_score for a tender announced in the fourth quarter, else
--   pfa6_other_score; off until configured (ICW's scores are not published in full).
-- parameters: pfa_kinds, pfa6_q4_score, pfa6_other_score
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA-7: ICW PFA-7, repeat winner, scored only when configured.
-- definition: the wins of the supplier at the same satker in the budget year, scored by the
--   bands pfa7_bands; off until configured (ICW's bands are not published in full).
-- parameters: pfa_kinds, pfa7_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the score (1-5).
-- flag PFA: opentender.net (ICW) Potential Fraud Analysis, per tender: the total of the PFA
--   scores (5 = riskiest per indicator).
-- definition: the sum of the scores of the enabled PFA indicators (PFA-1, PFA-2, PFA-3 as ICW
--   publishes them; PFA-4, PFA-6, PFA-7 when their bands are configured), only for a tender
--   that has every one of them (so totals compare like with like). PFA-5 (description under
--   60 characters) is not scored: the sources give no description. ICW's cut-offs for
--   tinggi/sedang/rendah are not published and are not guessed.
-- parameters: pfa_kinds, pfa1_bands, pfa2_above_hps_score, pfa2_bands, pfa3_bands, pfa4_bands,
--   pfa6_q4_score, pfa6_other_score, pfa7_bands
-- basis: ICW opentender.net Potential Fraud Analysis, https://opentender.net/method/ (V3.1,
--   March 2021; indicators.md §3). A high score is a reason to look, not proof of fraud.
-- value: the total of the scores.
-- Why: watchdogs and journalists already know ICW's scores; pantau reproduces the part that is
--   published so the numbers can be checked against opentender.net.
-- depends: core.band_below, core.band_max, core.fmt_rp, core.setting, core.setting_list,
--   core.setting_num, core.squash, core.wib_day, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
WITH base AS (
    SELECT b.*,
        date_diff('day', b.announced_date, core.wib_day(b.awarded_at))
            AS decision_days,
        CASE WHEN b.hps > 0 AND b.contract_value IS NOT NULL
             THEN 100 * CAST(b.hps - b.contract_value AS DOUBLE) / CAST(b.hps AS DOUBLE) END
            AS discount_pct
    FROM temp.compliance_base b
    -- IN (subquery), not list_contains(setting, kind): that filter reaches the scan of
    -- core.processes (stored by kind), 0.05 s against 0.28 s at 1M processes.
    WHERE b.kind IN (SELECT unnest(core.setting_list('pfa_kinds')))
),
wins AS (
    SELECT kd_klpd, kd_satker, year, supplier_npwp, count(*) AS n_wins
    FROM base WHERE supplier_npwp IS NOT NULL AND kd_satker IS NOT NULL
    GROUP BY ALL
),
scores AS (
    SELECT b.kind, b.source, b.source_id, 'PFA-1' AS code,
        core.band_max(b.decision_days, core.setting('pfa1_bands')) AS score,
        format('{} days from announcement to winner determination', b.decision_days) AS description
    FROM base b WHERE b.decision_days >= 0
    UNION ALL
    SELECT b.kind, b.source, b.source_id, 'PFA-2',
        CASE WHEN b.contract_value > b.hps THEN CAST(core.setting_num('pfa2_above_hps_score') AS INTEGER)
             ELSE core.band_below(b.discount_pct, core.setting('pfa2_bands')) END,
        CASE WHEN b.contract_value > b.hps
             THEN format('contract {} above HPS {}', core.fmt_rp(b.contract_value), core.fmt_rp(b.hps))
             ELSE format('contract {} is {}% below HPS {}', core.fmt_rp(b.contract_value),
                         round(b.discount_pct, 2), core.fmt_rp(b.hps)) END
    FROM base b WHERE b.discount_pct IS NOT NULL
    UNION ALL
    SELECT b.kind, b.source, b.source_id, 'PFA-3',
        core.band_max(b.contract_value, core.setting('pfa3_bands')),
        format('contract value {}', core.fmt_rp(b.contract_value))
    FROM base b WHERE b.contract_value >= 0
    UNION ALL
    SELECT b.kind, b.source, b.source_id, 'PFA-4',
        core.band_max(length(core.squash(b.title)), core.setting('pfa4_bands')),
        format('title of {} characters', length(core.squash(b.title)))
    FROM base b WHERE b.title IS NOT NULL AND json_array_length(core.setting('pfa4_bands')) > 0
    UNION ALL
    SELECT b.kind, b.source, b.source_id, 'PFA-6',
        CAST(CASE WHEN quarter(b.announced_date) = 4 THEN core.setting_num('pfa6_q4_score')
                  ELSE core.setting_num('pfa6_other_score') END AS INTEGER),
        format('announced in quarter {}', quarter(b.announced_date))
    FROM base b
    WHERE b.announced_date IS NOT NULL AND core.setting_num('pfa6_q4_score') IS NOT NULL
    UNION ALL
    SELECT b.kind, b.source, b.source_id, 'PFA-7',
        core.band_max(w.n_wins, core.setting('pfa7_bands')),
        format('supplier won {} processes of this satker in {}', w.n_wins, b.year)
    FROM base b
    JOIN wins w ON w.kd_klpd IS NOT DISTINCT FROM b.kd_klpd AND w.kd_satker = b.kd_satker
        AND w.year IS NOT DISTINCT FROM b.year AND w.supplier_npwp = b.supplier_npwp
    WHERE json_array_length(core.setting('pfa7_bands')) > 0
),
enabled AS (
    SELECT list_concat(['PFA-1', 'PFA-2', 'PFA-3'],
        CASE WHEN json_array_length(core.setting('pfa4_bands')) > 0 THEN ['PFA-4'] ELSE [] END,
        CASE WHEN core.setting_num('pfa6_q4_score') IS NOT NULL THEN ['PFA-6'] ELSE [] END,
        CASE WHEN json_array_length(core.setting('pfa7_bands')) > 0 THEN ['PFA-7'] ELSE [] END)
        AS codes
),
kept AS (SELECT * FROM scores WHERE score IS NOT NULL)
SELECT kind, source, source_id, code, score, description FROM kept
UNION ALL
SELECT k.kind, k.source, k.source_id, 'PFA', sum(k.score),
    'total of ' || string_agg(k.code || ' = ' || k.score, ', ' ORDER BY k.code)
FROM kept k, enabled e
GROUP BY k.kind, k.source, k.source_id, e.codes
HAVING count(DISTINCT k.code) = len(e.codes);

-- compliance_base is read by no later file: free its memory.
DROP VIEW temp.compliance_base;
