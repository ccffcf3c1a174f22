-- core.schedule: the stages of every tender with their start and end.
-- Schedules: ISB's, and SPSE's for tenders ISB has none for.
-- creates: core.schedule
-- depends: core.isb_schedule, core.spse_schedule
CREATE OR REPLACE TABLE core.schedule AS
SELECT * FROM core.isb_schedule
UNION ALL BY NAME
SELECT * EXCLUDE (kind) FROM core.spse_schedule
WHERE kind = 'tender' AND source_id NOT IN (SELECT source_id FROM core.isb_schedule);
