-- view bids: every registered participant of a tender, with its offers and evaluation results.
-- Why: a bid is a participant whose offer is not null; single-bid and disqualification
--   indicators count these, never registrations.
-- Source: core.bids (ISB SPSE-PesertaTender; SPSE evaluation pages fill the passed_* columns).
-- column source: where the row comes from
-- column source_id: the tender's package code (joins tenders.source_id)
-- column participant_id: the source's participant code (kd_peserta)
-- column supplier_npwp: participant's NPWP, 15 digits
-- column supplier_name: participant's name
-- column offer_value: offer (nilai penawaran), rupiah; null when no offer was submitted
-- column corrected_value: corrected offer (nilai terkoreksi), rupiah
-- column negotiated_value: negotiated price (hasil negosiasi), rupiah
-- column is_winner: true for the winner (pemenang)
-- column is_bid: true when an offer was submitted
-- column passed_administration: passed the administrative evaluation (null: not published)
-- column passed_technical: passed the technical evaluation
-- column passed_price: passed the price evaluation
-- column passed_qualification: passed qualification / verification
-- column reason: the source's reason text (alasan), e.g. why a bid failed
-- depends: core.bids
-- test unique: bids(source, source_id, participant_id) where participant_id IS NOT NULL
-- test relationship: bids(source_id) -> tenders(source_id)
CREATE OR REPLACE VIEW main.bids AS
SELECT source, source_id, participant_id, supplier_npwp, supplier_name, offer_value,
    corrected_value, negotiated_value, is_winner, is_bid, passed_administration,
    passed_technical, passed_price, passed_qualification, reason
FROM core.bids;
