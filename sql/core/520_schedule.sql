-- core.schedule: the stages of every tender with their start and end.
-- Schedules: ISB's, and SPSE's for tenders ISB has none for.
-- creates: core.schedule
-- depends: core.isb_schedule, core.spse_schedule
-- test unique: core.schedule(source, source_id, stage_id)
-- test not_null: core.schedule(source, source_id, stage_id)
-- test relationship: core.schedule(source_id) -> core.processes(source_id)
CREATE OR REPLACE TABLE core.schedule AS
SELECT * FROM core.isb_schedule
UNION ALL BY NAME
SELECT * EXCLUDE (kind) FROM core.spse_schedule
WHERE kind = 'tender' AND source_id NOT IN (SELECT source_id FROM core.isb_schedule);
