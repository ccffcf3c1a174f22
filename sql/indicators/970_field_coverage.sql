-- core.field_coverage: the share of records of each source dataset that fill each field
-- (issue 16's data-quality annex; its nightly history is 975_coverage_snapshots.sql).
-- What: a field is present in a record when it is not null and not an empty string, array or
-- object, as OCP Cardinal's `coverage` counts it; n is the records with it present.
-- Why: a flag or metric reads fields; a source that stops filling one makes its numbers
-- silently wrong. The data_quality view shows the coverage. Apart from the snapshot, it reads
-- raw only: a night whose raw did not change keeps it (models/build_state.py), where reading
-- every payload's keys again is the dearest step of a quiet night.
-- Source: the ISB raw tables of the processes (their JSON payloads as the source sent them).
-- creates: core.field_coverage
-- depends: raw.isb_ecat_paket_epurchasing_v6, raw.isb_jadwal_tahapan_tender,
--   raw.isb_non_tender_pengumuman, raw.isb_non_tender_selesai, raw.isb_pencatatan_non_tender,
--   raw.isb_pencatatan_swakelola, raw.isb_peserta_tender, raw.isb_tender_pengumuman,
--   raw.isb_tender_selesai, raw.isb_tender_selesai_nilai
-- test unique: core.field_coverage(source, dataset, field)
CREATE OR REPLACE TABLE core.field_coverage AS
WITH records AS (
    SELECT 'isb' AS source, 'SPSE-TenderPengumuman' AS dataset, payload
    FROM raw.isb_tender_pengumuman
    UNION ALL SELECT 'isb', 'SPSE-TenderSelesai', payload FROM raw.isb_tender_selesai
    UNION ALL SELECT 'isb', 'SPSE-TenderSelesaiNilai', payload FROM raw.isb_tender_selesai_nilai
    UNION ALL SELECT 'isb', 'SPSE-PesertaTender', payload FROM raw.isb_peserta_tender
    UNION ALL SELECT 'isb', 'SPSE-JadwalTahapanTender', payload FROM raw.isb_jadwal_tahapan_tender
    UNION ALL SELECT 'isb', 'SPSE-NonTenderPengumuman', payload FROM raw.isb_non_tender_pengumuman
    UNION ALL SELECT 'isb', 'SPSE-NonTenderSelesai', payload FROM raw.isb_non_tender_selesai
    UNION ALL SELECT 'isb', 'SPSE-PencatatanNonTender', payload FROM raw.isb_pencatatan_non_tender
    UNION ALL SELECT 'isb', 'SPSE-PencatatanSwakelola', payload FROM raw.isb_pencatatan_swakelola
    UNION ALL SELECT 'isb', 'Ecat-PaketEPurchasingV6', payload
    FROM raw.isb_ecat_paket_epurchasing_v6
),
-- Two reads of each payload, its keys and (the '$.*' wildcard) its values in the same order,
-- instead of one path lookup per field; records of a dataset share a few shapes (keys, which
-- are filled), so the shapes are counted and only they are unnested (per field and record, at
-- 100k processes this was 7M rows).
-- json_extract writes values minified, so an empty value has exactly one spelling.
-- The shapes are grouped by the hashes of their two lists: grouping by the lists themselves
-- took a third of the file's time at 1M processes (14.5 s against 10 s, the same rows). Two
-- shapes of a dataset would have to collide in both 64-bit hashes to be counted as one.
shapes AS (
    SELECT source, dataset, any_value(keys) AS keys, any_value(filled) AS filled,
        count(*) AS records
    FROM (SELECT source, dataset, keys,
              list_transform(vals, lambda v: CAST(v AS VARCHAR) NOT IN ('null', '""', '[]', '{}'))
                  AS filled
          FROM (SELECT source, dataset, json_keys(payload) AS keys,
                    json_extract(payload, '$.*') AS vals
                FROM records))
    GROUP BY source, dataset, hash(keys), hash(filled)
),
totals AS (
    SELECT source, dataset, CAST(sum(records) AS BIGINT) AS n_records FROM shapes GROUP BY ALL
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
