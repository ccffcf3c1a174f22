-- flag R018: Single bid received.
-- definition: /tender/numberOfTenderers is the JSON integer 1 and procurementMethod is in [R018]
--   procurement_methods (default open|selective; no procurementMethod never matches). OCID = 1.0.
--   Bids are not counted (cardinal-rs issue #90): the publisher's numberOfTenderers is trusted.
-- parameters: R018.procurement_methods (default open|selective)
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R018 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: 1.0 for the process (group OCID).
-- Why: a competitive method that attracted one bid had no competition.
-- SPSE: numberOfTenderers is the number of participants who actually submitted an offer
--   (core.processes.n_bids, PesertaTender rows with nilai_penawaran), not the registrations;
--   procurementMethod is open for Tender/Tender Cepat/Seleksi, so a flagged package is a tender
--   that received exactly one offer.
-- Source: ../shared/indicators.md §1.3 R018 (open-contracting/cardinal-rs@b04158a src/indicators/r018.rs).
-- depends: core.cardinal_enabled, temp.cardinal_rel
-- fills: core.cardinal_results
INSERT INTO core.cardinal_results
SELECT line_no, 'OCID', ocid, 'R018', 1.0
FROM temp.cardinal_rel
WHERE core.cardinal_enabled('R018')
    AND (len(coalesce(getvariable('cardinal_r018_procurement_methods'), ['open', 'selective'])) = 0
         OR coalesce(list_contains(
                coalesce(getvariable('cardinal_r018_procurement_methods'), ['open', 'selective']), pm), false))
    AND number_of_tenderers = 1;
