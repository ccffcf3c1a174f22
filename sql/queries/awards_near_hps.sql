-- title[id]: Nilai kontrak ≥ 99% HPS
-- title[en]: Awards at 99% of HPS or more
-- description[id]: Tender dan non-tender selesai yang nilai kontraknya paling sedikit 99% dari
--   HPS: penawaran yang hampir sama dengan perkiraan pemilik bisa menandakan HPS bocor atau
--   persaingan semu (ICW PFA-2). Ubah batas dengan --var ratio=0.98.
-- description[en]: Finished tenders and non-tenders whose contract value is at least 99% of
--   HPS: offers almost equal to the owner's estimate can point to a leaked estimate or sham
--   competition (ICW PFA-2). Change the bound with --var ratio=0.98.
SELECT klpd_name, satker_name, kind, method, source_id, title, hps, contract_value,
    round(100.0 * contract_value / hps, 2) AS pct_of_hps, n_bids, supplier_name, awarded_at
FROM tenders
WHERE kind IN ('tender', 'non_tender') AND status_class = 'finished'
    AND hps > 0 AND contract_value >= coalesce(getvariable('ratio'), 0.99) * hps
ORDER BY pct_of_hps DESC, hps DESC;
