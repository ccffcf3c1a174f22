-- core.settings: every threshold, date and band the compliance checks and metrics use.
-- Why: ceilings change with the law (Perpres 46/2025 raised the works ceiling), some values are
-- not verified (the Perpres 46/2025 effective date, LKPP's minimum submission periods, most PFA
-- bands), and a watchdog must be able to see and change each number without touching SQL. The
-- defaults live here, once; `[indicators]` in pantau.toml overrides them (models/settings.py
-- writes the overrides to core.setting_overrides, which survives every rebuild).
-- Source: ../shared/indicators.md §3 (opentender.net PFA) and §5 (Perpres 16/2018 as amended by
-- Perpres 12/2021 and 46/2025). `status` says how sure each default is:
--   law       the value is in the regulation (indicators.md §5.1 [V])
--   icw       published by ICW on opentender.net/method (indicators.md §3 [V])
--   secondary from a secondary source only; verify before citing
--   pantau    pantau's own operational choice, not a legal rule
--   unset     no verified value exists: the rule is off until configured
-- An unknown name in core.setting_overrides stops the build (a typo must not silently fall
-- back to a default).
-- One file for the settings: models/settings.py runs it alone to read the defaults, and the
-- accessor macros are the only way the checks read core.settings.
-- creates: core.setting_overrides, core.setting, core.setting_defaults, core.settings,
--   core.setting_num, core.setting_text, core.setting_list, core.band_max, core.band_below,
--   core.fmt_rp
-- depends:
-- test unique: core.settings(name)
-- test not_null: core.settings(name, status)
CREATE TABLE IF NOT EXISTS core.setting_overrides (
    name VARCHAR PRIMARY KEY,
    value JSON,
    set_at TIMESTAMPTZ
);

CREATE OR REPLACE TABLE core.setting_defaults AS
SELECT name, CAST(default_value AS JSON) AS default_value, unit, status, basis
FROM (VALUES
    ('id_c01_ceiling_goods', '200000000', 'rupiah', 'law',
     'Pengadaan Langsung ceiling for Pengadaan Barang: Perpres 16/2018 Pasal 38 ayat (3); unchanged by Perpres 46/2025 (Pasal 1 angka 40)'),
    ('id_c01_ceiling_other_services', '200000000', 'rupiah', 'law',
     'Pengadaan Langsung ceiling for Jasa Lainnya: Perpres 16/2018 Pasal 38 ayat (3); unchanged by Perpres 46/2025'),
    ('id_c01_ceiling_works', '200000000', 'rupiah', 'law',
     'Pengadaan Langsung ceiling for Pekerjaan Konstruksi before Perpres 46/2025: Perpres 16/2018 Pasal 38 ayat (3)'),
    ('id_c01_ceiling_works_46_2025', '400000000', 'rupiah', 'law',
     'Pengadaan Langsung ceiling for Pekerjaan Konstruksi from Perpres 46/2025 (Pasal 1 angka 40a)'),
    ('perpres_46_2025_effective_date', '"2025-04-30"', 'date', 'secondary',
     'Day from which the Rp400 jt works ceiling applies (compared with the announcement date, WIB). Perpres 46/2025 applies from its promulgation; 30 April 2025 per secondary sources, not checked against the gazette (indicators.md §6 q3)'),
    ('id_c01_ceiling_consultancy', '100000000', 'rupiah', 'law',
     'Pengadaan Langsung ceiling for Jasa Konsultansi: Perpres 16/2018 Pasal 41 (change by 46/2025 unverified)'),
    ('id_c02_ceiling', '100000000', 'rupiah', 'law',
     'Consultancy above this value must be procured by Seleksi: Perpres 16/2018 Pasal 41'),
    ('id_c02_allowed_methods', '["seleksi", "penunjukan langsung", "e-purchasing", "dikecualikan"]', 'method prefixes, lower case', 'pantau',
     'Methods that are not a breach for consultancy above the ceiling: Seleksi (Pasal 41), Penunjukan Langsung (Pasal 41, in specific circumstances), e-purchasing (catalogue), Dikecualikan (outside the Perpres)'),
    ('id_c03_window_days', '30', 'days', 'pantau',
     'Splitting window: pengadaan langsung of the same satker, category and supplier whose announcement dates are at most this many days apart (indicators.md §5.3 suggests 30 or 90)'),
    ('id_c04_flag_code_not_in_sirup', 'false', 'boolean', 'pantau',
     'Also flag a RUP code that is absent from the loaded SiRUP data of the same K/L/PD and year (off: SiRUP may publish only currently announced plans)'),
    ('id_c06_pagu_max', '15000000000', 'rupiah', 'law',
     'Packages with pagu at or below this are reserved for usaha kecil / koperasi: Perpres 16/2018 Pasal 65 ayat (4) as amended by Perpres 12/2021'),
    ('id_c06_categories', '["Pengadaan Barang", "Pekerjaan Konstruksi", "Jasa Lainnya"]', 'jenis pengadaan', 'law',
     'Categories the reservation covers: Pasal 65 ayat (4) names Barang, Pekerjaan Konstruksi and Jasa Lainnya'),
    ('id_c06_small_qualifications', '["kecil", "usaha kecil", "mikro", "usaha mikro", "koperasi", "usaha kecil/koperasi"]', 'kualifikasi usaha, lower case', 'pantau',
     'Qualification values that mean the package was reserved for small business'),
    ('id_c10_stages', '["upload dokumen penawaran"]', 'stage names, lower case, spaces squashed', 'pantau',
     'The schedule stage whose start-to-end is the submission period'),
    ('id_c10_min_days', '{}', 'days per method (mtd_pemilihan as published)', 'unset',
     'Minimum submission period per method. The minima of Peraturan LKPP 12/2021 are not verified (indicators.md §5.2, §6 q4): no default, configure e.g. {"Tender": 3, "Seleksi": 3}'),
    ('pfa_kinds', '["tender"]', 'process kinds', 'pantau',
     'Kinds PFA scores: opentender.net V3.1 scores Tender, Tender Cepat and E-Purchasing; add "epurchasing" to score catalogue orders (only PFA-3 applies to them)'),
    ('pfa1_bands', '[{"max": 25, "score": 1}, {"max": 35, "score": 2}, {"max": 45, "score": 3}, {"max": 70, "score": 4}, {"max": null, "score": 5}]', 'days (first band with days <= max; null = no limit)', 'icw',
     'PFA-1 announcement to winner determination: 0-25 = 1, 26-35 = 2, 36-45 = 3, 46-70 = 4, > 70 = 5 (unit not stated by ICW; days assumed)'),
    ('pfa2_above_hps_score', '5', 'score', 'icw',
     'PFA-2 score when the contract value is above HPS ("tidak diperbolehkan")'),
    ('pfa2_bands', '[{"below": 1, "score": 5}, {"below": 2, "score": 4}, {"below": 3, "score": 3}, {"below": 4, "score": 2}, {"below": 8, "score": 1}, {"below": 12, "score": 2}, {"below": 16, "score": 3}, {"below": 20, "score": 4}, {"below": null, "score": 5}]', 'percent below HPS (first band with pct < below)', 'icw',
     'PFA-2 discount below HPS: 0-0.99 = 5, 1-1.99 = 4, 2-2.99 = 3, 3-3.99 = 2, 4-7.99 = 1, 8-11.99 = 2, 12-15.99 = 3, 16-19.99 = 4, >= 20 = 5 (unit inferred: percent; read as half-open intervals)'),
    ('pfa3_bands', '[{"max": 500000000, "score": 1}, {"max": 1000000000, "score": 2}, {"max": 5000000000, "score": 3}, {"max": 10000000000, "score": 4}, {"max": null, "score": 5}]', 'rupiah (first band with value <= max)', 'icw',
     'PFA-3 contract value: 0-500 jt = 1, > 500 jt-1 M = 2, > 1-5 M = 3, > 5-10 M = 4, > 10 M = 5'),
    ('pfa4_bands', '[]', 'title characters (first band with length <= max)', 'unset',
     'PFA-4 short title: ICW publishes only 0-20 = 5 and 21-4? = 4 (text truncated); off until all bands are configured'),
    ('pfa6_q4_score', 'null', 'score', 'unset',
     'PFA-6 procurement announced in quarter 4 (October-December): score for Q4; bands not found, off until configured'),
    ('pfa6_other_score', 'null', 'score', 'unset',
     'PFA-6 score for announcements in quarters 1-3; used only when pfa6_q4_score is set'),
    ('pfa7_bands', '[]', 'wins (first band with wins <= max)', 'unset',
     'PFA-7 repeat winner: wins of the same supplier at the same satker in the budget year; ICW bands not found (older PRA matrix: 2 wins = 1 ... 5 wins = 4), off until configured'),
    ('near_hps_ratio', '0.95', 'contract value / HPS', 'pantau',
     'award_near_hps_rate counts finished tenders whose contract value is at least this share of HPS (issue 5)'),
    ('flagged_share_pfa_min_total', 'null', 'PFA total', 'unset',
     'flagged_share counts a process with a PFA total at or above this as flagged; ICW''s high/medium/low cut-offs are not known, so PFA scores alone do not count by default')
) AS d(name, default_value, unit, status, basis);

