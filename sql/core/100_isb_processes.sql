-- core.isb_processes: one row per procurement process that LKPP publishes, through ISB or
-- the INAPROC gateway (which kept ISB's field names; `source` says which, sql/core/090_lkpp.sql).
-- Why: tenders, non-tenders, recorded non-tenders, self-managed packages and e-purchasing are
-- five datasets with five shapes; analysts need one row per process with the same columns.
-- Source: ISB datasets SPSE-TenderPengumuman/-TenderSelesai/-TenderSelesaiNilai/-PesertaTender,
-- SPSE-NonTenderPengumuman/-NonTenderSelesai, SPSE-PencatatanNonTender(+Realisasi),
-- SPSE-PencatatanSwakelola(+Realisasi), Ecat-PaketEPurchasingV6, satudata TenderUmumPublik
-- (../shared/sources.md §2). kd_satker is the dotted satker code (kd_satker_str), the one code
-- every dataset shares; n_bids counts participants with an offer, not registrations.
-- Each raw record is parsed once: json_transform reads the fields used into a struct of text,
-- and p['field'] is the same text as payload->>'field' (which re-parses the record each time:
-- ~3x slower at national scale, bench/RESULTS.md).
-- Kept row by row (models/build_state.py): a night recomputes the processes whose raw records
-- changed; every read is in_scope but the satker list, which names a K/L/PD for every process.
-- creates: core.isb_processes, temp.isb_processes_in_scope
-- incremental: core.isb_processes
-- reads whole: raw.isb_rup_master_satker, raw.inaproc_rup_master_satker
-- The INAPROC gateway's E-Katalog v6 has its own field names (kode_klpd, rup_code, ...).
-- depends: core.npwp15, core.rupiah, core.wib, raw.inaproc_ekatalog_paket_e_purchasing,
--   raw.isb_ecat_paket_epurchasing_v6, raw.isb_tender_umum_publik,
--   temp.lkpp_non_tender_pengumuman, temp.lkpp_non_tender_selesai,
--   temp.lkpp_pencatatan_non_tender, temp.lkpp_pencatatan_non_tender_realisasi,
--   temp.lkpp_pencatatan_swakelola, temp.lkpp_peserta_tender, temp.lkpp_rup_master_satker,
--   temp.lkpp_tender_pengumuman, temp.lkpp_tender_selesai, temp.lkpp_tender_selesai_nilai
CREATE OR REPLACE TEMP VIEW isb_processes_in_scope AS
WITH
tender AS (SELECT source, key, json_transform(payload, '{
        "kd_rup": "VARCHAR", "kd_klpd": "VARCHAR", "nama_klpd": "VARCHAR",
        "kd_satker_str": "VARCHAR", "nama_satker": "VARCHAR", "kd_lpse": "VARCHAR",
        "nama_paket": "VARCHAR", "jenis_pengadaan": "VARCHAR", "mtd_pemilihan": "VARCHAR",
        "status_tender": "VARCHAR", "tahun_anggaran": "VARCHAR", "pagu": "VARCHAR",
        "hps": "VARCHAR", "tgl_pengumuman_tender": "VARCHAR", "kualifikasi_paket": "VARCHAR",
        "url_lpse": "VARCHAR"}') AS p
    FROM temp.lkpp_tender_pengumuman WHERE in_scope(key)),
selesai AS (SELECT source, key, json_transform(payload, '{
        "tgl_penetapan_pemenang": "VARCHAR"}') AS p
    FROM temp.lkpp_tender_selesai WHERE in_scope(key)),
nilai AS (SELECT source, key, json_transform(payload, '{
        "kd_satker": "VARCHAR", "nilai_kontrak": "VARCHAR", "npwp_penyedia": "VARCHAR",
        "npwp_16_penyedia": "VARCHAR", "npwp16_penyedia": "VARCHAR",
        "npwp_penyedia_16": "VARCHAR", "nama_penyedia": "VARCHAR",
        "tgl_penetapan_pemenang": "VARCHAR", "nilai_pdn_kontrak": "VARCHAR",
        "nilai_umk_kontrak": "VARCHAR"}') AS p
    FROM temp.lkpp_tender_selesai_nilai WHERE in_scope(key)),
peserta AS (
    SELECT source, payload['kd_tender'] AS kd_tender,
           count(*) FILTER (WHERE payload['kd_peserta'] IS NOT NULL) AS n_participants,
           count(*) FILTER (WHERE payload['nilai_penawaran'] IS NOT NULL) AS n_bids
    FROM (SELECT source, json_transform(payload, '{
        "kd_tender": "VARCHAR", "kd_peserta": "VARCHAR", "nilai_penawaran": "VARCHAR"}') AS payload
          FROM temp.lkpp_peserta_tender WHERE in_scope(key)) GROUP BY ALL
),
tenders AS (
    SELECT t.source, 'tender' AS kind, t.key AS source_id,
        t.p['kd_rup'] AS kd_rup, t.p['kd_klpd'] AS kd_klpd, t.p['nama_klpd'] AS klpd_name,
        coalesce(t.p['kd_satker_str'], n.p['kd_satker']) AS kd_satker,
        t.p['nama_satker'] AS satker_name, TRY_CAST(t.p['kd_lpse'] AS INTEGER) AS kd_lpse,
        t.p['nama_paket'] AS title, t.p['jenis_pengadaan'] AS category,
        t.p['mtd_pemilihan'] AS method, t.p['status_tender'] AS status,
        TRY_CAST(t.p['tahun_anggaran'] AS INTEGER) AS year,
        core.rupiah(t.p['pagu']) AS pagu, core.rupiah(t.p['hps']) AS hps,
        core.rupiah(n.p['nilai_kontrak']) AS contract_value,
        -- NPWP-16 has three spellings across the gateway's datasets (inaproc.md §2.5): one column.
        core.npwp15(coalesce(n.p['npwp_penyedia'], n.p['npwp_16_penyedia'], n.p['npwp16_penyedia'],
                             n.p['npwp_penyedia_16'])) AS supplier_npwp,
        n.p['nama_penyedia'] AS supplier_name,
        pe.n_participants, pe.n_bids,
        core.wib(t.p['tgl_pengumuman_tender']) AS announced_at,
        core.wib(coalesce(s.p['tgl_penetapan_pemenang'], n.p['tgl_penetapan_pemenang'])) AS awarded_at,
        core.rupiah(n.p['nilai_pdn_kontrak']) AS pdn_value,
        core.rupiah(n.p['nilai_umk_kontrak']) AS umk_value,
        t.p['kualifikasi_paket'] AS qualification,
        t.p['url_lpse'] AS lpse_url
    FROM tender t
    LEFT JOIN selesai s ON s.key = t.key AND s.source = t.source
    LEFT JOIN nilai n ON n.key = t.key AND n.source = t.source
    LEFT JOIN peserta pe ON pe.kd_tender = t.key AND pe.source = t.source
),
-- The public satudata list, only for tenders the keyed dataset does not have.
umum AS (
    SELECT 'isb' AS source, 'tender' AS kind, u.key AS source_id,
        NULL AS kd_rup, NULL AS kd_klpd, u.payload['Instansi'] AS klpd_name, NULL AS kd_satker,
        u.payload['Satuan Kerja'] AS satker_name, TRY_CAST(u.payload['LPSE'] AS INTEGER) AS kd_lpse,
        u.payload['Nama Paket'] AS title, u.payload['Jenis Pengadaan'] AS category,
        u.payload['Metode Pengadaan'] AS method, u.payload['Tahap'] AS status,
        coalesce(TRY_CAST(u.payload['Tahun Anggaran'] AS INTEGER), u.year) AS year,
        core.rupiah(u.payload['Pagu']) AS pagu, core.rupiah(u.payload['HPS']) AS hps,
        NULL AS contract_value, NULL AS supplier_npwp, NULL AS supplier_name,
        NULL AS n_participants, NULL AS n_bids, NULL AS announced_at, NULL AS awarded_at,
        NULL AS pdn_value, NULL AS umk_value, NULL AS qualification, NULL AS lpse_url
    FROM (SELECT key, year, json_transform(payload, '{
        "Instansi": "VARCHAR", "Satuan Kerja": "VARCHAR", "LPSE": "VARCHAR",
        "Nama Paket": "VARCHAR", "Jenis Pengadaan": "VARCHAR", "Metode Pengadaan": "VARCHAR",
        "Tahap": "VARCHAR", "Tahun Anggaran": "VARCHAR", "Pagu": "VARCHAR", "HPS": "VARCHAR"}') AS payload
          FROM raw.isb_tender_umum_publik WHERE in_scope(key)) u
    WHERE u.key NOT IN (SELECT key FROM tender)
),
non_tenders AS (
    SELECT a.source, 'non_tender' AS kind, a.key AS source_id,
        a.payload['kd_rup'] AS kd_rup, a.payload['kd_klpd'] AS kd_klpd,
        a.payload['nama_klpd'] AS klpd_name, a.payload['kd_satker_str'] AS kd_satker,
        a.payload['nama_satker'] AS satker_name, TRY_CAST(a.payload['kd_lpse'] AS INTEGER),
        a.payload['nama_paket'], a.payload['jenis_pengadaan'], a.payload['mtd_pemilihan'],
        a.payload['status_nontender'], TRY_CAST(a.payload['tahun_anggaran'] AS INTEGER),
        core.rupiah(a.payload['pagu']), core.rupiah(a.payload['hps']),
        core.rupiah(s.payload['nilai_kontrak']),
        core.npwp15(coalesce(s.payload['npwp_penyedia'], s.payload['npwp16_penyedia'],
                             s.payload['npwp_16_penyedia'], s.payload['npwp_penyedia_16'])),
        s.payload['nama_penyedia'], NULL, NULL,
        core.wib(a.payload['tgl_pengumuman_nontender']),
        core.wib(s.payload['tgl_selesai_nontender']),
        core.rupiah(s.payload['nilai_pdn_kontrak']), core.rupiah(s.payload['nilai_umk_kontrak']),
        a.payload['kualifikasi_paket'], a.payload['url_lpse']
    FROM (SELECT source, key, json_transform(payload, '{
        "kd_rup": "VARCHAR", "kd_klpd": "VARCHAR", "nama_klpd": "VARCHAR",
        "kd_satker_str": "VARCHAR", "nama_satker": "VARCHAR", "kd_lpse": "VARCHAR",
        "nama_paket": "VARCHAR", "jenis_pengadaan": "VARCHAR", "mtd_pemilihan": "VARCHAR",
        "status_nontender": "VARCHAR", "tahun_anggaran": "VARCHAR", "pagu": "VARCHAR",
        "hps": "VARCHAR", "tgl_pengumuman_nontender": "VARCHAR",
        "kualifikasi_paket": "VARCHAR", "url_lpse": "VARCHAR"}') AS payload
          FROM temp.lkpp_non_tender_pengumuman WHERE in_scope(key)) a
    LEFT JOIN (SELECT source, key, json_transform(payload, '{
        "nilai_kontrak": "VARCHAR", "npwp_penyedia": "VARCHAR", "npwp16_penyedia": "VARCHAR",
        "npwp_16_penyedia": "VARCHAR", "npwp_penyedia_16": "VARCHAR",
        "nama_penyedia": "VARCHAR", "tgl_selesai_nontender": "VARCHAR",
        "nilai_pdn_kontrak": "VARCHAR", "nilai_umk_kontrak": "VARCHAR"}') AS payload
          FROM temp.lkpp_non_tender_selesai WHERE in_scope(key)) s ON s.key = a.key AND s.source = a.source
),
-- A recorded package's supplier is named on its payments; one name when they all agree.
pct_supplier AS (
    SELECT source, payload['kd_nontender_pct'] AS id,
        CASE WHEN count(DISTINCT payload['nama_penyedia']) = 1 THEN min(payload['nama_penyedia']) END AS supplier_name,
        CASE WHEN count(DISTINCT core.npwp15(payload['npwp_penyedia'])) = 1
             THEN min(core.npwp15(payload['npwp_penyedia'])) END AS supplier_npwp
    FROM (SELECT source, json_transform(payload, '{
        "kd_nontender_pct": "VARCHAR", "nama_penyedia": "VARCHAR", "npwp_penyedia": "VARCHAR"}') AS payload
          FROM temp.lkpp_pencatatan_non_tender_realisasi WHERE in_scope(key))
    GROUP BY ALL
),
pencatatan AS (
    SELECT c.source, 'pencatatan_non_tender' AS kind, c.key AS source_id,
        c.payload['kd_rup'], c.payload['kd_klpd'], c.payload['nama_klpd'],
        c.payload['kd_satker_str'], c.payload['nama_satker'], TRY_CAST(c.payload['kd_lpse'] AS INTEGER),
        c.payload['nama_paket'], c.payload['kategori_pengadaan'], c.payload['mtd_pemilihan'],
        coalesce(c.payload['status_nontender_pct_ket'], c.payload['status_nontender_pct']),
        TRY_CAST(c.payload['tahun_anggaran'] AS INTEGER),
        core.rupiah(c.payload['pagu']), NULL, core.rupiah(c.payload['total_realisasi']),
        ps.supplier_npwp, ps.supplier_name, NULL, NULL,
        core.wib(c.payload['tgl_mulai_paket']), core.wib(c.payload['tgl_selesai_paket']),
        core.rupiah(c.payload['nilai_pdn_pct']), core.rupiah(c.payload['nilai_umk_pct']),
        NULL, NULL
    FROM (SELECT source, key, json_transform(payload, '{
        "kd_rup": "VARCHAR", "kd_klpd": "VARCHAR", "nama_klpd": "VARCHAR",
        "kd_satker_str": "VARCHAR", "nama_satker": "VARCHAR", "kd_lpse": "VARCHAR",
        "nama_paket": "VARCHAR", "kategori_pengadaan": "VARCHAR", "mtd_pemilihan": "VARCHAR",
        "status_nontender_pct_ket": "VARCHAR", "status_nontender_pct": "VARCHAR",
        "tahun_anggaran": "VARCHAR", "pagu": "VARCHAR", "total_realisasi": "VARCHAR",
        "tgl_mulai_paket": "VARCHAR", "tgl_selesai_paket": "VARCHAR",
        "nilai_pdn_pct": "VARCHAR", "nilai_umk_pct": "VARCHAR"}') AS payload
          FROM temp.lkpp_pencatatan_non_tender WHERE in_scope(key)) c
    LEFT JOIN pct_supplier ps ON ps.id = c.key AND ps.source = c.source
),
swakelola AS (
    SELECT w.source, 'swakelola' AS kind, w.key AS source_id,
        w.payload['kd_rup'], w.payload['kd_klpd'], w.payload['nama_klpd'],
        w.payload['kd_satker_str'], w.payload['nama_satker'], TRY_CAST(w.payload['kd_lpse'] AS INTEGER),
        w.payload['nama_paket'], NULL, 'Swakelola ' || coalesce(w.payload['tipe_swakelola_nama'], ''),
        coalesce(w.payload['status_swakelola_pct_ket'], w.payload['status_swakelola_pct']),
        TRY_CAST(w.payload['tahun_anggaran'] AS INTEGER),
        core.rupiah(w.payload['pagu']), NULL, core.rupiah(w.payload['total_realisasi']),
        NULL, NULL, NULL, NULL,
        core.wib(w.payload['tgl_mulai_paket']), core.wib(w.payload['tgl_selesai_paket']),
        core.rupiah(w.payload['nilai_pdn_pct']), core.rupiah(w.payload['nilai_umk_pct']),
        NULL, NULL
    FROM (SELECT source, key, json_transform(payload, '{
        "kd_rup": "VARCHAR", "kd_klpd": "VARCHAR", "nama_klpd": "VARCHAR",
        "kd_satker_str": "VARCHAR", "nama_satker": "VARCHAR", "kd_lpse": "VARCHAR",
        "nama_paket": "VARCHAR", "tipe_swakelola_nama": "VARCHAR",
        "status_swakelola_pct_ket": "VARCHAR", "status_swakelola_pct": "VARCHAR",
        "tahun_anggaran": "VARCHAR", "pagu": "VARCHAR", "total_realisasi": "VARCHAR",
        "tgl_mulai_paket": "VARCHAR", "tgl_selesai_paket": "VARCHAR",
        "nilai_pdn_pct": "VARCHAR", "nilai_umk_pct": "VARCHAR"}') AS payload
          FROM temp.lkpp_pencatatan_swakelola WHERE in_scope(key)) w
),
epurchasing AS (
    SELECT 'isb' AS source, 'epurchasing' AS kind, e.key AS source_id,
        e.payload['kd_rup'], e.payload['kd_klpd'], e.payload['nama_instansi'],
        e.payload['kd_satker_str'], e.payload['nama_satker'], NULL,
        e.payload['rup_nama_pkt'], NULL, 'E-Purchasing', e.payload['status_pkt'],
        TRY_CAST(e.payload['tahun_anggaran'] AS INTEGER),
        NULL, NULL, core.rupiah(e.payload['total_harga']),
        NULL, NULL, NULL, NULL,
        core.wib(e.payload['tgl_order']), NULL, NULL, NULL, NULL, NULL
    FROM (SELECT key, json_transform(payload, '{
        "kd_rup": "VARCHAR", "kd_klpd": "VARCHAR", "nama_instansi": "VARCHAR",
        "kd_satker_str": "VARCHAR", "nama_satker": "VARCHAR", "rup_nama_pkt": "VARCHAR",
        "status_pkt": "VARCHAR", "tahun_anggaran": "VARCHAR", "total_harga": "VARCHAR",
        "tgl_order": "VARCHAR"}') AS payload
          FROM raw.isb_ecat_paket_epurchasing_v6 WHERE in_scope(key)) e
),
-- E-Katalog v6 through the gateway has its own names (inaproc.md §4); the K/L/PD's name is not
-- among them and comes from its satker list.
klpd_names AS (
    SELECT payload->>'kd_klpd' AS kd_klpd, min(payload->>'nama_klpd') AS klpd_name
    FROM temp.lkpp_rup_master_satker GROUP BY ALL
),
epurchasing_v6 AS (
    SELECT 'inaproc' AS source, 'epurchasing' AS kind, e.key AS source_id,
        e.payload['rup_code'], e.payload['kode_klpd'], k.klpd_name,
        e.payload['kode_satker'], e.payload['nama_satker'], NULL,
        e.payload['rup_name'], NULL, 'E-Purchasing', e.payload['status'],
        TRY_CAST(e.payload['fiscal_year'] AS INTEGER),
        NULL, NULL, core.rupiah(e.payload['total']),
        NULL, NULL, NULL, NULL,
        core.wib(e.payload['order_date']), NULL, NULL, NULL, NULL, NULL
    FROM (SELECT key, json_transform(payload, '{
        "rup_code": "VARCHAR", "kode_klpd": "VARCHAR", "kode_satker": "VARCHAR",
        "nama_satker": "VARCHAR", "rup_name": "VARCHAR", "status": "VARCHAR",
        "fiscal_year": "VARCHAR", "total": "VARCHAR", "order_date": "VARCHAR"}') AS payload
          FROM raw.inaproc_ekatalog_paket_e_purchasing WHERE in_scope(key)) e
    LEFT JOIN klpd_names k ON k.kd_klpd = e.payload['kode_klpd']
)
SELECT * FROM tenders
UNION ALL SELECT * FROM umum
UNION ALL SELECT * FROM non_tenders
UNION ALL SELECT * FROM pencatatan
UNION ALL SELECT * FROM swakelola
UNION ALL SELECT * FROM epurchasing
UNION ALL SELECT * FROM epurchasing_v6;
CREATE TABLE IF NOT EXISTS core.isb_processes AS FROM temp.isb_processes_in_scope WITH NO DATA;
DELETE FROM core.isb_processes WHERE in_scope(source_id);
INSERT INTO core.isb_processes FROM temp.isb_processes_in_scope;
DROP VIEW temp.isb_processes_in_scope;
-- The build-time views no later file reads (090_lkpp.sql).
DROP VIEW temp.lkpp_tender_pengumuman;
DROP VIEW temp.lkpp_tender_selesai;
DROP VIEW temp.lkpp_non_tender_pengumuman;
DROP VIEW temp.lkpp_non_tender_selesai;
DROP VIEW temp.lkpp_pencatatan_non_tender;
DROP VIEW temp.lkpp_pencatatan_swakelola;
