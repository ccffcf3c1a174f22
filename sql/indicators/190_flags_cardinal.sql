-- core.flags_cardinal: the Cardinal indicator results of the nightly build, as flags.
-- What: one row per flag. Process-level results (group OCID) carry the process's source and
-- source_id; organisation-level results (Buyer, ProcuringEntity, Tenderer) carry the group and the
-- organisation's OCDS id in entity_id ('pantau-klpd-<kd_klpd>', 'pantau-satker-<kd_satker>',
-- 'IDN-NPWP-<npwp>' or 'pantau-penyedia-<kd_penyedia>' for ISB/SPSE data; the publisher's id for
-- OCDS data), with source_id null: they are about the organisation across all its processes.
-- 900_flags.sql unions this table with core.flags_compliance into core.flags.
-- A process-level result names the release by its ocid (pantau's, or the publisher's for OCDS
-- data); the release's line in temp.cardinal_rel gives the process (temp.cardinal_processes,
-- 100_cardinal.sql); if two releases share an ocid, the last one, as in 129.
-- Source: core.cardinal_result (129), temp.cardinal_rel (105/106), temp.cardinal_processes (100).
-- creates: core.flags_cardinal
-- depends: core.cardinal_result, temp.cardinal_awards, temp.cardinal_bids,
--   temp.cardinal_processes, temp.cardinal_rel, temp.cardinal_releases
CREATE OR REPLACE TABLE core.flags_cardinal AS
WITH d(code, description) AS (VALUES
    ('R003', 'Cardinal R003 short submission period: tender period shorter than the minimum (days)'),
    ('R018', 'Cardinal R018 single bid received in an open/selective tender'),
    ('R024', 'Cardinal R024 price close to winning bid: second-lowest valid bid unusually close to the winner (value = relative difference)'),
    ('R025', 'Cardinal R025 excessive unsuccessful bids: tenderer bids often, rarely wins (value = wins / processes bid)'),
    ('R028', 'Cardinal R028 identical bid prices from different tenderers'),
    ('R030', 'Cardinal R030 late bid won: a valid bid dated after the tender period was awarded'),
    ('R035', 'Cardinal R035 all except winning bid disqualified (value = disqualified tenderers)'),
    ('R036', 'Cardinal R036 lowest bid disqualified'),
    ('R038', 'Cardinal R038 excessive disqualified bids (value = disqualified / submitted bids)'),
    ('R048', 'Cardinal R048 heterogeneous supplier (value = distinct item classifications)'),
    ('R058', 'Cardinal R058 heavily discounted bid: winner far below the next valid bid (value = relative difference)')
),
rel AS (
    SELECT p.source, p.kind, p.source_id, r.ocid
    FROM temp.cardinal_rel r JOIN temp.cardinal_processes p USING (line_no)
    WHERE r.ocid IN (SELECT id FROM core.cardinal_result WHERE grp = 'OCID')
    QUALIFY row_number() OVER (PARTITION BY r.ocid ORDER BY r.line_no DESC) = 1
)
SELECT rel.source, rel.kind, rel.source_id, r.code, r.value, r.grp, rel.source_id AS entity_id,
    d.description
FROM core.cardinal_result r
JOIN rel ON rel.ocid = r.id
LEFT JOIN d USING (code)
WHERE r.grp = 'OCID'
UNION ALL
SELECT NULL, NULL, NULL, r.code, r.value, r.grp, r.id, d.description
FROM core.cardinal_result r
LEFT JOIN d USING (code)
WHERE r.grp <> 'OCID';

-- Cardinal's input rows (one per process, bid and award) are read by no later file: free their
-- memory before the rest of the night.
DROP TABLE temp.cardinal_processes;
DROP TABLE temp.cardinal_releases;
DROP TABLE temp.cardinal_rel;
DROP TABLE temp.cardinal_bids;
DROP TABLE temp.cardinal_awards;
