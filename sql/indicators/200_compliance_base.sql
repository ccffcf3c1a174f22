-- compliance_base (a TEMP view of the build's connection): each process with what the
-- compliance checks compare, defined once; only the columns the checks (2xx-4xx; 400_pfa.sql,
-- the last, drops it) read. category_lc and qualification_lc are
-- the squashed, lower-cased texts the checks compare against the settings.
-- Why: every check needs the same derived facts (the category class, the value tested against
-- a ceiling, the ceiling itself, the announcement day in WIB); deriving them in one place keeps
-- the checks consistent with each other and with `pantau explain`. A view, not a core table:
-- nothing outside this stage reads it, and writing 1M wide rows into the warehouse was most of
-- the file's time (~2 s of the stage's 10 at 1M processes), while each check reads only a few
-- columns of core.processes. A migration drops the core.compliance_base table of older warehouses.
-- Source: core.processes; ceilings and dates from core.settings (050_settings.sql).
-- Legal basis: Perpres 16/2018 Pasal 38 ayat (3) and Pasal 41 (pengadaan langsung ceilings),
-- Perpres 46/2025 Pasal 1 angka 40a (Rp400 jt works ceiling). The value tested is HPS, else
-- pagu (issue 5); an HPS of 0 counts as missing.
-- Also creates core.compliance_results, which the check files (2xx-4xx) fill and from which
-- core.flags_compliance is made (490_flags_compliance.sql).
-- creates: temp.compliance_base, core.compliance_results
-- depends: core.processes, core.setting_num, core.setting_text, core.squash, core.status_classes,
--   core.wib_day
CREATE OR REPLACE TEMP VIEW compliance_base AS
-- The squashed texts per distinct value (a handful of categories, methods and qualifications),
-- joined back: squash is a regular expression, and over every row of 1M it was most of the cost
-- of each check that reads this view. The category's pengadaan langsung ceiling is looked up
-- here too, once per category rather than a settings subquery per row: `ceiling`, and for works
-- the one before the Perpres 46/2025 date (`ceiling_before`, announced before `ceiling_from`).
WITH category_classes AS (
    SELECT category, category_lc,
        CASE
            WHEN category_lc = 'pengadaan barang' THEN 'goods'
            WHEN category_lc = 'pekerjaan konstruksi' THEN 'works'
            WHEN category_lc LIKE 'jasa konsultansi%' THEN 'consultancy'
            WHEN category_lc = 'jasa lainnya' THEN 'other_services'
        END AS category_class
    FROM (SELECT category, lower(core.squash(category)) AS category_lc
          FROM (SELECT DISTINCT category FROM core.processes))
),
-- Works announced on or after the Perpres 46/2025 date, or on an unknown day, get the higher
-- ceiling: a check must not call legal what may be legal.
categories AS (
    SELECT *,
        CASE category_class
            WHEN 'goods' THEN core.setting_num('id_c01_ceiling_goods')
            WHEN 'other_services' THEN core.setting_num('id_c01_ceiling_other_services')
            WHEN 'consultancy' THEN core.setting_num('id_c01_ceiling_consultancy')
            WHEN 'works' THEN core.setting_num('id_c01_ceiling_works_46_2025')
        END AS ceiling,
        CASE WHEN category_class = 'works' THEN core.setting_num('id_c01_ceiling_works') END
            AS ceiling_before,
        CASE WHEN category_class = 'works'
            THEN CAST(core.setting_text('perpres_46_2025_effective_date') AS DATE) END
            AS ceiling_from
    FROM category_classes
),
methods AS (
    SELECT method, lower(core.squash(method)) AS method_lc
    FROM (SELECT DISTINCT method FROM core.processes)
),
qualifications AS (
    SELECT qualification, lower(core.squash(qualification)) AS qualification_lc
    FROM (SELECT DISTINCT qualification FROM core.processes)
),
p AS (
    SELECT p.*, c.category_lc, c.category_class, c.ceiling, c.ceiling_before,
        c.ceiling_from, m.method_lc, q.qualification_lc,
        core.wib_day(announced_at) AS announced_date,
        coalesce(nullif(hps, 0), pagu) AS tested_value,
        CASE WHEN nullif(hps, 0) IS NOT NULL THEN 'HPS' WHEN pagu IS NOT NULL THEN 'pagu' END
            AS tested_basis
    FROM core.processes p
    JOIN categories c ON c.category IS NOT DISTINCT FROM p.category
    JOIN methods m ON m.method IS NOT DISTINCT FROM p.method
    JOIN qualifications q ON q.qualification IS NOT DISTINCT FROM p.qualification
)
SELECT kind, source, source_id, kd_rup, kd_klpd, kd_satker, year, title, category,
    category_lc, category_class, method, method_lc,
    s.status_class, pagu, hps, contract_value, supplier_npwp,
    announced_at, awarded_at, announced_date, qualification,
    qualification_lc, tested_value, tested_basis,
    -- The pengadaan langsung ceiling of the category on the announcement day.
    CASE WHEN announced_date < ceiling_from THEN ceiling_before ELSE ceiling END AS pl_ceiling
FROM p
JOIN core.status_classes s ON s.status IS NOT DISTINCT FROM p.status;

CREATE OR REPLACE TABLE core.compliance_results (
    kind VARCHAR,          -- process kind: (kind, source, source_id) is the process
    source VARCHAR,
    source_id VARCHAR,
    code VARCHAR,          -- ID-C01 ... ID-C10, PFA-1 ... PFA-7, PFA
    value DOUBLE,
    description VARCHAR
);
