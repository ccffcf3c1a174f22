-- temp.lkpp_*: each LKPP dataset as ISB published it and as the INAPROC gateway publishes it.
-- Why: the gateway kept ISB's field names (../shared/inaproc.md §4.2), so one set of SQL
-- (100..140, 600) builds core from both; `source` says which one a row came from, and a package
-- both describe is merged in core.processes (500). INAPROC's tender/pengumuman is keyed by
-- (kd_tender, versi_tender): one process is its latest version. Build-time views only (TEMP
-- views of the build's connection), each dropped by the last file that reads it.
-- The views stay in one file: each is the same two-line union of one dataset's two raw tables.
-- creates: temp.lkpp_tender_pengumuman, temp.lkpp_tender_selesai, temp.lkpp_tender_selesai_nilai,
--   temp.lkpp_peserta_tender, temp.lkpp_jadwal_tahapan_tender, temp.lkpp_non_tender_pengumuman,
--   temp.lkpp_non_tender_selesai, temp.lkpp_pencatatan_non_tender,
--   temp.lkpp_pencatatan_non_tender_realisasi, temp.lkpp_pencatatan_swakelola,
--   temp.lkpp_pencatatan_swakelola_realisasi, temp.lkpp_rup_paket_penyedia,
--   temp.lkpp_rup_master_satker
-- depends: raw.inaproc_jadwal_tahapan_tender, raw.inaproc_non_tender_pengumuman,
--   raw.inaproc_non_tender_selesai, raw.inaproc_pencatatan_non_tender,
--   raw.inaproc_pencatatan_non_tender_realisasi, raw.inaproc_pencatatan_swakelola,
--   raw.inaproc_pencatatan_swakelola_realisasi, raw.inaproc_pengumuman,
--   raw.inaproc_peserta_tender, raw.inaproc_rup_master_satker,
--   raw.inaproc_rup_paket_penyedia_terumumkan, raw.inaproc_tender_selesai,
--   raw.inaproc_tender_selesai_nilai, raw.isb_jadwal_tahapan_tender,
--   raw.isb_non_tender_pengumuman, raw.isb_non_tender_selesai, raw.isb_pencatatan_non_tender,
--   raw.isb_pencatatan_non_tender_realisasi, raw.isb_pencatatan_swakelola,
--   raw.isb_pencatatan_swakelola_realisasi, raw.isb_peserta_tender, raw.isb_rup_master_satker,
--   raw.isb_rup_paket_penyedia, raw.isb_tender_pengumuman, raw.isb_tender_selesai,
--   raw.isb_tender_selesai_nilai
CREATE OR REPLACE TEMP VIEW lkpp_tender_pengumuman AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_tender_pengumuman
UNION ALL
SELECT 'inaproc', payload->>'kd_tender', year, payload FROM raw.inaproc_pengumuman
QUALIFY row_number() OVER (PARTITION BY payload->>'kd_tender'
                           ORDER BY TRY_CAST(payload->>'versi_tender' AS INTEGER) DESC NULLS LAST,
                                    key DESC) = 1;
CREATE OR REPLACE TEMP VIEW lkpp_tender_selesai AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_tender_selesai
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_tender_selesai;
CREATE OR REPLACE TEMP VIEW lkpp_tender_selesai_nilai AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_tender_selesai_nilai
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_tender_selesai_nilai;
CREATE OR REPLACE TEMP VIEW lkpp_peserta_tender AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_peserta_tender
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_peserta_tender;
CREATE OR REPLACE TEMP VIEW lkpp_jadwal_tahapan_tender AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_jadwal_tahapan_tender
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_jadwal_tahapan_tender;
CREATE OR REPLACE TEMP VIEW lkpp_non_tender_pengumuman AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_non_tender_pengumuman
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_non_tender_pengumuman;
CREATE OR REPLACE TEMP VIEW lkpp_non_tender_selesai AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_non_tender_selesai
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_non_tender_selesai;
CREATE OR REPLACE TEMP VIEW lkpp_pencatatan_non_tender AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_pencatatan_non_tender
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_pencatatan_non_tender;
CREATE OR REPLACE TEMP VIEW lkpp_pencatatan_non_tender_realisasi AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_pencatatan_non_tender_realisasi
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_pencatatan_non_tender_realisasi;
CREATE OR REPLACE TEMP VIEW lkpp_pencatatan_swakelola AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_pencatatan_swakelola
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_pencatatan_swakelola;
CREATE OR REPLACE TEMP VIEW lkpp_pencatatan_swakelola_realisasi AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_pencatatan_swakelola_realisasi
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_pencatatan_swakelola_realisasi;
CREATE OR REPLACE TEMP VIEW lkpp_rup_paket_penyedia AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_rup_paket_penyedia
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_rup_paket_penyedia_terumumkan;
CREATE OR REPLACE TEMP VIEW lkpp_rup_master_satker AS
SELECT 'isb' AS source, key, year, payload FROM raw.isb_rup_master_satker
UNION ALL SELECT 'inaproc', key, year, payload FROM raw.inaproc_rup_master_satker;
