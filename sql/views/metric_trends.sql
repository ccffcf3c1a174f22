-- view metric_trends: each snapshot of each metric with its change since last month and against the previous budget year.
-- Why: "did it get better or worse" is the advocacy question; one row per snapshot lets an analyst filter the latest (is_latest) or chart the history.
-- Source: core.metric_snapshots. Month-ago value: the latest snapshot of the same K/L/PD, satker, year and metric taken at least one calendar month before (none yet: null). Previous-year value: the same metric for budget year - 1 in the same snapshot.
-- column snapshot_date: the night of the snapshot
-- column kd_klpd: K/L/PD code
-- column kd_satker: the work unit's dotted code; null on the row for the whole K/L/PD
-- column year: budget year (tahun anggaran)
-- column metric: the metric's name (see agency_metrics)
-- column value: the metric's value on that night
-- column is_latest: true on the most recent snapshot
-- column month_ago_date: date of the snapshot compared with for the monthly change
-- column month_ago_value: the value on that snapshot
-- column change_since_last_month: value - month_ago_value
-- column previous_year_value: the same metric for budget year - 1, in the same snapshot
-- column change_year_on_year: value - previous_year_value
-- depends: core.metric_snapshots
CREATE OR REPLACE VIEW main.metric_trends AS
WITH s AS (
    SELECT *, coalesce(kd_satker, '') AS satker_key FROM core.metric_snapshots
),
monthly AS (
    SELECT s.*, m.snapshot_date AS month_ago_date, m.value AS month_ago_value
    FROM s ASOF LEFT JOIN (
        SELECT *, CAST(snapshot_date + INTERVAL 1 MONTH AS DATE) AS due FROM s
    ) m ON m.kd_klpd = s.kd_klpd AND m.satker_key = s.satker_key AND m.year = s.year
        AND m.metric = s.metric AND s.snapshot_date >= m.due
)
SELECT c.snapshot_date, c.kd_klpd, c.kd_satker, c.year, c.metric, c.value,
    c.snapshot_date = (SELECT max(snapshot_date) FROM core.metric_snapshots) AS is_latest,
    c.month_ago_date, c.month_ago_value, c.value - c.month_ago_value AS change_since_last_month,
    py.value AS previous_year_value, c.value - py.value AS change_year_on_year
FROM monthly c
LEFT JOIN s py ON py.snapshot_date = c.snapshot_date AND py.kd_klpd = c.kd_klpd
    AND py.satker_key = c.satker_key AND py.year = c.year - 1 AND py.metric = c.metric;
