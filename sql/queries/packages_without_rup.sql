-- title[id]: Paket tanpa kode RUP
-- title[en]: Packages without a RUP code
-- description[id]: Tender, non-tender dan pencatatan yang tidak mencantumkan kode RUP: setiap
--   paket wajib diumumkan dulu dalam Rencana Umum Pengadaan di SiRUP (Perpres 16/2018 Pasal
--   22). Dikelompokkan per satker dengan nilai pagunya.
-- description[en]: Tenders, non-tenders and recorded packages with no RUP code: every package
--   must first be announced in the procurement plan (RUP) in SiRUP (Perpres 16/2018 Art. 22).
--   Listed per work unit with their pagu.
SELECT klpd_name, satker_name, kind, method, source_id, title, pagu, status, announced_at
FROM tenders
WHERE kind IN ('tender', 'non_tender', 'pencatatan_non_tender')
    AND (kd_rup IS NULL OR trim(kd_rup) IN ('', '0'))
ORDER BY satker_name, pagu DESC NULLS LAST;
