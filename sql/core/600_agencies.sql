-- core.agencies: the buyers: each K/L/PD and its satuan kerja (work units).
-- Why: buyers are satuan kerja (work units) under a K/L/PD; the master lists name them, and a
-- unit seen only in the processes is kept too.
-- Source: ISB MasterKLPD, RUP-MasterSatker (ISB's and INAPROC's rup/master-satker:
-- 090_lkpp.sql), and the processes themselves.
-- creates: core.agencies
-- depends: core.processes, raw.isb_master_klpd, temp.lkpp_rup_master_satker
-- test unique: core.agencies(level, kd_klpd, kd_satker)
-- test not_null: core.agencies(level, kd_klpd, name)
-- test accepted_values: core.agencies(level) in ('klpd', 'satker')
CREATE OR REPLACE TABLE core.agencies AS
WITH klpd AS (
    SELECT key AS kd_klpd, payload->>'nama_klpd' AS name, payload->>'jenis_klpd' AS kind
    FROM raw.isb_master_klpd
    UNION ALL
    SELECT DISTINCT kd_klpd, klpd_name, NULL FROM core.processes
    WHERE kd_klpd IS NOT NULL AND kd_klpd NOT IN (SELECT key FROM raw.isb_master_klpd)
),
satker AS (
    SELECT payload->>'kd_klpd' AS kd_klpd, payload->>'kd_satker_str' AS kd_satker,
        payload->>'nama_satker' AS name, payload->>'jenis_satker' AS kind,
        payload->>'kd_satker' AS satker_id
    FROM temp.lkpp_rup_master_satker WHERE payload->>'kd_satker_str' IS NOT NULL
),
seen AS (
    SELECT kd_klpd, kd_satker, min(satker_name) AS name
    FROM core.processes WHERE kd_satker IS NOT NULL GROUP BY ALL
)
SELECT 'klpd' AS level, kd_klpd, NULL AS kd_satker, min(name) AS name,
    min(kind) AS kind, NULL AS satker_id
FROM klpd GROUP BY kd_klpd
UNION ALL
SELECT 'satker', kd_klpd, kd_satker, min(name), min(kind), min(satker_id)
FROM satker GROUP BY kd_klpd, kd_satker
UNION ALL
SELECT 'satker', s.kd_klpd, s.kd_satker, s.name, NULL, NULL
FROM seen s ANTI JOIN satker m ON m.kd_satker = s.kd_satker AND m.kd_klpd IS NOT DISTINCT FROM s.kd_klpd;
DROP VIEW temp.lkpp_rup_master_satker;
