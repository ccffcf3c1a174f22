-- flag ID-C03: split packages (pemecahan paket) around the pengadaan langsung ceiling.
-- definition: two or more pengadaan langsung of the same satker (same kd_klpd and kd_satker),
--   the same category (jenis pengadaan as published) and the same supplier (NPWP), announced at
--   most id_c03_window_days apart (calendar days, WIB; a window starts at each package's
--   announcement day and includes both ends), each at or under its ceiling (values above it
--   are ID-C01), together strictly over it. Every package of such a window is flagged.
--   Value = HPS, else pagu, as in ID-C01; failed or cancelled packages and packages without a
--   satker, supplier NPWP, announcement day or value are left out (nothing was bought, or the
--   grouping cannot be known). When the works ceiling changed inside a window the higher one
--   applies.
-- parameters: id_c03_window_days, and the ID-C01 ceilings
-- basis: Perpres 16/2018 Pasal 38 (pengadaan langsung ceilings) and the pemaketan rule that
--   forbids splitting a package to avoid tender (article number unverified, indicators.md
--   §5.3); OCP red flags R002/R011 (indicators.md §2.1).
-- value: the largest window total the package belongs to, rupiah.
-- Why: splitting one purchase into several small ones keeps each under the ceiling and
--   hands the whole to one supplier without competition.
-- depends: core.fmt_rp, core.setting_num, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
WITH pl AS (
    SELECT kind, source, source_id, kd_klpd, kd_satker, category, supplier_npwp,
        announced_date AS d, tested_value AS v, pl_ceiling AS ceiling
    FROM temp.compliance_base
    WHERE method_lc = 'pengadaan langsung' AND status_class <> 'failed'
      AND kd_satker IS NOT NULL AND supplier_npwp IS NOT NULL AND category IS NOT NULL
      AND announced_date IS NOT NULL AND tested_value IS NOT NULL AND pl_ceiling IS NOT NULL
      AND tested_value <= pl_ceiling
),
-- Each package's window: the others of its satker, category and supplier announced on its day
-- or up to id_c03_window_days later (itself left out of the join and added back: most packages
-- have no other, and the join then stays small).
windows AS (
    SELECT a.kind AS w_kind, a.source AS w_source, a.source_id AS w_id,
        any_value(a.kd_klpd) AS kd_klpd, any_value(a.kd_satker) AS kd_satker,
        any_value(a.category) AS category, any_value(a.supplier_npwp) AS supplier_npwp,
        any_value(a.d) AS d_from,
        any_value(a.d) + CAST(core.setting_num('id_c03_window_days') AS INTEGER) AS d_to,
        1 + count(*) AS n, any_value(a.v) + sum(b.v) AS total,
        greatest(any_value(a.ceiling), max(b.ceiling)) AS ceiling
    FROM pl a
    JOIN pl b ON b.kd_klpd IS NOT DISTINCT FROM a.kd_klpd AND b.kd_satker = a.kd_satker
        AND b.category = a.category AND b.supplier_npwp = a.supplier_npwp
        AND b.d BETWEEN a.d AND a.d + CAST(core.setting_num('id_c03_window_days') AS INTEGER)
        AND (b.kind, b.source, b.source_id) <> (a.kind, a.source, a.source_id)
    GROUP BY a.kind, a.source, a.source_id
    HAVING any_value(a.v) + sum(b.v) > greatest(any_value(a.ceiling), max(b.ceiling))
),
members AS (
    SELECT m.kind, m.source, m.source_id,
        -- The window with the largest total; among equal totals the earliest, so that every
        -- rebuild of the same data says the same thing.
        arg_max(w, {'total': w.total, 'earlier': -epoch(w.d_from)}) AS w
    FROM windows w
    JOIN pl m ON m.kd_klpd IS NOT DISTINCT FROM w.kd_klpd AND m.kd_satker = w.kd_satker
        AND m.category = w.category AND m.supplier_npwp = w.supplier_npwp
        AND m.d BETWEEN w.d_from AND w.d_to
    GROUP BY m.kind, m.source, m.source_id
)
SELECT kind, source, source_id, 'ID-C03', w.total,
    format('{} PL, same satker/category/supplier, {}..{}: total {} > ceiling {}',
           w.n, w.d_from, w.d_to, core.fmt_rp(w.total), core.fmt_rp(w.ceiling))
FROM members;
