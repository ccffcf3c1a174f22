-- core.flags_compliance: pantau's Indonesian compliance checks and PFA scores in the shape of
-- core.flags (900_flags.sql unions it with the Cardinal indicators).
-- Why: analysts read one flags view, whatever produced the flag.
-- Source: core.compliance_results (200-400 files). Per-process results: grp 'OCID',
-- entity_id = source_id. PFA rows are scores (every scored tender has them), not red flags.
-- creates: core.flags_compliance
-- depends: core.compliance_results
CREATE OR REPLACE TABLE core.flags_compliance AS
SELECT source, kind, source_id, code, CAST(value AS DOUBLE) AS value, 'OCID' AS grp,
    source_id AS entity_id, description
FROM core.compliance_results;
