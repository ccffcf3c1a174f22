-- core.spse_schedule: the stages of each SPSE package (jadwal page), in the columns of
-- core.isb_schedule plus kind.
-- Source: raw.spse_detail (connectors/spse_pages.py); ../shared/sources.md §1.
-- creates: core.spse_schedule
-- depends: core.squash, core.wib, raw.spse_detail
CREATE OR REPLACE TABLE core.spse_schedule AS
SELECT 'spse' AS source, source_id, CAST(n AS VARCHAR) AS stage_id, s->>'tahap' AS stage_name,
    lower(core.squash(s->>'tahap')) AS stage, core.wib(s->>'mulai') AS starts_at,
    core.wib(s->>'sampai') AS ends_at, kind
FROM (
    SELECT payload->>'kind' AS kind, payload->>'kode' AS source_id,
        unnest(payload->'$.jadwal[*]') AS s, generate_subscripts(payload->'$.jadwal[*]', 1) AS n
    FROM raw.spse_detail
);
