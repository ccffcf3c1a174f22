-- view metric_history: agency_metrics as each nightly run saw them, one snapshot per run date.
-- Why: sources rewrite their past; trends compare what was known on each night. A rerun on the same date replaces that date's snapshot.
-- Source: core.metric_snapshots (sql/indicators/960_metric_snapshots.sql), appended by every build.
-- column snapshot_date: the night of the run (run date, Asia/Jakarta)
-- column kd_klpd: K/L/PD code
-- column kd_satker: the work unit's dotted code; null on the row for the whole K/L/PD
-- column year: budget year (tahun anggaran)
-- column metric: the metric's name (see agency_metrics)
-- column value: the metric's value on that night
-- column numerator: its numerator on that night
-- column denominator: its denominator on that night (null for counts)
-- column run_id: the run that took the snapshot
-- depends: core.metric_snapshots
CREATE OR REPLACE VIEW main.metric_history AS
SELECT snapshot_date, kd_klpd, kd_satker, year, metric, value, numerator, denominator, run_id
FROM core.metric_snapshots;
