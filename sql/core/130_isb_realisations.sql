-- core.isb_realisations: the payments recorded against recorded (pencatatan) packages.
-- Why: a recorded non-tender or swakelola package has no contract; what it spent, to whom and
-- when is in its realisation rows.
-- Source: ISB SPSE-PencatatanNonTenderRealisasi and SPSE-PencatatanSwakelolaRealisasi.
-- Each raw record is parsed once: json_transform reads the fields used into a struct of text,
-- and p['field'] is the same text as payload->>'field' (which re-parses the record each time:
-- ~3x slower at national scale, bench/RESULTS.md).
-- creates: core.isb_realisations
-- depends: core.lkpp_preference, core.npwp15, core.rupiah, core.wib,
--   temp.lkpp_pencatatan_non_tender_realisasi, temp.lkpp_pencatatan_swakelola_realisasi
CREATE OR REPLACE TABLE core.isb_realisations AS
WITH paid AS (
SELECT source, 'pencatatan_non_tender' AS kind,
    payload['kd_nontender_pct'] AS source_id, payload['jenis_realisasi'] AS realisation_type,
    payload['no_realisasi'] AS document_number, core.wib(payload['tgl_realisasi']) AS paid_at,
    core.rupiah(payload['nilai_realisasi']) AS value,
    payload['nama_penyedia'] AS recipient_name, core.npwp15(payload['npwp_penyedia']) AS recipient_npwp
FROM (SELECT source, json_transform(payload, '{
        "kd_nontender_pct": "VARCHAR", "jenis_realisasi": "VARCHAR", "no_realisasi": "VARCHAR",
        "tgl_realisasi": "VARCHAR", "nilai_realisasi": "VARCHAR", "nama_penyedia": "VARCHAR",
        "npwp_penyedia": "VARCHAR"}') AS payload
    FROM temp.lkpp_pencatatan_non_tender_realisasi)
UNION ALL
SELECT source, 'swakelola', payload['kd_swakelola_pct'], payload['jenis_realisasi'],
    payload['no_realisasi'], core.wib(payload['tgl_realisasi']),
    core.rupiah(payload['nilai_realisasi']), payload['nama_pelaksana'],
    core.npwp15(payload['npwp_pelaksana'])
FROM (SELECT source, json_transform(payload, '{
        "kd_swakelola_pct": "VARCHAR", "jenis_realisasi": "VARCHAR", "no_realisasi": "VARCHAR",
        "tgl_realisasi": "VARCHAR", "nilai_realisasi": "VARCHAR", "nama_pelaksana": "VARCHAR",
        "npwp_pelaksana": "VARCHAR"}') AS payload
    FROM temp.lkpp_pencatatan_swakelola_realisasi)
)
-- A package both ISB and INAPROC describe keeps one source's payments (090_lkpp.sql).
SELECT * FROM paid
QUALIFY dense_rank() OVER (PARTITION BY kind, source_id ORDER BY core.lkpp_preference(source)) = 1;
DROP VIEW temp.lkpp_pencatatan_non_tender_realisasi;
DROP VIEW temp.lkpp_pencatatan_swakelola_realisasi;
