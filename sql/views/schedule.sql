-- view schedule: the stages of each tender with their start and end (Asia/Jakarta).
-- Why: submission and decision periods are measured on the schedule.
-- Source: core.schedule (ISB SPSE-JadwalTahapanTender, SPSE jadwal pages).
-- column source: where the row comes from
-- column source_id: the tender's package code
-- column stage_id: the source's stage code
-- column stage_name: the stage name as published
-- column stage: the stage name lower-case with white space squashed
-- column starts_at: stage start, WIB
-- column ends_at: stage end, WIB
-- depends: core.schedule
-- test relationship: schedule(source_id) -> tenders(source_id)
CREATE OR REPLACE VIEW main.schedule AS
SELECT source, source_id, stage_id, stage_name, stage,
    timezone('Asia/Jakarta', starts_at) AS starts_at, timezone('Asia/Jakarta', ends_at) AS ends_at
FROM core.schedule;