SELECT error('unknown setting in [indicators]: ' || string_agg(name, ', ' ORDER BY name))
FROM core.setting_overrides
WHERE name NOT IN (SELECT name FROM core.setting_defaults)
HAVING count(*) > 0;

CREATE OR REPLACE TABLE core.settings AS
SELECT d.name, coalesce(o.value, d.default_value) AS value, d.default_value,
    o.name IS NOT NULL AS overridden, d.unit,
    CASE WHEN o.name IS NOT NULL THEN 'configured' ELSE d.status END AS status, d.basis
FROM core.setting_defaults d
LEFT JOIN core.setting_overrides o USING (name);

-- core.setting(name): a setting's value as JSON; cast it where it is used.
CREATE OR REPLACE MACRO core.setting(n) AS (SELECT value FROM core.settings WHERE name = n);
CREATE OR REPLACE MACRO core.setting_num(n) AS CAST(core.setting(n) AS DOUBLE);
CREATE OR REPLACE MACRO core.setting_text(n) AS core.setting(n) ->> '$';
CREATE OR REPLACE MACRO core.setting_list(n) AS from_json(core.setting(n), '["VARCHAR"]');

-- A score from bands [{max, score}, ...]: the first band with x <= max (null max: no limit).
CREATE OR REPLACE MACRO core.band_max(x, bands) AS CASE WHEN x IS NOT NULL THEN
    list_filter(from_json(bands, '[{"max": "DOUBLE", "score": "INTEGER"}]'),
                lambda b: b.max IS NULL OR x <= b.max)[1].score END;
-- A score from bands [{below, score}, ...]: the first band with x < below (null: no limit).
CREATE OR REPLACE MACRO core.band_below(x, bands) AS CASE WHEN x IS NOT NULL THEN
    list_filter(from_json(bands, '[{"below": "DOUBLE", "score": "INTEGER"}]'),
                lambda b: b.below IS NULL OR x < b.below)[1].score END;

-- Rupiah as Indonesians write it: Rp200.000.000.
CREATE OR REPLACE MACRO core.fmt_rp(v) AS
    'Rp' || replace(format('{:,}', CAST(round(v) AS HUGEINT)), ',', '.');
