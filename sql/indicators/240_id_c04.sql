-- flag ID-C04: a tender or non-tender without a RUP code, or announced before its RUP.
-- definition: a process of kind tender or non_tender (1) with no RUP code (kd_rup empty), or
--   (2) one of whose RUP codes (several are separated by ';') is in the loaded SiRUP data
--   (core.plans) with an announcement strictly later than the process's own announcement
--   (same instant is not late). Rows without a K/L/PD code come from list sources that do
--   not carry the RUP code at all (satudata TenderUmumPublik) and are not checked for (1).
--   (2) needs RUP data: without core.plans rows it cannot fire. Optionally (3) a RUP code
--   absent from SiRUP data that is present for the same K/L/PD and year.
-- parameters: id_c04_flag_code_not_in_sirup
-- basis: Perpres 16/2018 Pasal 22 (RUP announced through SiRUP before procurement; re-announced
--   when revised) and Pasal 1 angka 19 (RUP defined); indicators.md §5.2.
-- value: 1 for no code; for a late RUP the days between the process's announcement and the
--   RUP's (fractional, > 0); 1 for a code not in SiRUP.
-- Why: a package that was never planned publicly, or planned only after the fact, escapes the
--   scrutiny the plan announcement exists for.
-- depends: core.plans, core.setting, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
-- rup: the package's RUP code text, trimmed once (NULL when empty).
WITH base AS (
    SELECT kind, source, source_id, kd_klpd, year, announced_at, nullif(trim(kd_rup), '') AS rup
    FROM temp.compliance_base WHERE kind IN ('tender', 'non_tender')
),
codes AS (
    SELECT b.kind, b.source, b.source_id, b.kd_klpd, b.year, b.announced_at,
        trim(unnest(string_split(b.rup, ';'))) AS kd_rup
    FROM base b WHERE b.rup IS NOT NULL
),
matched AS (
    SELECT c.*, pl.announced_at AS rup_announced_at, pl.kd_rup IS NOT NULL AS found
    FROM codes c LEFT JOIN core.plans pl ON pl.kd_rup = c.kd_rup
),
late AS (
    SELECT kind, source, source_id,
        max(epoch(rup_announced_at - announced_at)) / 86400.0 AS days_late,
        arg_max(kd_rup, rup_announced_at) AS kd_rup, max(rup_announced_at) AS rup_at,
        any_value(announced_at) AS p_at
    FROM matched
    WHERE rup_announced_at > announced_at
    GROUP BY ALL
),
klpd_years AS (SELECT DISTINCT kd_klpd, year FROM core.plans),
not_found AS (
    SELECT DISTINCT m.kind, m.source, m.source_id, m.kd_rup
    FROM matched m JOIN klpd_years ky ON ky.kd_klpd = m.kd_klpd AND ky.year = m.year
    WHERE NOT m.found AND CAST(core.setting('id_c04_flag_code_not_in_sirup') AS BOOLEAN)
)
SELECT kind, source, source_id, 'ID-C04', 1.0, 'no RUP code (kd_rup) on the package'
FROM base WHERE rup IS NULL AND kd_klpd IS NOT NULL
UNION ALL
SELECT kind, source, source_id, 'ID-C04', days_late,
    format('RUP {} announced {} (WIB), {} days after the package ({})', kd_rup,
           strftime(timezone('Asia/Jakarta', rup_at), '%Y-%m-%d %H:%M'), round(days_late, 1),
           strftime(timezone('Asia/Jakarta', p_at), '%Y-%m-%d %H:%M'))
FROM late
UNION ALL
SELECT kind, source, source_id, 'ID-C04', 1.0,
    format('RUP code {} is not in the SiRUP data of its K/L/PD and year', kd_rup)
FROM not_found
WHERE (kind, source, source_id) NOT IN (SELECT (kind, source, source_id) FROM late);
