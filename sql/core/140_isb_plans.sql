-- core.isb_plans: procurement plan entries (RUP) announced in SiRUP.
-- Why: every package must be planned and announced in SiRUP before it is procured (Perpres
-- 16/2018 Pasal 22); ID-C04 compares a process with its RUP entry.
-- Source: ISB RUP-PaketPenyedia-Terumumkan (../shared/sources.md §2.2) and INAPROC's
-- rup/paket-penyedia-terumumkan (same fields, one source per kd_rup: 090_lkpp.sql).
-- creates: core.isb_plans
-- depends: core.lkpp_preference, core.rupiah, core.wib, temp.lkpp_rup_paket_penyedia
CREATE OR REPLACE TABLE core.isb_plans AS
SELECT
    source,
    key AS kd_rup,
    payload->>'kd_klpd' AS kd_klpd,
    coalesce(payload->>'kd_satker_str', payload->>'kd_satker') AS kd_satker,
    payload->>'nama_paket' AS title,
    core.rupiah(payload->>'pagu') AS pagu,
    payload->>'metode_pengadaan' AS method,
    payload->>'jenis_pengadaan' AS category,
    TRY_CAST(payload->>'tahun_anggaran' AS INTEGER) AS year,
    payload->>'status_ukm' AS status_ukm,
    payload->>'status_pdn' AS status_pdn,
    core.wib(payload->>'tgl_pengumuman_paket') AS announced_at
FROM temp.lkpp_rup_paket_penyedia
QUALIFY row_number() OVER (PARTITION BY key ORDER BY core.lkpp_preference(source)) = 1;
DROP VIEW temp.lkpp_rup_paket_penyedia;
