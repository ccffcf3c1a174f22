-- core.metric_snapshots: the nightly history of core.agency_metrics, one snapshot per night.
-- What: every build appends that night's agency metrics with snapshot_date = the run date
-- (getvariable('run_date')); a second build for the same date replaces that date's snapshot,
-- never duplicates it. Created once (CREATE TABLE IF NOT EXISTS) and never rebuilt, unlike the
-- rest of core: the history survives the nightly rebuild.
-- Why: sources rewrite their past (a tender's status, a contract value); trends must compare
-- what pantau saw on each night, not today's view of the past (issue 5).
-- Source: core.agency_metrics (950_agency_metrics.sql).
-- creates: core.metric_snapshots
-- depends: core.agency_metrics
CREATE TABLE IF NOT EXISTS core.metric_snapshots (
    snapshot_date DATE NOT NULL,
    kd_klpd VARCHAR NOT NULL,
    kd_satker VARCHAR,
    year INTEGER NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    run_id VARCHAR,
    taken_at TIMESTAMPTZ
);

DELETE FROM core.metric_snapshots WHERE snapshot_date = CAST(getvariable('run_date') AS DATE);

INSERT INTO core.metric_snapshots
SELECT CAST(getvariable('run_date') AS DATE), kd_klpd, kd_satker, year, metric, value, numerator,
    denominator, CAST(getvariable('run_id') AS VARCHAR), now()
FROM core.agency_metrics;
