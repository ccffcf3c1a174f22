-- core.coverage_snapshots: core.field_coverage night by night (issue 16's data-quality annex).
-- What: every build replaces its night's snapshot (snapshot_date = the run date), like
-- metric_snapshots.
-- Why: the coverage_dropped alert rule compares the last two snapshots: a source that stops
-- filling a field is seen the night it happens.
-- Source: core.field_coverage (970_field_coverage.sql).
-- creates: core.coverage_snapshots
-- depends: core.field_coverage
-- test unique: core.coverage_snapshots(snapshot_date, source, dataset, field)
CREATE TABLE IF NOT EXISTS core.coverage_snapshots (
    snapshot_date DATE NOT NULL,
    source VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    n_records BIGINT,
    n BIGINT,
    run_id VARCHAR
);

DELETE FROM core.coverage_snapshots WHERE snapshot_date = CAST(getvariable('run_date') AS DATE);

INSERT INTO core.coverage_snapshots
SELECT CAST(getvariable('run_date') AS DATE), source, dataset, field, n_records, n,
    CAST(getvariable('run_id') AS VARCHAR)
FROM core.field_coverage;
