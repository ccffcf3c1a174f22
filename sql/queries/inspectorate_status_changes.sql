-- title[id]: Perubahan status integrasi e-pengaduan tiap inspektorat
-- title[en]: How each watched inspectorate's e-pengaduan status changed
-- description[id]: Riwayat status tiap Inspektorat (APIP) dalam sistem e-pengaduan PBJ LKPP:
--   sejak kapan berstatus belum bergabung, bergabung atau tidak diketahui, menurut register
--   mana, dengan bukti dan status sebelumnya. Baris dengan previous_status terisi adalah
--   perubahan.
-- description[en]: The status history of each inspectorate (APIP) in LKPP's e-pengaduan PBJ
--   complaint system: since when it was not_joined, joined or unknown, according to which
--   register, with the evidence and the previous status. Rows with a previous_status are the
--   changes.
-- requires: inspectorate_history
SELECT inspectorate, kd_klpd, source, previous_status, status, valid_from, valid_to,
    evidence_url
FROM inspectorate_history
ORDER BY inspectorate, source, valid_from;
