-- flag ID-C08: contract value above HPS.
-- definition: a process with HPS > 0 whose contract value is strictly above its HPS (equal
--   is allowed). ICW scores the same fact PFA-2 = 5.
-- parameters: none
-- basis: bids above HPS are not allowed (GLOSSARY: HPS); ICW PFA: "tidak diperbolehkan"
--   (indicators.md §3 [V as ICW's statement]; the article number is unverified).
-- value: contract value / HPS.
-- Why: HPS is the owner's own ceiling estimate; a contract above it pays more than the
--   government said the work is worth.
-- depends: core.fmt_rp, temp.compliance_base
-- fills: core.compliance_results
INSERT INTO core.compliance_results
SELECT kind, source, source_id, 'ID-C08', contract_value / hps,
    format('contract {} > HPS {} ({}% of HPS)', core.fmt_rp(contract_value), core.fmt_rp(hps),
           round(100 * contract_value / hps, 2))
FROM temp.compliance_base
WHERE hps > 0 AND contract_value > hps;
