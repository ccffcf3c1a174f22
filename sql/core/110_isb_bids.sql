-- core.isb_bids: every registered participant of an ISB tender, with its offers.
-- Why: competition is measured on bids (participants who submitted an offer), not on
-- registrations: in Kab. Bandung 2025, 4224 registrations carry 175 offers.
-- Source: ISB SPSE-PesertaTender (nilai_penawaran non-null only for submitted offers, pemenang
-- marks the winner) and SPSE-TenderSelesaiNilai (the winner's negotiated price). The one row per
-- tender with every participant field null (nobody registered) is not a participant.
-- Each raw record is parsed once: json_transform reads the fields used into a struct of text,
-- and p['field'] is the same text as payload->>'field' (which re-parses the record each time:
-- ~3x slower at national scale, bench/RESULTS.md).
-- Kept row by row (models/build_state.py): a night recomputes the tenders whose raw records
-- changed.
-- creates: core.isb_bids, temp.isb_bids_in_scope
-- incremental: core.isb_bids
-- depends: core.lkpp_preference, core.npwp15, core.rupiah, temp.lkpp_peserta_tender,
--   temp.lkpp_tender_selesai_nilai
CREATE OR REPLACE TEMP VIEW isb_bids_in_scope AS
SELECT
    p.source,
    p.payload['kd_tender'] AS source_id,
    p.payload['kd_peserta'] AS participant_id,
    p.payload['kd_penyedia'] AS supplier_id,
    core.npwp15(coalesce(p.payload['npwp_penyedia'], p.payload['npwp_penyedia_16'],
                         p.payload['npwp_16_penyedia'], p.payload['npwp16_penyedia'])) AS supplier_npwp,
    p.payload['nama_penyedia'] AS supplier_name,
    core.rupiah(p.payload['nilai_penawaran']) AS offer_value,
    core.rupiah(p.payload['nilai_terkoreksi']) AS corrected_value,
    CASE WHEN (p.payload['pemenang']) = '1'
              AND n.payload['kd_penyedia'] = p.payload['kd_penyedia']
         THEN core.rupiah(n.payload['nilai_negosiasi']) END AS negotiated_value,
    coalesce((p.payload['pemenang']) = '1', false) AS is_winner,
    (p.payload['nilai_penawaran']) IS NOT NULL AS is_bid,
    -- Evaluation results per stage: ISB does not publish them (SPSE's hasil page does).
    CAST(NULL AS BOOLEAN) AS passed_administration,
    CAST(NULL AS BOOLEAN) AS passed_technical,
    CAST(NULL AS BOOLEAN) AS passed_price,
    CAST(NULL AS BOOLEAN) AS passed_qualification,
    p.payload['alasan'] AS reason
FROM (SELECT source, json_transform(payload, '{
        "kd_tender": "VARCHAR", "kd_peserta": "VARCHAR", "kd_penyedia": "VARCHAR",
        "npwp_penyedia": "VARCHAR", "npwp_penyedia_16": "VARCHAR", "npwp_16_penyedia": "VARCHAR",
        "npwp16_penyedia": "VARCHAR", "nama_penyedia": "VARCHAR",
        "nilai_penawaran": "VARCHAR", "nilai_terkoreksi": "VARCHAR", "pemenang": "VARCHAR",
        "alasan": "VARCHAR"}') AS payload
    FROM temp.lkpp_peserta_tender WHERE in_scope(key)) p
LEFT JOIN (SELECT source, key, json_transform(payload, '{
        "kd_penyedia": "VARCHAR", "nilai_negosiasi": "VARCHAR"}') AS payload
    FROM temp.lkpp_tender_selesai_nilai WHERE in_scope(key)) n ON n.key = p.payload['kd_tender'] AND n.source = p.source
WHERE p.payload['kd_peserta'] IS NOT NULL
-- A tender both ISB and INAPROC describe keeps one source's participants (090_lkpp.sql).
QUALIFY dense_rank() OVER (PARTITION BY p.payload['kd_tender']
                           ORDER BY core.lkpp_preference(p.source)) = 1;
CREATE TABLE IF NOT EXISTS core.isb_bids AS FROM temp.isb_bids_in_scope WITH NO DATA;
DELETE FROM core.isb_bids WHERE in_scope(source_id);
INSERT INTO core.isb_bids FROM temp.isb_bids_in_scope;
DROP VIEW temp.isb_bids_in_scope;
DROP VIEW temp.lkpp_peserta_tender;
DROP VIEW temp.lkpp_tender_selesai_nilai;
