-- flag ID-C02: consultancy above Rp100 jt not procured by seleksi.
-- definition: a process in a Jasa Konsultansi category whose value (HPS, else pagu) is strictly
--   above the consultancy ceiling (Rp100 jt) and whose method does not start with one of the
--   allowed methods (Seleksi; Penunjukan Langsung, allowed in specific circumstances;
--   E-Purchasing; Dikecualikan, outside the Perpres). Consultancy by pengadaan langsung above
--   the ceiling is therefore both ID-C01 and ID-C02. A process without a method is not checked.
-- parameters: id_c02_ceiling, id_c02_allowed_methods
-- basis: Perpres 16/2018 Pasal 41 (Seleksi for consultancy above Rp100 jt; indicators.md §5.1).
-- value: the value tested (HPS, else pagu), rupiah.
-- Why: consultancy is where quality-based competition matters most; skipping seleksi is a
--   classic route to a pre-chosen consultant.
-- depends: core.fmt_rp, core.setting_list, core.setting_num, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
SELECT kind, source, source_id, 'ID-C02', tested_value,
    format('{} by {}: {} {} > {}', category, method, tested_basis,
           core.fmt_rp(tested_value), core.fmt_rp(core.setting_num('id_c02_ceiling')))
FROM temp.compliance_base
WHERE category_class = 'consultancy'
  AND tested_value > core.setting_num('id_c02_ceiling')
  AND method_lc IS NOT NULL
  AND NOT coalesce(len(list_filter(core.setting_list('id_c02_allowed_methods'),
                                   lambda m: starts_with(method_lc, m))) > 0, false);
