-- core.suppliers: the sellers, keyed by NPWP normalised to 15 digits, the one identifier
-- every source shares; with how often each bid and won.
-- Source: core.bids and the winners of non-tender processes (core.processes).
-- creates: core.suppliers
-- depends: core.bids, core.processes
-- test unique: core.suppliers(npwp)
-- test not_null: core.suppliers(npwp)
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
