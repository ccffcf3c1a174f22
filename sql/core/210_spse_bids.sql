-- core.spse_bids: every registered participant of an SPSE tender or non-tender (peserta page)
-- with its evaluation results (hasil page), in the same columns as core.isb_bids.
-- Matched by NPWP, else by name; evaluated bidders missing from the peserta page are kept too.
-- Source: raw.spse_detail (connectors/spse_pages.py); ../shared/sources.md §1.
-- creates: core.spse_bids
-- depends: core.npwp15, core.rupiah, core.squash, raw.spse_detail
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
