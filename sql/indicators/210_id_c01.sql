-- flag ID-C01: pengadaan langsung above its ceiling.
-- definition: a process whose method is Pengadaan Langsung and whose value (HPS, else pagu) is
--   strictly above the ceiling of its category: Rp200 jt for Pengadaan Barang, Jasa Lainnya and
--   (before Perpres 46/2025) Pekerjaan Konstruksi; Rp400 jt for Pekerjaan Konstruksi announced
--   on or after the Perpres 46/2025 date (or on an unknown day); Rp100 jt for any Jasa
--   Konsultansi. Exactly at the ceiling is allowed. Every kind is checked (non-tender and
--   recorded non-tender), whatever its status: the method was chosen either way.
-- parameters: id_c01_ceiling_goods, id_c01_ceiling_other_services, id_c01_ceiling_works,
--   id_c01_ceiling_works_46_2025, perpres_46_2025_effective_date, id_c01_ceiling_consultancy
-- basis: Perpres 16/2018 Pasal 38 ayat (3) (barang, pekerjaan konstruksi, jasa lainnya) and
--   Pasal 41 (jasa konsultansi); Perpres 46/2025 Pasal 1 angka 40a (Rp400 jt works); article
--   numbers per indicators.md §5.1.
-- value: the value tested (HPS, else pagu), rupiah.
-- Why: pengadaan langsung above the ceiling skips the competition the law requires.
-- depends: core.fmt_rp, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
SELECT kind, source, source_id, 'ID-C01', tested_value,
    format('{} {}: {} {} > ceiling {}', method, category, tested_basis,
           core.fmt_rp(tested_value), core.fmt_rp(pl_ceiling))
FROM temp.compliance_base
WHERE method_lc = 'pengadaan langsung' AND pl_ceiling IS NOT NULL AND tested_value > pl_ceiling;
