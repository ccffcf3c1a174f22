-- flag ID-C06: a package with pagu at most Rp15 M not reserved for small business.
-- definition: a process of a category the reservation covers (Pengadaan Barang, Pekerjaan
--   Konstruksi, Jasa Lainnya) with 0 < pagu <= Rp15.000.000.000 whose published qualification
--   (kualifikasi usaha) is known and is not a small-business one (Kecil, Mikro, Koperasi, ...):
--   e.g. Menengah, Besar or Non Kecil. Exactly Rp15 M is still reserved. Where the source
--   does not publish the qualification nothing is said ("where the data says so").
-- parameters: id_c06_pagu_max, id_c06_categories, id_c06_small_qualifications
-- basis: Perpres 16/2018 Pasal 65 ayat (4) as amended by Perpres 12/2021 (packages up to
--   Rp15 M reserved for usaha kecil and koperasi); ayat (5): not where small businesses cannot
--   meet the technical requirements, which the data does not show; indicators.md §5.2.
-- value: the pagu, rupiah.
-- Why: the reservation is how the law steers small packages to small local firms.
-- depends: core.fmt_rp, core.setting_list, core.setting_num, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
SELECT kind, source, source_id, 'ID-C06', pagu,
    format('{} with pagu {} <= {} offered to qualification ''{}''', category, core.fmt_rp(pagu),
           core.fmt_rp(core.setting_num('id_c06_pagu_max')), qualification)
FROM temp.compliance_base
WHERE pagu > 0 AND pagu <= core.setting_num('id_c06_pagu_max')
  AND list_contains(list_transform(core.setting_list('id_c06_categories'),
                                   lambda c: lower(c)), category_lc)
  AND nullif(qualification_lc, '') IS NOT NULL
  AND NOT list_contains(core.setting_list('id_c06_small_qualifications'),
                        qualification_lc);
