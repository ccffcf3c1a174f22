-- core.isb_realisations: the payments recorded against recorded (pencatatan) packages.
-- Why: a recorded non-tender or swakelola package has no contract; what it spent, to whom and
-- when is in its realisation rows.
-- Source: ISB SPSE-PencatatanNonTenderRealisasi and SPSE-PencatatanSwakelolaRealisasi.
CREATE OR REPLACE TABLE core.isb_realisations AS
SELECT 'isb' AS source, 'pencatatan_non_tender' AS kind,
    payload->>'kd_nontender_pct' AS source_id, payload->>'jenis_realisasi' AS realisation_type,
    payload->>'no_realisasi' AS document_number, core.wib(payload->>'tgl_realisasi') AS paid_at,
    core.rupiah(payload->>'nilai_realisasi') AS value,
    payload->>'nama_penyedia' AS recipient_name, core.npwp15(payload->>'npwp_penyedia') AS recipient_npwp
FROM raw.isb_pencatatan_non_tender_realisasi
UNION ALL
SELECT 'isb', 'swakelola', payload->>'kd_swakelola_pct', payload->>'jenis_realisasi',
    payload->>'no_realisasi', core.wib(payload->>'tgl_realisasi'),
    core.rupiah(payload->>'nilai_realisasi'), payload->>'nama_pelaksana',
    core.npwp15(payload->>'npwp_pelaksana')
FROM raw.isb_pencatatan_swakelola_realisasi;
