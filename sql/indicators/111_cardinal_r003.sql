-- flag R003: Short submission period: a tender period shorter than the threshold (days).
-- definition: whole days of /tender/tenderPeriod/endDate - startDate (RFC 3339; truncated toward zero,
--   as chrono's num_days); flagged when < [R003] threshold (default 15), or the threshold of the
--   process's procurementMethodDetails in [R003.procurement_method_details]; [R003]
--   procurement_methods, when set, keeps only processes with one of those procurementMethods.
--   OCID = 1.0.
-- parameters: R003.threshold (default 15 days), R003.procurement_methods, R003.procurement_method_details
--   (set in [indicators.cardinal] of pantau.toml, as in Cardinal's settings file)
-- basis: OCP Cardinal R003 (open-contracting/cardinal-rs@b04158a; indicators.md §1.3);
--   a red flag is a reason to look, not proof.
-- value: 1.0 for the process (group OCID).
-- Why: a short window lets only insiders who knew in advance prepare a bid.
-- SPSE: tenderPeriod is the schedule stage "Upload Dokumen Penawaran" (core.schedule), so the
--   duration is the bid-upload window of a Tender/Seleksi; non-tenders have no schedule in ISB and
--   are not measured. Use [R003.procurement_method_details] to give Tender Cepat its own minimum.
-- Source: ../shared/indicators.md §1.3 R003 (open-contracting/cardinal-rs@b04158a src/indicators/r003.rs).
-- creates: core.cardinal_rfc3339
-- depends: core.cardinal_enabled, core.cardinal_list, temp.cardinal_rel
-- fills: core.cardinal_results
CREATE OR REPLACE MACRO core.cardinal_rfc3339(s) AS CASE
    WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})')
        THEN TRY_CAST(upper(s) AS TIMESTAMPTZ)
    END;

INSERT INTO core.cardinal_results
WITH t AS (
    SELECT line_no, ocid, pmd,
        core.cardinal_rfc3339(period_start) AS starts,
        core.cardinal_rfc3339(period_end) AS ends
    FROM temp.cardinal_rel
    WHERE core.cardinal_enabled('R003')
        AND (len(core.cardinal_list('cardinal_r003_procurement_methods')) = 0
             OR coalesce(list_contains(core.cardinal_list('cardinal_r003_procurement_methods'), pm), false))
)
SELECT line_no, 'OCID', ocid, 'R003', 1.0
FROM t
WHERE starts IS NOT NULL AND ends IS NOT NULL
    AND (epoch_us(ends) - epoch_us(starts)) // 86400000000 < coalesce(
        coalesce(getvariable('cardinal_r003_pmd_values'), []::BIGINT[])[
            list_position(core.cardinal_list('cardinal_r003_pmd_keys'), pmd)],
        getvariable('cardinal_r003_threshold'), 15);
