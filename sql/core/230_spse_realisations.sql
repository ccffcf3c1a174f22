-- core.spse_realisations: the payments SPSE shows for recorded packages (realisasi page), in
-- the columns of core.isb_realisations plus kind.
-- Source: raw.spse_detail (connectors/spse_pages.py); ../shared/sources.md §1.
-- creates: core.spse_realisations
-- depends: core.npwp15, core.rupiah, core.wib, raw.spse_detail
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
