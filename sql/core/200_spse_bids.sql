-- core.spse_bids: every registered participant of an SPSE tender or non-tender (peserta page)
-- with its evaluation results (hasil page), in the same columns as core.isb_bids.
-- Matched by NPWP, else by name; evaluated bidders missing from the peserta page (e.g. it was
-- masked) are kept too. The winner is the hasil page's star, or the winner pages' NPWP / name.
-- Masked participants ("Peserta 1", "Peserta 2", ... before evaluation on the national portal)
-- are registrations: counted in n_registered (core.spse_processes), never a bid, a supplier or
-- an offer; the evaluation page, once published, names them.
-- Source: raw.spse_detail (connectors/spse_pages.py); ../shared/sources.md §1.
-- creates: core.spse_bids
-- depends: core.npwp15, core.rupiah, core.squash, raw.spse_detail
CREATE OR REPLACE TABLE core.spse_bids AS
WITH
d AS (SELECT payload AS p FROM raw.spse_detail WHERE payload->>'kind' IN ('tender', 'non_tender')),
peserta AS (
    SELECT * FROM (
        SELECT p->>'kind' AS kind, p->>'kode' AS source_id, unnest(p->'$.peserta[*]') AS x,
            generate_subscripts(p->'$.peserta[*]', 1) AS n
        FROM d)
    WHERE NOT coalesce(TRY_CAST(x->>'masked' AS BOOLEAN), false)
),
hasil AS (
    SELECT * FROM (
        SELECT p->>'kind' AS kind, p->>'kode' AS source_id, unnest(p->'$.hasil[*]') AS h,
            generate_subscripts(p->'$.hasil[*]', 1) AS n
        FROM d)
    WHERE NOT coalesce(TRY_CAST(h->>'masked' AS BOOLEAN), false)
),
winner AS (
    SELECT p->>'kind' AS kind, p->>'kode' AS source_id,
        coalesce(p->'$.pemenang_berkontrak.pemenang[0]', p->'$.pemenang.pemenang[0]') AS w
    FROM d
),
joined AS (
    SELECT coalesce(pe.kind, ha.kind) AS kind, coalesce(pe.source_id, ha.source_id) AS source_id,
        pe.x, ha.h, coalesce(pe.n, 1000000 + ha.n) AS n
    FROM peserta pe
    FULL JOIN hasil ha ON ha.kind = pe.kind AND ha.source_id = pe.source_id AND (
        core.npwp15(ha.h->>'npwp') = core.npwp15(pe.x->>'npwp')
        OR ((core.npwp15(ha.h->>'npwp') IS NULL OR core.npwp15(pe.x->>'npwp') IS NULL)
            AND lower(core.squash(ha.h->>'nama')) = lower(core.squash(pe.x->>'nama'))))
),
bids AS (
    SELECT j.*, core.npwp15(coalesce(x->>'npwp', h->>'npwp')) AS npwp,
        coalesce(x->>'nama', h->>'nama') AS name,
        coalesce(TRY_CAST(h->>'pemenang' AS BOOLEAN), false)
            OR core.npwp15(w.w->>'npwp') = core.npwp15(coalesce(x->>'npwp', h->>'npwp'))
            OR (core.npwp15(w.w->>'npwp') IS NULL
                AND lower(core.squash(w.w->>'nama_pemenang'))
                    = lower(core.squash(coalesce(x->>'nama', h->>'nama'))))
            AS winner,
        w.w
    FROM joined j LEFT JOIN winner w USING (kind, source_id)
)
SELECT
    'spse' AS source,
    source_id,
    CAST(NULL AS VARCHAR) AS participant_id,
    CAST(NULL AS VARCHAR) AS supplier_id,
    npwp AS supplier_npwp,
    name AS supplier_name,
    core.rupiah(coalesce(h->>'penawaran', x->>'harga_penawaran')) AS offer_value,
    core.rupiah(coalesce(h->>'penawaran_terkoreksi', x->>'harga_terkoreksi')) AS corrected_value,
    core.rupiah(coalesce(h->>'hasil_negosiasi', CASE WHEN winner THEN w->>'hasil_negosiasi' END))
        AS negotiated_value,
    coalesce(winner, false) AS is_winner,
    coalesce(h->>'penawaran', x->>'harga_penawaran') IS NOT NULL AS is_bid,
    TRY_CAST(h->>'evaluasi_administrasi' AS BOOLEAN) AS passed_administration,
    TRY_CAST(h->>'evaluasi_teknis' AS BOOLEAN) AS passed_technical,
    TRY_CAST(h->>'evaluasi_harga_biaya' AS BOOLEAN) AS passed_price,
    -- qualification is evaluated (K), then proven (B): failing either fails it
    CASE WHEN TRY_CAST(h->>'evaluasi_kualifikasi' AS BOOLEAN) = false
              OR TRY_CAST(h->>'pembuktian_kualifikasi' AS BOOLEAN) = false THEN false
         ELSE coalesce(TRY_CAST(h->>'pembuktian_kualifikasi' AS BOOLEAN),
                       TRY_CAST(h->>'evaluasi_kualifikasi' AS BOOLEAN)) END
        AS passed_qualification,
    nullif(core.squash(h->>'alasan'), '') AS reason,
    kind
FROM bids;
