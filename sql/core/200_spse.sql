-- core.spse_processes, core.spse_bids, core.spse_schedule, core.spse_realisations: what the
-- national SPSE portal publishes, in the same columns as the ISB tables.
-- Why: most watchdogs hold no ISB key; the portal is public, and its detail pages carry what ISB
-- lacks (each bidder's evaluation results, the winner page, the schedule). 500_processes.sql
-- merges these with ISB's (one row per package; ISB first, SPSE filling gaps).
-- Source: raw.spse_listing (dt/{lelang|pl|nonspk|swakelola|darurat-list} rows) and
-- raw.spse_detail (every detail page of a package, parsed by connectors/spse_pages.py);
-- ../shared/sources.md §1. Listing values are abbreviated ("15,9 M"): pagu/hps come from the
-- detail page when it was fetched, else from the listing (approximate). The portal shows no
-- K/L/PD or satker codes, only names; masked NPWP (10*1**1****35**2) normalise to null.
CREATE OR REPLACE TABLE core.spse_processes AS
WITH
l AS (SELECT key, year, source_url, payload AS p FROM raw.spse_listing),
d AS (SELECT key, payload AS p FROM raw.spse_detail),
-- The winner of a tender / non-tender: the contract page first, then the winner page.
win AS (
    SELECT key,
        coalesce(p->'$.pemenang_berkontrak.pemenang[0]', p->'$.pemenang.pemenang[0]') AS w
    FROM d
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
    coalesce(d.p->>'$.pengumuman.klpd', l.p->>'instansi') AS klpd_name,
    CAST(NULL AS VARCHAR) AS kd_satker,
    coalesce(d.p->>'$.pengumuman.satuan_kerja', d.p->>'$.realisasi.satuan_kerja') AS satker_name,
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
             core.rupiah(l.p->>'nilai_rp')) AS pagu,
    coalesce(core.rupiah(d.p->>'$.pengumuman.nilai_hps_paket'), core.rupiah(l.p->>'hps_rp')) AS hps,
    CASE WHEN l.p->>'kind' IN ('tender', 'non_tender')
         THEN coalesce(core.rupiah(w.w->>'nilai_kontrak'), core.rupiah(w.w->>'hasil_negosiasi'),
                       core.rupiah(l.p->>'nilai_kontrak_rp'))
         ELSE core.rupiah(d.p->>'$.realisasi.nilai_total_realisasi') END AS contract_value,
    coalesce(core.npwp15(w.w->>'npwp'), pihak.npwp) AS supplier_npwp,
    coalesce(w.w->>'nama_pemenang', pihak.name) AS supplier_name,
    CASE WHEN (d.p->'peserta') IS NOT NULL THEN json_array_length(d.p->'peserta') END
        AS n_participants,
    CASE WHEN (d.p->'peserta') IS NOT NULL
         THEN len(list_filter(d.p->>'$.peserta[*].harga_penawaran', lambda x: x IS NOT NULL)) END
        AS n_bids,
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
LEFT JOIN pihak USING (key)
LEFT JOIN stages USING (key);

-- Every registered participant (peserta page) with its evaluation results (hasil page), matched
-- by NPWP, else by name; evaluated bidders missing from the peserta page are kept too.
CREATE OR REPLACE TABLE core.spse_bids AS
WITH
d AS (SELECT payload AS p FROM raw.spse_detail WHERE payload->>'kind' IN ('tender', 'non_tender')),
peserta AS (
    SELECT p->>'kind' AS kind, p->>'kode' AS source_id, unnest(p->'$.peserta[*]') AS x,
        generate_subscripts(p->'$.peserta[*]', 1) AS n
    FROM d
),
hasil AS (
    SELECT p->>'kind' AS kind, p->>'kode' AS source_id, unnest(p->'$.hasil[*]') AS h,
        generate_subscripts(p->'$.hasil[*]', 1) AS n
    FROM d
),
joined AS (
    SELECT coalesce(pe.kind, ha.kind) AS kind, coalesce(pe.source_id, ha.source_id) AS source_id,
        pe.x, ha.h, coalesce(pe.n, 1000 + ha.n) AS n
    FROM peserta pe
    FULL JOIN hasil ha ON ha.kind = pe.kind AND ha.source_id = pe.source_id AND (
        core.npwp15(ha.h->>'npwp') = core.npwp15(pe.x->>'npwp')
        OR ((core.npwp15(ha.h->>'npwp') IS NULL OR core.npwp15(pe.x->>'npwp') IS NULL)
            AND lower(core.squash(ha.h->>'nama')) = lower(core.squash(pe.x->>'nama'))))
)
SELECT
    'spse' AS source,
    source_id,
    CAST(NULL AS VARCHAR) AS participant_id,
    CAST(NULL AS VARCHAR) AS supplier_id,
    core.npwp15(coalesce(x->>'npwp', h->>'npwp')) AS supplier_npwp,
    coalesce(x->>'nama', h->>'nama') AS supplier_name,
    core.rupiah(coalesce(h->>'penawaran', x->>'harga_penawaran')) AS offer_value,
    core.rupiah(coalesce(h->>'penawaran_terkoreksi', x->>'harga_terkoreksi')) AS corrected_value,
    core.rupiah(h->>'hasil_negosiasi') AS negotiated_value,
    coalesce(TRY_CAST(h->>'pemenang' AS BOOLEAN), false) AS is_winner,
    coalesce(h->>'penawaran', x->>'harga_penawaran') IS NOT NULL AS is_bid,
    TRY_CAST(h->>'evaluasi_administrasi' AS BOOLEAN) AS passed_administration,
    TRY_CAST(h->>'evaluasi_teknis' AS BOOLEAN) AS passed_technical,
    TRY_CAST(h->>'evaluasi_harga_biaya' AS BOOLEAN) AS passed_price,
    TRY_CAST(coalesce(h->>'evaluasi_kualifikasi', h->>'pembuktian_kualifikasi') AS BOOLEAN)
        AS passed_qualification,
    CAST(NULL AS VARCHAR) AS reason,
    kind
FROM joined;

CREATE OR REPLACE TABLE core.spse_schedule AS
SELECT 'spse' AS source, source_id, CAST(n AS VARCHAR) AS stage_id, s->>'tahap' AS stage_name,
    lower(core.squash(s->>'tahap')) AS stage, core.wib(s->>'mulai') AS starts_at,
    core.wib(s->>'sampai') AS ends_at, kind
FROM (
    SELECT payload->>'kind' AS kind, payload->>'kode' AS source_id,
        unnest(payload->'$.jadwal[*]') AS s, generate_subscripts(payload->'$.jadwal[*]', 1) AS n
    FROM raw.spse_detail
);

CREATE OR REPLACE TABLE core.spse_realisations AS
SELECT 'spse' AS source, kind, source_id, r->>'jenis_realisasi' AS realisation_type,
    CAST(NULL AS VARCHAR) AS document_number, core.wib(r->>'tanggal_realisasi') AS paid_at,
    core.rupiah(r->>'nilai_realisasi') AS value, r->>'$.pihak[0].nama' AS recipient_name,
    core.npwp15(r->>'$.pihak[0].npwp') AS recipient_npwp
FROM (
    SELECT payload->>'kind' AS kind, payload->>'kode' AS source_id,
        unnest(payload->'$.realisasi.realisasi[*]') AS r
    FROM raw.spse_detail
);
