-- title[id]: Penyedia yang paling sering menang per satker
-- title[en]: Suppliers winning most often per satker
-- description[id]: Untuk tiap satuan kerja, tiga penyedia (menurut NPWP) yang paling sering
--   menang, dengan jumlah kemenangan, bagiannya dari semua kemenangan di satker itu, dan nilai
--   kontraknya. Semua jenis paket yang mencatat pemenang, semua tahun.
-- description[en]: For each work unit, the three suppliers (by NPWP) winning most often, with
--   their wins, their share of all wins at that work unit, and their contract value. Every
--   kind of package that records a winner, every year.
WITH wins AS (
    SELECT kd_satker, any_value(satker_name) AS satker_name, supplier_npwp,
        mode(supplier_name) AS supplier_name, count(*) AS wins,
        sum(contract_value) AS contract_value
    FROM tenders
    WHERE supplier_npwp IS NOT NULL AND kd_satker IS NOT NULL
    GROUP BY kd_satker, supplier_npwp
)
SELECT satker_name, kd_satker, supplier_name, supplier_npwp, wins,
    round(100.0 * wins / sum(wins) OVER (PARTITION BY kd_satker), 1) AS share_of_wins_pct,
    contract_value
FROM wins
QUALIFY row_number() OVER (PARTITION BY kd_satker ORDER BY wins DESC, contract_value DESC) <= 3
    AND wins >= 2
ORDER BY wins DESC, satker_name;
