-- core.agencies and core.suppliers: the buyers and the sellers.
-- Why: buyers are satuan kerja (work units) under a K/L/PD; suppliers are keyed by NPWP
-- normalised to 15 digits, the one identifier every source shares.
-- Source: ISB MasterKLPD, RUP-MasterSatker, and the processes and bids themselves.
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

CREATE OR REPLACE TABLE core.suppliers AS
WITH mentions AS (
    SELECT supplier_npwp AS npwp, supplier_name AS name, is_bid, is_winner FROM core.bids
    WHERE supplier_npwp IS NOT NULL
    UNION ALL
    SELECT supplier_npwp, supplier_name, false, true FROM core.processes
    WHERE supplier_npwp IS NOT NULL AND kind <> 'tender'
),
-- The most frequent spelling of the name; ties go to the first alphabetically (deterministic).
names AS (
    SELECT npwp, name FROM mentions WHERE name IS NOT NULL GROUP BY npwp, name
    QUALIFY row_number() OVER (PARTITION BY npwp ORDER BY count(*) DESC, name) = 1
)
SELECT m.npwp, n.name, count(*) FILTER (WHERE m.is_bid) AS n_bids,
    count(*) FILTER (WHERE m.is_winner) AS n_wins
FROM mentions m LEFT JOIN names n USING (npwp) GROUP BY m.npwp, n.name;
