-- The build-time views of 090_lkpp.sql, once core is built from them (nothing after reads
-- them; left in place they would show among the analyst views of this connection).
DROP VIEW temp.lkpp_tender_pengumuman;
DROP VIEW temp.lkpp_tender_selesai;
DROP VIEW temp.lkpp_tender_selesai_nilai;
DROP VIEW temp.lkpp_peserta_tender;
DROP VIEW temp.lkpp_jadwal_tahapan_tender;
DROP VIEW temp.lkpp_non_tender_pengumuman;
DROP VIEW temp.lkpp_non_tender_selesai;
DROP VIEW temp.lkpp_pencatatan_non_tender;
DROP VIEW temp.lkpp_pencatatan_non_tender_realisasi;
DROP VIEW temp.lkpp_pencatatan_swakelola;
DROP VIEW temp.lkpp_pencatatan_swakelola_realisasi;
DROP VIEW temp.lkpp_rup_paket_penyedia;
DROP VIEW temp.lkpp_rup_master_satker;
