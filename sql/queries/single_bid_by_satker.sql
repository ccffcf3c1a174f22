-- title[id]: Tender dengan satu penawar per satker, tahun ini
-- title[en]: Single-bid tenders by satker, this year
-- description[id]: Untuk tiap satuan kerja: jumlah tender selesai, berapa yang hanya menerima
--   satu penawaran, persentasenya, dan nilai HPS-nya. Tahun = tahun anggaran terbaru di data
--   (ubah dengan --var year=2024). Penawar = peserta yang memasukkan penawaran, bukan pendaftar.
-- description[en]: For each work unit: finished tenders, how many drew exactly one bid, the
--   share, and their HPS. Year = the latest budget year in the data (change with
--   --var year=2024). A bid is a participant who submitted an offer, not a registration.
WITH y AS (SELECT coalesce(getvariable('year'), (SELECT max(year) FROM tenders)) AS year)
SELECT klpd_name, kd_satker, satker_name, t.year,
    count(*) AS tenders_finished,
    count(*) FILTER (WHERE n_bids = 1) AS single_bid,
    round(100.0 * count(*) FILTER (WHERE n_bids = 1) / count(*), 1) AS single_bid_pct,
    sum(hps) FILTER (WHERE n_bids = 1) AS single_bid_hps
FROM tenders t, y
WHERE t.kind = 'tender' AND t.status_class = 'finished' AND t.year = y.year
GROUP BY ALL
ORDER BY single_bid DESC, single_bid_pct DESC, satker_name;
