-- core.flags: every red flag and score, whatever produced it, in one table.
-- What: the union of core.flags_cardinal (OCP Cardinal indicators, issue 4) and
-- core.flags_compliance (pantau's Indonesian compliance checks and ICW PFA scores, issue 5).
-- Why: analysts read one `flags` view; metrics count flags from one place.
-- Source: the files before this one in sql/indicators/. Columns: source, kind, source_id (the
-- process: ISB reuses a code across kinds, so (source, kind, source_id) names it), code, value, grp ('OCID' for a process; Cardinal also writes 'Buyer',
-- 'ProcuringEntity', 'Tenderer'), entity_id, description.
-- creates: core.flags
-- depends: core.flags_cardinal, core.flags_compliance
-- test unique: core.flags(source, kind, source_id, code, grp, entity_id)
-- test not_null: core.flags(code, grp, entity_id)
-- test accepted_values: core.flags(grp) in ('OCID', 'Buyer', 'ProcuringEntity', 'Tenderer')
-- test relationship: core.flags(kind, source_id) -> core.processes(kind, source_id)
CREATE OR REPLACE TABLE core.flags AS
SELECT source, kind, source_id, code, value, grp, entity_id, description FROM core.flags_cardinal
UNION ALL
SELECT source, kind, source_id, code, value, grp, entity_id, description
FROM core.flags_compliance;
