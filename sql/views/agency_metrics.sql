-- view agency_metrics: compliance metrics per K/L/PD and satuan kerja and budget year, as of the last build.
-- Why: the scorecard a watchdog hands to officials: single-bid tenders, awards near HPS, failed tenders, non-competitive spending, direct procurement above the ceiling, small-business and domestic shares.
-- Source: core.agency_metrics (sql/indicators/950_agency_metrics.sql, where each metric is defined); `pantau explain METRIC` prints a definition and the processes behind a value.
-- column kd_klpd: K/L/PD code
-- column kd_satker: the work unit's dotted code; null on the row for the whole K/L/PD
-- column year: budget year (tahun anggaran)
-- column metric: tenders_finished, single_bid_rate, avg_bids, award_near_hps_rate, failed_rate, non_competitive_value_share, pl_above_ceiling, flagged_share, umk_value_share, pdn_value_share or epurchasing_value_share
-- column value: the metric: numerator for a count, numerator / denominator for a rate, share or average (null when the denominator is 0)
-- column numerator: what is counted or summed (processes, bids or rupiah)
-- column denominator: what it is divided by; null for counts
-- depends: core.agency_metrics
-- test unique: agency_metrics(kd_klpd, kd_satker, year, metric)
-- test relationship: agency_metrics(kd_klpd) -> agencies(kd_klpd)
CREATE OR REPLACE VIEW main.agency_metrics AS
SELECT kd_klpd, kd_satker, year, metric, value, numerator, denominator FROM core.agency_metrics;
