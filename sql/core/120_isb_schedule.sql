-- core.isb_schedule: the stages of each ISB tender with their start and end.
-- Why: submission periods (R003, ID-C10) and decision periods (PFA-1) are read from the
-- schedule, not from announcement dates.
-- Source: ISB SPSE-JadwalTahapanTender; stage names carry double spaces as published
-- ("Penandatanganan  kontrak"): stage_name keeps them, stage is squashed and lower-case.
-- Each raw record is parsed once: json_transform reads the fields used into a struct of text,
-- and p['field'] is the same text as payload->>'field' (which re-parses the record each time:
-- ~3x slower at national scale, bench/RESULTS.md).
-- creates: core.isb_schedule
-- depends: core.lkpp_preference, core.squash, core.wib, temp.lkpp_jadwal_tahapan_tender
CREATE OR REPLACE TABLE core.isb_schedule AS
SELECT
    source,
    payload['kd_tender'] AS source_id,
    payload['kd_tahapan'] AS stage_id,
    payload['nama_tahapan'] AS stage_name,
    lower(core.squash(payload['nama_tahapan'])) AS stage,
    core.wib(payload['tgl_awal']) AS starts_at,
    core.wib(payload['tgl_akhir']) AS ends_at
FROM (SELECT source, json_transform(payload, '{
        "kd_tender": "VARCHAR", "kd_tahapan": "VARCHAR", "nama_tahapan": "VARCHAR",
        "tgl_awal": "VARCHAR", "tgl_akhir": "VARCHAR"}') AS payload
    FROM temp.lkpp_jadwal_tahapan_tender)
-- A tender both ISB and INAPROC describe keeps one source's stages (090_lkpp.sql).
QUALIFY dense_rank() OVER (PARTITION BY payload['kd_tender']
                           ORDER BY core.lkpp_preference(source)) = 1;
DROP VIEW temp.lkpp_jadwal_tahapan_tender;
