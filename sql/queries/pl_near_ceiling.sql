-- title[id]: Pengadaan langsung tepat di bawah batas nilai
-- title[en]: Pengadaan langsung just under the ceiling
-- description[id]: Paket pengadaan langsung yang nilainya (HPS, atau pagu bila HPS kosong)
--   antara 90% dan 100% dari batas nilai jenisnya: Rp200 jt barang, jasa lainnya dan konstruksi
--   (Rp400 jt konstruksi sejak Perpres 46/2025), Rp100 jt jasa konsultansi (Perpres 16/2018
--   Pasal 38 dan 41). Banyak paket di sini bisa menandakan pemecahan paket. Ubah batas bawah
--   dengan --var margin=0.95.
-- description[en]: Pengadaan langsung packages whose value (HPS, else pagu) is between 90% and
--   100% of their category's ceiling: Rp200 jt for goods, other services and works (Rp400 jt
--   for works under Perpres 46/2025), Rp100 jt for consultancy (Perpres 16/2018 Art. 38 and 41).
--   Many of them can point to package splitting. Change the lower bound with --var margin=0.95.
WITH p AS (
    SELECT *,
        coalesce(nullif(hps, 0), pagu) AS tested_value,
        CASE
            WHEN category ILIKE 'Jasa Konsultansi%' THEN 100000000
            WHEN category = 'Pekerjaan Konstruksi' AND announced_at >= DATE '2025-04-30'
                THEN 400000000
            WHEN category IN ('Pengadaan Barang', 'Jasa Lainnya', 'Pekerjaan Konstruksi')
                THEN 200000000
        END AS ceiling
    FROM tenders
    WHERE method = 'Pengadaan Langsung'
)
SELECT klpd_name, satker_name, kind, source_id, title, category, tested_value, ceiling,
    round(100.0 * tested_value / ceiling, 1) AS pct_of_ceiling, supplier_name, announced_at
FROM p
WHERE ceiling IS NOT NULL
    AND tested_value >= coalesce(getvariable('margin'), 0.9) * ceiling
    AND tested_value <= ceiling
ORDER BY satker_name, pct_of_ceiling DESC;
