-- core.field_coverage: the share of records of each source dataset that fill each field
-- (issue 16's data-quality annex; its nightly history is 975_coverage_snapshots.sql).
-- What: a field is present in a record when it is not null and not an empty string, array or
-- object, as OCP Cardinal's `coverage` counts it; n is the records with it present.
-- Why: a flag or metric reads fields; a source that stops filling one makes its numbers
-- silently wrong. The data_quality view shows the coverage. Apart from the snapshot, it reads
-- raw only: a night whose raw did not change keeps it (models/build_state.py).
-- How: the loader reads each content's shape (its keys and which it fills) once, when it lands
-- (models/record_shapes.py): records are counted by shape, and only the few hundred shapes are
-- unnested, where reading every payload's keys at each build took 12 s of the indicator stage's
-- 22 s at 1M processes.
-- Every raw row has a shape in raw.record_shapes: tests/test_loader.py (raw tables are made by
-- models/tables.py, so their data tests are not declared here).
-- Source: the ISB raw tables of the processes (their JSON payloads as the source sent them).
-- creates: core.field_coverage
-- depends: raw.isb_ecat_paket_epurchasing_v6, raw.isb_jadwal_tahapan_tender,
--   raw.isb_non_tender_pengumuman, raw.isb_non_tender_selesai, raw.isb_pencatatan_non_tender,
--   raw.isb_pencatatan_swakelola, raw.isb_peserta_tender, raw.isb_tender_pengumuman,
--   raw.isb_tender_selesai, raw.isb_tender_selesai_nilai, raw.record_shapes
-- test unique: core.field_coverage(source, dataset, field)
CREATE OR REPLACE TABLE core.field_coverage AS
WITH records AS (
    SELECT 'isb' AS source, 'SPSE-TenderPengumuman' AS dataset, shape
    FROM raw.isb_tender_pengumuman
    UNION ALL SELECT 'isb', 'SPSE-TenderSelesai', shape FROM raw.isb_tender_selesai
    UNION ALL SELECT 'isb', 'SPSE-TenderSelesaiNilai', shape FROM raw.isb_tender_selesai_nilai
    UNION ALL SELECT 'isb', 'SPSE-PesertaTender', shape FROM raw.isb_peserta_tender
    UNION ALL SELECT 'isb', 'SPSE-JadwalTahapanTender', shape FROM raw.isb_jadwal_tahapan_tender
    UNION ALL SELECT 'isb', 'SPSE-NonTenderPengumuman', shape FROM raw.isb_non_tender_pengumuman
    UNION ALL SELECT 'isb', 'SPSE-NonTenderSelesai', shape FROM raw.isb_non_tender_selesai
    UNION ALL SELECT 'isb', 'SPSE-PencatatanNonTender', shape FROM raw.isb_pencatatan_non_tender
    UNION ALL SELECT 'isb', 'SPSE-PencatatanSwakelola', shape FROM raw.isb_pencatatan_swakelola
    UNION ALL SELECT 'isb', 'Ecat-PaketEPurchasingV6', shape
    FROM raw.isb_ecat_paket_epurchasing_v6
),
shapes AS (
    SELECT r.source, r.dataset, CAST(s.keys AS VARCHAR[]) AS keys,
        CAST(s.filled AS BOOLEAN[]) AS filled, r.records
    FROM (SELECT source, dataset, shape, count(*) AS records FROM records GROUP BY ALL) r
    JOIN raw.record_shapes s USING (shape)
),
-- n_records counts the raw rows themselves: a row whose shape were missing would show as a
-- record that fills nothing, not vanish (tests/test_loader.py holds that none is).
totals AS (
    SELECT source, dataset, count(*) AS n_records FROM records GROUP BY ALL
),
-- A key a payload repeats counts as its first value each time (what reading it by name gives).
fields AS (
    SELECT source, dataset, records, unnest(keys) AS field,
        unnest(list_transform(keys, lambda k: filled[list_position(keys, k)])) AS filled
    FROM shapes
)
SELECT f.source, f.dataset, f.field, t.n_records,
    CAST(coalesce(sum(f.records) FILTER (WHERE f.filled), 0) AS BIGINT) AS n
FROM fields f JOIN totals t USING (source, dataset)
GROUP BY ALL;
