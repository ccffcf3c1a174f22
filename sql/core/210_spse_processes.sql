-- core.spse_processes: the packages the national SPSE portal publishes, in the same columns as
-- core.isb_processes (its bids, schedule and payments: 200, 220 and 230_spse_*.sql).
-- Why: most watchdogs hold no ISB key; the portal is public, and its detail pages carry what ISB
-- lacks (each bidder's evaluation results, the winner page, the schedule). 500_processes.sql and
-- 510-530 merge these with ISB's (one row per package; ISB first, SPSE filling gaps).
-- Source: raw.spse_listing (dt/{lelang|pl|nonspk|swakelola|darurat-list} rows) and
-- raw.spse_detail (every detail page of a package, parsed by connectors/spse_pages.py);
-- ../shared/sources.md §1. Listing values are abbreviated ("15,9 M"): pagu/hps come from the
-- detail page when it was fetched, else from the listing (approximate). The portal shows no
-- K/L/PD or satker codes, only names; masked NPWP (10*1**1****35**2) normalise to null.
-- A page quarantined for its layout is absent from the record: what the package's other pages
-- gave still lands.
-- creates: core.spse_processes
-- depends: core.npwp15, core.rupiah, core.spse_bids, core.wib, raw.spse_detail, raw.spse_listing
CREATE OR REPLACE TABLE core.spse_processes AS
WITH
l AS (SELECT key, year, source_url, payload AS p FROM raw.spse_listing),
d AS (SELECT key, payload AS p FROM raw.spse_detail),
-- The winner of a tender / non-tender: the contract page first, then the winner page.
win AS (
    SELECT key, p->'$.pemenang_berkontrak.pemenang[0]' AS contract,
        coalesce(p->'$.pemenang_berkontrak.pemenang[0]', p->'$.pemenang.pemenang[0]') AS w
    FROM d
),
-- Who registered: every row of the peserta page, masked ones too.
registered AS (
    SELECT key, json_array_length(p->'peserta') AS n_rows,
        len(list_filter(p->>'$.peserta[*].masked', lambda m: m = 'true')) AS n_masked
    FROM d WHERE json_type(p->'peserta') = 'ARRAY'
),
-- Identified participants and their offers (core.spse_bids), and the evaluation's winner.
bid_counts AS (
    SELECT kind, source_id, count(*) AS n_identified, count(*) FILTER (WHERE is_bid) AS n_offers,
        min(supplier_npwp) FILTER (WHERE is_winner) AS winner_npwp,
        min(supplier_name) FILTER (WHERE is_winner) AS winner_name
    FROM core.spse_bids GROUP BY kind, source_id
),
-- A recorded package's supplier: the party named on its payments, when they all agree.
pihak AS (
    SELECT key,
        CASE WHEN count(DISTINCT x->>'nama') = 1 THEN any_value(x->>'nama') END AS name,
        CASE WHEN count(DISTINCT core.npwp15(x->>'npwp')) = 1
             THEN any_value(core.npwp15(x->>'npwp')) END AS npwp
    FROM (SELECT key, unnest(p->'$.realisasi.realisasi[*].pihak[*]') AS x FROM d)
    GROUP BY key
),
stages AS (
    SELECT key,
        min(core.wib(s->>'mulai')) AS first_start,
        min(core.wib(s->>'mulai')) FILTER (WHERE lower(s->>'tahap') LIKE 'penetapan pemenang%')
            AS award_start
    FROM (SELECT key, unnest(p->'$.jadwal[*]') AS s FROM d)
    GROUP BY key
)
SELECT
    'spse' AS source,
    l.p->>'kind' AS kind,
    l.p->>'kode' AS source_id,
    nullif(array_to_string(d.p->>'$.pengumuman.rup[*].kode_rup', ';'), '') AS kd_rup,
    CAST(NULL AS VARCHAR) AS kd_klpd,
    coalesce(d.p->>'$.pengumuman.klpd', d.p->>'$.pemenang.klpd', l.p->>'instansi') AS klpd_name,
    CAST(NULL AS VARCHAR) AS kd_satker,
    coalesce(d.p->>'$.pengumuman.satuan_kerja', d.p->>'$.realisasi.satuan_kerja',
             d.p->>'$.pemenang.satuan_kerja') AS satker_name,
    CAST(NULL AS INTEGER) AS kd_lpse,
    coalesce(d.p->>'$.pengumuman.nama_paket', l.p->>'nama_paket') AS title,
    coalesce(d.p->>'$.pengumuman.jenis_pengadaan', l.p->>'jenis_pengadaan') AS category,
    coalesce(d.p->>'$.pengumuman.metode_pengadaan', l.p->>'metode_pemilihan',
             CASE l.p->>'kind' WHEN 'swakelola' THEN 'Swakelola' WHEN 'darurat' THEN 'Darurat' END)
        AS method,
    l.p->>'tahap' AS status,
    coalesce(TRY_CAST(l.p->>'tahun' AS INTEGER),
             TRY_CAST(d.p->>'$.pengumuman.tahun_anggaran.tahun' AS INTEGER), l.year) AS year,
    coalesce(core.rupiah(d.p->>'$.pengumuman.nilai_pagu_paket'),
             core.rupiah(d.p->>'$.realisasi.nilai_pagu_paket'),
             core.rupiah(d.p->>'$.pemenang_berkontrak.nilai_pagu_paket'),
             core.rupiah(d.p->>'$.pemenang.nilai_pagu_paket'),
             core.rupiah(l.p->>'nilai_rp')) AS pagu,
    coalesce(core.rupiah(d.p->>'$.pengumuman.nilai_hps_paket'),
             core.rupiah(d.p->>'$.pemenang_berkontrak.nilai_hps_paket'),
             core.rupiah(d.p->>'$.pemenang.nilai_hps_paket'),
             core.rupiah(l.p->>'hps_rp')) AS hps,
    -- The contract exists once the pemenangberkontrak page names the winner (an empty table
    -- there is "no contract yet"); the listing's "Nilai Kontrak" is exact when shown.
    CASE WHEN l.p->>'kind' IN ('tender', 'non_tender')
         THEN coalesce(core.rupiah(w.contract->>'nilai_kontrak'),
                       core.rupiah(w.contract->>'hasil_negosiasi'),
                       core.rupiah(l.p->>'nilai_kontrak_rp'),
                       core.rupiah(w.contract->>'harga_terkoreksi'))
         ELSE core.rupiah(d.p->>'$.realisasi.nilai_total_realisasi') END AS contract_value,
    coalesce(core.npwp15(w.w->>'npwp'), b.winner_npwp, pihak.npwp) AS supplier_npwp,
    coalesce(w.w->>'nama_pemenang', b.winner_name, pihak.name) AS supplier_name,
    -- Identified participants and offers; unknown (null) while the registrations are masked.
    CASE WHEN b.n_identified > 0 THEN b.n_identified
         WHEN (r.n_rows IS NOT NULL OR json_type(d.p->'hasil') = 'ARRAY')
              AND coalesce(r.n_masked, 0) = 0 THEN 0 END AS n_participants,
    CASE WHEN b.n_identified > 0 THEN b.n_offers
         WHEN (r.n_rows IS NOT NULL OR json_type(d.p->'hasil') = 'ARRAY')
              AND coalesce(r.n_masked, 0) = 0 THEN 0 END AS n_bids,
    coalesce(r.n_rows, TRY_CAST(d.p->>'$.pengumuman.peserta' AS INTEGER), b.n_identified)
        AS n_registered,
    coalesce(stages.first_start, core.wib(d.p->>'$.pengumuman.tanggal_pembuatan')) AS announced_at,
    coalesce(stages.award_start, core.wib(d.p->>'$.realisasi.tanggal_paket_selesai'))
        AS awarded_at,
    core.rupiah(d.p->>'$.realisasi.nilai_pdn') AS pdn_value,
    core.rupiah(d.p->>'$.realisasi.nilai_umk') AS umk_value,
    d.p->>'$.pengumuman.kualifikasi_usaha' AS qualification,
    regexp_replace(l.source_url, '/dt/[^/]+$', '') AS lpse_url
FROM l
LEFT JOIN d USING (key)
LEFT JOIN win w USING (key)
LEFT JOIN registered r USING (key)
LEFT JOIN bid_counts b ON b.kind = l.p->>'kind' AND b.source_id = l.p->>'kode'
LEFT JOIN pihak USING (key)
LEFT JOIN stages USING (key);
