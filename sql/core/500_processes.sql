-- core.processes: every contracting process of every source, one row each.
-- Why: the same package may be described by several sources (ISB and SPSE share kd_tender /
-- kd_nontender); analysts need it once. Each source contributes core.<source>_processes with
-- the same columns; where two describe the same (kind, source_id) the richer source wins
-- (ISB, then SPSE, then OCDS) and `sources` lists all that describe it.
CREATE OR REPLACE TABLE core.processes AS
WITH all_sources AS (
    SELECT *, 1 AS preference FROM core.isb_processes
    UNION ALL BY NAME SELECT *, 3 AS preference FROM core.ocds_processes
)
SELECT * EXCLUDE (preference, rn),
FROM (
    SELECT *,
        list_sort(list(source) OVER (PARTITION BY kind, source_id)) AS sources,
        row_number() OVER (PARTITION BY kind, source_id ORDER BY preference) AS rn
    FROM all_sources
)
WHERE rn = 1;

CREATE OR REPLACE TABLE core.bids AS SELECT * FROM core.isb_bids
-- OCDS bids (sql/core/300_ocds_processes.sql) of processes no other source has bids for.
UNION ALL BY NAME
SELECT * FROM core.ocds_bids o
WHERE o.source_id NOT IN (SELECT source_id FROM core.isb_bids);
CREATE OR REPLACE TABLE core.schedule AS SELECT * FROM core.isb_schedule;
CREATE OR REPLACE TABLE core.realisations AS SELECT * FROM core.isb_realisations;
CREATE OR REPLACE TABLE core.plans AS SELECT * FROM core.isb_plans;
