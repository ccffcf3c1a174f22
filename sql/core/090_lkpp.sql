-- temp.lkpp_*: each LKPP dataset as ISB published it and as the INAPROC gateway publishes it.
-- Why: the gateway kept ISB's field names (../shared/inaproc.md §4.2), so one set of SQL
-- (100..140) builds core from both; `source` says which one a row came from, and a package both
-- describe is merged in core.processes (500). INAPROC's tender/pengumuman is keyed by
-- (kd_tender, versi_tender): one process is its latest version. Build-time views only, dropped
-- by 690_lkpp_done.sql.
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
-- Where ISB and INAPROC both describe a package, its rows of one of them (INAPROC, the live
-- source) are kept in bids, schedule, realisations and plans, so nothing is counted twice.
CREATE OR REPLACE MACRO core.lkpp_preference(source) AS CASE source WHEN 'inaproc' THEN 0 ELSE 1 END;
